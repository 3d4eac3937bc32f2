"""The VS Code end-to-end suite (client/test/e2e/suite.ts) checks the layer-cache hover and code lens
on tests/client/fixtures/layer-cache.Dockerfile against cases.json's `layerCache`; those expectations
must be what the engine says, so a change of wording or of the model shows here, in the Python tier,
not only minutes later in the editor."""
from __future__ import annotations

import json
from pathlib import Path

from cachemount.editor.hover import hover_at
from cachemount.editor.rerun import code_lenses
from cachemount.semantics.pipeline import analyze

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CASE = json.loads((FIXTURES / "cases.json").read_text(encoding="utf-8"))["layerCache"]


def _text() -> str:
    return (FIXTURES / CASE["file"]).read_text(encoding="utf-8")


def test_hover_on_the_keyword_says_what_the_e2e_suite_expects():
    text = _text()
    at = text.index(CASE["at"])
    hover = hover_at(text, at + CASE["offset"])
    assert hover is not None, f"no hover at {CASE['at']!r} + {CASE['offset']}"
    for mention in CASE["hoverMentions"]:
        assert mention in hover.markdown, f"cases.json layerCache.hoverMentions: {mention!r} not in\n{hover.markdown}"
    keyword = CASE["at"].split(" ")[0]
    assert (hover.start, hover.end) == (at, at + len(keyword))


def test_the_one_code_lens_is_the_one_the_e2e_suite_expects():
    text = _text()
    at = text.index(CASE["at"])
    lenses = code_lenses(analyze(text))
    assert [(lens.start, lens.end, lens.title) for lens in lenses] == \
        [(at, at + len(CASE["at"].split(" ")[0]), CASE["lensTitle"])]

"""Code actions honour `Fix.applicability`: SAFE and UNSAFE fixes are quick fixes (UNSAFE never
preferred, titled "... (unsafe)"), DISPLAY fixes are never offered as an edit, and fix-all is listed
only when a finding's first fix is SAFE (what `lint.apply_all` applies). Every rule's fix is SAFE
today, so the findings here are made by hand."""
from __future__ import annotations

from lsprotocol import types as T

from cachemount.document.scanner import parse
from cachemount.findings import DISPLAY, SAFE, UNSAFE, Edit, Finding, Fix
from cachemount.lsp import actions
from cachemount.lsp.analysis import prepare
from cachemount.settings.model import DEFAULT

TEXT = "FROM x\nRUN --mount=type=cache,targt=/root/.cache/pip pip install y\n"
START = TEXT.index("targt")
END = START + len("targt")
TYPO = Edit(START, END, "target")


def _finding(*fixes: Fix, code: str = "CM301") -> Finding:
    return Finding(code, "mount-options", "error", "targt is not an option", START, END, fix_source=tuple(fixes))


def _offered(findings, only=()):
    return [(o.title, o.preferred, o.kind) for o in actions.offers(findings, 0, len(TEXT), list(only), TEXT, parse(TEXT))]


def test_applicability_decides_how_a_fix_is_offered():
    finding = _finding(
        Fix("Change targt to target", (TYPO,)),
        Fix("Rewrite the mount", (TYPO,), applicability=UNSAFE),
        Fix("Explain the mount", (TYPO,), applicability=DISPLAY),
        Fix("Another safe way", (TYPO,), preferred=False, applicability=SAFE),
    )
    assert _offered([finding]) == [
        ("Change targt to target", True, "quickfix"),
        ("Rewrite the mount (unsafe)", False, "quickfix"),    # even though the rule says preferred
        ("Another safe way", False, "quickfix"),
        ("Ignore CM301 for this instruction", False, "quickfix"),
    ]
    assert actions.offer_of(finding, Fix("Explain", (TYPO,), applicability=DISPLAY)) is None


def test_fix_all_is_offered_only_when_a_safe_fix_exists():
    """Fix-all applies each finding's first SAFE fix (`Finding.fix_for`), like `check --fix`."""
    unsafe_only = _finding(Fix("Rewrite", (TYPO,), applicability=UNSAFE))
    unsafe_first = _finding(Fix("Rewrite", (TYPO,), applicability=UNSAFE), Fix("Safe", (TYPO,)))
    display = _finding(Fix("Explain", (TYPO,), applicability=DISPLAY))
    safe = _finding(Fix("Change", (TYPO,)))
    assert not actions.offers_fix_all([unsafe_only, display], ["source.fixAll"], True)
    assert actions.offers_fix_all([unsafe_first, display], ["source.fixAll"], True)
    assert actions.offers_fix_all([unsafe_only, safe], ["source.fixAll"], False)
    assert not actions.offers_fix_all([safe], [], False)        # no `only`: listed next to quick fixes only
    assert actions.offers_fix_all([safe], [], True)


def _code_actions(findings, only=()):
    cache = {("findings", DEFAULT): findings}    # what the diagnostics computed for this version
    target = actions.Version("file:///w/Dockerfile", 3, TEXT, cache, DEFAULT, "utf-16", True)
    end = T.Position(line=TEXT.count("\n"), character=0)
    request = actions.Request(target, prepare(TEXT), T.Range(start=T.Position(line=0, character=0), end=end),
                              list(only), None, True)
    return actions.code_actions(request)


def test_code_actions_carry_the_applicability():
    finding = _finding(Fix("Rewrite the mount", (TYPO,), applicability=UNSAFE),
                       Fix("Explain the mount", (TYPO,), applicability=DISPLAY))
    quick, fix_all = _code_actions([finding])
    assert [(a.title, a.is_preferred) for a in quick] == [("Rewrite the mount (unsafe)", False),
                                                          ("Ignore CM301 for this instruction", False)]
    edit = quick[0].edit.document_changes[0]
    assert edit.text_document.version == 3 and [e.new_text for e in edit.edits] == ["target"]
    assert edit.edits[0].range == T.Range(start=T.Position(line=1, character=START - 7),
                                          end=T.Position(line=1, character=END - 7))
    assert quick[0].diagnostics[0].code == "CM301"
    assert fix_all == []                                         # nothing fix-all would apply
    assert _code_actions([finding], only=["source.fixAll"]) == ([], [])

    quick, [fix_all] = _code_actions([_finding(Fix("Change targt to target", (TYPO,)))], only=["source.fixAll"])
    assert quick == [] and fix_all.edit is None and fix_all.data["version"] == 3

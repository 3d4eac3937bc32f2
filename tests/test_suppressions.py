"""One suppression grammar: lint, the "Ignore CMxxx" quick fix and hover read a comment the same way."""
from __future__ import annotations

import pytest

from cachemount.editor.hover import hover_at
from cachemount.fixing.suppress import ignore_edit
from cachemount.lint import lint
from cachemount.suppressions import ALL, parse_directive

RUN = "RUN pip install x\n"

# (comment line, does it silence CM101 on the RUN below?)
COMMENTS = [
    ("# cachemount: ignore=CM101", True),
    ("# cachemount: ignore", True),
    ("# cachemount: ignore=", True),
    ("#cachemount:IGNORE = cm101", True),
    ("  # cachemount: ignore=CM103, CM101   ", True),
    ("# cachemount: ignore=CM103 CM101", True),
    ("# cachemount: ignore=CM103", False),
    ("# cachemount: ignore=CM101 (flaky)", False),   # not the grammar: silences nothing
    ("# cachemount: ignorefoo", False),
    ("# cachemount: ignore x", False),
    ("# cachemount: ignore-file=CM101", True),
    ("# cachemount: ignore-file", True),
    ("# see cachemount: ignore=CM101", False),
]


@pytest.mark.parametrize("comment,silences", COMMENTS, ids=[c for c, _ in COMMENTS])
def test_lint_fix_and_hover_agree(comment, silences):
    text = f"FROM python:3.12\n{comment}\n{RUN}"
    codes = {f.code for f in lint(text)}
    assert ("CM101" not in codes) == silences
    directive = parse_directive(comment)
    # the quick fix merges into an `ignore` comment (or sees it already silences CM101); next to
    # anything else, a file-wide directive included, it adds its own comment line
    merges = directive is not None and not directive.file_wide
    assert (ignore_edit(text, text.index("RUN"), "CM101") is None) == (merges and silences)
    kind_at = text.lower().index("ignore") if "ignore" in comment.lower() else None
    shown = hover_at(text, kind_at) if kind_at is not None else None
    assert (shown is not None) == (directive is not None)


def test_directive_spans():
    raw = "# cachemount: ignore=CM102, CM103   "
    d = parse_directive(raw)
    assert d is not None and not d.file_wide and d.codes == {"CM102", "CM103"}
    assert raw[d.kind_start:d.kind_end] == "ignore" and raw[d.codes_start:d.codes_end] == "CM102, CM103"
    assert [raw[a:b] for a, b in d.code_spans(raw)] == ["CM102", "CM103"]
    bare = parse_directive("# cachemount: ignore-file")
    assert bare is not None and bare.file_wide and bare.codes == {ALL}


def test_long_junk_comment_is_linear():
    # the grammar is checked without a backtracking pattern: a long near-miss is instant
    raw = "# cachemount: ignore=" + " ," * 200_000 + "!"
    assert parse_directive(raw) is None

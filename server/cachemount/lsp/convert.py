"""Engine objects -> LSP objects: findings to diagnostics, edits to TextEdits, whole-text changes
to minimal line-granular TextEdits. Every span goes through `positions.LineIndex`."""
from __future__ import annotations

import difflib
from typing import Iterable, Sequence

from lsprotocol import types as T

from ..findings import Edit, Finding
from .positions import LineIndex

SEVERITY = {
    "error": T.DiagnosticSeverity.Error,
    "warning": T.DiagnosticSeverity.Warning,
    "information": T.DiagnosticSeverity.Information,
    "hint": T.DiagnosticSeverity.Hint,
}
TAGS = {"unnecessary": T.DiagnosticTag.Unnecessary, "deprecated": T.DiagnosticTag.Deprecated}
SOURCE = "cachemount"


def to_position(index: LineIndex, offset: int) -> T.Position:
    line, character = index.position(offset)
    return T.Position(line=line, character=character)


def to_range(index: LineIndex, start: int, end: int) -> T.Range:
    return T.Range(start=to_position(index, start), end=to_position(index, max(start, end)))


def docs_url(code: str) -> str:
    from ..rules.base import DOCS_URL
    return DOCS_URL.format(code=code)


def diagnostic(finding: Finding, index: LineIndex, tag_support: Iterable[int] | None = None) -> T.Diagnostic:
    """`tag_support`: the tag values the client declared (None: send none)."""
    tags = None
    if tag_support is not None and finding.tags:
        wanted = [TAGS[t] for t in finding.tags if t in TAGS and TAGS[t] in tag_support]
        tags = wanted or None
    return T.Diagnostic(
        range=to_range(index, finding.start, finding.end),
        message=finding.message,
        severity=SEVERITY.get(finding.severity, T.DiagnosticSeverity.Warning),
        code=finding.code,
        code_description=T.CodeDescription(href=docs_url(finding.code)),
        source=SOURCE,
        tags=tags,
    )


def text_edits(index: LineIndex, edits: Sequence[Edit]) -> list[T.TextEdit]:
    return [T.TextEdit(range=to_range(index, e.start, e.end), new_text=e.new_text)
            for e in sorted(edits, key=lambda e: (e.start, e.end))]


def workspace_edit(uri: str, version: int | None, edits: list[T.TextEdit], document_changes: bool) -> T.WorkspaceEdit:
    if document_changes:
        return T.WorkspaceEdit(document_changes=[T.TextDocumentEdit(
            text_document=T.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
            edits=list(edits))])
    return T.WorkspaceEdit(changes={uri: list(edits)})


def line_diff(old: str, new: str) -> list[Edit]:
    """Code-point edits turning `old` into `new`, one per changed block of lines (never a
    whole-document replacement unless every line changed)."""
    if old == new:
        return []
    a = old.splitlines(keepends=True)
    b = new.splitlines(keepends=True)
    a_starts = [0]
    for line in a:
        a_starts.append(a_starts[-1] + len(line))
    edits = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        edits.append(Edit(a_starts[i1], a_starts[i2], "".join(b[j1:j2])))
    return edits

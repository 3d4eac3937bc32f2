"""Engine objects -> LSP objects, and nowhere else: findings to diagnostics, offered fixes to code
actions, edits to TextEdits (whole-text changes to minimal line-granular ones), hover and completion
results to Hover and CompletionItems. Every span goes through `positions.LineIndex`; what the
client supports (tags, markdown, snippets, documentChanges) arrives as plain arguments."""
from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from lsprotocol import types as T

from ..findings import Edit, Finding
from .positions import LineIndex

if TYPE_CHECKING:
    from ..editor.completion import CompletionResult
    from ..editor.hover import HoverResult
    from ..editor.rerun import Lens

SEVERITY = {
    "error": T.DiagnosticSeverity.Error,
    "warning": T.DiagnosticSeverity.Warning,
    "information": T.DiagnosticSeverity.Information,
    "hint": T.DiagnosticSeverity.Hint,
}
TAGS = {"unnecessary": T.DiagnosticTag.Unnecessary, "deprecated": T.DiagnosticTag.Deprecated}
SOURCE = "cachemount"
FIX_ALL = "source.fixAll.cachemount"
FIX_ALL_TITLE = "Fix all cachemount findings"
FIX_ALL_QUICK_FIX_TITLE = "Fix all cachemount problems"   # the same edit, listed in the quick-fix menu
COMPLETION_KINDS = {
    "flag": T.CompletionItemKind.Keyword,
    "key": T.CompletionItemKind.Property,
    "value": T.CompletionItemKind.EnumMember,
    "path": T.CompletionItemKind.Folder,
    "snippet": T.CompletionItemKind.Snippet,
}


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


def diagnostics(findings: Iterable[Finding], index: LineIndex, tag_support: Iterable[int] | None) -> list[T.Diagnostic]:
    return [diagnostic(f, index, tag_support) for f in findings]


def kind_value(kind: Any) -> str:
    """A kind as its string (`MarkupKind.Markdown` and 'markdown' alike)."""
    return str(getattr(kind, "value", kind))


def prefers_markdown(formats: Iterable[Any]) -> bool:
    """The client's content formats (its preference first) put markdown before plain text."""
    names = [kind_value(k) for k in formats]
    md, plain = T.MarkupKind.Markdown.value, T.MarkupKind.PlainText.value
    return md in names and (plain not in names or names.index(md) < names.index(plain))


def hover(result: "HoverResult", index: LineIndex, markdown: bool) -> T.Hover:
    content = T.MarkupContent(kind=T.MarkupKind.Markdown if markdown else T.MarkupKind.PlainText,
                              value=result.markdown if markdown else result.plain)
    return T.Hover(contents=content, range=to_range(index, result.start, result.end))


def code_lenses(lenses: Iterable["Lens"], index: LineIndex) -> list[T.CodeLens]:
    # an empty command id: VS Code shows the title without making it clickable
    return [T.CodeLens(range=to_range(index, lens.start, lens.end), command=T.Command(title=lens.title, command=""))
            for lens in lenses]


def completion_list(results: Iterable["CompletionResult"], index: LineIndex, snippets: bool, markdown_docs: bool,
                    to_plain: Callable[[str], str]) -> T.CompletionList:
    """`to_plain`: markdown documentation as plain text, for clients that show no markdown."""
    items = []
    for r in results:
        use_snippet = bool(snippets and r.snippet)
        documentation: Any = None
        if r.documentation:
            documentation = (T.MarkupContent(kind=T.MarkupKind.Markdown, value=r.documentation) if markdown_docs
                             else to_plain(r.documentation))
        items.append(T.CompletionItem(
            label=r.label,
            kind=COMPLETION_KINDS.get(r.kind, T.CompletionItemKind.Text),
            detail=r.detail or None,
            documentation=documentation,
            sort_text=r.sort_text,
            filter_text=r.filter_text,
            preselect=r.preselect or None,
            insert_text_format=T.InsertTextFormat.Snippet if use_snippet else T.InsertTextFormat.PlainText,
            text_edit=T.TextEdit(range=to_range(index, r.start, r.end),
                                 new_text=r.snippet if use_snippet and r.snippet is not None else r.insert_text),
        ))
    return T.CompletionList(is_incomplete=False, items=items)


def empty_completion() -> T.CompletionList:
    return T.CompletionList(is_incomplete=False, items=[])


def code_action(title: str, kind: str, preferred: bool, diag: T.Diagnostic, edit: T.WorkspaceEdit) -> T.CodeAction:
    """A quick fix of the finding `diag` reports."""
    return T.CodeAction(title=title, kind=kind, diagnostics=[diag], is_preferred=preferred, edit=edit)


def asks_for_fix_all(only: list[str]) -> bool:
    """A code action request filtered to fix-all kinds (an editor's fix-all on save, or its command)."""
    return any(kind in ("source.fixAll", FIX_ALL) for kind in only)


def fix_all_action(uri: str, version: int) -> T.CodeAction:
    """The fix-all action without its edit (computed on resolve, or at once for clients that cannot)."""
    return T.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL, data={"uri": uri, "version": version})


def fix_all_quick_fix(uri: str, version: int) -> T.CodeAction:
    """Fix-all as a quickfix (editors list no source action in the quick-fix menu); its edit comes
    the same way as `fix_all_action`'s (the resolve reads only `data`)."""
    return T.CodeAction(title=FIX_ALL_QUICK_FIX_TITLE, kind=T.CodeActionKind.QuickFix,
                        data={"uri": uri, "version": version})


def text_edits(index: LineIndex, edits: Sequence[Edit]) -> list[T.TextEdit]:
    return [T.TextEdit(range=to_range(index, e.start, e.end), new_text=e.new_text)
            for e in sorted(edits, key=lambda e: (e.start, e.end))]


def workspace_edit(uri: str, version: int | None, edits: list[T.TextEdit], document_changes: bool) -> T.WorkspaceEdit:
    if document_changes:
        return T.WorkspaceEdit(document_changes=[T.TextDocumentEdit(
            text_document=T.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
            edits=list(edits))])
    return T.WorkspaceEdit(changes={uri: list(edits)})


def empty_workspace_edit() -> T.WorkspaceEdit:
    return T.WorkspaceEdit(changes={})


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

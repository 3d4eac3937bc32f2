"""What a VS Code user gets for a Dockerfile: the real `cachemount serve`, opened on the file inside
its build context, asked for "Fix all" (source.fixAll.cachemount, resolved as VS Code resolves it)
and, when the file has exactly one fixable diagnostic, for that diagnostic's preferred quick fix.

The build tier compares both with `cachemount check --fix` (harness.fix): a fix proven by a build
must be the same text whichever face applied it."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from lsprotocol import types as T

from tests.lsp.lsp_helpers import SERVER, apply_edits, edits_of, encoding_of, initialize, make_client, open_doc, published

FIX_ALL = "source.fixAll.cachemount"
TIMEOUT = 60.0
UNSAFE_MARK = "(unsafe)"   # how the server titles a quick fix `check --fix` does not apply
Files = dict[str, str | bytes] | None


def editor_fixes(dockerfile: str, context_files: Files) -> dict[str, str]:
    """{"fix-all": text, "quick fix": text (only with one fixable diagnostic)} after applying each
    to `dockerfile` as the editor would. Without `context_files` the file is untitled (no build
    context), as stdin is for the CLI."""
    return _run(dockerfile, context_files, _fixes)


def editor_quick_fix(dockerfile: str, context_files: Files, title_start: str) -> str:
    """The text after the one quick fix whose title starts with `title_start` (preferred or not)."""
    async def pick(s: _Session) -> str:
        found = {a.title: a for d in s.diagnostics for a in await s.actions(d.range, [d], [T.CodeActionKind.QuickFix])
                 if a.title.startswith(title_start) and a.edit is not None}   # overlapping ranges offer it twice
        assert len(found) == 1, f"{len(found)} quick fixes titled {title_start!r}: {list(found)}"
        return s.apply(next(iter(found.values())).edit)
    return _run(dockerfile, context_files, pick)


class _Session:
    def __init__(self, client, uri: str, text: str, diagnostics: list[T.Diagnostic]):
        self.client, self.uri, self.text, self.diagnostics = client, uri, text, diagnostics
        self.encoding = encoding_of(client)

    async def actions(self, rng: T.Range, diagnostics: list[T.Diagnostic], only: list[str]) -> list[T.CodeAction]:
        got = await self.client.text_document_code_action_async(T.CodeActionParams(
            text_document=T.TextDocumentIdentifier(uri=self.uri), range=rng,
            context=T.CodeActionContext(diagnostics=diagnostics, only=only)))
        return [a for a in got or [] if isinstance(a, T.CodeAction)]

    def apply(self, edit: T.WorkspaceEdit) -> str:
        return apply_edits(self.text, edits_of(edit, self.uri), self.encoding)


def _run(dockerfile: str, context_files: Files, body):
    return asyncio.run(asyncio.wait_for(_open(dockerfile, context_files, body), TIMEOUT))


async def _open(dockerfile: str, context_files: Files, body):
    """A server opened on `dockerfile` in a folder holding `context_files`; `body(session)` once
    the file's first diagnostics are in."""
    with tempfile.TemporaryDirectory(prefix="cm-lsp-ctx-") as tmp:
        root = Path(tmp)
        for rel, content in (context_files or {}).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
        uri = (root / "Dockerfile").as_uri() if context_files is not None else "untitled:Dockerfile"
        if context_files is not None:
            (root / "Dockerfile").write_text(dockerfile)
        client = make_client()
        await client.start_io(*SERVER)
        try:
            await initialize(client, "visual-studio-code", root if context_files is not None else None)
            open_doc(client, uri, dockerfile)
            diagnostics = (await published(client, uri, version=1, timeout=TIMEOUT)).diagnostics
            return await body(_Session(client, uri, dockerfile, diagnostics))
        finally:
            await client.shutdown_session()


async def _fixes(s: _Session) -> dict[str, str]:
    whole = T.Range(start=T.Position(line=0, character=0), end=T.Position(line=s.text.count("\n") + 1, character=0))
    fix_all = [a for a in await s.actions(whole, [], [FIX_ALL]) if a.kind == FIX_ALL]
    out = {"fix-all": s.text}
    if fix_all:
        action = fix_all[0] if fix_all[0].edit is not None else await s.client.code_action_resolve_async(fix_all[0])
        if action.edit is not None:
            out["fix-all"] = s.apply(action.edit)
    fixable = []
    for d in s.diagnostics:
        preferred = [a for a in await s.actions(d.range, [d], [T.CodeActionKind.QuickFix])
                     if a.is_preferred and a.edit is not None and not a.title.endswith(UNSAFE_MARK)]
        fixable += preferred[:1]
    if len(fixable) == 1:
        out["quick fix"] = s.apply(fixable[0].edit)
    return out

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


def editor_fixes(dockerfile: str, context_files: dict[str, str | bytes] | None) -> dict[str, str]:
    """{"fix-all": text, "quick fix": text (only with one fixable diagnostic)} after applying each
    to `dockerfile` as the editor would. Without `context_files` the file is untitled (no build
    context), as stdin is for the CLI."""
    return asyncio.run(asyncio.wait_for(_editor_fixes(dockerfile, context_files), TIMEOUT))


async def _editor_fixes(dockerfile: str, context_files: dict[str, str | bytes] | None) -> dict[str, str]:
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
            client.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings=None))
            open_doc(client, uri, dockerfile)
            diagnostics = (await published(client, uri, version=1, timeout=TIMEOUT)).diagnostics
            encoding = encoding_of(client)
            whole = T.Range(start=T.Position(line=0, character=0),
                            end=T.Position(line=dockerfile.count("\n") + 1, character=0))
            out = {"fix-all": await _fix_all(client, uri, whole, dockerfile, encoding)}
            fixable = []
            for d in diagnostics:
                actions = await _actions(client, uri, d.range, [d], [T.CodeActionKind.QuickFix])
                preferred = [a for a in actions if a.is_preferred and a.edit is not None]
                if preferred:
                    fixable.append(preferred[0])
            if len(fixable) == 1:
                out["quick fix"] = apply_edits(dockerfile, edits_of(fixable[0].edit, uri), encoding)
            return out
        finally:
            await client.shutdown_session()


async def _actions(client, uri: str, rng: T.Range, diagnostics: list[T.Diagnostic],
                   only: list[str]) -> list[T.CodeAction]:
    got = await client.text_document_code_action_async(T.CodeActionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), range=rng,
        context=T.CodeActionContext(diagnostics=diagnostics, only=only)))
    return [a for a in got or [] if isinstance(a, T.CodeAction)]


async def _fix_all(client, uri: str, whole: T.Range, text: str, encoding: str) -> str:
    actions = [a for a in await _actions(client, uri, whole, [], [FIX_ALL]) if a.kind == FIX_ALL]
    if not actions:
        return text
    action = actions[0]
    if action.edit is None:
        action = await client.code_action_resolve_async(action)
    return apply_edits(text, edits_of(action.edit, uri), encoding) if action.edit else text

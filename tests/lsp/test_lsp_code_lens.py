"""textDocument/codeLens over the real server: nothing unless the `codeLens` setting is on, then one
lens above each install that re-runs on any build-context change."""
from __future__ import annotations

from lsp_helpers import open_doc, published, write
from lsprotocol import types as T

TEXT = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n"


async def _lenses(client, tmp_path, settings: str | None):
    if settings is not None:
        (tmp_path / ".cachemount.toml").write_text(settings)
    uri = write(tmp_path, "Dockerfile", TEXT)
    open_doc(client, uri, TEXT)
    await published(client, uri, 1)
    return await client.text_document_code_lens_async(T.CodeLensParams(
        text_document=T.TextDocumentIdentifier(uri=uri)))


async def test_off_by_default(vscode, tmp_path):
    assert not await _lenses(vscode, tmp_path, None)


async def test_on_with_the_setting(vscode, tmp_path):
    lenses = await _lenses(vscode, tmp_path, "codeLens = true\n")
    assert [(lens.range.start.line, lens.range.start.character, lens.range.end.character, lens.command.title)
            for lens in lenses] == [(3, 0, 3, "re-runs on any change to the build context (COPY line 3)")]

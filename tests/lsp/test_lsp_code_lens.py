"""textDocument/codeLens over the real server: nothing unless the `codeLens` setting is on, then one
lens above each install that re-runs on any build-context change."""
from __future__ import annotations

import asyncio

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
            for lens in lenses] == [(3, 0, 3, "re-runs on any change to the build context (COPY . . line 3)")]


async def test_turning_the_setting_on_asks_the_client_to_refresh_its_lenses(vscode, tmp_path):
    assert not await _lenses(vscode, tmp_path, None)
    before = vscode.code_lens_refreshes
    (tmp_path / ".cachemount.toml").write_text("codeLens = true\n")
    vscode.workspace_did_change_watched_files(T.DidChangeWatchedFilesParams(changes=[T.FileEvent(
        uri=(tmp_path / ".cachemount.toml").as_uri(), type=T.FileChangeType.Created)]))
    for _ in range(200):
        if vscode.code_lens_refreshes > before:
            break
        await asyncio.sleep(0.05)
    assert vscode.code_lens_refreshes > before
    uri = (tmp_path / "Dockerfile").as_uri()
    lenses = await vscode.text_document_code_lens_async(
        T.CodeLensParams(text_document=T.TextDocumentIdentifier(uri=uri)))
    assert len(lenses) == 1

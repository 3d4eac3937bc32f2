"""The server reads each document's build context (issue 10): CM201's reorder is a safe quick fix
and part of fix-all when the context has the manifest, "(unsafe)" and left out of fix-all when it
has not or the document is untitled; the `buildContext` setting is read relative to the folder."""
from __future__ import annotations

import pytest_lsp
from lsp_helpers import apply_edits, config, edits_of, encoding_of, initialize, lsp_range, open_doc, published, write
from lsprotocol import types as T
from pytest_lsp import LanguageClient

PIP = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
TITLE = "Copy requirements.txt first and move the COPY on line 3 after the install"
REORDERED = "COPY requirements.txt ./\n"


@pytest_lsp.fixture(config=config())
async def server(lsp_client: LanguageClient, tmp_path):
    await initialize(lsp_client, "visual-studio-code", tmp_path / "ws", options={"buildContext": "ctx"})
    yield
    await lsp_client.shutdown_session()


async def _actions(client, uri, text):
    enc = encoding_of(client)
    diags = (await published(client, uri, 1)).diagnostics
    (cm201,) = [d for d in diags if d.code == "CM201"]
    quick = await client.text_document_code_action_async(T.CodeActionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), range=cm201.range,
        context=T.CodeActionContext(diagnostics=[cm201], only=[T.CodeActionKind.QuickFix])))
    fix_all = await client.text_document_code_action_async(T.CodeActionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), range=lsp_range(text, 0, 0, enc),
        context=T.CodeActionContext(diagnostics=[], only=[T.CodeActionKind.SourceFixAll])))
    fixed = None
    if fix_all:
        action = fix_all[0] if fix_all[0].edit is not None else await client.code_action_resolve_async(fix_all[0])
        fixed = apply_edits(text, edits_of(action.edit, uri), enc)
    return [a.title for a in quick], fixed


async def test_context_from_the_setting_makes_the_reorder_safe(server, tmp_path):
    client = server
    (tmp_path / "ws" / "ctx").mkdir(parents=True)
    (tmp_path / "ws" / "ctx" / "requirements.txt").write_text("flask\n")
    uri = write(tmp_path / "ws", "app/Dockerfile", PIP)     # no requirements.txt next to it
    open_doc(client, uri, PIP)
    titles, fixed = await _actions(client, uri, PIP)
    assert TITLE in titles
    assert fixed is not None and REORDERED in fixed


async def test_untitled_document_gets_the_reorder_only_as_unsafe(server):
    client = server
    uri = "untitled:Untitled-1"
    open_doc(client, uri, PIP)
    titles, fixed = await _actions(client, uri, PIP)
    assert any(t.startswith(TITLE + " (build context unknown") and t.endswith("(unsafe)") for t in titles), titles
    assert fixed is None or REORDERED not in fixed

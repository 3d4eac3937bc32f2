"""Failures never take the server down: a raising handler, malformed requests, a 10 MB document,
binary junk; and the process exits cleanly."""
from __future__ import annotations

import asyncio
import random
import sys
import time
import uuid
from concurrent.futures import Future
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as T
from lsp_helpers import (at, change_full, change_range, config, encoding_of, initialize, lsp_range, make_client,
                         open_doc, published, write)
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

FAULTY = [sys.executable, str(Path(__file__).with_name("faulty_server.py"))]
TEXT = "FROM x\nRUN --mount=type=cache,targt=/root/.cache/pip pip install y\n"


async def raw_request(client, method: str, params):
    """Send a request as raw JSON (the typed client API cannot build malformed params)."""
    msg_id = str(uuid.uuid4())
    future: Future = Future()
    client.protocol._request_futures[msg_id] = future
    client.protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    return await asyncio.wait_for(asyncio.wrap_future(future), 10)


@pytest_lsp.fixture(config=config(FAULTY))
async def faulty(lsp_client: LanguageClient, tmp_path):
    await initialize(lsp_client, "visual-studio-code", tmp_path)
    yield
    await lsp_client.shutdown_session()


async def test_handler_exception_does_not_kill_the_server(faulty, tmp_path):
    client = faulty
    enc = encoding_of(client)
    uri = write(tmp_path, "Dockerfile", TEXT)
    open_doc(client, uri, TEXT)
    assert any(d.code == "CM301" for d in (await published(client, uri, 1)).diagnostics)
    hover = await client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=at(TEXT, "targt", enc)))
    assert hover is None
    errors = [m for m in client.log_messages if m.type == T.MessageType.Error]
    assert any("hover failed" in m.message and "injected hover failure" in m.message for m in errors)
    items = await client.text_document_completion_async(T.CompletionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=at(TEXT, ",targt", enc, 1)))
    assert "target" in [i.label for i in items.items]
    # the analysis itself fails for one version: nothing published for it, the next one works
    change_full(client, uri, TEXT + "# BOOM\n", 2)
    broken = await published(client, uri, 2)
    assert list(broken.diagnostics) == []
    assert any("injected analysis failure" in m.message for m in client.log_messages)
    change_full(client, uri, TEXT, 3)
    assert any(d.code == "CM301" for d in (await published(client, uri, 3)).diagnostics)


async def test_malformed_requests_get_jsonrpc_errors(vscode, tmp_path):
    client = vscode
    enc = encoding_of(client)
    uri = write(tmp_path, "Dockerfile", TEXT)
    open_doc(client, uri, TEXT)
    await published(client, uri, 1)
    with pytest.raises(JsonRpcException) as missing:
        await raw_request(client, T.TEXT_DOCUMENT_HOVER, {"textDocument": {"uri": uri}})
    assert missing.value.code == -32602
    with pytest.raises(JsonRpcException) as wrong:
        await raw_request(client, T.TEXT_DOCUMENT_COMPLETION, {
            "textDocument": {"uri": uri}, "position": {"line": "two", "character": 0}})
    assert wrong.value.code == -32602
    with pytest.raises(JsonRpcException) as unknown:
        await raw_request(client, "cachemount/noSuchMethod", {})
    assert unknown.value.code == -32601
    # a malformed notification is dropped; the document is unchanged
    client.protocol._send_data({"jsonrpc": "2.0", "method": T.TEXT_DOCUMENT_DID_CHANGE,
                                "params": {"textDocument": {"uri": uri}, "contentChanges": "x"}})
    # requests about unknown documents are empty, not errors
    other = (tmp_path / "Nope.Dockerfile").as_uri()
    assert await client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=other), position=T.Position(line=0, character=0))) is None
    assert list(await client.text_document_code_action_async(T.CodeActionParams(
        text_document=T.TextDocumentIdentifier(uri=other), range=T.Range(start=T.Position(line=0, character=0),
                                                                         end=T.Position(line=0, character=0)),
        context=T.CodeActionContext(diagnostics=[])))) == []
    # positions past the end are clamped
    hover = await client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=T.Position(line=999, character=999)))
    assert hover is None
    # and the server still answers normally
    hover = await client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=at(TEXT, "type=", enc)))
    assert hover is not None and "mount type" in hover.contents.value
    change_range(client, uri, lsp_range(TEXT, TEXT.index("targt"), TEXT.index("targt") + 5, enc), "target", 2)
    assert not any("targt" in d.message for d in (await published(client, uri, 2)).diagnostics)


BLOCK = """FROM python:3.12-slim AS build{n}
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt .
RUN apt-get update && apt-get install -y --no-install-recommends gcc \\
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN --mount=type=cache,target=/root/.npm npm ci
USER 1000
CMD ["python", "app.py"]
"""


async def test_ten_megabyte_document(vscode, tmp_path):
    client = vscode
    enc = encoding_of(client)
    parts, size, n = [], 0, 0
    while size < 10 * 1024 * 1024:
        block = BLOCK.format(n=n)
        parts.append(block)
        size += len(block)
        n += 1
    text = "".join(parts)
    uri = write(tmp_path, "Dockerfile", "")
    started = time.monotonic()
    open_doc(client, uri, text)
    first = await published(client, uri, 1, timeout=60)
    elapsed = time.monotonic() - started
    assert elapsed < 20, f"first diagnostics of a 10 MB document took {elapsed:.1f}s"
    assert first.diagnostics, "the analysed part has findings"
    assert any("only the first" in m.message for m in client.log_messages)
    started = time.monotonic()
    hover = await client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=at(text, "type=cache", enc)))
    assert hover is not None and time.monotonic() - started < 10
    change_range(client, uri, lsp_range(text, 0, 4, enc), "from", 2)
    second = await published(client, uri, 2, timeout=60)
    assert second.diagnostics
    # far beyond the analysed part: no hover, no error
    assert await client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=uri),
        position=T.Position(line=text.count("\n") - 3, character=14))) is None


async def test_binary_junk(vscode, tmp_path):
    client = vscode
    rng = random.Random(1234)
    junk = bytes(rng.randrange(256) for _ in range(300_000)).decode("latin-1")
    uri = write(tmp_path, "Dockerfile", "")
    open_doc(client, uri, junk)
    assert list((await published(client, uri, 1, timeout=30)).diagnostics) == []
    noisy = "".join(rng.choice("RUN --mount=type,cache\\\n\"'`$<{}[]😀日 \t\r") for _ in range(200_000))
    change_full(client, uri, noisy, 2)
    await published(client, uri, 2, timeout=60)
    change_full(client, uri, TEXT, 3)
    assert any(d.code == "CM301" for d in (await published(client, uri, 3)).diagnostics)


async def test_clean_exit_status(tmp_path):
    client = make_client()
    await client.start_io(*config().server_command)
    try:
        await initialize(client, "neovim", tmp_path)
        await client.shutdown_async(None)
        client.exit(None)
        code = await client._server.wait()
        assert code == 0
    finally:
        await client.stop()

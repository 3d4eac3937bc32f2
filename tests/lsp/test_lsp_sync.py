"""Initialize, diagnostics (exact ranges in every negotiated encoding), open/change/close, rapid
changes, settings."""
from __future__ import annotations

import asyncio

import pytest_lsp
from lsprotocol import types as T
from pytest_lsp import LanguageClient
from lsp_helpers import (change_full, change_range, encoding_of, lsp_range, open_doc, published, quiet,
                         write)

from cachemount import __version__
from cachemount.lint import lint
from cachemount.settings.files import settings_for
from cachemount.rules.base import DOCS_URL
from lsp_helpers import config, initialize

SEVERITY = {"error": 1, "warning": 2, "information": 3, "hint": 4}

UNICODE = (
    "FROM python:3.12-slim\n"
    "# 😀 日本語のコメント — ünïcödé\n"
    "RUN --mount=type=cache,target=/root/.cache/😀,sharing=lock pip install requests\n"
    'RUN echo "😀 日本語" && pip install flask\n'
)


def expected(text: str, path, encoding: str, settings=None):
    found = lint(text, settings or settings_for(str(path)))
    return [(f.code, lsp_range(text, f.start, f.end, encoding), f.message, SEVERITY[f.severity]) for f in found]


def got(params: T.PublishDiagnosticsParams):
    return [(d.code, d.range, d.message, int(d.severity)) for d in params.diagnostics]


async def test_initialize_result(client):
    result = client.init_result
    assert result.server_info.name == "cachemount"
    assert result.server_info.version == __version__
    caps = result.capabilities
    sync = caps.text_document_sync
    assert sync.change == T.TextDocumentSyncKind.Incremental and sync.open_close
    assert encoding_of(client) == ("utf-16" if client.client_name == "visual-studio-code" else "utf-8")
    assert caps.hover_provider
    assert set(caps.completion_provider.trigger_characters) == {"=", ",", "-"}
    kinds = [str(getattr(k, "value", k)) for k in caps.code_action_provider.code_action_kinds]
    assert kinds == ["quickfix", "source.fixAll.cachemount"]


async def test_diagnostics_exact_with_emoji_and_cjk(client, tmp_path):
    enc = encoding_of(client)
    uri = write(tmp_path, "Dockerfile", UNICODE)
    open_doc(client, uri, UNICODE)
    params = await published(client, uri, 1)
    assert got(params) == expected(UNICODE, tmp_path / "Dockerfile", enc)
    for d in params.diagnostics:
        assert d.source == "cachemount"
        assert d.code_description.href == DOCS_URL.format(code=d.code)
    # hand-checked: `lock` comes after an emoji (1 code point, 2 UTF-16 units, 4 UTF-8 bytes)
    lock = next(d for d in params.diagnostics if d.code == "CM301" and "sharing" in d.message)
    start, end = {"utf-16": (54, 58), "utf-8": (56, 60)}[enc]
    assert lock.range == T.Range(start=T.Position(line=2, character=start), end=T.Position(line=2, character=end))
    assert int(lock.severity) == 1
    # and the finding after emoji + CJK in an argument
    pip = [d for d in params.diagnostics if d.range.start.line == 3]
    assert pip, "pip install flask without a cache mount is reported"
    line = UNICODE.split("\n")[3]
    col = line.index("pip install")
    units = len(line[:col].encode("utf-16-le")) // 2 if enc == "utf-16" else len(line[:col].encode())
    assert pip[0].range.start.character == units


async def test_open_change_close(client, tmp_path):
    enc = encoding_of(client)
    text = UNICODE
    uri = write(tmp_path, "Dockerfile", text)
    open_doc(client, uri, text)
    first = await published(client, uri, 1)
    assert any(d.code == "CM301" for d in first.diagnostics)
    # incremental change: `lock` -> `locked`
    i = text.index("=lock ") + 1
    change_range(client, uri, lsp_range(text, i, i + 4, enc), "locked", 2)
    text = text[:i] + "locked" + text[i + 4:]
    second = await published(client, uri, 2)
    assert got(second) == expected(text, tmp_path / "Dockerfile", enc)
    assert not any("sharing" in d.message for d in second.diagnostics if d.code == "CM301")
    # an edit with a multi-line range (delete the comment line)
    a = text.index("# 😀")
    b = text.index("\n", a) + 1
    change_range(client, uri, lsp_range(text, a, b, enc), "", 3)
    text = text[:a] + text[b:]
    third = await published(client, uri, 3)
    assert got(third) == expected(text, tmp_path / "Dockerfile", enc)
    mark = len(client.published)
    client.text_document_did_save(T.DidSaveTextDocumentParams(text_document=T.TextDocumentIdentifier(uri=uri)))
    saved = await published(client, uri, 3, start=mark)
    assert got(saved) == got(third)
    mark = len(client.published)
    client.text_document_did_close(T.DidCloseTextDocumentParams(text_document=T.TextDocumentIdentifier(uri=uri)))
    closed = await published(client, uri, start=mark)
    assert list(closed.diagnostics) == []


async def test_only_dockerfiles(client, tmp_path):
    notes = write(tmp_path, "notes.txt", "RUN --mount=type=cache,targt=/x true\n")
    open_doc(client, notes, "RUN --mount=type=cache,targt=/x true\n", language="plaintext")
    named = write(tmp_path, "Dockerfile.dev", "FROM x\nRUN --mount=type=cache,targt=/x true\n")
    open_doc(client, named, "FROM x\nRUN --mount=type=cache,targt=/x true\n", language="plaintext")
    other = write(tmp_path, "deploy/api.dockerfile", "FROM x\nRUN --mount=type=cahce,target=/x true\n")
    open_doc(client, other, "FROM x\nRUN --mount=type=cahce,target=/x true\n", language="dockerfile")
    assert any(d.code == "CM301" for d in (await published(client, named, 1)).diagnostics)
    assert any(d.code == "CM301" for d in (await published(client, other, 1)).diagnostics)
    await quiet(0.3)
    assert not [p for p in client.published if p.uri == notes]
    hover = await client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=notes), position=T.Position(line=0, character=6)))
    assert hover is None


async def test_rapid_changes_never_publish_stale_results(vscode, tmp_path):
    client = vscode
    bad = "FROM x\nRUN --mount=type=cache,target=/root/.cache/pip,sharing=lock pip install y\n"
    good = bad.replace("sharing=lock ", "sharing=locked ")
    uri = write(tmp_path, "Dockerfile", bad)
    open_doc(client, uri, bad)
    await published(client, uri, 1)
    mark = len(client.published)
    last = 61
    for version in range(2, last + 1):
        change_full(client, uri, bad if version % 2 else good, version)
    final = await published(client, uri, last, start=mark)
    await quiet(0.3)
    runs = [p for p in client.published[mark:] if p.uri == uri]
    versions = [p.version for p in runs]
    assert versions == sorted(versions) and versions[-1] == last and final.version == last
    assert len(runs) < (last - 1) / 2, f"bursts are coalesced, got {len(runs)} publishes for {last - 1} changes"
    for p in runs:
        text = bad if p.version % 2 else good
        has_lock = any(d.code == "CM301" for d in p.diagnostics)
        assert has_lock == (text is bad), f"v{p.version} published diagnostics of another version"


async def test_settings_from_workspace_configuration(client, tmp_path):
    text = "FROM x\nRUN --mount=type=cache,targt=/root/.cache/pip pip install y\n"
    uri = write(tmp_path, "Dockerfile", text)
    open_doc(client, uri, text)
    first = await published(client, uri, 1)
    assert {d.code for d in first.diagnostics} >= {"CM301"}
    client.set_configuration({"severity": {"CM301": "hint"}}, section="cachemount")
    mark = len(client.published)
    client.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings=None))
    p = await published(client, uri, 1, start=mark)
    assert [int(d.severity) for d in p.diagnostics if d.code == "CM301"] == [4]
    client.set_configuration({"rules": {"CM301": False}}, section="cachemount")
    mark = len(client.published)
    client.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings=None))
    p = await published(client, uri, 1, start=mark)
    assert "CM301" not in {d.code for d in p.diagnostics}


async def test_invalid_settings_fall_back_with_one_message(vscode, tmp_path):
    client = vscode
    text = "FROM x\nRUN --mount=type=cache,targt=/root/.cache/pip pip install y\n"
    uri = write(tmp_path, "Dockerfile", text)
    client.set_configuration({"severity": {"CM301": "loud"}, "rules": "all"}, section="cachemount")
    mark = len(client.published)
    client.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings=None))
    open_doc(client, uri, text)
    p = await published(client, uri, 1, start=mark)
    assert [int(d.severity) for d in p.diagnostics if d.code == "CM301"] == [1]   # default severity kept
    for version in (2, 3):
        change_full(client, uri, text + "\n" * version, version)
        await published(client, uri, version)
    warnings = [m for m in client.log_messages if "invalid settings" in m.message]
    assert len(warnings) == 1, [m.message for m in client.log_messages]
    assert "severity.CM301" in warnings[0].message and "rules" in warnings[0].message


async def test_project_settings_file_is_used(client, tmp_path):
    (tmp_path / ".cachemount.toml").write_text('rules = { CM301 = false }\n', encoding="utf-8")
    text = "FROM x\nRUN --mount=type=cache,targt=/root/.cache/pip pip install y\n"
    uri = write(tmp_path, "sub/Dockerfile", text)
    open_doc(client, uri, text)
    p = await published(client, uri, 1)
    assert "CM301" not in {d.code for d in p.diagnostics}
    assert got(p) == expected(text, tmp_path / "sub" / "Dockerfile", encoding_of(client))


@pytest_lsp.fixture(config=config())
async def with_init_options(lsp_client: LanguageClient, tmp_path):
    await initialize(lsp_client, "neovim", tmp_path, options={"cachemount": {"severity": {"CM301": "warning"}}})
    yield
    await lsp_client.shutdown_session()


async def test_initialization_options(with_init_options, tmp_path):
    client = with_init_options
    text = "FROM x\nRUN --mount=type=cahce,target=/x true\n"
    uri = write(tmp_path, "Dockerfile", text)
    open_doc(client, uri, text)
    p = await published(client, uri, 1)
    assert [int(d.severity) for d in p.diagnostics if d.code == "CM301"] == [2]


async def test_registers_for_configuration_changes(vscode, tmp_path):
    client = vscode
    await asyncio.sleep(0.2)
    methods = [r.method for r in client.registrations]
    assert T.WORKSPACE_DID_CHANGE_CONFIGURATION in methods
    assert T.WORKSPACE_DID_CHANGE_WATCHED_FILES in methods
    # a settings file edited outside the editor: the watched-files notification re-lints
    text = "FROM x\nRUN --mount=type=cache,targt=/root/.cache/pip pip install y\n"
    uri = write(tmp_path, "Dockerfile", text)
    open_doc(client, uri, text)
    assert "CM301" in {d.code for d in (await published(client, uri, 1)).diagnostics}
    config = tmp_path / ".cachemount.toml"
    config.write_text("rules = { CM301 = false }\n", encoding="utf-8")
    mark = len(client.published)
    client.workspace_did_change_watched_files(T.DidChangeWatchedFilesParams(changes=[
        T.FileEvent(uri=config.as_uri(), type=T.FileChangeType.Created)]))
    p = await published(client, uri, 1, start=mark)
    assert "CM301" not in {d.code for d in p.diagnostics}


async def test_ignored_option_is_tagged_unnecessary(client, tmp_path):
    text = "FROM alpine\nRUN --mount=type=bind,target=/x,id=foo true\n"
    uri = write(tmp_path, "Dockerfile", text)
    open_doc(client, uri, text)
    p = await published(client, uri, 1)
    d = next(d for d in p.diagnostics if d.code == "CM301")
    assert list(d.tags) == [T.DiagnosticTag.Unnecessary] and int(d.severity) == 2
    assert d.range == lsp_range(text, text.index("id=foo"), text.index("id=foo") + 6, encoding_of(client))

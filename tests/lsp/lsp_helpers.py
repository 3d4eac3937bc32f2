"""Test-side helpers, independent of the server's own conversion code."""
from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from lsprotocol import types as T
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, configuration, register_lsp_features

SERVER = [sys.executable, "-m", "cachemount", "serve"]

TIMEOUT = 20.0


def _publish(client: LanguageClient, params: T.PublishDiagnosticsParams):
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)


def _register(client: LanguageClient, params: T.RegistrationParams):
    client.registrations.extend(params.registrations)


def _code_lens_refresh(client: LanguageClient, params: None):
    client.code_lens_refreshes += 1   # what VS Code does: ask for the lenses again (not needed here)


def _configuration(client: LanguageClient, params: T.ConfigurationParams):
    client.configuration_requests.append(params)
    return configuration(client, params)


def make_client() -> LanguageClient:
    """pytest-lsp's test client that also records every publishDiagnostics, registration,
    workspace/configuration and workspace/codeLens/refresh request."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []
    client.registrations = []
    client.configuration_requests = []
    client.code_lens_refreshes = 0
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _publish
    features[T.CLIENT_REGISTER_CAPABILITY] = _register
    features[T.WORKSPACE_CONFIGURATION] = _configuration
    features[T.WORKSPACE_CODE_LENS_REFRESH] = _code_lens_refresh
    register_lsp_features(client, features)
    return client


def config(command: list[str] | None = None, env: dict[str, str] | None = None) -> ClientServerConfig:
    return ClientServerConfig(server_command=command or SERVER, client_factory=make_client, server_env=env)


async def initialize(client: LanguageClient, name: str, root: Path | None = None,
                     options=None, folders: list[Path] | None = None) -> T.InitializeResult:
    """`root`: the workspace root and its only folder, unless `folders` names the folders."""
    params = T.InitializeParams(capabilities=client_capabilities(name), initialization_options=options)
    if root is not None:
        params.root_uri = root.as_uri()
        params.workspace_folders = [T.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in (folders or [root])]
    client.init_result = await client.initialize_session(params)
    client.client_name = name
    return client.init_result


def encoding_of(client) -> str:
    enc = client.init_result.capabilities.position_encoding
    return str(getattr(enc, "value", enc) or "utf-16")


def _units(s: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(s.encode("utf-8"))
    if encoding == "utf-16":
        return len(s.encode("utf-16-le")) // 2
    return len(s)


def lsp_position(text: str, offset: int, encoding: str) -> T.Position:
    """Code-point offset -> LSP position (texts in these tests use \\n line ends only)."""
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return T.Position(line=line, character=_units(text[start:offset], encoding))


def lsp_range(text: str, start: int, end: int, encoding: str) -> T.Range:
    return T.Range(start=lsp_position(text, start, encoding), end=lsp_position(text, end, encoding))


def offset_of(text: str, pos: T.Position, encoding: str) -> int:
    lines = text.split("\n")
    start = sum(len(line) + 1 for line in lines[:pos.line])
    if pos.line >= len(lines):
        return len(text)
    line = lines[pos.line]
    seen = 0
    for i, ch in enumerate(line):
        if seen >= pos.character:
            return start + i
        seen += _units(ch, encoding)
    return start + len(line)


def apply_edits(text: str, edits, encoding: str) -> str:
    spans = sorted(((offset_of(text, e.range.start, encoding), offset_of(text, e.range.end, encoding), e.new_text)
                    for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def edits_of(edit: T.WorkspaceEdit, uri: str) -> list[T.TextEdit]:
    if edit.document_changes:
        out = []
        for change in edit.document_changes:
            assert isinstance(change, T.TextDocumentEdit)
            assert change.text_document.uri == uri
            out.extend(change.edits)
        return out
    return list((edit.changes or {}).get(uri, []))


def at(text: str, needle: str, encoding: str, delta: int = 0, nth: int = 0) -> T.Position:
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    return lsp_position(text, i + delta, encoding)


def write(dir: Path, name: str, text: str) -> str:
    path = dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path.as_uri()


def open_doc(client, uri: str, text: str, version: int = 1, language: str = "dockerfile") -> None:
    client.text_document_did_open(T.DidOpenTextDocumentParams(
        text_document=T.TextDocumentItem(uri=uri, language_id=language, version=version, text=text)))


def change_full(client, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[T.TextDocumentContentChangeWholeDocument(text=text)]))


def change_range(client, uri: str, rng: T.Range, new_text: str, version: int) -> None:
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[T.TextDocumentContentChangePartial(range=rng, text=new_text)]))


async def published(client, uri: str, version: int | None = None, timeout: float = TIMEOUT,
                    start: int = 0) -> T.PublishDiagnosticsParams:
    """The first publishDiagnostics for `uri` (and `version`, if given) after index `start`."""
    deadline = time.monotonic() + timeout
    while True:
        for p in client.published[start:]:
            if p.uri == uri and (version is None or p.version == version):
                return p
        if time.monotonic() > deadline:
            got = [(p.uri, p.version, len(p.diagnostics)) for p in client.published]
            raise AssertionError(f"no diagnostics for {uri} v{version} within {timeout}s; got {got}")
        await asyncio.sleep(0.01)


async def quiet(seconds: float = 0.3) -> None:
    await asyncio.sleep(seconds)

"""A bare pygls 2.x language server: the floor for any pygls-based server (used by lsp_bench.py).

It does no analysis at all: on didOpen/didChange it publishes an empty diagnostics list. Whatever
cachemount's server costs above this is cachemount's own work (parsing, rules, conversion).

    .venv/bin/python bench/bare_pygls_server.py      # speaks LSP on stdio
"""

from lsprotocol import types
from pygls.lsp.server import LanguageServer

server = LanguageServer("bare-pygls", "0.0.0", text_document_sync_kind=types.TextDocumentSyncKind.Incremental)


def _publish(ls: LanguageServer, uri: str, version: int | None) -> None:
    # Touch the synced document like a real server would, then publish nothing.
    ls.workspace.get_text_document(uri).source  # noqa: B018
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=[])
    )


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri, params.text_document.version)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri, params.text_document.version)


if __name__ == "__main__":
    server.start_io()

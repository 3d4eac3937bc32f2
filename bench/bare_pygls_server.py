"""The floor for a Python language server: pygls answering initialize and publishing empty
diagnostics on open/change. Used by lsp_bench.py only."""
from lsprotocol import types as T
from pygls.lsp.server import LanguageServer

server = LanguageServer("bare", "0")


@server.feature(T.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: LanguageServer, params: T.DidOpenTextDocumentParams) -> None:
    ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(params.text_document.uri, [],
                                                                    params.text_document.version))


@server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: LanguageServer, params: T.DidChangeTextDocumentParams) -> None:
    ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(params.text_document.uri, [],
                                                                    params.text_document.version))


if __name__ == "__main__":
    server.start_io()

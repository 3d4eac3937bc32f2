"""`cachemount serve`: the language server (pygls, stdio or TCP).

The lsp/ package, from the wire inwards:
- `stream.py`: the guard in front of pygls' stdin reader (an absurd `Content-Length` is refused).
- `language_server.py`: the server object and the protocol layer (documents, logging, capabilities).
- `server.py` (here): which handler answers which method, with which options; `serve()`.
- `handlers.py`: one function per method, glue over the pure functions.
- `scheduler.py`: the worker threads, debounced diagnostics, cancellation by a newer version.
- `configuration.py`, `settings.py`: the client's settings per workspace folder, merged per document.
- `analysis.py`: what one document version needs, computed once (limits on size and binary text).
- `actions.py`: which fixes a range offers (applicability), the code-action and fix-all jobs.
- `convert.py`: engine results -> LSP types; `positions.py`, `documents.py`: spans and text sync.
- `engine.py`: the engine, imported lazily (`initialize` is answered at once).
"""
from __future__ import annotations

import logging
import os
import sys

from lsprotocol import types as T

from . import handlers
from .convert import FIX_ALL
from .language_server import CachemountServer
from .stream import GuardedInput

# method, handler, registration options
FEATURES = (
    (T.INITIALIZE, handlers.initialize, None),
    (T.INITIALIZED, handlers.initialized, None),
    (T.WORKSPACE_DID_CHANGE_CONFIGURATION, handlers.did_change_configuration, None),
    (T.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS, handlers.did_change_workspace_folders, None),
    (T.WORKSPACE_DID_CHANGE_WATCHED_FILES, handlers.did_change_watched_files, None),
    (T.TEXT_DOCUMENT_DID_OPEN, handlers.did_open, None),
    (T.TEXT_DOCUMENT_DID_CHANGE, handlers.did_change, None),
    (T.TEXT_DOCUMENT_DID_SAVE, handlers.did_save, T.SaveOptions(include_text=False)),
    (T.TEXT_DOCUMENT_DID_CLOSE, handlers.did_close, None),
    (T.TEXT_DOCUMENT_HOVER, handlers.hover, None),
    (T.TEXT_DOCUMENT_COMPLETION, handlers.completion,
     T.CompletionOptions(trigger_characters=["=", ",", "-"], resolve_provider=False)),
    (T.TEXT_DOCUMENT_CODE_ACTION, handlers.code_action,
     T.CodeActionOptions(code_action_kinds=[T.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=True)),
    (T.CODE_ACTION_RESOLVE, handlers.code_action_resolve, None),
    (T.TEXT_DOCUMENT_CODE_LENS, handlers.code_lens, T.CodeLensOptions(resolve_provider=False)),
    (T.EXIT, handlers.exit_, None),
    (T.SHUTDOWN, handlers.shutdown, None),
)


def build_server() -> CachemountServer:
    server = CachemountServer()
    for method, handler, options in FEATURES:
        server.feature(method, options)(handler)
    return server


def _split_tcp(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    return host or "127.0.0.1", int(port)


def serve(tcp: str | None = None) -> int:
    """Run the server on stdio (default) or TCP `HOST:PORT`. Returns the exit status (0 after a
    proper shutdown/exit, 1 otherwise)."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="cachemount %(levelname)s %(name)s: %(message)s")
    # pygls warns about routine things (a response arriving after shutdown, $/ notifications it
    # does not know); errors still reach stderr, and ours go to window/logMessage as well
    logging.getLogger("pygls").setLevel(logging.ERROR)
    server = build_server()
    if tcp:
        try:
            host, port = _split_tcp(tcp)
        except ValueError:
            print(f"cachemount: --tcp expects HOST:PORT, got {tcp!r}", file=sys.stderr)
            return 2
        server.tcp = True
        server.start_tcp(host, port)
    else:
        # pygls reads stdin through this guard (absurd Content-Length headers are refused)
        # pygls only calls readline()/read() on it, so a guard that is no BinaryIO will do
        server.start_io(stdin=GuardedInput(sys.stdin.buffer, server.log_from_thread))  # type: ignore[arg-type]
    status = 0 if server.protocol._shutdown else 1
    server.work.close()
    if not tcp:
        # the stdin reader thread may still block on a pipe the client keeps open: do not wait for it
        try:
            sys.stdout.flush()
        except Exception:
            pass
        os._exit(status)
    return status

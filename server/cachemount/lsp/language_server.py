"""The server object: what it keeps (documents, settings, negotiated encoding, the scheduler), how
it logs, what the client supports; and the protocol layer in front of pygls.

- Documents are kept by this server (`documents.py`, LSP line semantics), incrementally synced: the
  protocol applies a didChange before the handler runs, after cancelling the document's queued work.
- A request whose params do not match the protocol gets a JSON-RPC InvalidParams error (and one
  warning in the log); after `shutdown`, requests other than `exit` get InvalidRequest.
- Logging goes to window/logMessage (never popups) and stderr. Notes about a document (cut, binary,
  not analysed, analysis failed) are logged once per document, at most `MAX_NOTES` of them."""
from __future__ import annotations

import asyncio
import logging
import re
import traceback
from functools import reduce
from typing import Any

from lsprotocol import types as T
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from .. import __version__
from . import actions, analysis, configuration
from .documents import Document, Documents
from .positions import DEFAULT, LineIndex
from .scheduler import Scheduler
from .settings import SECTION, SettingsStore

logger = logging.getLogger("cachemount.lsp")

NAME = "cachemount"
MAX_NOTES = 20               # distinct messages logged per document (then silence until it is closed)
_NUMBERS = re.compile(r"\d[\d,]*")
SETTINGS_FILES = ("**/.cachemount.toml", "**/pyproject.toml")


def capability(obj: Any, path: str, default: Any = None) -> Any:
    """`obj.a.b.c` for path 'a.b.c', `default` where a part is missing or None."""
    try:
        value = reduce(getattr, path.split("."), obj)
    except AttributeError:
        return default
    return default if value is None else value


class _Dropped:
    """Stands for a message that could not be read; pygls ignores it (unknown jsonrpc version)."""
    jsonrpc = "dropped"


class CachemountProtocol(LanguageServerProtocol):
    _server: "CachemountServer"

    def structure_message(self, data):
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "id" in data and "method" in data:
                try:
                    self._send_response(data["id"], error=exc.to_response_error())
                except Exception:
                    logger.exception("cannot answer a malformed request")
            method = data.get("method") if isinstance(data, dict) else None
            self._server.log(f"cachemount: ignored a malformed {method or 'message'} ({type(exc).__name__})",
                             T.MessageType.Warning)
            return _Dropped()

    def handle_message(self, message):
        if self._shutdown and isinstance(getattr(message, "id", None), (int, str)) \
                and getattr(message, "method", None) not in (None, T.EXIT):
            # the spec: requests after shutdown error with InvalidRequest (pygls drops them unanswered)
            self._send_response(message.id, error=JsonRpcInvalidRequest(
                f"{message.method}: the server is shutting down").to_response_error())
            return
        super().handle_message(message)

    def _execute_handler(self, *args, **kwargs):
        # pygls keeps the future of every notification it runs in `_request_futures` (only request
        # futures are removed): one per keystroke, forever. Drop the finished ones as we go (not in
        # a done callback: `shutdown` cancels these futures while iterating over the dict).
        futures = self._request_futures
        for key in [key for key, future in futures.items() if future.done()]:
            futures.pop(key, None)
        return super()._execute_handler(*args, **kwargs)

    @lsp_method(T.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: T.DidOpenTextDocumentParams):
        item = params.text_document
        try:
            self._server.docs.open(item.uri, item.language_id, item.version, item.text)
        except Exception:
            self._server.log_exception("didOpen")
        if (handler := self.fm.features.get(T.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(T.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: T.DidChangeTextDocumentParams):
        server = self._server
        try:
            doc = server.docs.get(params.text_document.uri)
            if doc is not None:
                server.work.cancel_work(doc)
                doc.apply(params.content_changes, params.text_document.version, server.encoding)
        except Exception:
            server.log_exception("didChange")
        if (handler := self.fm.features.get(T.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(T.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: T.DidCloseTextDocumentParams):
        if (handler := self.fm.features.get(T.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None
        self._server.docs.close(params.text_document.uri)


class CachemountServer(LanguageServer):
    def __init__(self):
        super().__init__(NAME, __version__, text_document_sync_kind=T.TextDocumentSyncKind.Incremental,
                         protocol_cls=CachemountProtocol)
        self.docs = Documents()
        self.encoding = DEFAULT
        self.settings = SettingsStore(lambda message: self.log(message, T.MessageType.Warning), show=lambda message:
                                      self.window_show_message(T.ShowMessageParams(T.MessageType.Warning, message)))
        self.settling = configuration.Settling()   # configuration requests in flight
        self.work = Scheduler(self)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._noted: dict[str, set[str]] = {}
        self.tcp = False

    # logging: window/logMessage (never popups), and stderr via `logging`
    def log(self, message: str, kind: T.MessageType = T.MessageType.Info) -> None:
        try:
            self.window_log_message(T.LogMessageParams(type=kind, message=message))
        except Exception:
            logger.warning("%s", message)

    def log_exception(self, where: str) -> None:
        text = traceback.format_exc()
        logger.error("%s failed:\n%s", where, text)
        self.log(f"cachemount: {where} failed (the request gets an empty result):\n{text}", T.MessageType.Error)

    def report_server_error(self, error: Exception, source) -> None:
        logger.error("server error (%s): %s", getattr(source, "__name__", source), error)
        try:
            self.log(f"cachemount: internal error: {error}", T.MessageType.Error)
        except Exception:
            pass

    def log_from_thread(self, message: str) -> None:
        """An error met off the event loop (the stdin reader): stderr, and the client's log."""
        logger.error("%s", message)
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.log, message, T.MessageType.Error)

    def note_once(self, uri: str, note: str | None, error: str | None = None) -> None:
        """Log a note or an error once per open document, at most MAX_NOTES of them. Notes are
        told apart without their numbers: a cut note names the size, which changes on every keystroke."""
        noted = self._noted.setdefault(uri, set())
        if note and (key := _NUMBERS.sub("#", note)) not in noted and len(noted) < MAX_NOTES:
            noted.add(key)
            self.log(f"cachemount: {uri}: {note}", T.MessageType.Info)
        if error and error not in noted and len(noted) < MAX_NOTES:
            noted.add(error)
            self.log(f"cachemount: {uri}: analysis failed, no diagnostics:\n{error}", T.MessageType.Error)

    def forget(self, uri: str) -> None:
        """Drop what the server keeps for a closed document."""
        self.work.forget(uri)
        self._noted.pop(uri, None)

    def publish_diagnostics(self, uri: str, diagnostics: list[T.Diagnostic], version: int | None = None) -> None:
        self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics,
                                                                         version=version))

    # what the client supports
    def client_supports(self, path: str, default: Any = None) -> Any:
        caps = getattr(self.protocol, "client_capabilities", None)
        return capability(caps, path, default) if caps is not None else default

    def refresh_code_lenses(self) -> None:
        """Ask the client to request code lenses again (settings changed), when it can be asked."""
        if self.client_supports("workspace.code_lens.refresh_support", False):
            self.workspace_code_lens_refresh(None)

    def tag_support(self) -> list[int] | None:
        tags = self.client_supports("text_document.publish_diagnostics.tag_support.value_set")
        return list(tags) if tags else None

    def resolves_edits(self) -> bool:
        """The client resolves code actions' edits (fix-all's edit is computed on resolve)."""
        return "edit" in self.client_supports("text_document.code_action.resolve_support.properties", [])

    def watch_registrations(self) -> list[T.Registration]:
        """Dynamic registrations for settings changes (the client section, the settings files)."""
        out = []
        if self.client_supports("workspace.did_change_configuration.dynamic_registration", False):
            out.append(T.Registration(
                id="cachemount-configuration", method=T.WORKSPACE_DID_CHANGE_CONFIGURATION,
                register_options=T.DidChangeConfigurationRegistrationOptions(section=SECTION)))
        if self.client_supports("workspace.did_change_watched_files.dynamic_registration", False):
            out.append(T.Registration(
                id="cachemount-settings-files", method=T.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=T.DidChangeWatchedFilesRegistrationOptions(
                    watchers=[T.FileSystemWatcher(glob_pattern=g) for g in SETTINGS_FILES])))
        return out

    async def pull_configuration(self, folders: list[str] | None = None) -> bool:
        """Ask the client for the settings (all, or `folders`' only); True when they changed."""
        if not self.client_supports("workspace.configuration", False):
            return False
        return await configuration.pull(self.workspace_configuration_async, self.settings, self.settling,
                                        lambda message: self.log(message, T.MessageType.Warning), folders)

    # one document version
    def index(self, doc: Document) -> LineIndex:
        return analysis.line_index(doc.cache, doc.text, self.encoding)

    def version_of(self, doc: Document) -> actions.Version:
        """`doc`'s current version, what the fix jobs read (never the live document)."""
        doc_changes = bool(self.client_supports("workspace.workspace_edit.document_changes", False))
        return actions.Version(doc.uri, doc.version, doc.text, doc.cache, self.settings.for_path(doc.path),
                               self.encoding, doc_changes)

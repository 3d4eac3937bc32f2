"""`cachemount serve`: the language server (pygls, stdio or TCP).

Handlers are glue: find the document, get (or compute once per version) its analysis, call the
pure functions (`analysis.lint_analysis`, `hover.hover_at`, `completion.complete_at`,
`ignore_fix`, `fixes.apply_all`), convert code-point spans to client positions, return.

- Documents are kept by this server (`documents.py`, LSP line semantics), incrementally synced.
- Diagnostics: pushed on didOpen/didChange/didSave, cleared on didClose. Each document has at most
  one pending diagnostics task: a newer change cancels it, and a result is published only if the
  document still has the version it was computed for.
- Nothing heavy runs on the event loop, so it keeps reading and answering: analysis runs in one
  worker thread, code actions in a second, fix-all in a third (thousands of lines take seconds:
  quick fixes and diagnostics do not wait for it). A change to a document cancels its queued work,
  and its pending code-action requests are answered ContentModified at once (a job already running
  finishes unseen: Python cannot stop a thread).
- After `shutdown`, requests other than `exit` get InvalidRequest. An absurd `Content-Length` is
  refused and skipped (`stream.py`).
- Very large documents: only the first `MAX_ANALYSED_CHARS` characters are analysed (cut at an
  instruction boundary, one log message). Binary text is not analysed (like `cachemount check`).
- No handler takes the server down: an exception is logged and the request gets an empty result.
  A request whose params do not match the protocol gets a JSON-RPC InvalidParams error.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import os
import re
import sys
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import reduce
from typing import Any

from lsprotocol import types as T
from pygls.exceptions import JsonRpcContentModified, JsonRpcException, JsonRpcInvalidRequest
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from .. import __version__
from ..limits import LimitExceeded
from . import convert
from .documents import Document, Documents
from .positions import DEFAULT, LineIndex, negotiate
from .settings import SECTION, SettingsStore, section_of
from .stream import GuardedInput

logger = logging.getLogger("cachemount.lsp")

NAME = "cachemount"
FIX_ALL = "source.fixAll.cachemount"
QUICKFIX = "quickfix"
DEBOUNCE_CHANGE = 0.001      # seconds: coalesces bursts of didChange (a newer change cancels the pending task)
MAX_ANALYSED_CHARS = 500_000     # ~15,000 lines; larger documents: the first part only
BINARY_PROBE = 8192
CONFIG_WAIT = 2.0            # seconds the first diagnostics wait for workspace/configuration
_NUMBERS = re.compile(r"\d[\d,]*")
MAX_NOTES = 20               # distinct messages logged per document (then silence until it is closed)


# -- engine access (imported once, on first use or by the preload thread) ---------------------------

class _Engine:
    def __init__(self):
        from .. import lint as analysis
        from ..editor import completion
        from ..semantics import pipeline as engine
        from ..editor import hover
        from ..fixing import suppress as ignore_fix
        from ..editor import incremental
        self.analysis = analysis
        self.incremental = incremental
        self.engine = engine
        self.hover = hover
        self.completion = completion
        self.ignore_fix = ignore_fix


_ENGINE: _Engine | None = None
_ENGINE_LOCK = threading.Lock()


def engine() -> _Engine:
    global _ENGINE
    if _ENGINE is None:
        with _ENGINE_LOCK:
            if _ENGINE is None:
                _ENGINE = _Engine()
    return _ENGINE


_WARM_UP = "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install x && npm ci\n"


def _preload() -> None:
    """Import the engine and run it once on a tiny file (parsers, tables), off the event loop,
    once the client has the initialize result, so the first didOpen does not pay for it."""
    try:
        eng = engine()
        eng.analysis.lint(_WARM_UP)
    except Exception:  # reported when a handler needs it
        logger.debug("preload failed", exc_info=True)


def start_preload() -> None:
    threading.Thread(target=_preload, name="cachemount-preload", daemon=True).start()


# -- what one document version needs ---------------------------------------------------------------

@dataclass
class Prepared:
    text: str                  # the text analysed ('' when not analysed)
    analysis: Any              # engine.Analysis or None
    note: str | None = None    # why the text was cut or skipped (logged once per document)
    error: str | None = None   # a traceback when the analysis failed


def cut_text(text: str, limit: int = MAX_ANALYSED_CHARS) -> str:
    """`text`, or its first part up to an instruction boundary near `limit` characters."""
    if len(text) <= limit:
        return text
    newline = text.rfind("\n", 0, limit)
    probe = newline
    for _ in range(5000):
        if probe < 0:
            break
        nxt = probe + 1
        first = text[nxt:nxt + 1]
        prev_start = text.rfind("\n", 0, probe) + 1
        prev = text[prev_start:probe].rstrip(" \t\r")
        if first and first not in " \t#\r\n" and not prev.endswith(("\\", "`")):
            return text[:nxt]
        probe = text.rfind("\n", 0, probe)
    return text[:newline + 1] if newline >= 0 else text[:limit]


def prepare(text: str, limit: int = MAX_ANALYSED_CHARS) -> Prepared:
    """Analyse `text` (pure, any thread)."""
    if "\x00" in text[:BINARY_PROBE]:
        return Prepared("", None, "binary content (NUL bytes), not analysed")
    analysed = cut_text(text, limit)
    note = None
    if len(analysed) < len(text):
        lines = analysed.count("\n")
        note = (f"{len(text):,} characters; only the first {len(analysed):,} ({lines:,} lines) are analysed")
    try:
        analysis = engine().engine.analyze(analysed)
    except LimitExceeded as exc:   # pathological input: one line, not a traceback
        return Prepared("", None, f"not analysed: {exc}")
    except Exception:
        return Prepared("", None, note, traceback.format_exc())
    return Prepared(analysed, analysis, note)


def _cap(obj: Any, path: str, default: Any = None) -> Any:
    try:
        value = reduce(getattr, path.split("."), obj)
    except AttributeError:
        return default
    return default if value is None else value


def _kind_value(kind: Any) -> str:
    return str(getattr(kind, "value", kind))


# -- protocol: own document store, InvalidParams for malformed requests ----------------------------

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
                server.cancel_work(doc)
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


# -- the server ------------------------------------------------------------------------------------

class CachemountServer(LanguageServer):
    def __init__(self):
        super().__init__(NAME, __version__, text_document_sync_kind=T.TextDocumentSyncKind.Incremental,
                         protocol_cls=CachemountProtocol)
        self.docs = Documents()
        self.encoding = DEFAULT
        self.settings = SettingsStore(lambda message: self.log(message, T.MessageType.Warning))
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cachemount-analysis")
        self.actions = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cachemount-actions")
        self.fix_all = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cachemount-fix-all")
        self.pending: dict[str, asyncio.Task] = {}
        self.jobs: dict[str, set[asyncio.Future]] = {}   # uri -> code-action jobs a change cancels
        self.linters: dict[str, Any] = {}   # uri -> incremental.IncrementalLinter (analysis thread only)
        self.config_ready: asyncio.Event | None = None
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
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self.linters.pop(uri, None)
        self._noted.pop(uri, None)
        for job in self.jobs.pop(uri, ()):
            job.cancel()

    def cancel_work(self, doc: Document) -> None:
        """A new version of `doc` is coming: its queued analysis (if not started) and its pending
        code-action jobs are pointless now."""
        prepared = doc.cache.get("future")
        if prepared is not None:
            prepared.cancel()
        for job in self.jobs.pop(doc.uri, ()):
            job.cancel()

    async def off_loop(self, uri: str, fn, executor: ThreadPoolExecutor | None = None):
        """`fn()` in the actions thread (or `executor`). A change to `uri` cancels it: a queued job
        never runs, and the request gets ContentModified now rather than a result for a text that
        is gone."""
        source = (executor or self.actions).submit(fn)
        future = asyncio.wrap_future(source)
        jobs = self.jobs.setdefault(uri, set())
        jobs.add(future)
        try:
            return await future
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if future.cancelled() and task is not None and not task.cancelling():
                raise JsonRpcContentModified(f"{uri} changed; request cancelled") from None
            raise
        finally:
            jobs.discard(future)
            if not jobs and self.jobs.get(uri) is jobs:
                del self.jobs[uri]

    def client_supports(self, path: str, default: Any = None) -> Any:
        caps = getattr(self.protocol, "client_capabilities", None)
        return _cap(caps, path, default) if caps is not None else default

    # per-version results
    async def prepared(self, doc: Document) -> Prepared:
        cache = doc.cache
        got = cache.get("prepared")
        if got is not None:
            return got
        future = cache.get("future")
        if future is None:
            loop = asyncio.get_running_loop()
            text = doc.text

            encoding = self.encoding

            def job() -> Prepared:
                result = prepare(text)
                _index(cache, text, encoding)     # hover and completion need it: not on the loop
                cache["prepared"] = result
                return result

            future = cache["future"] = asyncio.wrap_future(self.executor.submit(job), loop=loop)
        try:
            result = await asyncio.shield(future)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if future.cancelled() and task is not None and not task.cancelling():
                raise JsonRpcContentModified(f"{doc.uri} changed; request cancelled") from None
            raise
        self.note_once(doc.uri, result.note, result.error)
        return result

    def index(self, doc: Document) -> LineIndex:
        return _index(doc.cache, doc.text, self.encoding)

    def tag_support(self) -> list[int] | None:
        tags = self.client_supports("text_document.publish_diagnostics.tag_support.value_set")
        return list(tags) if tags else None

    # diagnostics
    def schedule(self, uri: str, delay: float = 0.0) -> None:
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()
        task = asyncio.ensure_future(self._diagnose(uri, delay))
        self.pending[uri] = task
        task.add_done_callback(functools.partial(self._forget, uri))

    def _forget(self, uri: str, task: asyncio.Task) -> None:
        if self.pending.get(uri) is task:
            del self.pending[uri]
        if not task.cancelled() and task.exception() is not None:
            try:
                raise task.exception()  # type: ignore[misc]
            except Exception:
                self.log_exception("diagnostics")

    async def _diagnose(self, uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        if self.config_ready is not None and not self.config_ready.is_set():
            try:
                await asyncio.wait_for(self.config_ready.wait(), CONFIG_WAIT)
            except asyncio.TimeoutError:
                pass
        doc = self.docs.get(uri)
        if doc is None:
            return
        version = doc.version
        settings = self.settings.for_path(doc.path)
        loop = asyncio.get_running_loop()
        cache = doc.cache
        encoding = self.encoding
        tags = self.tag_support()
        text = doc.text
        linters = self.linters

        note = None
        if "\x00" in text[:BINARY_PROBE]:
            note = "binary content (NUL bytes), not analysed"
        elif len(text) > MAX_ANALYSED_CHARS:
            note = f"{len(text):,} characters; only the first part is analysed"

        def job() -> tuple[list[T.Diagnostic], str | None, str | None]:
            # Diagnostics come from the incremental linter (stages an edit cannot change keep their
            # findings); hover, completion and code actions build the full analysis on demand.
            key = ("findings", settings)
            found = cache.get(key)
            if found is None:
                if "\x00" in text[:BINARY_PROBE]:
                    found = []
                else:
                    try:
                        linter = linters.get(uri)
                        if linter is None:
                            linter = linters[uri] = engine().incremental.IncrementalLinter()
                        found = linter.lint(cut_text(text), settings)
                    except LimitExceeded as exc:
                        linters.pop(uri, None)
                        return [], None, f"not analysed: {exc}"
                    except Exception:
                        linters.pop(uri, None)
                        return [], traceback.format_exc(), None   # clear stale diagnostics rather than keep them
                cache[key] = found
            index = cache.get(("index", encoding))
            if index is None:
                index = cache[("index", encoding)] = LineIndex(text, encoding)
            return [convert.diagnostic(f, index, tags) for f in found], None, None

        diagnostics, error, limit = await loop.run_in_executor(self.executor, job)
        if error or note or limit:
            self.note_once(uri, limit or note, error)
        if self.docs.get(uri) is not doc or doc.version != version:
            return
        self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics,
                                                                         version=version))

    def relint_all(self) -> None:
        for doc in self.docs:
            self.schedule(doc.uri)

    # configuration
    async def pull_configuration(self) -> None:
        if not self.client_supports("workspace.configuration", False):
            return
        try:
            result = await asyncio.wait_for(self.workspace_configuration_async(
                T.ConfigurationParams(items=[T.ConfigurationItem(section=SECTION)])), CONFIG_WAIT)
        except Exception as exc:
            self.log(f"cachemount: workspace/configuration failed ({exc}); keeping the current settings",
                     T.MessageType.Warning)
            return
        value = result[0] if isinstance(result, (list, tuple)) and result else None
        self.settings.set_client(value)


# -- handlers --------------------------------------------------------------------------------------

def _guard(default=None):
    """A handler that raises logs the exception and answers `default` (a fresh copy)."""
    def deco(fn):
        if asyncio.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def wrapper(ls, params):
                try:
                    return await fn(ls, params)
                except (asyncio.CancelledError, JsonRpcContentModified):
                    raise
                except Exception:
                    ls.log_exception(fn.__name__)
                    return default() if callable(default) else default
        else:
            @functools.wraps(fn)
            def wrapper(ls, params):
                try:
                    return fn(ls, params)
                except Exception:
                    ls.log_exception(fn.__name__)
                    return default() if callable(default) else default
        return wrapper
    return deco


def build_server() -> CachemountServer:
    server = CachemountServer()

    @server.feature(T.INITIALIZE)
    @_guard()
    def initialize(ls: CachemountServer, params: T.InitializeParams):
        ls.loop = asyncio.get_running_loop()
        ls.encoding = negotiate(_cap(params.capabilities, "general.position_encodings"))
        ls.settings.set_init_options(params.initialization_options)
        ls.config_ready = asyncio.Event()
        if not ls.client_supports("workspace.configuration", False):
            ls.config_ready.set()

    @server.feature(T.INITIALIZED)
    @_guard()
    async def initialized(ls: CachemountServer, params: T.InitializedParams):
        # The client has the initialize result by now: warm the engine without competing with it.
        start_preload()
        registrations = []
        if ls.client_supports("workspace.did_change_configuration.dynamic_registration", False):
            registrations.append(T.Registration(
                id="cachemount-configuration", method=T.WORKSPACE_DID_CHANGE_CONFIGURATION,
                register_options=T.DidChangeConfigurationRegistrationOptions(section=SECTION)))
        if ls.client_supports("workspace.did_change_watched_files.dynamic_registration", False):
            registrations.append(T.Registration(
                id="cachemount-settings-files", method=T.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=T.DidChangeWatchedFilesRegistrationOptions(watchers=[
                    T.FileSystemWatcher(glob_pattern="**/.cachemount.toml"),
                    T.FileSystemWatcher(glob_pattern="**/pyproject.toml")])))
        if registrations:
            ls.client_register_capability(T.RegistrationParams(registrations=registrations))
        try:
            await ls.pull_configuration()
        finally:
            if ls.config_ready is not None:
                ls.config_ready.set()

    @server.feature(T.WORKSPACE_DID_CHANGE_CONFIGURATION)
    @_guard()
    async def did_change_configuration(ls: CachemountServer, params: T.DidChangeConfigurationParams):
        if ls.client_supports("workspace.configuration", False):
            await ls.pull_configuration()
        else:
            pushed = section_of(params.settings) if isinstance(params.settings, dict) else None
            ls.settings.set_client(pushed)
        ls.relint_all()

    @server.feature(T.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @_guard()
    def did_change_watched_files(ls: CachemountServer, params: T.DidChangeWatchedFilesParams):
        ls.relint_all()   # a settings file changed: every open Dockerfile may change

    @server.feature(T.TEXT_DOCUMENT_DID_OPEN)
    @_guard()
    def did_open(ls: CachemountServer, params: T.DidOpenTextDocumentParams):
        if ls.docs.get(params.text_document.uri) is not None:
            ls.schedule(params.text_document.uri)

    @server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
    @_guard()
    def did_change(ls: CachemountServer, params: T.DidChangeTextDocumentParams):
        if ls.docs.get(params.text_document.uri) is not None:
            ls.schedule(params.text_document.uri, DEBOUNCE_CHANGE)

    @server.feature(T.TEXT_DOCUMENT_DID_SAVE, T.SaveOptions(include_text=False))
    @_guard()
    def did_save(ls: CachemountServer, params: T.DidSaveTextDocumentParams):
        uri = params.text_document.uri
        if ls.docs.get(uri) is not None:
            ls.schedule(uri)
        elif uri.endswith(("/.cachemount.toml", "/pyproject.toml")):
            ls.relint_all()   # settings files: every open Dockerfile may change

    @server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
    @_guard()
    def did_close(ls: CachemountServer, params: T.DidCloseTextDocumentParams):
        uri = params.text_document.uri
        ls.forget(uri)
        if ls.docs.get(uri) is not None:
            ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(T.TEXT_DOCUMENT_HOVER)
    @_guard()
    async def hover(ls: CachemountServer, params: T.HoverParams):
        doc = ls.docs.get(params.text_document.uri)
        if doc is None:
            return None
        version = doc.version
        prepared = await ls.prepared(doc)
        if prepared.analysis is None or doc.version != version:
            return None
        index = ls.index(doc)
        offset = index.offset(params.position.line, params.position.character)
        if offset > len(prepared.text):
            return None
        settings = ls.settings.for_path(doc.path)
        result = engine().hover.hover_at(prepared.text, offset, settings, analysis=prepared.analysis)
        if result is None:
            return None
        formats = [_kind_value(k) for k in ls.client_supports("text_document.hover.content_format", [])]
        markdown = T.MarkupKind.Markdown.value in formats and (
            T.MarkupKind.PlainText.value not in formats
            or formats.index(T.MarkupKind.Markdown.value) < formats.index(T.MarkupKind.PlainText.value))
        content = T.MarkupContent(kind=T.MarkupKind.Markdown if markdown else T.MarkupKind.PlainText,
                                  value=result.markdown if markdown else result.plain)
        return T.Hover(contents=content, range=convert.to_range(index, result.start, result.end))

    @server.feature(T.TEXT_DOCUMENT_COMPLETION,
                    T.CompletionOptions(trigger_characters=["=", ",", "-"], resolve_provider=False))
    @_guard(lambda: T.CompletionList(is_incomplete=False, items=[]))
    async def completion(ls: CachemountServer, params: T.CompletionParams):
        empty = T.CompletionList(is_incomplete=False, items=[])
        doc = ls.docs.get(params.text_document.uri)
        if doc is None:
            return empty
        version = doc.version
        prepared = await ls.prepared(doc)
        if prepared.analysis is None or doc.version != version:
            return empty
        index = ls.index(doc)
        offset = index.offset(params.position.line, params.position.character)
        if offset > len(prepared.text):
            return empty
        results = engine().completion.complete_at(prepared.text, offset, analysis=prepared.analysis)
        snippets = ls.client_supports("text_document.completion.completion_item.snippet_support", False)
        doc_formats = [_kind_value(k) for k in
                       ls.client_supports("text_document.completion.completion_item.documentation_format", [])]
        markdown_docs = T.MarkupKind.Markdown.value in doc_formats
        hover_mod = engine().hover
        items = []
        for r in results:
            use_snippet = bool(snippets and r.snippet)
            documentation: Any = None
            if r.documentation:
                documentation = (T.MarkupContent(kind=T.MarkupKind.Markdown, value=r.documentation) if markdown_docs
                                 else hover_mod.to_plain(r.documentation))
            items.append(T.CompletionItem(
                label=r.label,
                kind=_COMPLETION_KINDS.get(r.kind, T.CompletionItemKind.Text),
                detail=r.detail or None,
                documentation=documentation,
                sort_text=r.sort_text,
                filter_text=r.filter_text,
                preselect=r.preselect or None,
                insert_text_format=T.InsertTextFormat.Snippet if use_snippet else T.InsertTextFormat.PlainText,
                text_edit=T.TextEdit(range=convert.to_range(index, r.start, r.end),
                                     new_text=r.snippet if use_snippet else r.insert_text),
            ))
        return T.CompletionList(is_incomplete=False, items=items)

    @server.feature(T.TEXT_DOCUMENT_CODE_ACTION, T.CodeActionOptions(
        code_action_kinds=[T.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=True))
    @_guard(list)
    async def code_action(ls: CachemountServer, params: T.CodeActionParams):
        doc = ls.docs.get(params.text_document.uri)
        if doc is None:
            return []
        version = doc.version
        prepared = await ls.prepared(doc)
        if prepared.analysis is None or doc.version != version:
            return []
        # what the job needs, read on the loop; the job itself only reads this version's snapshot
        request = _ActionRequest(
            uri=doc.uri, version=version, text=doc.text, cache=doc.cache, prepared=prepared,
            settings=ls.settings.for_path(doc.path), encoding=ls.encoding, range=params.range,
            only=[_kind_value(k) for k in (params.context.only or [])],
            doc_changes=bool(ls.client_supports("workspace.workspace_edit.document_changes", False)),
            tags=ls.tag_support(),
            resolve_edit="edit" in ls.client_supports("text_document.code_action.resolve_support.properties", []))
        actions, fix_all = await ls.off_loop(doc.uri, functools.partial(_code_actions, request))
        if fix_all is not None and not request.resolve_edit:
            # no resolve support: the edit now, in its own thread
            fix_all.edit = await ls.off_loop(doc.uri, functools.partial(
                _fix_all_edit, doc.uri, version, request.text, request.cache, request.settings, request.encoding,
                request.doc_changes), ls.fix_all)
            if fix_all.edit is None:
                fix_all = None
        return actions + [fix_all] if fix_all is not None else actions

    @server.feature(T.CODE_ACTION_RESOLVE)
    @_guard(lambda: None)
    async def code_action_resolve(ls: CachemountServer, action: T.CodeAction):
        data = action.data if isinstance(action.data, dict) else {}
        doc = ls.docs.get(str(data.get("uri", "")))
        if doc is None or action.edit is not None:
            return action
        settings = ls.settings.for_path(doc.path)
        doc_changes = bool(ls.client_supports("workspace.workspace_edit.document_changes", False))
        fix_all = functools.partial(_fix_all_edit, doc.uri, doc.version, doc.text, doc.cache, settings,
                                    ls.encoding, doc_changes)
        action.edit = await ls.off_loop(doc.uri, fix_all, ls.fix_all) or T.WorkspaceEdit(changes={})
        return action

    @server.feature(T.EXIT)
    def exit_(ls: CachemountServer, params):
        if ls.tcp:
            # pygls' TCP loop cannot be left from a handler (SystemExit in a stream callback):
            # one client per process, so end the process here.
            os._exit(0 if ls.protocol._shutdown else 1)

    @server.feature(T.SHUTDOWN)
    def shutdown(ls: CachemountServer, params):
        for task in list(ls.pending.values()):
            task.cancel()
        ls.pending.clear()

    return server


_COMPLETION_KINDS = {
    "flag": T.CompletionItemKind.Keyword,
    "key": T.CompletionItemKind.Property,
    "value": T.CompletionItemKind.EnumMember,
    "path": T.CompletionItemKind.Folder,
    "snippet": T.CompletionItemKind.Snippet,
}


# -- code actions: pure functions of one document version, run in the actions thread ---------------

def _index(cache: dict, text: str, encoding: str) -> LineIndex:
    key = ("index", encoding)
    got = cache.get(key)
    if got is None:
        got = cache[key] = LineIndex(text, encoding)
    return got


def _findings(cache: dict, prepared: Prepared, settings) -> list:
    """This version's findings: the diagnostics' (incremental linter) when they are computed."""
    if prepared.analysis is None:
        return []
    key = ("findings", settings)
    got = cache.get(key)
    if got is None:
        got = cache[key] = engine().analysis.lint_analysis(prepared.analysis, settings)
    return got


@dataclass
class _ActionRequest:
    uri: str
    version: int
    text: str
    cache: dict             # the version's cache (a new version gets a new dict)
    prepared: Prepared
    settings: Any
    encoding: str
    range: T.Range
    only: list[str]
    doc_changes: bool
    tags: list[int] | None
    resolve_edit: bool      # the client resolves code actions' edits (fix-all computed on resolve)


def _code_actions(req: _ActionRequest) -> tuple[list[T.CodeAction], T.CodeAction | None]:
    """The quick fixes in the range, and the fix-all action (without its edit) when wanted."""
    prepared = req.prepared
    findings = _findings(req.cache, prepared, req.settings)
    index = _index(req.cache, req.text, req.encoding)
    start = index.offset(req.range.start.line, req.range.start.character)
    end = index.offset(req.range.end.line, req.range.end.character)
    only = req.only

    def wanted(kind: str) -> bool:
        return not only or any(kind == k or kind.startswith(k + ".") for k in only)

    def edit(edits) -> T.WorkspaceEdit:
        return convert.workspace_edit(req.uri, req.version, convert.text_edits(index, edits), req.doc_changes)

    actions: list[T.CodeAction] = []
    ignored: set[tuple[str, int]] = set()
    ignore_mod = engine().ignore_fix
    for f in findings:
        if not (f.start <= end and start <= f.end):
            continue
        diag = convert.diagnostic(f, index, req.tags)
        for fix in f.fixes:
            kind = fix.kind or QUICKFIX
            if not fix.edits or not wanted(kind):
                continue
            actions.append(T.CodeAction(title=fix.title, kind=kind, diagnostics=[diag],
                                        is_preferred=bool(fix.preferred), edit=edit(fix.edits)))
        if wanted(QUICKFIX):
            instr = ignore_mod.instruction_at(prepared.analysis.doc, f.start)
            key = (f.code, instr.start if instr is not None else -1)
            if key in ignored:
                continue
            ignored.add(key)
            fix = ignore_mod.ignore_fix(prepared.text, f.start, f.code, prepared.analysis.doc)
            if fix is not None:
                actions.append(T.CodeAction(title=fix.title, kind=T.CodeActionKind.QuickFix, diagnostics=[diag],
                                            is_preferred=False, edit=edit(fix.edits)))
    fix_all = None
    if wanted(FIX_ALL) and (only or actions) and any(f.fixes for f in findings):
        fix_all = T.CodeAction(title="Fix all cachemount findings", kind=FIX_ALL,
                               data={"uri": req.uri, "version": req.version})
    return actions, fix_all


def _fix_all_edit(uri: str, version: int, text: str, cache: dict, settings, encoding: str,
                  doc_changes: bool) -> T.WorkspaceEdit | None:
    """Every fix, as minimal line-granular edits against this version (None: nothing to fix)."""
    if len(text) > MAX_ANALYSED_CHARS or "\x00" in text[:BINARY_PROBE]:
        return None
    key = ("fix-all", settings)       # fix-on-save and the menu ask for the same version: once
    if (got := cache.get(key)) is None:
        got = cache[key] = engine().analysis.apply_all(text, settings)
    new_text, count = got
    if not count or new_text == text:
        return None
    edits = convert.text_edits(_index(cache, text, encoding), convert.line_diff(text, new_text))
    return convert.workspace_edit(uri, version, edits, doc_changes)


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
        server.start_io(stdin=GuardedInput(sys.stdin.buffer, server.log_from_thread))
    status = 0 if server.protocol._shutdown else 1
    server.executor.shutdown(wait=False, cancel_futures=True)
    server.actions.shutdown(wait=False, cancel_futures=True)
    server.fix_all.shutdown(wait=False, cancel_futures=True)
    if not tcp:
        # the stdin reader thread may still block on a pipe the client keeps open: do not wait for it
        try:
            sys.stdout.flush()
        except Exception:
            pass
        os._exit(status)
    return status

"""The LSP handlers: glue of a few lines each. Find the document, get (or compute once per version)
its analysis, call the pure functions (`lint.lint_analysis`, `editor.hover.hover_at`,
`editor.completion.complete_at`, `fixing.suppress`, `lint.apply_all`) and convert the result
(`convert.py`). Registered with their options in `server.py`.

No handler takes the server down: an exception is logged and the request gets an empty result
(`guarded`). ContentModified (the document changed under a request) and cancellation pass through."""
from __future__ import annotations

import asyncio
import functools
import os
from typing import Any, Callable

from lsprotocol import types as T
from pygls.exceptions import JsonRpcContentModified

from . import actions, configuration, convert
from .analysis import Prepared
from .documents import Document
from .engine import engine, start_preload
from .language_server import CachemountServer, capability
from .positions import LineIndex, negotiate
from .scheduler import DEBOUNCE_CHANGE
from .settings import section_of


def guarded(default: Callable[[], Any] | None = None):
    """A handler that raises logs the exception and answers `default()` (None without one)."""
    def answer():
        return default() if default is not None else None

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
                    return answer()
        else:
            @functools.wraps(fn)
            def wrapper(ls, params):
                try:
                    return fn(ls, params)
                except Exception:
                    ls.log_exception(fn.__name__)
                    return answer()
        return wrapper
    return deco


# -- lifecycle and workspace ------------------------------------------------------------------------

@guarded()
def initialize(ls: CachemountServer, params: T.InitializeParams):
    ls.loop = asyncio.get_running_loop()
    ls.encoding = negotiate(capability(params.capabilities, "general.position_encodings"))
    ls.settings.set_init_options(params.initialization_options)
    ls.settings.add_folders(configuration.folders_of(params))
    if ls.client_supports("workspace.configuration", False):
        ls.settling.begin()   # the first diagnostics wait for the settings pulled once initialized


@guarded()
async def initialized(ls: CachemountServer, params: T.InitializedParams):
    start_preload()   # the client has the initialize result by now: warm the engine without competing with it
    try:
        if registrations := ls.watch_registrations():
            ls.client_register_capability(T.RegistrationParams(registrations=registrations))
        await ls.pull_configuration()
    finally:
        ls.settling.end()   # the wait begun at initialize


@guarded()
async def did_change_configuration(ls: CachemountServer, params: T.DidChangeConfigurationParams):
    if ls.client_supports("workspace.configuration", False):
        await ls.pull_configuration()
    else:
        ls.settings.set_client(section_of(params.settings) if isinstance(params.settings, dict) else None)
    ls.work.relint_all()
    ls.refresh_code_lenses()   # `codeLens` may have been turned on or off


@guarded()
async def did_change_workspace_folders(ls: CachemountServer, params: T.DidChangeWorkspaceFoldersParams):
    ls.settings.remove_folders(f.uri for f in params.event.removed)
    ls.settings.add_folders(f.uri for f in params.event.added)
    if params.event.added:
        await ls.pull_configuration([f.uri for f in params.event.added])
    ls.work.relint_all()


@guarded()
def did_change_watched_files(ls: CachemountServer, params: T.DidChangeWatchedFilesParams):
    ls.work.relint_all()   # a settings file changed: every open Dockerfile may change
    ls.refresh_code_lenses()


def shutdown(ls: CachemountServer, params):
    ls.work.cancel_diagnostics()


def exit_(ls: CachemountServer, params):
    if ls.tcp:
        # pygls' TCP loop cannot be left from a handler (SystemExit in a stream callback):
        # one client per process, so end the process here.
        os._exit(0 if ls.protocol._shutdown else 1)


# -- document sync (the text itself is kept by `CachemountProtocol`) --------------------------------

@guarded()
def did_open(ls: CachemountServer, params: T.DidOpenTextDocumentParams):
    if ls.docs.get(params.text_document.uri) is not None:
        ls.work.schedule(params.text_document.uri)


@guarded()
def did_change(ls: CachemountServer, params: T.DidChangeTextDocumentParams):
    if ls.docs.get(params.text_document.uri) is not None:
        ls.work.schedule(params.text_document.uri, DEBOUNCE_CHANGE)


@guarded()
def did_save(ls: CachemountServer, params: T.DidSaveTextDocumentParams):
    uri = params.text_document.uri
    if ls.docs.get(uri) is not None:
        ls.work.schedule(uri)
    elif uri.endswith(("/.cachemount.toml", "/pyproject.toml")):
        ls.work.relint_all()   # settings files: every open Dockerfile may change


@guarded()
def did_close(ls: CachemountServer, params: T.DidCloseTextDocumentParams):
    uri = params.text_document.uri
    ls.forget(uri)
    if ls.docs.get(uri) is not None:
        ls.publish_diagnostics(uri, [])


# -- features ---------------------------------------------------------------------------------------

async def _analysed(ls: CachemountServer, uri: str) -> tuple[Document, Prepared] | None:
    """The document and the analysis of its current version (None: no document, no analysis, or
    a newer version arrived meanwhile)."""
    doc = ls.docs.get(uri)
    if doc is None:
        return None
    version = doc.version
    prepared = await ls.work.prepared(doc)
    return (doc, prepared) if prepared.analysis is not None and doc.version == version else None


async def _analysed_at(ls: CachemountServer, uri: str, position: T.Position
                       ) -> tuple[Document, Prepared, LineIndex, int] | None:
    """Also the line index and the code-point offset of `position` (None beyond the analysed text)."""
    if (got := await _analysed(ls, uri)) is None:
        return None
    doc, prepared = got
    index = ls.index(doc)
    offset = index.offset(position.line, position.character)
    return (doc, prepared, index, offset) if offset <= len(prepared.text) else None


@guarded()
async def hover(ls: CachemountServer, params: T.HoverParams):
    if (at := await _analysed_at(ls, params.text_document.uri, params.position)) is None:
        return None
    doc, prepared, index, offset = at
    result = engine().hover.hover_at(prepared.text, offset, ls.settings.for_path(doc.path), analysis=prepared.analysis)
    markdown = convert.prefers_markdown(ls.client_supports("text_document.hover.content_format", []))
    return convert.hover(result, index, markdown) if result is not None else None


@guarded(convert.empty_completion)
async def completion(ls: CachemountServer, params: T.CompletionParams):
    if (at := await _analysed_at(ls, params.text_document.uri, params.position)) is None:
        return convert.empty_completion()
    _, prepared, index, offset = at
    results = engine().completion.complete_at(prepared.text, offset, analysis=prepared.analysis)
    item = "text_document.completion.completion_item"
    snippets = bool(ls.client_supports(f"{item}.snippet_support", False))
    doc_formats = ls.client_supports(f"{item}.documentation_format", [])
    markdown_docs = T.MarkupKind.Markdown.value in map(convert.kind_value, doc_formats)
    return convert.completion_list(results, index, snippets, markdown_docs, engine().hover.to_plain)


@guarded(list)
async def code_lens(ls: CachemountServer, params: T.CodeLensParams):
    """Above each install step that re-runs on any build-context change; only with `codeLens` on."""
    if (got := await _analysed(ls, params.text_document.uri)) is None:
        return []
    doc, prepared = got
    if not ls.settings.for_path(doc.path).code_lens:
        return []
    return convert.code_lenses(engine().rerun.code_lenses(prepared.analysis), ls.index(doc))


@guarded(list)
async def code_action(ls: CachemountServer, params: T.CodeActionParams):
    if (got := await _analysed(ls, params.text_document.uri)) is None:
        return []
    doc, prepared = got
    target = ls.version_of(doc)   # what the jobs read: this version's snapshot
    only = [convert.kind_value(k) for k in params.context.only or []]
    request = actions.Request(target, prepared, params.range, only, ls.tag_support(), ls.resolves_edits())
    quick, fix_all = await ls.work.off_loop(doc.uri, functools.partial(actions.code_actions, request))
    # The edit now, in its own thread, for clients that cannot resolve it, and when fix-all itself is
    # asked for (on save): one round trip, so nothing is left to resolve when the save goes ahead.
    if fix_all and (not request.resolve_edit or convert.asks_for_fix_all(only)):
        edit = await ls.work.off_loop(doc.uri, functools.partial(actions.fix_all_edit, target), ls.work.fix_all)
        fix_all = actions.with_fix_all_edit(fix_all, edit)
    return quick + fix_all


@guarded()
async def code_action_resolve(ls: CachemountServer, action: T.CodeAction):
    data = action.data if isinstance(action.data, dict) else {}
    doc = ls.docs.get(str(data.get("uri", "")))
    if doc is None or action.edit is not None:
        return action
    await ls.work.prepared(doc)   # this version's build context, which fix-all reads
    edit = await ls.work.off_loop(doc.uri, functools.partial(actions.fix_all_edit, ls.version_of(doc)), ls.work.fix_all)
    action.edit = edit or convert.empty_workspace_edit()
    return action

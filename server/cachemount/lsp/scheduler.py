"""Work off the event loop, so it keeps reading and answering while documents are analysed.

- Analysis (and diagnostics) runs in one worker thread, code actions in a second, fix-all in a third
  (thousands of lines take seconds: quick fixes and diagnostics do not wait for it).
- Diagnostics: each document has at most one pending diagnostics task; a newer change cancels it
  (bursts of didChange are coalesced, `DEBOUNCE_CHANGE`), and a result is published only if the
  document still has the version it was computed for.
- A change to a document cancels its queued work, and its pending code-action requests are answered
  ContentModified at once (a job already running finishes unseen: Python cannot stop a thread)."""
from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from lsprotocol import types as T
from pygls.exceptions import JsonRpcContentModified

from . import analysis, convert
from .configuration import Settling
from .documents import Document, Documents, uri_to_path
from .settings import SettingsStore

DEBOUNCE_CHANGE = 0.001      # seconds: coalesces bursts of didChange (a newer change cancels the pending task)


def _content_modified(future: asyncio.Future, uri: str) -> None:
    """Our job was cancelled by a change to `uri` (not the request by the client): ContentModified."""
    task = asyncio.current_task()
    # Task.cancelling() is Python 3.11+; on 3.10 a cancelled job is always ours to report
    cancelling = getattr(task, "cancelling", None)
    if future.cancelled() and task is not None and not (cancelling is not None and cancelling()):
        raise JsonRpcContentModified(f"{uri} changed; request cancelled") from None


class Host(Protocol):
    """What the scheduler needs of the server (`language_server.CachemountServer`)."""
    docs: Documents
    settings: SettingsStore
    settling: Settling
    encoding: str

    def tag_support(self) -> list[int] | None: ...
    def note_once(self, uri: str, note: str | None, error: str | None = None) -> None: ...
    def log_exception(self, where: str) -> None: ...
    def publish_diagnostics(self, uri: str, diagnostics: list[T.Diagnostic], version: int | None = None) -> None: ...


class Scheduler:
    def __init__(self, server: Host):
        self.server = server
        self.analysis = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cachemount-analysis")
        self.actions = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cachemount-actions")
        self.fix_all = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cachemount-fix-all")
        self.pending: dict[str, asyncio.Task] = {}        # uri -> its diagnostics task
        self.jobs: dict[str, set[asyncio.Future]] = {}    # uri -> code-action jobs a change cancels
        self.linters: dict[str, Any] = {}   # uri -> incremental.IncrementalLinter (analysis thread only)

    def close(self) -> None:
        for pool in (self.analysis, self.actions, self.fix_all):
            pool.shutdown(wait=False, cancel_futures=True)

    def cancel_diagnostics(self) -> None:
        for task in list(self.pending.values()):
            task.cancel()
        self.pending.clear()

    def forget(self, uri: str) -> None:
        """Drop what is kept for a closed document."""
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self.linters.pop(uri, None)
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
        future = asyncio.wrap_future((executor or self.actions).submit(fn))
        jobs = self.jobs.setdefault(uri, set())
        jobs.add(future)
        try:
            return await future
        except asyncio.CancelledError:
            _content_modified(future, uri)
            raise
        finally:
            jobs.discard(future)
            if not jobs and self.jobs.get(uri) is jobs:
                del self.jobs[uri]

    async def prepared(self, doc: Document) -> analysis.Prepared:
        """The full analysis of `doc`'s current version, computed once in the analysis thread."""
        cache = doc.cache
        got = cache.get("prepared")
        if got is not None:
            return got
        future = cache.get("future")
        if future is None:
            text, encoding, path = doc.text, self.server.encoding, doc.path
            setting = self.server.settings.for_path(path).build_context
            folder_uri = self.server.settings.folder_of(path)
            folder = uri_to_path(folder_uri) if folder_uri else None

            def job() -> analysis.Prepared:
                # the build context (read from disk: off the loop) is fixed for this version
                context, context_note = analysis.build_context_for(path, setting, folder)
                cache["build-context"] = context
                result = analysis.prepare(text, build_context=context)
                if result.note is None and context_note:
                    result.note = context_note
                analysis.line_index(cache, text, encoding)     # hover and completion need it: not on the loop
                cache["prepared"] = result
                return result

            future = cache["future"] = asyncio.wrap_future(self.analysis.submit(job), loop=asyncio.get_running_loop())
        try:
            result = await asyncio.shield(future)
        except asyncio.CancelledError:
            _content_modified(future, doc.uri)
            raise
        self.server.note_once(doc.uri, result.note, result.error)
        return result

    # diagnostics
    def schedule(self, uri: str, delay: float = 0.0) -> None:
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()
        task = asyncio.ensure_future(self._diagnose(uri, delay))
        self.pending[uri] = task
        task.add_done_callback(functools.partial(self._done, uri))

    def relint_all(self) -> None:
        for doc in self.server.docs:
            self.schedule(doc.uri)

    def _done(self, uri: str, task: asyncio.Task) -> None:
        if self.pending.get(uri) is task:
            del self.pending[uri]
        if not task.cancelled() and task.exception() is not None:
            try:
                raise task.exception()  # type: ignore[misc]
            except Exception:
                self.server.log_exception("diagnostics")

    async def _diagnose(self, uri: str, delay: float) -> None:
        ls = self.server
        if delay:
            await asyncio.sleep(delay)
        await ls.settling.wait()
        doc = ls.docs.get(uri)
        if doc is None:
            return
        version, text, cache = doc.version, doc.text, doc.cache
        settings, encoding, tags, linters = ls.settings.for_path(doc.path), ls.encoding, ls.tag_support(), self.linters

        def job() -> tuple[list[T.Diagnostic], str | None, str | None]:
            found, error, limit = analysis.diagnosed(cache, text, settings, linters, uri)
            if error or limit:
                return [], error, limit
            return convert.diagnostics(found, analysis.line_index(cache, text, encoding), tags), None, None

        diagnostics, error, limit = await asyncio.get_running_loop().run_in_executor(self.analysis, job)
        note = analysis.size_note(text)
        if error or note or limit:
            ls.note_once(uri, limit or note, error)
        if ls.docs.get(uri) is not doc or doc.version != version:
            return
        ls.publish_diagnostics(uri, diagnostics, version)

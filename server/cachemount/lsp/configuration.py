"""Asking the client for its settings (`workspace/configuration`): the global `cachemount` section
(no `scopeUri`) and each workspace folder's (`scopeUri` = the folder), in one request.

While a request is in flight, diagnostics wait for it (at most `CONFIG_WAIT`): the first ones would
otherwise be published with the wrong settings and replaced a moment later, and so would those of a
document opened in a folder just added. A client that does not answer in time keeps the settings
the server has."""
from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Iterable

from lsprotocol import types as T

from .settings import SECTION, SettingsStore

CONFIG_WAIT = 2.0            # seconds diagnostics wait for workspace/configuration


class Settling:
    """Counts the configuration requests in flight; `wait()` returns when there are none."""

    def __init__(self) -> None:
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def begin(self) -> None:
        self._busy += 1
        self._idle.clear()

    def end(self) -> None:
        self._busy = max(0, self._busy - 1)
        if not self._busy:
            self._idle.set()

    async def wait(self, timeout: float = CONFIG_WAIT) -> None:
        if not self._idle.is_set():
            try:
                await asyncio.wait_for(self._idle.wait(), timeout)
            except asyncio.TimeoutError:
                pass


def folders_of(params: T.InitializeParams) -> list[str]:
    """The workspace folders' URIs (the root URI for a client that names no folders)."""
    if params.workspace_folders is not None:
        return [f.uri for f in params.workspace_folders]
    return [params.root_uri] if params.root_uri else []


async def pull(ask: Callable[[T.ConfigurationParams], Awaitable[Any]], store: SettingsStore, settling: Settling,
               log: Callable[[str], None], folders: Iterable[str] | None = None) -> bool:
    """Ask (`ask`: the workspace/configuration request) for the global section and every folder's
    (`folders` given: those folders' only) and keep the answers in `store`. Returns True when a
    section changed."""
    scopes: list[str | None] = [None, *store.folders] if folders is None else list(folders)
    if not scopes:
        return False
    items = [T.ConfigurationItem(scope_uri=scope, section=SECTION) for scope in scopes]
    settling.begin()
    try:
        result = await asyncio.wait_for(ask(T.ConfigurationParams(items=items)), CONFIG_WAIT)
    except Exception as exc:
        log(f"cachemount: workspace/configuration failed ({exc}); keeping the current settings")
        return False
    else:
        answers = list(result) if isinstance(result, (list, tuple)) else []
        answers += [None] * (len(scopes) - len(answers))
        return any([store.set_client(value, scope) for scope, value in zip(scopes, answers)])
    finally:
        settling.end()   # after the answers are stored: waiting diagnostics use them

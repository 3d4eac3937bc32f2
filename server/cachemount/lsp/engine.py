"""The engine (parser, semantics, rules, editor features), imported on first use.

`cachemount serve` must answer `initialize` at once: importing the engine takes a noticeable part of
a second, so it is imported by a preload thread started once the client has the initialize result
(and warmed on a tiny file: parsers, tables), or by the first handler that needs it, whichever comes
first. Modules are reached as attributes (`engine().hover.hover_at`), never bound by name, so a
module patched before serving (tests/lsp/faulty_server.py) is the one called."""
from __future__ import annotations

import logging
import threading
from types import ModuleType

logger = logging.getLogger("cachemount.lsp")


class Engine:
    lint: ModuleType          # lint, lint_analysis, apply_all
    pipeline: ModuleType      # analyze
    incremental: ModuleType   # IncrementalLinter
    hover: ModuleType         # hover_at, to_plain
    completion: ModuleType    # complete_at
    suppress: ModuleType      # the "Ignore CMxxx for this instruction" fix
    rerun: ModuleType         # code_lenses (layer-cache insight)

    def __init__(self):
        from .. import lint
        from ..editor import completion, hover, incremental, rerun
        from ..fixing import suppress
        from ..semantics import pipeline
        self.lint, self.pipeline, self.incremental = lint, pipeline, incremental
        self.hover, self.completion, self.suppress = hover, completion, suppress
        self.rerun = rerun


_ENGINE: Engine | None = None
_ENGINE_LOCK = threading.Lock()


def engine() -> Engine:
    global _ENGINE
    if _ENGINE is None:
        with _ENGINE_LOCK:
            if _ENGINE is None:
                _ENGINE = Engine()
    return _ENGINE


_WARM_UP = "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install x && npm ci\n"


def _preload() -> None:
    try:
        engine().lint.lint(_WARM_UP)
    except Exception:  # reported when a handler needs it
        logger.debug("preload failed", exc_info=True)


def start_preload() -> None:
    """Import and warm the engine off the event loop, so the first didOpen does not pay for it."""
    threading.Thread(target=_preload, name="cachemount-preload", daemon=True).start()

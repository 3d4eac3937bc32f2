"""What one document version needs, computed at most once per version (pure, any thread): the
analysis, the findings (per settings), the line index (per encoding) and the fix-all result.

Results live in the version's `Document.cache` (a new version gets a new dict), so a request for a
version already analysed costs a dictionary lookup.

Limits: only the first `MAX_ANALYSED_CHARS` characters of a very large document are analysed (cut at
an instruction boundary); text with a NUL byte near its start is binary and not analysed (like
`cachemount check`); input beyond the engine's bounds (`LimitExceeded`) gets one "not analysed"
line, never a traceback."""
from __future__ import annotations

import os
import traceback
from dataclasses import dataclass
from typing import Any

from ..findings import Finding
from ..limits import LimitExceeded
from .engine import engine
from .positions import LineIndex

MAX_ANALYSED_CHARS = 500_000     # ~15,000 lines; larger documents: the first part only
BINARY_PROBE = 8192
BINARY_NOTE = "binary content (NUL bytes), not analysed"


@dataclass
class Prepared:
    text: str                  # the text analysed ('' when not analysed)
    analysis: Any              # pipeline.Analysis or None
    note: str | None = None    # why the text was cut or skipped (logged once per document)
    error: str | None = None   # a traceback when the analysis failed


def is_binary(text: str) -> bool:
    return "\x00" in text[:BINARY_PROBE]


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


def build_context_for(path: str | None, setting: str, folder: str | None) -> tuple[Any, str | None]:
    """The build context of the document at `path` and a note when the setting cannot be used:
    the `buildContext` setting (relative to the workspace folder `folder`, else to the
    Dockerfile's directory) when set, else the one a compose/bake file names, else the Dockerfile's
    directory. An untitled document (no path): unknown (None), unless the setting is absolute."""
    from ..build_context import ContextError, discover, given
    if setting:
        value = setting.replace("${workspaceFolder}", folder or "")
        base = folder or (os.path.dirname(path) if path else None)
        if not os.path.isabs(os.path.expanduser(value)):
            if base is None:
                return None, None
            value = os.path.join(base, value)
        try:
            return given(value, path, "the buildContext setting"), None
        except ContextError as exc:
            return None, f"buildContext setting ignored, the build context is unknown: {exc}"
    return discover(path), None


def prepare(text: str, limit: int = MAX_ANALYSED_CHARS, build_context: Any = None) -> Prepared:
    """The full analysis of `text` (hover, completion and code actions need it), with the build
    context the fixes read (None: unknown)."""
    if is_binary(text):
        return Prepared("", None, BINARY_NOTE)
    analysed = cut_text(text, limit)
    note = None
    if len(analysed) < len(text):
        lines = analysed.count("\n")
        note = (f"{len(text):,} characters; only the first {len(analysed):,} ({lines:,} lines) are analysed")
    try:
        analysis = engine().pipeline.analyze(analysed, build_context=build_context)
    except LimitExceeded as exc:   # pathological input: one line, not a traceback
        return Prepared("", None, f"not analysed: {exc}")
    except Exception:
        return Prepared("", None, note, traceback.format_exc())
    return Prepared(analysed, analysis, note)


def size_note(text: str) -> str | None:
    """Why the diagnostics of `text` are partial or missing (before linting it)."""
    if is_binary(text):
        return BINARY_NOTE
    if len(text) > MAX_ANALYSED_CHARS:
        return f"{len(text):,} characters; only the first part is analysed"
    return None


def line_index(cache: dict, text: str, encoding: str) -> LineIndex:
    key = ("index", encoding)
    got = cache.get(key)
    if got is None:
        got = cache[key] = LineIndex(text, encoding)
    return got


def findings(cache: dict, prepared: Prepared, settings) -> list[Finding]:
    """This version's findings: the diagnostics' (incremental linter) when they are computed, or,
    when the build context is known, those of the prepared analysis (their fixes read it)."""
    if prepared.analysis is None:
        return []
    key = ("findings", settings) if prepared.analysis.build_context is None else ("findings+context", settings)
    got = cache.get(key)
    if got is None:
        got = cache[key] = engine().lint.lint_analysis(prepared.analysis, settings)
    return got


def diagnosed(cache: dict, text: str, settings, linters: dict,
              uri: str) -> tuple[list[Finding], str | None, str | None]:
    """The findings the diagnostics publish, from the document's incremental linter (stages an edit
    cannot change keep their findings), and (traceback, limit note) when linting failed: then the
    findings are [] (stale diagnostics are cleared rather than kept) and the linter is dropped."""
    key = ("findings", settings)
    found = cache.get(key)
    if found is not None:
        return found, None, None
    if is_binary(text):
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
            return [], traceback.format_exc(), None
    cache[key] = found
    return found, None, None


def fixed_text(cache: dict, text: str, settings) -> tuple[str, int] | None:
    """`lint.apply_all` of this version (safe fixes only), once per settings: fix-on-save and the
    menu ask for the same version. None: too large or binary (nothing is fixed). The build context
    is the one `prepare` was given for this version (`cache["build-context"]`; none: unknown)."""
    if len(text) > MAX_ANALYSED_CHARS or is_binary(text):
        return None
    key = ("fix-all", settings)
    if (got := cache.get(key)) is None:
        got = cache[key] = engine().lint.apply_all(text, settings, build_context=cache.get("build-context"))
    return got

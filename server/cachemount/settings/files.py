"""Settings files: `.cachemount.toml` (top-level keys) or `pyproject.toml` `[tool.cachemount]`,
the nearest one found walking up from the Dockerfile's directory. Same keys as the LSP settings:
`rules = {CM201 = false}`, `severity = {CM101 = "error"}`, `select`, `ignore`.

A mistake in the file found is a problem naming the file and the key (`Settings.problems`); the
rest of the file applies. A file that cannot be read at all (invalid TOML or UTF-8, nested too
deeply, not a regular file) leaves the defaults in force and is marked `unreadable`. A
`pyproject.toml` that does not mention cachemount is not ours and is passed over unread by the
TOML parser, so most projects never pay for it."""
from __future__ import annotations

import os
import re
import stat
import sys
from functools import lru_cache
from typing import Any

from ..records import replace
from .model import DEFAULT, RuleSpellings, Settings, from_mapping

_PYPROJECT_KEYS = "tool.cachemount."
# Compiled on first use (re caches them): only a pyproject.toml that mentions cachemount needs them.
# `[tool.cachemount]`, `tool.cachemount.x = ...`, `tool = {cachemount = ...}`:
_DOTTED = rb"""\btool["']?\s*\.\s*["']?cachemount\b|\btool["']?\s*=\s*\{[^\n]*\bcachemount\b"""
_HEADER = rb"""\s*\[\[?\s*([\w"' .-]+?)\s*\]\]?\s*(?:#.*)?"""
_OUR_KEY = rb"""\s*["']?cachemount["']?\s*[.=]"""   # `cachemount = {...}` / `cachemount.x = ...` under [tool]


def _may_be_ours(raw: bytes) -> bool:
    """Whether a pyproject.toml may have a `tool.cachemount` table, without parsing it: most do not
    mention cachemount at all, and one that names it only elsewhere (a dependency, a script) is not
    ours. Errs on the side of yes (then it is parsed); also tells whether one that cannot be parsed
    was meant to hold our settings."""
    if b"cachemount" not in raw:
        return False
    if re.search(_DOTTED, raw):
        return True
    in_tool = False
    for line in raw.splitlines():
        if header := re.fullmatch(_HEADER, line):
            in_tool = header.group(1).replace(b'"', b"").replace(b"'", b"").strip() == b"tool"
        elif in_tool and re.match(_OUR_KEY, line):
            return True
    return False


def _toml() -> Any:
    # imported on first use: a run that meets no settings file never loads the parser
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        import tomli as tomllib
    return tomllib


def _stamp(path: str) -> tuple[int, int] | None:
    """(mtime, size) of a regular file; None when there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size) if stat.S_ISREG(st.st_mode) else None


def find_config(start_dir: str) -> str | None:
    directory = os.path.abspath(start_dir)
    while True:
        for name in (".cachemount.toml", "pyproject.toml"):
            candidate = os.path.join(directory, name)
            stamp = _stamp(candidate)
            if name == ".cachemount.toml" and stamp is None and os.path.lexists(candidate):
                return candidate   # ours by its name, though not a regular file: reported when read
            if stamp is not None and (name != "pyproject.toml" or _has_section(candidate, stamp)):
                return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _read(path: str) -> bytes:
    """A settings file's bytes: regular files only, under the size cap (a FIFO named
    pyproject.toml must not hang the server)."""
    from ..textio import read_regular_bytes
    return read_regular_bytes(path)[0]


@lru_cache(maxsize=256)
def _has_section(path: str, stamp: tuple[int, int]) -> bool:
    """Whether the pyproject.toml at `path` is a settings file of ours: it has `[tool.cachemount]`,
    or it cannot be parsed and looks like it has (then reading it reports why it cannot be read)."""
    from ..textio import TextError
    try:
        raw = _read(path)
    except (OSError, TextError):
        return False   # cannot tell whether it is ours: the search goes on upwards
    if not _may_be_ours(raw):
        return False
    try:
        tool = _toml().loads(raw.decode("utf-8")).get("tool")
    except (ValueError, RecursionError):   # invalid TOML or UTF-8, or nested too deeply for the parser
        return True                        # and it looks like ours: reading it says why it cannot be read
    return isinstance(tool, dict) and "cachemount" in tool


@lru_cache(maxsize=64)
def _section(path: str, stamp: tuple[int, int] | None) -> tuple[Any, str | None]:
    """The settings section of the file at `path` (None: it has none) and why it cannot be read."""
    from ..textio import TextError
    try:
        data = _toml().loads(_read(path).decode("utf-8"))
    except (OSError, ValueError, TextError) as exc:
        return None, f"cannot read settings ({_one_line(exc)}); using defaults"
    except RecursionError:
        return None, "cannot read settings (nested too deeply); using defaults"
    if os.path.basename(path) == "pyproject.toml":
        tool = data.get("tool")
        return (tool.get("cachemount") if isinstance(tool, dict) else None), None
    return data, None


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 200 else text[:197] + "..."


def settings_for(file_path: str | None, rules: RuleSpellings | None = None) -> Settings:
    """The settings of the Dockerfile at `file_path` (None: stdin without a name: the defaults).
    `rules`: check rule codes against the rules (see `model.from_mapping`)."""
    if not file_path:
        return DEFAULT
    path = find_config(os.path.dirname(os.path.abspath(file_path)))
    if path is None:
        return DEFAULT
    data, problem = _section(path, _stamp(path))
    if problem is not None:
        return Settings(problems=(f"{path}: {problem}",), source=path, unreadable=True)
    keys = _PYPROJECT_KEYS if os.path.basename(path) == "pyproject.toml" else ""
    got = from_mapping(data if data is not None else {}, rules=rules, file_keys=keys)
    return replace(got, problems=tuple(f"{path}: {p}" for p in got.problems), source=path)

"""Settings files: `.cachemount.toml` (top-level keys) or `pyproject.toml` `[tool.cachemount]`,
the nearest one found walking up from the Dockerfile's directory. Same keys as the LSP settings:
`rules = {CM201 = false}`, `severity = {CM101 = "error"}`, `select`, `ignore`."""
from __future__ import annotations

import os
import sys
from functools import lru_cache

from .model import DEFAULT, Settings, from_mapping

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib


def find_config(start_dir: str) -> str | None:
    directory = os.path.abspath(start_dir)
    while True:
        for name in (".cachemount.toml", "pyproject.toml"):
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate) and (name != "pyproject.toml" or _has_section(candidate)):
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


def _has_section(path: str) -> bool:
    from ..textio import TextError
    try:
        raw = _read(path)
    except (OSError, TextError):
        return False
    try:
        return "cachemount" in tomllib.loads(raw.decode("utf-8")).get("tool", {})
    except RecursionError:
        # Nested too deeply for the parser (it recurses per level). If it names us, it is our
        # settings file, reported as unreadable (defaults apply); else it is not ours: skip it.
        return b"cachemount" in raw
    except ValueError:  # invalid TOML or UTF-8: not a settings file we can tell is ours
        return False


@lru_cache(maxsize=64)
def _load(path: str, mtime: float) -> Settings:
    from ..textio import TextError
    try:
        data = tomllib.loads(_read(path).decode("utf-8"))
    except (OSError, ValueError, TextError) as exc:
        return Settings(problems=(f"{path}: cannot read settings ({_one_line(exc)}); using defaults",))
    except RecursionError:
        return Settings(problems=(f"{path}: cannot read settings (nested too deeply); using defaults",))
    if os.path.basename(path) == "pyproject.toml":
        data = data.get("tool", {}).get("cachemount", {})
    got = from_mapping(data)
    if got.problems:
        got = Settings(got.select, got.ignore, got.severity, tuple(f"{path}: {p}" for p in got.problems))
    return got


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 200 else text[:197] + "..."


def settings_for(file_path: str | None) -> Settings:
    if not file_path:
        return DEFAULT
    path = find_config(os.path.dirname(os.path.abspath(file_path)))
    if path is None:
        return DEFAULT
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return DEFAULT
    return _load(path, mtime)

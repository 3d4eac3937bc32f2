"""Settings for one document: the nearest `.cachemount.toml` / `pyproject.toml [tool.cachemount]`
(`config.settings_for`), overridden by the client's `cachemount` section: initializationOptions
first, then `workspace/configuration` (or the settings pushed with
`workspace/didChangeConfiguration`). Invalid values fall back to defaults; each distinct set of
problems is reported once through `log`."""
from __future__ import annotations

from typing import Any, Callable

from .. import config
from ..settings import Settings, from_mapping

SECTION = "cachemount"


def section_of(data: Any) -> dict | None:
    """The `cachemount` section of initializationOptions or pushed settings: either wrapped
    (`{"cachemount": {...}}`) or the section itself."""
    if not isinstance(data, dict):
        return None
    inner = data.get(SECTION)
    if isinstance(inner, dict):
        return inner
    return data if SECTION not in data else None


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


class SettingsStore:
    def __init__(self, log: Callable[[str], None] | None = None):
        self.init_options: dict = {}
        self.client: dict = {}
        self._log = log or (lambda message: None)
        self._reported: set[tuple[str, ...]] = set()
        self._invalid_top: list[str] = []

    def set_init_options(self, data: Any) -> None:
        section = section_of(data)
        if data is not None and section is None:
            self._invalid_top.append(f"initializationOptions: expected an object, got {type(data).__name__}")
        self.init_options = section or {}

    def set_client(self, data: Any) -> bool:
        """Replace the client section (a `workspace/configuration` result or pushed settings).
        Returns True when it changed."""
        if data is None:
            section: dict = {}
        elif isinstance(data, dict):
            section = data
        else:
            self._invalid_top.append(f"settings: expected an object, got {type(data).__name__}")
            section = {}
        changed = section != self.client
        self.client = section
        if changed:
            self._reported.clear()
        return changed

    def mapping(self) -> dict:
        return _merge(self.init_options, self.client)

    def for_path(self, path: str | None) -> Settings:
        base = config.settings_for(path)
        mapping = self.mapping()
        settings = from_mapping(mapping, base) if mapping else base
        problems = tuple(self._invalid_top) + tuple(base.problems) + \
            (tuple(settings.problems) if settings is not base else ())
        if problems and problems not in self._reported:
            self._reported.add(problems)
            self._log("cachemount: invalid settings ignored (defaults used instead): " + "; ".join(problems))
        return settings

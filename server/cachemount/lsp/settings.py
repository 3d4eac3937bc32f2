"""Settings for one document: the nearest `.cachemount.toml` / `pyproject.toml [tool.cachemount]`
(`config.settings_for`), overridden by the client's `cachemount` section: initializationOptions
first, then `workspace/configuration` (or the settings pushed with
`workspace/didChangeConfiguration`). An invalid value is ignored (the layer below, ultimately the
default, stays in force); each distinct set of problems is reported once through `log`."""
from __future__ import annotations

from typing import Any, Callable

from ..settings import files as config
from ..settings.model import Settings, from_mapping

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


class SettingsStore:
    def __init__(self, log: Callable[[str], None] | None = None):
        self.init_options: dict = {}
        self.client: dict = {}
        self._log = log or (lambda message: None)
        self._reported: set[tuple[str, ...]] = set()
        self._init_problem: tuple[str, ...] = ()
        self._client_problem: tuple[str, ...] = ()

    def set_init_options(self, data: Any) -> None:
        section = section_of(data)
        self._init_problem = ()
        if data is not None and section is None:
            self._init_problem = (f"initializationOptions: expected an object, got {type(data).__name__}",)
        self.init_options = section or {}

    def set_client(self, data: Any) -> bool:
        """Replace the client section (a `workspace/configuration` result or pushed settings).
        Returns True when it changed."""
        self._client_problem = ()
        if data is None:
            section: dict = {}
        elif isinstance(data, dict):
            section = data
        else:
            self._client_problem = (f"settings: expected an object, got {type(data).__name__}",)
            section = {}
        changed = section != self.client
        self.client = section
        if changed:
            self._reported.clear()
        return changed

    def for_path(self, path: str | None) -> Settings:
        """File settings, then initializationOptions, then the client section, each layer over
        the previous one (an invalid value leaves the layer below in force)."""
        base = config.settings_for(path)
        problems = self._init_problem + self._client_problem + tuple(base.problems)
        settings = base
        for layer in (self.init_options, self.client):
            if layer:
                settings = from_mapping(layer, settings)
                problems += tuple(settings.problems)
        if problems and problems not in self._reported:
            self._reported.add(problems)
            self._log("cachemount: invalid settings ignored (the defaults or the other settings apply): " + "; ".join(problems))
        return settings

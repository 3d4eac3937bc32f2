"""Settings for one document: the nearest `.cachemount.toml` / `pyproject.toml [tool.cachemount]`
(`settings.files.settings_for`), overridden by the client's `cachemount` section: initializationOptions
first, then the client's section for the document (`workspace/configuration`, or the settings pushed
with `workspace/didChangeConfiguration`). An invalid value is ignored (the layer below, ultimately
the default, stays in force); each distinct set of problems is reported once through `log`.

The client declares the settings with scope "resource": each workspace folder may have its own
values. The server keeps one client section per folder (asked with `scopeUri` = the folder) and a
global one (asked without `scopeUri`, or pushed); a document uses the section of the innermost folder
that contains it, the global one outside every folder or while its folder has no answer yet."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from ..settings import files as config
from ..settings.model import Settings, from_mapping
from .documents import uri_to_path
from .settings_problems import ProblemMessages, rule_spellings

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


def _dir(path: str) -> str:
    return path.rstrip("/") or "/"


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder if folder.endswith("/") else folder + "/")


class SettingsStore:
    def __init__(self, log: Callable[[str], None] | None = None, show: Callable[[str], None] | None = None):
        self.init_options: dict = {}
        self.client: dict = {}                     # the global section
        self.folders: dict[str, dict | None] = {}  # folder URI -> its section (None: no answer yet)
        self._paths: dict[str, str] = {}           # folder URI -> its path (file: folders only)
        self._log = log or (lambda message: None)
        self._messages = ProblemMessages(show)     # settings-file problems, shown once (a popup)
        self._reported: set[tuple[str, ...]] = set()
        self._init_problem: tuple[str, ...] = ()
        self._client_problems: dict[str | None, tuple[str, ...]] = {}   # None: the global section

    def set_init_options(self, data: Any) -> None:
        section = section_of(data)
        self._init_problem = ()
        if data is not None and section is None:
            self._init_problem = (f"initializationOptions: expected an object, got {type(data).__name__}",)
        self.init_options = section or {}

    # workspace folders
    def add_folders(self, uris: Iterable[str]) -> None:
        for uri in uris:
            self.folders.setdefault(uri, None)
            path = uri_to_path(uri)
            if path:
                self._paths[uri] = _dir(path)

    def remove_folders(self, uris: Iterable[str]) -> None:
        for uri in uris:
            self.folders.pop(uri, None)
            self._paths.pop(uri, None)
            self._client_problems.pop(uri, None)

    def folder_of(self, path: str | None) -> str | None:
        """The URI of the innermost workspace folder containing `path` (None: outside every one)."""
        if not path:
            return None
        inside = [(len(p), uri) for uri, p in self._paths.items() if _inside(path, p)]
        return max(inside)[1] if inside else None

    def set_client(self, data: Any, folder: str | None = None) -> bool:
        """Replace the global client section, or `folder`'s (a `workspace/configuration` result or
        pushed settings). Returns True when it changed."""
        problem: tuple[str, ...] = ()
        if data is None:
            section: dict | None = {} if folder is None else None   # a folder without an answer: the global section
        elif isinstance(data, dict):
            section = data
        else:
            problem = (f"settings: expected an object, got {type(data).__name__}",)
            section = {}
        if folder is None:
            changed, self.client = section != self.client, section or {}
        elif folder in self.folders:
            changed, self.folders[folder] = section != self.folders[folder], section
        else:
            return False   # removed meanwhile
        self._client_problems[folder] = problem
        if changed:
            self._reported.clear()
        return changed

    def for_path(self, path: str | None) -> Settings:
        """File settings, then initializationOptions, then the client section of `path`'s folder,
        each layer over the previous one (an invalid value leaves the layer below in force)."""
        folder = self.folder_of(path)
        client = self.folders.get(folder) if folder is not None else None
        if client is None:
            folder, client = None, self.client
        base = config.settings_for(path, rule_spellings)
        self._messages.report(base)
        problems = self._init_problem + self._client_problems.get(folder, ()) + tuple(base.problems)
        settings = base
        for source, layer in (("initializationOptions", self.init_options), ("settings", client)):
            if layer:
                settings = from_mapping(layer, settings, rules=rule_spellings)
                problems += tuple(f"{source}: {problem}" for problem in settings.problems)   # which one to fix
        if problems and problems not in self._reported:
            self._reported.add(problems)
            self._log("cachemount: invalid settings ignored (the defaults or the other settings apply): "
                      + "; ".join(problems))
        return settings

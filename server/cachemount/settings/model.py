"""Settings shared by the CLI and the server: rules on/off and severities. SETTINGS, the table of
every user-facing setting, lives in `catalog` (still importable from here).

Invalid values fall back to the layer below (ultimately the defaults); `problems` collects one
message per bad value, naming its key, so the caller can report it once."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

from ..findings import SEVERITIES
from ..records import Record, field

if TYPE_CHECKING:
    from .catalog import SETTINGS, SettingSpec  # noqa: F401  (re-exported, loaded on first use)


class Settings(Record):
    select: frozenset[str] | None = None          # None: all rules; codes or prefixes ("CM1")
    ignore: frozenset[str] = frozenset()          # codes or prefixes
    severity: tuple[tuple[str, str], ...] = ()    # (code, severity) overrides
    problems: tuple[str, ...] = field(default=(), compare=False)
    build_context: str = ""     # `buildContext` as the editor gives it ("": found per Dockerfile)
    code_lens: bool = False     # `codeLens`: the editor shows the layer-cache code lens
    source: str | None = field(default=None, compare=False)   # the settings file read, if any
    unreadable: bool = field(default=False, compare=False)    # that file could not be read: defaults

    def enabled(self, code: str) -> bool:
        if code in self.ignore or any(code.startswith(s) for s in self.ignore):
            return False
        return self.select is None or code in self.select or any(code.startswith(s) for s in self.select)

    def severity_of(self, code: str, default: str) -> str:
        for c, sev in self.severity:
            if c == code:
                return sev
        return default


DEFAULT = Settings()

READ_KEYS = ("rules", "severity", "select", "ignore", "buildContext", "codeLens")   # what `from_mapping` reads

# Every spelling of a rule (its code, its name) -> its code. The settings sit below the rules, so
# the faces pass them in (a function: the language server imports the rules only when needed).
RuleSpellings = Callable[[], Mapping[str, str]]


def __getattr__(name: str) -> Any:
    if name in ("SETTINGS", "SettingSpec"):
        from . import catalog
        return getattr(catalog, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Codes:
    """Reads rule codes as the command line does (`--select`, `--ignore`): a code or a rule's name;
    in select/ignore also a code prefix. Without `spellings`, any code is taken, upper-cased."""

    def __init__(self, spellings: RuleSpellings | None, problems: list[str], prefix: str):
        self._spellings = spellings
        self._known: Mapping[str, str] | None = None
        self._problems = problems
        self._prefix = prefix

    def read(self, key: str, value: Any, prefixes: bool = False) -> str | None:
        spelled = str(value)
        if self._spellings is None:
            return spelled.upper()
        if self._known is None:
            self._known = self._spellings()
        known = self._known
        code = known.get(spelled) or known.get(spelled.upper())
        if code is not None:
            return code
        upper = spelled.upper()
        if prefixes and upper and any(c.startswith(upper) for c in known.values()):
            return upper
        codes = ", ".join(sorted(set(known.values())))
        named = "" if key.endswith(f".{spelled}") else f" {spelled!r}"   # `severity.CM999` names it already
        self._problems.append(f"{self._prefix}{key}: unknown rule code{named} (known: {codes})")
        return None


def from_mapping(data: Any, base: Settings = DEFAULT, *, rules: RuleSpellings | None = None,
                 file_keys: str | None = None) -> Settings:
    """Settings from a `cachemount` section (LSP configuration, `.cachemount.toml`, pyproject
    `[tool.cachemount]`) over `base`. `rules` given: rule codes are checked against the rules (an
    unknown one is a problem; a rule's name reads as its code). `file_keys` given: the section is a
    settings file's, its keys shown with this prefix ("" or "tool.cachemount."), and a key nobody
    reads is a problem (an editor's section also carries the extension's own settings)."""
    prefix = file_keys or ""
    if not isinstance(data, dict):
        if data is None:
            return base
        where = prefix.rstrip(".") or "settings"
        return Settings(base.select, base.ignore, base.severity,
                        (f"{where}: expected a table of settings, got {type(data).__name__}",), base.build_context,
                        code_lens=base.code_lens)
    problems: list[str] = []
    codes = _Codes(rules, problems, prefix)
    ignore = set(base.ignore)
    select = set(base.select) if base.select is not None else None
    rule_switches = data.get("rules", {})
    if isinstance(rule_switches, dict):
        for key, on in rule_switches.items():
            if not isinstance(on, bool):
                problems.append(f"{prefix}rules.{key}: expected true or false")
            elif (code := codes.read(f"rules.{key}", key)) is None:
                continue
            elif not on:
                ignore.add(code)
            else:
                ignore.discard(code)
    elif rule_switches is not None:
        problems.append(f"{prefix}rules: expected an object of CODE: true/false")
    for key in ("select", "ignore"):
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            read = {c for c in (codes.read(key, v, prefixes=True) for v in value) if c is not None}
            if key == "ignore":
                ignore |= read
            elif read:
                select = read
            else:   # selecting nothing would silently pass every file (the command line refuses it too)
                problems.append(f"{prefix}select: selects no rule; leave it out to check every rule")
        else:
            problems.append(f"{prefix}{key}: expected a list of rule codes")
    severity = dict(base.severity)
    sev = data.get("severity", {})
    if isinstance(sev, dict):
        for key, level in sev.items():
            if not (isinstance(level, str) and level.lower() in SEVERITIES):
                problems.append(f"{prefix}severity.{key}: expected one of {', '.join(SEVERITIES)}, got {level!r}")
            elif (code := codes.read(f"severity.{key}", key)) is not None:
                severity[code] = level.lower()
    elif sev is not None:
        problems.append(f"{prefix}severity: expected an object of CODE: level")
    build_context = base.build_context
    value = data.get("buildContext")
    if isinstance(value, str):
        build_context = value.strip()
    elif value is not None:
        problems.append(f"{prefix}buildContext: expected a directory path (a string)")
    code_lens = base.code_lens
    lens = data.get("codeLens")
    if isinstance(lens, bool):
        code_lens = lens
    elif lens is not None:
        problems.append(f"{prefix}codeLens: expected true or false")
    if file_keys is not None:
        problems.extend(_unknown_keys(data, prefix))
    return Settings(frozenset(select) if select is not None else None, frozenset(ignore),
                    tuple(sorted(severity.items())), tuple(problems), build_context, code_lens=code_lens)


def _unknown_keys(data: dict, prefix: str) -> list[str]:
    out = []
    for key in data:
        if key in READ_KEYS:
            continue
        if key == "tool" and not prefix and isinstance(data[key], dict) and "cachemount" in data[key]:
            out.append("tool.cachemount: .cachemount.toml takes the settings at the top level: remove the "
                       "[tool.cachemount] header (that form is for pyproject.toml); its settings are ignored")
            continue
        from .catalog import SETTINGS
        if any(s.client_only and s.key.partition(".")[0] == key for s in SETTINGS):
            out.append(f"{prefix}{key}: an editor setting; set it in the editor, not in a settings file")
        else:
            out.append(f"{prefix}{key}: unknown setting (known: {', '.join(READ_KEYS)})")
    return out

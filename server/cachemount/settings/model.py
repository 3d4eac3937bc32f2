"""Settings shared by the CLI and the server: rules on/off and severities.

Invalid values fall back to defaults; `problems` collects one message per bad value so the
caller can log it once."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..findings import SEVERITIES


@dataclass(frozen=True)
class Settings:
    select: frozenset[str] | None = None          # None: all rules
    ignore: frozenset[str] = frozenset()
    severity: tuple[tuple[str, str], ...] = ()    # (code, severity) overrides
    problems: tuple[str, ...] = field(default=(), compare=False)

    def enabled(self, code: str) -> bool:
        if code in self.ignore:
            return False
        return self.select is None or code in self.select or any(code.startswith(s) for s in self.select)

    def severity_of(self, code: str, default: str) -> str:
        for c, sev in self.severity:
            if c == code:
                return sev
        return default


DEFAULT = Settings()


def from_mapping(data: Any, base: Settings = DEFAULT) -> Settings:
    """Settings from a `cachemount` section (LSP configuration, pyproject [tool.cachemount])."""
    if not isinstance(data, dict):
        return base if data is None else Settings(problems=(f"settings must be an object, got {type(data).__name__}",))
    problems: list[str] = []
    ignore = set(base.ignore)
    select = set(base.select) if base.select is not None else None
    rules = data.get("rules", {})
    if isinstance(rules, dict):
        for code, on in rules.items():
            if not isinstance(on, bool):
                problems.append(f"rules.{code}: expected true or false")
            elif not on:
                ignore.add(str(code).upper())
            else:
                ignore.discard(str(code).upper())
    elif rules is not None:
        problems.append("rules: expected an object of CODE: true/false")
    for key, target in (("select", "select"), ("ignore", "ignore")):
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            codes = {v.upper() for v in value}
            if target == "select":
                select = codes
            else:
                ignore |= codes
        else:
            problems.append(f"{key}: expected a list of rule codes")
    severity = dict(base.severity)
    sev = data.get("severity", {})
    if isinstance(sev, dict):
        for code, level in sev.items():
            if isinstance(level, str) and level.lower() in SEVERITIES:
                severity[str(code).upper()] = level.lower()
            else:
                problems.append(f"severity.{code}: expected one of {', '.join(SEVERITIES)}")
    elif sev is not None:
        problems.append("severity: expected an object of CODE: level")
    return Settings(frozenset(select) if select is not None else None, frozenset(ignore),
                    tuple(sorted(severity.items())), tuple(problems))

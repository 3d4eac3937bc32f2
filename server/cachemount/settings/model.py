"""Settings shared by the CLI and the server: rules on/off and severities; and SETTINGS, the table
of every user-facing setting (the server's and the VS Code extension's own).

Invalid values fall back to defaults; `problems` collects one message per bad value so the
caller can log it once."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..findings import SEVERITIES


@dataclass(frozen=True)
class Settings:
    select: frozenset[str] | None = None          # None: all rules
    ignore: frozenset[str] = frozenset()
    severity: tuple[tuple[str, str], ...] = ()    # (code, severity) overrides
    problems: tuple[str, ...] = field(default=(), compare=False)
    build_context: str = ""     # `buildContext` as the editor gives it ("": found per Dockerfile)

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
    build_context = base.build_context
    value = data.get("buildContext")
    if isinstance(value, str):
        build_context = value.strip()
    elif value is not None:
        problems.append("buildContext: expected a directory path (a string)")
    return Settings(frozenset(select) if select is not None else None, frozenset(ignore),
                    tuple(sorted(severity.items())), tuple(problems), build_context)


# -- what users can set --------------------------------------------------------------------------

@dataclass(frozen=True)
class SettingSpec:
    """One user-facing setting. scripts/generate.py writes client/package.json's
    `contributes.configuration` and the settings tables of README.md and client/README.md from
    SETTINGS; tests/test_generated.py checks they are current and that `from_mapping` reads
    exactly the keys that are not client-only."""
    key: str                          # settings-file key; editors prefix it: `cachemount.<key>`
    type: str | tuple[str, ...]       # JSON Schema type
    default: Any                      # what an editor sends when the user sets nothing
    description: str                  # markdown, for the editor's settings UI
    summary: str                      # one line, for the README tables
    scope: str = "resource"           # VS Code: "resource" (may differ per folder) or "window"
    client_only: bool = False         # read by the VS Code extension; the server and the CLI ignore it
    restricted: bool = False          # names a program to run: an untrusted workspace's value is ignored
    schema: Mapping[str, Any] = field(default_factory=dict)  # more JSON Schema: items, enum, ...
    per_rule: str | None = None       # the generated schema lists every rule code: as "properties"
                                      # (with this JSON type) or as an "enum" of the items


_CODE = {"pattern": "^CM[0-9]{3}$"}
_LEVELS = " / ".join(f"`{s}`" for s in SEVERITIES)

SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "rules", "object", {},
        "Turn rules on or off by code, e.g. `{\"CM201\": false}`. Rules not listed keep their default.",
        "turn rules on or off by code: `{\"CM201\": false}`",
        schema={"propertyNames": _CODE, "additionalProperties": {"type": "boolean"}},
        per_rule="boolean"),
    SettingSpec(
        "severity", "object", {},
        "Override the severity of a rule by code, e.g. `{\"CM101\": \"error\"}`.",
        f"per-rule severity, {_LEVELS}: `{{\"CM101\": \"error\"}}`",
        schema={"propertyNames": _CODE, "additionalProperties": {"type": "string", "enum": list(SEVERITIES)}}),
    SettingSpec(
        "select", ("array", "null"), None,
        "Check only these rules, by code or code prefix, e.g. `[\"CM1\"]`. `null` (the default) checks "
        "every rule.",
        "check only these rules, by code or prefix: `[\"CM1\"]`; unset: every rule",
        schema={"items": {"type": "string", "pattern": "^[Cc][Mm][0-9]{0,3}$"}}),
    SettingSpec(
        "ignore", "array", [],
        "Never report these rules, by code, e.g. `[\"CM201\"]`.",
        "never report these rules, by code: `[\"CM201\"]`",
        schema={"items": {"type": "string"}}, per_rule="enum"),
    SettingSpec(
        "buildContext", "string", "",
        "The build context of the Dockerfiles in this folder: a directory, relative to the workspace "
        "folder (or absolute). Empty (the default): the `context` of a compose or bake file that names "
        "the Dockerfile, else the Dockerfile's directory. CM201's fixes read it to check that the "
        "manifests they copy exist; the command line takes `--context DIR` instead.",
        "the build context directory, relative to the workspace folder; empty: from compose/bake files, "
        "else the Dockerfile's directory"),
    SettingSpec(
        "interpreter", "string", "",
        "Python interpreter that has cachemount installed; the server runs like `<interpreter> -m "
        "cachemount serve`, without the workspace on `sys.path`. Used when `#cachemount.path#` is "
        "empty. Ignored in workspace settings of an untrusted workspace, and in any scope when it "
        "points inside an untrusted workspace.",
        "a Python that has cachemount installed; runs the server like `<python> -m cachemount serve` "
        "(see below)",
        scope="window", client_only=True, restricted=True),
    SettingSpec(
        "path", "array", [],
        "Command (and arguments) that runs the language server over stdio, e.g. "
        "`[\"/usr/local/bin/cachemount\", \"serve\"]`. `~` and `${userHome}` are expanded. Takes "
        "precedence over every other way of finding the server. Runs in the extension's directory, "
        "not in the workspace folder. Ignored in workspace settings of an untrusted workspace, and in "
        "any scope when it points inside an untrusted workspace.",
        "the full server command, e.g. `[\"/usr/local/bin/cachemount\", \"serve\"]`",
        scope="window", client_only=True, restricted=True, schema={"items": {"type": "string"}}),
    SettingSpec(
        "trace.server", "string", "off",
        "Log the messages between VS Code and the cachemount language server to the cachemount "
        "output channel.",
        "`messages` / `verbose`: log the LSP traffic to the output channel",
        scope="window", client_only=True, schema={"enum": ["off", "messages", "verbose"]}),
)

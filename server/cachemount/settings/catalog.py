"""SETTINGS, the table of every user-facing setting (the server's and the VS Code extension's own),
kept apart from the model: linting never needs it, so `cachemount check` does not build it
(`settings.model` still exports both names, loaded on first use)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..findings import SEVERITIES


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
        "codeLens", "boolean", False,
        "Show a code lens above each install step that re-runs on any change to the build context "
        "(for example after `COPY . .`), naming the COPY that causes it. Off by default.",
        "a code lens above each install step that re-runs on any build-context change"),
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

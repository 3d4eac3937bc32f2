"""Workspace members, read from the build context with the formats of knowledge/workspaces.py:
npm/yarn/bun `workspaces` in package.json, pnpm-workspace.yaml, Cargo `[workspace]`, Maven
`<modules>`, Gradle settings includes, go.work `use`, uv `[tool.uv.workspace]`.

`members()` returns what a workspace install reads besides the root manifests: the root files of
the declaration and each member's manifests, paths relative to the context root. When the list
cannot be read completely (an unreadable file, a member outside the project, a layout set by code,
a bound met), `problem` says why and the caller does not trust a manifest COPY."""
from __future__ import annotations

import json
import posixpath
import re
import sys
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Callable

from ..knowledge.workspaces import WORKSPACES, WorkspaceSpec
from . import yamlish
from .tree import BuildContext


def _toml_loads(text: str) -> dict:
    # the TOML parser is loaded when a Cargo.toml or pyproject.toml is read, not at import:
    # `cachemount check` on most Dockerfiles never needs it
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        import tomli as tomllib
    return tomllib.loads(text)


MAX_MEMBERS = 200
MAX_MODULE_DEPTH = 6     # Maven modules of modules


@dataclass
class Members:
    declared: bool = False                           # the project declares a workspace
    files: list[str] = field(default_factory=list)   # root files and member manifests (context paths)
    dirs: list[str] = field(default_factory=list)    # member directories (context paths)
    problem: str | None = None


def members(ctx: BuildContext, project: str, key: str) -> Members:
    """The workspace of the project at context path `project` (`.`: the root), for the
    knowledge/workspaces.py WORKSPACES entry `key`."""
    spec = WORKSPACES[key]
    out = Members()
    for declaration in spec.declared_in:
        path = _join(project, declaration)
        if not ctx.exists(path):
            continue
        text = ctx.read_text(path)
        if text is None:
            out.declared, out.problem = True, f"{path} could not be read"
            return out
        try:
            patterns = READERS[spec.reader](text)
        except (ValueError, yamlish.Unsupported, RecursionError) as exc:   # TOMLDecodeError is a ValueError
            out.declared, out.problem = True, f"{path} could not be read ({_first_line(exc)})"
            return out
        if patterns is None:
            continue           # this file declares no workspace
        out.declared = True
        if isinstance(patterns, str):
            out.problem = f"{path}: {patterns}"
            return out
        _expand(ctx, project, spec, patterns, out)
        if spec.reader == "maven" and out.problem is None:
            _maven_modules(ctx, spec, out)
        break
    if out.declared and out.problem is None:
        for name in spec.root_files:
            path = _join(project, name)
            if ctx.is_file(path) and path not in out.files:
                out.files.insert(0, path)
    return out


def _join(base: str, rel: str) -> str:
    return posixpath.normpath(posixpath.join(base, rel)) if base != "." else posixpath.normpath(rel)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _expand(ctx: BuildContext, project: str, spec: WorkspaceSpec, patterns: list[str], out: Members) -> None:
    """Member directories from `patterns` (globs; `!` excludes), relative to `project`."""
    include = [p for p in patterns if not p.startswith("!")]
    exclude = [p[1:] for p in patterns if p.startswith("!")]
    dirs: list[str] = []
    for pattern in include:
        pattern = pattern.strip().rstrip("/")
        if pattern.startswith("./"):
            pattern = pattern[2:]
        if not pattern or pattern.startswith("/"):
            out.problem = f"workspace member {pattern!r} is not a path inside the project"
            return
        rel = _join(project, pattern)
        if rel == ".." or rel.startswith("../") or (project != "." and not (rel + "/").startswith(project + "/")):
            out.problem = f"workspace member {pattern!r} lies outside the project directory"
            return
        glob = any(ch in pattern for ch in "*?[")
        got = ctx.glob(rel, dirs_only=True) if glob else ([rel] if ctx.is_dir(rel) else [])
        if got is None:
            out.problem = "too many files to list the workspace members"
            return
        if not got and not glob:
            out.problem = f"workspace member {pattern} is not in the build context"
            return
        dirs += [d for d in got if d not in dirs]
    for d in dirs:
        inner = posixpath.relpath(d, project) if project != "." else d
        if any(fnmatchcase(inner, p.strip().rstrip("/").removeprefix("./")) for p in exclude):
            continue
        manifests = [_join(d, name) for name in spec.member_files if ctx.is_file(_join(d, name))]
        if not manifests:
            continue           # a directory a glob matched that is no member
        if len(out.dirs) >= MAX_MEMBERS:
            out.problem = f"more than {MAX_MEMBERS} workspace members"
            return
        out.dirs.append(d)
        out.files += [m for m in manifests if m not in out.files]


def _maven_modules(ctx: BuildContext, spec: WorkspaceSpec, out: Members) -> None:
    """Modules of modules, down to MAX_MODULE_DEPTH."""
    todo = [(d, 1) for d in out.dirs]
    while todo and out.problem is None:
        directory, depth = todo.pop(0)
        text = ctx.read_text(_join(directory, "pom.xml"))
        if text is None:
            out.problem = f"{directory}/pom.xml could not be read"
            return
        modules = _maven(text)
        if isinstance(modules, str):
            out.problem = f"{directory}/pom.xml: {modules}"
            return
        if not modules:
            continue
        if depth >= MAX_MODULE_DEPTH:
            out.problem = "Maven modules nested too deeply"
            return
        before = list(out.dirs)
        _expand(ctx, directory, spec, modules, out)
        todo += [(d, depth + 1) for d in out.dirs if d not in before]


# -- one reader per format: the member patterns, None (no workspace declared), or a problem ----

def _package_json(text: str) -> list[str] | str | None:
    data = json.loads(text)
    ws = data.get("workspaces") if isinstance(data, dict) else None
    if ws is None:
        return None
    if isinstance(ws, dict):
        ws = ws.get("packages", [])
    if not isinstance(ws, list) or not all(isinstance(p, str) for p in ws):
        return "`workspaces` is not a list of paths"
    return ws


def _pnpm_yaml(text: str) -> list[str] | str | None:
    data = yamlish.parse(text)
    if data is None:
        return []
    if not isinstance(data, dict):
        return "not a mapping"
    packages = data.get("packages", [])
    if packages is None:
        return []
    if not isinstance(packages, list) or not all(isinstance(p, str) for p in packages):
        return "`packages` is not a list of paths"
    return packages


def _toml_members(table: Any) -> list[str] | str | None:
    if not isinstance(table, dict):
        return None
    members = table.get("members", [])
    exclude = table.get("exclude", [])
    if not (isinstance(members, list) and isinstance(exclude, list)
            and all(isinstance(p, str) for p in members + exclude)):
        return "`members` is not a list of paths"
    return members + ["!" + p for p in exclude]


def _cargo(text: str) -> list[str] | str | None:
    return _toml_members(_toml_loads(text).get("workspace"))


def _uv(text: str) -> list[str] | str | None:
    data = _toml_loads(text)
    return _toml_members(data.get("tool", {}).get("uv", {}).get("workspace"))


_XML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_MODULE = re.compile(r"<module>\s*([^<]*?)\s*</module>")


def _maven(text: str) -> list[str] | str | None:
    text = _XML_COMMENT.sub("", text)
    modules = _MODULE.findall(text)
    if not modules:
        return None
    if any(m.endswith(".xml") for m in modules):
        return "a module names its POM file: the layout is not the default one"
    return modules


_GRADLE_CODE = re.compile(r"\b(projectDir|includeBuild|includeFlat|rootProject\.children|eachDir|listFiles)\b")
_GRADLE_INCLUDE = re.compile(r"^\s*include\s*\(?([^\n)]*)\)?", re.M)
_GRADLE_NAME = re.compile(r"""["']([^"']+)["']""")


def _gradle(text: str) -> list[str] | str | None:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    if _GRADLE_CODE.search(text):
        return "the settings file places projects with code"
    out = []
    for m in _GRADLE_INCLUDE.finditer(text):
        names = _GRADLE_NAME.findall(m.group(1))
        if not names:
            return "an include names projects with code"
        out += [n.strip(":").replace(":", "/") for n in names]
    return out or None


_GO_USE = re.compile(r"^\s*use\s+(\([^)]*\)|\S+)", re.M)


def _go_work(text: str) -> list[str] | str | None:
    text = re.sub(r"//[^\n]*", "", text)
    out = []
    for m in _GO_USE.finditer(text):
        body = m.group(1)
        items = body[1:-1].split() if body.startswith("(") else [body]
        out += [i.strip('"`') for i in items]
    return out


READERS: dict[str, Callable[[str], list[str] | str | None]] = {
    "package-json": _package_json, "pnpm-yaml": _pnpm_yaml, "cargo": _cargo, "uv": _uv, "maven": _maven,
    "gradle": _gradle, "go-work": _go_work,
}

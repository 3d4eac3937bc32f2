"""What inside a manifest makes an install read more of the build context than the manifests: one
reader per knowledge/workspaces.py CONTENT_CHECKS key.

`check(ctx, key, path)` returns (reason, more): `reason` when the install would read other files
(lifecycle scripts, local path dependencies, ...), else None; `more` lists files the install also
reads and a manifest COPY must include (`-r other.txt` in a requirements file, a .yarnrc.yml
`yarnPath`), as context paths."""
from __future__ import annotations

import fnmatch
import json
import posixpath
import re
import sys
from typing import Any, Callable

from ..knowledge.workspaces import (COMPOSER_INSTALL_SCRIPTS, CONTENT_CHECK_FILES, CONTENT_CHECKS,
                                    NODE_DEPENDENCY_FIELDS, NODE_INSTALL_SCRIPTS, NODE_LOCAL_PROTOCOLS)
from . import yamlish
from .tree import BuildContext

MAX_INCLUDES = 32      # `-r` files followed from one requirements file

Result = tuple[str | None, list[str]]

def applies(key: str, name: str) -> bool:
    """Does content check `key` read a file with base name `name` (knowledge CONTENT_CHECK_FILES)?"""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in CONTENT_CHECK_FILES[key])


def check(ctx: BuildContext, key: str, path: str) -> Result:
    text = ctx.read_text(path)
    if text is None:
        return f"{path} could not be read", []
    try:
        return _CHECKS[key](ctx, path, text)
    except (ValueError, yamlish.Unsupported, RecursionError):   # TOMLDecodeError is a ValueError
        return f"{path} could not be read", []


def _why(key: str, path: str) -> str:
    return f"{path}: {CONTENT_CHECKS[key]}"


def _json(text: str) -> dict:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not an object")
    return data


def _package_scripts(ctx: BuildContext, path: str, text: str) -> Result:
    scripts = _json(text).get("scripts")
    if isinstance(scripts, dict) and any(k in scripts for k in NODE_INSTALL_SCRIPTS):
        return _why("package-scripts", path), []
    return None, []


def _package_local_deps(ctx: BuildContext, path: str, text: str) -> Result:
    data = _json(text)
    pnpm = data.get("pnpm")
    if "patchedDependencies" in data or (isinstance(pnpm, dict) and "patchedDependencies" in pnpm):
        return _why("package-local-deps", path), []
    for field in NODE_DEPENDENCY_FIELDS:
        deps = data.get(field)
        if isinstance(deps, dict) and any(_local_spec(v) for v in _strings(deps)):
            return _why("package-local-deps", path), []
    return None, []


def _strings(value: Any) -> list[str]:
    """Every string value inside nested dicts (npm `overrides` nest)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


def _local_spec(spec: str) -> bool:
    return spec.startswith(NODE_LOCAL_PROTOCOLS) or spec.startswith(("./", "../", "/", "~/"))


def _yarnrc_yml(ctx: BuildContext, path: str, text: str) -> Result:
    data = yamlish.parse(text)
    if data is None:
        return None, []
    if not isinstance(data, dict):
        raise ValueError("not a mapping")
    if data.get("plugins"):
        return _why("yarnrc-yml", path), []
    more = []
    yarn_path = data.get("yarnPath")
    if yarn_path is not None:
        if not isinstance(yarn_path, str):
            return f"{path}: yarnPath could not be read", []
        more.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), yarn_path)))
    return None, more


_REQ_OPTION = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=?\s*|\s+)(\S+)$")
_REQ_LOCAL = re.compile(r"^(-e|--editable)\b|^(\.|/|~|file:)|\s@\s*file:|^(-f|--find-links)(\s*=?\s*|\s+)(\.|/|file:)")


def _requirements(ctx: BuildContext, path: str, text: str) -> Result:
    more: list[str] = []
    todo = [(path, text)]
    seen = {path}
    while todo:
        current, body = todo.pop()
        body = re.sub(r"\\\r?\n", " ", body)
        for line in body.splitlines():
            line = re.sub(r"(^|\s)#.*$", "", line).strip()
            if not line:
                continue
            if _REQ_LOCAL.search(line):
                return f"{current}: installs a local path ({line.split()[0]} ...)", []
            m = _REQ_OPTION.match(line)
            if m is None:
                continue
            if "$" in m.group(2):
                return f"{current}: includes {m.group(2)}", []
            included = posixpath.normpath(posixpath.join(posixpath.dirname(current), m.group(2)))
            if included in seen:
                continue
            if len(seen) > MAX_INCLUDES:
                return f"{path}: too many included requirement files", []
            seen.add(included)
            more.append(included)
            sub = ctx.read_text(included)
            if sub is None:
                return f"{current}: includes {m.group(2)}, which is not in the build context", []
            todo.append((included, sub))
    return None, more


def _pyproject_paths(ctx: BuildContext, path: str, text: str) -> Result:
    # the TOML parser is loaded here, not at import: `cachemount check` without a pyproject.toml to
    # read never needs it
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10
        import tomli as tomllib
    data = tomllib.loads(text)
    tool = data.get("tool", {})
    sources = tool.get("uv", {}).get("sources", {}) if isinstance(tool, dict) else {}
    if isinstance(sources, dict) and any(isinstance(s, dict) and "path" in s for s in _tables(sources)):
        return _why("pyproject-paths", path), []
    poetry = tool.get("poetry", {}) if isinstance(tool, dict) else {}
    if isinstance(poetry, dict):
        groups = [poetry.get("dependencies", {}), poetry.get("dev-dependencies", {})]
        groups += [g.get("dependencies", {}) for g in poetry.get("group", {}).values() if isinstance(g, dict)]
        if any(isinstance(g, dict) and any(isinstance(s, dict) and "path" in s for s in _tables(g)) for g in groups):
            return _why("pyproject-paths", path), []
    project = data.get("project", {})
    deps = list(project.get("dependencies", [])) if isinstance(project, dict) else []
    optional = project.get("optional-dependencies", {}) if isinstance(project, dict) else {}
    if isinstance(optional, dict):
        deps += [d for group in optional.values() if isinstance(group, list) for d in group]
    groups = data.get("dependency-groups", {})
    if isinstance(groups, dict):
        deps += [d for group in groups.values() if isinstance(group, list) for d in group]
    if any(isinstance(d, str) and "file:" in d for d in deps):
        return _why("pyproject-paths", path), []
    return None, []


def _tables(mapping: dict) -> list[Any]:
    """Values of a sources/dependencies table, lists of alternatives flattened."""
    out: list[Any] = []
    for v in mapping.values():
        out += v if isinstance(v, list) else [v]
    return out


def _gemfile_paths(ctx: BuildContext, path: str, text: str) -> Result:
    code = re.sub(r"#[^\n]*", "", text)
    if re.search(r"\bpath\s*:|:path\s*=>|^\s*gemspec\b|\bpath\s*\(", code, re.M):
        return _why("gemfile-paths", path), []
    return None, []


def _composer_scripts(ctx: BuildContext, path: str, text: str) -> Result:
    data = _json(text)
    scripts = data.get("scripts")
    if isinstance(scripts, dict) and any(k in scripts for k in COMPOSER_INSTALL_SCRIPTS):
        return _why("composer-scripts", path), []
    repos = data.get("repositories")
    repos = list(repos.values()) if isinstance(repos, dict) else repos if isinstance(repos, list) else []
    if any(isinstance(r, dict) and r.get("type") == "path" for r in repos):
        return _why("composer-scripts", path), []
    autoload = data.get("autoload")
    if isinstance(autoload, dict) and ("files" in autoload or "classmap" in autoload):
        return f"{path}: the autoloader composer install writes reads the files and classmap it names", []
    return None, []


_GO_REPLACE = re.compile(r"=>\s*(\.{1,2}/|/)")


def _go_replace(ctx: BuildContext, path: str, text: str) -> Result:
    code = re.sub(r"//[^\n]*", "", text)
    if _GO_REPLACE.search(code):
        return _why("go-replace", path), []
    return None, []


def _conda_env(ctx: BuildContext, path: str, text: str) -> Result:
    data = yamlish.parse(text)
    deps = data.get("dependencies", []) if isinstance(data, dict) else None
    if not isinstance(deps, list):
        raise ValueError("no dependency list")
    for dep in deps:
        if isinstance(dep, dict):
            pip = dep.get("pip", [])
            if not isinstance(pip, list) or not all(isinstance(p, str) for p in pip):
                raise ValueError("pip section")
            if any(_REQ_LOCAL.search(p.strip()) or _REQ_OPTION.match(p.strip()) for p in pip):
                return f"{path}: its pip section installs or includes local files", []
        elif dep is yamlish.OPAQUE:
            raise ValueError("unreadable entry")
    return None, []


_CHECKS: dict[str, Callable[[BuildContext, str, str], Result]] = {
    "package-scripts": _package_scripts, "package-local-deps": _package_local_deps, "yarnrc-yml": _yarnrc_yml,
    "requirements": _requirements, "pyproject-paths": _pyproject_paths, "gemfile-paths": _gemfile_paths,
    "composer-scripts": _composer_scripts, "go-replace": _go_replace, "conda-env": _conda_env,
}

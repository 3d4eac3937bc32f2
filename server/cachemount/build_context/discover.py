"""Which build context a Dockerfile is built with.

1. The one given (`--context DIR`, the `cachemount.buildContext` setting).
2. Else a compose file (`compose.yaml`, `compose.yml`, `docker-compose.yml`, `docker-compose.yaml`:
   a service's `build:` string, or `build.context` + `build.dockerfile`) or a bake file
   (`docker-bake.hcl`, `docker-bake.json` and their `.override` files: a target's `context` +
   `dockerfile`, after `inherits`) that names this Dockerfile, in the Dockerfile's directory or the
   nearest parent that has one, up to the repository root (a directory with `.git`).
   Relative contexts are read from the file's directory; a Dockerfile from its context.
   When two of them name it with different contexts, the context is unknown.
3. Else the Dockerfile's directory.

A file the bounded readers cannot read (see yamlish.py, bake.py) is skipped, and so is a service or
target whose values interpolate variables. No Dockerfile path (stdin, an untitled editor buffer):
unknown (None), unless a context is given."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from . import yamlish
from .tree import BuildContext

if TYPE_CHECKING:
    from . import bake

COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
BAKE_FILES = ("docker-bake.json", "docker-bake.override.json", "docker-bake.hcl", "docker-bake.override.hcl")
MAX_LEVELS = 12                  # directories walked up from the Dockerfile's
MAX_CONFIG_BYTES = 512 * 1024    # a compose or bake file larger than this is skipped


class ContextError(Exception):
    """A given context directory that cannot be used (one line for the user)."""


def given(directory: str, dockerfile: str | None, origin: str) -> BuildContext:
    """The context named by the user; ContextError when it is no directory."""
    path = os.path.abspath(os.path.expanduser(directory))
    if not os.path.isdir(path):
        raise ContextError(f"{directory}: no such directory" if not os.path.exists(path)
                           else f"{directory}: not a directory")
    return BuildContext(path, dockerfile, origin)


def discover(dockerfile: str | None) -> BuildContext | None:
    """The context of the Dockerfile at `dockerfile` (steps 2 and 3 above)."""
    if not dockerfile:
        return None
    path = os.path.abspath(dockerfile)
    real = os.path.realpath(path)
    directory = os.path.dirname(path)
    for _ in range(MAX_LEVELS):
        found = _named_in(directory, real)
        if found is not None:
            contexts = {os.path.realpath(ctx) for ctx, _origin in found}
            if len(contexts) > 1:
                return None     # built with different contexts: nothing can be said for all of them
            ctx, origin = found[0]
            return BuildContext(ctx, path, origin)
        if os.path.isdir(os.path.join(directory, ".git")) or os.path.isfile(os.path.join(directory, ".git")):
            break
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return BuildContext(os.path.dirname(path), path, "the Dockerfile's directory")


def _named_in(directory: str, dockerfile_real: str) -> list[tuple[str, str]] | None:
    """(context dir, origin) of every compose service and bake target in `directory` that builds
    `dockerfile_real`; None when none does."""
    found: list[tuple[str, str]] = []
    for name in COMPOSE_FILES:
        text = _read(os.path.join(directory, name))
        if text is None:
            continue
        for service, context, dockerfile in compose_builds(text):
            ctx_dir = os.path.normpath(os.path.join(directory, context))
            if _same(os.path.join(ctx_dir, dockerfile), dockerfile_real):
                found.append((ctx_dir, f"{name} service {service!r}"))
    targets: list[bake.Target] = []
    names = []
    for name in BAKE_FILES:
        text = _read(os.path.join(directory, name))
        if text is None:
            continue
        from . import bake   # here: most directories have no bake file, and `check` starts without it
        try:
            targets += bake.parse_json(text) if name.endswith(".json") else bake.parse_hcl(text)
        except (bake.BakeError, RecursionError):
            continue
        names.append(name)
    for target, context, dockerfile in (bake.resolve(targets) if targets else ()):
        if not isinstance(context, str) or not isinstance(dockerfile, str) or not _local(context):
            continue
        context = context[len("cwd://"):] if context.startswith("cwd://") else context
        ctx_dir = os.path.normpath(os.path.join(directory, context))
        if _same(os.path.join(ctx_dir, dockerfile), dockerfile_real):
            found.append((ctx_dir, f"{'/'.join(names)} target {target!r}"))
    return found or None


def compose_builds(text: str) -> list[tuple[str, str, str]]:
    """(service, context, dockerfile) of each compose service whose build can be read."""
    try:
        data = yamlish.parse(text)
    except (yamlish.Unsupported, RecursionError):
        return []
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        return []
    out = []
    for name, service in services.items():
        if not isinstance(service, dict):
            continue
        build = service.get("build")
        if isinstance(build, str):
            context, dockerfile = build, "Dockerfile"
        elif isinstance(build, dict) and yamlish.MERGE not in build and "dockerfile_inline" not in build:
            context = build.get("context", ".")
            dockerfile = build.get("dockerfile", "Dockerfile")
        else:
            continue
        context, dockerfile = _interpolated(context), _interpolated(dockerfile)
        if isinstance(context, str) and isinstance(dockerfile, str) and _local(context):
            out.append((str(name), context, dockerfile))
    return out


def _interpolated(value: Any) -> Any:
    """A compose value without variables (`$$` is a literal `$`); None when it has some."""
    if not isinstance(value, str):
        return None
    if "$" in value.replace("$$", ""):
        return None
    return value.replace("$$", "$")


def _local(context: str) -> bool:
    """A directory, not a Git/HTTP URL or another kind of context."""
    if context.startswith("cwd://"):
        return True
    return "://" not in context and not context.startswith(("git@", "github.com/", "target:", "docker-image:"))


def _same(candidate: str, dockerfile_real: str) -> bool:
    return os.path.realpath(candidate) == dockerfile_real


def _read(path: str) -> str | None:
    from ..textio import TextError, read_regular_bytes
    try:
        if not os.path.isfile(path):
            return None
        data, _ = read_regular_bytes(path, MAX_CONFIG_BYTES)
        return data.decode("utf-8").lstrip("\ufeff")
    except (OSError, TextError, UnicodeDecodeError):
        return None

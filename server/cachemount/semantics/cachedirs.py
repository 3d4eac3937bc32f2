"""Where a manager's caches are for this RUN (user, environment, command-line options), and whether
a cache mount target covers them. Reads knowledge/managers.py; no path is written here.

Template semantics (knowledge/schema.py): `${VAR}` needs VAR set (non-empty) in the RUN's
environment, else that location does not apply and the next one is tried; `${HOME}` is `$HOME`
if set, else the user's passwd home; a leading `~` is the passwd home only (JVM `user.home`).
When the home is needed but unknown (a USER without a passwd entry we know), the path is None
and `why` says so instead of guessing. So it is when the tool's version moves the dir (CacheSpec.versions)
and the base image did not decide the version. A location, option or configured value under /dev
(`COMPOSER_CACHE_DIR=/dev/null`) turns the cache off (a defeat, see invocations.py): it is skipped, so the
path is where the tool caches once that is gone, never a device.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from fnmatch import fnmatchcase
from functools import lru_cache

from ..records import Record
from .invocations import Invocation, is_device
from ..knowledge.images import IMAGES, MANAGERS_ON_IMAGES
from ..knowledge.schema import CacheSpec, Location, ManagerSpec
from .userinfo import ROOT, UserInfo

__all__ = ["ResolvedCache", "resolve_caches", "expand", "covers", "intended_for", "never_mount_hit"]


def _normpath(path: str) -> str:
    """posixpath.normpath, and `//x` (POSIX keeps two leading slashes; `$HOME/.cache` with HOME=/)
    as `/x`."""
    path = posixpath.normpath(path)
    return "/" + path.lstrip("/") if path.startswith("//") else path


class ResolvedCache(Record):
    spec: CacheSpec
    path: str | None   # absolute, normalised; None when it cannot be known
    why: str           # 'PIP_CACHE_DIR', 'XDG_CACHE_HOME', 'default for root', '--cache-dir', or why unknown
    pattern: str | None = None          # glob when the path has a version component (`.../ruby/*/cache`)
    alternatives: tuple[str, ...] = ()  # resolved `equivalents`: mounts there count as covering too


# ---------------------------------------------------------------------------------------------
# Template expansion

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


class _Unknown(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def _home(env: Mapping[str, str], user: UserInfo, passwd_only: bool) -> str:
    if not passwd_only and env.get("HOME"):
        return env["HOME"]
    if user.home:
        return user.home
    raise _Unknown(f"the home of {user.describe()} is unknown")


def _expand(template: str, env: Mapping[str, str], user: UserInfo, list_sep: str | None = None) -> str:
    """Raises _Unknown (home unknown) or KeyError (a variable is unset or empty)."""
    text = template
    if text == "~" or text.startswith("~/"):
        text = _home(env, user, passwd_only=True) + text[1:]

    def sub(m: re.Match) -> str:
        name = m.group(1) or m.group(4)
        op, default = m.group(2), m.group(3)
        if name == "HOME":
            return _home(env, user, passwd_only=False)
        value = env.get(name)
        if op == ":-" and not value or op == "-" and value is None:
            return _expand(default or "", env, user)
        if not value:
            raise KeyError(name)
        if list_sep:
            value = value.split(list_sep)[0]
        return value

    return _VAR.sub(sub, text)


def expand(template: str, env: Mapping[str, str], user: UserInfo) -> str | None:
    """`${VAR}`, `$VAR`, `${VAR:-default}`, `${VAR-default}`, `${HOME}`, leading `~` (passwd home).
    None when a variable is unset/empty or the home is unknown."""
    try:
        return _expand(template, env, user)
    except (KeyError, _Unknown):
        return None


def _variables(template: str) -> list[str]:
    return [m.group(1) or m.group(4) for m in _VAR.finditer(template)]


def _normal(path: str, workdir: str | None) -> str | None:
    if not path.startswith("/"):
        if not workdir:
            return None
        path = posixpath.join(workdir, path)
    return _normpath(path)


def _who(user: UserInfo) -> str:
    return "root" if user.is_root else user.describe()


# ---------------------------------------------------------------------------------------------
# Resolution


def _resolve_location(loc: Location, env: Mapping[str, str], user: UserInfo) -> tuple[str, str] | None:
    """(expanded path, why), None if the location does not apply. Raises _Unknown."""
    if loc.when is not None:
        if user.uid is None:
            raise _Unknown(f"whether {user.describe()} is root is unknown (no uid)")
        if (loc.when == "root") != user.is_root:
            return None
    try:
        path = _expand(loc.template, env, user, loc.list_sep)
    except KeyError:
        return None
    names = [n for n in _variables(loc.template) if n != "HOME"]
    if names:
        return path, names[0]
    if "${HOME}" in loc.template or "$HOME" in loc.template:
        return path, "HOME" if env.get("HOME") else f"default for {_who(user)}"
    if loc.template.startswith("~"):
        return path, f"default for {_who(user)} (user.home)"
    return path, f"default for {_who(user)}" if loc.when else "default"


def _shell_value(raw: str, env: Mapping[str, str], user: UserInfo) -> str | None:
    """An option value as the shell sees it: `~` is $HOME (or the passwd home)."""
    if raw == "~" or raw.startswith("~/"):
        try:
            raw = _home(env, user, passwd_only=False) + raw[1:]
        except _Unknown:
            return None
    return expand(raw, env, user)


def _finish(spec: CacheSpec, path: str | None, why: str, env: Mapping[str, str], user: UserInfo,
            workdir: str | None) -> ResolvedCache:
    if path is None:
        return ResolvedCache(spec, None, why)
    full = _normal(path, workdir)
    if full is None:
        return ResolvedCache(spec, None, f"{why} is a relative path ({path}): it depends on the working directory")
    alternatives = []
    for template in spec.equivalents:
        alt = expand(template, env, user)
        if alt and alt.startswith("/"):
            alternatives.append(_normpath(alt))
    if "*" in full:
        return ResolvedCache(spec, None, f"{why}: {full} depends on the installed version", full, tuple(alternatives))
    return ResolvedCache(spec, full, why, None, tuple(alternatives))


def _unknown_version(spec: CacheSpec, manager: str, env: Mapping[str, str], user: UserInfo) -> ResolvedCache:
    paths = []
    for template, _label in spec.versions:
        got = expand(template, env, user)
        if got and got.startswith("/"):
            paths.append(_normpath(got))
    which = " or ".join(f"{template} for {label}" for template, label in spec.versions)
    return ResolvedCache(spec, None, f"it depends on which {manager} the base image has: {which}",
                         alternatives=tuple(paths))


def _resolve_spec(spec: CacheSpec, env: Mapping[str, str], user: UserInfo, workdir: str | None) -> ResolvedCache:
    try:
        for loc in spec.locations:
            got = _resolve_location(loc, env, user)
            if got is not None and not is_device(got[0]):
                return _finish(spec, got[0], got[1], env, user, workdir)
    except _Unknown as e:
        return ResolvedCache(spec, None, e.why)
    knobs = sorted({n for loc in spec.locations for n in _variables(loc.template) if n != "HOME"})
    hint = f" (set {' or '.join(knobs)})" if knobs else ""
    return ResolvedCache(spec, None, f"no default location is known for {_who(user)}{hint}")


def _merged_env(inv: Invocation, env: Mapping[str, str]) -> dict[str, str]:
    merged = dict(env)
    for name, value in inv.command.assignments:
        if "$" not in value:
            merged[name] = value
        elif name not in merged:  # callers that already merged expanded prefixes keep theirs
            got = expand(value, env, ROOT)
            if got is not None:
                merged[name] = got
    return merged


def _relevant(spec: CacheSpec, inv: Invocation) -> bool:
    if inv.role in ("clean", "other") or not spec.subcommands:
        return True
    if inv.subcommand in spec.subcommands:
        return True
    if spec.also_with_options:
        return any(w.text.split("=", 1)[0] in spec.also_with_options for w in inv.command.words[1:])
    return False


def resolve_caches(inv: Invocation, env: Mapping[str, str], user: UserInfo,
                   configured: Mapping[str, str] | None = None, workdir: str | None = None) -> list[ResolvedCache]:
    """The caches this invocation uses, resolved for `user` and `env` (the RUN's environment; the
    command's `VAR=x` prefixes are merged over it). Command-line options win over `configured`
    (cache key -> dir set earlier by a config command such as `pnpm config set store-dir`), which
    wins over the environment and defaults. Only caches relevant to the subcommand are returned."""
    merged = _merged_env(inv, env)
    from_options: dict[str, str] = {}
    for key, raw, _word in inv.option_dirs:
        from_options[key] = raw  # the last one wins, as for the tools' own option parsing
    out: list[ResolvedCache] = []
    for spec in inv.manager.caches:
        if not _relevant(spec, inv):
            continue
        if spec.versions and not inv.version_known:
            out.append(_unknown_version(spec, inv.manager.display, merged, user))
            continue
        if spec.key in from_options and not is_device(from_options[spec.key]):
            raw = from_options[spec.key]
            why = _option_name(inv, spec.key)
            value = _shell_value(raw, merged, user)
            if value is None:
                out.append(ResolvedCache(spec, None, f"{why} {raw} cannot be expanded here"))
            else:
                out.append(_finish(spec, value, why, merged, user, workdir))
            continue
        if configured and spec.key in configured and not is_device(configured[spec.key]):
            value = _shell_value(configured[spec.key], merged, user)
            if value is None:
                out.append(ResolvedCache(spec, None, f"configured {configured[spec.key]} cannot be expanded here"))
            else:
                out.append(_finish(spec, value, "configured", merged, user, workdir))
            continue
        out.append(_resolve_spec(spec, merged, user, workdir))
    return out


def _option_name(inv: Invocation, key: str) -> str:
    """'--cache-dir', '-Dmaven.repo.local', or 'config set store-dir' for the reason text."""
    words = inv.command.words
    for k, _raw, word in inv.option_dirs:
        if k != key:
            continue
        if word.text.startswith("-"):
            return word.text.split("=", 1)[0]
        for i, w in enumerate(words):
            if w is word and i > 0:
                prev = words[i - 1].text
                return prev if prev.startswith("-") else f"{inv.subcommand or ''} {prev}".strip()
        return inv.subcommand or "option"
    return "option"


# ---------------------------------------------------------------------------------------------
# Coverage


def _is_parent_or_same(parent: str, path: str) -> bool:
    return path == parent or (parent != "/" and path.startswith(parent + "/"))


def _glob_covers(target: str, pattern: str) -> bool:
    tc = target.strip("/").split("/")
    pc = pattern.strip("/").split("/")
    if target == "/" or len(tc) > len(pc):
        return False
    return all(fnmatchcase(a, b) for a, b in zip(tc, pc))


def covers(mount_target: str, resolved: ResolvedCache) -> bool:
    """A mount at `mount_target` keeps this cache: it is the dir, a parent of it (never `/`), one of
    its accepted subdirs (`registry/index`, `pkg/mod/cache`), or a version-dependent equivalent."""
    if not mount_target:
        return False
    target = _normpath(mount_target)
    if target == "/" or not target.startswith("/"):
        return False
    spec = resolved.spec
    bases = [p for p in (resolved.path,) if p] + list(resolved.alternatives)
    for base in bases:
        if _is_parent_or_same(target, base):
            return True
        for sub in spec.accepted_subdirs:
            if target == posixpath.join(base, sub):
                return True
    if resolved.pattern:
        if _glob_covers(target, resolved.pattern):
            return True
        for sub in spec.accepted_subdirs:
            if _glob_covers(target, posixpath.join(resolved.pattern, sub)) and \
                    target.count("/") == posixpath.join(resolved.pattern, sub).count("/"):
                return True
    return False


# ---------------------------------------------------------------------------------------------
# Intent: does a mount look meant for this manager? (CM102 "wrong target" vs CM101 "unrelated")

# Path components too common to say which manager a mount is for.
_GENERIC = frozenset({
    "", "cache", ".cache", "caches", "store", "registry", "packages", "pkgs", "db", "git", "install", "lib", "var",
    "share", "local", "usr", "root", "home", "tmp", "opt", "data", "bin", "ruby", "mod", "pkg", "v1", "boot",
    "index", "archives", "lists", "repository", "wrapper", "modules-2", "download", "artifacts", "etc", "app",
    "src", "build", "berry", "state", "*",
})
_TOKEN = r"[-_.]"  # compiled on first use (re's cache), not at every start


class _Intent(Record):
    paths: tuple[str, ...]          # absolute dirs (defaults for root, official images' env values)
    globs: tuple[str, ...]          # absolute globs (version components)
    home_tails: tuple[str, ...]     # tails under a home: `.cache/pip` matches /root/... and /home/x/...
    tails: tuple[str, ...]          # multi-component tails after a variable: `pkg/mod`, `git/db`
    names: frozenset[str]           # path components/tokens naming the manager


def _image_envs() -> list[dict[str, str]]:
    envs: list[dict[str, str]] = [{}]
    for image in IMAGES:
        if image.env:
            envs.append(dict(image.env))
    return envs


def _templates(manager: ManagerSpec):
    for spec in manager.caches:
        for loc in spec.locations:
            yield spec, loc.template, loc.list_sep
        for eq in spec.equivalents:
            yield spec, eq, None
        for template, _label in spec.versions:
            yield spec, template, None


def _build_intent(manager: ManagerSpec, envs: list[dict[str, str]]) -> _Intent:
    paths: set[str] = set()
    globs: set[str] = set()
    home_tails: set[str] = set()
    tails: set[str] = set()
    names: set[str] = {manager.key.lower()}
    # Executables that are this manager on some base image name it too (`yum` and `dnf` for dnf5).
    on_images = tuple(e.executable for e in MANAGERS_ON_IMAGES if e.manager == manager.key)
    for exe in manager.executables + on_images:
        if not any(c in exe for c in "*?["):
            base = exe[3:] if exe.startswith("xx-") else exe
            names.add(base.lower())
    for spec, template, sep in _templates(manager):
        for env in envs:
            try:
                got = _expand(template, env, ROOT, sep)
            except (KeyError, _Unknown):
                continue
            if not got.startswith("/"):
                continue
            got = _normpath(got)
            for p in [got] + [posixpath.join(got, s) for s in spec.accepted_subdirs]:
                (globs if "*" in p else paths).add(p)
        head, _, tail = template.partition("/")
        if tail and (head in ("~", "${HOME}", "$HOME")):
            home_tails.add(tail)
        elif tail and head.startswith("$") and ("/" in tail or tail not in _GENERIC):
            tails.add(tail)
        for comp in template.split("/"):
            if comp.startswith("$") or comp.startswith("~"):
                continue
            low = comp.lower()
            if low not in _GENERIC:
                names.add(low.lstrip("."))
    names = {n for n in names if n and n not in _GENERIC}
    return _Intent(tuple(sorted(paths)), tuple(sorted(globs)), tuple(sorted(home_tails)), tuple(sorted(tails)),
                   frozenset(names))


# Built on first use per manager (only RUNs with cache mounts ask), then kept.
_INTENT: dict[str, _Intent] = {}
_ENVS: list[dict[str, str]] = []


def _intent(manager: ManagerSpec) -> _Intent:
    got = _INTENT.get(manager.key)
    if got is None:
        if not _ENVS:
            _ENVS.extend(_image_envs())
        got = _INTENT[manager.key] = _build_intent(manager, _ENVS)
    return got


def _depth(path: str) -> int:
    return len([c for c in path.split("/") if c])


@lru_cache(maxsize=4096)
def _intended(target: str, key: str) -> bool:
    intent = _INTENT[key]
    for p in intent.paths:
        if _is_parent_or_same(p, target):
            return True  # the dir itself or somewhere under it (a partial or too deep mount)
        if _depth(target) >= 2 and _is_parent_or_same(target, p):
            return True  # a parent such as /root/.cache or /var/cache
    tc = [c for c in target.split("/") if c]
    for g in intent.globs:
        gc = [c for c in g.split("/") if c]
        n = min(len(tc), len(gc))
        if all(fnmatchcase(a, b) for a, b in zip(tc[:n], gc[:n])) and (len(tc) >= len(gc) or len(tc) >= 2):
            return True  # under the glob, or a parent of it (not a top-level dir)
    for tail in intent.home_tails:
        for prefix in ("/root/", "/home/"):
            if not target.startswith(prefix):
                continue
            rest = target[len(prefix):]
            if prefix == "/home/":
                rest = rest.partition("/")[2]
            if rest == tail or rest.startswith(tail + "/"):
                return True
    for tail in intent.tails:
        if "*" in tail:
            if fnmatchcase(target, "*/" + tail) or fnmatchcase(target, "*/" + tail + "/*"):
                return True
        elif target.endswith("/" + tail) or ("/" + tail + "/") in target:
            return True
    for comp in target.split("/"):
        low = comp.lower()
        if not low:
            continue
        if low in intent.names or low.lstrip(".") in intent.names:
            return True
        if any(tok in intent.names for tok in re.split(_TOKEN, low) if tok):
            return True
    return False


def intended_for(mount_target: str, manager: ManagerSpec) -> bool:
    """Does a cache mount at this target look meant for this manager? True for its default dirs
    (root, any /home/<user>, official images' env values) and what lies under or just above them,
    for paths ending like its defaults (`.cache/pip`, `pkg/mod`, `.m2`), and for paths naming it
    (`/pip-cache`, `/frontend/.cache/pnpm`). Tells CM102 'wrong target' from an unrelated mount."""
    if not mount_target:
        return False
    target = _normpath(mount_target)
    if target == "/" or not target.startswith("/"):
        return False
    if manager.key not in _INTENT:
        _intent(manager)
    return _intended(target, manager.key)


def never_mount_hit(mount_target: str, manager: ManagerSpec, env: Mapping[str, str],
                    user: UserInfo) -> str | None:
    """The never_mount entry a cache mount at this target would hide (`${CARGO_HOME}/bin` for a
    mount on all of CARGO_HOME, `node_modules`), or None."""
    if not mount_target:
        return None
    target = _normpath(mount_target)
    comps = [c for c in target.split("/") if c]
    for spec in manager.caches:
        for entry in spec.never_mount:
            if entry.startswith(("/", "$", "~")):
                path = expand(entry, env, user)
                if not path or not path.startswith("/"):
                    continue
                path = _normpath(path)
                if _is_parent_or_same(target, path) or _is_parent_or_same(path, target):
                    return path
            else:
                parts = [c for c in entry.split("/") if c]
                n = len(parts)
                if any(comps[i:i + n] == parts for i in range(len(comps) - n + 1)):
                    return entry
    return None

"""Simple commands -> package-manager invocations (which manager, which subcommand, what role).

Reads knowledge/managers.py (see its docstring for the conventions of subcommand paths, clean
entries and wildcards). Everything derived from the tables is precomputed at import: recognize()
runs for every simple command on every keystroke, so it does dict lookups and no regex
compilation.

Roles:
- 'download': downloads or builds dependencies; the manager's cache helps;
- 'consume':  reads the cache without downloading (`dotnet publish --no-restore`, `gradle --offline`,
              `pnpm install --offline`): it needs the same mount as the step that filled it;
- 'clean':    empties the cache (`pip cache purge`, `apt-get clean`, `go clean -modcache`);
- 'other':    anything else (`pip --version`, `npm run build`, `apt-get purge`, config commands).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase, translate
from functools import lru_cache
from typing import Iterable, Sequence

from ..knowledge.managers import LAUNCHERS, MANAGERS, PYTHON_EXECUTABLES, PYTHON_OPTIONS_WITH_VALUE
from ..knowledge.schema import DepStep, ManagerSpec
from ..shell.model import SimpleCommand, Word

__all__ = ["Invocation", "recognize", "matches_dep_step", "manager_for_executable"]


@dataclass(frozen=True)
class Invocation:
    manager: ManagerSpec
    command: SimpleCommand
    subcommand: str | None          # canonical matched subcommand path ('install', 'mod download'); None: none
    subcommand_words: tuple[Word, ...]
    role: str                       # 'download' | 'consume' | 'clean' | 'other'
    positionals: tuple[Word, ...]   # non-option args after the subcommand (packages, paths)
    option_dirs: tuple[tuple[str, str, Word], ...]  # (cache key, dir, word) from cli_options / config commands
    defeats: tuple[tuple[Word, str], ...]           # words that defeat the cache, with reason


# Flags that ask for information only: with them and no subcommand, a default subcommand
# (bare `yarn` = `yarn install`) does not apply.
_INFO_FLAGS = frozenset({"--version", "-v", "-V", "--help", "-h", "help", "version"})


# ---------------------------------------------------------------------------------------------
# Precomputed tables


@dataclass(frozen=True)
class _CleanEntry:
    words: tuple[str, ...]
    flags: tuple[frozenset[str], ...]  # each group: one of these options must appear


@dataclass(frozen=True)
class _Table:
    spec: ManagerSpec
    value_options: frozenset[str]
    aliases: dict[str, str]
    paths: dict[tuple[str, ...], str]     # canonical word tuple -> path string
    max_depth: int
    wildcard: bool                        # download contains '*': every positional is a task/goal
    named_tasks: frozenset[str]           # for wildcard managers: tasks named in some table
    download: frozenset[str]
    consume: frozenset[str]
    clean: tuple[_CleanEntry, ...]
    consume_flags: frozenset[str]
    no_download_flags: frozenset[str]
    implied: dict[str, tuple[str, ...]]   # executable -> implied subcommand words (uvx -> tool run)
    selectors: frozenset[str]             # selected_by words/options (no '@')
    version_selectors: tuple[str, ...]    # selected_by `name@version` patterns
    cli_options: tuple[tuple[str, str], ...]  # (option, cache key)
    config: dict[tuple[str, ...], tuple[tuple[str, str], ...]]  # subcommand words -> ((config key, cache key), ...)
    local_only: tuple[str, ...]
    manifest_options: frozenset[str]


def _split_path(path: str) -> tuple[str, ...]:
    return tuple(path.split())


def _build_table(spec: ManagerSpec) -> _Table:
    value_options = set(spec.global_options_with_value) | set(spec.options_with_value)
    for cache in spec.caches:
        value_options.update(o for o in cache.cli_options if not o.startswith("-D"))
    value_options.update(spec.manifest_options)
    aliases = dict(spec.aliases)
    paths: dict[tuple[str, ...], str] = {}
    wildcard = "*" in spec.download
    names: list[str] = [p for p in spec.download if p != "*"]
    names += list(spec.consume)
    names += [s.subcommand for s in spec.dep_steps + spec.second_steps]
    names += list(spec.build_steps)
    names += [c[0] for c in spec.config_commands if not c[0].startswith("-")]
    for cache in spec.caches:
        names += list(cache.subcommands)
    clean: list[_CleanEntry] = []
    for entry in spec.clean_subcommands:
        words = tuple(w for w in entry.split() if not w.startswith("-"))
        flags = tuple(frozenset(w.split("|")) for w in entry.split() if w.startswith("-"))
        clean.append(_CleanEntry(words, flags))
        if words:
            names.append(" ".join(words))
    for name in names:
        paths[_split_path(name)] = name
    config: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for sub, key, cache_key in spec.config_commands:
        config.setdefault(tuple(w for w in sub.split() if not w.startswith("-")), []).append((key, cache_key))
    implied = {exe: _split_path(sub) for exe, sub in spec.executable_subcommands}
    for words in implied.values():
        paths.setdefault(words, " ".join(words))
    selectors = frozenset(s for s in spec.selected_by if "@" not in s)
    version_selectors = tuple(s for s in spec.selected_by if "@" in s)
    cli_options = tuple((o, c.key) for c in spec.caches for o in c.cli_options)
    named_tasks = frozenset(w for p in paths for w in p) if wildcard else frozenset()
    return _Table(
        spec=spec,
        value_options=frozenset(value_options),
        aliases=aliases,
        paths=paths,
        max_depth=max((len(p) for p in paths), default=1),
        wildcard=wildcard,
        named_tasks=named_tasks,
        download=frozenset(p for p in spec.download if p != "*"),
        consume=frozenset(spec.consume),
        clean=tuple(clean),
        consume_flags=frozenset(spec.consume_when_flags),
        no_download_flags=frozenset(spec.no_download_flags),
        implied=implied,
        selectors=selectors,
        version_selectors=version_selectors,
        cli_options=cli_options,
        config={k: tuple(v) for k, v in config.items()},
        local_only=spec.local_only_positionals,
        manifest_options=frozenset(spec.manifest_options),
    )


_TABLES: dict[str, _Table] = {m.key: _build_table(m) for m in MANAGERS}


def _index(attr: str) -> tuple[dict[str, tuple[ManagerSpec, ...]], tuple[tuple[re.Pattern, ManagerSpec], ...]]:
    exact: dict[str, list[ManagerSpec]] = {}
    globs: list[tuple[re.Pattern, ManagerSpec]] = []
    for m in MANAGERS:
        for name in getattr(m, attr):
            if any(c in name for c in "*?["):
                globs.append((re.compile(translate(name)), m))
            else:
                exact.setdefault(name, []).append(m)
    return {k: tuple(v) for k, v in exact.items()}, tuple(globs)


_BY_EXE, _BY_EXE_GLOB = _index("executables")
_BY_MODULE, _ = _index("python_modules")
_BY_LAUNCHER, _BY_LAUNCHER_GLOB = _index("launched_by")
_PYTHON = re.compile("|".join(f"(?:{translate(p)})" for p in PYTHON_EXECUTABLES))
_PY_VALUE_OPTS = frozenset(PYTHON_OPTIONS_WITH_VALUE)
_LAUNCHER_SET = frozenset(LAUNCHERS)


# Names longer than this are matched without caching: every keystroke in a long first word
# would otherwise keep one more long key (executable names are short).
_MAX_CACHED_NAME = 64


def manager_for_executable(name: str) -> tuple[ManagerSpec, ...]:
    """Managers whose executable matches this basename (`pip3.12`, `mvnw`), in table order."""
    return _managers_cached(name) if len(name) <= _MAX_CACHED_NAME else _managers(name)


def _managers(name: str) -> tuple[ManagerSpec, ...]:
    found = list(_BY_EXE.get(name, ()))
    for rx, m in _BY_EXE_GLOB:
        if m not in found and rx.fullmatch(name):
            found.append(m)
    return tuple(found)


_managers_cached = lru_cache(maxsize=2048)(_managers)


def _launched(name: str) -> tuple[ManagerSpec, ...]:
    return _launched_cached(name) if len(name) <= _MAX_CACHED_NAME else _launchers(name)


def _launchers(name: str) -> tuple[ManagerSpec, ...]:
    found = list(_BY_LAUNCHER.get(name, ()))
    for rx, m in _BY_LAUNCHER_GLOB:
        if m not in found and rx.fullmatch(name):
            found.append(m)
    return tuple(found)


_launched_cached = lru_cache(maxsize=256)(_launchers)


def _basename(text: str) -> str:
    return text.rsplit("/", 1)[-1]


# ---------------------------------------------------------------------------------------------
# Recognition


def recognize(cmd: SimpleCommand) -> list[Invocation]:
    """The package-manager invocations of one simple command (usually zero or one)."""
    words = cmd.words
    if not words:
        return []
    name = _basename(words[0].text)
    start = 1
    exe: str | None = name
    version: str | None = None
    candidates = manager_for_executable(name)
    if not candidates:
        if name in _LAUNCHER_SET and len(words) > 1:
            # corepack pnpm install / corepack yarn@4.1.0 install
            exe, _, version = words[1].text.partition("@")
            exe = _basename(exe)
            candidates = manager_for_executable(exe)
            start = 2
            version = words[1].text if version else None
        elif _PYTHON.fullmatch(name):
            found = _python_module(words)
            if found is None:
                return []
            candidates, start = found
            exe = None
        else:
            launched = _launched(name)
            if launched and len(words) > 1:
                script = _basename(words[1].text)
                candidates = tuple(m for m in launched if any(fnmatchcase(script, e) for e in m.executables))
                exe = script
                start = 2
    if not candidates:
        return []
    table = _select(candidates, words[start:], version)
    return [_invocation(table, cmd, start, exe)]


def _python_module(words: Sequence[Word]) -> tuple[tuple[ManagerSpec, ...], int] | None:
    """`python [opts] -m pip ...`, `python -mpip ...` -> (managers, index of the first manager arg)."""
    i = 1
    n = len(words)
    while i < n:
        t = words[i].text
        if t == "-m" and i + 1 < n:
            mods = _BY_MODULE.get(words[i + 1].text)
            return (mods, i + 2) if mods else None
        if t.startswith("-m") and len(t) > 2:
            mods = _BY_MODULE.get(t[2:])
            return (mods, i + 1) if mods else None
        if not t.startswith("-") or t == "-":
            return None  # a script or `-`: not a module run
        if t in _PY_VALUE_OPTS:
            i += 2
            continue
        i += 1
    return None


def _select(candidates: tuple[ManagerSpec, ...], args: Sequence[Word], version: str | None) -> _Table:
    if len(candidates) == 1:
        return _TABLES[candidates[0].key]
    texts = [w.text.split("=", 1)[0] for w in args]
    default = None
    for m in candidates:
        t = _TABLES[m.key]
        if not m.selected_by:
            default = default or t
            continue
        if version and any(fnmatchcase(version, p) for p in t.version_selectors):
            return t
        if any(x in t.selectors for x in texts):
            return t
    return default or _TABLES[candidates[0].key]


def _is_option(text: str) -> bool:
    return len(text) > 1 and text[0] == "-"


def _takes_value(table: _Table, text: str) -> bool:
    """Does this option consume the next word as its value?"""
    return text in table.value_options  # `--opt=value` and attached `-rfile` are single words


def _scan(table: _Table, args: Sequence[Word]) -> tuple[list[int], list[int]]:
    """Indices (into args) of non-option words, and of option words. Values of options that take
    one are neither. Everything after `--` is a non-option word."""
    plain: list[int] = []
    options: list[int] = []
    i, n = 0, len(args)
    while i < n:
        t = args[i].text
        if t == "--":
            plain.extend(range(i + 1, n))
            break
        if _is_option(t):
            options.append(i)
            if _takes_value(table, t) and i + 1 < n:
                i += 2
                continue
            i += 1
            continue
        plain.append(i)
        i += 1
    return plain, options


def _match_path(table: _Table, plain_words: list[str]) -> tuple[str | None, int]:
    """Longest known subcommand path that the leading plain words spell (aliases applied)."""
    canon = [table.aliases.get(w, w) for w in plain_words[:table.max_depth]]
    for depth in range(len(canon), 0, -1):
        path = table.paths.get(tuple(canon[:depth]))
        if path is not None:
            return path, depth
    return None, 0


def _invocation(table: _Table, cmd: SimpleCommand, start: int, exe: str | None) -> Invocation:
    spec = table.spec
    args = cmd.words[start:]
    plain, options = _scan(table, args)
    option_texts = {args[i].text.split("=", 1)[0] if args[i].text.startswith("--") else args[i].text
                    for i in options}
    plain_texts = [args[i].text for i in plain]

    implied = table.implied.get(exe or "", ())
    subcommand: str | None = None
    sub_idx: list[int] = []
    rest: list[int] = plain
    role = "other"

    if table.wildcard:
        subcommand, sub_idx, rest, role = _tasks(table, args, plain, option_texts)
    else:
        if implied:
            words_for_match = list(implied) + plain_texts
            path, depth = _match_path(table, words_for_match)
            consumed = max(0, depth - len(implied))
        else:
            path, depth = _match_path(table, plain_texts)
            consumed = depth
        sub_idx = plain[:consumed]
        rest = plain[consumed:]
        subcommand = path
        clean = _clean_match(table, path, option_texts)
        if clean:
            role = "clean"
        elif path is None and not plain and spec.default_subcommand and not (option_texts & _INFO_FLAGS):
            subcommand = spec.default_subcommand
            role = _role_for(table, subcommand, option_texts, [args[i] for i in rest])
        elif path is not None:
            role = _role_for(table, path, option_texts, [args[i] for i in rest])

    positionals = tuple(args[i] for i in rest)
    option_dirs = _option_dirs(table, args, subcommand, positionals)
    defeats = _defeats(spec, args, options, subcommand) if role != "other" else ()
    return Invocation(spec, cmd, subcommand, tuple(args[i] for i in sub_idx), role, positionals,
                      option_dirs, defeats)


def _tasks(table: _Table, args: Sequence[Word], plain: list[int], option_texts: set[str]):
    """Maven/Gradle/sbt/ccache: every positional is a task (goal, phase, compiler)."""
    texts = [args[i].text for i in plain]
    for entry in table.clean:
        if not entry.words and entry.flags and all(g & option_texts for g in entry.flags):
            return None, [], list(plain), "clean"
    if not plain:
        return None, [], [], "other"
    for entry in table.clean:
        if entry.words and entry.words[0] in texts and all(g & option_texts for g in entry.flags):
            i = plain[texts.index(entry.words[0])]
            return entry.words[0], [i], [j for j in plain if j != i], "clean"
    chosen = 0
    for k, t in enumerate(texts):
        if t in table.named_tasks:
            chosen = k
            break
    i = plain[chosen]
    role = "consume" if option_texts & table.consume_flags else "download"
    if option_texts & table.no_download_flags:
        role = "other"
    return texts[chosen], [i], [j for j in plain if j != i], role


def _clean_match(table: _Table, path: str | None, option_texts: set[str]) -> bool:
    words = tuple(path.split()) if path else ()
    for entry in table.clean:
        if entry.words != words:
            continue
        if all(group & option_texts for group in entry.flags):
            return True
    return False


def _role_for(table: _Table, path: str, option_texts: set[str], positionals: list[Word]) -> str:
    if path in table.consume:
        return "consume"
    if path not in table.download:
        return "other"
    if option_texts & table.consume_flags:
        return "consume"
    if option_texts & table.no_download_flags:
        return "other"
    if table.local_only and positionals and not (option_texts & table.manifest_options):
        if all(any(fnmatchcase(w.text, p) for p in table.local_only) for w in positionals):
            return "other"
    return "download"


def _option_value(args: Sequence[Word], i: int, option: str) -> tuple[str, Word] | None:
    t = args[i].text
    if t == option and not option.startswith("-D") and i + 1 < len(args):
        return args[i + 1].text, args[i + 1]
    if t.startswith(option + "="):
        return t[len(option) + 1:], args[i]
    return None


def _option_dirs(table: _Table, args: Sequence[Word], subcommand: str | None,
                 positionals: tuple[Word, ...]) -> tuple[tuple[str, str, Word], ...]:
    out: list[tuple[str, str, Word]] = []
    if table.cli_options:
        for i in range(len(args)):
            for option, key in table.cli_options:
                got = _option_value(args, i, option)
                if got is not None and got[0]:
                    out.append((key, got[0], got[1]))
    if table.config and subcommand is not None:
        keys = table.config.get(tuple(subcommand.split()))
        if keys:
            out.extend(_config_values(keys, args, positionals))
    return tuple(out)


def _config_values(keys: Iterable[tuple[str, str]], args: Sequence[Word], positionals: tuple[Word, ...]):
    """`pnpm config set store-dir X`, `npm config set cache=X`, `poetry config cache-dir X`,
    `conda config --add pkgs_dirs X` (the key may be an option's value: scan all words)."""
    texts = [w.text for w in args]
    for key, cache_key in keys:
        for i, t in enumerate(texts):
            if t == key and i + 1 < len(args):
                yield cache_key, args[i + 1].text, args[i + 1]
                break
            if t.startswith(key + "="):
                yield cache_key, t[len(key) + 1:], args[i]
                break


def _defeats(spec: ManagerSpec, args: Sequence[Word], options: list[int],
             subcommand: str | None) -> tuple[tuple[Word, str], ...]:
    out: list[tuple[Word, str]] = []
    for i in options:
        w = args[i]
        t = w.text
        for d in spec.option_defeats:
            if d.subcommands and subcommand not in d.subcommands:
                continue
            if _defeat_matches(d.option, d.prefix_ok, t):
                out.append((w, d.reason))
                break
    return tuple(out)


def _defeat_matches(option: str, prefix_ok: bool, text: str) -> bool:
    if "=" in option:
        return text == option
    name = text.split("=", 1)[0] if text.startswith("--") else text
    if name == option:
        return True
    if prefix_ok and option.startswith(name) and name.startswith("--"):
        shortest = option.rsplit("-", 1)[0]
        return len(name) >= len(shortest)
    return False


# ---------------------------------------------------------------------------------------------
# Dependency steps (CM201)


def _arg_matches(token: str, texts: Sequence[str]) -> bool:
    for t in texts:
        if t == token:
            return True
        if token.startswith("--") and t.startswith(token + "="):
            return True
        if len(token) == 2 and token[0] == "-" and token[1] != "-" and t.startswith(token) and not t.startswith("--"):
            return True
    return False


def matches_dep_step(inv: Invocation, steps: Sequence[DepStep]) -> bool:
    """Does the invocation match one of these DepSteps (same subcommand, required args present,
    forbidden ones absent, and no positional package when `no_positionals`)?"""
    if inv.subcommand is None or not steps:
        return False
    texts = [w.text for w in inv.command.words[1:]]
    for step in steps:
        if step.subcommand != inv.subcommand:
            continue
        if step.require_any and not any(_arg_matches(tok, texts) for tok in step.require_any):
            continue
        if step.forbid_any and any(_arg_matches(tok, texts) for tok in step.forbid_any):
            continue
        if step.no_positionals and inv.positionals:
            continue
        return True
    return False

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

Given the RUN's base image, an executable is the manager knowledge/images.py MANAGERS_ON_IMAGES says
it is there (`yum` is dnf on EL8 and later), and the invocation's `version_known` is set.
"""
from __future__ import annotations

import re
from fnmatch import fnmatchcase, translate
from functools import lru_cache
from typing import Iterable, Sequence

from ..records import Record
from ..knowledge.images import MANAGERS_ON_IMAGES
from ..knowledge.managers import BY_KEY, LAUNCHERS, MANAGERS, PYTHON_EXECUTABLES, PYTHON_OPTIONS_WITH_VALUE
from ..knowledge.schema import DepStep, EnvDefeat, ManagerOnImage, ManagerSpec
from ..shell.model import SimpleCommand, Word
from . import base_images

__all__ = ["Invocation", "recognize", "matches_dep_step", "manager_for_executable", "manager_on_image",
           "env_defeat_applies", "is_device"]


class Invocation(Record):
    manager: ManagerSpec
    command: SimpleCommand
    subcommand: str | None          # canonical matched subcommand path ('install', 'mod download'); None: none
    subcommand_words: tuple[Word, ...]
    role: str                       # 'download' | 'consume' | 'clean' | 'other'
    positionals: tuple[Word, ...]   # non-option args after the subcommand (packages, paths)
    option_dirs: tuple[tuple[str, str, Word], ...]  # (cache key, dir, word) from cli_options / config commands
    defeats: tuple[tuple[Word, str], ...]           # words that defeat the cache, with reason (`--cache-dir
                                                    # /dev/null` is one word spanning option and value)
    replacements: tuple[tuple[Word, str], ...] = ()  # defeat words a fix replaces rather than removes, and
                                                    # with what (apk `--no-cache` -> `--update-cache`)
    version_known: bool = False     # the base image decided which manager (and version) this is
    local_project: bool = False     # installs only the local project (`pip install .`, `pip install -e /src`)


# Flags that ask for information only: with them and no subcommand, a default subcommand
# (bare `yarn` = `yarn install`) does not apply.
_INFO_FLAGS = frozenset({"--version", "-v", "-V", "--help", "-h", "help", "version"})


# ---------------------------------------------------------------------------------------------
# Precomputed tables


class _CleanEntry(Record):
    words: tuple[str, ...]
    flags: tuple[frozenset[str], ...]  # each group: one of these options must appear


class _Table(Record):
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


_TABLES: dict[str, _Table] = {}   # built on first use: a Dockerfile runs a few of the managers


def _table(key: str) -> _Table:
    table = _TABLES.get(key)
    if table is None:
        table = _TABLES[key] = _build_table(BY_KEY[key])
    return table


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
_ON_IMAGE: dict[str, tuple[ManagerOnImage, ...]] = {}
for _entry in MANAGERS_ON_IMAGES:
    _ON_IMAGE[_entry.executable] = _ON_IMAGE.get(_entry.executable, ()) + (_entry,)
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


def manager_on_image(executable: str, base: str | None) -> str | None:
    """The manager key `executable` is on this base image (MANAGERS_ON_IMAGES), or None when the image
    does not say (unknown base, or no entry for it)."""
    if executable not in _ON_IMAGE:
        return None
    if base is not None and len(base) > _MAX_CACHED_NAME * 4:
        return _find_on_image(executable, base)  # not cached: one long key per keystroke otherwise
    return _on_image_cached(executable, base)


def _find_on_image(executable: str, base: str | None) -> str | None:
    ref = base_images.parse_ref(base) if base else None
    family = base_images.os_family(base) if base and ref else None
    with_tag = f"{ref.name}:{ref.tag}" if ref and ref.tag else None
    for entry in _ON_IMAGE[executable]:
        if not entry.images and not entry.families:
            return entry.manager
        if ref is None:
            continue
        for pattern in entry.images:
            subject = with_tag if ":" in pattern else ref.name
            if subject is not None and fnmatchcase(subject, pattern):
                return entry.manager
        if family in entry.families and (
                not entry.tags or ref.tag is not None and any(fnmatchcase(ref.tag, t) for t in entry.tags)):
            return entry.manager
    return None


_on_image_cached = lru_cache(maxsize=1024)(_find_on_image)


# ---------------------------------------------------------------------------------------------
# Recognition


def recognize(cmd: SimpleCommand, base: str | None = None) -> list[Invocation]:
    """The package-manager invocations of one simple command (usually zero or one). `base` is the RUN's
    base image (the lineage's first FROM, expanded), which may decide what an executable is."""
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
    mapped = manager_on_image(exe, base) if exe else None
    if mapped is not None and mapped in BY_KEY:
        return [_invocation(_table(mapped), cmd, start, exe, version_known=True)]
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
        return _table(candidates[0].key)
    texts = [w.text.split("=", 1)[0] for w in args]
    default = None
    for m in candidates:
        t = _table(m.key)
        if not m.selected_by:
            default = default or t
            continue
        if version and any(fnmatchcase(version, p) for p in t.version_selectors):
            return t
        if any(x in t.selectors for x in texts):
            return t
    return default or _table(candidates[0].key)


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


def _invocation(table: _Table, cmd: SimpleCommand, start: int, exe: str | None,
                version_known: bool = False) -> Invocation:
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
    defeats: tuple[tuple[Word, str], ...] = ()
    replacements: tuple[tuple[Word, str], ...] = ()
    if role != "other":
        defeats, replacements = _defeats(table, args, options, subcommand)
    local = role == "download" and _local_project(table, args, subcommand, positionals, option_texts)
    return Invocation(spec, cmd, subcommand, tuple(args[i] for i in sub_idx), role, positionals,
                      option_dirs, defeats, replacements, version_known, local)


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


def is_device(value: str) -> bool:
    """A cache dir under /dev (`/dev/null`): the tool keeps no cache there, and it is no mount target."""
    value = value.strip()
    return value == "/dev" or value.startswith("/dev/")


_TRUTHY = frozenset({"1", "true", "yes", "on", "y", "t"})


def env_defeat_applies(defeat: EnvDefeat, value: str) -> bool:
    """Does this value of the variable turn the cache off (EnvDefeat.when: any, truthy, device)?"""
    if defeat.when == "truthy":
        return value.strip().lower() in _TRUTHY
    if defeat.when == "device":
        return is_device(value)
    return value != ""   # 'any': pip ignores an empty value ("Ignoring configuration key ... value is empty")


def _defeats(table: _Table, args: Sequence[Word], options: list[int], subcommand: str | None
             ) -> tuple[tuple[tuple[Word, str], ...], tuple[tuple[Word, str], ...]]:
    """Defeating option words with reasons, and those of them a fix replaces (with what)."""
    spec = table.spec
    out: list[tuple[Word, str]] = []
    replaced: list[tuple[Word, str]] = []
    texts = {args[i].text.split("=", 1)[0] if args[i].text.startswith("--") else args[i].text for i in options}
    for i in options:
        w = args[i]
        t = w.text
        for d in spec.option_defeats:
            if d.subcommands and subcommand not in d.subcommands:
                continue
            if _defeat_matches(d.option, d.prefix_ok, t):
                out.append((w, d.reason))
                if d.replacement and not texts & set(d.replacement):
                    replaced.append((w, d.replacement[0]))
                break
        else:
            got = _device_option(table, args, i)
            if got is not None:
                out.append(got)
    return tuple(out), tuple(replaced)


def _device_option(table: _Table, args: Sequence[Word], i: int) -> tuple[Word, str] | None:
    """`--cache-dir /dev/null` (or `=/dev/null`, or an empty value): the cache is off. One word spanning
    option and value, so removing it removes both."""
    for option, _key in table.cli_options:
        got = _option_value(args, i, option)
        if got is None:
            continue
        value, value_word = got
        if value and not is_device(value):
            return None
        w = args[i]
        if value_word is not w:
            w = Word(f"{w.text} {value_word.text}", w.start, value_word.end, w.quoted or value_word.quoted)
        what = f"points {table.spec.display}'s cache at {value}" if value else "leaves the cache dir empty"
        return w, f"{what} (no cache at all)"
    return None


def _local_project(table: _Table, args: Sequence[Word], subcommand: str | None, positionals: tuple[Word, ...],
                   option_texts: set[str]) -> bool:
    """Every package argument names a local project (`pip install .`, `pip install -e /src`) and no
    manifest option is given."""
    spec = table.spec
    if subcommand not in spec.local_project_subcommands or option_texts & table.manifest_options:
        return False
    packages = [w.text for w in positionals]
    for i, w in enumerate(args):
        t = w.text
        for option in spec.editable_options:
            if t == option and i + 1 < len(args):
                packages.append(args[i + 1].text)
            elif option.startswith("--") and t.startswith(option + "="):
                packages.append(t[len(option) + 1:])
            elif not option.startswith("--") and t.startswith(option) and len(t) > len(option):
                packages.append(t[len(option):])
    return bool(packages) and all(any(fnmatchcase(p, pat) for pat in spec.local_project_args) for p in packages)


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

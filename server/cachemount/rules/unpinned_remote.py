"""CM402 unpinned-remote: a RUN clones a branch, downloads `latest` or installs a package from a
branch or `@latest`, which the layer cache never re-fetches.

## Why
BuildKit keys a RUN by its command text, its environment and the layers below it, never by what
the network returns. `RUN git clone https://github.com/org/tool` (the default branch),
`git clone --branch main`, or `curl -fsSL https://.../releases/latest/download/tool` is re-used
from the cache as long as nothing above it changes: rebuilds keep what the first build fetched,
however far the branch or release has moved, and then, when a step above changes (a base image
update, an edited ARG), silently take whatever it is that day. Two builds of the same Dockerfile
and commit differ, and "rebuild to get the fix" does not work.

Reported: `git clone` of a remote repository with no ref, or with `--branch`/`--revision` naming a
moving branch (`main`, `master`, `develop`, `trunk`, `HEAD`, ...), unless a later `git checkout`,
`git switch` or `git reset` in the same RUN moves it to another ref; `curl`, `wget` or `aria2c` of an
http(s) or ftp URL with a whole path segment (or archive name, or query value) such as `latest`,
`master`, `main`, `HEAD` or `nightly`, or with any branch of a GitHub branch archive
(`.../archive/refs/heads/<branch>.tar.gz`); not `main` as a Debian archive component
(`pool/main/...`, `dists/<suite>/main/...`), nor an installer piped into `sh -s <version>`, which
pins what it installs. ARG and ENV values (and assignments earlier in the RUN) are expanded; what cannot be
known is taken as pinned (`--branch "$VERSION"` with no default), so a versioned URL or tag is
never reported.

Package managers that install straight from a repository, or by a query resolved when the RUN
runs, are reported the same way (a tag, a commit or a full version is pinned; so is any ref name
that is not a moving branch, as for `git clone --branch`):
- `go install`, `go get`, `go run` of `module@latest` (or `@upgrade`, `@patch`, a branch such as
  `@master`/`@main`/`@HEAD`, a version prefix `@v1`); not `@v1.2.3` nor a pseudo-version, and not a
  package without `@`, which is built from the main module;
- `pip install`/`download`/`wheel` (and `-e`), `uv pip install`, `uv tool install`, `uvx --from`,
  `pipx install`/`inject`/`run --spec` of a `git+` URL with no `@ref` (the default branch) or a
  moving one (`@main`, `@master`, `@refs/heads/...`), also behind `name @ `, or of a branch archive
  (`https://github.com/org/repo/archive/refs/heads/main.zip`);
- `npm install`, `yarn add`, `pnpm add` of a git spec (`github:org/repo`, the shorthand `org/repo`,
  `git+https://...`, `https://github.com/org/repo`, also as `name@<spec>`) with no `#<ref>` or a
  moving one (`#main`, Yarn's `#head=<branch>`); `#semver:<range>`, `#commit=` and `#tag=` are pinned;
- `cargo install --git URL` with neither `--tag` nor `--rev`: its default branch, or the
  `--branch` it names (always a branch, so it always moves).

Stale is whatever the first build installed: the commit the branch pointed to, the release
`latest` named that day. `ADD <url>` and `ADD <git url>` are not reported: BuildKit
fetches their sources at every build and keys the step by the content (the commit a git ref
resolves to), so the layer cache does see them change.

Severity information: the build keeps working, and following `latest` can be intended; what goes
wrong is when it is refreshed, which the layer cache decides.

## Example
```dockerfile
FROM python:3.12-slim
RUN git clone --depth 1 https://github.com/example/tool /opt/tool
```

## Fixed
```dockerfile
FROM python:3.12-slim
RUN git clone --depth 1 --branch v1.4.2 https://github.com/example/tool /opt/tool
```

## Fix
None automatic: which version to pin is the author's choice, and a checksum
(`ADD --checksum=sha256:... <url>`) needs the file, which cachemount never downloads. The
`## Fixed` example is a pin written by hand: clone a tag (`--branch v1.4.2`) or check out a commit
(`git checkout <sha>`), put a version in the URL, or, to follow upstream on purpose, fetch it with
`ADD <url>`, which BuildKit re-checks at every build. For package managers: `go install
mod@v1.2.3`, `pip install git+https://github.com/org/repo@v1.2.3` (or `@<commit sha>`),
`npm install github:org/repo#v1.2.3`, `cargo install --git URL --tag v1.2.3` (or `--rev <sha>`).
"""
from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import Iterator

from ..document.expand import expand
from ..document.shellsource import SHELLS
from ..findings import Finding
from ..knowledge import layer_traps as K
from ..limits import LimitExceeded
from ..records import Record
from ..semantics.invocations import Invocation
from ..semantics.pipeline import Analysis, RunFacts
from ..shell.model import SimpleCommand, Word

CODE = "CM402"
NAME = "unpinned-remote"
SEVERITY = "information"
FIXABLE = False   # no automatic fix: the `## Fixed` example is written by hand
# The README's rules table (generated by scripts/generate.py): when it fires, what the fix does.
FIRES_WHEN = (
    "a RUN clones a repository with no pinned ref (or `--branch main`), downloads a URL with a "
    "moving segment (`latest`, `master`, `main`, `HEAD`, `nightly`), or installs from a branch or "
    "`@latest` (`go install mod@latest`, `pip install git+https://...`, `npm install github:org/repo`, "
    "`cargo install --git` without `--tag`/`--rev`)"
)
FIX_SUMMARY = "none automatic: pin a tag, commit or versioned URL by hand"

_CACHE_NOTE = ("the layer cache re-uses this RUN without asking the network, so rebuilds keep what the first "
               "build fetched until a step above changes, and then take whatever it is that day")
_VERSION_ARG = re.compile(K.INSTALLER_VERSION_ARG)


def check(analysis: Analysis) -> Iterator[Finding]:
    for facts in analysis.run_facts():
        if analysis.analysed(facts.instr):
            yield from _check_run(analysis.text, facts)


def _check_run(text: str, facts: RunFacts) -> Iterator[Finding]:
    env = dict(facts.ctx.env)
    commands = facts.commands
    invocations: dict[int, list[Invocation]] = {}
    for inv_facts in facts.invocations:
        invocations.setdefault(id(inv_facts.inv.command), []).append(inv_facts.inv)
    for n, cmd in enumerate(commands):
        if not cmd.words:
            for name, value in cmd.assignments:   # `V=x` alone sets a shell variable for later commands
                _assign(env, name, value, cmd.conditional)
            continue
        if cmd.name in ("export", "declare", "typeset"):
            for w in cmd.words[1:]:
                name, eq, value = w.text.partition("=")
                if eq and name.isidentifier():
                    _assign(env, name, value, cmd.conditional)
            continue
        if cmd.name in K.FETCHERS:
            if not _piped_to_pinned_installer(text, cmd, commands[n + 1:], env):
                yield from _fetch(cmd, env)
        elif cmd.name == "git":
            yield from _clone(cmd, commands[n + 1:], env)
        else:
            yield from _installs(cmd, invocations.get(id(cmd), []), env)


def _assign(env: dict[str, str], name: str, value: str, conditional: bool) -> None:
    substituted = "$(" in value or "`" in value   # a command's output: unknown
    got = None if conditional or substituted else _expand(value, env)
    if got is None:
        env.pop(name, None)   # unknown from here on: never guessed
    else:
        env[name] = got


def _expand(text: str, env: dict[str, str]) -> str | None:
    try:
        return expand(text, env)
    except LimitExceeded:
        return None


def _moving_in_url(url: str) -> str | None:
    """The moving path segment, archive name or query value of an http(s)/ftp URL, if any (any
    branch of a branch archive: `.../archive/refs/heads/<branch>.zip`). Parts holding an unexpanded
    `$` are not judged."""
    if not url.lower().startswith(K.URL_SCHEMES):
        return None
    from urllib.parse import parse_qsl, urlsplit   # here: it imports ipaddress, ~3 ms of every check
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    segments = parts.path.split("/")
    for k, segment in enumerate(segments):
        if "$" in segment:
            continue
        stem = segment.lower()
        for suffix in K.ARCHIVE_SUFFIXES:
            if stem.endswith(suffix):
                stem = stem[:-len(suffix)]
                break
        if stem not in K.MOVING_NAMES:
            continue
        upto = "/".join(segments[:k + 1]).lower()
        if not any(fnmatchcase(upto, p) for p in K.NOT_MOVING_PATHS):
            return segment
    branch = re.search(K.MOVING_PATH_SEGMENT, parts.path, re.IGNORECASE)
    if branch:
        return branch.group(1)
    for _key, value in parse_qsl(parts.query):
        if "$" not in value and value.lower() in K.MOVING_NAMES:
            return value
    return None


def _without_substitutions(text: str) -> str:
    """`$(...)` and `` `...` `` replaced by `$` (unknown): their commands are judged on their own."""
    out: list[str] = []
    depth, i = 0, 0
    while i < len(text):
        if text.startswith("$(", i):
            if not depth:
                out.append("$")
            depth += 1
            i += 2
            continue
        if depth and text[i] == "(":
            depth += 1
        elif depth and text[i] == ")":
            depth -= 1
        elif not depth and text[i] == "`":
            close = text.find("`", i + 1)
            out.append("$")
            i = len(text) if close < 0 else close + 1
            continue
        elif not depth:
            out.append(text[i])
        i += 1
    return "".join(out)


def _fetch(cmd: SimpleCommand, env: dict[str, str]) -> Iterator[Finding]:
    for word in cmd.args:
        raw = _without_substitutions(word.text)
        expanded = _expand(raw, env)
        url = expanded if expanded is not None else raw
        moving = _moving_in_url(url)
        if moving is None:
            continue
        shown = word.text if url == raw else f"{word.text} (= {url})"
        yield Finding(CODE, NAME, SEVERITY,
                      f"`{cmd.name}` downloads {shown}, whose `{moving}` moves: {_CACHE_NOTE}; put a version in "
                      f"the URL (and verify it: `ADD --checksum=sha256:... <url>`), or use `ADD <url>`, which "
                      f"BuildKit re-checks at every build", word.start, word.end)


def _piped_to_pinned_installer(text: str, cmd: SimpleCommand, later: list[SimpleCommand],
                               env: dict[str, str]) -> bool:
    """`curl URL | sh -s <version>`: the download goes straight into a shell that gets a version
    (or an argument that cannot be known) after `-s`."""
    nxt = next((c for c in later if c.words and c.start >= cmd.end), None)
    if nxt is None or nxt.name not in SHELLS or "|" not in text[cmd.end:nxt.start]:
        return False
    args = [w.text for w in nxt.args]
    if "-s" not in args:
        return False
    for arg in args[args.index("-s") + 1:]:
        value = _expand(arg, env)
        if value is None or _VERSION_ARG.fullmatch(value):
            return True
    return False


def _git_subcommand(cmd: SimpleCommand) -> tuple[str, list[Word]] | None:
    """`git [global options] <subcommand> args...` -> (subcommand, its args)."""
    words = list(cmd.words[1:])
    i = 0
    while i < len(words):
        t = words[i].text
        if t in K.GIT_GLOBAL_OPTIONS_WITH_VALUE:
            i += 2
            continue
        if t.startswith("-"):
            i += 1
            continue
        return t, words[i + 1:]
    return None


def _positionals(args: list[Word], with_value: frozenset[str]) -> tuple[list[Word], dict[str, Word]]:
    """Non-option words (none after `--`), and the value word of each option that takes one."""
    plain: list[Word] = []
    values: dict[str, Word] = {}
    i = 0
    while i < len(args):
        t = args[i].text
        if t == "--":
            break
        if t.startswith("--") and "=" in t:
            name = t.split("=", 1)[0]
            if name in with_value:
                values[name] = args[i]
        elif t in with_value:
            if i + 1 < len(args):
                values[t] = args[i + 1]
            i += 2
            continue
        elif t.startswith("-") and len(t) > 2 and t[:2] in with_value and not t.startswith("--"):
            values[t[:2]] = args[i]   # attached short value: `-bv1.2`
        elif not t.startswith("-") or t == "-":
            plain.append(args[i])
        i += 1
    return plain, values


def _option_value(word: Word, option: str) -> str:
    t = word.text
    if t.startswith(option + "=") and option.startswith("--"):
        return t[len(option) + 1:]
    if t.startswith(option) and len(t) > len(option) and not option.startswith("--"):
        return t[len(option):]
    return t


def _moves(ref: str | None) -> bool:
    """A ref that names a moving branch (its last component: `origin/main`), or any branch by its
    full name (`refs/heads/...`); unknown ones do not."""
    if ref is None:
        return False
    return (ref.rstrip("/").rsplit("/", 1)[-1].lower() in K.MOVING_BRANCHES
            or ref.startswith(K.BRANCH_REF_PREFIXES))


def _remote(repo: str) -> bool:
    low = repo.lower()
    if low.startswith(K.GIT_REMOTE_PREFIXES):
        return True
    user, at, rest = repo.partition("@")   # scp-like `user@host:path`
    return bool(at and user and "/" not in user and ":" in rest and "/" not in rest.split(":", 1)[0])


def _clone(cmd: SimpleCommand, later: list[SimpleCommand], env: dict[str, str]) -> Iterator[Finding]:
    sub = _git_subcommand(cmd)
    if sub is None or sub[0] != "clone":
        return
    plain, values = _positionals(sub[1], K.GIT_CLONE_OPTIONS_WITH_VALUE)
    if not plain:
        return
    repo_word = plain[0]
    repo = _expand(repo_word.text, env)
    if repo is None or not _remote(repo):
        return   # a local path, or an address that cannot be known
    ref_words = [(o, values[o]) for o in K.GIT_CLONE_REF_OPTIONS if o in values]
    if ref_words:
        option, word = ref_words[-1]
        ref = _expand(_option_value(word, option), env)
        if not _moves(ref) or _checked_out_later(later, env):
            return
        yield Finding(CODE, NAME, SEVERITY,
                      f"`git clone` of {repo} follows the branch `{ref}`: {_CACHE_NOTE}; clone a tag "
                      f"(`--branch v1.2.3`) or check out a commit (`git checkout <sha>`)", word.start, word.end)
        return
    if _checked_out_later(later, env):
        return
    yield Finding(CODE, NAME, SEVERITY,
                  f"`git clone` of {repo} takes its default branch, which moves: {_CACHE_NOTE}; clone a tag "
                  f"(`--branch v1.2.3`) or check out a commit (`git checkout <sha>`)", repo_word.start, repo_word.end)


def _checked_out_later(later: list[SimpleCommand], env: dict[str, str]) -> bool:
    """A later `git checkout|switch|reset <ref>` of this RUN, before the next clone, names a ref
    that does not move (or one that cannot be known)."""
    for cmd in later:
        if cmd.name != "git":
            continue
        sub = _git_subcommand(cmd)
        if sub is None:
            continue
        name, args = sub
        if name == "clone":
            return False
        if name not in K.GIT_PIN_SUBCOMMANDS:
            continue
        plain, _ = _positionals(args, K.GIT_PIN_SUBCOMMANDS[name])
        if not plain or plain[0].text == ".":
            continue
        if not _moves(_expand(plain[0].text, env)):
            return True
    return False


# --- package managers that install straight from a repository, a URL or a module query ---------

def _installs(cmd: SimpleCommand, invs: list[Invocation], env: dict[str, str]) -> Iterator[Finding]:
    for entry, tool, args, packages, with_value in _remote_installs(cmd, invs):
        if entry.grammar == "cargo":
            yield from _cargo(tool, args, with_value, env)
            continue
        if entry.first_only:
            packages = packages[:1]
        stop = packages[0].start if entry.first_only and packages else None
        seen: set[int] = set()
        for word in list(packages) + _spec_option_values(args, entry.spec_options, stop):
            if word.start in seen:
                continue   # an option's value the manager's table does not know as one (`uv pip install -e`)
            seen.add(word.start)
            value = _value(word, env)
            found = _JUDGES[entry.grammar](value)
            if found is not None:
                yield _install_finding(tool, word, value, found)


def _remote_installs(cmd: SimpleCommand, invs: list[Invocation]
                     ) -> Iterator[tuple[K.RemoteInstall, str, list[Word], list[Word], frozenset[str]]]:
    """(entry, the command as written up to its subcommand, the words after it, the package
    arguments, the options that take a value) of each REMOTE_INSTALLS entry this command is."""
    words = cmd.words
    for entry in K.REMOTE_INSTALLS:
        for inv in invs:
            if inv.manager.key not in entry.managers or inv.subcommand not in entry.subcommands:
                continue
            k = 1
            if inv.subcommand_words:
                last = inv.subcommand_words[-1].start
                k = next((i for i, w in enumerate(words) if w.start == last), 0) + 1
            spec = inv.manager
            with_value = frozenset(spec.options_with_value) | frozenset(spec.global_options_with_value)
            yield entry, _tool(words[:k], with_value), list(words[k:]), list(inv.positionals), with_value
        if cmd.name in entry.executables:
            with_value = frozenset(entry.options_with_value)
            plain, _ = _positionals(list(cmd.args), with_value)
            if plain and plain[0].text in entry.subcommands:
                k = next((i for i, w in enumerate(words) if w is plain[0]), 0) + 1
                args = list(words[k:])
                yield entry, _tool(words[:k], with_value), args, _positionals(args, with_value)[0], with_value


def _tool(words: tuple[Word, ...], with_value: frozenset[str]) -> str:
    """The command as the message names it (`pip install`, `python3 -m pip install`, `uvx`): the
    words up to its subcommand, options and their values left out."""
    shown = [words[0].text.rsplit("/", 1)[-1]]
    skip = False
    for word in words[1:]:
        if skip:
            skip = False
        elif word.text in with_value:
            skip = True
        elif word.text == "-m" or not word.text.startswith("-"):
            shown.append(word.text)
    return " ".join(shown)


def _spec_option_values(args: list[Word], options: tuple[str, ...], stop: int | None) -> list[Word]:
    """The words holding a package argument given to an option (`-e git+...`, `--from=git+...`),
    before `stop` (the tool's own arguments start there: `uvx --from X tool --with Y`)."""
    out: list[Word] = []
    for i, word in enumerate(args):
        if stop is not None and word.start >= stop or word.text == "--":
            break
        if word.text in options and i + 1 < len(args):
            out.append(args[i + 1])
        elif word.text.startswith("--") and word.text.split("=", 1)[0] in options and "=" in word.text:
            out.append(word)
    return out


def _without_option(text: str) -> str:
    return text.split("=", 1)[1] if text.startswith("--") and "=" in text else text


def _value(word: Word, env: dict[str, str]) -> str:
    """The word's value (an `--option=` prefix dropped) with ARG/ENV expanded; unknown parts keep their `$`."""
    raw = _without_substitutions(_without_option(word.text))
    expanded = _expand(raw, env)
    return expanded if expanded is not None else raw


class _Moving(Record):
    """What moves in a package argument: `kind` picks the message ('default' branch, 'branch',
    Go 'query', 'archive' URL), `what` is the branch, query or URL part, `pin` how to pin it."""
    kind: str
    what: str
    pin: str


def _install_finding(tool: str, word: Word, value: str, found: _Moving) -> Finding:
    written = _without_option(word.text)
    shown = written if value == written else f"{written} (= {value})"
    if found.kind == "default":
        what = f"installs {shown} from the repository's default branch, which moves"
    elif found.kind == "branch":
        what = f"installs {shown}, which follows the branch `{found.what}`"
    elif found.kind == "query":
        what = f"resolves {shown} when the RUN runs, and `@{found.what}` names whatever is newest then"
    else:
        what = f"downloads {shown}, whose `{found.what}` moves"
    return Finding(CODE, NAME, SEVERITY, f"`{tool}` {what}: {_CACHE_NOTE}; {found.pin}", word.start, word.end)


_PIN_GO = "name a version (`@v1.2.3`, or a commit's pseudo-version)"
_PIN_VCS = "pin a tag or a commit in the URL (`...@v1.2.3`, `...@<commit sha>`)"
_PIN_NPM = "pin a tag or a commit (`#v1.2.3`, `#<commit sha>`)"
_PIN_ARCHIVE = "install a tag's or a commit's archive, or a released version"
_PIN_CARGO = "add `--tag v1.2.3` or `--rev <commit sha>`"


def _go(value: str) -> _Moving | None:
    """`module@query`: a query that resolves to the newest match (`latest`, `master`, `v1`)."""
    module, at, query = value.rpartition("@")
    if not at or not module or not query or "$" in query:
        return None   # no `@`: the main module's own package, built from the context
    if query.lower() in K.GO_MOVING_QUERIES or re.fullmatch(K.GO_MOVING_VERSION, query):
        return _Moving("query", query, _PIN_GO)
    return None


def _pip(value: str) -> _Moving | None:
    """A pip VCS URL with no ref or a moving one, or a URL of a branch archive (either maybe behind
    a PEP 508 `name @ `)."""
    direct = re.match(K.PEP508_DIRECT_REFERENCE, value)
    url = (value[direct.end():] if direct else value).strip().split(None, 1)
    if not url:
        return None
    low = url[0].lower()
    if low.startswith(K.PIP_VCS_PREFIXES):
        rest = url[0].split("+", 1)[1].split("#", 1)[0]
        if not _remote(rest):
            return None   # git+file://: a local repository
        path = rest.split("://", 1)[1].partition("/")[2] if "://" in rest else rest.partition(":")[2]
        _repo, at, ref = path.rpartition("@")
        return _ref_moves(ref if at else None, path, _PIN_VCS)
    moving = _moving_in_url(url[0])
    return _Moving("archive", moving, _PIN_ARCHIVE) if moving is not None else None


def _ref_moves(ref: str | None, where: str, pin: str) -> _Moving | None:
    """No ref: the default branch (unless an unknown `$` part of `where` may hold one); a ref: a
    moving branch, never an unknown one."""
    if ref is None:
        return None if "$" in where else _Moving("default", "", pin)
    if "$" in ref or not _moves(ref):
        return None
    return _Moving("branch", ref, pin)


def _npm(value: str) -> _Moving | None:
    """An npm-package-arg git spec (`github:org/repo`, `org/repo`, `git+https://...`) with no
    commit-ish or a moving one, or a tarball URL with a moving segment."""
    alias = re.match(K.NPM_ALIAS, value)
    spec = value[alias.end():] if alias else value
    low = spec.lower()
    if not low.startswith(K.NPM_GIT_PREFIXES):
        if low.startswith(("http://", "https://")):
            if not _hosted_repository(spec):
                moving = _moving_in_url(spec)
                return _Moving("archive", moving, _PIN_ARCHIVE) if moving is not None else None
        elif not re.fullmatch(K.NPM_GITHUB_SHORTHAND, spec) or spec.split("#", 1)[0].lower().endswith(
                K.ARCHIVE_SUFFIXES):
            return None
    repo, hashmark, fragment = spec.partition("#")
    if not hashmark:
        return _ref_moves(None, repo, _PIN_NPM)
    if "$" in fragment:
        return None
    ref: str | None = None
    for piece in re.split(r"&|::", fragment):
        key, eq, val = piece.partition("=")
        if piece.lower().startswith(K.NPM_SEMVER_REF) or eq and key in K.NPM_PINNING_KEYS:
            return None
        if eq and key in K.NPM_BRANCH_KEYS:
            return _Moving("branch", val, _PIN_NPM) if val else None
        if not eq and piece and not piece.startswith("path:"):
            ref = piece
    return _ref_moves(ref, repo, _PIN_NPM)


def _hosted_repository(url: str) -> bool:
    """`https://github.com/org/repo(.git)`: npm installs the repository, not a tarball."""
    from urllib.parse import urlsplit   # here: it imports ipaddress, ~3 ms of every check
    try:
        parts = urlsplit(url.split("#", 1)[0])
    except ValueError:
        return False
    segments = [s for s in parts.path.split("/") if s]
    return (parts.hostname or "") in K.NPM_HOSTED_GIT_HOSTS and len(segments) == 2


_JUDGES = {"go": _go, "pip": _pip, "npm": _npm}


def _cargo(tool: str, args: list[Word], with_value: frozenset[str], env: dict[str, str]) -> Iterator[Finding]:
    """`cargo install --git URL` with no `--tag`/`--rev`: the default branch, or the `--branch` named."""
    _plain, values = _positionals(args, with_value | {K.CARGO_GIT_OPTION, K.CARGO_BRANCH_OPTION,
                                                      *K.CARGO_PIN_OPTIONS})
    git = values.get(K.CARGO_GIT_OPTION)
    if git is None or any(o in values for o in K.CARGO_PIN_OPTIONS):
        return
    url = _value(git, env)
    if "$" in url or not _remote(url):
        return   # unknown, or a local repository
    shown = f"{tool} {K.CARGO_GIT_OPTION} {url}"
    branch = values.get(K.CARGO_BRANCH_OPTION)
    if branch is None:
        yield Finding(CODE, NAME, SEVERITY, f"`{shown}` builds the repository's default branch, which moves: "
                      f"{_CACHE_NOTE}; {_PIN_CARGO}", git.start, git.end)
        return
    name = _value(branch, env)
    if "$" not in name:
        yield Finding(CODE, NAME, SEVERITY, f"`{shown}` builds the branch `{name}`, which moves: {_CACHE_NOTE}; "
                      f"{_PIN_CARGO}", branch.start, branch.end)

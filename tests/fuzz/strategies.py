"""Hypothesis strategies for the property fuzzers.

- `dockerfiles()`: a grammar of Dockerfiles built from the project's own knowledge tables (package
  managers' install/clean commands, options and env variables; mount options; official images and
  their users), with scenarios the rules look for (a manager's cache mount at its place or not,
  what defeats it, a broad COPY before a dependency install, a non-root user), so generated files
  do trigger CM101/102/103/201/301 and their fixes; mixed with hostile fragments (escaped quotes
  in exec form, legacy ENV, odd characters in cache dirs, continuations across comment and blank
  lines, heredocs, nested `sh -c "$(...)"`, deep `${}`, odd unicode, CRLF, `# escape=`).
- `mutants()`: corpus files with line/character-level mutations. A `Mutant` prints as its file
  name and operations, not its (long) text.
- `BIG` / `build_big((kind, n))`: pathological sizes (many RUNs, deep nesting, long lines) for the
  time and memory bounds; a (kind, n) pair prints compactly.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from hypothesis import strategies as st

from cachemount.knowledge.images import IMAGES, TAG_OS_HINTS
from cachemount.knowledge.managers import MANAGERS
from cachemount.knowledge.mount_options import BOOL_VALUES, MOUNT_OPTIONS, MOUNT_TYPES


@lru_cache(maxsize=None)
def _sampled(items: tuple):
    return st.sampled_from(items)


def rare(draw, odds: int) -> bool:
    """True once in `odds + 1` draws, and False in the simplest example (hypothesis shrinks to 0)."""
    return draw(st.integers(0, odds)) == odds


def one(draw, items):
    """Draw one of `items` (strategies built once per distinct sequence: building is the slow part)."""
    return draw(_sampled(tuple(items)))


# ---------------------------------------------------------------------------------------------
# Vocabulary drawn from the knowledge tables


def _concrete(pattern: str, star: str = "") -> str:
    """A name an fnmatch pattern matches: `pip[0-9].*` -> `pip3.12`, `php:*alpine*` -> `php:1alpine1`."""
    out = re.sub(r"\[([^\]]*)\]", lambda m: "3" if m.group(1) == "0-9" else m.group(1)[:1], pattern)
    return out.replace(".*", ".12").replace("*", star)


def _image_names() -> list[str]:
    names = []
    for img in IMAGES:
        for p in img.patterns:
            names.append(_concrete(p, "1" if ":" in p else "base"))
    return sorted(set(names))


IMAGE_NAMES = _image_names()
TAGS = ["", ":latest", ":3.12", ":3.12-slim", ":22", "@sha256:" + "a" * 64] + [
    f":1-{hint}" for hint, _ in TAG_OS_HINTS[::3]]
IMAGE_USERS = sorted({u[0] for img in IMAGES for u in img.users} | {str(u[1]) for img in IMAGES for u in img.users})

# Every `${VAR}` a cache location depends on, plus the variables that defeat or tune a cache.
CACHE_VARS = sorted({v for m in MANAGERS for c in m.caches for loc in c.locations
                     for v in re.findall(r"\$\{(\w+)\}", loc.template)})
DEFEAT_VARS = sorted({e.name for m in MANAGERS for e in m.env_defeats})
FIX_ENV = sorted({kv for m in MANAGERS for kv in m.fix_env})

HOMES = ["/root", "/root", "/home/app", "/home/node", "/nonexistent", "/var/www"]


def _cache_targets() -> list[str]:
    out = set()
    for m in MANAGERS:
        for c in m.caches:
            for loc in c.locations:
                t = loc.template.replace("${HOME}", "/root").replace("~", "/root")
                t = re.sub(r"\$\{\w+\}", "/cache", t)
                out.add(_concrete(t, "3.1"))
    return sorted(out)


CACHE_TARGETS = _cache_targets()
# Cache dirs a user might write, including ones that break naive pasting into `--mount=` (space,
# comma, backslash, ` #`, quotes, `=`, `$(...)`, non-ASCII, tab).
PLAIN_DIRS = ["/cache", "/tmp/c", "/opt/cache", "cache", "./rel", "~/.cache", "$HOME/.cache", "${HOME}/x", "/"]
ODD_DIRS = ["/my cache", "/a,b", "/a\\b", "/x #y", "/a=b", "/é/ü", "/a\\ b", "/$(id -u)", '/a"b', "/a'b",
            "/t\tab", "/c,uid=0", "/a,target=/b", "/ #", "/x\\", "/${A:-/y}"]

ANY_CHAR = st.characters(codec="utf-8")  # any code point a UTF-8 file can hold (no lone surrogates)
ENV_VALUES = PLAIN_DIRS + ODD_DIRS + ["1", "0", "false", "", "copy", "${A:-/c}", "$HOME/.cache", "${${${A}}}",
                                     "${A:+x}"]
PACKAGES = ["flask", "requests==2.32.0", "'numpy>=1.26'", "x", ".", "./", "-e .", "/wheels/*.whl", "curl",
            "git", "build-essential", "@scope/pkg", "./...", "github.com/a/b@latest", '"x[extra]"']


def _manifest_of(m) -> str:
    return _concrete(m.copy_manifests[0], "") if m.copy_manifests else "requirements.txt"


def _words(sub: str) -> str:
    """`clean -modcache|-cache` -> `clean -modcache`; a `*` subcommand (Maven tasks) -> `package`."""
    return " ".join(w.split("|")[0] if w != "*" else "package" for w in sub.split())


@lru_cache(maxsize=None)
@st.composite
def invocation(draw, manager=None):
    """One package-manager command line from the knowledge tables."""
    m = manager or one(draw, MANAGERS)
    exe = one(draw, [_concrete(e) for e in m.executables])
    if m.python_modules and draw(st.booleans()):
        exe = f"{one(draw, ['python', 'python3', 'python3.12'])} -m {m.python_modules[0]}"
    elif m.launched_by and draw(st.booleans()):
        exe = f"{_concrete(m.launched_by[-1])} {exe}"
    subs = (m.clean_subcommands + m.consume + tuple(d.subcommand for d in m.dep_steps)
            + m.build_steps + tuple(c[0] for c in m.config_commands))
    sub = _words(one(draw, subs if subs and rare(draw, 2) else m.download))
    options = [o.option for o in m.option_defeats] + list(m.no_download_flags) + list(m.consume_when_flags)
    options += [f"{o} {_manifest_of(m) if o in m.manifest_options else 'v'}" for o in m.options_with_value[:6]]
    options += [f"{o} {d}" for c in m.caches for o in c.cli_options for d in ("/cache", "/a b")]
    options += [f"{r} {_manifest_of(m)}" for d in m.dep_steps for r in d.require_any]
    options += ["-y", "--user", "--no-install-recommends", "-q"]
    words = [exe]
    if m.global_options_with_value and rare(draw, 4):
        words.append(f"{one(draw, m.global_options_with_value)} /g")
    words.append(sub)
    words += [one(draw, options) for _ in range(draw(st.integers(0, 3)))]
    words += [one(draw, PACKAGES) for _ in range(draw(st.integers(0, 2)))]
    prefix = ""
    if rare(draw, 5):
        var = one(draw, DEFEAT_VARS + CACHE_VARS)
        prefix = f"{var}={one(draw, ['1', '0', 'false', '/c', ''])} "
    return prefix + " ".join(w for w in words if w)


def _default_dir(cache, home: str) -> str:
    """Where a cache lives for a user with this home and no cache variables set."""
    for loc in reversed(cache.locations):
        t = loc.template.replace("${HOME}", home).replace("~", home)
        if "${" not in t:
            return _concrete(t, "3.1")
    return "/cache"


def _dep_step(m) -> str:
    d = m.dep_steps[0]
    words = [_concrete(m.executables[0]), d.subcommand]
    if d.require_any:
        words += [d.require_any[0], _manifest_of(m)]
    return " ".join(words)


@lru_cache(maxsize=None)
@st.composite
def managed_run(draw, esc="\\"):
    """A RUN that installs with one manager, with or without a cache mount for it (at the right
    place, for another home, with owner options), maybe with something that defeats the mount."""
    m = one(draw, MANAGERS)
    cache = one(draw, m.caches)
    inv = draw(invocation(m))
    flags = []
    mount = draw(st.integers(0, 4))
    if mount:
        target = _default_dir(cache, "/home/app" if mount == 4 else one(draw, HOMES))
        extra = one(draw, ("", "", ",uid=1001,gid=1001", ",sharing=locked", f",id={cache.key}", ",uid=0"))
        flags.append(f"--mount=type=cache,target={target}{extra}")
    else:
        target = _default_dir(cache, "/root")
    defeat = draw(st.integers(0, 6))
    exe = inv.split()[0]
    if defeat == 0 and m.option_defeats:
        inv += " " + m.option_defeats[0].option
    elif defeat == 1 and m.env_defeats:
        inv = one(draw, (f"{m.env_defeats[0].name}=1 {inv}", f"export {m.env_defeats[0].name}=0 && {inv}"))
    elif defeat == 2 and m.clean_subcommands:
        inv += f" && {exe} {_words(m.clean_subcommands[0])}"
    elif defeat == 3:
        inv += f" && rm -rf {target}"
    elif defeat == 4:
        inv = f"rm -rf {target}/* && {inv}"
    sep = one(draw, _separators(esc)[:-1])
    if draw(st.booleans()):
        inv = one(draw, GENERIC_COMMANDS) + sep + inv
    keyword = one(draw, ("RUN", "RUN", "run"))
    if flags and draw(st.booleans()):
        return f"{keyword} {flags[0]} {esc}\n    {inv}"
    return " ".join([keyword, *flags, inv])


@lru_cache(maxsize=None)
@st.composite
def scenario(draw, esc="\\"):
    """Instruction sequences the rules look for: a broad COPY before a dependency install, a
    non-root user, a cache variable or a defeating variable set by ENV before a RUN."""
    kind = draw(st.integers(0, 3))
    if kind == 0:
        m = one(draw, [m for m in MANAGERS if m.dep_steps])
        run = _dep_step(m)
        if draw(st.booleans()):
            run = draw(managed_run(esc)) + f" && {run}"
        else:
            run = f"RUN {run}"
        copy = one(draw, ("COPY . .", "COPY . /app", "ADD . .", "COPY --chown=app . ./", "COPY ./ ./"))
        return ["WORKDIR /app", copy, *[one(draw, OTHER_INSTRUCTIONS[:4]) for _ in range(draw(st.integers(0, 1)))], run]
    run = draw(managed_run(esc))
    if kind == 1:
        user = one(draw, ["app", "1001", "1001:1001"] + IMAGE_USERS)
        return [one(draw, ("RUN useradd -m -u 1001 app", "RUN adduser -D -u 1001 app", "# no user created")),
                f"USER {user}", run]
    if kind == 2:
        return [draw(env_instruction(esc)), run]
    name = one(draw, DEFEAT_VARS)
    return [one(draw, (f"ENV {name}=1", f"ENV {name} 0", f"ENV A=1 {esc}\n# c\n    {name}=false {esc}\n    B=2",
                       f"ARG {name}=1", f"ENV {name}=1 {esc}\n\n    C=3", f"ENV A=1 {esc}\n# c\n    {name}=1",
                       f"ENV A=1 {esc}\n\n    {name}=1", f"ENV {name}=1 {esc}\n    # c\n    A=2")), run]


GENERIC_COMMANDS = [
    "echo hi", "cd /app", "mkdir -p /x", "true", "rm -rf /var/lib/apt/lists/*", "rm -rf /root/.cache",
    "rm -rf ~/.cache/pip", "apt-get clean", "export PIP_NO_CACHE_DIR=1", "export PIP_CACHE_DIR=/c",
    "useradd -m -u 1001 app", "chown -R app /app", "ls -la | grep x", "if true; then pip install x; fi",
    "for p in a b; do npm install $p; done", "(cd /src && go mod download)", "{ pip install x; }",
    "rm -f /etc/apt/apt.conf.d/docker-clean", "echo 'a && b'", 'echo "$(pip install x)"', "x=1 y=2",
    "set -eux", "exec pip install x", "command -v pip", "pip install x >/dev/null 2>&1 &",
]


def _wrap(cmd: str, kind: str) -> str:
    if kind == "sh1":
        return "sh -c '" + cmd.replace("'", "'\\''") + "'"
    if kind == "sh2":
        return 'sh -c "' + cmd.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if kind == "subst":
        return f'sh -c "$({cmd})"'
    if kind == "bash":
        return 'bash -lc "' + cmd.replace('"', '\\"') + '"'
    if kind == "backtick":
        return "echo `" + cmd.replace("`", "\\`") + "`"
    return f"( {cmd} )"


WRAPS = ["sh1", "sh2", "subst", "bash", "backtick", "subshell"]


@lru_cache(maxsize=None)
@st.composite
def command(draw):
    cmd = draw(invocation()) if draw(st.integers(0, 2)) else one(draw, GENERIC_COMMANDS)
    for _ in range(draw(st.integers(0, one(draw, (0, 0, 2, 10))))):
        cmd = _wrap(cmd, one(draw, WRAPS))
    return cmd


def _separators(esc: str) -> list[str]:
    return [" && ", " && ", "; ", " || ", " | ", f" && {esc}\n    ", f" {esc}\n    && ",
            f" && {esc}\n# a comment line\n    ", f" && {esc}\n\n    ", f";{esc}\n\t", f" && {esc}  \n  ",
            f" && {esc}\n    # indented comment\n    ", "\n"]


@lru_cache(maxsize=None)
@st.composite
def chain(draw, esc="\\"):
    cmds = [draw(command()) for _ in range(draw(st.integers(1, 4)))]
    out = cmds[0]
    for c in cmds[1:]:
        sep = one(draw, _separators(esc))
        if sep == "\n":  # a bare newline ends the RUN: the rest is a new (broken) instruction
            sep = " && "
        out += sep + c
    return out


# ---------------------------------------------------------------------------------------------
# Mounts and flags

def _option_values(o) -> list[str]:
    kind = o.kind
    if kind == "enum":
        vals = [v.value for v in o.values]
        return vals + [vals[0].upper(), vals[0][:-1], ""]
    if kind == "octal":
        return ["0755", "755", "0777", "999", "0x1", "-1", "07777777777777"]
    if kind == "uint":
        return ["1000", "0", "1001", "app", "-1", "99999999999", "$UID"]
    if kind == "bool":
        return list(BOOL_VALUES[:3]) + ["yes", ""]
    if kind == "path":
        return CACHE_TARGETS[::4] + PLAIN_DIRS + ODD_DIRS[:4]
    if kind == "size":
        return ["10m", "1g", "1.5GiB", "abc", "0"]
    if kind == "ref":
        return ["builder", "alpine", "$X", "ghcr.io/astral-sh/uv:0.5"]
    return ["pip", "", "a b", "$ID", "x,y"]


MOUNT_KEYS = [s for o in MOUNT_OPTIONS for s in o.spellings]


@lru_cache(maxsize=None)
@st.composite
def mount_option(draw):
    o = one(draw, MOUNT_OPTIONS)
    key = one(draw, list(o.spellings) + [o.key[:-1] or o.key, o.key.upper()])  # + typos
    if o.bare and draw(st.booleans()):
        return key
    value = one(draw, _option_values(o))
    if rare(draw, 6):
        value = f'"{value}"'
    return f"{key}={value}"


@lru_cache(maxsize=None)
@st.composite
def mount_flag(draw):
    mtype = one(draw, ["cache"] * 6 + list(MOUNT_TYPES) + ["cahce", "Cache", ""])
    opts = [f"type={mtype}"] if mtype or draw(st.booleans()) else []
    if draw(st.integers(0, 5)):
        opts.append(f"{one(draw, ['target', 'dst', 'destination'])}="
                    f"{one(draw, CACHE_TARGETS + PLAIN_DIRS + ODD_DIRS[:6])}")
    opts += [draw(mount_option()) for _ in range(draw(st.integers(0, 3)))]
    if len(opts) > 1:  # any order: swap two options
        a, b = draw(st.integers(0, len(opts) - 1)), draw(st.integers(0, len(opts) - 1))
        opts[a], opts[b] = opts[b], opts[a]
    value = ",".join(opts)
    if rare(draw, 8):
        value = f'"{value}"'
    return f"--mount={value}"


OTHER_FLAGS = ("--network=none", "--network=host", "--security=insecure", "--device=/dev/x", "--mount", "--foo=bar",
               "--MOUNT=type=cache,target=/root/.cache/pip")


@lru_cache(maxsize=None)
@st.composite
def run_flags(draw):
    return [draw(mount_flag()) if draw(st.integers(0, 3)) else one(draw, OTHER_FLAGS)
            for _ in range(draw(st.integers(0, 3)))]


# ---------------------------------------------------------------------------------------------
# Instructions


@lru_cache(maxsize=None)
@st.composite
def run_instruction(draw, esc="\\"):
    keyword = one(draw, ["RUN"] * 8 + ["run", "Run", "  RUN", "\tRUN"])
    flags = draw(run_flags())
    if flags and draw(st.booleans()):  # one flag per continuation line
        head = keyword + " " + "".join(f"{f} {esc}\n    " for f in flags)
    else:
        head = keyword + "".join(f" {f}" for f in flags) + " "
    form = one(draw, ["shell"] * 5 + ["heredoc", "heredoc", "exec", "exec"])
    if form == "shell":
        return head + draw(chain(esc))
    if form == "exec":
        if draw(st.booleans()):
            words = draw(invocation()).split()
        else:
            words = [one(draw, ["sh", "/bin/sh", "bash"]), "-c", draw(chain(esc))]
        body = json.dumps(words, ensure_ascii=draw(st.booleans()))
        if rare(draw, 4):
            body = body.replace(", ", ",")
        return head + body
    marker = one(draw, ["EOF", "EOT", "E_1", "x.y"])
    spelled = one(draw, [f"<<{marker}", f"<<-{marker}", f"<<'{marker}'", f'<<"{marker}"'])
    lines = [draw(command()) if draw(st.booleans()) else one(draw, ("set -e", "", "# c", "\\", "pip install \\",
                                                                     "  x", "EOFx"))
             for _ in range(draw(st.integers(0, 4)))]
    if spelled.startswith("<<-"):
        lines = ["\t" + ln for ln in lines]
    prefix = one(draw, ["", "bash ", "cat > /x ", "python3 "])
    tail = one(draw, ["", " && pip install x", f" {esc}\n    && npm ci"])
    body = "\n".join(lines + [("\t" if spelled.startswith("<<-") else "") + marker])
    if rare(draw, 7):  # two heredocs
        return f"{head}{prefix}{spelled} <<B{tail}\n{body}\necho two\nB"
    return f"{head}{prefix}{spelled}{tail}\n{body}"


def _quote_value(value: str, how: str, esc: str) -> str:
    if how == "dq":
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if how == "sq":
        return "'" + value + "'"
    if how == "escaped":
        return re.sub(r"([ \t\"'\\#])", lambda m: esc + m.group(1), value)
    return value


@lru_cache(maxsize=None)
@st.composite
def env_instruction(draw, esc="\\"):
    keyword = one(draw, ["ENV", "ENV", "ARG", "env"])
    pairs = []
    for _ in range(draw(st.integers(1, 3))):
        name = one(draw, CACHE_VARS + DEFEAT_VARS + [k for k, _ in FIX_ENV] + ["HOME", "A", "PATH"])
        value = one(draw, ENV_VALUES)
        pairs.append((name, value))
    form = one(draw, ["modern", "modern", "legacy", "multiline", "multiline_comment", "blank"])
    if form == "legacy" or keyword == "ARG" and len(pairs) == 1 and draw(st.booleans()):
        name, value = pairs[0]
        if keyword == "ARG":
            return f"{keyword} {name}"
        return f"{keyword} {name} {value or 'x'}"  # legacy form: the rest of the line is the value
    how = [one(draw, ["plain", "dq", "sq", "escaped"]) for _ in pairs]
    items = [f"{n}={_quote_value(v, h, esc)}" for (n, v), h in zip(pairs, how)]
    if form == "modern":
        return f"{keyword} " + " ".join(items)
    joiner = {"multiline": f" {esc}\n    ", "multiline_comment": f" {esc}\n# comment {esc}\n    ",
              "blank": f" {esc}\n\n    "}[form]
    return f"{keyword} " + joiner.join(items)


OTHER_INSTRUCTIONS = [
    "WORKDIR /app", "WORKDIR /src", "COPY . .", "COPY . /app", "COPY requirements.txt ./", "COPY package*.json ./",
    "COPY go.mod go.sum ./", "COPY --from=builder /out /out", "COPY --chown=app:app . .", "ADD . .",
    "COPY --link . .", "LABEL a=b", "EXPOSE 80", 'CMD ["python", "app.py"]', "ENTRYPOINT [\"/bin/sh\"]",
    'SHELL ["/bin/bash", "-o", "pipefail", "-c"]', 'SHELL ["powershell", "-Command"]', "HEALTHCHECK CMD true",
    "ONBUILD RUN pip install x", "VOLUME /root/.cache", "STOPSIGNAL SIGTERM", "MAINTAINER x", "USER root",
    "USER app", "USER 1001", "USER 1001:1001", "USER $MAMBA_USER", "USER node", "RUN useradd -m -u 1001 app",
    "RUN adduser -D -u 1000 app", "# cachemount: ignore=CM101", "# cachemount: ignore", "# just a comment",
    "# cachemount: ignore-file=CM201", "", "   ", "COPY <<EOF /x\nhello\nEOF",
]

# Raw lines that break naive readers. Several are the shapes of bugs found by earlier fuzzing.
HOSTILE = [
    "\\", '"', "'", "RUN", "RUN ", "FROM", "ENV", "ENV A", "ARG", "RUN [", 'RUN ["', "RUN <<EOF", "RUN <<",
    "RUN <<''", "RUN pip install $(", "RUN echo ${", "RUN $((1+", "RUN `", 'RUN ["pip", "install",]',
    'RUN ["sh", "-c", "pip install --no-cache-dir \\"x\\""]', 'RUN ["sh", "-c", "apk add --no-cache \\\\ x"]',
    "RUN pip install x \\", "RUN pip install x \\ ", "# escape=`", "# escape=\\", "#escape=x",
    "# syntax=docker/dockerfile:1",
    "# check=skip=all", "#!/usr/bin/env dockerfile", "\x00", "RUN pip install \x00x", "RUN echo \x1b[31mred",
    "RUN pip\x7f install x", "RUN pip install \u202ex", "RUN pip install x\u0085npm ci", "RUN pip\u2028install x",
    "RUN pip install x\x0cy", "RUN pip install\x0bx", "RUN pip install x\rnpm ci", "\ufeffFROM x",
    "RUN\xa0pip install x", "RUN pip install 🐍", "RUN pip install e\u0301", "RUN apt-get install -y 中文",
    "RUN pip install " + "a" * 300, "ENV A=" + "${A:-" * 40 + "x" + "}" * 40,
    "RUN echo " + "${a:-" * 600 + "x" + "}" * 600, "ENV B=" + "${a:-" * 600 + "x" + "}" * 600,
    "FROM scratch", "FROM $BASE", "FROM ${BASE:-python}:3.12 AS b",
    "FROM --platform=$BUILDPLATFORM python:3.12 AS build", "ONBUILD", "HEALTHCHECK NONE", "RUN --mount= pip install x",
    "RUN --mount=type=cache pip install x", "RUN --mount=type=cache,target= pip install x", "   \\   ",
]


@lru_cache(maxsize=None)
@st.composite
def stage_instructions(draw, esc="\\"):
    out = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 7))
        if kind < 2:
            out.append(draw(run_instruction(esc)))
        elif kind < 4:
            out.append(draw(managed_run(esc)))
        elif kind < 6:
            out += draw(scenario(esc))
        else:
            out.append(draw(env_instruction(esc)) if kind == 6 else one(draw, OTHER_INSTRUCTIONS))
    return out


@lru_cache(maxsize=None)
@st.composite
def from_line(draw, names):
    if names and draw(st.booleans()):
        image = one(draw, names)
    else:
        image = one(draw, IMAGE_NAMES)
        image += "" if ":" in image.rsplit("/", 1)[-1] else one(draw, TAGS)
    platform = "--platform=$BUILDPLATFORM " if rare(draw, 9) else ""
    keyword = one(draw, ["FROM"] * 5 + ["from"])
    alias = one(draw, ["", "", " AS builder", " AS build", " as final", " AS b"])
    return f"{keyword} {platform}{image}{alias}", alias.split()[-1].lower() if alias else None


@lru_cache(maxsize=None)
@st.composite
def dockerfiles(draw):
    """A whole Dockerfile: directives, 1-3 stages of instructions, hostile lines spliced in, then
    a newline style (LF, CRLF, mixed), maybe a BOM, maybe no final newline."""
    esc = one(draw, ["\\"] * 5 + ["`"])
    lines: list[str] = []
    if rare(draw, 3):
        lines.append("# syntax=docker/dockerfile:1")
    if esc == "`" or rare(draw, 9):
        lines.append(f"# escape={esc}")
    names: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        line, alias = draw(from_line(tuple(names)))
        lines.append(line)
        if alias:
            names.append(alias)
        lines += draw(stage_instructions(esc))
    for _ in range(draw(st.integers(0, 3))):
        lines.insert(draw(st.integers(0, len(lines))), one(draw, HOSTILE))
    text = "\n".join(lines)
    if rare(draw, 30):  # an odd code point anywhere
        pos = draw(st.integers(0, len(text)))
        text = text[:pos] + draw(ANY_CHAR) + text[pos:]
    style = one(draw, ["lf"] * 6 + ["crlf", "crlf", "mixed"])
    if style == "crlf":
        text = text.replace("\n", "\r\n")
    elif style == "mixed":
        parts = text.split("\n")
        text = "".join(p + ("\r\n" if i % 2 else "\n") for i, p in enumerate(parts[:-1])) + parts[-1]
    if not rare(draw, 9):  # no final newline, rarely
        text += "\r\n" if style == "crlf" else "\n"
    if rare(draw, 19):
        text = "\ufeff" + text
    return text


# ---------------------------------------------------------------------------------------------
# Pathological sizes (time and memory bounds)


def _nested_subst(n: int) -> str:
    cmd = "pip install x"
    for _ in range(n):
        cmd = f'sh -c "$({cmd})"'
    return cmd


# kind -> (builder, n): at n, linear work takes well under a second (the time bound is a few seconds).
BIG = {
    "runs": (lambda n: "FROM python:3.12\n" + "RUN pip install x\n" * n, 2000),
    "apt_runs": (lambda n: "FROM debian:12\n" + "RUN apt-get update && apt-get install -y curl\n" * n, 1000),
    "copy_installs": (lambda n: "FROM python:3.12\nCOPY . .\n" + "RUN pip install -r requirements.txt\n" * n, 500),
    "chain": (lambda n: "FROM python:3.12\nRUN " + " && ".join(["pip install x"] * n) + "\n", 2000),
    "continuation": (lambda n: "FROM python:3.12\nRUN pip install \\\n" + "    x \\\n" * n + "    y\n", 3000),
    "comment_continuation": (lambda n: "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1 \\\n" + "# c\n" * n
                             + "    A=1\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n", 3000),
    "heredoc_markers": (lambda n: "FROM python:3.12\nRUN " + " ".join(f"<<E{i}" for i in range(n)) + "\n"
                        + "".join(f"pip install x\nE{i}\n" for i in range(n)), 4000),
    "heredoc_lines": (lambda n: "FROM python:3.12\nRUN <<EOF\n" + "pip install x\n" * n + "EOF\n", 2000),
    "nested_sh": (lambda n: "FROM python:3.12\nRUN " + _nested_subst(n) + "\nRUN pip install y\n", 40),
    "nested_subshell": (lambda n: "FROM python:3.12\nRUN " + "(" * n + "pip install x" + ")" * n + "\n", 1000),
    "deep_var": (lambda n: "FROM python:3.12\nENV PIP_CACHE_DIR=" + "${a:-" * n + "/c" + "}" * n
                 + "\nRUN pip install x\n", 1000),
    "deep_var_run": (lambda n: "FROM python:3.12\nRUN pip install " + "${a:-" * n + "x" + "}" * n + "\n", 1000),
    "directive_spaces": (lambda n: "# syntax=y" + " " * (10 * n) + "z\nFROM python:3.12\nRUN pip install x\n", 4000),
    "directive_long": (lambda n: "# syntax=" + "a" * (50 * n) + "\nFROM python:3.12\nRUN pip install x\n", 2000),
    "directives_many": (lambda n: "".join(f"# d{i}=x\n" for i in range(n)) + "FROM python:3.12\nRUN pip install x\n",
                        2000),
    "stages": (lambda n: "".join(f"FROM python:3.12 AS s{i}\nRUN pip install x\n" for i in range(n)), 1500),
    "from_chain": (lambda n: "FROM python:3.12 AS s0\n" + "".join(f"FROM s{i} AS s{i + 1}\nRUN pip install x\n"
                                                                   for i in range(n)), 800),
    "env_vars": (lambda n: "FROM python:3.12\nENV " + " ".join(f"V{i}=$V{max(i - 1, 0)}x" for i in range(n))
                 + "\nRUN pip install x\n", 2000),
    "arg_chain": (lambda n: "FROM python:3.12\nARG A0=/c\n" + "".join(f"ARG A{i + 1}=${{A{i}}}/x\n" for i in range(n))
                  + f"ENV PIP_CACHE_DIR=$A{n}\nRUN pip install x\n", 1500),
    "mounts": (lambda n: "FROM python:3.12\nRUN " + " ".join(f"--mount=type=cache,target=/c{i}" for i in range(n))
               + " pip install x\n", 500),
    "mount_options": (lambda n: "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip"
                      + ",uid=0" * n + " pip install x\n", 1000),
    "users": (lambda n: "FROM python:3.12\n" + "".join(f"RUN useradd -m -u {1000 + i} u{i}\nUSER u{i}\n"
                                                       for i in range(n)) + "RUN pip install x\n", 1500),
    "long_word": (lambda n: "FROM python:3.12\nRUN pip install " + "a" * (50 * n) + "\n", 2000),
    "quotes": (lambda n: "FROM python:3.12\nRUN pip install " + "'\"" * n + "\n", 2000),
    "exec_escapes": (lambda n: 'FROM python:3.12\nRUN ["sh", "-c", "pip install ' + '\\"x\\" ' * n + '"]\n', 2000),
    "blank_lines": (lambda n: "FROM python:3.12\nRUN pip install \\\n" + "\n" * n + "    x\n", 3000),
}


def build_big(case: tuple[str, int]) -> str:
    kind, n = case
    return BIG[kind][0](n)


def big_size(kind: str, scale: float) -> int:
    return max(1, int(BIG[kind][1] * scale))


@lru_cache(maxsize=None)
def big_cases(low: float, high: float):
    """(kind, n) with n between `low` and `high` times the kind's size."""
    return st.one_of([st.tuples(st.just(kind), st.integers(big_size(kind, low), big_size(kind, high))) for kind in BIG])


# ---------------------------------------------------------------------------------------------
# Corpus mutations

@lru_cache(maxsize=None)
def read_corpus(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Mutant:
    """A corpus file and the mutations to apply; prints compactly, `text` is the mutated file."""
    path: Path
    ops: tuple = ()
    _text: list = field(default_factory=list, repr=False, compare=False)

    def __repr__(self) -> str:
        return f"Mutant({self.path.name!r}, ops={list(self.ops)!r})"

    @property
    def text(self) -> str:
        if not self._text:
            self._text.append(mutate(read_corpus(self.path), self.ops))
        return self._text[0]


MAX_ADDED_LINES = 4000  # a duplicated block stays a pathological size, not a giant one


def mutate(text: str, ops) -> str:
    """Apply (op, i, j, arg) operations; indices are taken modulo the current size."""
    for op, i, j, arg in ops:
        lines = text.splitlines(keepends=True) or [""]
        n = len(lines)
        a, b = i % n, j % n
        if op == "dup":
            line = lines[a] if lines[a].endswith("\n") else lines[a] + "\n"
            lines[a:a + 1] = [line] * (1 + min(arg, MAX_ADDED_LINES))
        elif op == "dup_block":
            lo, hi = min(a, b), max(a, b) + 1
            block = lines[lo:hi]
            if block and not block[-1].endswith("\n"):
                block[-1] += "\n"
            lines[hi:hi] = block * max(1, min(arg, MAX_ADDED_LINES // len(block)))
        elif op == "delete":
            del lines[a]
        elif op == "swap":
            lines[a], lines[b] = lines[b], lines[a]
        elif op == "insert":
            lines.insert(a, arg + "\n")
        elif op == "continue":  # a `\` continuation where there was none
            body = lines[a].rstrip("\r\n")
            lines[a] = body + " \\" + lines[a][len(body):]
        elif op == "join":  # the line break becomes a space
            lines[a] = lines[a].rstrip("\r\n") + " "
        elif op == "comment":
            lines[a] = "# " + lines[a]
        elif op == "indent":
            lines[a] = arg + lines[a]
        elif op == "crlf_line":
            lines[a] = lines[a].rstrip("\r\n") + "\r\n"
        if op in ("flip_quote", "insert_char", "truncate", "crlf", "lf"):
            text = _char_op(text, op, i, arg)
        else:
            text = "".join(lines)
    return text


def _char_op(text: str, op: str, i: int, arg: str) -> str:
    if op == "crlf":
        return text.replace("\r\n", "\n").replace("\n", "\r\n")
    if op == "lf":
        return text.replace("\r\n", "\n")
    if op == "flip_quote":
        quotes = [k for k, c in enumerate(text) if c in "'\""]
        if not quotes:
            return text
        k = quotes[i % len(quotes)]
        return text[:k] + ("'" if text[k] == '"' else '"') + text[k + 1:]
    pos = i % (len(text) + 1)
    if op == "truncate":
        return text[:pos]
    return text[:pos] + arg + text[pos:]


ODD_CHARS = ["\\", '"', "'", "`", "$", "${", "$(", ")", "}", "#", " #", ",", "=", "\n", "\r", "\r\n", "\t", "\x00",
             "\x1b", "\x7f", "\u0085", "\u2028", "\u202e", "\ufeff", "\xa0", "é", "e\u0301", "🐍", "<<EOF", "&&",
             "|"]
_IDX = st.integers(0, 10**6)


@lru_cache(maxsize=None)
@st.composite
def mutation(draw, max_repeat=3):
    op = one(draw, ["dup", "dup_block", "delete", "swap", "insert", "insert", "continue", "join",
                               "comment", "indent", "crlf_line", "flip_quote", "insert_char", "insert_char",
                               "truncate", "crlf", "lf"])
    i, j = draw(_IDX), draw(_IDX)
    if op in ("dup", "dup_block"):
        arg = draw(st.integers(max(1, max_repeat // 2), max_repeat))  # big repeats for the time bounds
    elif op == "insert":
        kind = draw(st.integers(0, 3))
        arg = (one(draw, HOSTILE) if kind == 0 else draw(run_instruction()) if kind == 1
               else draw(env_instruction()) if kind == 2 else one(draw, OTHER_INSTRUCTIONS))
    elif op == "insert_char":
        arg = one(draw, ODD_CHARS) if draw(st.integers(0, 2)) else draw(ANY_CHAR)
    elif op == "indent":
        arg = one(draw, ["  ", "\t", "    ", "\xa0"])
    else:
        arg = None
    return (op, i, j, arg)


def mutants(files, max_ops=5, max_repeat=3):
    return st.builds(Mutant, st.sampled_from(files),
                     st.lists(mutation(max_repeat), min_size=1, max_size=max_ops).map(tuple))

"""CM301 invalid-mount: a `RUN --mount` that BuildKit rejects, or parts of it that it silently ignores.

## Why
BuildKit checks `--mount` only when it builds: a typo in a key (`targt=`), an unknown type, a
`sharing` other than `shared`/`private`/`locked`, a `mode` that is not octal, a `uid`/`gid` that
is a name instead of a number, an option the mount type does not take (`uid` on a bind mount,
`size` anywhere but tmpfs, `required` anywhere but secret/ssh, `from` on a secret), a target
that resolves to `/`, or a variable in `from` fails the build, often after minutes of earlier
steps. Other mistakes pass silently and do nothing: `id` on a bind mount, `from` on tmpfs, `env`
on anything but a secret, a key given twice (the last one wins). A cache or tmpfs mount without
`target` is mounted over the working directory, hiding the files there for that step. An option
newer than the frontend pinned by `# syntax=` (tmpfs `size` needs 1.4, secret `env` needs 1.10)
is rejected by that frontend.

## Example
```dockerfile
FROM python:3.12-slim
RUN --mount=type=cache,targt=/root/.cache/pip,sharing=lock pip install requests
```

## Fixed
```dockerfile
FROM python:3.12-slim
RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked pip install requests
```

## Fix
Where the intent is unambiguous: corrects a misspelled key, type or `sharing` value to the one
valid spelling it is close to, writes booleans and modes the way BuildKit reads them, replaces a
user name in `uid=` by the uid it has in this stage, adds `target=` to a bare path, and removes
options BuildKit ignores (a duplicate key's earlier value, `id` on a bind mount, ...).
"""
from __future__ import annotations

import difflib
import posixpath
import re
from typing import Iterator

from ..document.expand import expand
from ..document.model import Flag, Instruction
from ..document.mounts import Mount, MountOption, mount_of
from ..semantics.pipeline import Analysis
from ..findings import Edit, Finding, Fix
from ..knowledge import mount_options as K

CODE = "CM301"
NAME = "invalid-mount"
SEVERITY = "error"
IGNORED = "warning"   # severity of options BuildKit accepts but ignores (nothing fails)

_SIZE = re.compile(K.SIZE_PATTERN)
_SYNTAX = re.compile(r"^(?:docker\.io/)?docker/dockerfile(?:-upstream)?:(\d+)(?:\.(\d+))?(?:\.(\d+))?([-.].*)?$",
                     re.I)
_BOOL_FIXES = {"yes": "true", "y": "true", "on": "true", "no": "false", "n": "false", "off": "false"}


def check(analysis: Analysis) -> Iterator[Finding]:
    doc = analysis.doc
    pinned = frontend_version(doc.directives.get("syntax"))
    for instr in doc.instructions:
        if instr.keyword != "RUN" or not analysis.analysed(instr):
            continue
        ctx = analysis.contexts.get(instr.index)
        env = dict(ctx.env) if ctx is not None else {}
        workdir = ctx.workdir if ctx is not None else "/"
        for flag in instr.flags:
            if flag.name == "mount":
                yield from _check_mount(analysis, instr, flag, env, workdir, pinned)
            elif flag.name not in K.RUN_FLAGS and difflib.get_close_matches(flag.name, ["mount"], 1, 0.7):
                name_end = flag.start + 2 + len(flag.name)
                yield _finding(f"unknown RUN flag --{flag.name}: BuildKit fails the build; did you mean --mount?",
                               flag.start, name_end,
                               (Fix("Change to --mount", (Edit(flag.start + 2, name_end, "mount"),)),))


def frontend_version(syntax: str | None) -> tuple[int, int, int] | None:
    """(major, minor, patch) of a pinned `docker/dockerfile:X.Y[.Z]` frontend; None when the
    directive is absent, floating (`:1`), or not the official Dockerfile frontend."""
    if not syntax:
        return None
    m = _SYNTAX.match(syntax.strip().split("@", 1)[0])
    if not m or m.group(2) is None:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


def _since(version: str) -> tuple[int, int, int]:
    nums = re.findall(r"\d+", version.split("-", 1)[0])
    nums += ["0"] * (3 - len(nums))
    return int(nums[0]), int(nums[1]), int(nums[2])


def _finding(message: str, start: int, end: int, fixes: tuple[Fix, ...] = (), severity: str = SEVERITY,
             tags: tuple[str, ...] = ()) -> Finding:
    return Finding(CODE, NAME, severity, message, start, end, fixes, tags)


def _closest(word: str, candidates: list[str] | tuple[str, ...], cutoff: float = 0.6) -> str | None:
    """The one candidate `word` is a near miss of; None when none or several are about as close."""
    got = difflib.get_close_matches(word, candidates, n=2, cutoff=cutoff)
    if not got:
        return None
    if len(got) == 2:
        ratio = [difflib.SequenceMatcher(None, word, g).ratio() for g in got]
        if ratio[0] - ratio[1] < 0.1:
            return None
    return got[0]


def _removal(text: str, mount: Mount, opt: MountOption) -> Edit | None:
    """Remove one option with one comma next to it; None if it is the only option."""
    if len(mount.options) < 2:
        return None
    start = opt.start
    j = start - 1
    while j >= mount.flag.value_start and text[j] in " \t":
        j -= 1
    if j >= mount.flag.value_start and text[j] == ",":
        return Edit(j, opt.end, "")
    k = opt.end
    while k < mount.flag.value_end and text[k] in " \t":
        k += 1
    if k < mount.flag.value_end and text[k] == ",":
        return Edit(start, k + 1, "")
    return None


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" or word == "ssh" else "a"


def _types_text(types: tuple[str, ...]) -> str:
    if len(types) == 1:
        return types[0]
    return ", ".join(types[:-1]) + " and " + types[-1]


def _check_mount(analysis: Analysis, instr: Instruction, flag: Flag, env: dict[str, str], workdir: str,
                 pinned: tuple[int, int, int] | None) -> Iterator[Finding]:
    text = analysis.text
    if flag.value is None or not flag.value.strip():
        yield _finding("--mount needs a value such as type=cache,target=<dir>: BuildKit fails the build",
                       flag.start, flag.end)
        return
    mount = mount_of(flag)
    escape = analysis.doc.escape

    def value_of(opt: MountOption) -> str | None:
        """The value BuildKit sees (after ARG/ENV expansion); None when it cannot be known."""
        if opt.value is None:
            return None
        if opt.canonical in K.NO_EXPANSION_KEYS:
            return opt.value
        return expand(opt.value, env, escape)

    # `type` first: BuildKit reads it before the other keys, and the last one wins.
    type_opts = [o for o in mount.options if o.canonical == "type"]
    mtype: str | None = K.DEFAULT_TYPE
    if type_opts:
        opt = type_opts[-1]
        raw = value_of(opt)
        if opt.value is None:
            mtype = None
        elif raw is None:
            mtype = None   # `type=$T` with T unknown: do not judge the other keys
        elif raw.lower() not in K.MOUNT_TYPES:
            mtype = None
            guess = _closest(raw.lower(), K.MOUNT_TYPES)
            fixes = ()
            if guess and opt.value == raw:
                fixes = (Fix(f"Change type to {guess}", (Edit(opt.value_start, opt.value_end, guess),)),)
            hint = f"; did you mean {guess}?" if guess else ""
            yield _finding(f"unknown mount type \"{raw}\": BuildKit fails the build (types: "
                           f"{', '.join(K.MOUNT_TYPES)}){hint}", opt.value_start, opt.value_end, fixes)
        else:
            mtype = raw.lower()

    seen: dict[str, MountOption] = {}
    meant_target = False   # a misspelled key or bare path fixed into `target=`: no "missing target" too
    for opt in mount.options:
        spec = K.OPTIONS_BY_SPELLING.get(opt.key)
        if spec is None:
            for finding in _unknown_key(text, mount, opt, mtype):
                meant_target = meant_target or any(
                    e.new_text.rstrip("=") in K.OPTIONS_BY_KEY["target"].spellings for fx in finding.fixes for e in fx.edits)
                yield finding
            continue
        earlier = seen.get(spec.key)
        if earlier is not None:
            fix = _removal(text, mount, earlier)
            shown = text[opt.start:opt.end].strip()
            yield _finding(f"{spec.key} is given twice; BuildKit uses the last one ({shown}) and ignores "
                           f"{text[earlier.start:earlier.end].strip()}", earlier.start, earlier.end,
                           (Fix(f"Remove the ignored {text[earlier.start:earlier.key_end].strip()}", (fix,)),)
                           if fix else (), IGNORED, ("unnecessary",))
        seen[spec.key] = opt
        if opt.value is None and not spec.bare:
            yield from _bare_field(text, mount, opt, mtype)
            continue
        if mtype is not None:
            problem = _type_check(text, mount, opt, spec, mtype)
            if problem is not None:
                yield problem
                continue
        if pinned is not None and pinned < _since(spec.since):
            yield _finding(f"{opt.key} needs Dockerfile frontend {spec.since} or later; "
                           f"# syntax= pins {'.'.join(map(str, pinned))}, which fails the build",
                           opt.start, opt.key_end)
        if spec.key == "from":
            yield from _check_from(analysis, instr, opt)
            continue
        if opt.value is None:
            continue
        value = value_of(opt)
        if value is None:
            continue
        yield from _check_value(analysis, instr, mount, opt, spec, value)

    if mtype is not None:
        yield from _check_whole(analysis, instr, mount, mtype, seen, value_of, workdir, meant_target)


def _unknown_key(text: str, mount: Mount, opt: MountOption, mtype: str | None) -> Iterator[Finding]:
    key = opt.key
    if opt.value is None:
        # A bare word that is no key: `type=cache,/root/.cache/pip` (a forgotten `target=`).
        if key.startswith(("/", "./", "~", "$")) and mtype in ("bind", "cache", "tmpfs") and \
                mount.get("target") is None:
            yield _finding(f"\"{text[opt.start:opt.end].strip()}\" is not a key=value pair: BuildKit fails "
                           f"the build; add target= for the mount path", opt.start, opt.end,
                           (Fix("Add target=", (Edit(opt.start, opt.start, "target="),)),))
            return
    valid = [k for k in K.ALL_KEYS if mtype is None or mtype in K.OPTIONS_BY_SPELLING[k].accepted_by]
    guess = _closest(key, valid) or _closest(key, K.ALL_KEYS)
    fixes: tuple[Fix, ...] = ()
    if guess is not None:
        fixes = (Fix(f"Change {key} to {guess}", (Edit(opt.start, opt.key_end, guess),)),)
    hint = f"; did you mean {guess}?" if guess else ""
    shown = key if key else text[opt.start:opt.end].strip()
    yield _finding(f"unknown --mount option \"{shown}\": BuildKit fails the build{hint}",
                   opt.start, opt.key_end if opt.value is not None else opt.end, fixes)


def _bare_field(text: str, mount: Mount, opt: MountOption, mtype: str | None) -> Iterator[Finding]:
    yield _finding(f"{opt.key} needs a value ({opt.key}=...): BuildKit fails the build", opt.start, opt.end)


def _type_check(text: str, mount: Mount, opt: MountOption, spec: K.OptionSpec, mtype: str) -> Finding | None:
    if mtype in spec.rejected_by:
        takes = _types_text(spec.accepted_by)
        return _finding(f"{opt.key} is not allowed on {_a(mtype)} {mtype} mount: BuildKit fails the build "
                        f"(only {takes} mount{'s' if len(spec.accepted_by) > 1 else ''} take it)",
                        opt.start, opt.end if opt.value is None else opt.key_end)
    if mtype in spec.ignored_by:
        fix = _removal(text, mount, opt)
        uses = _types_text(spec.accepted_by)
        return _finding(f"{opt.key} has no effect on {_a(mtype)} {mtype} mount (BuildKit ignores it; only {uses} "
                        f"mount{'s' if len(spec.accepted_by) > 1 else ''} use it)", opt.start, opt.end,
                        (Fix(f"Remove the ignored {opt.key}", (fix,)),) if fix else (), IGNORED, ("unnecessary",))
    return None


def _check_from(analysis: Analysis, instr: Instruction, opt: MountOption) -> Iterator[Finding]:
    value = opt.value or ""
    if re.search(r"\$.", value):
        yield _finding("from= does not expand variables: BuildKit fails the build; define an alias stage "
                       "(FROM ${IMAGE} AS deps) and use from=deps", opt.value_start, opt.value_end)
        return
    if not value:
        return
    for stage in analysis.doc.stages:
        if stage.name and stage.name == value.lower() and stage.index >= instr.stage >= 0:
            which = "this stage" if stage.index == instr.stage else "a later stage"
            yield _finding(f"from={value} names {which}; a stage must be defined before it is used in "
                           f"from=, so BuildKit fails the build (or pulls an image called {value})",
                           opt.value_start, opt.value_end)
            return


def _check_value(analysis: Analysis, instr: Instruction, mount: Mount, opt: MountOption, spec: K.OptionSpec,
                 value: str) -> Iterator[Finding]:
    literal = opt.value == value   # edits only when the written text is the value itself
    span = (opt.value_start, opt.value_end)

    def change(new: str, title: str | None = None) -> tuple[Fix, ...]:
        if not literal:
            return ()
        return (Fix(title or f"Change {opt.key}={value} to {opt.key}={new}", (Edit(*span, new),)),)

    kind = spec.kind
    if spec.key == "sharing":
        modes = [v.value for v in spec.values]
        if value.lower() not in modes:
            guess = _closest(value.lower(), modes, 0.5)
            hint = f"; did you mean {guess}?" if guess else ""
            yield _finding(f"sharing must be {', '.join(modes[:-1])} or {modes[-1]}, not \"{value}\": BuildKit "
                           f"fails the build{hint}", *span, change(guess) if guess else ())
    elif kind == "bool":
        if value not in K.BOOL_VALUES:
            new = _BOOL_FIXES.get(value.lower())
            yield _finding(f"{opt.key} must be true or false, not \"{value}\": BuildKit fails the build",
                           *span, change(new) if new else ())
    elif kind == "octal":
        if not re.fullmatch(r"[0-7]+", value) or int(value, 8) > K.UINT32_MAX:
            m = re.fullmatch(r"0[oO]([0-7]+)", value)
            new = "0" + m.group(1) if m else None
            yield _finding(f"mode must be an octal number such as 0755, not \"{value}\": BuildKit fails the build",
                           *span, change(new) if new else ())
    elif kind == "uint":
        if not re.fullmatch(r"[0-9]+", value) or int(value) > K.UINT32_MAX:
            new = _numeric_id(analysis, instr, opt.canonical, value)
            hint = f" ({value} is {opt.canonical} {new} here)" if new else ""
            yield _finding(f"{opt.canonical} must be a number, not \"{value}\": BuildKit does not look names up "
                           f"and fails the build{hint}", *span, change(new) if new else ())
    elif kind == "size":
        if not _SIZE.match(value):
            yield _finding(f"size must be a size such as 64m or 1g, not \"{value}\": BuildKit fails the build", *span)
    elif spec.key == "target" and value.strip() == "":
        pass  # reported as a missing target


def _numeric_id(analysis: Analysis, instr: Instruction, key: str, name: str) -> str | None:
    """The uid (gid) the user (group) `name` has for this RUN, when the engine knows it."""
    ctx = analysis.contexts.get(instr.index)
    if ctx is None:
        return None
    user = ctx.user
    if user.name == name or user.spec == name:
        num = user.uid if key == "uid" else user.gid
        return str(num) if num is not None else None
    return None


def _check_whole(analysis: Analysis, instr: Instruction, mount: Mount, mtype: str, seen: dict[str, MountOption],
                 value_of, workdir: str, meant_target: bool = False) -> Iterator[Finding]:
    flag = mount.flag
    target = seen.get("target")
    target_value = value_of(target) if target is not None and target.value is not None else None
    if mtype in ("bind", "cache", "tmpfs") and not meant_target and (
            target is None or (target_value is not None and not target_value.strip())):
        # No target: BuildKit joins the empty path to WORKDIR, so the mount covers the working dir.
        yield from _no_target(analysis, instr, flag, mtype, workdir)
        return
    if target_value and target_value.strip():
        resolved = posixpath.normpath(posixpath.join(workdir or "/", target_value.strip()))
        if resolved in ("/", "//"):
            yield _finding(f"target {target_value} resolves to /: BuildKit cannot mount over the root and fails "
                           f"the build", target.value_start, target.value_end)
    if mtype == "secret":
        source, ident = seen.get("source"), seen.get("id")
        if source is not None and ident is not None:
            yield _finding("a secret mount cannot set both source and id (source is another spelling of id): "
                           "BuildKit fails the build", source.start, source.end)
        if source is None and ident is None and target is None:
            yield _finding("a secret mount needs id=, source= or target=: BuildKit fails the build",
                           flag.start, flag.end)


def _no_target(analysis: Analysis, instr: Instruction, flag: Flag, mtype: str, workdir: str) -> Iterator[Finding]:
    ctx = analysis.contexts.get(instr.index)
    workdirs = [analysis.doc.instructions[i] for i in (ctx.lineage if ctx is not None else ())
                if analysis.doc.instructions[i].keyword == "WORKDIR"]
    # the working directory is known when a WORKDIR set it (the base image's is not in our tables)
    known = bool(workdirs) and all("$" not in w.args for w in workdirs)
    if known and workdir not in ("/", ""):
        if mtype == "bind":
            return   # `--mount=from=build` with a WORKDIR: mounted over the working directory, on purpose
        yield _finding(f"this {mtype} mount has no target=, so it is mounted over the working directory "
                       f"{workdir} and hides its files during this RUN; add target=<dir>",
                       flag.start, flag.end, severity=IGNORED)
    elif known:
        yield _finding(f"this {mtype} mount has no target=, so it goes to the working directory /, which "
                       f"BuildKit cannot mount over: the build fails; add target=<dir>", flag.start, flag.end)
    elif mtype != "bind":
        yield _finding(f"this {mtype} mount has no target=, so it goes to the working directory (/ unless the "
                       f"base image sets a WORKDIR, and BuildKit fails on /); add target=<dir>",
                       flag.start, flag.end, severity=IGNORED)

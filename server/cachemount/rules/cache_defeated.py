"""CM103 cache-defeated: a cache mount is present, but the step disables or wipes it.

## Why
`--no-cache-dir`, `PIP_NO_CACHE_DIR` (any value, even `false`), `uv --no-cache`/`UV_NO_CACHE`,
`apk add --no-cache` make the tool ignore the mounted cache. `rm -rf` of the mounted dir,
`apt-get clean`, `dnf clean all` and friends empty it on every build, and free no space in the
image (a cache mount is never part of a layer). Some mounts also need the image to cooperate:
Debian and Ubuntu images ship `/etc/apt/apt.conf.d/docker-clean`, which deletes every downloaded
`.deb` after each install; apk keeps packages only when `/etc/apk/cache` exists; dnf and yum keep
RPMs only with `keepcache` on; zypper only for repos with `keeppackages`.

## Example
```dockerfile
FROM python:3.12-slim
RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir requests
```

## Fixed
```dockerfile
FROM python:3.12-slim
RUN --mount=type=cache,target=/root/.cache/pip pip install requests
```

## Fix
Removes the defeating flag, variable or cleanup command, or inserts the missing prerequisite
once per stage.
"""
from __future__ import annotations

import posixpath
import re
from typing import Iterator

from ..semantics import cachedirs
from ..document.expand import expand
from ..semantics.pipeline import Analysis, InvocationFacts, RunFacts
from ..fixing.edits import insert_before_instruction, instruction_block, remove_command, remove_span_with_space
from ..findings import Edit, Finding, Fix
from ..knowledge.prerequisites import PREREQUISITES
from ..semantics.prerequisites import prerequisite_applies, prerequisite_missing
from .base import command_text, invocation_span, live_runs

CODE = "CM103"
NAME = "cache-defeated"
SEVERITY = "warning"

_TRUTHY = frozenset({"1", "true", "yes", "on", "y", "t"})


def check(analysis: Analysis) -> Iterator[Finding]:
    for facts in live_runs(analysis):
        if not facts.cache_mounts:
            continue
        yield from _option_and_env_defeats(analysis, facts)
        yield from _cleanups(analysis, facts)
        yield from _prerequisites(analysis, facts)


def _mounted_for(facts: RunFacts, f: InvocationFacts) -> bool:
    if any(facts.covering(rc) for rc in f.caches):
        return True
    return any(m.target and cachedirs.intended_for(m.target, f.inv.manager) for m in facts.cache_mounts)


def _option_and_env_defeats(analysis: Analysis, facts: RunFacts) -> Iterator[Finding]:
    for f in facts.invocations:
        if f.inv.role not in ("download", "consume") or not _mounted_for(facts, f):
            continue
        manager = f.inv.manager
        for word, reason in f.inv.defeats:
            fix = Fix(f"Remove {word.text}", (remove_span_with_space(analysis.text, word.start, word.end, analysis.doc.escape),))
            yield Finding(CODE, NAME, SEVERITY,
                          f"`{word.text}` {reason}, so the cache mount on this RUN is never used",
                          word.start, word.end, (fix,))
        for defeat in manager.env_defeats:
            value = f.env.get(defeat.name)
            if value is None or defeat.when == "truthy" and value.strip().lower() not in _TRUTHY:
                continue
            origin, edit = _env_origin(analysis, facts, f, defeat.name)
            start, end = invocation_span(f.inv)
            fixes = (Fix(f"Remove {defeat.name}", (edit,)),) if edit is not None else ()
            yield Finding(CODE, NAME, SEVERITY,
                          f"{defeat.name}={value} ({origin}) {defeat.reason}, so the cache mount on this RUN "
                          f"is never used by {manager.display}",
                          start, end, fixes)


def _env_origin(analysis: Analysis, facts: RunFacts, f: InvocationFacts, name: str) -> tuple[str, Edit | None]:
    """Where the variable comes from, and the edit that removes it there (None if unsure)."""
    text = analysis.text
    cmd = f.inv.command
    if any(n == name for n, _ in cmd.assignments):
        prefix = text[cmd.start:cmd.words[0].start] if cmd.words else ""
        m = re.search(rf"(^|\s){re.escape(name)}=(\"[^\"]*\"|'[^']*'|\S*)\s+", prefix)
        edit = Edit(cmd.start + m.start() + len(m.group(1)), cmd.start + m.end(), "") if m else None
        return "set on the command", edit
    doc = analysis.doc
    for index in reversed(facts.ctx.lineage):
        instr = doc.instructions[index]
        if instr.keyword not in ("ENV", "ARG"):
            continue
        m = re.search(rf"(^|\s)({re.escape(name)})(=(\"[^\"]*\"|'[^']*'|\S*))?(?=\s|$)", instr.args)
        if not m:
            continue
        where = f"{instr.keyword} on line {instr.line + 1}"
        if "=" not in instr.args and instr.keyword == "ENV":
            pairs = 1  # legacy `ENV NAME value`
        else:
            pairs = len([w for w in instr.args.split() if "=" in w]) or 1
        if pairs == 1:
            start, end = instruction_block(text, instr)
            return where, Edit(start, end, "")
        ws, we = instr.args_origin[m.start(2)], instr.args_origin[m.end()]
        return where, remove_span_with_space(text, ws, we, analysis.doc.escape)
    return "exported in this RUN", None


def _cleanups(analysis: Analysis, facts: RunFacts) -> Iterator[Finding]:
    targets = [m.target for m in facts.cache_mounts if m.target]
    for f in facts.invocations:
        if f.inv.role != "clean" or not _mounted_for(facts, f):
            continue
        start, end = invocation_span(f.inv)
        what = command_text(f.inv)
        edit = remove_command(analysis.text, facts.commands, f.inv.command, analysis.doc.escape)
        fixes = (Fix(f"Remove `{what}`", (edit,)),) if edit else ()
        yield Finding(CODE, NAME, SEVERITY,
                      f"`{what}` empties the cache mount on every build; it frees no space in the image "
                      f"(a cache mount is never part of a layer)",
                      start, end, fixes)
    for cmd in facts.commands:
        if cmd.name != "rm":
            continue
        for word in cmd.args:
            if word.text.startswith("-"):
                continue
            path = expand(word.text, facts.ctx.env)
            if not path:
                continue
            path = re.sub(r"/\*+$|/\.\*$|/$", "", path) or "/"
            if not path.startswith("/"):
                path = posixpath.join(facts.ctx.workdir, path)
            path = posixpath.normpath(path)
            for target in targets:
                if path == target or path.startswith(target + "/") or target.startswith(path + "/") and path != "/":
                    paths = [w for w in cmd.args if not w.text.startswith("-")]
                    edit = (remove_command(analysis.text, facts.commands, cmd, analysis.doc.escape)
                            if len(paths) == 1 else remove_span_with_space(analysis.text, word.start, word.end, analysis.doc.escape))
                    fixes = (Fix(f"Remove `rm {word.text}`", (edit,)),) if edit else ()
                    yield Finding(CODE, NAME, SEVERITY,
                                  f"`rm {word.text}` deletes the cache mounted at {target} on every build; it frees "
                                  f"no space in the image (a cache mount is never part of a layer)",
                                  word.start, word.end, fixes)
                    break


def _prerequisites(analysis: Analysis, facts: RunFacts) -> Iterator[Finding]:
    done: set[str] = set()
    for f in facts.invocations:
        if f.inv.role != "download" or not any(facts.covering(rc) for rc in f.caches):
            continue
        for key in f.inv.manager.prerequisites:
            prereq = PREREQUISITES.get(key)
            if prereq is None or key in done or not prerequisite_missing(analysis, facts, prereq, True):
                continue
            done.add(key)
            start, end = invocation_span(f.inv)
            severity = SEVERITY
            message = f"{prereq.description}, so this cache mount keeps nothing between builds"
            if prerequisite_applies(prereq, facts) is None:
                severity = "information"
                message = (f"the base image is unknown here; if it is {'/'.join(prereq.applies_to_bases)}-based: "
                           + message)
            fix = Fix(f"Add the prerequisite: {prereq.fix_command}",
                      (insert_before_instruction(analysis.text, facts.instr, [f"RUN {prereq.fix_command}"]),),
                      groups=(f"prereq:{key}:{facts.ctx.stage}",))
            yield Finding(CODE, NAME, severity, message, start, end, (fix,))

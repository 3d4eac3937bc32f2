"""CM201 copy-before-install: the whole build context is copied before an install that needs
only the manifest files.

## Why
Docker reuses a layer only while everything it depends on is unchanged. `COPY . .` depends on
every file of the build context, so when it comes before `pip install -r requirements.txt` (or
`npm ci`, `go mod download`, `bundle install`, ...), any source edit re-runs the whole install.
Copy the manifests first, install, then copy the rest. Steps designed to run after the full copy
(`uv sync` after `uv sync --no-install-project`, `pip install .`, `go build` after
`go mod download`, ...) and `COPY --from=` are not reported. Two softer hints (severity
information): an OS package install (apt, apk, dnf, ...) placed after the copy, which could simply
move above it, and a build step that fetches dependencies itself (`cargo build`, `gradle build`,
`go build`) with no dependency-only step before the copy and no cache mount.

## Example
```dockerfile
FROM python:3.12-slim
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
```

## Fixed
```dockerfile
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY . .
```

## Fix
Inserts a COPY of exactly the manifest files the install reads right before it and moves the
broad COPY to just after the install; alternatively bind-mounts the manifests into the RUN.
"""
from __future__ import annotations

from typing import Iterator

from ..document.model import Instruction
from ..semantics.pipeline import Analysis, RunFacts
from ..findings import Finding
from ..knowledge.commands import OS_STEP_COMPANIONS
from ..semantics.invocations import matches_dep_step
from .base import command_text, invocation_span
from ..fixing.copy_reorder import manifest_fixes, manifests_for, move_above_fix, prefetch_fix

CODE = "CM201"
NAME = "copy-before-install"
SEVERITY = "warning"

BROAD_SOURCES = frozenset({".", "./", "*", "./*", "./.", ".*"})
def copy_sources(instr: Instruction) -> list[str]:
    """Sources of a COPY/ADD (destination dropped); empty for heredoc-only copies."""
    if instr.json_args is not None:
        return list(instr.json_args[:-1])
    words = [w for w in instr.args.split() if "<<" not in w]
    return words[:-1] if len(words) >= 2 else []


def is_broad_copy(instr: Instruction) -> bool:
    if instr.keyword not in ("COPY", "ADD") or instr.flag("from"):
        return False
    return any(src.rstrip("/") in {s.rstrip("/") for s in BROAD_SOURCES} or src in BROAD_SOURCES
               for src in copy_sources(instr))


def check(analysis: Analysis) -> Iterator[Finding]:
    doc = analysis.doc
    for stage in doc.stages:
        broad: Instruction | None = None
        dep_done: set[str] = set()
        for instr in stage.instructions:
            if broad is None and is_broad_copy(instr):
                broad = instr
                continue
            facts = analysis.runs.get(instr.index)
            if facts is None:
                continue
            if broad is None:
                for f in facts.invocations:
                    if matches_dep_step(f.inv, f.inv.manager.dep_steps):
                        dep_done.add(f.inv.manager.key)
                continue
            yield from _after_broad_copy(analysis, facts, broad, dep_done)


def _after_broad_copy(analysis: Analysis, facts: RunFacts, broad: Instruction, dep_done: set[str]) -> Iterator[Finding]:
    line = broad.line + 1
    reported: set[str] = set()
    os_only = _os_only(facts)
    for f in facts.invocations:
        manager = f.inv.manager
        if manager.key in reported or f.inv.role != "download":
            continue
        start, end = invocation_span(f.inv)
        what = command_text(f.inv)
        if matches_dep_step(f.inv, manager.dep_steps) and not matches_dep_step(f.inv, manager.second_steps):
            reported.add(manager.key)
            yield Finding(CODE, NAME, SEVERITY,
                          f"`{what}` needs only its manifest files, but the COPY on line {line} copies the whole "
                          f"build context first, so every source change re-runs this install; copy "
                          f"{_manifest_text(f)} first and the rest after the install",
                          start, end, lambda f=f: manifest_fixes(analysis, broad, facts, f))
        elif manager.os_package_manager and os_only:
            reported.add(manager.key)
            yield Finding(CODE, NAME, "information",
                          f"`{what}` does not read the build context, but it comes after the COPY on line {line}, "
                          f"so every source change re-runs it; move this RUN above that COPY",
                          start, end, lambda: move_above_fix(analysis, broad, facts))
        elif (f.inv.subcommand in manager.build_steps and manager.key not in dep_done
              and not any(facts.covering(rc) for rc in f.caches)):
            fixes = prefetch_fix(analysis, broad, facts, f)
            if not fixes:
                continue  # nothing concrete to offer: stay quiet rather than nag
            reported.add(manager.key)
            yield Finding(CODE, NAME, "information",
                          f"`{what}` fetches all dependencies itself after the COPY on line {line}, with no "
                          f"dependency-only step before that COPY, so every source change downloads them again",
                          start, end, fixes)


def _os_only(facts: RunFacts) -> bool:
    managed = {id(f.inv.command) for f in facts.invocations if f.inv.manager.os_package_manager}
    for cmd in facts.commands:
        if id(cmd) in managed or not cmd.words or cmd.name in OS_STEP_COMPANIONS:
            continue
        return False
    return bool(managed)


def _manifest_text(f) -> str:
    shown = manifests_for(f)
    return " ".join(f"`{m}`" for m in shown) if shown else "the manifest files"

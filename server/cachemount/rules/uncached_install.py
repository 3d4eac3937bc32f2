"""CM101 uncached-install: a RUN downloads or builds dependencies and no cache mount keeps them.

## Why
Without `RUN --mount=type=cache`, every build that re-runs this step downloads (and for pip,
cargo, go: rebuilds) every package again. A cache mount keeps the package manager's cache on the
builder between builds, outside the image. The right target depends on the manager, the user the
RUN runs as and the environment (`PIP_CACHE_DIR`, `XDG_CACHE_HOME`, `GOPATH`, `CARGO_HOME`, ...).
A later step that reads packages an earlier step kept only in a cache mount (`dotnet publish
--no-restore` after `dotnet restore`, `mvn -o package` after `dependency:go-offline`) needs the
same mount, or it fails offline or downloads again. `--no-cache-dir` / `--no-cache` do not make
an install cached: they only keep the cache out of the layer.

Not reported in Windows stages (`RUN --mount` is Linux-only) nor for commands that download
nothing (`pip --version`, `pip uninstall`, `npm run build`, `apt-get purge`).

## Example
```dockerfile
FROM python:3.12-slim
COPY requirements.txt .
RUN pip install -r requirements.txt
```

## Fixed
```dockerfile
FROM python:3.12-slim
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
```

## Fix
Inserts one `--mount=type=cache,...` per cache dir the manager needs, resolved for the user and
environment in force (with `uid=`/`gid=` for a non-root user, `sharing=locked` where the manager
needs exclusive access), adds the prerequisites the mount needs once per stage, and removes flags
in the same step that would defeat the mount.
"""
from __future__ import annotations

from typing import Iterator

from ..semantics.pipeline import Analysis, InvocationFacts, RunFacts
from ..findings import Finding, Fix
from .base import command_text, invocation_span, live_runs, stray_mounts, who
from ..fixing.cache_mount import cache_fix_edits, target_problem, title_for

CODE = "CM101"
NAME = "uncached-install"
SEVERITY = "warning"


def check(analysis: Analysis) -> Iterator[Finding]:
    for facts in live_runs(analysis):
        by_manager: dict[str, list[InvocationFacts]] = {}
        for f in facts.invocations:
            if f.inv.role in ("download", "consume"):
                by_manager.setdefault(f.inv.manager.key, []).append(f)
        for key, group in by_manager.items():
            finding = _check_manager(analysis, facts, group)
            if finding is not None:
                yield finding


def _check_manager(analysis: Analysis, facts: RunFacts, group: list[InvocationFacts]) -> Finding | None:
    manager = group[0].inv.manager
    if any(m.target is None for m in facts.cache_mounts):
        return None  # a cache mount whose target is missing or unknown here may be the one: no guessing
    missing: list = []
    anchor: InvocationFacts | None = None
    unknown = []
    consumer_of = None
    for f in group:
        if f.inv.role == "consume":
            consumer_of = _earlier_mounting_run(analysis, facts, f)
            if consumer_of is None:
                continue
        stray = stray_mounts(facts, f)
        for rc in f.caches:
            if facts.covering(rc):
                continue
            if stray:
                continue  # a mount meant for this manager exists but misses: CM102 says so
            if rc.path is None:
                unknown.append(rc)
            elif all(rc.path != m.path for m in missing):
                missing.append(rc)
            if anchor is None:
                anchor = f
    if anchor is None:
        return None
    start, end = invocation_span(anchor.inv)
    what = command_text(anchor.inv)
    if consumer_of is not None and anchor.inv.role == "consume":
        line = consumer_of.instr.line + 1
        message = (f"`{what}` reads packages that the step on line {line} kept only in a cache mount; "
                   f"mount the same cache here ({', '.join(rc.path for rc in missing if rc.path)})")
    elif missing:
        targets = ", ".join(rc.path for rc in missing)
        owner = ""
        user = facts.ctx.user
        if not user.is_root and not manager.os_package_manager:
            if user.uid is not None:
                owner = f" with uid={user.uid},gid={user.gid if user.gid is not None else user.uid} for {who(facts)}"
            else:
                owner = f" owned by {who(facts)}, whose uid is unknown (create the user with -u or use a numeric USER)"
        message = (f"`{what}` downloads packages with no cache mount: mount {targets}{owner} "
                   f"so the next build reuses {manager.display}'s cache")
        if unknown:
            message += "; " + "; ".join(rc.why for rc in unknown)
    else:
        message = (f"`{what}` downloads packages with no cache mount, and where {manager.display} caches for "
                   f"{who(facts)} cannot be known: {'; '.join(rc.why for rc in unknown)}")
    problems = [p for p in (target_problem(rc.path) for rc in missing) if p]
    if problems:
        message += f" (no automatic fix: {'; '.join(problems)})"
    def fixes():
        if not missing:
            return ()
        edits, groups = cache_fix_edits(analysis, facts, manager, missing)
        if not edits:
            return ()
        return (Fix(title_for(manager, missing, facts.ctx.user), tuple(edits), groups=tuple(groups)),)

    return Finding(CODE, NAME, SEVERITY, message, start, end, fixes)


def _earlier_mounting_run(analysis: Analysis, facts: RunFacts, consumer: InvocationFacts) -> RunFacts | None:
    """The latest earlier RUN in the lineage whose cache mount holds this manager's packages."""
    key = consumer.inv.manager.key
    for earlier in reversed(analysis.earlier_runs(facts)):
        for f in earlier.invocations:
            if f.inv.manager.key == key and f.inv.role == "download" and any(earlier.covering(rc) for rc in f.caches):
                return earlier
    return None

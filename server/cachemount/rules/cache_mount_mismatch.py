"""CM102 cache-mount-mismatch: a cache mount is there, but the manager never uses it.

## Why
A cache mount only helps if it sits exactly where the package manager writes its cache for the
user and environment in force. Under `USER app`, pip caches in `/home/app/.cache/pip`, not
`/root/.cache/pip`; `PIP_CACHE_DIR`, `UV_CACHE_DIR`, `XDG_CACHE_HOME`, `GOMODCACHE`,
`CARGO_HOME` and friends move it. And BuildKit creates a new cache directory owned by root with
mode 0755 unless `uid=`/`gid=` (or `mode=`) say otherwise, so a non-root user cannot write to it:
pip then warns and turns its cache off, Yarn 1 silently falls back to /tmp.

## Example
```dockerfile
FROM python:3.12-slim
RUN useradd -m -u 1001 app
USER app
RUN --mount=type=cache,target=/root/.cache/pip pip install --user requests
```

## Fixed
```dockerfile
FROM python:3.12-slim
RUN useradd -m -u 1001 app
USER app
RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1001,gid=1001 pip install --user requests
```

## Fix
Retargets the mount to the directory the manager uses and adds `uid=`/`gid=` of the user.
"""
from __future__ import annotations

from typing import Iterator

from ..document.expand import expand
from ..document.mounts import format_option, quoted_whole
from ..semantics.pipeline import Analysis
from ..findings import Edit, Finding, Fix
from .base import live_runs, stray_mounts, who
from ..fixing.cache_mount import owner_options, target_problem

CODE = "CM102"
NAME = "cache-mount-mismatch"
SEVERITY = "warning"


def check(analysis: Analysis) -> Iterator[Finding]:
    for facts in live_runs(analysis):
        reported: set[int] = set()
        user = facts.ctx.user
        for f in facts.invocations:
            if f.inv.role not in ("download", "consume"):
                continue
            manager = f.inv.manager
            uncovered = [rc for rc in f.caches if rc.path and not facts.covering(rc)]
            for m in stray_mounts(facts, f):
                if id(m) in reported or not uncovered:
                    continue
                reported.add(id(m))
                rc = uncovered[0]
                opt = m.mount.get("target")
                start, end = (opt.start, opt.end) if opt else (m.mount.flag.start, m.mount.flag.end)
                problem = target_problem(rc.path)
                yield Finding(CODE, NAME, SEVERITY,
                              f"{manager.display} caches in {rc.path} for {who(facts)} ({rc.why}); "
                              f"this mount targets {m.target}, so the cache is never used"
                              + (f" (no automatic fix: {problem})" if problem else ""),
                              start, end, _retarget_fix(analysis.text, m.mount, rc.path, user, manager))
            if user.is_root or user.uid is None or manager.os_package_manager:
                continue
            for rc in f.caches:
                for m in facts.covering(rc):
                    if id(m) in reported or _writable_by(m.mount, user, facts.ctx.env):
                        continue
                    reported.add(id(m))
                    uid_opt = m.mount.get("uid")
                    span = (uid_opt.start, uid_opt.end) if uid_opt else (m.mount.flag.start, m.mount.flag.end)
                    owner = f"uid={uid_opt.value}" if uid_opt else "root (no uid=)"
                    yield Finding(CODE, NAME, SEVERITY,
                                  f"this cache mount is owned by {owner} but {manager.display} runs as "
                                  f"{who(facts)}, which cannot write to it; add uid={user.uid},gid={user.gid}",
                                  span[0], span[1], _owner_fix(m.mount, user, manager))


def _writable_by(mount, user, env) -> bool:
    mode = mount.value("mode")
    if mode:
        try:
            if int(mode, 8) & 0o002:
                return True  # world-writable
        except ValueError:
            pass
    uid = mount.value("uid")
    if uid is None:
        return False
    uid = expand(uid, env) or uid
    try:
        return int(uid) == user.uid
    except ValueError:
        return True  # `uid=$APP_UID` and the like: cannot tell, do not guess


def _owner_edits(mount, user, manager) -> list[Edit]:
    wanted = dict(o.split("=", 1) for o in owner_options(user, manager))
    edits = []
    missing = []
    for key, value in wanted.items():
        opt = mount.get(key)
        if opt is None:
            missing.append(f"{key}={value}")
        elif opt.value != value:
            edits.append(Edit(opt.value_start, opt.value_end, value))
    if missing:
        edits.append(Edit(mount.flag.end, mount.flag.end, "," + ",".join(missing)))
    return edits


def _retarget_fix(text: str, mount, path: str, user, manager) -> tuple[Fix, ...]:
    opt = mount.get("target")
    if opt is None or target_problem(path):
        return ()
    key = text[opt.start:opt.key_end]
    key = key if key.isalpha() else opt.key  # the author's spelling (`dst`, `Target`) unless quoted
    field = format_option(key, path)
    if quoted_whole(mount.flag.value or ""):
        field = f"{key}={path}"  # inside `--mount="..."` the outer quotes already keep spaces
    if field == f"{key}={path}" and text[opt.start:opt.end] == f"{key}={opt.value}":
        edit = Edit(opt.value_start, opt.value_end, path)  # plain before and after: just the value
    else:
        edit = Edit(opt.start, opt.end, field)  # `"target=/x"`, `target="/x"` or a path with spaces
    edits = [edit] + _owner_edits(mount, user, manager)
    suffix = f" with uid={user.uid}" if owner_options(user, manager) else ""
    return (Fix(f"Retarget the cache mount to {path}{suffix}", tuple(edits)),)


def _owner_fix(mount, user, manager) -> tuple[Fix, ...]:
    edits = _owner_edits(mount, user, manager)
    if not edits:
        return ()
    return (Fix(f"Own the cache mount by uid={user.uid},gid={user.gid}", tuple(edits)),)

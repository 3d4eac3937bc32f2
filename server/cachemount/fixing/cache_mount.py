"""How a Docker expert adds a cache mount for one manager in one RUN: the flags (target resolved
for the user and env, uid/gid, sharing, id), the once-per-stage prerequisites and ENV, removal
of what would defeat the mount in the same step, and the same mount on later RUNs that read what
it now keeps. Shared by the rules' fixes (CM101, CM102, CM103)."""
from __future__ import annotations

import posixpath
import re

from ..semantics import cachedirs
from ..semantics.cachedirs import ResolvedCache
from ..document.expand import expand
from ..document.mounts import format_option
from .edits import insert_before_instruction, insert_flags, remove_command, remove_span_with_space
from ..semantics.pipeline import Analysis, RunFacts
from ..findings import Edit
from ..knowledge.prerequisites import PREREQUISITES
from ..knowledge.schema import ManagerSpec
from ..semantics.prerequisites import prerequisite_missing
from ..semantics.userinfo import UserInfo


def owner_options(user: UserInfo, manager: ManagerSpec) -> list[str]:
    if user.is_root or user.uid is None or manager.os_package_manager:
        return []
    gid = user.gid if user.gid is not None else user.uid
    return [f"uid={user.uid}", f"gid={gid}"]


def target_problem(path: str) -> str | None:
    """Why no fix should write a cache mount at `path` (None: it can). A path BuildKit would read
    back differently is refused, and so is one holding ` #`: in `ENV NAME value # note` the `#`
    and what follows are part of the value, almost always by mistake, and a mount there would
    carry that mistake into the RUN."""
    if re.search(r"\s#", path):
        return (f"the cache dir `{path}` contains ` #`: in `ENV NAME value` a `#` starts no comment, "
                f"it is part of the value")
    if format_option("target", path) is None:
        return f"the cache dir `{path}` cannot be written safely in a `--mount` flag"
    return None


def mount_flag(rc: ResolvedCache, user: UserInfo, manager: ManagerSpec) -> str:
    if rc.path is None:
        raise ValueError(f"{manager.key}: a cache without a resolved path cannot be mounted")
    parts = ["type=cache"]
    if rc.spec.id:
        parts.append(f"id={rc.spec.id}")
    parts.append(format_option("target", rc.path) or f"target={rc.path}")
    if rc.spec.sharing:
        parts.append(f"sharing={rc.spec.sharing}")
    parts += owner_options(user, manager)
    return "--mount=" + ",".join(parts)


def title_for(manager: ManagerSpec, caches: list[ResolvedCache], user: UserInfo) -> str:
    paths = ", ".join(rc.path for rc in caches if rc.path)
    owner = owner_options(user, manager)
    extra = f", uid={user.uid}" if owner else ""
    plural = "s" if len(caches) > 1 else ""
    return f"Add cache mount{plural} for {manager.display} ({paths}{extra})"


def _covered_by_new(path: str, targets: list[str]) -> str | None:
    for target in targets:
        if path == target or path.startswith(target + "/") or (target.startswith(path + "/") and path != "/"):
            return target
    return None


def defeat_removals(analysis: Analysis, facts: RunFacts, manager: ManagerSpec, targets: list[str]) -> list[Edit]:
    """Edits removing, in this RUN, what would defeat a mount of `manager` at `targets`."""
    text = analysis.text
    edits: list[Edit] = []
    removed_cmds: set[int] = set()
    for f in facts.invocations:
        if f.inv.manager.key != manager.key:
            continue
        if f.inv.role == "clean":
            edit = remove_command(text, facts.commands, f.inv.command, analysis.doc.escape)
            if edit is not None:
                edits.append(edit)
                removed_cmds.add(id(f.inv.command))
            continue
        for word, _reason in f.inv.defeats:
            edits.append(remove_span_with_space(text, word.start, word.end, analysis.doc.escape))
        cmd = f.inv.command
        for defeat in manager.env_defeats:
            for name, _value in cmd.assignments:
                if name != defeat.name or not cmd.words:
                    continue
                prefix = text[cmd.start:cmd.words[0].start]
                m = re.search(rf"(^|\s){re.escape(name)}=(\"[^\"]*\"|'[^']*'|\S*)\s+", prefix)
                if m:
                    start = cmd.start + m.start() + len(m.group(1))
                    edits.append(Edit(start, cmd.start + m.end(), ""))
    for cmd in facts.commands:
        if cmd.name != "rm" or id(cmd) in removed_cmds:
            continue
        paths = [w for w in cmd.args if not w.text.startswith("-")]
        hit = [w for w in paths if _rm_hits(w.text, facts, targets)]
        if not hit:
            continue
        if len(hit) == len(paths):
            edit = remove_command(text, facts.commands, cmd, analysis.doc.escape)
            if edit is not None:
                edits.append(edit)
        else:
            edits.extend(remove_span_with_space(text, w.start, w.end, analysis.doc.escape) for w in hit)
    return _dedupe(edits)


def _rm_hits(raw: str, facts: RunFacts, targets: list[str]) -> bool:
    path = expand(raw, facts.ctx.env)
    if not path:
        return False
    path = re.sub(r"/\*+$|/\.\*$|/$", "", path) or "/"
    if not path.startswith("/"):
        path = posixpath.join(facts.ctx.workdir, path)
    return _covered_by_new(posixpath.normpath(path), targets) is not None


def _dedupe(edits: list[Edit]) -> list[Edit]:
    out: list[Edit] = []
    for e in sorted(set(edits), key=lambda e: (e.start, -e.end)):
        if out and e.start < out[-1].end:
            continue  # nested in an edit already taken (a word inside a removed command)
        out.append(e)
    return out


def prerequisite_edits(analysis: Analysis, facts: RunFacts, manager: ManagerSpec) -> tuple[list[Edit], list[str]]:
    """Once-per-stage prerequisites and ENV the mount needs, inserted above this RUN."""
    lines: list[str] = []
    groups: list[str] = []
    stage = facts.ctx.stage
    for key in manager.prerequisites:
        prereq = PREREQUISITES.get(key)
        if prereq is None or not prerequisite_missing(analysis, facts, prereq, include_unknown=True):
            continue
        if f"RUN {prereq.fix_command}" in lines:
            continue  # `apt` needs two prerequisites that one command satisfies
        lines.append(f"RUN {prereq.fix_command}")
        groups.append(f"prereq:{key}:{stage}")
    for name, value in manager.fix_env:
        if name in facts.ctx.env:
            continue
        lines.append(f"ENV {name}={value}")
        groups.append(f"env:{name}:{stage}")
    if not lines:
        return [], []
    return [insert_before_instruction(analysis.text, facts.instr, lines)], groups


def later_consumers(analysis: Analysis, facts: RunFacts, manager: ManagerSpec, flags: list[str],
                    targets: list[str]) -> list[Edit]:
    """The same mount on later RUNs of the stage that read what the mount now keeps out of the image."""
    edits = []
    stage = analysis.doc.stages[facts.ctx.stage]
    for instr in stage.instructions:
        if instr.index <= facts.instr.index or instr.keyword != "RUN":
            continue
        later = analysis.runs.get(instr.index)
        if later is None:
            continue
        if not any(f.inv.manager.key == manager.key and f.inv.role == "consume" for f in later.invocations):
            continue
        have = {m.target for m in later.cache_mounts}
        needed = [flag for flag, target in zip(flags, targets) if target not in have]
        if needed:
            edits.append(insert_flags(analysis.doc, instr, needed))
    return edits


def cache_fix_edits(analysis: Analysis, facts: RunFacts, manager: ManagerSpec,
                    caches: list[ResolvedCache]) -> tuple[list[Edit], list[str]]:
    """The fix's edits and once-per-stage groups; nothing when a target cannot be written."""
    if any(rc.path is None or target_problem(rc.path) for rc in caches):
        return [], []
    user = facts.ctx.user
    flags = [mount_flag(rc, user, manager) for rc in caches]
    targets = [rc.path for rc in caches if rc.path is not None]   # all of them (checked above)
    edits = [insert_flags(analysis.doc, facts.instr, flags)]
    edits += defeat_removals(analysis, facts, manager, targets)
    pre, groups = prerequisite_edits(analysis, facts, manager)
    edits += pre
    edits += later_consumers(analysis, facts, manager, flags, targets)
    return edits, groups


def covered(target: str, rc: ResolvedCache) -> bool:
    return cachedirs.covers(target, rc)

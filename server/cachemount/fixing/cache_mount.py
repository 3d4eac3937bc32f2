"""How a Docker expert adds a cache mount for one manager in one RUN: the flags (target resolved
for the user and env, uid/gid, sharing, the `id=` the file already uses for that dir), the
once-per-stage prerequisites and ENV, removal (or, for a variable the image sets, a per-command
override) of what would defeat the mount in the same step, and the same mount on later RUNs that
read what it now keeps. Shared by the rules' fixes (CM101, CM102, CM103).

Each fix says whether it is safe (findings.SAFE: the build still works and the image behaves the
same) or unsafe, and why: the manager runs only on some paths of the RUN (a branch), the mount
sits under a non-root user's home (BuildKit creates missing mount dirs as root), a removed `rm`
or clean command also emptied dirs the mount does not cover, a later opaque step (`make`, a
script) may read what the mount keeps out of the image, or the ENV it adds moves files."""
from __future__ import annotations

import posixpath
import re
from typing import cast

from ..semantics import cachedirs
from ..semantics.cachedirs import ResolvedCache
from ..document.expand import expand
from ..document.mounts import format_option, mounts_of, resolve_target
from .defeats import defeat_edit
from .edits import insert_before_instruction, insert_flags, instruction_block, remove_command, remove_span_with_space
from ..semantics.pipeline import Analysis, InvocationFacts, RunFacts
from ..findings import SAFE, UNSAFE, Edit, Fix
from ..knowledge.commands import BUILD_RUNNERS
from ..knowledge.prerequisites import PREREQUISITES
from ..knowledge.schema import EnvDefeat, ManagerSpec, Prerequisite
from ..semantics.invocations import env_defeat_applies, matches_dep_step
from ..semantics.prerequisites import prerequisite_missing
from ..semantics.userinfo import UserInfo
from .near_miss import meant_cache_mounts


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


def mount_flag(rc: ResolvedCache, user: UserInfo, manager: ManagerSpec, ident: str | None = None) -> str:
    """The `--mount` flag for this cache; `ident` is an `id=` the file already uses for this dir."""
    if rc.path is None:
        raise ValueError(f"{manager.key}: a cache without a resolved path cannot be mounted")
    parts = ["type=cache"]
    ident = ident or rc.spec.id
    if ident:
        parts.append(format_option("id", ident) or f"id={ident}")
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


def defeat_removals(analysis: Analysis, facts: RunFacts, manager: ManagerSpec, targets: list[str],
                    unsafe: list[str] | None = None) -> list[Edit]:
    """Edits removing, in this RUN, what would defeat a mount of `manager` at `targets`. Appends to
    `unsafe` why a removal may change the image: a clean command or `rm` that also emptied dirs
    the mounts do not cover (those files now stay in the image). A clean command that empties
    none of them is kept: it does not touch the mount."""
    text = analysis.text
    why = unsafe if unsafe is not None else []
    edits: list[Edit] = []
    removed_cmds: set[int] = set()
    existing = [m.target for m in facts.cache_mounts if m.target]
    for f in facts.invocations:
        if f.inv.manager.key != manager.key:
            continue
        if f.inv.role == "clean":
            dirs = [rc.path for rc in f.caches if rc.path]
            kept = [d for d in dirs if _covered_by_new(d, targets + existing) is None]
            if dirs and len(kept) == len(dirs):
                continue   # empties nothing the mounts hold
            edit = remove_command(text, facts.commands, f.inv.command, analysis.doc.escape)
            if edit is not None:
                edits.append(edit)
                removed_cmds.add(id(f.inv.command))
                if kept:
                    why.append(f"`{_shown(f.inv.command)}` also emptied {', '.join(kept)}, which is not mounted")
            continue
        for word, _reason in f.inv.defeats:
            edits.append(defeat_edit(text, f.inv, word, analysis.doc.escape))
        cmd = f.inv.command
        for defeat in manager.env_defeats:
            for name, value in cmd.assignments:
                if name != defeat.name or not cmd.words or not env_defeat_applies(defeat, value):
                    continue
                prefix = text[cmd.start:cmd.words[0].start]
                m = re.search(rf"(^|\s){re.escape(name)}=(\"[^\"]*\"|'[^']*'|\S*)\s+", prefix)
                if not m:
                    continue
                off = env_off_value(defeat)
                outer = facts.ctx.env.get(name)
                if off is not None and outer is not None and env_defeat_applies(defeat, outer):
                    # the image sets it too: removing the prefix would let that value through
                    edits.append(Edit(cmd.start + m.start(2), cmd.start + m.end(2), off))
                else:
                    start = cmd.start + m.start() + len(m.group(1))
                    edits.append(Edit(start, cmd.start + m.end(), ""))
    for cmd in facts.commands:
        if cmd.name != "rm" or id(cmd) in removed_cmds:
            continue
        paths = [w for w in cmd.args if not w.text.startswith("-")]
        hit = [(w, _rm_hits(w.text, facts, targets)) for w in paths]
        hit = [(w, scope) for w, scope in hit if scope]
        if not hit:
            continue
        broader = [w.text for w, scope in hit if scope == "broader"]
        if broader:
            why.append(f"`rm {' '.join(broader)}` also deleted files outside the cache mount")
        if len(hit) == len(paths):
            edit = remove_command(text, facts.commands, cmd, analysis.doc.escape)
            if edit is not None:
                edits.append(edit)
        else:
            edits.extend(remove_span_with_space(text, w.start, w.end, analysis.doc.escape) for w, _ in hit)
    return _dedupe(edits)


def _shown(cmd) -> str:
    return " ".join(w.text for w in cmd.words[:3]) + (" ..." if len(cmd.words) > 3 else "")


def _rm_hits(raw: str, facts: RunFacts, targets: list[str]) -> str | None:
    """'inside' when `rm` of this path deletes only what a mount at `targets` holds, 'broader' when
    it deletes a whole dir holding one of them (`rm -rf /var/cache/*`), else None."""
    path = expand(raw, facts.ctx.env)
    if not path:
        return None
    path = re.sub(r"/\*+$|/\.\*$|/$", "", path) or "/"
    if not path.startswith("/"):
        path = posixpath.join(facts.ctx.workdir, path)
    path = posixpath.normpath(path)
    target = _covered_by_new(path, targets)
    if target is None:
        return None
    return "inside" if path == target or path.startswith(target + "/") else "broader"


def _dedupe(edits: list[Edit]) -> list[Edit]:
    out: list[Edit] = []
    for e in sorted(set(edits), key=lambda e: (e.start, -e.end)):
        if out and e.start < out[-1].end:
            continue  # nested in an edit already taken (a word inside a removed command)
        out.append(e)
    return out


# The value a per-command override gives a defeating variable: for 'any' only the empty value is no
# defeat (pip ignores an empty one), for 'truthy' a boolean the tool parses (uv rejects an empty one).
_OFF_VALUES = {"any": "", "truthy": "false"}


def env_off_value(defeat: EnvDefeat) -> str | None:
    off = _OFF_VALUES.get(defeat.when)
    return off if off is not None and not env_defeat_applies(defeat, off) else None


def env_override(facts: RunFacts, f: InvocationFacts, defeat: EnvDefeat) -> Edit | None:
    """`NAME=<off> ` before the command: the variable (from ENV, ARG or an export) stays in the image
    and stops defeating the cache for this command only. A cache dir set to a device (`/dev/null`)
    is pointed at the RUN's one cache mount meant for the manager. None in exec form (no shell to
    read it) or when no value turns it off."""
    off = env_off_value(defeat)
    if defeat.when == "device":
        mounted = {m.target for m in facts.cache_mounts if m.target and cachedirs.intended_for(m.target, f.inv.manager)}
        off = mounted.pop() if len(mounted) == 1 else None
        off = off if off is not None and re.fullmatch(r"[A-Za-z0-9._/@%+:=~^-]+", off) else None
    cmd = f.inv.command
    if off is None or facts.instr.json_args is not None or not cmd.words:
        return None
    return Edit(cmd.start, cmd.start, f"{defeat.name}={off} ")


def env_overrides(facts: RunFacts, manager: ManagerSpec) -> list[Edit] | None:
    """Overrides for the defeating variables the manager's commands inherit (their own `NAME=x`
    prefix is `defeat_removals`' business); None when one cannot be written."""
    edits = []
    for f in facts.invocations:
        if f.inv.manager.key != manager.key or f.inv.role not in ("download", "consume"):
            continue
        for defeat in manager.env_defeats:
            value = f.env.get(defeat.name)
            if value is None or not env_defeat_applies(defeat, value):
                continue
            if any(name == defeat.name for name, _ in f.inv.command.assignments):
                continue
            edit = env_override(facts, f, defeat)
            if edit is None:
                return None
            edits.append(edit)
    return edits


def stage_chain(analysis: Analysis, stage: int) -> tuple[int, ...]:
    """The stage and the stages it is built FROM, nearest first."""
    key = ("stage-chain", stage)
    got = cast("tuple[int, ...] | None", analysis.memo.get(key))
    if got is None:
        chain = [stage]
        current = stage
        while 0 <= current < len(analysis.doc.stages):
            ctx = analysis.contexts.get(analysis.doc.stages[current].from_instruction.index)
            last = ctx.lineage.last if ctx is not None else None
            parent = analysis.doc.instructions[last].stage if last is not None else -1
            if parent < 0 or parent in chain:
                break
            chain.append(parent)
            current = parent
        got = analysis.memo[key] = tuple(chain)
    return got


def insertion_groups(analysis: Analysis, facts: RunFacts, what: str) -> list[str]:
    """Fix groups of a once-per-lineage insertion (a prerequisite, an ENV): one per stage of the
    RUN's lineage, so fix-all never inserts it twice in one round into a stage and a stage built
    FROM it (the next round sees the first insertion and plans no second one)."""
    return [f"{what}:{s}" for s in stage_chain(analysis, facts.ctx.stage)]


_GUARDABLE = r"[A-Za-z0-9._+-]+"  # compiled on first use (re's cache), not at every start


def guarded(command: str, executable: str | None) -> str:
    """The prerequisite only where the manager exists: a RUN where it runs in one branch (`if apt
    ...; else apk ...; fi`) must not fail on the image that takes the other."""
    if executable is None or not re.fullmatch(_GUARDABLE, executable):
        return command
    return f"if command -v {executable} >/dev/null 2>&1; then {command}; fi"


def prerequisite_edits(analysis: Analysis, facts: RunFacts, manager: ManagerSpec,
                       guard: str | None = None, home_dirs: list[str] | None = None,
                       ) -> tuple[list[Edit], list[str], list[str]]:
    """Once-per-lineage prerequisites and ENV the mount needs, inserted above this RUN (each
    prerequisite guarded by `command -v <guard>` when the manager runs only in a branch); an
    `ENV NAME=value` of the same pair later in the stage moves up instead of being written twice.
    Returns the edits, the fix groups, and why adding the ENV changes the image (unsafe)."""
    lines: list[str] = []
    groups: list[str] = []
    unsafe: list[str] = []
    edits: list[Edit] = []
    for key in manager.prerequisites:
        prereq = PREREQUISITES.get(key)
        if prereq is None or not prerequisite_missing(analysis, facts, prereq, include_unknown=True):
            continue
        groups += insertion_groups(analysis, facts, f"prereq:{prereq.fix_command}")
        line = f"RUN {guarded(prereq.fix_command, guard)}"
        if line not in lines:   # `apt` needs two prerequisites that one command satisfies
            lines.append(line)
    if not _fix_env_pointless(facts, manager):
        for name, value in manager.fix_env:
            if name in facts.ctx.env:
                continue
            lines.append(f"ENV {name}={value}")
            groups += insertion_groups(analysis, facts, f"env:{name}")
            later = _later_env(analysis, facts, name, value)
            if later is not None:
                edits.append(later)
            if manager.fix_env_unsafe and manager.fix_env_unsafe not in unsafe:
                unsafe.append(manager.fix_env_unsafe)
    if home_dirs:   # as the RUN's user, right above it (after its USER)
        lines.append("RUN mkdir -p " + " ".join(home_dirs))
        for path in home_dirs:
            groups += insertion_groups(analysis, facts, f"home:{path}")
    if lines:
        edits.insert(0, insert_before_instruction(analysis.text, facts.instr, lines))
    return edits, list(dict.fromkeys(groups)), unsafe


def prerequisite_fix(analysis: Analysis, facts: RunFacts, prereq: Prerequisite, guard: str | None) -> Fix:
    """CM103's fix for one missing prerequisite (unsafe when the manager runs only in a branch)."""
    command = guarded(prereq.fix_command, guard)
    title = f"Add the prerequisite: {command}"
    if guard is not None:
        title += f"; {guard} runs only on some paths of this RUN"
    return Fix(title, (insert_before_instruction(analysis.text, facts.instr, [f"RUN {command}"]),),
               groups=tuple(insertion_groups(analysis, facts, f"prereq:{prereq.fix_command}")),
               applicability=UNSAFE if guard is not None else SAFE)


def _fix_env_pointless(facts: RunFacts, manager: ManagerSpec) -> bool:
    envs = [facts.ctx.env] + [f.env for f in facts.invocations if f.inv.manager.key == manager.key]
    return any(value is not None and re.fullmatch(pattern, value)
               for name, pattern in manager.fix_env_unless for value in (env.get(name) for env in envs))


def _later_env(analysis: Analysis, facts: RunFacts, name: str, value: str) -> Edit | None:
    """The removal of a later `ENV name=value` instruction of the stage that holds only that pair
    (an earlier fix wrote it above a later RUN), so the one written here is the only one."""
    stage = analysis.doc.stages[facts.ctx.stage]
    for instr in stage.instructions:
        if instr.index <= facts.instr.index or instr.keyword != "ENV" or not re.search(
                rf"(^|\s){re.escape(name)}(=|\s|$)", instr.args):
            continue
        if instr.args.strip() == f"{name}={value}":
            start, end = instruction_block(analysis.text, instr)
            return Edit(start, end, "")
        return None
    return None


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


_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh"})


def _runs_a_build(cmd) -> bool:
    """`make build`, `./build.sh`, `sh scripts/build`: the project's own steps, which may run anything."""
    if not cmd.words:
        return False
    first = cmd.words[0].text
    if cmd.name in BUILD_RUNNERS or first.startswith("./") or first.endswith(".sh"):
        return True
    return cmd.name in _SHELLS and bool(cmd.args) and not cmd.args[0].text.startswith("-")


def later_opaque_readers(analysis: Analysis, facts: RunFacts, manager: ManagerSpec, flags: list[str],
                         targets: list[str]) -> tuple[list[Edit], list[str]]:
    """For a manager whose later steps read what it downloads (`go build` after `go mod download`):
    later RUNs of this stage, or of a stage built FROM it, that run the project's own build (`make`,
    a script) without a recognisable command of the manager may read those packages too. They get
    the same mount (else every build would download again inside them), and the fix is unsafe:
    what they run cannot be seen."""
    if not manager.build_reads_cache or not any(
            f.inv.manager.key == manager.key and f.inv.role == "download" and matches_dep_step(f.inv, manager.dep_steps)
            for f in facts.invocations):
        return [], []
    builds = cast("list[int] | None", analysis.memo.get(("build-runs", -1)))
    if builds is None:
        builds = [i for i in sorted(analysis.runs) if any(_runs_a_build(c) for c in analysis.runs[i].commands)]
        analysis.memo[("build-runs", -1)] = builds
    edits, where = [], []
    for index in builds:
        later = analysis.runs[index]
        if index <= facts.instr.index or facts.ctx.stage not in stage_chain(analysis, later.ctx.stage):
            continue
        if any(f.inv.manager.key == manager.key for f in later.invocations):
            continue   # a consumer gets the mount from `later_consumers`, a download from its own finding
        have = {m.target for m in later.cache_mounts}
        needed = [flag for flag, target in zip(flags, targets) if target not in have]
        if needed:
            edits.append(insert_flags(analysis.doc, later.instr, needed))
            runner = next(c for c in later.commands if _runs_a_build(c))
            where.append(f"`{_shown(runner)}` (line {later.instr.line + 1})")
    if not where:
        return [], []
    return edits, [f"{', '.join(where)} may read what the mount keeps out of the image and gets it too"]


def file_mount_id(analysis: Analysis, facts: RunFacts, path: str) -> str | None:
    """The `id=` another cache mount of the file gives this same dir (the nearest one above, else
    the first below): a new mount shares that cache instead of starting an empty one."""
    ids = cast("dict[str, list[tuple[int, str]]] | None", analysis.memo.get(("cache-mount-ids", -1)))
    if ids is None:
        ids = {}
        for instr in analysis.doc.instructions:   # every stage, analysed or not (the editor analyses a few)
            if instr.keyword != "RUN" or not instr.flags:
                continue
            run = analysis.runs.get(instr.index)
            if run is not None:
                found_here = [(m.target, m.ids) for m in run.cache_mounts]
            else:   # a literal absolute target is the same in every context
                found_here = [(posixpath.normpath(m.target), m.value("id")) for m in mounts_of(instr.flags)
                              if m.type == "cache" and m.target and m.target.startswith("/") and "$" not in m.target]
            for target, ident in found_here:
                if target and ident and format_option("id", ident):
                    ids.setdefault(target, []).append((instr.index, ident))
        analysis.memo[("cache-mount-ids", -1)] = ids
    found = ids.get(path)
    if not found:
        return None
    above = [ident for index, ident in found if index < facts.instr.index]
    return above[-1] if above else found[0][1]


def under_home(user: UserInfo, paths: list[str]) -> list[str]:
    """The paths under a non-root user's home: BuildKit creates a missing mount target and its
    missing parents owned by root (moby/buildkit#3153), which would leave `~/.cache` root-owned in
    the image and the user unable to write there at run time."""
    home = (user.home or "").rstrip("/")
    if user.is_root or not home:
        return []
    return [p for p in paths if p.startswith(home + "/")]


def home_problem(user: UserInfo, paths: list[str], makes_dirs: bool = False) -> str | None:
    """Why a new mount under a non-root user's home may change the image. A fix that `makes_dirs`
    (CM101: `mkdir -p` as the user first) avoids it where the home is known to exist."""
    inside = under_home(user, paths)
    if not inside or (makes_dirs and user.home_made):
        return None
    home = (user.home or "").rstrip("/")
    top = f"{home}/{inside[0][len(home) + 1:].split('/', 1)[0]}"
    return f"BuildKit creates missing mount dirs as root, which may leave {top} owned by root in the image"


def home_dirs_to_make(analysis: Analysis, facts: RunFacts, user: UserInfo, paths: list[str]) -> list[str]:
    """Mount targets under the user's (existing) home that no earlier step of the lineage makes:
    the fix creates them as the user first, so BuildKit mounts over dirs the user owns."""
    if not user.home_made:
        return []
    out = []
    for path in under_home(user, paths):
        made = rf"mkdir -p (\S+ )*{re.escape(path)}( |$)"
        if not analysis.earlier_runs_match(facts, (made,)):   # in this RUN it would come too late
            out.append(path)
    return out


def home_dir_edits(analysis: Analysis, facts: RunFacts, paths: list[str]) -> tuple[list[Edit], list[str]]:
    """A `RUN mkdir -p` of the new mount dirs under the user's home, right above this RUN (CM102's
    retarget; CM101 writes the same line with its prerequisites): the edits and the fix groups."""
    dirs = home_dirs_to_make(analysis, facts, facts.ctx.user, paths)
    if not dirs:
        return [], []
    groups = [g for path in dirs for g in insertion_groups(analysis, facts, f"home:{path}")]
    return [insert_before_instruction(analysis.text, facts.instr, ["RUN mkdir -p " + " ".join(dirs)])], groups


def meant_targets(facts: RunFacts) -> list[str | None]:
    """Targets of the RUN's misspelt cache mounts (`type=cahce`), as BuildKit will read them once
    CM301 repairs the spelling; None where unknown."""
    out: list[str | None] = []
    for mount in meant_cache_mounts(facts.instr):
        raw = mount.target
        value = expand(raw, facts.ctx.env) if raw else None
        out.append(resolve_target(value.strip(), facts.ctx.workdir) if value and value.strip() else None)
    return out


def branch_only(facts: RunFacts, manager: ManagerSpec) -> str | None:
    """The executable of `manager` when every command of it in this RUN runs only on some paths
    (an if/case branch, after `||` or a test), else None."""
    runs = [f.inv.command for f in facts.invocations
            if f.inv.manager.key == manager.key and f.inv.role in ("download", "consume")]
    if runs and all(c.conditional for c in runs):
        return runs[0].name
    return None


def cache_fix(analysis: Analysis, facts: RunFacts, manager: ManagerSpec, caches: list[ResolvedCache]) -> Fix | None:
    """The CM101 fix for these caches, with its applicability; None when a target cannot be written or
    a defeating variable cannot be overridden."""
    if any(rc.path is None or target_problem(rc.path) for rc in caches):
        return None
    overrides = env_overrides(facts, manager)
    if overrides is None:
        return None
    user = facts.ctx.user
    targets = [rc.path for rc in caches if rc.path is not None]   # all of them (checked above)
    flags = [mount_flag(rc, user, manager, file_mount_id(analysis, facts, path)) for rc, path in zip(caches, targets)]
    unsafe: list[str] = []
    home = home_problem(user, targets, makes_dirs=True)
    if home:
        unsafe.append(home)
    branch = branch_only(facts, manager)
    edits = [insert_flags(analysis.doc, facts.instr, flags)]
    edits += defeat_removals(analysis, facts, manager, targets, unsafe)
    edits += overrides
    pre, groups, why = prerequisite_edits(analysis, facts, manager, branch,
                                          home_dirs_to_make(analysis, facts, user, targets))
    if branch is not None and any(e.start == e.end and e.new_text for e in pre):
        # what goes above the RUN runs on every path; a mount alone is harmless whichever runs
        unsafe.insert(0, f"{branch} runs only on some paths of this RUN")
    edits += pre
    unsafe += why
    edits += later_consumers(analysis, facts, manager, flags, targets)
    readers, why = later_opaque_readers(analysis, facts, manager, flags, targets)
    edits += readers
    unsafe += why
    title = title_for(manager, caches, user) + "".join(f"; {reason}" for reason in unsafe)
    return Fix(title, tuple(edits), groups=tuple(groups), applicability=UNSAFE if unsafe else SAFE)


def covered(target: str, rc: ResolvedCache) -> bool:
    return cachedirs.covers(target, rc)

"""CM201's fixes: copy the manifests first (or bind-mount them) and move the broad COPY after the
install; move a RUN that never reads the build context above the broad COPY; prefetch
dependencies before it.

Reordering is offered only when the instructions in between cannot tell the difference (no RUN
that may read the source, no COPY that the broad COPY would overwrite, no WORKDIR change under a
relative destination). Whether a fix is SAFE depends on the build context (fixing/manifests.py):
unknown, or not enough to be sure, the fix is UNSAFE and its title says what to check."""
from __future__ import annotations

import posixpath

from ..document.model import Instruction
from ..findings import SAFE, UNSAFE, Edit, Fix
from ..knowledge.commands import OS_STEP_COMPANIONS
from ..knowledge.workspaces import CWD_CONFIG
from ..semantics.pipeline import Analysis, InvocationFacts, RunFacts
from .edits import insert_flags, instruction_block, line_start, newline_of
from ..document.copy_args import copy_dest
from .manifests import (Plan, context_free_install, cwd_config_caveats, dependency_only, dest_dir,
                        in_dest, manifest_set, manifests_for, plan, project_dir, run_reads_no_context)

__all__ = ["manifest_fixes", "move_above_fix", "prefetch_fix", "prefetch_possible", "movable_after", "manifests_for",
           "dependency_only", "context_free_install", "run_is_context_free"]

_NEUTRAL = frozenset({"ENV", "ARG", "LABEL", "EXPOSE", "USER", "SHELL", "STOPSIGNAL", "HEALTHCHECK", "CMD",
                      "ENTRYPOINT", "MAINTAINER", "ONBUILD", "VOLUME"})
_CARRIED_FLAGS = frozenset({"chown", "chmod", "link"})
MAX_BINDS = 6


def _between(analysis: Analysis, a: Instruction, b: Instruction) -> list[Instruction]:
    return [i for i in analysis.doc.stages[a.stage].instructions if a.index < i.index < b.index]


def _run_between(analysis: Analysis, instr: Instruction) -> str:
    """What a RUN between the broad COPY and the install is to the reorder: 'free' (reads no
    context), 'deps' (a dependency-only install: it reads manifests, so the broad COPY moving past
    it makes the fix unsafe until its own finding is fixed) or 'blocks'."""
    key = ("run_between", instr.index)
    if key not in analysis.memo:
        facts = analysis.runs.get(instr.index)
        if facts is None:
            got = "blocks"
        elif run_reads_no_context(facts):
            got = "free"
        else:
            managed = {id(f.inv.command) for f in facts.invocations
                       if f.inv.manager.os_package_manager or dependency_only(f.inv)}
            got = "deps" if managed and all(id(c) in managed or not c.words for c in facts.commands) else "blocks"
        analysis.memo[key] = got
    return str(analysis.memo[key])


def movable_after(analysis: Analysis, broad: Instruction, run: Instruction) -> bool:
    for instr in _between(analysis, broad, run):
        if instr.keyword in _NEUTRAL:
            continue
        if instr.keyword == "WORKDIR" and (copy_dest(broad).startswith("/") or _absolute_dest(analysis, broad)):
            continue   # a relative destination is written out absolute where the COPY moves to
        if instr.keyword == "RUN" and _run_between(analysis, instr) != "blocks":
            continue
        return False
    return True


def _between_caveats(analysis: Analysis, broad: Instruction, run: Instruction) -> list[str]:
    out = [f"the install on line {i.line + 1} also reads the build context before it"
           for i in _between(analysis, broad, run) if i.keyword == "RUN" and _run_between(analysis, i) == "deps"]
    if broad.flag("chown"):   # a WORKDIR in the destination would now make that dir first, owned by root
        dest = dest_dir(analysis, broad).rstrip("/") + "/"
        out += [f"the WORKDIR on line {i.line + 1} would create its dir before the COPY --chown, owned by root"
                for i in _between(analysis, broad, run)
                if i.keyword == "WORKDIR" and (analysis.contexts[i.index].workdir.rstrip("/") + "/").startswith(dest)]
    return out


def _absolute_dest(analysis: Analysis, broad: Instruction) -> str | None:
    """The broad COPY's text with its relative destination written as the absolute dir it means
    (`COPY . .` under WORKDIR /srv -> `COPY . /srv/`), for moving it past a WORKDIR; None when
    that cannot be written (exec form, a variable, a comment or heredoc in the way)."""
    dest = copy_dest(broad)
    text = analysis.text[broad.start:broad.end]
    if broad.json_args is not None or broad.heredocs or "$" in dest or not text.rstrip().endswith(" " + dest):
        return None
    absolute = dest_dir(analysis, broad).rstrip("/") + "/"
    return text.rstrip()[:-len(dest)] + absolute


def _moved_copy(analysis: Analysis, broad: Instruction, run: Instruction) -> str:
    """The broad COPY as written below the install: as it is, or with an absolute destination
    when a WORKDIR between them would change what its relative one means."""
    text = analysis.text[broad.start:broad.end]
    if copy_dest(broad).startswith("/") or not any(i.keyword == "WORKDIR" for i in _between(analysis, broad, run)):
        return text
    return _absolute_dest(analysis, broad) or text


def _carried_flags(text: str, copy: Instruction) -> str:
    return "".join(f"{text[f.start:f.end]} " for f in copy.flags if f.name in _CARRIED_FLAGS)


def _titled(title: str, p: Plan) -> tuple[str, str]:
    caveat = p.caveat_text()
    return (f"{title} ({caveat})", UNSAFE) if caveat else (title, SAFE)


def _copy_lines(analysis: Analysis, broad: Instruction, facts: RunFacts, p: Plan) -> list[str] | None:
    """One COPY per destination directory (a directory source gets its own), the destination
    spelt relative to the install's WORKDIR when it lies there."""
    if any(any(ch.isspace() for ch in path) for path in p.files):
        return None
    dest_abs = dest_dir(analysis, broad)
    workdir = facts.ctx.workdir
    by_dir: dict[str, list[str]] = {}
    for rel in p.files:
        sub = rel if rel in p.dirs else posixpath.dirname(rel)
        by_dir.setdefault(sub if rel not in p.dirs else "\0" + rel, []).append(rel)
    flags = _carried_flags(analysis.text, broad)
    lines = []
    for key, rels in by_dir.items():
        sub = key[1:] if key.startswith("\0") else key
        target = posixpath.normpath(posixpath.join(dest_abs, in_dest(broad, sub or ".")))
        if target == workdir:
            shown = "./"
        elif target.startswith(workdir.rstrip("/") + "/"):
            shown = posixpath.relpath(target, workdir) + "/"
        else:
            shown = target.rstrip("/") + "/"
        lines.append(f"COPY {flags}{' '.join(rels)} {shown}")
    return lines


def manifest_fixes(analysis: Analysis, broad: Instruction, facts: RunFacts, f: InvocationFacts) -> tuple[Fix, ...]:
    if not movable_after(analysis, broad, facts.instr):
        return ()
    p = plan(analysis, broad, facts, f)
    if p is None or not p.files:
        return ()
    p.caveats += _between_caveats(analysis, broad, facts.instr)
    copy_lines = _copy_lines(analysis, broad, facts, p)
    if copy_lines is None:
        return ()
    text = analysis.text
    nl = newline_of(text)
    b_start, b_end = instruction_block(text, broad)
    r_start, r_end = instruction_block(text, facts.instr)
    broad_text = text[b_start:broad.start] + _moved_copy(analysis, broad, facts.instr) + text[broad.end:b_end]
    if not broad_text.endswith("\n"):
        broad_text += nl
    tail = broad_text if text[r_end - 1:r_end] == "\n" else nl + broad_text.rstrip("\r\n")
    indent = text[line_start(text, facts.instr.start):facts.instr.start]
    copy_text = "".join(f"{indent}{line}{nl}" for line in copy_lines)
    move = [Edit(b_start, b_end, "")] if b_end != r_start else []
    copy_edits = move + [Edit(r_start, r_start, copy_text)] if move else [Edit(b_start, b_end, copy_text)]
    line = broad.line + 1
    title, level = _titled(f"Copy {p.shown()} first and move the COPY on line {line} after the install", p)
    fixes = [Fix(title, tuple(copy_edits + [Edit(r_end, r_end, tail)]), applicability=level)]
    if not p.dirs and len(p.files) <= MAX_BINDS and not any(ch in rel for rel in p.files for ch in "*?["):
        dest_abs = dest_dir(analysis, broad)
        binds = []
        for rel in p.files:
            target = posixpath.relpath(posixpath.join(dest_abs, in_dest(broad, rel)), facts.ctx.workdir)
            binds.append(f"--mount=type=bind,source={rel},target={target}")
        bind_edits = [Edit(b_start, b_end, ""), insert_flags(analysis.doc, facts.instr, binds),
                      Edit(r_end, r_end, tail)]
        title, level = _titled(f"Bind-mount {p.shown()} into the install and move the COPY on line {line} after it", p)
        fixes.append(Fix(title, tuple(bind_edits), preferred=False, applicability=level))
    return tuple(fixes)


def run_is_context_free(facts: RunFacts, needs_install: bool = True) -> bool:
    """A RUN made only of installs that never read the build context (OS packages, global tools)
    and harmless companions (rm, ln, echo, ...); with `needs_install`, at least one install."""
    managed = {id(g.inv.command) for g in facts.invocations if context_free_install(g.inv)}
    other = {id(g.inv.command) for g in facts.invocations} - managed
    for cmd in facts.commands:
        if id(cmd) in managed or not cmd.words or (cmd.name in OS_STEP_COMPANIONS and id(cmd) not in other):
            continue
        return False
    return bool(managed) or not needs_install


def move_above_fix(analysis: Analysis, broad: Instruction, facts: RunFacts) -> tuple[Fix, ...]:
    """Move the RUN (and any context-free RUNs between, such as a prerequisite the CM101 fix
    inserted, keeping their order) above the broad COPY. Unsafe when it reads config files from its
    working directory that the COPY may bring in (`.npmrc` for `npm install -g`)."""
    moving = []
    for instr in _between(analysis, broad, facts.instr):
        if instr.keyword in ("COPY", "ADD", "LABEL", "EXPOSE"):
            continue
        between = analysis.runs.get(instr.index)
        if instr.keyword == "RUN" and between is not None and run_is_context_free(between, needs_install=False):
            moving.append(instr)
            continue
        return ()
    moving.append(facts.instr)
    text = analysis.text
    nl = newline_of(text)
    ranges: list[list[int]] = []
    blocks = []
    for instr in moving:
        start, end = instruction_block(text, instr)
        block = text[start:end]
        if not block.endswith("\n"):
            block += nl
            if start > 0 and text[start - 1] == "\n":
                start -= 1  # last line of the file: take the newline before it instead
        blocks.append(block)
        if ranges and start <= ranges[-1][1]:
            ranges[-1][1] = max(ranges[-1][1], end)  # adjacent blocks: one removal
        else:
            ranges.append([start, end])
    b_start = line_start(text, broad.start)
    edits = [Edit(b_start, b_start, "".join(blocks))] + [Edit(a, b, "") for a, b in ranges]
    configs: tuple[str, ...] = ()
    for instr in moving:
        run = analysis.runs.get(instr.index)
        for g in run.invocations if run is not None else ():
            configs += tuple(c for c in CWD_CONFIG.get(g.inv.manager.key, ()) if c not in configs)
    caveats = cwd_config_caveats(analysis, broad, facts, configs)
    title = f"Move this RUN above the COPY on line {broad.line + 1}"
    if caveats:
        return (Fix(f"{title} ({'; '.join(caveats)})", tuple(edits), applicability=UNSAFE),)
    return (Fix(title, tuple(edits)),)


def prefetch_possible(analysis: Analysis, broad: Instruction, facts: RunFacts, f: InvocationFacts) -> bool:
    """Whether a prefetch step can be written at all (what the finding depends on; the build
    context only decides the fix: which manifests, and whether it is safe)."""
    manager = f.inv.manager
    names = list(manifest_set(f.inv).copy) or list(manager.copy_manifests)
    if not manager.prefetch or not names or any(c.path is None for c in f.caches):
        return False   # the new download step could not be given a cache mount either: a new finding
    if project_dir(analysis, broad, facts.ctx.workdir) is None:
        return False
    windows = bool(analysis.windows_stages) and broad.stage in analysis.windows_stages
    # `cd dir && ...` may not work in another shell: only the WORKDIR of the broad COPY then
    return not (windows or _has_shell(analysis, broad)) or dest_dir(analysis, broad) == analysis.contexts[
        broad.index].workdir


def prefetch_fix(analysis: Analysis, broad: Instruction, facts: RunFacts, f: InvocationFacts) -> tuple[Fix, ...]:
    """Copy the manifests and run the manager's download step before the broad COPY, for a build
    step that downloads everything itself after it. The manifests are those the build step reads:
    where its WORKDIR lies in the context (the nearest directory up from there that has them, when
    the context is known), not where the broad COPY's WORKDIR is."""
    if not prefetch_possible(analysis, broad, facts, f):
        return ()
    manager = f.inv.manager
    command = _prefetch_command(f)
    if command is None:
        return ()
    spec = manifest_set(f.inv)
    names = list(spec.copy) or list(manager.copy_manifests)
    project = project_dir(analysis, broad, facts.ctx.workdir) or "."
    ctx = analysis.build_context if analysis.build_context is not None and analysis.build_context.usable else None
    caveats: list[str] = []
    if ctx is not None:
        found = _nearest_project(ctx, project, spec.required or names[:1])
        if found is None:
            return ()
        project = found
        names = [n for n in names if _present(ctx, _join(project, n))]
    files = [_join(project, n) for n in names]
    if ctx is None:
        caveats.append(f"build context unknown: check that it has {', '.join(files)}")
    run_dir = posixpath.normpath(posixpath.join(dest_dir(analysis, broad), project))
    ctx_b = analysis.contexts[broad.index]
    text = analysis.text
    nl = newline_of(text)
    flags = _carried_flags(text, broad)
    if run_dir == ctx_b.workdir:
        lines = [f"COPY {flags}{' '.join(files)} ./", f"RUN {command}"]
    else:
        if (analysis.windows_stages and broad.stage in analysis.windows_stages) or _has_shell(analysis, broad):
            return ()
        lines = [f"COPY {flags}{' '.join(files)} {run_dir.rstrip('/')}/", f"RUN cd {run_dir} && {command}"]
    b_start = line_start(text, broad.start)
    indent = text[b_start:broad.start]
    title = f"Download dependencies with `{command}` before the COPY on line {broad.line + 1}"
    edit = Edit(b_start, b_start, "".join(f"{indent}{line}{nl}" for line in lines))
    if caveats:
        return (Fix(f"{title} ({'; '.join(caveats)})", (edit,), applicability=UNSAFE),)
    return (Fix(title, (edit,)),)


def _prefetch_command(f: InvocationFacts) -> str | None:
    """The manager's prefetch with the build step's selection options repeated (`poetry install
    --only main` -> `poetry install --no-root --no-directory --only main`): without them it would
    install groups the build step leaves out, and they would stay in the image. None when a
    selection is written in a way this cannot repeat (`--only=$GROUPS`, a missing value)."""
    manager = f.inv.manager
    takes = dict(manager.prefetch_carries)
    words = [w.text for w in f.inv.command.words]
    carried: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        name = word.split("=", 1)[0]
        if name in takes:
            if takes[name] and "=" not in word:
                if i + 1 >= len(words):
                    return None
                carried += [word, words[i + 1]]
                i += 1
            else:
                carried.append(word)
        i += 1
    if any("$" in w or not w or any(ch.isspace() for ch in w) for w in carried):
        return None
    return " ".join([str(manager.prefetch)] + carried)


def _join(base: str, rel: str) -> str:
    return posixpath.normpath(posixpath.join(base, rel))


def _nearest_project(ctx, project: str, required: list[str] | tuple[str, ...]) -> str | None:
    """The directory from `project` up to the root that has the required manifests (Go, uv and
    Poetry look for their project file upwards)."""
    directory = project
    while True:
        if all(_present(ctx, _join(directory, n)) for n in required):
            return directory
        if directory == ".":
            return None
        directory = posixpath.dirname(directory) or "."


def _present(ctx, rel: str) -> bool:
    """A file, or for a glob at least one match (COPY fails on a glob that matches nothing alone)."""
    return bool(ctx.glob(rel)) if any(ch in rel for ch in "*?[") else ctx.is_file(rel)


def _has_shell(analysis: Analysis, instr: Instruction) -> bool:
    """A SHELL instruction in the stage before `instr`: `cd dir && cmd` may not mean the same."""
    return any(i.keyword == "SHELL" for i in analysis.doc.stages[instr.stage].instructions if i.index < instr.index)

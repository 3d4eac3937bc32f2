"""CM201's fixes: copy the manifests first (or bind-mount them) and move the broad COPY after the
install; move an OS-package RUN above the broad COPY; prefetch dependencies before it.

Reordering is offered only when the instructions in between cannot tell the difference (no RUN
that may read the source, no COPY that the broad COPY would overwrite, no WORKDIR change under a
relative destination)."""
from __future__ import annotations

import posixpath

from ..document.expand import expand
from ..document.model import Instruction
from .edits import instruction_block, line_start, newline_of
from ..semantics.pipeline import Analysis, InvocationFacts, RunFacts
from ..findings import Edit, Fix
from ..knowledge.commands import OS_STEP_COMPANIONS
from ..semantics.invocations import matches_dep_step

_NEUTRAL = frozenset({"ENV", "ARG", "LABEL", "EXPOSE", "USER", "SHELL", "STOPSIGNAL", "HEALTHCHECK", "CMD",
                      "ENTRYPOINT", "MAINTAINER", "ONBUILD", "VOLUME"})
_CARRIED_FLAGS = frozenset({"chown", "chmod", "link"})


def _between(analysis: Analysis, a: Instruction, b: Instruction) -> list[Instruction]:
    return [i for i in analysis.doc.stages[a.stage].instructions if a.index < i.index < b.index]


def _run_is_context_free(analysis: Analysis, instr: Instruction) -> bool:
    key = ("context_free", instr.index)
    if key not in analysis.memo:
        facts = analysis.runs.get(instr.index)
        if facts is None:
            analysis.memo[key] = False
        else:
            managed = {id(f.inv.command) for f in facts.invocations
                       if f.inv.manager.os_package_manager or matches_dep_step(f.inv, f.inv.manager.dep_steps)}
            analysis.memo[key] = bool(managed) and all(id(c) in managed or not c.words for c in facts.commands)
    return bool(analysis.memo[key])


def movable_after(analysis: Analysis, broad: Instruction, run: Instruction) -> bool:
    dest_relative = not _dest(broad).startswith("/")
    for instr in _between(analysis, broad, run):
        if instr.keyword in _NEUTRAL:
            continue
        if instr.keyword == "WORKDIR" and not dest_relative:
            continue
        if instr.keyword == "RUN" and _run_is_context_free(analysis, instr):
            continue
        return False
    return True


def _dest(copy: Instruction) -> str:
    if copy.json_args is not None:
        return copy.json_args[-1] if copy.json_args else "."
    words = copy.args.split()
    return words[-1] if words else "."


def _carried_flags(text: str, copy: Instruction) -> str:
    return "".join(f"{text[f.start:f.end]} " for f in copy.flags if f.name in _CARRIED_FLAGS)


def manifests_for(f: InvocationFacts) -> list[str]:
    inv = f.inv
    words = inv.command.words
    files = []
    options = inv.manager.manifest_options
    for n, w in enumerate(words):
        for opt in options:
            if w.text == opt and n + 1 < len(words):
                files.append(words[n + 1].text)
            elif opt.startswith("--") and w.text.startswith(opt + "="):
                files.append(w.text.split("=", 1)[1])
            elif not opt.startswith("--") and w.text.startswith(opt) and len(w.text) > len(opt):
                files.append(w.text[len(opt):])
    if files:
        return files
    return list(inv.manager.copy_manifests)


def _context_paths(analysis: Analysis, broad: Instruction, facts: RunFacts, files: list[str]) -> dict[str, str] | None:
    """manifest as named at the install -> path inside the build context, via the broad COPY's
    destination (None when a manifest would not come from that copy)."""
    ctx_b = analysis.contexts[broad.index]
    dest = expand(_dest(broad), ctx_b.env) or _dest(broad)
    dest_abs = posixpath.normpath(posixpath.join(ctx_b.workdir, dest))
    out = {}
    for name in files:
        if "$" in name:
            return None
        full = posixpath.normpath(posixpath.join(facts.ctx.workdir, name))
        rel = posixpath.relpath(full, dest_abs)
        if rel.startswith(".."):
            return None
        out[name] = rel
    return out


def manifest_fixes(analysis: Analysis, broad: Instruction, facts: RunFacts, f: InvocationFacts) -> tuple[Fix, ...]:
    if not movable_after(analysis, broad, facts.instr):
        return ()
    files = manifests_for(f)
    paths = _context_paths(analysis, broad, facts, files) if files else None
    if not paths:
        return ()
    text = analysis.text
    nl = newline_of(text)
    ctx_b = analysis.contexts[broad.index]
    dest = expand(_dest(broad), ctx_b.env) or _dest(broad)
    dest_abs = posixpath.normpath(posixpath.join(ctx_b.workdir, dest))
    # One COPY per destination directory, destination spelt relative to the install's WORKDIR when
    # it is that directory.
    by_dir: dict[str, list[str]] = {}
    for rel in paths.values():
        by_dir.setdefault(posixpath.dirname(rel), []).append(rel)
    flags = _carried_flags(text, broad)
    copy_lines = []
    for sub, rels in by_dir.items():
        target = posixpath.normpath(posixpath.join(dest_abs, sub))
        shown = "./" if target == facts.ctx.workdir else target.rstrip("/") + "/"
        copy_lines.append(f"COPY {flags}{' '.join(rels)} {shown}")
    b_start, b_end = instruction_block(text, broad)
    r_start, r_end = instruction_block(text, facts.instr)
    broad_text = text[b_start:b_end]
    if not broad_text.endswith("\n"):
        broad_text += nl
    tail = broad_text if text[r_end - 1:r_end] == "\n" else nl + broad_text.rstrip("\r\n")
    indent = text[line_start(text, facts.instr.start):facts.instr.start]
    copy_text = "".join(f"{indent}{line}{nl}" for line in copy_lines)
    move = [Edit(b_start, b_end, "")] if b_end != r_start else []
    if move:
        copy_edits = move + [Edit(r_start, r_start, copy_text)]
    else:
        copy_edits = [Edit(b_start, b_end, copy_text)]
    names = ", ".join(paths.values())
    fixes = [Fix(f"Copy {names} first and move the COPY on line {broad.line + 1} after the install",
                 tuple(copy_edits + [Edit(r_end, r_end, tail)]))]
    if not any(ch in rel for rel in paths.values() for ch in "*?["):
        from .edits import insert_flags
        binds = [f"--mount=type=bind,source={rel},target={name}" for name, rel in paths.items()]
        bind_edits = [Edit(b_start, b_end, ""), insert_flags(analysis.doc, facts.instr, binds),
                      Edit(r_end, r_end, tail)]
        fixes.append(Fix(f"Bind-mount {names} into the install and move the COPY on line {broad.line + 1} after it",
                         tuple(bind_edits), preferred=False))
    return tuple(fixes)


def move_above_fix(analysis: Analysis, broad: Instruction, facts: RunFacts) -> tuple[Fix, ...]:
    """Move the OS-package RUN (and any context-free RUNs between, such as a prerequisite the
    CM101 fix inserted, keeping their order) above the broad COPY."""
    moving = []
    for instr in _between(analysis, broad, facts.instr):
        if instr.keyword in ("COPY", "ADD", "LABEL", "EXPOSE"):
            continue
        if instr.keyword == "RUN" and _context_free(analysis, instr):
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
    return (Fix(f"Move this RUN above the COPY on line {broad.line + 1}", tuple(edits)),)


def _context_free(analysis: Analysis, instr: Instruction) -> bool:
    """A RUN made only of OS package installs and harmless companions (rm, ln, echo, ...)."""

    facts = analysis.runs.get(instr.index)
    if facts is None:
        return False
    managed = {id(f.inv.command) for f in facts.invocations if f.inv.manager.os_package_manager}
    return all(id(c) in managed or not c.words or c.name in OS_STEP_COMPANIONS for c in facts.commands)


def prefetch_fix(analysis: Analysis, broad: Instruction, facts: RunFacts, f: InvocationFacts) -> tuple[Fix, ...]:
    manager = f.inv.manager
    if not manager.prefetch or not manager.copy_manifests:
        return ()
    if any(c.path is None for c in f.caches):
        return ()   # the new download step could not be given a cache mount either: a new finding
    ctx_b = analysis.contexts[broad.index]
    dest = _dest(broad)
    if posixpath.normpath(posixpath.join(ctx_b.workdir, dest)) != ctx_b.workdir:
        return ()
    text = analysis.text
    nl = newline_of(text)
    flags = _carried_flags(text, broad)
    b_start = line_start(text, broad.start)
    indent = text[b_start:broad.start]
    lines = [f"COPY {flags}{' '.join(manager.copy_manifests)} ./", f"RUN {manager.prefetch}"]
    return (Fix(f"Download dependencies with `{manager.prefetch}` before the COPY on line {broad.line + 1}",
                (Edit(b_start, b_start, "".join(f"{indent}{line}{nl}" for line in lines)),)),)

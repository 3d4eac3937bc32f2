"""What CM201's manifest COPY must copy, and whether it can be trusted (`plan`).

The COPY is written for the files the install reads, as paths of the build context on the broad
COPY's source side (the project directory is where the install's WORKDIR lies inside the broad
COPY's destination, not the WORKDIR itself). It is SAFE only when the build context is known and:
- every file it names plainly is in the context (`.dockerignore` honoured); a required one that is
  not means no fix at all (the COPY would fail the build);
- a workspace the project declares is listed completely (each member's manifests, paths kept);
- nothing in the manifests makes the install read more (knowledge/workspaces.py CONTENT_CHECKS);
- the RUN runs nothing else that may read the context (scripts, loops, `make`, other installs);
- the broad COPY is a plain copy of the context root, or of one directory of it (`COPY app/ .`).
Otherwise the fix is UNSAFE, and its title says what to check (`Plan.caveats`)."""
from __future__ import annotations

import posixpath
import re

from ..records import Record, field
from ..build_context import BuildContext
from ..document.copy_args import copy_dest, copy_sources
from ..document.expand import expand
from ..document.model import Instruction
from ..knowledge.commands import OS_STEP_COMPANIONS
from ..knowledge.workspaces import (CONTEXT_FREE_INSTALLS, LOCAL_SPEC_PREFIXES, LOCAL_SPEC_SUFFIXES, MANIFESTS,
                                    REGISTRY_ONLY_INSTALLS, SUBCOMMAND_MANIFESTS, ManifestSet)
from ..semantics.invocations import Invocation, matches_dep_step
from ..semantics.pipeline import Analysis, InvocationFacts, RunFacts

ROOT_SOURCES = frozenset({".", "./", "./."})       # a broad COPY of the whole context root
CARRIED_FLAGS = frozenset({"chown", "chmod", "link"})
_TEXT_ONLY = frozenset({"echo", "printf", "set", "true", "export"})   # their arguments are no paths
_LOOP = r"(?:^|[;&|(\s])(?:for|while|until|select)\s"  # compiled on first use (re's cache), not at every start
MAX_SHOWN = 4


class Plan(Record, frozen=False):
    files: list[str] = field(default_factory=list)        # context paths to copy, in order
    dirs: set[str] = field(default_factory=set)            # those that are directories
    explicit: dict[str, str] = field(default_factory=dict)  # manifest as named at the install -> context path
    caveats: list[str] = field(default_factory=list)       # why the fix is unsafe (none: safe)

    def add(self, path: str, is_dir: bool = False) -> None:
        if path not in self.files:
            self.files.append(path)
        if is_dir:
            self.dirs.add(path)

    def shown(self) -> str:
        names = self.files[:MAX_SHOWN]
        more = len(self.files) - len(names)
        return ", ".join(names) + (f" and {more} more" if more else "")

    def caveat_text(self) -> str:
        return "; ".join(dict.fromkeys(self.caveats))


# -- facts about invocations ---------------------------------------------------------------------

def dependency_only(inv: Invocation) -> bool:
    """A step that reads only manifests: a dependency step and not a second step; for managers
    whose every positional is a goal (Maven, Gradle), every goal a dependency goal
    (`mvn dependency:go-offline install` is a full build)."""
    manager = inv.manager
    if not matches_dep_step(inv, manager.dep_steps) or matches_dep_step(inv, manager.second_steps):
        return False
    if "*" in manager.download:
        goals = {step.subcommand for step in manager.dep_steps}
        return all(w.text in goals for w in inv.positionals)
    return True


def local_spec(text: str) -> bool:
    """A package argument that names a file or directory (of the build context, possibly)."""
    return text.startswith(LOCAL_SPEC_PREFIXES) or text.endswith(LOCAL_SPEC_SUFFIXES)


def context_free_install(inv: Invocation) -> bool:
    """An install that never reads the build context: an OS package install or a global tool
    install (CONTEXT_FREE_INSTALLS) of registry names only."""
    if inv.role != "download" or any(local_spec(w.text) for w in inv.positionals):
        return False
    if inv.manager.os_package_manager:
        return True
    return matches_dep_step(inv, CONTEXT_FREE_INSTALLS.get(inv.manager.key, ()))


def manifest_set(inv: Invocation) -> ManifestSet:
    key = inv.manager.key
    got = SUBCOMMAND_MANIFESTS.get((key, inv.subcommand or "")) or MANIFESTS.get(key)
    if got is not None:
        return got
    plain = tuple(m for m in inv.manager.copy_manifests if not _is_glob(m))
    return ManifestSet(copy=inv.manager.copy_manifests, required=plain)


def explicit_manifests(inv: Invocation) -> list[str]:
    """Manifests named by the command's options (`-r requirements.txt`, `-f environment.yml`)."""
    words = inv.command.words
    files = []
    for n, w in enumerate(words):
        for opt in inv.manager.manifest_options:
            if w.text == opt and n + 1 < len(words):
                files.append(words[n + 1].text)
            elif opt.startswith("--") and w.text.startswith(opt + "="):
                files.append(w.text.split("=", 1)[1])
            elif not opt.startswith("--") and w.text.startswith(opt) and len(w.text) > len(opt):
                files.append(w.text[len(opt):])
    return files


def manifests_for(inv: Invocation) -> list[str]:
    """What the install reads as the command names it: its explicit manifests, else the manager's."""
    return explicit_manifests(inv) or list(manifest_set(inv).copy)


def _is_glob(name: str) -> bool:
    return any(ch in name for ch in "*?[")


# -- the broad COPY ------------------------------------------------------------------------------

def dest_dir(analysis: Analysis, copy: Instruction) -> str:
    ctx = analysis.contexts[copy.index]
    dest = expand(copy_dest(copy), ctx.env) or copy_dest(copy)
    return posixpath.normpath(posixpath.join(ctx.workdir, dest))


def copy_root(copy: Instruction) -> str:
    """The context dir a broad COPY copies: '' for the context root (`.`, `*`, ...), `app` for a
    COPY of one plain directory (`COPY app/ .`)."""
    sources = copy_sources(copy)
    if len(sources) != 1 or any(ch in sources[0] for ch in "*?[$\\") or sources[0].startswith("/"):
        return ""
    root = posixpath.normpath(sources[0])
    return "" if root == "." or root == ".." or root.startswith("../") else root


def dir_copy_root(copy: Instruction) -> str | None:
    """`app` for a `COPY app/ <dest>` of one directory, written as one (the trailing slash): what
    CM201 treats as broad when an install's WORKDIR lies in its destination. Read from the text
    alone, so the editor's diagnostics (no build context) and `check` agree; the build context
    decides only the fix."""
    if copy.keyword != "COPY" or copy.flag("from") or copy.heredocs or copy.json_args is not None:
        return None
    sources = copy_sources(copy)
    root = copy_root(copy)
    return root if root and sources[0].endswith("/") else None


def project_dir(analysis: Analysis, broad: Instruction, workdir: str) -> str | None:
    """Where `workdir` lies in the build context, seen through the broad COPY (None: outside it)."""
    rel = posixpath.relpath(workdir, dest_dir(analysis, broad))
    if rel == ".." or rel.startswith("../"):
        return None
    return posixpath.normpath(posixpath.join(copy_root(broad), rel))


def in_dest(broad: Instruction, rel: str) -> str:
    """A context path as a path under the broad COPY's destination."""
    return posixpath.relpath(rel, copy_root(broad) or ".")


def _join(base: str, rel: str) -> str:
    return posixpath.normpath(posixpath.join(base, rel))


def _known(analysis: Analysis) -> BuildContext | None:
    ctx = analysis.build_context
    return ctx if ctx is not None and ctx.usable else None


# -- the plan ------------------------------------------------------------------------------------

def plan(analysis: Analysis, broad: Instruction, facts: RunFacts, f: InvocationFacts) -> Plan | None:
    """The manifest COPY for the install `f` (and the other dependency steps of its manager in the
    same RUN); None when no COPY of manifests can be written."""
    project = project_dir(analysis, broad, facts.ctx.workdir)
    if project is None:
        return None
    manager = f.inv.manager
    steps = [g.inv for g in facts.invocations if g.inv.manager.key == manager.key and dependency_only(g.inv)]
    if f.inv not in steps:
        steps.insert(0, f.inv)
    p = Plan()
    explicit: list[str] = []
    for inv in steps:
        explicit += [m for m in explicit_manifests(inv) if m not in explicit]
    spec = manifest_set(f.inv)
    for name in explicit:
        if "$" in name:
            return None
        rel = posixpath.relpath(_join(facts.ctx.workdir, name), dest_dir(analysis, broad))
        if rel == ".." or rel.startswith("../"):
            return None
        p.explicit[name] = _join(copy_root(broad), rel)
    ctx = _known(analysis)
    wrapper = _wrapper_files(spec, f.inv)
    if ctx is None:
        for name in (explicit or list(spec.copy)):
            p.add(_join(project, name))
        for name in wrapper:
            p.add(_join(project, name))
        if not p.files:
            return None
        p.caveats.append(f"build context unknown: check that it has {p.shown()} and that the install reads "
                         "nothing else")
    else:
        if not _plan_files(ctx, project, spec, explicit, wrapper, p):
            return None
        if spec.workspace:
            # the readers of manifests and workspaces are imported when a context has manifests to
            # read: most `cachemount check` runs never get here
            from ..build_context.workspaces import members
            ws = members(ctx, project, spec.workspace)
            if ws.problem:
                p.caveats.append(f"the workspace members could not all be listed ({ws.problem})")
            for path in ws.files:
                p.add(path)
        _check_contents(ctx, spec, p)
        if ctx.exhausted:
            p.caveats.append("the build context is too large to check completely")
    if spec.never_enough:
        p.caveats.append(spec.never_enough)
    p.caveats += _copy_caveats(analysis, broad)
    p.caveats += _run_caveats(analysis, facts, steps, project, set(p.explicit) | set(spec.copy) | set(wrapper))
    return p


def _wrapper_files(spec: ManifestSet, inv: Invocation) -> tuple[str, ...]:
    exe = inv.command.words[0].text if inv.command.words else ""
    for name, files in spec.wrappers:
        if exe.rsplit("/", 1)[-1] == name and not exe.startswith("/"):
            return files
    return ()


def _plan_files(ctx: BuildContext, project: str, spec: ManifestSet, explicit: list[str],
                wrapper: tuple[str, ...], p: Plan) -> bool:
    """The files of a known context; False when a file the install needs is not there."""
    if explicit:
        for name, rel in p.explicit.items():
            if _is_glob(name):
                got = ctx.glob(rel)
                if not got:
                    return False
                p.add(rel)
            elif not ctx.is_file(rel):
                return False
            else:
                p.add(rel)
    else:
        for name in spec.required:
            if not ctx.is_file(_join(project, name)):
                return False
        for name in spec.copy:
            rel = _join(project, name)
            if _is_glob(name):
                if ctx.glob(rel):
                    p.add(rel)
            elif ctx.is_file(rel):
                p.add(rel)
    for name in wrapper:
        rel = _join(project, name)
        if not ctx.exists(rel):
            return False
        p.add(rel, ctx.is_dir(rel))
    for name in spec.optional:
        rel = _join(project, name)
        if ctx.exists(rel) and not any(_is_glob(f) and posixpath.dirname(f) == posixpath.dirname(rel)
                                       and _glob_covers(f, rel) for f in p.files):
            p.add(rel, ctx.is_dir(rel))
    return bool(p.files)


def _glob_covers(pattern: str, path: str) -> bool:
    from fnmatch import fnmatchcase
    return fnmatchcase(posixpath.basename(path), posixpath.basename(pattern))


def _check_contents(ctx: BuildContext, spec: ManifestSet, p: Plan) -> None:
    from ..build_context.manifest_contents import applies, check

    todo = [f for f in p.files if f not in p.dirs]
    seen: set[str] = set()
    while todo:
        path = todo.pop(0)
        if path in seen or _is_glob(path):
            continue
        seen.add(path)
        for key in spec.contents:
            if not applies(key, posixpath.basename(path)):
                continue
            reason, more = check(ctx, key, path)
            if reason:
                p.caveats.append(reason)
            for extra in more:
                if not ctx.is_file(extra):
                    p.caveats.append(f"{path} names {extra}, which is not in the build context")
                    continue
                p.add(extra)
                todo.append(extra)
    for path in p.files:
        if _is_glob(path):
            for got in ctx.glob(path) or []:
                for key in spec.contents:
                    if applies(key, posixpath.basename(got)):
                        reason, _more = check(ctx, key, got)
                        if reason:
                            p.caveats.append(reason)


def _copy_caveats(analysis: Analysis, broad: Instruction) -> list[str]:
    out = []
    line = broad.line + 1
    sources = copy_sources(broad)
    if len(sources) != 1 or (sources[0] not in ROOT_SOURCES and dir_copy_root(broad) is None):
        out.append(f"the COPY on line {line} does not copy the context root as a whole")
    extra = sorted({f.name for f in broad.flags} - CARRIED_FLAGS)
    if extra:
        out.append(f"the COPY on line {line} has --{', --'.join(extra)}, which the manifest COPY does not repeat")
    return out


def _run_caveats(analysis: Analysis, facts: RunFacts, steps: list[Invocation], project: str,
                 manifests: set[str]) -> list[str]:
    """What else in the RUN may read the build context (then moving the broad COPY below it is a guess)."""
    out = []
    instr = facts.instr
    if any(re.search(_LOOP, t) for t in [instr.args, *(hd.body for hd in instr.heredocs)]):
        out.append("the RUN has a loop that may read other files from the build context")
    mine = {id(inv.command): inv for inv in steps}
    by_command: dict[int, list[Invocation]] = {}
    for g in facts.invocations:
        by_command.setdefault(id(g.inv.command), []).append(g.inv)
    ctx = _known(analysis)
    for cmd in facts.commands:
        if not cmd.words:
            continue
        if id(cmd) in mine:
            out += _own_words(ctx, mine[id(cmd)], project, manifests)
            continue
        invs = by_command.get(id(cmd), [])
        if invs and all(_reads_no_context(inv) for inv in invs):
            continue
        if not invs and _harmless(cmd):
            continue
        shown = " ".join(w.text for w in cmd.words[:3])
        out.append(f"`{shown}` in the RUN may read other files from the build context")
    return out


def run_reads_no_context(facts: RunFacts) -> bool:
    """A RUN that never reads the build context: installs from registries only, and commands
    whose arguments name no relative path (`mkdir -p /home/app/.cache/pip`, `echo ...`)."""
    by_command: dict[int, list[Invocation]] = {}
    for g in facts.invocations:
        by_command.setdefault(id(g.inv.command), []).append(g.inv)
    instr = facts.instr
    if any(re.search(_LOOP, t) for t in [instr.args, *(hd.body for hd in instr.heredocs)]):
        return False
    for cmd in facts.commands:
        if not cmd.words:
            continue
        invs = by_command.get(id(cmd), [])
        if invs:
            if all(_reads_no_context(inv) for inv in invs):
                continue
            return False
        if not _harmless(cmd):
            return False
    return True


def _harmless(cmd) -> bool:
    """A command that reads no file of the build context: text only, or a companion (rm, ln,
    mkdir, ...) whose arguments name no relative path."""
    if cmd.name in _TEXT_ONLY:
        return True
    return cmd.name in OS_STEP_COMPANIONS and cmd.name != "cd" and not any(
        _pathish(w.text) and not w.text.startswith("/") for w in cmd.words[1:] if not w.text.startswith("-"))


def _reads_no_context(inv: Invocation) -> bool:
    if context_free_install(inv) or (inv.role in ("clean", "other") and inv.manager.os_package_manager):
        return True
    return (inv.role == "download" and bool(inv.positionals) and not any(local_spec(w.text) for w in inv.positionals)
            and matches_dep_step(inv, REGISTRY_ONLY_INSTALLS.get(inv.manager.key, ())))


def _pathish(text: str) -> bool:
    return "/" in text or text.startswith(".")


def _own_words(ctx: BuildContext | None, inv: Invocation, project: str, manifests: set[str]) -> list[str]:
    """Arguments of the install itself that name other files of the context (`-s settings.xml`,
    `--find-links ./wheels`); a script run as the executable (`./install.sh`)."""
    words = inv.command.words
    exe = words[0].text if words else ""
    out = []
    if "/" in exe and not exe.startswith("/") and not any(exe.rsplit("/", 1)[-1] == m for m in manifests):
        out.append(f"`{exe}` is run from the build context")
    skip = {id(w) for w in inv.subcommand_words}
    for w in words[1:]:
        if id(w) in skip:
            continue
        text = w.text.split("=", 1)[1] if w.text.startswith("-") and "=" in w.text else w.text
        if text.startswith("-") or not text or "$" in text or text in manifests:
            continue
        if ctx is None:
            if _pathish(text) and not text.startswith("/"):
                out.append(f"`{text}` may be read from the build context")
        elif ("/" in text or "." in text) and not text.startswith("/") and ctx.exists(_join(project, text)):
            out.append(f"`{text}` is read from the build context")
    return out


def cwd_config_caveats(analysis: Analysis, broad: Instruction, facts: RunFacts, names: tuple[str, ...]) -> list[str]:
    """For a RUN moved above the broad COPY: config files it reads from its working directory (and
    the parents up to the COPY's destination) that the COPY brought in."""
    if not names:
        return []
    ctx = _known(analysis)
    if ctx is None:
        return [f"build context unknown: check that it has no {', '.join(names)} the install would read"]
    project = project_dir(analysis, broad, facts.ctx.workdir)
    if project is None:
        return []
    out = []
    directory = project
    while True:
        for name in names:
            if ctx.exists(_join(directory, name)):
                out.append(f"the COPY on line {broad.line + 1} brings in {_join(directory, name)}, which it reads")
        if directory == ".":
            break
        directory = posixpath.dirname(directory) or "."
    return out


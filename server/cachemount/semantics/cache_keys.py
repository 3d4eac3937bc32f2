"""The layer-cache model: what is part of each build step's cache key, in BuildKit's terms, and
which steps a change re-runs.

A step (FROM, RUN, COPY, ADD, WORKDIR: knowledge/layer_cache.STEP_KEYWORDS) re-runs when a step
it builds on re-runs or when one of its own inputs changes: the base image, the context files a
COPY/ADD or a bind mount reads (less `.dockerignore`), another stage's output it copies, or a build
arg its key reads (every RUN reads every ARG declared in scope; COPY/ADD/WORKDIR only the ones
their words expand). Cache, secret, ssh and tmpfs mounts and the network are never part of a key.
Pure: the build context is seen only through the `excluded` callable `predict` gets."""
from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from ..document.copy_args import copy_dest, copy_sources
from ..document.expand import expand, split_words
from ..document.model import Document, Instruction
from ..document.mounts import mounts_of
from ..knowledge import layer_cache as K
from .build_state import env_pairs, global_args, stage_parents
from .pipeline import Analysis

MAX_FILE_INPUTS = 32   # file patterns kept per step in `Model.effective` (the rest: "and more")
_REF = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")
_GLOB = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class Input:
    """One thing a step's key reads. `line` is the 0-based line of the instruction that reads it."""

    kind: str        # 'base-image' 'image' 'files' 'bind-mount' 'build-arg' 'stage-output' 'remote' 'git'
    detail: str      # for people: "files matching `package.json`"
    line: int
    patterns: tuple[str, ...] = ()   # 'files'/'bind-mount': context-relative sources ('.' = all)
    excludes: tuple[str, ...] = ()   # COPY --exclude patterns
    name: str | None = None          # the arg, image, URL or stage name
    stage: int | None = None         # 'stage-output': the stage read
    pinned: bool = False             # an image by digest, an ADD with --checksum
    reads: str | None = None         # 'stage-output': the absolute path copied or mounted from it

    @property
    def whole_context(self) -> bool:
        return "." in self.patterns


@dataclass(frozen=True)
class Reason:
    kind: str        # an Input kind, or 'earlier-step'
    detail: str
    line: int
    paths: tuple[str, ...] = ()      # the changed paths that matched
    name: str | None = None
    certain: bool = True             # False: re-runs only if a RUN's output changed (BuildKit
                                     # compares what a COPY --from copies by content)


@dataclass
class Step:
    instr: Instruction
    stage: int
    after: tuple[int, ...]           # steps (positions in Model.steps) whose re-run re-runs this one
    own: tuple[Input, ...]
    managers: tuple[str, ...] = ()   # package managers this RUN downloads with (an install step)
    built: bool = True               # False: the target does not need its stage, BuildKit skips it

    @property
    def install(self) -> bool:
        return bool(self.managers)


def _certain(reasons: list[Reason] | None) -> bool:
    return bool(reasons) and any(r.certain for r in reasons)   # type: ignore[union-attr]


@dataclass
class Model:
    analysis: Analysis
    steps: list[Step]
    target: int                                       # the stage built (-1: no stage)
    stage_heads: dict[int, tuple[int, ...]] = field(default_factory=dict)  # stage -> its last steps
    _effective: dict[int, tuple[Input, ...]] = field(default_factory=dict, repr=False)
    truncated: set[int] = field(default_factory=set, repr=False)   # steps whose `effective` was cut

    @property
    def doc(self) -> Document:
        return self.analysis.doc

    def step_at(self, instr_index: int) -> Step | None:
        for step in self.steps:
            if step.instr.index == instr_index:
                return step
        return None

    def position(self, step: Step) -> int:
        return self.steps.index(step)

    def effective(self, pos: int) -> tuple[Input, ...]:
        """Everything that re-runs step `pos`: its own inputs and those of every step it builds on
        (through FROM <stage>, COPY --from and bind mounts from stages), oldest first."""
        done = self._effective.get(pos)
        if done is not None:
            return done
        # iterative over the chain (a recursion would overflow on thousands of steps)
        order: list[int] = []
        stack, seen = [pos], set()
        while stack:
            p = stack.pop()
            if p in seen or p in self._effective:
                continue
            seen.add(p)
            order.append(p)
            stack.extend(self._parents(p))
        for p in sorted(order):   # a step builds on earlier steps only: parents first
            # one entry per thing read (an arg read by three RUNs is one cause), at its first line;
            # at most MAX_FILE_INPUTS file patterns (thousands of COPY lines made this quadratic)
            merged: dict[tuple, Input] = {}
            files = 0
            for inp in [i for q in self._parents(p) for i in self._effective.get(q, ())] + list(self.steps[p].own):
                key = _key(inp)
                if key in merged:
                    continue
                if inp.kind in ("files", "bind-mount") and not inp.whole_context:
                    if files >= MAX_FILE_INPUTS:
                        self.truncated.add(p)
                        continue
                    files += 1
                merged[key] = inp
            if any(q in self.truncated for q in self._parents(p)):
                self.truncated.add(p)
            self._effective[p] = tuple(sorted(merged.values(), key=lambda i: i.line))
        return self._effective[pos]

    def _parents(self, pos: int) -> list[int]:
        step = self.steps[pos]
        out = list(step.after)
        for inp in step.own:
            if inp.kind == "stage-output" and inp.stage is not None:
                out.extend(self.stage_heads.get(inp.stage, ()))
        return [p for p in out if p < len(self.steps) and p != pos]

    def later_installs(self, pos: int) -> list[Step]:
        """Install steps that re-run whenever step `pos` does (same chain or a stage reading it)."""
        affected = {pos}
        out = []
        for q in range(pos + 1, len(self.steps)):
            if any(p in affected for p in self._parents(q)):
                affected.add(q)
                if self.steps[q].install:
                    out.append(self.steps[q])
        return out

    def predict(self, changed_paths: Iterable[str] = (), changed_args: Iterable[str] = ()
                ) -> dict[int, list[Reason]]:
        """Step position -> why it re-runs, for the steps a change re-runs. `changed_paths` are
        context-relative and already filtered through `.dockerignore` (an ignored file is not in
        the context BuildKit sees)."""
        paths = [_clean(p) for p in changed_paths]
        args = set(changed_args)
        out: dict[int, list[Reason]] = {}
        for pos, step in enumerate(self.steps):
            reasons: list[Reason] = []
            for head in sorted(step.after, key=lambda h: not _certain(out.get(h))):
                if head in out:
                    earlier = self.steps[head].instr
                    why = f"line {earlier.line + 1} re-runs: {one_line(self.doc, earlier)}"
                    reasons.append(Reason("earlier-step", why, earlier.line, certain=_certain(out[head])))
                    break
            for inp in step.own:
                reason = _hit(self, inp, paths, args, out)
                if reason is not None:
                    reasons.append(reason)
            if reasons:
                out[pos] = sorted(reasons, key=lambda r: not r.certain)
        return out

    def writes(self, pos: int) -> list[str]:
        """The absolute paths a COPY/ADD step writes, as far as the text says ([]: a RUN or unknown).
        A file source into a directory destination writes `dest/<name>`; a directory's contents
        (`src/`, `.`) write into `dest` itself."""
        step = self.steps[pos]
        if step.instr.keyword not in ("COPY", "ADD"):
            return []
        dest = _dest_path(self.analysis, step.instr)
        if dest is None:
            return []
        sources = _sources(step.instr)
        into_dir = copy_dest(step.instr).endswith(("/", "/.")) or copy_dest(step.instr) == "." or len(sources) > 1
        out = []
        for src in sources:
            name = posixpath.basename(src.rstrip("/"))
            whole = src.endswith("/") or name in (".", "") or _GLOB.search(src)
            out.append(dest if whole or not into_dir else posixpath.join(dest, name))
        return out


def build_model(analysis: Analysis, target: str | int | None = None) -> Model:
    doc = analysis.doc
    gargs = global_args(doc)
    gdeps = _global_arg_deps(doc)
    parents = stage_parents(doc, gargs)
    steps: list[Step] = []
    finals: dict[int, _Scope] = {}
    heads_of: dict[int, tuple[int, ...]] = {}
    names = {s.name: s.index for s in doc.stages if s.name}
    for stage in doc.stages:
        parent = parents[stage.index]
        if parent is not None and parent in finals:
            scope = finals[parent].copy()
            heads = heads_of.get(parent, ())
        else:
            scope, heads = _Scope(), ()
            steps.append(Step(stage.from_instruction, stage.index, (), tuple(_from_inputs(doc, stage, gdeps))))
            heads = (len(steps) - 1,)
        for instr in stage.instructions:
            if instr is stage.from_instruction:
                continue
            own, linked = _step_inputs(doc, instr, scope, gdeps, names, analysis)
            if instr.keyword in K.STEP_KEYWORDS:
                managers = _managers(analysis, instr)
                steps.append(Step(instr, stage.index, () if linked else heads, tuple(own), managers))
                heads = (len(steps) - 1,) + (heads if linked else ())
        finals[stage.index] = scope
        heads_of[stage.index] = heads
    target_index = _target(doc, target, names)
    needed = _needed(doc, steps, parents, target_index)
    for step in steps:
        step.built = step.stage in needed
    return Model(analysis, steps, target_index, heads_of)


def one_line(doc: Document, instr: Instruction) -> str:
    """The instruction as one line, flags as written (continuations joined, heredoc bodies left out)."""
    parts = [instr.keyword] + [doc.text[f.start:f.end] for f in instr.flags]
    args = " ".join(instr.args.split())
    return " ".join(parts + ([args] if args else []))


def _key(inp: Input) -> tuple:
    if inp.kind == "files":   # the same files copied twice are two causes (two lines to look at)
        return (inp.kind, inp.patterns, inp.excludes, inp.line)
    return (inp.kind, inp.name, inp.patterns, inp.excludes)


def _listed(items, limit: int) -> str:
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(f"`{i}`" for i in items[:limit]) + more


def summary(inputs: Iterable[Input], limit: int = 4) -> list[str]:
    """Short lines for people: what re-runs a step whose effective inputs are `inputs`."""
    inputs = list(inputs)
    out: list[str] = []
    for inp in inputs:
        if inp.kind == "base-image" and not inp.pinned:
            out.append(f"the base image `{inp.name}` is rebuilt upstream (a tag can move; a digest cannot)")
    whole = next((i for i in inputs if i.kind in ("files", "bind-mount") and i.whole_context), None)
    if whole is not None:
        out.append(f"any file of the build context changes (less .dockerignore; line {whole.line + 1})")
    else:
        files = list(dict.fromkeys(p for i in inputs if i.kind in ("files", "bind-mount") for p in i.patterns))
        if files:
            shown = _listed(files, limit)
            out.append(f"{shown} change{'s' if len(files) == 1 else ''} in the build context")
    args = list(dict.fromkeys(i.name for i in inputs if i.kind == "build-arg"))
    if args:
        shown = _listed(args, limit)
        out.append(f"build arg{'s' if len(args) > 1 else ''} {shown} change{'' if len(args) > 1 else 's'}")
    for inp in inputs:
        if inp.kind == "image":
            out.append(f"the image `{inp.name}` it copies from is rebuilt upstream (line {inp.line + 1})")
        elif inp.kind in ("remote", "git") and not inp.pinned:
            out.append(f"the content at `{inp.name}` changes (line {inp.line + 1}; BuildKit fetches it at every build)")
    return out


# -- scope of build args ------------------------------------------------------------------------

@dataclass
class _Scope:
    """Per stage: variable -> the build args its value derives from (ARGs declared in scope and
    ENVs), and the args the working directory derives from."""

    deps: dict[str, frozenset[str]] = field(default_factory=dict)
    workdir: frozenset[str] = frozenset()

    def copy(self) -> "_Scope":
        return _Scope(dict(self.deps), self.workdir)

    def refs(self, text: str) -> frozenset[str]:
        out: set[str] = set()
        for m in _REF.finditer(text):
            out |= self.deps.get(m.group(1) or m.group(2), frozenset())
        return frozenset(out)

    def run_args(self) -> frozenset[str]:
        return frozenset().union(*self.deps.values()) if self.deps else frozenset()


def _global_arg_deps(doc: Document) -> dict[str, frozenset[str]]:
    deps: dict[str, frozenset[str]] = {}
    for instr in doc.instructions:
        if instr.stage >= 0:
            break
        if instr.keyword == "ARG":
            for word in split_words(instr.args):
                name, eq, default = word.partition("=")
                refs: set[str] = set()
                for m in _REF.finditer(default if eq else ""):
                    refs |= deps.get(m.group(1) or m.group(2), frozenset())
                deps[name] = frozenset({name} | refs)
    return deps


def _arg_inputs(names: Iterable[str], line: int, why: str) -> list[Input]:
    return [Input("build-arg", f"build arg `{n}` ({why})", line, name=n) for n in sorted(names)]


def _from_inputs(doc: Document, stage, gdeps: dict[str, frozenset[str]]) -> list[Input]:
    instr = stage.from_instruction
    line = instr.line
    out: list[Input] = []
    ref = expand(stage.base, global_args(doc), doc.escape) or stage.base
    if ref.lower() != "scratch":
        pinned = "@sha256:" in ref
        why = "a digest cannot move" if pinned else "a tag can move to a new build"
        out.append(Input("base-image", f"the base image `{ref}` ({why})", line, name=ref, pinned=pinned))
    used: set[str] = set()
    for text in [stage.base] + [f.value or "" for f in instr.flags]:
        for m in _REF.finditer(text):
            used |= gdeps.get(m.group(1) or m.group(2), frozenset())
    out += _arg_inputs(used, line, "used in FROM")
    return out


def _step_inputs(doc: Document, instr: Instruction, scope: _Scope, gdeps, names: dict[str, int],
                 analysis: Analysis) -> tuple[list[Input], bool]:
    """The instruction's own inputs (updating `scope` for ARG/ENV/WORKDIR), and whether it is a
    `COPY --link` (its key does not include the steps before it)."""
    kw, line = instr.keyword, instr.line
    if kw == "ARG":
        for word in split_words(instr.args):
            name, eq, default = word.partition("=")
            scope.deps[name] = frozenset({name}) | (scope.refs(default) if eq else gdeps.get(name, frozenset()))
        return [], False
    if kw == "ENV":
        for name, value in env_pairs(instr.args):
            scope.deps[name] = scope.refs(value)
        return [], False
    if kw == "WORKDIR":
        path = instr.args.strip()
        used = scope.refs(path) | (frozenset() if path.startswith("/") else scope.workdir)
        scope.workdir = used
        return _arg_inputs(used, line, "in the path"), False
    if kw == "RUN":
        out = _arg_inputs(scope.run_args(), line, "every RUN after its ARG line reads it")
        return out + _mount_inputs(instr, names, line), False
    if kw in ("COPY", "ADD"):
        return _copy_inputs(doc, instr, scope, names, analysis), any(
            (f.value or "true").lower() != "false" for f in instr.flag("link"))
    return [], False


def _mount_inputs(instr: Instruction, names: dict[str, int], line: int) -> list[Input]:
    out = []
    for mount in mounts_of(instr.flags):
        if mount.type not in K.KEYED_MOUNT_TYPES:
            continue
        source = _clean(mount.value("source") or mount.value("src") or ".")
        origin = mount.value("from")
        if origin:   # BuildKit resolves a mount's `from` by stage name only: `from=0` is an image
            read = posixpath.normpath("/" + source.lstrip("/"))
            out.append(_from_input(origin, names, line, f"bind mount of `{source}` from", read, by_index=False))
        else:
            out.append(Input("bind-mount", f"the bind-mounted `{source}` of the build context", line,
                             patterns=(source,)))
    return out


def _from_input(origin: str, names: dict[str, int], line: int, what: str, reads: str | None = None,
                by_index: bool = True) -> Input:
    stage = names.get(origin.lower())
    if stage is None and by_index and origin.isdigit():
        stage = int(origin)
    if stage is not None:
        return Input("stage-output", f"{what} stage `{origin}` (re-runs when that stage's output changes)",
                     line, name=origin, stage=stage, reads=reads)
    pinned = "@sha256:" in origin
    return Input("image", f"{what} image `{origin}`", line, name=origin, pinned=pinned)


def _copy_inputs(doc: Document, instr: Instruction, scope: _Scope, names: dict[str, int],
                 analysis: Analysis) -> list[Input]:
    line = instr.line
    out: list[Input] = []
    words = _sources(instr)
    dest = copy_dest(instr)
    used = scope.refs(" ".join(words + [dest] + [f.value or "" for f in instr.flags if f.name != "from"]))
    if not dest.startswith("/"):   # a relative destination lands in the working directory
        used |= scope.workdir
    origin = next((f.value for f in instr.flag("from") if f.value), None)
    if origin:
        srcs = [posixpath.normpath("/" + w.lstrip("/")) for w in words if "$" not in w]
        reads = srcs[0] if len(srcs) == 1 and len(words) == 1 else None   # None: several, or unknown
        out.append(_from_input(origin, names, line, "files copied from", reads))
    else:
        ctx = analysis.contexts.get(instr.index)
        env = ctx.env if ctx is not None else {}
        checksum = bool(instr.flag("checksum"))
        patterns: list[str] = []
        for src in words:
            low = src.lower()
            if instr.keyword == "ADD" and (low.startswith(K.GIT_SOURCE_PREFIXES) or low.endswith(K.GIT_SOURCE_SUFFIXES)
                                           or ".git#" in low):
                out.append(Input("git", f"the git repository `{src}` (fetched at every build)", line, name=src))
            elif instr.keyword == "ADD" and low.startswith(K.REMOTE_SOURCE_PREFIXES):
                how = "pinned by --checksum" if checksum else "fetched at every build; no --checksum"
                out.append(Input("remote", f"the URL `{src}` ({how})", line, name=src, pinned=checksum))
            else:
                got = expand(src, env, doc.escape) if "$" in src else src
                patterns.append(_clean(got) if got is not None and "$" not in got else ".")
        if patterns:
            excludes = tuple(_clean(f.value) for f in instr.flag("exclude") if f.value)
            out.append(Input("files", _files_detail(patterns, excludes), line, patterns=tuple(patterns),
                             excludes=excludes))
    return out + _arg_inputs(used, line, "in its words")


def _sources(instr: Instruction) -> list[str]:
    return [s for s in copy_sources(instr) if not s.startswith("<<")]   # heredoc bodies: no files


def _files_detail(patterns: list[str], excludes: tuple[str, ...]) -> str:
    if "." in patterns:
        what = "any file of the build context (less .dockerignore)"
    else:
        what = "the context files " + ", ".join(f"`{p}`" for p in patterns)
    return what + (" except " + ", ".join(f"`{e}`" for e in excludes) if excludes else "")


def _managers(analysis: Analysis, instr: Instruction) -> tuple[str, ...]:
    facts = analysis.runs.get(instr.index)
    if facts is None:
        return ()
    return tuple(dict.fromkeys(f.inv.manager.key for f in facts.invocations if f.inv.role == "download"))


def _target(doc: Document, target: str | int | None, names: dict[str, int]) -> int:
    if not doc.stages:
        return -1
    if target is None:
        return len(doc.stages) - 1
    if isinstance(target, int) or str(target).isdigit():
        index = int(target)
        if not 0 <= index < len(doc.stages):
            raise ValueError(f"no stage {index} (the file has {len(doc.stages)})")
        return index
    if str(target).lower() not in names:
        known = ", ".join(sorted(names)) or "none"
        raise ValueError(f"no stage named {target!r} (named stages: {known})")
    return names[str(target).lower()]


def _needed(doc: Document, steps: list[Step], parents: list[int | None], target: int) -> set[int]:
    if target < 0:
        return set()
    reads: dict[int, set[int]] = {}
    for step in steps:
        for inp in step.own:
            if inp.kind == "stage-output" and inp.stage is not None:
                reads.setdefault(step.stage, set()).add(inp.stage)
    needed: set[int] = set()
    todo = [target]
    while todo:
        s = todo.pop()
        if s in needed or not 0 <= s < len(doc.stages):
            continue
        needed.add(s)
        if parents[s] is not None:
            todo.append(parents[s])  # type: ignore[arg-type]
        todo.extend(reads.get(s, ()))
    return needed


# -- matching changed paths ---------------------------------------------------------------------

def _clean(path: str) -> str:
    path = posixpath.normpath(path.replace("\\", "/")).lstrip("/")
    return "." if path in ("", ".") else path


def covers(pattern: str, path: str) -> bool:
    """Does a COPY/bind source `pattern` (context-relative) take in the context path `path`?
    A directory source takes in everything under it; wildcards match within one path component
    (BuildKit matches sources with Go's filepath.Match), `**` any number of them."""
    if pattern == ".":
        return True
    pat, parts = pattern.split("/"), path.split("/")
    if not _GLOB.search(pattern):
        return parts[:len(pat)] == pat
    return _match_parts(pat, parts)


def _match_parts(pat: list[str], parts: list[str]) -> bool:
    if not pat:
        return True          # the pattern matched a directory: everything under it is copied
    if not parts:
        return all(p == "**" for p in pat)
    if pat[0] == "**":
        return any(_match_parts(pat[1:], parts[i:]) for i in range(len(parts) + 1))
    return fnmatchcase(parts[0], pat[0]) and _match_parts(pat[1:], parts[1:])


def _hit(model: Model, inp: Input, paths: list[str], args: set[str], done: dict[int, list[Reason]]
         ) -> Reason | None:
    if inp.kind in ("files", "bind-mount"):
        matched = tuple(p for p in paths if any(covers(s, p) for s in inp.patterns)
                        and not any(covers(e, p) for e in inp.excludes))
        if matched:
            shown = _listed(matched, 5)
            return Reason(inp.kind, f"{shown} changed: {inp.detail}", inp.line, matched)
    elif inp.kind == "build-arg" and inp.name in args:
        return Reason(inp.kind, f"build arg `{inp.name}` changed", inp.line, name=inp.name)
    elif inp.kind == "stage-output" and inp.stage is not None:
        return _stage_hit(model, inp, done)
    return None


def _stage_hit(model: Model, inp: Input, done: dict[int, list[Reason]]) -> Reason | None:
    """A COPY --from (or bind mount from) a stage whose steps re-run: BuildKit re-runs it when the
    content it copies changed. A COPY/ADD there whose own sources changed and that writes into the
    copied path changes it for sure; a RUN that re-runs may or may not."""
    rerun = [p for p in _chain(model, model.stage_heads.get(inp.stage or 0, ())) if p in done]
    if not rerun:
        return None
    sure = [p for p in rerun if _new_content(done[p]) and any(_within(w, inp.reads) for w in model.writes(p))]
    if sure:
        line = model.steps[sure[0]].instr.line
        return Reason(inp.kind, f"stage `{inp.name}` re-runs and line {line + 1} changes what is copied from it",
                      inp.line, name=inp.name)
    return Reason(inp.kind, f"stage `{inp.name}` re-runs; this re-runs only if that changes the files it "
                  "copies (a RUN's output)", inp.line, name=inp.name, certain=False)


def _new_content(reasons: list[Reason]) -> bool:
    """A COPY that re-runs because its own sources changed writes new content; one that re-runs
    only because an earlier step did writes the same bytes (BuildKit keys the copy by content)."""
    return any(r.certain and r.kind in ("files", "stage-output", "remote", "git") for r in reasons)


def _chain(model: Model, heads: Iterable[int]) -> list[int]:
    seen: set[int] = set()
    todo = list(heads)
    while todo:
        p = todo.pop()
        if p not in seen:
            seen.add(p)
            todo.extend(model._parents(p))
    return sorted(seen)


def _within(written: str, read: str | None) -> bool:
    """Is what a step wrote at or under the path copied from its stage? (A write above it, into
    a parent directory, may have changed other files only.)"""
    if read is None:
        return False
    a, b = written.rstrip("/") or "/", read.rstrip("/") or "/"
    return a == b or a.startswith(b.rstrip("/") + "/") or b == "/"


def _dest_path(analysis: Analysis, instr: Instruction) -> str | None:
    ctx = analysis.contexts.get(instr.index)
    dest = copy_dest(instr)
    got = expand(dest, ctx.env if ctx else {}, analysis.doc.escape) if "$" in dest else dest
    if got is None or ctx is None:
        return None
    return posixpath.normpath(posixpath.join(ctx.workdir, got))


def changed_for_context(changed: Iterable[str], excluded: Callable[[str], bool]) -> tuple[list[str], list[str]]:
    """Split context-relative changed paths into (seen by BuildKit, excluded by .dockerignore)."""
    seen: list[str] = []
    ignored: list[str] = []
    for p in changed:
        (ignored if excluded(_clean(p)) else seen).append(_clean(p))
    return seen, ignored

"""The analysis pipeline: text -> document -> shell commands -> invocations -> facts per RUN.

Rules read `Analysis`; nothing here knows a cache path (that is in knowledge/)."""
from __future__ import annotations

import re
from functools import cached_property

from ..records import Record, field
from . import cachedirs
from . import invocations
from .cachedirs import ResolvedCache
from .build_state import RunContext, build_contexts
from ..build_context import BuildContext
from ..document.expand import expand
from ..document.model import Document, Instruction
from ..document.mounts import Mount, mounts_of, resolve_target
from ..document.scanner import parse
from ..document.shellsource import exec_word_spans, shell_sources
from .invocations import Invocation
from ..limits import MAX_HEREDOCS_PER_RUN, LimitExceeded
from ..shell import parse_commands
from ..shell.model import SimpleCommand, Word


class CacheMount(Record, frozen=False):
    mount: Mount
    target: str | None          # expanded, absolute, normalised; None if it cannot be known
    ids: str | None = None


class InvocationFacts(Record, frozen=False):
    inv: Invocation
    env: dict[str, str]               # environment for this command (ENV/ARG + exports + prefixes)
    caches: list[ResolvedCache]


class RunFacts(Record, frozen=False):
    instr: Instruction
    ctx: RunContext
    commands: list[SimpleCommand]
    invocations: list[InvocationFacts]
    mounts: list[Mount]
    cache_mounts: list[CacheMount]
    # (manager, cache key, dir) set by config commands
    configures: list[tuple[str, str, str]] = field(default_factory=list)

    def covering(self, resolved: ResolvedCache) -> list[CacheMount]:
        return [m for m in self.cache_mounts if m.target and cachedirs.covers(m.target, resolved)]


class Analysis(Record, frozen=False):
    doc: Document
    contexts: dict[int, RunContext]
    commands: dict[int, list[SimpleCommand]]
    runs: dict[int, RunFacts] = field(default_factory=dict)
    stages: set[int] | None = None   # analysed stages (with their ancestors); None: all
    # patterns -> instruction index -> a pattern matches a RUN of its lineage up to it (inclusive)
    _lineage_matches: dict[tuple[str, ...], dict[int, bool]] = field(default_factory=dict, repr=False)
    # results of pure per-instruction helpers, keyed by (helper name, instruction index): fix planners
    # ask the same question for every finding, and asking it afresh made fix-all quadratic
    memo: dict[tuple[str, int], object] = field(default_factory=dict, repr=False)
    # the build context COPY reads (None: unknown, e.g. stdin); only fixes read it, never findings
    build_context: BuildContext | None = None

    def analysed(self, instr: Instruction) -> bool:
        return self.stages is None or instr.stage in self.stages

    @property
    def text(self) -> str:
        return self.doc.text

    def run_facts(self) -> list[RunFacts]:
        return [self.runs[i] for i in sorted(self.runs)]

    def earlier_runs(self, facts: RunFacts) -> list[RunFacts]:
        return [self.runs[i] for i in facts.ctx.lineage if i in self.runs]

    def earlier_runs_match(self, facts: RunFacts, patterns: tuple[str, ...]) -> bool:
        """Does a regex of `patterns` match the shell text (arguments or a heredoc body) of an
        earlier RUN in this RUN's lineage? Remembered along lineages, so asking for every RUN is
        linear (scanning the lineage per RUN was quadratic: 2,000 cache-mounted RUNs took 43 s)."""
        memo = self._lineage_matches.setdefault(patterns, {})
        pending: list[int] = []
        found = False
        for index in reversed(facts.ctx.lineage):   # back to the nearest instruction already known
            if index in memo:
                found = memo[index]
                break
            pending.append(index)
        for index in reversed(pending):
            if not found:
                instr = self.doc.instructions[index]
                found = instr.keyword == "RUN" and any(
                    re.search(p, t) for p in patterns for t in [instr.args, *(hd.body for hd in instr.heredocs)])
            memo[index] = found
        return found

    @cached_property
    def windows_stages(self) -> frozenset[int]:
        out = set()
        for stage in self.doc.stages:
            ctx = self.contexts.get(stage.from_instruction.index)
            if ctx is not None and ctx.os_family == "windows":
                out.add(stage.index)
        return frozenset(out)


def commands_of(instr: Instruction, text: str) -> list[SimpleCommand]:
    if instr.keyword != "RUN":
        return []
    if len(instr.heredocs) > MAX_HEREDOCS_PER_RUN:
        return []  # opaque: the shell parser is quadratic in pending heredocs (see limits.py)
    out: list[SimpleCommand] = []
    for src in shell_sources(instr, text):
        out.extend(parse_commands(src.text, src.origin))
    if instr.json_args is not None and not out and instr.json_args:
        spans = exec_word_spans(instr)
        if len(spans) == len(instr.json_args):
            words = tuple(Word(v, s, e, True) for v, (s, e, _) in zip(instr.json_args, spans))
            out.append(SimpleCommand(words, (), spans[0][0], spans[-1][1]))
    return out


def analyze(text: str, doc: Document | None = None, stages: set[int] | None = None,
            build_context: BuildContext | None = None) -> Analysis:
    """The whole analysis, or (with `stages`) only what those stages and their ancestors need.
    `build_context`: the directory the Dockerfile is built with, when known."""
    if doc is None:
        doc = parse(text)
    commands: dict[int, list[SimpleCommand]] = {}

    def cmds(instr: Instruction) -> list[SimpleCommand]:
        got = commands.get(instr.index)
        if got is None:
            got = commands[instr.index] = commands_of(instr, text)
        return got

    contexts = build_contexts(doc, cmds, stages)
    analysis = Analysis(doc, contexts, commands, stages=stages, build_context=build_context)
    # Config commands persist in the image (~/.npmrc, pip.conf, ...): what the earlier RUNs of the
    # lineage configured, kept per stage as we go (folding the whole lineage per RUN was quadratic).
    configured_by_stage: dict[int, dict[str, dict[str, str]]] = {}
    for instr in doc.instructions:
        ctx = contexts.get(instr.index)
        if ctx is None:
            continue
        running = configured_by_stage.get(ctx.stage)
        if running is None:  # the stage's first instruction: start from the parent stage's RUNs
            last = ctx.lineage.last
            parent = configured_by_stage.get(doc.instructions[last].stage) if last is not None else None
            running = configured_by_stage[ctx.stage] = _copy_configured(parent or {})
        if instr.keyword != "RUN":
            continue
        command_list = cmds(instr)
        mounts = mounts_of(instr.flags)
        try:
            cache_mounts = [CacheMount(m, _mount_target(m, ctx), m.value("id")) for m in mounts if m.type == "cache"]
            inv_facts, configures = _invocations(command_list, ctx, _copy_configured(running))
        except LimitExceeded as exc:
            raise LimitExceeded(f"line {instr.line + 1}: {exc}") from None
        for manager, key, value in configures:
            running.setdefault(manager, {})[key] = value
        analysis.runs[instr.index] = RunFacts(instr, ctx, command_list, inv_facts, mounts, cache_mounts, configures)
    return analysis


def _copy_configured(configured: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    return {manager: dict(values) for manager, values in configured.items()}


def _mount_target(mount: Mount, ctx: RunContext) -> str | None:
    target = mount.target
    if not target:
        return None
    expanded = expand(target, ctx.env)
    if expanded is None or not expanded.strip():
        return None
    return resolve_target(expanded.strip(), ctx.workdir)


def _invocations(command_list: list[SimpleCommand], ctx: RunContext,
                 configured: dict[str, dict[str, str]]) -> tuple[list[InvocationFacts], list[tuple[str, str, str]]]:
    env = dict(ctx.env)
    out = []
    configures: list[tuple[str, str, str]] = []
    for cmd in command_list:
        if not cmd.words:
            for name, value in cmd.assignments:  # `A=b` alone sets a shell variable for later commands
                env[name] = value
            continue
        if cmd.name in ("export", "declare", "typeset") and len(cmd.words) > 1:
            for w in cmd.words[1:]:
                name, eq, value = w.text.partition("=")
                if eq and name.isidentifier():
                    got = expand(value, env)
                    if got is not None:
                        env[name] = got
            continue
        for inv in invocations.recognize(cmd, ctx.base):
            cmd_env = dict(env)
            for name, value in cmd.assignments:
                got = expand(value, env)
                if got is not None:
                    cmd_env[name] = got
            key = inv.manager.key
            if inv.role not in ("download", "consume", "clean") and inv.option_dirs:
                for cache_key, value, _word in inv.option_dirs:
                    configured.setdefault(key, {})[cache_key] = value
                    configures.append((key, cache_key, value))
            caches = cachedirs.resolve_caches(inv, cmd_env, ctx.user, configured.get(key), ctx.workdir)
            out.append(InvocationFacts(inv, cmd_env, caches))
    return out, configures


def reuse(text: str, analysis: Analysis | None) -> tuple[Document, Analysis | None]:
    """The document for `text`: from `analysis` when it was computed for exactly this text (the
    language server shares one per version), else a fresh parse (no full analysis)."""
    if analysis is not None and analysis.text == text:
        return analysis.doc, analysis
    return parse(text), None



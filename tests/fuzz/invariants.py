"""The invariants the property fuzzers check on every Dockerfile they make:

(a) `lint` never raises (a `LimitExceeded` with a one-line message is an allowed, clean refusal),
    its spans stay inside the text, and it reports no finding twice;
(b) fix-all never raises, and the fixed text parses with BuildKit's parser whenever the original did;
(c) a second fix-all is a no-op (same text, no fix applied);
(d) fix-all creates no finding that was not there before. Identity of a finding: its code and the
    instruction it points to, followed through fix-all's edits (recorded round by round; an
    instruction a fix moves keeps its identity, one a fix inserts has none before), counted per
    instruction. Messages are not compared: they may name a new path for the same problem;
(e) time and memory are bounded, on pathological sizes too (a per-example deadline, a tracemalloc peak);
(f) in an existing RUN, fix-all only removes words from the command BuildKit runs (BuildKit's
    parser accepts a mount value with a space that splits into the command; (b) cannot see that),
    besides an option's replacement from the table, a per-command override of a variable, and the
    command of the RUN right before it when a fix deleted that RUN (CM401 moves a lone
    `apt-get update` into the install's RUN: `apt-get update && apt-get install ...`).

The checks, the settings and the bounds shared by test_fuzz_properties.py (generated files) and
test_fuzz_corpus.py (mutated corpus files)."""
from __future__ import annotations

import bisect
import re
import signal
import sys
import tracemalloc
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from unittest import mock

import dockerfile
from hypothesis import HealthCheck, Phase, note, settings

import cachemount.fixing.apply as fixes
import cachemount.lint as linter
from cachemount.lint import lint, lint_analysis
from cachemount.document.scanner import parse
from cachemount.semantics.pipeline import Analysis, analyze
from cachemount.limits import LimitExceeded
from cachemount.knowledge.managers import MANAGERS

# Lint + fix-all of one input of a pathological kind, at half its size (bounded run) or up to twice
# it (soak tier): linear work takes a fraction of a second there, quadratic work takes many.
DEADLINE = timedelta(seconds=2.5)
DEADLINE_LONG = timedelta(seconds=5)
HARD_STOP = 60                      # seconds: a hang fails instead of blocking the run
CLI_FRAMES = 30                     # stack frames in use when the CLI or the server calls the engine
MEMORY_BASE = 32 << 20              # bytes of tracemalloc peak allowed for any input (corpus files: < 1 MiB)...
MEMORY_PER_CHAR = 1 << 10           # ...plus this much per input character


def fuzz_settings(examples: int, **kw):
    """A fixed seed (`derandomize`) and no example database: every run tries the same examples."""
    return settings(max_examples=examples, derandomize=True, database=None, deadline=kw.pop("deadline", None),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much, HealthCheck.large_base_example],
                    print_blob=False, **kw)


NO_SHRINK = (Phase.explicit, Phase.generate)  # a (kind, n) case is already minimal to read


# ---------------------------------------------------------------------------------------------
# The invariants, on one text


class Refused(Exception):
    """The engine refused the input with a LimitExceeded: nothing more to check for it."""


@contextmanager
def refusal_allowed():
    try:
        yield
    except LimitExceeded as e:
        message = str(e)
        assert message and "\n" not in message, f"LimitExceeded must carry one line: {message!r}"
        raise Refused from e


def check_lint(text: str) -> None:
    """(a) lint never raises; its spans lie inside the text; no finding twice."""
    try:
        with refusal_allowed():
            findings = lint(text)
    except Refused:
        return
    for f in findings:
        assert 0 <= f.start <= f.end <= len(text), f
        for fix in f.fixes:
            for e in fix.edits:
                assert 0 <= e.start <= e.end <= len(text), (f, e)
    twice = [k for k, n in Counter((f.code, f.start, f.end, f.message) for f in findings).items() if n > 1]
    assert not twice, f"the same finding reported more than once: {twice}"


def _fixed(text: str) -> str | None:
    try:
        with refusal_allowed():
            after, applied = linter.apply_all(text)
    except Refused:
        return None
    assert applied or after == text, "fix-all changed the text while reporting no fix applied"
    return after


def _buildkit_error(text: str) -> str | None:
    try:
        dockerfile.parse_string(text)
    except dockerfile.GoParseError as e:
        return str(e)
    return None


def check_fix_never_raises_and_parses(text: str) -> None:
    """(b) fix-all never raises; BuildKit parses the fixed text whenever it parsed the original."""
    after = _fixed(text)
    if after is None or _buildkit_error(text) is not None:
        return
    error = _buildkit_error(after)
    assert error is None, f"BuildKit's parser rejects the fixed text ({error}):\n{after}"


def check_fix_is_idempotent(text: str) -> None:
    """(c) a second fix-all is a no-op."""
    after = _fixed(text)
    if after is None:
        return
    again, applied = linter.apply_all(after)
    assert (again, applied) == (after, 0), f"a second fix-all is not a no-op ({applied} fixes applied):\n{after}"


@contextmanager
def recorded_rounds():
    """The (text, edits) of every round fix-all applies, by wrapping the function it applies them with."""
    rounds: list[tuple[str, list]] = []
    real = fixes.apply_edits

    def record(text, edits):
        rounds.append((text, list(edits)))
        return real(text, edits)

    with mock.patch.object(fixes, "apply_edits", record):
        yield rounds


def _follow(text: str, offsets: list[int | None], edits: list) -> list[int | None]:
    """Where each instruction start ends up after one round's edits: shifted by the edits before
    it; at the replacement when an edit rewrites it; where a fix re-inserts its exact text (a move);
    None when deleted."""
    doc = parse(text)
    starts = [i.start for i in doc.instructions]
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    new_starts, shift = [], 0
    for e in ordered:
        new_starts.append(e.start + shift)
        shift += len(e.new_text) - (e.end - e.start)
    out: list[int | None] = []
    for p in offsets:
        hit = next((k for k, e in enumerate(ordered) if e.start <= p < e.end), None) if p is not None else None
        if p is None or hit is None:
            out.append(None if p is None else
                       p + sum(len(e.new_text) - (e.end - e.start) for e in ordered if e.end <= p))
            continue
        instr = doc.instructions[bisect.bisect_right(starts, p) - 1]
        body = text[instr.start:instr.end]
        moved = next((new_starts[k] + e.new_text.index(body) for k, e in enumerate(ordered) if body in e.new_text),
                     None)
        if moved is None and ordered[hit].new_text.strip():
            moved = new_starts[hit]
        out.append(moved)
    return out


def _located(findings, doc) -> list[tuple[str, int | None]]:
    starts = [i.start for i in doc.instructions]
    out = []
    for f in findings:
        k = bisect.bisect_right(starts, f.start) - 1
        out.append((f.code, k if k >= 0 else None))
    return out


@dataclass
class Followed:
    before: Analysis
    after_text: str
    after: Analysis
    origin: dict[int, set[int]]   # after instruction index -> the before instructions it comes from


def fix_followed(text: str) -> Followed | None:
    """Fix-all, with every original instruction followed to where it ends up; None when refused."""
    try:
        with refusal_allowed():
            before = analyze(text)
            with recorded_rounds() as rounds:
                after, _ = linter.apply_all(text)
    except Refused:
        return None
    replay = text
    for round_text, edits in rounds:
        assert round_text == replay, "fix-all no longer applies its edits through fixes.apply_edits"
        replay = fixes.apply_edits(round_text, edits)
    assert replay == after, "fix-all no longer applies its edits through fixes.apply_edits"

    offsets: list[int | None] = [i.start for i in before.doc.instructions]
    for round_text, edits in rounds:
        offsets = _follow(round_text, offsets, edits)
    after_analysis = analyze(after)
    after_starts = [i.start for i in after_analysis.doc.instructions]
    origin: dict[int, set[int]] = {}
    for i, p in enumerate(offsets):
        if p is not None:
            while p < len(after) and after[p] in " \t\r\n":  # a rewritten block may start at its indentation
                p += 1
            origin.setdefault(bisect.bisect_right(after_starts, p) - 1, set()).add(i)
    return Followed(before, after, after_analysis, origin)


def check_fix_adds_no_finding(text: str) -> None:
    """(d) no finding after fix-all that was not there before (identity: see the module docstring)."""
    followed = fix_followed(text)
    if followed is None:
        return
    before_findings = lint_analysis(followed.before)
    after_findings = lint_analysis(followed.after)
    remaining = Counter(_located(before_findings, followed.before.doc))
    new = []
    for f, (code, j) in zip(after_findings, _located(after_findings, followed.after.doc)):
        candidates = [None] if j is None else sorted(followed.origin.get(j, ()))
        source = next((i for i in candidates if remaining[(code, i)] > 0), "none")
        if source == "none":
            new.append((code, f.message, followed.after_text[f.start:f.end][:80]))
        else:
            remaining[(code, source)] -= 1
    assert not new, f"fix-all created findings {new} in:\n{followed.after_text}"


# Words, each shell operator and quote character apart: removing `; cmd` from `cd /app; cmd` leaves
# `/app`; removing `PIP_NO_CACHE_DIR=1 ` from `sh -c "PIP_NO_CACHE_DIR=1 pip ..."` leaves `"` `pip`.
_WORD = re.compile(r"""[;&|()"'`]|[^\s;&|()"'`]+""")


def _buildkit_runs(text: str) -> dict[int, list[str]] | None:
    """0-based first line of each RUN -> the words of its command as BuildKit reads them."""
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError:
        return None
    return {c.start_line - 1: _WORD.findall(" ".join(c.value)) for c in commands if (c.cmd or "").upper() == "RUN"}


def _is_subsequence(words: list[str], of: list[str]) -> bool:
    rest = iter(of)
    return all(w in rest for w in words)


# Words a fix may also write into a command (issue 10): an option's replacement from the table (apk
# `--no-cache` -> `--update-cache`) and a per-command override of a defeating variable the image
# sets (`PIP_NO_CACHE_DIR= pip install`, `UV_NO_CACHE=false uv sync`).
_REPLACEMENTS = frozenset(r for m in MANAGERS for d in m.option_defeats for r in getattr(d, "replacement", ()))
_OVERRIDE = re.compile("|".join(f"{re.escape(d.name)}=" for m in MANAGERS for d in m.env_defeats) or "(?!)")


def _written_by_a_fix(word: str) -> bool:
    return word in _REPLACEMENTS or bool(_OVERRIDE.match(word))


def check_fix_only_removes_command_words(text: str) -> None:
    """(f) Fixes add flags and instructions, and remove what defeats a cache (an option, a variable, a
    cleanup command); in an existing RUN, the command BuildKit runs may only lose words. This
    catches a fix that corrupts a command while BuildKit still parses the file (a mount value with
    a space splits off into the command, an exec form re-quoted wrongly)."""
    followed = fix_followed(text)
    if followed is None:
        return
    before_runs, after_runs = _buildkit_runs(text), _buildkit_runs(followed.after_text)
    if before_runs is None or after_runs is None:
        return  # BuildKit rejects one of them: check_fix_never_raises_and_parses's business
    before_instructions = followed.before.doc.instructions
    kept = set().union(*followed.origin.values()) if followed.origin else set()
    for j, instr in enumerate(followed.after.doc.instructions):
        if instr.keyword != "RUN" or instr.line not in after_runs:
            continue
        origin = [i for i in sorted(followed.origin.get(j, ())) if before_instructions[i].keyword == "RUN"
                  and before_instructions[i].line in before_runs]
        sources = [before_runs[before_instructions[i].line] for i in origin]
        if not sources:
            continue  # inserted by a fix (a prerequisite)
        for i in origin:   # a deleted RUN right before it whose command moved in front of its own
            prev = before_instructions[i - 1] if i > 0 else None
            if prev is not None and i - 1 not in kept and prev.keyword == "RUN" and prev.line in before_runs:
                sources.append(before_runs[prev.line] + ["&", "&"] + before_runs[before_instructions[i].line])
        words = [w for w in after_runs[instr.line] if not _written_by_a_fix(w)]
        assert any(_is_subsequence(words, of) for of in sources), (
            f"fix-all changed the command of a RUN: {sources[0]} became {words} in:\n{followed.after_text}")


CHECKS = [check_lint, check_fix_never_raises_and_parses, check_fix_is_idempotent,
          check_fix_adds_no_finding, check_fix_only_removes_command_words]
by_name = dict(ids=lambda c: c.__name__.removeprefix("check_"))


@contextmanager
def cli_recursion_limit():
    """Hypothesis raises the recursion limit while a test runs; the CLI has Python's default (1000)
    a few frames deep. Give the engine the same headroom, so a RecursionError it would hit shows."""
    depth, frame = 0, sys._getframe()
    while frame:
        depth, frame = depth + 1, frame.f_back
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 1000 - CLI_FRAMES)
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def clear_engine_caches() -> None:
    """Time and memory are bounded for a cold start (a CLI run), not thanks to earlier examples."""
    for name, module in list(sys.modules.items()):
        if name == "cachemount" or name.startswith("cachemount."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


class HardStop(BaseException):
    """Not an Exception: the engine's `except Exception` guards must not swallow it."""


@contextmanager
def hard_stop(seconds: int):
    def expire(signum, frame):
        raise HardStop(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_check(check, text: str) -> None:
    with cli_recursion_limit():
        check(text)


def lint_and_fix(text: str) -> None:
    try:
        with refusal_allowed():
            lint(text)
            linter.apply_all(text)
    except Refused:
        pass


def check_time(text: str) -> None:
    """(e) time: the test's hypothesis deadline; a hard stop for hangs."""
    note(f"{len(text)} characters")
    clear_engine_caches()
    try:
        with hard_stop(HARD_STOP), cli_recursion_limit():
            lint_and_fix(text)
    except HardStop as e:  # out of the engine now: a plain failure, so hypothesis reports the input
        raise AssertionError(str(e)) from None


def check_memory(text: str) -> None:
    """(e) memory: the tracemalloc peak of lint + fix-all."""
    clear_engine_caches()
    tracemalloc.start()
    try:
        with cli_recursion_limit():
            lint_and_fix(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    bound = MEMORY_BASE + MEMORY_PER_CHAR * len(text)
    assert peak <= bound, f"peak {peak >> 20} MiB for {len(text)} characters (bound {bound >> 20} MiB)"

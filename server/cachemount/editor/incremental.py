"""Re-lint after an edit, reusing the findings of stages the edit cannot have changed.

A stage's findings depend only on the text before the first FROM (directives, global ARGs), its
own text and its ancestors' texts (`FROM <stage>`), and for messages and spans on where those
texts sit. So after an edit:
- a stage whose key (a digest of those texts) is unchanged and that lies wholly before the edit
  keeps its findings as they are;
- one that lies after the edit keeps them shifted by the edit's length change, when the edit
  added or removed no line (messages cite line numbers); their fixes stay lazy and are shifted
  as data (`_ShiftedFixes`), so a long editing session holds O(1) per finding;
- every other stage is analysed again (with its ancestors' state, nothing more).
`lint` returns exactly what `analysis.lint` returns for the new text; a property test holds it to
that. Used by the language server, one linter per open document."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

from ..lint import lint_analysis
from ..semantics.build_state import stage_parents
from ..document.model import Document
from ..document.scanner import parse
from ..semantics.pipeline import analyze
from ..records import replace
from ..findings import Edit, Finding, Fix
from ..settings.model import DEFAULT, Settings


@dataclass
class _State:
    text: str
    settings: Settings
    keys: list[bytes]                     # per stage: digest of the preamble and its lineage's texts
    spans: list[tuple[int, int]]          # chunk of each stage: [start, end) in the text
    findings: dict[int, list[Finding]]    # stage index (-1: before the first FROM) -> findings


def _chunks(doc: Document) -> list[tuple[int, int]]:
    text = doc.text
    starts = [text.rfind("\n", 0, s.from_instruction.start) + 1 for s in doc.stages]
    return [(start, starts[i + 1] if i + 1 < len(starts) else len(text)) for i, start in enumerate(starts)]


def _keys(doc: Document, spans: list[tuple[int, int]]) -> list[bytes]:
    """Each stage's key: a digest of its own text chained to its parent's key (the preamble's for a
    stage FROM an image), so equal keys mean equal preamble and lineage texts. Linear in the text:
    a key of all lineage texts was quadratic on chained stages (4,000 stages: 2.85 GB)."""
    text = doc.text
    root = _digest(b"", text[:spans[0][0]] if spans else text)
    parents = stage_parents(doc)
    keys: list[bytes] = []
    for k, (start, end) in enumerate(spans):
        parent = parents[k]
        # a parent is always an earlier stage (FROM looks back only); anything else: the root
        base = keys[parent] if parent is not None and 0 <= parent < k else root
        keys.append(_digest(base, text[start:end]))
    return keys


def _digest(parent: bytes, text: str) -> bytes:
    h = hashlib.blake2b(parent, digest_size=20)
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.digest()


def _group(doc: Document, findings: list[Finding]) -> dict[int, list[Finding]]:
    out: dict[int, list[Finding]] = {}
    for f in findings:
        instr = doc.instruction_at(f.start)
        stage = instr.stage if instr is not None else -1
        out.setdefault(stage, []).append(f)
    return out


class _ShiftedFixes:
    """The fixes of `base` (an unshifted finding, computed on first use and cached there) moved by
    the edits made above its stage since, as data: O(1) per finding however many edits, where a
    closure per edit grew memory and, after ~500 edits, hit the recursion limit (fixes lost).

    In `base`'s coordinates: a position below `lo` lay before every edit and stays; one at or after
    `floor` lay after every edit and moves by `delta` (a finding's stage and what follows it always
    do). Between them the moves differed from edit to edit: a fix with an edit there is dropped,
    never misplaced (rules edit only their own stage and the text before the first FROM, so this
    does not happen)."""

    __slots__ = ("base", "lo", "floor", "delta")

    def __init__(self, base: Finding, lo: int, floor: int, delta: int):
        self.base, self.lo, self.floor, self.delta = base, lo, floor, delta

    def then(self, at: int, delta: int) -> "_ShiftedFixes":
        """These fixes after one more edit: positions at or after `at` (current text) move by `delta`."""
        floor = max(self.floor, at - self.delta)   # below it, positions that the new edit leaves
        return _ShiftedFixes(self.base, min(self.lo, at), floor, self.delta + delta)

    def __call__(self) -> tuple[Fix, ...]:
        lo, floor, delta = self.lo, self.floor, self.delta
        out = []
        for fix in self.base.fixes:
            if any(lo <= p < floor for e in fix.edits for p in (e.start, e.end)):
                continue
            out.append(replace(fix, edits=tuple(
                Edit(e.start + delta if e.start >= floor else e.start,
                     e.end + delta if e.end >= floor else e.end, e.new_text) for e in fix.edits)))
        return tuple(out)


def _shifted(f: Finding, at: int, delta: int) -> Finding:
    """`f` after an edit above it: positions at or after `at` move by `delta`."""
    def move(pos: int) -> int:
        return pos + delta if pos >= at else pos

    source = f.fix_source
    fixes: tuple[Fix, ...] | Callable[[], tuple[Fix, ...]]
    if isinstance(source, _ShiftedFixes):
        fixes = source.then(at, delta)
    elif callable(source):                     # not computed yet: stays lazy
        fixes = _ShiftedFixes(f, at, at, delta)
    else:                                      # computed: move the edits themselves
        fixes = tuple(replace(fix, edits=tuple(Edit(move(e.start), move(e.end), e.new_text) for e in fix.edits))
                      for fix in source)
    return replace(f, start=move(f.start), end=move(f.end), fix_source=fixes)


class IncrementalLinter:
    def __init__(self) -> None:
        self._state: _State | None = None

    def lint(self, text: str, settings: Settings = DEFAULT) -> list[Finding]:
        doc = parse(text)
        spans = _chunks(doc)
        keys = _keys(doc, spans)
        prev = self._state
        reuse: dict[int, list[Finding]] = {}
        todo: set[int] = set(range(len(doc.stages)))
        if (prev is not None and prev.settings == settings
                and "ignore-file" not in text and "ignore-file" not in prev.text):
            reuse, todo = self._reusable(prev, text, keys, spans)
        if todo or not doc.stages:
            analysis = analyze(text, doc, todo if reuse else None)
            fresh = _group(doc, lint_analysis(analysis, settings))
        else:
            fresh = {}
        grouped: dict[int, list[Finding]] = {-1: fresh.get(-1, [])}
        for k in range(len(doc.stages)):
            grouped[k] = reuse[k] if k in reuse else fresh.get(k, [])
        self._state = _State(text, settings, keys, spans, grouped)
        out = [f for group in grouped.values() for f in group]
        out.sort(key=lambda f: (f.start, f.code, f.end))
        return out

    @staticmethod
    def _reusable(prev: _State, text: str, keys: list[bytes], spans: list[tuple[int, int]]):
        old = prev.text
        p = _common_prefix(old, text)
        s = _common_suffix(old, text, min(len(old), len(text)) - p)
        old_end, delta = len(old) - s, len(text) - len(old)
        same_lines = old.count("\n", p, old_end) == text.count("\n", p, len(text) - s)
        by_key: dict[bytes, list[int]] = {}
        for j, key in enumerate(prev.keys):
            by_key.setdefault(key, []).append(j)
        reuse: dict[int, list[Finding]] = {}
        todo: set[int] = set()
        for k, key in enumerate(keys):
            n_start, n_end = spans[k]
            for j in by_key.get(key, ()):
                o_start, o_end = prev.spans[j]
                if o_end <= p and (o_start, o_end) == (n_start, n_end):
                    # wholly before the edit, and so are its ancestors (FROM looks back only)
                    reuse[k] = prev.findings.get(j, [])
                    break
                if same_lines and o_start >= old_end and n_start == o_start + delta:
                    reuse[k] = [_shifted(f, old_end, delta) for f in prev.findings.get(j, [])]
                    break
            else:
                todo.add(k)
        return reuse, todo


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix, by bisection over C-speed slice comparisons."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    lo, hi = 0, max(limit, 0)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid:] == b[len(b) - mid:]:
            lo = mid
        else:
            hi = mid - 1
    return lo

"""The fix engine: apply fixes the rules attached to their findings, as minimal edits.

`fix_rounds` (the linter's `apply_all`) works in rounds: each round lints, takes every fix whose
edits do not touch another
chosen fix's edits (and whose once-per-stage groups are still free), applies them, and lints again,
until nothing fixable is left. A second run therefore changes nothing."""
from __future__ import annotations

from typing import Callable, Iterable

from ..findings import SAFE, Edit, Finding, Fix

MAX_ROUNDS = 12


class OverlappingEdits(ValueError):
    pass


def apply_edits(text: str, edits: list[Edit] | tuple[Edit, ...]) -> str:
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for a, b in zip(ordered, ordered[1:]):
        if b.start < a.end:
            raise OverlappingEdits(f"edits overlap at {b.start}")
    out = []
    pos = 0
    for e in ordered:
        out.append(text[pos:e.start])
        out.append(e.new_text)
        pos = max(pos, e.end)
    out.append(text[pos:])
    return "".join(out)


def _well_formed(fix: Fix, size: int) -> bool:
    ordered = sorted(fix.edits, key=lambda e: (e.start, e.end))
    if any(not 0 <= e.start <= e.end <= size for e in ordered):
        return False
    return all(b.start >= a.end for a, b in zip(ordered, ordered[1:]))


def _touches(a: Edit, b: Edit) -> bool:
    return a.start <= b.end and b.start <= a.end


def apply_fix(text: str, fix: Fix) -> str:
    return apply_edits(text, fix.edits)


def fix_rounds(text: str, lint: Callable[[str], Iterable[Finding]],
               allowed: tuple[str, ...] = (SAFE,)) -> tuple[str, int]:
    """The fixed text and the number of fixes applied: per finding, its first fix whose
    applicability is `allowed` (safe only, unless the user opted into unsafe fixes). `lint` is
    passed in, so fixing never imports the rules that use its helpers."""
    applied = 0
    for _ in range(MAX_ROUNDS):
        chosen: list[Edit] = []
        groups: set[str] = set()
        count = 0
        for finding in lint(text):
            fix = finding.fix_for(allowed)
            if fix is None or not _well_formed(fix, len(text)):
                continue
            if groups.intersection(fix.groups):
                continue
            if any(_touches(e, c) for e in fix.edits for c in chosen):
                continue
            chosen.extend(fix.edits)
            groups.update(fix.groups)
            count += 1
        if not count:
            break
        new_text = apply_edits(text, chosen)
        if new_text == text:
            break
        text = new_text
        applied += count
    return text, applied

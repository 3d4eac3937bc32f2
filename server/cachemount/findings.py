"""What the engine reports: findings with code-point spans and optional fixes (text edits)."""
from __future__ import annotations

from typing import Callable

from .records import Record, field

SEVERITIES = ("error", "warning", "information", "hint")

# What a fix may be used for (ruff's model). SAFE: keeps the build working and the image's behaviour;
# fix-all (`check --fix`, fix-on-save) applies only these. UNSAFE: correct in the usual case but may
# change what the build does (the user reviews it): offered as a quick fix, never applied in bulk.
# DISPLAY: shown to explain (a suggested edit), never applied by the tool.
SAFE, UNSAFE, DISPLAY = "safe", "unsafe", "display-only"
APPLICABILITIES = (SAFE, UNSAFE, DISPLAY)

PLANNER_FAILURES: list[str] = []   # "CODE: exception" per failed fix planner; the tests assert it stays empty


def _planner_failed(finding: "Finding") -> None:
    import logging     # here, not at the top: `cachemount check` does not otherwise load logging
    import traceback

    logging.getLogger("cachemount.fixing.apply").exception("planning the fix of %s at %d failed",
                                                           finding.code, finding.start)
    PLANNER_FAILURES.append(f"{finding.code}: {traceback.format_exc().strip().splitlines()[-1]}")


class Edit(Record):
    start: int        # code-point offsets into the document text
    end: int
    new_text: str


class Fix(Record):
    title: str
    edits: tuple[Edit, ...]
    preferred: bool = True
    kind: str = "quickfix"
    groups: tuple[str, ...] = ()   # once-per-stage insertions ('prereq:apt-docker-clean:0'): fix-all
                                   # applies one fix per group per round and re-plans the rest
    applicability: str = SAFE      # SAFE, UNSAFE or DISPLAY (above)


class Finding(Record):
    """`fix_source` is the fixes, or a function computing them on first use: linting on every
    keystroke should not pay for edits nobody asked for."""

    code: str
    rule: str
    severity: str
    message: str
    start: int
    end: int
    fix_source: tuple[Fix, ...] | Callable[[], tuple[Fix, ...]] = field(default=(), compare=False, repr=False)
    tags: tuple[str, ...] = ()

    @property
    def fixes(self) -> tuple[Fix, ...]:
        source = self.fix_source
        if callable(source):
            try:
                source = tuple(source())
            except Exception:  # a fix that cannot be planned must never take the finding down,
                _planner_failed(self)   # but it is logged with its traceback and counted
                source = ()
            object.__setattr__(self, "fix_source", source)
        return source

    @property
    def fix(self) -> Fix | None:
        fixes = self.fixes
        return fixes[0] if fixes else None

    def fix_for(self, allowed: frozenset[str] | tuple[str, ...] = (SAFE,)) -> Fix | None:
        """The fix fix-all applies: the first one whose applicability is allowed (with edits)."""
        return next((f for f in self.fixes if f.applicability in allowed and f.edits), None)

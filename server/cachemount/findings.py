"""What the engine reports: findings with code-point spans and optional fixes (text edits)."""
from __future__ import annotations

from dataclasses import dataclass, field

SEVERITIES = ("error", "warning", "information", "hint")


@dataclass(frozen=True)
class Edit:
    start: int        # code-point offsets into the document text
    end: int
    new_text: str


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    preferred: bool = True
    kind: str = "quickfix"
    groups: tuple[str, ...] = ()   # once-per-stage insertions ('prereq:apt-docker-clean:0'): fix-all
                                   # applies one fix per group per round and re-plans the rest


@dataclass(frozen=True)
class Finding:
    code: str
    rule: str
    severity: str
    message: str
    start: int
    end: int
    fixes: tuple[Fix, ...] = ()
    tags: tuple[str, ...] = ()
    data: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # extra facts for hover/fixes

    @property
    def fix(self) -> Fix | None:
        return self.fixes[0] if self.fixes else None

"""Inline suppressions: `# cachemount: ignore=CM101[,CM103]` on the comment line(s) right above
an instruction, `# cachemount: ignore-file=CM201` anywhere. A bare `ignore` means every rule."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .document.model import Document

_DIRECTIVE = re.compile(r"^cachemount:\s*(ignore-file|ignore)\s*(?:=\s*([A-Za-z0-9_,\s-]*))?\s*$", re.I)
ALL = "*"


@dataclass
class Suppressions:
    file_codes: set[str]
    by_instruction: dict[int, set[str]]   # instruction index -> codes

    def suppressed(self, code: str, instruction: int | None) -> bool:
        if ALL in self.file_codes or code in self.file_codes:
            return True
        if instruction is None:
            return False
        codes = self.by_instruction.get(instruction, ())
        return ALL in codes or code in codes


def _codes(raw: str | None) -> set[str]:
    if not raw or not raw.strip():
        return {ALL}
    return {c.strip().upper() for c in re.split(r"[,\s]+", raw) if c.strip()}


def collect(doc: Document) -> Suppressions:
    file_codes: set[str] = set()
    by_line: dict[int, set[str]] = {}
    for comment in doc.comments:
        m = _DIRECTIVE.match(comment.text)
        if not m:
            continue
        codes = _codes(m.group(2))
        if m.group(1).lower() == "ignore-file":
            file_codes |= codes
        else:
            by_line.setdefault(comment.line, set()).update(codes)
    by_instruction: dict[int, set[str]] = {}
    if by_line:
        for instr in doc.instructions:
            line = instr.line - 1
            while line in by_line or _is_comment_line(doc, line):
                if line in by_line:
                    by_instruction.setdefault(instr.index, set()).update(by_line[line])
                line -= 1
                if line < 0:
                    break
    return Suppressions(file_codes, by_instruction)


def _is_comment_line(doc: Document, line: int) -> bool:
    if line < 0 or line >= len(doc.line_starts):
        return False
    return doc.line_text(line).lstrip().startswith("#")

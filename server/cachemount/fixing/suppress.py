"""The "Ignore CMxxx for this instruction" edit: a `# cachemount: ignore=CODE` comment on its own
line right above the instruction (with the instruction's indentation), or the code merged into
an ignore comment already in the comment block above it. Pure: text in, a Fix out."""
from __future__ import annotations

import bisect
import re

from ..document.model import Document, Instruction
from ..findings import Edit, Fix

# Same grammar as suppressions.py: `cachemount: ignore` (every rule) or `cachemount: ignore=A,B`.
_IGNORE = re.compile(r"^[ \t]*#[ \t]*cachemount:[ \t]*ignore[ \t]*(?:=[ \t]*(?P<codes>[A-Za-z0-9_,\t -]*?))?[ \t]*$",
                     re.I)
_FILE_IGNORE = re.compile(r"^[ \t]*#[ \t]*cachemount:[ \t]*ignore-file\b", re.I)


def title(code: str) -> str:
    return f"Ignore {code} for this instruction"


def instruction_at(doc: Document, offset: int) -> Instruction | None:
    """The instruction a finding at `offset` belongs to (the last one starting at or before it)."""
    starts = [i.start for i in doc.instructions]
    pos = bisect.bisect_right(starts, offset) - 1
    return doc.instructions[pos] if pos >= 0 else None


def ignore_edit(text: str, offset: int, code: str, doc: Document | None = None) -> Edit | None:
    """The edit that suppresses `code` for the instruction containing `offset`; None when it is
    already suppressed there (or there is no instruction)."""
    if doc is None:
        from ..document.scanner import parse
        doc = parse(text)
    instr = instruction_at(doc, offset)
    if instr is None:
        return None
    code = code.upper()
    line_start = text.rfind("\n", 0, instr.start) + 1
    # Walk up the contiguous comment lines right above the instruction (suppressions.py reads
    # the whole block) and merge into the nearest `ignore=` comment there.
    line_no = instr.line - 1
    by_line = {c.line: c for c in doc.comments}
    while line_no >= 0 and line_no in by_line:
        comment = by_line[line_no]
        raw = text[comment.start:comment.end]
        m = _IGNORE.match(raw)
        if m and not _FILE_IGNORE.match(raw):
            codes_text = m.group("codes")
            if codes_text is None or not codes_text.strip():
                return None  # a bare ignore already silences every rule
            codes = [c.strip().upper() for c in re.split(r"[,\s]+", codes_text) if c.strip()]
            if code in codes:
                return None
            sep = ", " if ", " in codes_text else ("," if "," in codes_text or len(codes) == 1 else " ")
            at = comment.start + m.end("codes")
            return Edit(at, at, f"{sep}{code}")
        line_no -= 1
    indent = text[line_start:instr.start]
    if indent.strip():
        indent = ""
    line_end = text.find("\n", instr.start)
    newline = "\r\n" if line_end > 0 and text[line_end - 1] == "\r" else "\n"
    return Edit(line_start, line_start, f"{indent}# cachemount: ignore={code}{newline}")


def ignore_fix(text: str, offset: int, code: str, doc: Document | None = None) -> Fix | None:
    edit = ignore_edit(text, offset, code, doc)
    if edit is None:
        return None
    return Fix(title(code), (edit,), preferred=False, kind="quickfix")

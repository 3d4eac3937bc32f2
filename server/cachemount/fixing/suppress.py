"""The "Ignore CMxxx for this instruction" edit: a `# cachemount: ignore=CODE` comment on its own
line right above the instruction (with the instruction's indentation), or the code merged into
an ignore comment already in the comment block above it. Pure: text in, a Fix out."""
from __future__ import annotations


from ..document.model import Document, Instruction
from ..findings import Edit, Fix
from ..suppressions import ALL, parse_directive



def title(code: str) -> str:
    return f"Ignore {code} for this instruction"


def instruction_at(doc: Document, offset: int) -> Instruction | None:
    """The instruction a finding at `offset` belongs to (`Document.instruction_at`)."""
    return doc.instruction_at(offset)


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
        directive = parse_directive(raw)
        if directive is not None and not directive.file_wide:
            if ALL in directive.codes or code in directive.codes:
                return None  # already silenced there (a bare ignore silences every rule)
            codes_text = raw[directive.codes_start:directive.codes_end]
            sep = ", " if ", " in codes_text else ("," if "," in codes_text or len(directive.codes) == 1 else " ")
            at = comment.start + directive.codes_end
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

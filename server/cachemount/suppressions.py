"""Inline suppressions, the one grammar: `# cachemount: ignore=CM101[,CM103]` on the comment line(s)
right above an instruction, `# cachemount: ignore-file=CM201` anywhere. A bare `ignore` (or an empty
list) means every rule. Codes are separated by commas and/or spaces. Read by lint, by the
"Ignore CMxxx" quick fix (fixing/suppress.py) and by hover."""
from __future__ import annotations

import re

from .records import Record
from .document.model import Document

# Matched with `match`, then the rest is checked by hand: no pattern here can backtrack.
_PREFIX = re.compile(r"\s*#\s*cachemount:\s*(ignore-file|ignore)", re.I)
# compiled on first use (re's cache): only for a file with a directive
_CODE_CHARS = r"[A-Za-z0-9_,\s-]*"
_SEPARATORS = r"[,\s]+"
ALL = "*"


class Directive(Record):
    """One suppression comment; spans are offsets into the raw comment line (from its start)."""
    file_wide: bool                # `ignore-file`
    codes: frozenset[str]          # upper-cased; {ALL} when bare
    kind_start: int                # span of `ignore` / `ignore-file`
    kind_end: int
    codes_start: int               # span of the code list without surrounding spaces (empty when bare)
    codes_end: int

    def code_spans(self, raw: str) -> list[tuple[int, int]]:
        """Span of each code word in `raw`, in order."""
        out, pos = [], self.codes_start
        for word in re.split(_SEPARATORS, raw[self.codes_start:self.codes_end]):
            at = raw.index(word, pos) if word else pos
            if word:
                out.append((at, at + len(word)))
            pos = at + len(word)
        return out


def parse_directive(raw: str) -> Directive | None:
    """The directive in one comment line (`raw` as written, `#` included), or None."""
    m = _PREFIX.match(raw)
    if m is None:
        return None
    rest_start = m.end()
    rest = raw[rest_start:]
    stripped = rest.lstrip()
    if not stripped.strip():
        at = len(raw.rstrip())
        return Directive(m.group(1).lower() == "ignore-file", frozenset({ALL}), m.start(1), m.end(1), at, at)
    if not stripped.startswith("="):
        return None
    codes_start = rest_start + (len(rest) - len(stripped)) + 1
    if re.fullmatch(_CODE_CHARS, raw[codes_start:]) is None:
        return None
    body = raw[codes_start:]
    codes_start += len(body) - len(body.lstrip())
    codes_end = codes_start + len(body.strip())
    codes = frozenset(c.upper() for c in re.split(_SEPARATORS, raw[codes_start:codes_end]) if c)
    return Directive(m.group(1).lower() == "ignore-file", codes or frozenset({ALL}), m.start(1), m.end(1),
                     codes_start, codes_end)


class Suppressions(Record, frozen=False):
    file_codes: set[str]
    by_instruction: dict[int, set[str]]   # instruction index -> codes

    def suppressed(self, code: str, instruction: int | None) -> bool:
        if ALL in self.file_codes or code in self.file_codes:
            return True
        if instruction is None:
            return False
        codes = self.by_instruction.get(instruction, ())
        return ALL in codes or code in codes


def collect(doc: Document) -> Suppressions:
    file_codes: set[str] = set()
    by_line: dict[int, set[str]] = {}
    for comment in doc.comments:
        directive = parse_directive(doc.text[comment.start:comment.end])
        if directive is None:
            continue
        codes = set(directive.codes)
        if directive.file_wide:
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

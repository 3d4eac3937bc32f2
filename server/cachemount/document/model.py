"""The document model: a Dockerfile's instructions with exact spans.

Every span is a pair of code-point offsets into the original text (`start` inclusive, `end`
exclusive). Lines and columns are derived only at the edges (CLI output, LSP conversion).
"""
from __future__ import annotations

import bisect
from collections.abc import Sequence

from ..records import Record, field


class Span(Record):
    start: int
    end: int


class Flag(Record):
    """`--name=value` (or bare `--name`) after the keyword."""

    name: str            # lower-cased, without dashes: 'mount'
    value: str | None    # raw value text, None for a bare flag
    start: int           # span of the whole flag text
    end: int
    value_start: int     # span of the value (empty at `end` for a bare flag)
    value_end: int


class Heredoc(Record):
    name: str            # delimiter word without quotes
    strip_tabs: bool     # `<<-`
    quoted: bool         # `<<'EOF'` / `<<"EOF"`: no expansion in the body
    marker_start: int    # span of `<<EOF` in the instruction line
    marker_end: int
    body: str            # body text as the builder sees it (tabs stripped for `<<-`)
    body_start: int      # span of the raw body lines (without the terminator line)
    body_end: int
    end: int             # end of the terminator line (exclusive, before its newline)
    terminated: bool = True


class Instruction(Record):
    keyword: str                  # upper-cased: 'RUN'
    start: int                    # start of the keyword
    end: int                      # end of the instruction incl. continuations and heredocs (before the final newline)
    keyword_end: int
    flags: tuple[Flag, ...]
    args_start: int               # span of everything after the flags on the logical line
    args_end: int                 # (continuations included, heredoc bodies excluded)
    args: str                     # logical args text: continuations joined, comment lines dropped
    args_origin: Sequence[int]    # document offset of each char of `args` (+1 entry for the end)
    json_args: tuple[str, ...] | None = None   # exec form
    heredocs: tuple[Heredoc, ...] = ()
    line: int = 0                 # 0-based line of the keyword
    index: int = 0                # position among the document's instructions
    stage: int = -1               # stage index, -1 before the first FROM

    def flag(self, name: str) -> list[Flag]:
        return [f for f in self.flags if f.name == name]


class Comment(Record):
    text: str    # without the leading '#', stripped
    start: int
    end: int
    line: int


class Stage(Record, frozen=False):
    index: int
    name: str | None          # `AS name`, lower-cased
    base: str                 # image reference as written (before expansion)
    from_instruction: Instruction
    instructions: list[Instruction] = field(default_factory=list)
    parent: int | None = None  # stage index when `FROM <earlier stage>`


class Document(Record, frozen=False):
    text: str
    instructions: list[Instruction]
    stages: list[Stage]
    comments: list[Comment]
    escape: str = "\\"
    directives: dict[str, str] = field(default_factory=dict)
    line_starts: list[int] = field(default_factory=list)
    _instruction_starts: list[int] | None = field(default=None, repr=False, compare=False)

    def instruction_at(self, offset: int, inside: bool = False) -> Instruction | None:
        """The instruction a finding at `offset` belongs to: the last one starting at or before it.
        With `inside`, None when `offset` is past that instruction's end (hover, completion)."""
        if self._instruction_starts is None or len(self._instruction_starts) != len(self.instructions):
            self._instruction_starts = [i.start for i in self.instructions]
        pos = bisect.bisect_right(self._instruction_starts, offset) - 1
        if pos < 0:
            return None
        instr = self.instructions[pos]
        return instr if not inside or offset <= max(instr.end, instr.args_end) else None

    def position(self, offset: int) -> tuple[int, int]:
        """Code-point offset -> (0-based line, 0-based column in code points)."""
        line = bisect.bisect_right(self.line_starts, offset) - 1
        if line < 0:
            line = 0
        return line, offset - self.line_starts[line]

    def offset(self, line: int, column: int) -> int:
        if line >= len(self.line_starts):
            return len(self.text)
        start = self.line_starts[line]
        nxt = self.line_starts[line + 1] if line + 1 < len(self.line_starts) else len(self.text)
        line_end = nxt
        while line_end > start and self.text[line_end - 1] in "\r\n":
            line_end -= 1
        return min(start + max(column, 0), line_end)

    def line_text(self, line: int) -> str:
        start = self.line_starts[line]
        end = self.line_starts[line + 1] if line + 1 < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def stage_of(self, instruction: Instruction) -> Stage | None:
        return self.stages[instruction.stage] if instruction.stage >= 0 else None

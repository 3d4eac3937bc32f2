"""Code-point offsets <-> LSP positions (line, character in the negotiated encoding).

LSP lines end at `\\n`, `\\r\\n` or `\\r` (nothing else: not U+2028, not form feed), and
`character` counts UTF-16 code units unless the client and server agreed on `utf-8` or `utf-32`
through `general.positionEncodings` at initialize. Inside the engine every span is in code points;
this module is the only place that knows about client units. No pygls/lsprotocol import needed.
"""
from __future__ import annotations

import bisect
import re
from typing import Iterable

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
ENCODINGS = (UTF8, UTF16, UTF32)
DEFAULT = UTF16

_BREAK = re.compile(r"\r\n|\r|\n")
_CODECS = {UTF8: "utf-8", UTF16: "utf-16-le"}
_UNIT_BYTES = {UTF8: 1, UTF16: 2}


def negotiate(client_encodings: Iterable[str] | None) -> str:
    """The first of the client's preferred encodings we support; UTF-16 when it names none."""
    for enc in client_encodings or ():
        if enc in ENCODINGS:
            return enc
    return DEFAULT


def units(text: str, encoding: str) -> int:
    """Length of `text` in code units of `encoding`."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    # surrogatepass: a lone surrogate (possible in JSON text) still counts, never raises
    return len(text.encode(_CODECS[encoding], "surrogatepass")) // _UNIT_BYTES[encoding]


def _char_units(ch: str, encoding: str) -> int:
    cp = ord(ch)
    if encoding == UTF16:
        return 2 if cp > 0xFFFF else 1
    if cp < 0x80:
        return 1
    if cp < 0x800:
        return 2
    if cp < 0x10000:
        return 3
    return 4


def column(segment: str, character: int, encoding: str) -> int:
    """Code points of `segment` (one line's content) before `character` client units: clamped to
    the line, rounded down inside a multi-unit character."""
    character = max(character, 0)
    if encoding == UTF32 or segment.isascii():
        return min(character, len(segment))
    seen = 0
    for i, ch in enumerate(segment):
        step = _char_units(ch, encoding)
        if seen + step > character:
            return i
        seen += step
    return len(segment)


def split_lines(text: str) -> list[str]:
    """`text` as LSP lines, each with its line break; the last has none (it may be empty), so
    there are as many as `LineIndex(text).line_count` and they join back to `text`."""
    lines, start = [], 0
    for m in _BREAK.finditer(text):
        lines.append(text[start:m.end()])
        start = m.end()
    lines.append(text[start:])
    return lines


def content(line: str) -> str:
    """A line from `split_lines` without its break."""
    if line.endswith("\r\n"):
        return line[:-2]
    return line[:-1] if line.endswith(("\n", "\r")) else line


class LineIndex:
    """Line starts of one text (LSP line breaks) and conversions for one encoding."""

    __slots__ = ("text", "encoding", "starts")

    def __init__(self, text: str, encoding: str = DEFAULT):
        self.text = text
        self.encoding = encoding if encoding in ENCODINGS else DEFAULT
        starts = [0]
        starts.extend(m.end() for m in _BREAK.finditer(text))
        self.starts = starts

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_bounds(self, line: int) -> tuple[int, int]:
        """(start, end) of the line's content, without its line break."""
        start = self.starts[line]
        if line + 1 < len(self.starts):
            end = self.starts[line + 1] - 1
            if self.text[end] == "\n" and end > start and self.text[end - 1] == "\r":
                end -= 1
        else:
            end = len(self.text)
        return start, end

    def position(self, offset: int) -> tuple[int, int]:
        """Code-point offset -> (line, character in client units). Offsets are clamped to the
        text; an offset inside a line break maps to the end of that line."""
        offset = min(max(offset, 0), len(self.text))
        line = bisect.bisect_right(self.starts, offset) - 1
        start, end = self.line_bounds(line)
        return line, units(self.text[start:min(offset, end)], self.encoding)

    def offset(self, line: int, character: int) -> int:
        """(line, character in client units) -> code-point offset. A line past the end means the
        end of the text; a character past the line's end means the end of the line (LSP spec); a
        character inside a multi-unit character rounds down to its start."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start, end = self.line_bounds(line)
        return start + column(self.text[start:end], character, self.encoding)

    def range(self, start: int, end: int) -> tuple[tuple[int, int], tuple[int, int]]:
        return self.position(start), self.position(end)

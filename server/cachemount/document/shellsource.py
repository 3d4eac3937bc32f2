"""Which text of a RUN the shell runs, with a map back to document offsets.

- shell form: the logical line (continuations joined, comment lines dropped, exactly what
  BuildKit hands to `/bin/sh -c`), without heredoc bodies (data unless a shell reads them);
- a heredoc body is itself shell code when the RUN is just `<<EOF` (BuildKit runs it as a
  script) or when a shell reads it (`<<EOF bash`, `bash -ex <<EOF`);
- exec form `["sh", "-c", "..."]`: the string; other exec forms are one command (see `exec_words`).
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from ..records import Record
from .model import Instruction

SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"})
# compiled on first use (re's cache), not at every start
_JSON_STRING = r'"((?:[^"\\]|\\.)*)"'
_NON_SHELL_SHEBANG = r"#!\s*\S*(python|node|perl|ruby|php)"


class ShellSource(Record):
    text: str
    origin: int | Sequence[int]   # int base offset, or one document offset per char (+ end)


class EscapedOrigin(tuple):
    """One document offset per char (+ end), for text decoded from escapes: a char may stand for
    several document chars (`\\"`, `\\u00e9`), so `ends[i]` is where char i's source ends."""

    ends: tuple[int, ...]

    def __new__(cls, starts: list[int], ends: list[int]) -> "EscapedOrigin":
        self = super().__new__(cls, starts)
        self.ends = tuple(ends)
        return self


def shell_sources(instr: Instruction, doc_text: str) -> list[ShellSource]:
    if instr.keyword != "RUN":
        return []
    if instr.json_args is not None:
        return _exec_form_sources(instr)
    # The command line alone: read together with the bodies, tree-sitter-bash takes a body for
    # commands when the marker comes first (`<<EOF bash`, `RUN <<EOF`) or there are several, so a
    # shell body would be seen twice and a data body (`<<EOF cat > f`) as commands.
    sources = [ShellSource(instr.args, instr.args_origin)]
    for hd in instr.heredocs:
        if _heredoc_is_shell(instr, hd):
            sources.append(ShellSource(doc_text[hd.body_start:hd.body_end], hd.body_start))
    return sources


def _heredoc_is_shell(instr: Instruction, hd) -> bool:
    if re.match(_NON_SHELL_SHEBANG, hd.body.lstrip()):
        return False
    words = _command_words(instr)
    if not words:
        return True  # `RUN <<EOF`: BuildKit runs the body as a script with the default shell
    name = words[0].rsplit("/", 1)[-1]
    return name in SHELLS and "-c" not in words[1:]


def _command_words(instr: Instruction) -> list[str]:
    """Words of the command line other than heredoc markers and redirections."""
    return [w for w in instr.args.split() if "<<" not in w and not w[:1].isdigit() and w[:1] not in "<>|&"]


def _exec_form_sources(instr: Instruction) -> list[ShellSource]:
    argv = instr.json_args or ()
    if len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in SHELLS and argv[1].startswith("-") and "c" in argv[1]:
        matches = list(re.finditer(_JSON_STRING, instr.args))
        if len(matches) >= 3:
            m = matches[2]
            origin = instr.args_origin
            first, last = m.start(1), m.end(1)
            contiguous = last == first or origin[last - 1] - origin[first] == last - 1 - first
            if "\\" not in m.group(1) and contiguous:
                return [ShellSource(argv[2], origin[first])]
            mapped = _decode_json_string(instr.args, first, last, origin)
            if mapped is not None and mapped[0] == argv[2]:
                return [ShellSource(argv[2], mapped[1])]
    return []


_JSON_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _decode_json_string(args: str, first: int, last: int, origin) -> tuple[str, EscapedOrigin] | None:
    """The JSON string body args[first:last] decoded, with the document span of each char, so an
    edit of a word inside it covers its escapes exactly. None on an escape JSON would refuse."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = first
    while i < last:
        j = i + 1
        ch = args[i]
        if ch == "\\":
            code = args[i + 1] if i + 1 < last else ""
            if code in _JSON_ESCAPES:
                ch, j = _JSON_ESCAPES[code], i + 2
            elif code == "u" and _hex4(args, i + 2, last):
                value, j = int(args[i + 2:i + 6], 16), i + 6
                if 0xD800 <= value < 0xDC00 and args[j:j + 2] == "\\u" and _hex4(args, j + 2, last):
                    low = int(args[j + 2:j + 6], 16)
                    if 0xDC00 <= low < 0xE000:
                        value, j = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00), j + 6
                ch = chr(value)
            else:
                return None
        chars.append(ch)
        starts.append(origin[i])
        ends.append(origin[j - 1] + 1)
        i = j
    starts.append(origin[last])
    return "".join(chars), EscapedOrigin(starts, ends)


def _hex4(text: str, at: int, limit: int) -> bool:
    return at + 4 <= limit and all(c in "0123456789abcdefABCDEF" for c in text[at:at + 4])


def exec_word_spans(instr: Instruction) -> list[tuple[int, int, str]]:
    """(start, end, raw) of each JSON string token of an exec-form instruction, quotes included."""
    out = []
    for m in re.finditer(_JSON_STRING, instr.args):
        out.append((instr.args_origin[m.start()], instr.args_origin[m.end()], m.group(1)))
    return out

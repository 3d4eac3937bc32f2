"""Which text of a RUN the shell runs, with a map back to document offsets.

- shell form: the logical line (continuations joined, comment lines dropped, exactly what
  BuildKit hands to `/bin/sh -c`), plus any heredoc bodies so the shell parser sees them as
  heredocs, not commands;
- a heredoc body is itself shell code when the RUN is just `<<EOF` (BuildKit runs it as a
  script) or when a shell reads it (`<<EOF bash`, `bash -ex <<EOF`);
- exec form `["sh", "-c", "..."]`: the string; other exec forms are one command (see `exec_words`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Instruction

SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"})
_JSON_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_NON_SHELL_SHEBANG = re.compile(r"#!\s*\S*(python|node|perl|ruby|php)")


@dataclass(frozen=True)
class ShellSource:
    text: str
    origin: int | tuple[int, ...]   # int base offset, or one document offset per char (+ end)


def shell_sources(instr: Instruction, doc_text: str) -> list[ShellSource]:
    if instr.keyword != "RUN":
        return []
    if instr.json_args is not None:
        return _exec_form_sources(instr)
    sources = []
    if instr.heredocs:
        tail_start = instr.args_end
        origin = tuple(instr.args_origin)[:-1] + tuple(range(tail_start, instr.end + 1))
        sources.append(ShellSource(instr.args + doc_text[tail_start:instr.end], origin))
        for hd in instr.heredocs:
            if _heredoc_is_shell(instr, hd):
                sources.append(ShellSource(doc_text[hd.body_start:hd.body_end], hd.body_start))
    else:
        sources.append(ShellSource(instr.args, instr.args_origin))
    return sources


def _heredoc_is_shell(instr: Instruction, hd) -> bool:
    if _NON_SHELL_SHEBANG.match(hd.body.lstrip()):
        return False
    # Words of the command line other than heredoc markers and redirections.
    words = [w for w in instr.args.split() if "<<" not in w and not w[:1].isdigit() and w[:1] not in "<>|&"]
    if not words:
        return True  # `RUN <<EOF`: BuildKit runs the body as a script with the default shell
    name = words[0].rsplit("/", 1)[-1]
    return name in SHELLS and "-c" not in words[1:]


def _exec_form_sources(instr: Instruction) -> list[ShellSource]:
    argv = instr.json_args or ()
    if len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in SHELLS and argv[1].startswith("-") and "c" in argv[1]:
        spans = exec_word_spans(instr)
        if len(spans) >= 3:
            start, end, raw = spans[2]
            if "\\" not in raw:
                return [ShellSource(argv[2], start + 1)]
            return [ShellSource(argv[2], tuple([start + 1] * len(argv[2])) + (end - 1,))]
    return []


def exec_word_spans(instr: Instruction) -> list[tuple[int, int, str]]:
    """(start, end, raw) of each JSON string token of an exec-form instruction, quotes included."""
    out = []
    for m in _JSON_STRING.finditer(instr.args):
        out.append((instr.args_origin[m.start()], instr.args_origin[m.end()], m.group(1)))
    return out

"""Building blocks for minimal, exact text edits on a Dockerfile (code-point spans).

Every helper keeps the author's style: new RUN flags follow the existing flag layout (one per
continuation line or inline), removed words take one neighbouring space with them, a command
removed from an `&&`/`;` chain takes its operator with it."""
from __future__ import annotations

import re
from functools import lru_cache

from ..document.model import Document, Instruction
from ..findings import Edit
from ..shell.model import SimpleCommand


def line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def indentation(text: str, offset: int) -> str:
    start = line_start(text, offset)
    end = start
    while end < len(text) and text[end] in " \t":
        end += 1
    return text[start:end]


@lru_cache(maxsize=8)
def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def insert_flags(doc: Document, instr: Instruction, flags: list[str]) -> Edit:
    """Insert `--mount=...` style flags after the keyword and any flags already there, in the
    instruction's layout: one flag per continuation line when it already uses continuation lines,
    inline otherwise."""
    text = doc.text
    nl = newline_of(text)
    esc = doc.escape
    if instr.flags:
        last = instr.flags[-1]
        own_line = text[line_start(text, last.start):last.start].strip() == ""
        if own_line:
            indent = indentation(text, last.start)
            return Edit(last.end, last.end, "".join(f" {esc}{nl}{indent}{flag}" for flag in flags))
        return Edit(last.end, last.end, "".join(f" {flag}" for flag in flags))
    body_line = line_start(text, instr.args_start)
    if body_line != line_start(text, instr.start) or _continues_after(text, instr):
        # Multi-line RUN without flags: first flag after the keyword, the rest (and the command)
        # on continuation lines indented like the instruction's next line.
        indent = _continuation_indent(text, instr) or "    "
        joined = f" {esc}{nl}{indent}".join(flags)
        if body_line != line_start(text, instr.start):
            return Edit(instr.keyword_end, instr.keyword_end, f" {joined}")
        return Edit(instr.keyword_end, instr.args_start, f" {joined} {esc}{nl}{indent}")
    return Edit(instr.keyword_end, instr.keyword_end, "".join(f" {flag}" for flag in flags))


def _continues_after(text: str, instr: Instruction) -> bool:
    first_nl = text.find("\n", instr.start)
    return 0 <= first_nl < instr.args_end


def _continuation_indent(text: str, instr: Instruction) -> str:
    first_nl = text.find("\n", instr.start)
    if first_nl < 0 or first_nl + 1 >= instr.end:
        return ""
    return indentation(text, first_nl + 1)


def remove_span_with_space(text: str, start: int, end: int, escape: str = "\\") -> Edit:
    """Remove a word and one space next to it (the one before, else the one after). A word alone
    on a continuation line takes its line with it; a word ending the instruction on its own line
    takes the previous line's escape, so no dangling continuation is left."""
    ls = line_start(text, start)
    le = text.find("\n", end)
    le = len(text) if le < 0 else le
    before = text[ls:start]
    after = text[end:le].rstrip("\r")
    if not before.strip():
        if after.strip() == escape:
            return Edit(ls, le + 1 if le < len(text) else le, "")  # the whole continuation line
        if not after.strip() and ls > 0:
            # The line continued here: the nearest line above that is not a comment or blank (the
            # builder skips those inside a continuation) ends with the escape; drop that escape.
            prev_end = ls - 1
            while True:
                if prev_end > 0 and text[prev_end - 1] == "\r":
                    prev_end -= 1
                prev_start = line_start(text, prev_end)
                content = text[prev_start:prev_end].strip()
                if prev_start == 0 or content and not content.startswith("#"):
                    break
                prev_end = prev_start - 1
            j = prev_end
            while j > 0 and text[j - 1] in " \t":
                j -= 1
            if j > 0 and text[j - 1] == escape:
                k = j - 1
                while k > 0 and text[k - 1] in " \t":
                    k -= 1
                # drop `<ws>\`, keep the comment and blank lines between, drop NL `<indent>word`
                keep_end = ls - 2 if text[ls - 2:ls - 1] == "\r" else ls - 1
                return Edit(k, end, text[prev_end:keep_end] if keep_end > prev_end else "")
    if start > 0 and text[start - 1] in " \t":
        return Edit(start - 1, end, "")
    if end < len(text) and text[end] in " \t":
        return Edit(start, end + 1, "")
    return Edit(start, end, "")


_SEPARATORS = frozenset(" \t\r\n;&|\\`")


def remove_command(text: str, commands: list[SimpleCommand], cmd: SimpleCommand, escape: str = "\\") -> Edit | None:
    """Remove `cmd` from its `&&`/`;` list: from the end of the previous command (or, for the first
    command, up to the start of the next one). None when the neighbours are joined by something
    else (pipes, `||`, control flow), where removal would change the meaning."""
    ordered = [c for c in commands if c.words and c.start < c.end]
    # Neighbours on cmd's own level: not the commands inside `sh -c '...'` next to it.
    ordered = [c for c in ordered if c is cmd or not any(
        _inside(c, o) and not (_inside(cmd, o) or cmd is o) for o in ordered)]
    try:
        i = next(n for n, c in enumerate(ordered) if c is cmd)
    except StopIteration:
        return None
    if i > 0 and ordered[i - 1].end <= cmd.start:
        edit = _remove_after(text, ordered[i - 1].end, cmd, escape)
        if edit is not None:
            return edit
    if i + 1 < len(ordered) and cmd.end <= ordered[i + 1].start:
        gap = text[cmd.end:ordered[i + 1].start]
        if _plain_separator(gap, escape):
            return Edit(cmd.start, ordered[i + 1].start, "")
    return None


_CLOSERS = frozenset({"fi", "done", "esac", "}", ")"})


def _remove_after(text: str, prev_end: int, cmd: SimpleCommand, escape: str) -> Edit | None:
    """Remove `cmd` with the one `&&`/`;` (or, in a heredoc body, the line break) before it. Between
    the previous command and `cmd` there may be the ends of compound commands (`fi;`, `done &&`),
    continuations, and comment or blank lines inside the continuation (the builder drops those): the
    removal starts after the last closer, and comment lines are kept. If `cmd` ends the instruction,
    the escape before the comments goes too, so no continuation dangles; if more follows, the line
    `&& cmd \\` goes when it holds nothing else, and otherwise nothing is removed (None)."""
    gap = text[prev_end:cmd.start]
    pos, anchor, ops, comments, newline = 0, prev_end, 0, [], False
    lines = gap.split("\n")
    for k, line in enumerate(lines):
        body = line.rstrip("\r")
        if pos and body.strip().startswith("#"):
            comments.append(line)
            pos += len(line) + 1
            continue
        if k < len(lines) - 1 and not body.rstrip().endswith(escape):
            newline = True   # an unescaped line break separates commands (a heredoc body)
        for token in re.finditer(r"&&|;|[^\s;&]+", body):
            word = token.group()
            if word in ("&&", ";"):
                ops += 1
            elif word in _CLOSERS:   # `a; fi`: the `;` before a closer ends the inner list
                anchor, ops = prev_end + pos + token.end(), 0
            elif word == escape and not body[token.end():].strip():
                pass
            else:
                return None
        pos += len(line) + 1
    if ops == 0 and newline:
        ops = 1
    if ops != 1:
        return None
    if not comments:
        return Edit(anchor, cmd.end, "")
    line_end = text.find("\n", cmd.end)
    rest = text[cmd.end:len(text) if line_end < 0 else line_end].strip()
    start = line_start(text, cmd.start)
    lead = text[start:cmd.start].strip()
    if rest == escape and line_end >= 0:
        # more follows: drop the physical line `&& cmd \` alone when it holds nothing else
        return Edit(start, line_end + 1, "") if lead in ("&&", ";") else None
    if line_end >= 0 and not lead and re.fullmatch(rf"(&&|;)\s*{re.escape(escape)}", rest):
        # `cmd; \` alone on its line, the `;` before it on an earlier line: the line goes, that `;`
        # now separates the commands around it (comment lines after it may follow)
        return Edit(start, line_end + 1, "")
    if rest:
        return None
    nl = "\r\n" if comments[0].endswith("\r") else "\n"
    return Edit(anchor, cmd.end, "".join(nl + c.rstrip("\r") for c in comments))


def _inside(c: SimpleCommand, o: SimpleCommand) -> bool:
    return o is not c and o.start <= c.start and c.end <= o.end and (o.start, o.end) != (c.start, c.end)


def _plain_separator(gap: str, escape: str) -> bool:
    core = gap.replace(escape + "\r\n", " ").replace(escape + "\n", " ")
    stripped = core.replace("&&", " ").replace(";", " ")
    if stripped.strip():
        return False
    ops = core.count("&&") + core.count(";")
    return ops == 1 and "||" not in core and "|" not in core.replace("&&", "")


def insert_before_instruction(text: str, instr: Instruction, lines: list[str]) -> Edit:
    """New instruction lines right above `instr`, with its indentation."""
    nl = newline_of(text)
    start = line_start(text, instr.start)
    indent = text[start:instr.start] if not text[start:instr.start].strip() else ""
    return Edit(start, start, "".join(f"{indent}{line}{nl}" for line in lines))


def instruction_block(text: str, instr: Instruction) -> tuple[int, int]:
    """The lines an instruction occupies, from its line start to after its final newline."""
    start = line_start(text, instr.start)
    end = instr.end
    nl = text.find("\n", end)
    end = len(text) if nl < 0 else nl + 1
    return start, end

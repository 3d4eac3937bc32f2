"""Text -> Document. Our own scanner, because dockerfile-parse has no columns and reads heredoc
bodies as instructions. Follows BuildKit's parser: parser directives at the top, the escape
character (`\\` or a backtick), continuation lines (trailing whitespace after the escape allowed),
comment and blank lines dropped inside continuations, flags, exec (JSON) form and heredocs.
Never raises on any text."""
from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence

from ..records import replace
from .model import Comment, Document, Flag, Heredoc, Instruction, Stage

# `# key = value` (value stripped); no backtracking (`(.+?)\s*$` took 20 s on a line of spaces).
_DIRECTIVE = re.compile(r"#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=(.*)")
_KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
# `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`, `3<<EOF`; not `<<<` (here-string). Compiled on first use
# (re's cache), not at every start.
_HEREDOC_MARKER = r"(?<![<\w])\d*<<(-?)([\"']?)([A-Za-z0-9_][A-Za-z0-9_.\-]*)\2(?!<)"
_WS = " \t"


class OffsetMap(Sequence):
    """Logical position -> document offset for text joined from document segments, without
    materialising one int per character (most instructions never need the map)."""

    __slots__ = ("_starts", "_docs", "_n", "_end")

    def __init__(self, segments: list[tuple[int, int]], end: int):
        self._starts: list[int] = []
        self._docs: list[int] = []
        pos = 0
        for a, b in segments:
            if b > a:
                self._starts.append(pos)
                self._docs.append(a)
                pos += b - a
        self._n = pos
        self._end = end

    def __len__(self) -> int:
        return self._n + 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(self._n + 1)))
        if i < 0:
            i += self._n + 1
        if i == self._n:
            return self._end
        if not 0 <= i < self._n:
            raise IndexError(i)
        k = bisect.bisect_right(self._starts, i) - 1
        return self._docs[k] + i - self._starts[k]

    def __iter__(self):
        for k, start in enumerate(self._starts):
            length = (self._starts[k + 1] if k + 1 < len(self._starts) else self._n) - start
            yield from range(self._docs[k], self._docs[k] + length)
        yield self._end

    @classmethod
    def single(cls, doc_start: int, length: int, end: int) -> "OffsetMap":
        """The common case: one unbroken run of document text."""
        new = cls.__new__(cls)
        new._starts = [0] if length else []
        new._docs = [doc_start] if length else []
        new._n = length
        new._end = end
        return new

    def sub(self, start: int, stop: int) -> "OffsetMap":
        """The map of logical positions [start, stop) (plus the end entry)."""
        if len(self._starts) == 1:
            end = self._docs[0] + stop if stop < self._n else self._end
            return OffsetMap.single(self._docs[0] + start, stop - start, end)
        segments = []
        for k, s0 in enumerate(self._starts):
            s1 = self._starts[k + 1] if k + 1 < len(self._starts) else self._n
            a, b = max(s0, start), min(s1, stop)
            if a < b:
                segments.append((self._docs[k] + a - s0, self._docs[k] + b - s0))
        return OffsetMap(segments, self[stop] if stop <= self._n else self._end)


def line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    i = find("\n")
    while i != -1:
        starts.append(i + 1)
        i = find("\n", i + 1)
    return starts


class _Lines:
    """Physical lines as (start, end-before-newline) pairs."""

    __slots__ = ("text", "starts", "n")

    def __init__(self, text: str, starts: list[int]):
        self.text = text
        self.starts = starts
        self.n = len(starts)

    def bounds(self, i: int) -> tuple[int, int]:
        start = self.starts[i]
        end = self.starts[i + 1] - 1 if i + 1 < self.n else len(self.text)
        if end > start and self.text[end - 1] == "\r":
            end -= 1
        return start, end


def _read_directives(text: str, lines: _Lines) -> tuple[dict[str, str], int]:
    directives: dict[str, str] = {}
    i = 0
    if lines.n and text.startswith("#!"):
        i = 1  # a shebang line may precede the directives (Dockerfile 1.5+)
    while i < lines.n:
        s, e = lines.bounds(i)
        m = _DIRECTIVE.match(text, s, e)
        value = _directive_value(m.group(2)) if m else None
        if m is None or value is None:
            break
        key = m.group(1).lower()
        if key not in _KNOWN_DIRECTIVES or key in directives:
            break
        directives[key] = value
        i += 1
    return directives, i


def _directive_value(rest: str) -> str | None:
    r"""What `\s*(.+?)\s*$` captured after the `=`: the stripped text; if that is empty, the last
    whitespace character (the regex needed one); nothing for an empty rest."""
    value = rest.strip()
    if value:
        return value
    return rest[-1] if rest else None


def _is_comment(text: str, s: int, e: int) -> bool:
    j = s
    while j < e and text[j] in _WS:
        j += 1
    return j < e and text[j] == "#"


def _is_blank(text: str, s: int, e: int) -> bool:
    return not text[s:e].strip()


def _continues(text: str, s: int, e: int, escape: str) -> int:
    """If the line ends with the escape char (trailing whitespace allowed), return its offset, else -1."""
    j = e
    while j > s and text[j - 1] in _WS:
        j -= 1
    if j > s and text[j - 1] == escape:
        return j - 1
    return -1


def _split_flags(logical: str, pos: int) -> tuple[list[tuple[int, int]], int]:
    """Return spans (in `logical`) of leading `--flag[=value]` words and the index after them."""
    spans: list[tuple[int, int]] = []
    n = len(logical)
    while True:
        while pos < n and logical[pos] in _WS + "\r\n":
            pos += 1
        if not logical.startswith("--", pos) or pos + 2 >= n or logical[pos + 2] in _WS:
            return spans, pos
        start = pos
        quote = ""
        while pos < n:
            ch = logical[pos]
            if quote:
                if ch == quote:
                    quote = ""
            elif ch in "\"'":
                quote = ch
            elif ch in _WS:
                break
            pos += 1
        spans.append((start, pos))


def _json_args(args: str) -> tuple[str, ...] | None:
    stripped = args.strip()
    if not stripped.startswith("["):
        return None
    try:
        value = json.loads(stripped)
    except (ValueError, RecursionError):
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _heredoc_markers(args: str) -> list[re.Match]:
    if "<<" not in args:
        return []
    found = []
    quote = ""
    qstart = 0
    i = 0
    n = len(args)
    # Skip markers inside quotes: `echo "a <<b"` is not a heredoc.
    quoted_ranges = []
    while i < n:
        ch = args[i]
        if quote:
            if ch == quote:
                quoted_ranges.append((qstart, i))
                quote = ""
        elif ch in "\"'":
            quote = ch
            qstart = i
        i += 1
    opens = [a for a, _ in quoted_ranges]  # disjoint and in order: bisect, not a scan per marker
    for m in re.finditer(_HEREDOC_MARKER, args):
        # A quoted delimiter's own quotes start after `<<`, so only markers inside strings drop out.
        k = bisect.bisect_left(opens, m.start()) - 1
        if not (k >= 0 and m.start() < quoted_ranges[k][1]):
            found.append(m)
    return found


def parse(text: str) -> Document:
    """Parse a Dockerfile. Never raises."""
    starts = line_starts(text)
    lines = _Lines(text, starts)
    directives, i = _read_directives(text, lines)
    escape = "`" if directives.get("escape") == "`" else "\\"
    instructions: list[Instruction] = []
    comments: list[Comment] = []
    stages: list[Stage] = []
    stage_by_name: dict[str, int] = {}

    while i < lines.n:
        s, e = lines.bounds(i)
        if _is_blank(text, s, e):
            i += 1
            continue
        if _is_comment(text, s, e):
            body = text[s:e].lstrip(_WS)[1:].strip()
            comments.append(Comment(body, s, e, i))
            i += 1
            continue
        first_line = i
        seg_start = s
        while seg_start < e and text[seg_start] in _WS:
            seg_start += 1
        segments: list[tuple[int, int]] = []
        while True:
            esc = _continues(text, seg_start, e, escape)
            if esc < 0:
                segments.append((seg_start, e))
                break
            segments.append((seg_start, esc))
            i += 1
            # Comment and blank lines inside a continuation are dropped by the builder.
            while i < lines.n:
                s2, e2 = lines.bounds(i)
                if _is_comment(text, s2, e2):
                    comments.append(Comment(text[s2:e2].lstrip(_WS)[1:].strip(), s2, e2, i))
                    i += 1
                elif _is_blank(text, s2, e2) and i + 1 < lines.n:
                    i += 1
                else:
                    break
            if i >= lines.n:
                break
            seg_start, e = lines.bounds(i)
        last_line = i
        logical = "".join([text[a:b] for a, b in segments])
        logical_end = segments[-1][1] if segments else s
        if len(segments) == 1:
            origin = OffsetMap.single(segments[0][0], segments[0][1] - segments[0][0], logical_end)
        else:
            origin = OffsetMap(segments, logical_end)

        kw_end = 0
        while kw_end < len(logical) and logical[kw_end] not in _WS:
            kw_end += 1
        keyword = logical[:kw_end].upper()
        flag_spans, args_pos = _split_flags(logical, kw_end)
        flags = []
        for a, b in flag_spans:
            raw = logical[a + 2:b]
            eq = raw.find("=")
            if eq >= 0:
                name, value = raw[:eq], raw[eq + 1:]
                vs, ve = origin[a + 3 + eq], origin[b]
            else:
                name, value = raw, None
                vs = ve = origin[b]
            flags.append(Flag(name.lower(), value, origin[a], origin[b], vs, ve))
        args = logical[args_pos:].rstrip()
        args_origin = origin.sub(args_pos, args_pos + len(args))
        json_args = _json_args(args) if keyword in _EXEC_FORM_KEYWORDS else None

        heredocs: list[Heredoc] = []
        end = logical_end
        i = last_line + 1
        if keyword in _HEREDOC_KEYWORDS and json_args is None:
            for m in _heredoc_markers(args):
                strip_tabs = m.group(1) == "-"
                name = m.group(3)
                body_start = starts[i] if i < lines.n else len(text)
                body_lines = []
                terminated = False
                term_end = len(text)
                while i < lines.n:
                    s2, e2 = lines.bounds(i)
                    if s2 == len(text):
                        break  # the empty "line" after a final newline
                    line = text[s2:e2]
                    check = line.lstrip("\t") if strip_tabs else line
                    if check == name:
                        terminated = True
                        term_end = e2
                        i += 1
                        break
                    body_lines.append(check)
                    i += 1
                body_end = starts[i - 1] if terminated else len(text)
                if not terminated:
                    term_end = len(text)
                body = "\n".join(body_lines) + ("\n" if body_lines else "")
                heredocs.append(Heredoc(
                    name=name, strip_tabs=strip_tabs, quoted=bool(m.group(2)),
                    marker_start=args_origin[m.start()], marker_end=args_origin[m.end()],
                    body=body, body_start=body_start, body_end=max(body_start, body_end),
                    end=term_end, terminated=terminated))
                end = term_end
        instr = Instruction(
            keyword=keyword, start=origin[0] if origin else s, end=end, keyword_end=origin[kw_end],
            flags=tuple(flags), args_start=args_origin[0], args_end=args_origin[-1], args=args,
            args_origin=args_origin, json_args=json_args, heredocs=tuple(heredocs),
            line=first_line, index=len(instructions), stage=len(stages) - 1)
        if keyword == "FROM":
            words = args.split()
            base = words[0] if words else ""
            stage_name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
            parent = stage_by_name.get(base.lower())
            instr = _with_stage(instr, len(stages))
            stage = Stage(len(stages), stage_name, base, instr, [], parent)
            stages.append(stage)
            if stage_name:
                stage_by_name[stage_name] = stage.index
        instructions.append(instr)
        if stages and instr.keyword != "FROM":
            stages[-1].instructions.append(instr)
        elif stages:
            stages[-1].instructions.append(instr)

    return Document(text=text, instructions=instructions, stages=stages, comments=comments,
                    escape=escape, directives=directives, line_starts=starts)


_EXEC_FORM_KEYWORDS = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME", "HEALTHCHECK"})


def _with_stage(instr: Instruction, stage: int) -> Instruction:
    return replace(instr, stage=stage)

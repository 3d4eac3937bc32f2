"""A small, bounded reader for the YAML the build context needs: block mappings and sequences,
plain and quoted scalars, and one-line flow collections (`{context: ., dockerfile: x}`,
`['packages/*']`). That covers the documented forms of a compose service's `build:`, a
pnpm-workspace.yaml's `packages:` and a .yarnrc.yml's keys.

Anything else (anchors used as values, aliases, tags, block scalars, multi-line flow collections or
plain scalars) becomes `OPAQUE` in place, so a reader can tell "not said" (absent) from "said in a
way we cannot read" (OPAQUE) and never guesses. Only the first document is read. Scalars stay
strings (`null`, `~` and an empty value are None). Input that is not YAML at all raises
`Unsupported`."""
from __future__ import annotations

from typing import Any

MAX_DEPTH = 64


class Unsupported(Exception):
    pass


class _Opaque:
    def __repr__(self) -> str:
        return "OPAQUE"


OPAQUE: Any = _Opaque()
MERGE = "<<"     # a merge key: the mapping may get more keys from elsewhere


def _strip_comment(line: str) -> str:
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
            elif ch == "\\" and quote == '"':
                continue
        elif ch in "'\"" and (i == 0 or line[i - 1] in " \t-:[{,"):
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def _lines(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    started = False
    for raw in text.split("\n"):
        raw = raw.rstrip("\r")
        if raw.startswith("%"):
            continue
        body = _strip_comment(raw).rstrip()
        if not body.strip():
            continue
        stripped = body.lstrip(" ")
        if stripped.startswith("\t"):
            raise Unsupported("tab in indentation")
        if body in ("---", "...") or body.startswith("--- "):
            if started:
                break          # the first document only
            rest = body[3:].strip()
            if not rest:
                continue
            body = rest
            stripped = rest
        started = True
        out.append((len(body) - len(stripped), stripped))
    return out


def _split_key(content: str) -> tuple[str, str] | None:
    """`key: rest` -> (key, rest); None when the line is no mapping entry."""
    if content[0] in "'\"":
        end = _quoted_end(content)
        if end is None or not content[end:].startswith(":"):
            return None
        key = _scalar(content[:end])
        rest = content[end + 1:]
        if rest and rest[0] not in " \t":
            return None
        return (key if isinstance(key, str) else "", rest.strip())
    i = 0
    while True:
        i = content.find(":", i)
        if i < 0:
            return None
        if i + 1 == len(content) or content[i + 1] in " \t":
            key = content[:i].strip()
            if not key or key[0] in "[{":
                return None
            return key, content[i + 1:].strip()
        i += 1


def _quoted_end(s: str) -> int | None:
    """Index just past the quoted scalar at the start of `s` (None: not closed on this line)."""
    q = s[0]
    i = 1
    while i < len(s):
        ch = s[i]
        if q == '"' and ch == "\\":
            i += 2
            continue
        if ch == q:
            if q == "'" and i + 1 < len(s) and s[i + 1] == "'":
                i += 2
                continue
            return i + 1
        i += 1
    return None


_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "/": "/", "0": "\0", " ": " ", "r": "\r"}


def _scalar(s: str) -> Any:
    s = s.strip()
    if not s or s in ("~", "null", "Null", "NULL"):
        return None
    if s[0] in "'\"":
        end = _quoted_end(s)
        if end is None or s[end:].strip():
            return OPAQUE
        body = s[1:end - 1]
        if s[0] == "'":
            return body.replace("''", "'")
        out, i = [], 0
        while i < len(body):
            ch = body[i]
            if ch == "\\" and i + 1 < len(body):
                nxt = body[i + 1]
                if nxt in _ESCAPES:
                    out.append(_ESCAPES[nxt])
                    i += 2
                    continue
                if nxt == "u" and i + 6 <= len(body):
                    try:
                        out.append(chr(int(body[i + 2:i + 6], 16)))
                        i += 6
                        continue
                    except ValueError:
                        return OPAQUE
                return OPAQUE
            out.append(ch)
            i += 1
        return "".join(out)
    if s[0] in "&*!|>@`%":
        return OPAQUE
    return s


def parse_flow(s: str) -> Any:
    """A one-line flow collection or scalar."""
    value, pos = _flow(s.strip(), 0, 0)
    if s.strip()[pos:].strip():
        return OPAQUE
    return value


def _flow(s: str, pos: int, depth: int) -> tuple[Any, int]:
    if depth > MAX_DEPTH:
        raise Unsupported("nested too deeply")
    while pos < len(s) and s[pos] == " ":
        pos += 1
    if pos >= len(s):
        return None, pos
    ch = s[pos]
    if ch in "[{":
        close = "]" if ch == "[" else "}"
        pos += 1
        items: list[Any] = []
        mapping: dict[str, Any] = {}
        while True:
            while pos < len(s) and s[pos] in " ,":
                pos += 1
            if pos >= len(s):
                return OPAQUE, pos
            if s[pos] == close:
                return (items if ch == "[" else mapping), pos + 1
            key, pos = _flow(s, pos, depth + 1)
            while pos < len(s) and s[pos] == " ":
                pos += 1
            if ch == "{":
                value = None
                if pos < len(s) and s[pos] == ":":
                    value, pos = _flow(s, pos + 1, depth + 1)
                if not isinstance(key, str):
                    return OPAQUE, len(s)
                mapping[key] = value
            else:
                items.append(key)
    if ch in "'\"":
        end = _quoted_end(s[pos:])
        if end is None:
            return OPAQUE, len(s)
        return _scalar(s[pos:pos + end]), pos + end
    end = pos
    while end < len(s) and s[end] not in ",]}":
        if s[end] == ":" and (end + 1 == len(s) or s[end + 1] == " "):
            break
        end += 1
    return _scalar(s[pos:end]), end


def parse(text: str) -> Any:
    """The first document of `text` (None when empty)."""
    lines = _lines(text)
    if not lines:
        return None
    value, i = _node(lines, 0, lines[0][0], 0)
    return value


def _skip_deeper(lines: list[tuple[int, str]], i: int, indent: int) -> int:
    while i < len(lines) and lines[i][0] > indent:
        i += 1
    return i


def _value(lines: list[tuple[int, str]], i: int, indent: int, rest: str, depth: int,
           in_sequence: bool = False) -> tuple[Any, int]:
    """The value of an entry at `indent` whose inline part is `rest` (line i already consumed)."""
    if rest.startswith("&"):
        head, _, rest = rest.partition(" ")     # an anchor on the value: the value itself counts
        rest = rest.strip()
    if not rest:
        if i < len(lines):
            next_indent, following = lines[i]
            if next_indent > indent:
                return _node(lines, i, next_indent, depth + 1)
            if not in_sequence and next_indent == indent and (following == "-" or following.startswith("- ")):
                return _sequence(lines, i, indent, depth + 1)   # `key:` then `- item` at the key's indent
        return None, i
    if rest[0] in "|>!*" or rest.startswith("? "):
        return OPAQUE, _skip_deeper(lines, i, indent)
    if rest[0] in "[{":
        value = parse_flow(rest)
        return value, _skip_deeper(lines, i, indent)
    if i < len(lines) and lines[i][0] > indent:
        return OPAQUE, _skip_deeper(lines, i, indent)   # a multi-line plain scalar
    return _scalar(rest), i


def _node(lines: list[tuple[int, str]], i: int, indent: int, depth: int) -> tuple[Any, int]:
    if depth > MAX_DEPTH:
        raise Unsupported("nested too deeply")
    content = lines[i][1]
    if content == "-" or content.startswith("- "):
        return _sequence(lines, i, indent, depth)
    if _split_key(content) is not None:
        return _mapping(lines, i, indent, depth)
    value, j = _value(lines, i + 1, indent - 1, content, depth)
    return value, j


def _mapping(lines: list[tuple[int, str]], i: int, indent: int, depth: int) -> tuple[dict, int]:
    out: dict[str, Any] = {}
    while i < len(lines) and lines[i][0] == indent:
        entry = _split_key(lines[i][1])
        if entry is None:
            raise Unsupported(f"expected a mapping entry: {lines[i][1]!r}")
        key, rest = entry
        value, i = _value(lines, i + 1, indent, rest, depth)
        out[key] = value
    if i < len(lines) and lines[i][0] > indent:
        raise Unsupported("bad indentation")
    return out, i


def _sequence(lines: list[tuple[int, str]], i: int, indent: int, depth: int) -> tuple[list, int]:
    out: list[Any] = []
    while i < len(lines) and lines[i][0] == indent and (lines[i][1] == "-" or lines[i][1].startswith("- ")):
        rest = lines[i][1][1:].lstrip(" ")
        if rest and _split_key(rest) is not None:
            # `- key: value` starts a mapping indented at the key
            inner = indent + (len(lines[i][1]) - len(rest))
            lines[i] = (inner, rest)
            value, i = _mapping(lines, i, inner, depth + 1)
        else:
            value, i = _value(lines, i + 1, indent, rest, depth, in_sequence=True)
        out.append(value)
    return out, i

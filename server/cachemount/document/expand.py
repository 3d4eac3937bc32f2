"""ARG/ENV expansion as BuildKit's shell lexer does it for the instructions we read
(`$V`, `${V}`, `${V:-d}`, `${V-d}`, `${V:+x}`, `${V+x}`, `\\$` escapes, quotes removed).

`expand` returns None when a variable it needs is unknown, so callers can say "unknown"
instead of guessing."""
from __future__ import annotations

import re
from collections.abc import Mapping

from ..limits import MAX_EXPANSION_DEPTH, LimitExceeded

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def expand(value: str, env: Mapping[str, str], escape: str = "\\") -> str | None:
    """Raises LimitExceeded when `${V:-...}` words nest deeper than MAX_EXPANSION_DEPTH."""
    return _expand(value, env, escape, 0)


def _expand(value: str, env: Mapping[str, str], escape: str, depth: int) -> str | None:
    if "$" not in value and "'" not in value and '"' not in value and escape not in value:
        return value
    out: list[str] = []
    i, n = 0, len(value)
    quote = ""
    while i < n:
        ch = value[i]
        if ch == escape and i + 1 < n and quote != "'":
            # inside double quotes BuildKit's lexer escapes only `"`, `$` and the escape itself;
            # any other escape stays (`"C:\Data"` keeps its backslash)
            if quote == '"' and value[i + 1] not in ('"', "$", escape):
                out.append(ch)
                i += 1
                continue
            out.append(value[i + 1])
            i += 2
            continue
        if ch in "\"'" and (not quote or quote == ch):
            quote = "" if quote else ch
            i += 1
            continue
        if ch == "$" and quote != "'" and i + 1 < n:
            if value[i + 1] == "{":
                close = _matching_brace(value, i + 2)
                if close < 0:
                    return None
                got = _expand_braced(value[i + 2:close], env, escape, depth)
                if got is None:
                    return None
                out.append(got)
                i = close + 1
                continue
            m = _NAME.match(value, i + 1)
            if m:
                if m.group() not in env:
                    return None
                out.append(env[m.group()])
                i = m.end()
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _matching_brace(value: str, i: int) -> int:
    depth = 1
    while i < len(value):
        if value[i] == "{":
            depth += 1
        elif value[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _expand_braced(inner: str, env: Mapping[str, str], escape: str, depth: int) -> str | None:
    m = _NAME.match(inner)
    if not m:
        return None
    name = m.group()
    rest = inner[m.end():]
    if not rest:
        return env.get(name)
    for op in (":-", ":+", "-", "+"):
        if rest.startswith(op):
            word = rest[len(op):]
            val = env.get(name)
            if op == ":-":
                use = not val
            elif op == "-":
                use = val is None
            else:
                use = bool(val) if op == ":+" else val is not None
            if not use:
                return val if op in (":-", "-") else ""
            if depth >= MAX_EXPANSION_DEPTH:
                raise LimitExceeded(f"variable expansions (${{V{op}...}}) nested more than "
                                    f"{MAX_EXPANSION_DEPTH} deep")
            return _expand(word, env, escape, depth + 1)
    return None  # `${V?err}`, substrings and the like: not decided statically


def split_words(value: str) -> list[str]:
    """Split ENV/ARG arguments on unquoted whitespace, keeping quotes (expanded later)."""
    words, cur, quote, i = [], [], "", 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value) and quote != "'":
            cur.append(value[i:i + 2])
            i += 2
            continue
        if ch in "\"'" and (not quote or quote == ch):
            quote = "" if quote else ch
        if ch in " \t\r\n" and not quote:
            if cur:
                words.append("".join(cur))
                cur = []
        else:
            cur.append(ch)
        i += 1
    if cur:
        words.append("".join(cur))
    return words

"""`.dockerignore` with the semantics of BuildKit (moby/patternmatcher and its ignorefile reader).

- Lines starting with `#` are comments; each line is trimmed; empty lines are skipped.
- `!` starts an exception. The pattern is cleaned like Go's `filepath.Clean` (`./a/` -> `a`) and a
  leading `/` is dropped: patterns are relative to the context root.
- `*` and `?` never match `/`; `**` matches any number of directories (zero included); `[...]`
  is a character class; `\\` escapes the next character.
- A path is excluded when a pattern matches it or one of its parent directories; the patterns are
  read in order and the last one that matches decides (so `!` re-includes what an earlier line
  excluded, and a later line can exclude it again).

A pattern that patternmatcher rejects (a lone `!`, a malformed class) makes BuildKit fail the
build; here it makes the whole file `unusable`, and callers treat the context as unknown."""
from __future__ import annotations

import re

from ..records import Record

_ESCAPED = set(".+()|{}$")   # regexp metacharacters that are literal in a filepath pattern
_EXACT, _PREFIX, _SUFFIX, _REGEXP = "exact", "prefix", "suffix", "regexp"


def clean(path: str) -> str:
    """Go's `filepath.Clean` for `/`-separated paths."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    out = "/".join(parts)
    return ("/" + out) if rooted else (out or ".")


def read_patterns(text: str) -> list[str]:
    """The patterns of a .dockerignore file, as BuildKit's ignorefile.ReadAll returns them."""
    out = []
    for n, line in enumerate(text.split("\n")):
        if n == 0:
            line = line.lstrip("\ufeff")
        if line.startswith("#"):
            continue
        line = line.strip()
        if not line:
            continue
        invert = line[0] == "!"
        if invert:
            line = line[1:].strip()
        if line:
            line = clean(line)
            if len(line) > 1 and line[0] == "/":
                line = line[1:]
        out.append("!" + line if invert else line)
    return out


class _Pattern(Record, frozen=False):
    text: str
    exclusion: bool
    kind: str
    regexp: re.Pattern | None

    def match(self, path: str) -> bool:
        if self.kind == _EXACT:
            return path == self.text
        if self.kind == _PREFIX:
            return path.startswith(self.text[:-2])
        if self.kind == _SUFFIX:
            suffix = self.text[2:]
            return path.endswith(suffix) or (suffix[:1] == "/" and path == suffix[1:])
        return self.regexp is not None and self.regexp.match(path) is not None


def _compile(text: str, exclusion: bool) -> _Pattern:
    """patternmatcher's Pattern.compile, for `/` as the separator."""
    out = "^"
    kind = _EXACT
    i, n = 0, len(text)
    index = 0
    while i < n:
        ch = text[i]
        i += 1
        if ch == "*":
            if i < n and text[i] == "*":
                i += 1
                if i < n and text[i] == "/":
                    i += 1
                if i >= n:
                    if kind == _EXACT:
                        kind = _PREFIX
                    else:
                        out += ".*"
                        kind = _REGEXP
                else:
                    out += "(.*/)?"
                    kind = _REGEXP
                if index == 0:
                    kind = _SUFFIX
            else:
                out += "[^/]*"
                kind = _REGEXP
        elif ch == "?":
            out += "[^/]"
            kind = _REGEXP
        elif ch in _ESCAPED:
            out += "\\" + ch
        elif ch == "\\":
            if i < n:
                out += "\\" + text[i]
                i += 1
                kind = _REGEXP
            else:
                out += "\\\\"
        elif ch in "[]":
            out += ch
            kind = _REGEXP
        else:
            out += ch   # as patternmatcher does: `^` inside `[...]` negates the class
        index += 1
    regexp = None
    if kind == _REGEXP:
        regexp = re.compile(out + r"\Z")
    return _Pattern(text, exclusion, kind, regexp)


class Matcher:
    """The compiled patterns of one ignore file. `unusable` names the first pattern BuildKit
    would reject (then nothing can be said about the context)."""

    def __init__(self, patterns: list[str]):
        self.patterns: list[_Pattern] = []
        self.unusable: str | None = None
        for raw in patterns:
            p = raw.strip()
            if not p:
                continue
            p = clean(p)
            exclusion = p[0] == "!"
            if exclusion:
                if len(p) == 1:
                    self.unusable = 'illegal exclusion pattern: "!"'
                    return
                p = p[1:]
            try:
                self.patterns.append(_compile(p, exclusion))
            except re.error as exc:
                self.unusable = f"bad pattern {raw!r}: {exc}"
                return

    def excluded(self, path: str) -> bool:
        """patternmatcher's MatchesOrParentMatches for a `/`-separated path relative to the root."""
        path = clean(path)
        if path == ".":
            return False
        matched = False
        parent = path.rpartition("/")[0]
        parents = parent.split("/") if parent else []
        for pattern in self.patterns:
            if pattern.exclusion != matched:
                continue
            match = pattern.match(path)
            if not match and parents:
                for k in range(1, len(parents) + 1):
                    if pattern.match("/".join(parents[:k])):
                        match = True
                        break
            if match:
                matched = not pattern.exclusion
        return matched

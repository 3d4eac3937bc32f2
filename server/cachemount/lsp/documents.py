"""Open documents: text, version, incremental edits applied with LSP line semantics (lines end at
\\n, \\r\\n or \\r) in the negotiated position encoding, and per-version caches of the analysis.

pygls' own workspace splits lines with `str.splitlines` (which also breaks at U+2028, form feeds,
...), so the server keeps its documents here instead."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlparse

from .positions import DEFAULT, LineIndex, column, content, split_lines

DOCKERFILE_LANGUAGES = frozenset({"dockerfile", "containerfile"})


def uri_to_path(uri: str) -> str | None:
    try:
        parsed = urlparse(uri)
    except ValueError:
        return None
    if parsed.scheme not in ("file", ""):
        return None
    path = unquote(parsed.path)
    if os.name == "nt" and len(path) > 2 and path[0] == "/" and path[2] == ":":
        path = path[1:]
    return path or None


def is_dockerfile(language_id: str | None, path: str | None) -> bool:
    if language_id and language_id.lower() in DOCKERFILE_LANGUAGES:
        return True
    if path:
        from ..document.names import is_dockerfile_name
        return is_dockerfile_name(os.path.basename(path))
    return False


@dataclass
class Document:
    uri: str
    language_id: str
    version: int
    text: str
    path: str | None = None
    _index: LineIndex | None = field(default=None, repr=False)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)   # per-version results

    def index(self, encoding: str = DEFAULT) -> LineIndex:
        idx = self._index
        if idx is None or idx.text is not self.text or idx.encoding != encoding:
            idx = self._index = LineIndex(self.text, encoding)
        return idx

    def set_text(self, text: str, version: int) -> None:
        self.text = text
        self.version = version
        self._index = None
        self.cache = {}

    def apply(self, changes, version: int, encoding: str = DEFAULT) -> None:
        """Apply `contentChanges` in order (each relative to the text after the previous one).
        Ranges outside the text are clamped, never raise. The text is kept as a list of lines
        meanwhile, so each change costs the lines it touches, not the whole text (2,000 changes
        to a 4,000-line file rebuilt the text and its line index 2,000 times: seconds)."""
        text: str | None = self.text
        lines: list[str] | None = None
        for change in changes:
            rng = getattr(change, "range", None)
            if rng is None:
                text, lines = change.text, None
                continue
            if lines is None:
                assert text is not None   # set by the full-text change or the document before
                lines = split_lines(text)
            _replace(lines, _point(lines, rng.start, encoding), _point(lines, rng.end, encoding), change.text)
            text = None
        if lines is not None:
            text = "".join(lines)
        assert text is not None
        self.set_text(text, version)


def _point(lines: list[str], pos, encoding: str) -> tuple[int, int]:
    """LSP position -> (line, code point in the line's content), clamped like `LineIndex.offset`."""
    if pos.line < 0:
        return 0, 0
    if pos.line >= len(lines):
        return len(lines) - 1, len(lines[-1])
    return pos.line, column(content(lines[pos.line]), pos.character, encoding)


def _replace(lines: list[str], start: tuple[int, int], end: tuple[int, int], new_text: str) -> None:
    if end < start:
        start, end = end, start
    (l1, c1), (l2, c2) = start, end
    segment = lines[l1][:c1] + new_text + lines[l2][c2:]
    if l1 > 0 and segment.startswith("\n") and lines[l1 - 1].endswith("\r"):
        l1 -= 1                                   # '\r' + '\n' become one line break
        segment = lines[l1] + segment
    parts = split_lines(segment)
    if l2 + 1 < len(lines):
        parts.pop()          # the segment ends with line l2's break: its empty last part is not a line
    lines[l1:l2 + 1] = parts


class Documents:
    def __init__(self):
        self._docs: dict[str, Document] = {}

    def open(self, uri: str, language_id: str, version: int, text: str) -> Document | None:
        """Track a Dockerfile; other documents are ignored (None)."""
        path = uri_to_path(uri)
        if not is_dockerfile(language_id, path):
            self._docs.pop(uri, None)
            return None
        doc = Document(uri, language_id, version, text, path)
        self._docs[uri] = doc
        return doc

    def get(self, uri: str) -> Document | None:
        return self._docs.get(uri)

    def close(self, uri: str) -> Document | None:
        return self._docs.pop(uri, None)

    def __iter__(self):
        return iter(list(self._docs.values()))

    def __len__(self) -> int:
        return len(self._docs)

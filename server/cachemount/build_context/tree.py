"""The build context as BuildKit will see it: a directory, less what `.dockerignore` excludes.

Read only, and bounded: paths are resolved one component at a time and a symlink whose target
leaves the root (or is absolute) is treated as missing, so nothing outside the root is ever
looked at; at most `MAX_READS` files of at most `MAX_READ_BYTES` each are read and at most
`MAX_LISTED` directory entries are listed per context. Nothing is executed, nothing touches the
network. An answer that a bound cut short is "cannot tell" (None), never a guess."""
from __future__ import annotations

import os
import stat
from fnmatch import fnmatchcase

from .ignore import Matcher, clean, read_patterns

MAX_READS = 256                  # files read per context
MAX_READ_BYTES = 1024 * 1024     # per file (manifests are far smaller)
MAX_LISTED = 20_000              # directory entries listed per context (globs over members)
MAX_GLOB_DEPTH = 8               # directories a `**` descends
MAX_SYMLINK_HOPS = 40
SKIPPED_DIRS = frozenset({".git", "node_modules"})   # never members; npm and pnpm skip them too


class BuildContext:
    """`root`: the context directory. `dockerfile`: the Dockerfile's path, for a Dockerfile-specific
    ignore file (`<Dockerfile>.dockerignore` next to it wins over the root's `.dockerignore`).
    `origin`: how the context was found, for messages."""

    def __init__(self, root: str, dockerfile: str | None = None, origin: str = ""):
        self.root = os.path.abspath(root)
        self.real_root = os.path.realpath(self.root)
        self.dockerfile = os.path.abspath(dockerfile) if dockerfile else None
        self.origin = origin
        self._matcher: Matcher | None = None
        self._usable: bool | None = None
        self.ignore_file: str | None = None
        self._texts: dict[str, str | None] = {}
        self.reads = 0
        self.listed = 0
        self.exhausted = False     # a bound was met: some answer was "cannot tell"

    def __repr__(self) -> str:
        return f"BuildContext({self.root!r}, origin={self.origin!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, BuildContext) and self.real_root == other.real_root
                and self.dockerfile == other.dockerfile)

    def __hash__(self) -> int:
        return hash((self.real_root, self.dockerfile))

    # -- .dockerignore ------------------------------------------------------------------------

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            candidates: list[str | None] = []
            if self.dockerfile:   # BuildKit reads it from beside the Dockerfile, wherever that is
                candidates.append(self.dockerfile + ".dockerignore")
            candidates.append(self._resolve(".dockerignore"))   # a link out of the root is not read
            patterns: list[str] = []
            for path in candidates:
                text = self._read_path(path) if path is not None else None
                if text is not None:
                    self.ignore_file = path
                    patterns = read_patterns(text)
                    break
            self._matcher = Matcher(patterns)
        return self._matcher

    @property
    def usable(self) -> bool:
        """The root is a directory and its ignore file is one BuildKit accepts."""
        if self._usable is None:
            self._usable = os.path.isdir(self.real_root) and self.matcher.unusable is None
        return self._usable

    def excluded(self, rel: str) -> bool:
        return self.matcher.excluded(rel)

    # -- paths --------------------------------------------------------------------------------

    @staticmethod
    def normalize(rel: str) -> str | None:
        """`rel` cleaned, or None when it leaves the root."""
        rel = clean(rel.replace("\\", "/") if os.sep == "\\" else rel)
        if rel.startswith("/") or rel == ".." or rel.startswith("../"):
            return None
        return rel

    def _resolve(self, rel: str) -> str | None:
        """The real path of `rel` inside the root, symlinks resolved without ever leaving it;
        None when it is missing or a link points outside."""
        norm = self.normalize(rel)
        if norm is None:
            return None
        pending = [] if norm == "." else norm.split("/")
        cur = self.real_root
        hops = 0
        while pending:
            part = pending.pop(0)
            if part in ("", "."):
                continue
            if part == "..":
                if cur == self.real_root:
                    return None
                cur = os.path.dirname(cur)
                continue
            nxt = os.path.join(cur, part)
            try:
                st = os.lstat(nxt)
            except OSError:
                return None
            if stat.S_ISLNK(st.st_mode):
                hops += 1
                try:
                    target = os.readlink(nxt)
                except OSError:
                    return None
                if hops > MAX_SYMLINK_HOPS or target.startswith("/") or os.path.isabs(target):
                    return None
                pending = target.replace(os.sep, "/").split("/") + pending
                continue
            cur = nxt
        return cur

    def _visible(self, rel: str) -> str | None:
        """The real path of `rel` when it is in the context (exists, not excluded)."""
        norm = self.normalize(rel)
        if norm is None or not self.usable:
            return None
        if norm != "." and self.excluded(norm):
            return None
        real = self._resolve(norm)
        if real is None:
            return None
        if real != self.real_root:
            inner = os.path.relpath(real, self.real_root).replace(os.sep, "/")
            if inner != norm and self.excluded(inner):
                return None
        return real

    def exists(self, rel: str) -> bool:
        return self._visible(rel) is not None

    def is_file(self, rel: str) -> bool:
        real = self._visible(rel)
        return real is not None and os.path.isfile(real)

    def is_dir(self, rel: str) -> bool:
        real = self._visible(rel)
        return real is not None and os.path.isdir(real)

    # -- listing ------------------------------------------------------------------------------

    def listdir(self, rel: str) -> list[str] | None:
        """Names in directory `rel` that are in the context, sorted; None when the listing bound
        is met (or `rel` is no directory in the context: [])."""
        real = self._visible(rel)
        if real is None or not os.path.isdir(real):
            return []
        norm = self.normalize(rel) or "."
        out = []
        try:
            with os.scandir(real) as it:
                for entry in it:
                    self.listed += 1
                    if self.listed > MAX_LISTED:
                        self.exhausted = True
                        return None
                    child = entry.name if norm == "." else f"{norm}/{entry.name}"
                    if not self.excluded(child):
                        out.append(entry.name)
        except OSError:
            return []
        return sorted(out)

    def glob(self, pattern: str, dirs_only: bool = False) -> list[str] | None:
        """Context paths matching a `/`-separated glob (`*`, `?`, `[...]` within a name, `**`
        for any number of directories), sorted; a name starting with `.` only matches a pattern
        part that does too; `.git` and `node_modules` are never entered. None: a bound was met."""
        norm = self.normalize(pattern.rstrip("/") or ".")
        if norm is None:
            return []
        parts = [] if norm == "." else norm.split("/")
        found: set[str] = set()
        if not self._glob(".", parts, 0, found, dirs_only):
            return None
        return sorted(found)

    def _glob(self, base: str, parts: list[str], depth: int, found: set[str], dirs_only: bool) -> bool:
        if not parts:
            if base != "." and (not dirs_only or self.is_dir(base)):
                found.add(base)
            return True
        head, rest = parts[0], parts[1:]
        join = (lambda name: name) if base == "." else (lambda name: f"{base}/{name}")
        if not any(ch in head for ch in "*?["):
            child = join(head)
            return self._glob(child, rest, depth, found, dirs_only) if self.exists(child) else True
        if head == "**":
            if not self._glob(base, rest, depth, found, dirs_only):
                return False
            if depth >= MAX_GLOB_DEPTH:
                self.exhausted = True
                return False
            names = self.listdir(base)
            if names is None:
                return False
            for name in names:
                if name.startswith(".") or name in SKIPPED_DIRS or not self.is_dir(join(name)):
                    continue
                if not self._glob(join(name), parts, depth + 1, found, dirs_only):
                    return False
            return True
        names = self.listdir(base)
        if names is None:
            return False
        for name in names:
            if name in SKIPPED_DIRS or (name.startswith(".") and not head.startswith(".")):
                continue
            if fnmatchcase(name, head):
                if rest and not self.is_dir(join(name)):
                    continue
                if not self._glob(join(name), rest, depth + 1, found, dirs_only):
                    return False
        return True

    # -- reading ------------------------------------------------------------------------------

    def read_text(self, rel: str) -> str | None:
        """The text of file `rel` when it is in the context and within the bounds (UTF-8, BOM
        dropped); None otherwise (see `exists` to tell "missing" from "not read")."""
        norm = self.normalize(rel)
        if norm is None:
            return None
        if norm in self._texts:
            return self._texts[norm]
        real = self._visible(norm)
        text = self._read_path(real) if real is not None and os.path.isfile(real) else None
        self._texts[norm] = text
        return text

    def _read_path(self, path: str) -> str | None:
        from ..textio import TextError, read_regular_bytes
        if self.reads >= MAX_READS:
            self.exhausted = True
            return None
        try:
            if not os.path.isfile(path):
                return None
            self.reads += 1
            data, _ = read_regular_bytes(path, MAX_READ_BYTES)
        except (OSError, TextError):
            return None
        try:
            return data.decode("utf-8").lstrip("\ufeff")
        except UnicodeDecodeError:
            return None

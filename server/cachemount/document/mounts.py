"""`RUN --mount=...` values -> Mount objects with spans for each option.

BuildKit reads the value as one CSV record (keys case-insensitive, `type` defaults to bind,
aliases target/dst/destination, source/src, ro/readonly, rw/readwrite). We are lenient with
quotes (`target="$X"` is common and works) and keep spans so hover, completion and fixes can point
at one option."""
from __future__ import annotations

import posixpath
import re

from ..records import Record, replace
from .model import Flag

KEY_ALIASES = {
    "dst": "target", "destination": "target",
    "src": "source",
    "readonly": "ro", "readwrite": "rw",
}


class MountOption(Record):
    key: str          # as written, lower-cased
    canonical: str    # alias resolved: 'target'
    value: str | None  # unquoted; None for a bare key (`ro`)
    start: int        # span of `key=value` in the document
    end: int
    key_end: int
    value_start: int
    value_end: int


class Mount(Record):
    flag: Flag
    options: tuple[MountOption, ...]

    def get(self, canonical: str) -> MountOption | None:
        for opt in self.options:
            if opt.canonical == canonical:
                return opt
        return None

    def value(self, canonical: str) -> str | None:
        opt = self.get(canonical)
        return opt.value if opt else None

    @property
    def type(self) -> str:
        return (self.value("type") or "bind").lower()

    @property
    def target(self) -> str | None:
        return self.value("target")


def parse_mount(flag: Flag) -> Mount:
    value = flag.value or ""
    base = flag.value_start
    if quoted_whole(value):
        value = value[1:-1]  # `--mount="type=cache,target=/x"`: BuildKit strips the quotes first
        base += 1
    options = []
    for start, end in field_spans(value, 0, len(value)):
        field = value[start:end]
        if field.strip():
            options.append(_option(field, base + start))
    return Mount(flag, tuple(options))


def quoted_whole(value: str) -> bool:
    """`"type=cache,target=/x"`: the whole flag value in one pair of quotes."""
    return len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0] and value.count(value[0]) == 2


def field_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each comma-separated field of text[start:end], commas inside quotes kept."""
    out = []
    i = field_start = start
    quote = ""
    while i < end:
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == ",":
            out.append((field_start, i))
            field_start = i + 1
        i += 1
    out.append((field_start, end))
    return out


def _unquote(text: str) -> str:
    text = text.strip()
    out = []
    quote = ""
    for ch in text:
        if ch in "\"'" and (not quote or quote == ch):
            quote = "" if quote else ch
            continue
        out.append(ch)
    return "".join(out)


def _option(field: str, offset: int) -> MountOption:
    eq = field.find("=")
    lead = len(field) - len(field.lstrip())
    if eq < 0:
        key = _unquote(field).lower()
        return MountOption(key, KEY_ALIASES.get(key, key), None, offset, offset + len(field),
                           offset + len(field.rstrip()), offset + len(field), offset + len(field))
    key = _unquote(field[:eq]).lower()
    return MountOption(key, KEY_ALIASES.get(key, key), _unquote(field[eq + 1:]),
                       offset + lead, offset + len(field), offset + eq, offset + eq + 1, offset + len(field))


# What a value we write may hold. BuildKit reads `--mount=...` three times: as a flag word (quotes
# and backslashes are removed, bytes above 127 come out mangled), as one CSV record (commas and
# double quotes), then each value like a shell word (quotes, `$`, the escape character). Only
# these characters, and inner spaces protected by quoting the whole field, survive all three.
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_./@%+:=~#^-]+")


def format_option(key: str, value: str) -> str | None:
    """`key=value` as one field of a `--mount` flag that BuildKit and `parse_mount` both read back
    as exactly `value`: as is, or as `"key=value"` when it holds spaces (the quotes keep the flag
    one word; CSV and the value expansion keep inner spaces). None when no spelling is safe."""
    if not value or value != value.strip(" ") or not _PLAIN_VALUE.fullmatch(value.replace(" ", "")):
        return None
    field = f'"{key}={value}"' if " " in value else f"{key}={value}"
    opt = _option(field, 0)  # what our own reader makes of it: convergence of a second run
    return field if (opt.key, opt.value) == (key, value) else None


def mounts_of(flags) -> list[Mount]:
    return [parse_mount(f) for f in flags if f.name == "mount"]


def resolve_target(target: str, workdir: str | None) -> str:
    """Relative targets are joined to WORKDIR (BuildKit convert_runmount)."""
    if not target.startswith("/"):
        target = posixpath.join(workdir or "/", target)
    return posixpath.normpath(target)


def mount_of(flag: Flag) -> Mount:
    """`parse_mount`, also for a wholly quoted value (`--mount="type=cache,target=/x"`), which
    BuildKit unquotes before reading the CSV."""
    value = flag.value or ""
    if len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0] and value[0] not in value[1:-1]:
        inner = replace(flag, value=value[1:-1], value_start=flag.value_start + 1, value_end=flag.value_end - 1)
        return Mount(flag, parse_mount(inner).options)
    return parse_mount(flag)

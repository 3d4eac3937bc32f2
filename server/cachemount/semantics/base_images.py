"""Image references -> official image defaults and OS family (reads knowledge/images.py).

`parse_ref` splits `[registry/]name[:tag][@digest]`; Docker Hub spellings (`docker.io/library/x`,
`index.docker.io/x`) normalise to `x`. A reference that still holds a variable (`${BASE}`) is
unknown: every function returns None for it. `--platform` is a FROM flag, never part of the ref.
"""
from __future__ import annotations

import re
from fnmatch import translate
from functools import lru_cache

from ..records import Record
from ..knowledge.images import DOCKER_HUB_REGISTRIES, IMAGES, NAME_OS_HINTS, TAG_OS_HINTS
from ..knowledge.schema import ImageDefaults

__all__ = ["ImageRef", "parse_ref", "image_defaults", "os_family"]


class ImageRef(Record):
    name: str            # normalised, lower-case: 'python', 'quay.io/jupyter/base-notebook'
    tag: str | None      # 'latest' when neither tag nor digest is given
    digest: str | None   # 'sha256:...'


def _is_literal(pattern: str) -> bool:
    return not any(c in pattern for c in "*?[")


@lru_cache(maxsize=None)
def _regex(patterns: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{translate(p)})" for p in patterns))


def _matcher(patterns: list[str]):
    """Whether a text matches one of the fnmatch `patterns`: the literal ones (most) are compared as
    text; the others' regex is compiled on first use. Importing this module compiles no regex (it
    was most of `cachemount check`'s regex compilation: 38 of them, on every start)."""
    literal = frozenset(p for p in patterns if _is_literal(p))
    wild = tuple(p for p in patterns if not _is_literal(p))
    if not wild:
        return literal.__contains__ if literal else None
    return lambda text: text in literal or _regex(wild).fullmatch(text) is not None


# (entry, matcher of the name, matcher of name:tag)
_TABLE = tuple(
    (entry,
     _matcher([p for p in entry.patterns if ":" not in p]),
     _matcher([p for p in entry.patterns if ":" in p]))
    for entry in IMAGES
)
_TOKEN_SPLIT = re.compile(r"[-_]")
_NAME_SPLIT = r"[/_-]"  # compiled on first use (re's cache), not at every start


@lru_cache(maxsize=512)
def parse_ref(ref: str) -> ImageRef | None:
    ref = ref.strip()
    if not ref or "$" in ref or any(c.isspace() for c in ref):
        return None
    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    tag = None
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        ref, tag = ref[:colon], ref[colon + 1:]
    name = ref.lower()
    first, sep, rest = name.partition("/")
    if sep and first in DOCKER_HUB_REGISTRIES:
        name = rest
    if name.startswith("library/"):
        name = name[len("library/"):]
    if not name:
        return None
    if tag is None and digest is None:
        tag = "latest"
    return ImageRef(name, tag, digest)


@lru_cache(maxsize=512)
def image_defaults(ref: str) -> ImageDefaults | None:
    """The first IMAGES entry matching the reference (by name, or by name:tag), or None."""
    parsed = parse_ref(ref)
    if parsed is None:
        return None
    with_tag = f"{parsed.name}:{parsed.tag}" if parsed.tag else None
    for entry, by_name, by_tag in _TABLE:
        if by_tag is not None and with_tag is not None and by_tag(with_tag):
            return entry
        if by_name is not None and by_name(parsed.name):
            return entry
    return None


def _hint(tokens, hints) -> str | None:
    for token in reversed(tokens):
        if not token:
            continue
        for prefix, family in hints:
            if token.startswith(prefix):
                return family
    return None


@lru_cache(maxsize=512)
def os_family(ref: str) -> str | None:
    """'debian', 'ubuntu', 'alpine', 'fedora', 'rhel', 'suse', 'windows', 'azurelinux', 'wolfi' or None.

    The tag wins over the image's default (`python:3.12-alpine` -> alpine, `node:22-bookworm-slim` ->
    debian, `golang:1.23-alpine3.20` -> alpine, any `windowsservercore`/`nanoserver`/`ltsc` tag ->
    windows); then the image entry; then hints in the image name."""
    parsed = parse_ref(ref)
    if parsed is None:
        return None
    if parsed.tag:
        family = _hint(_TOKEN_SPLIT.split(parsed.tag.lower()), TAG_OS_HINTS)
        if family:
            return family
    entry = image_defaults(ref)
    if entry is not None and entry.os_family:
        return entry.os_family
    if entry is None:
        return _hint(re.split(_NAME_SPLIT, parsed.name), NAME_OS_HINTS)
    return None

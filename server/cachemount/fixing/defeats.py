"""Taking a cache-defeating option out of a command, for every fix that does it (CM101's planner,
CM103): the option's replacement goes in its place when the table gives one (apk's `--no-cache`
also meant "fetch fresh indexes", which `--update-cache` keeps), else the option goes with its space."""
from __future__ import annotations

from ..findings import Edit
from ..semantics.invocations import Invocation
from ..shell.model import Word
from .edits import remove_span_with_space


def defeat_edit(text: str, inv: Invocation, word: Word, escape: str) -> Edit:
    replacement = dict(inv.replacements).get(word)
    if replacement is not None:
        return Edit(word.start, word.end, replacement)
    return remove_span_with_space(text, word.start, word.end, escape)


def defeat_title(inv: Invocation, word: Word) -> str:
    replacement = dict(inv.replacements).get(word)
    return f"Replace {word.text} with {replacement}" if replacement is not None else f"Remove {word.text}"

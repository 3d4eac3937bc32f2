"""Shell-level model: the simple commands of a RUN body, with spans into the Dockerfile text.

All offsets are code-point offsets into the *document* text (not the shell text handed to the
parser), so rules and fixes can point at exact places in the Dockerfile.
"""
from __future__ import annotations

from ..records import Record


class Word(Record):
    """One shell word. `text` is the value after shell unquoting (best effort: `$VAR` and
    command substitutions stay literal); `start`/`end` span the raw word in the document."""

    text: str
    start: int
    end: int
    quoted: bool = False


class SimpleCommand(Record):
    """A simple command after wrappers (sudo, env, xargs, time, nice, exec, command, ...) and
    `NAME=value` prefixes were peeled off. `words[0]` is the executable as written
    (e.g. `/usr/local/bin/pip`, `pip3.12`, `./mvnw`); `python -m pip` keeps all its words."""

    words: tuple[Word, ...]
    assignments: tuple[tuple[str, str], ...] = ()
    start: int = 0  # span of the whole command as written, prefixes and wrappers included
    end: int = 0
    wrappers: tuple[str, ...] = ()
    via_shell_c: bool = False  # found inside `sh -c '...'` / `bash -c "..."`
    conditional: bool = False  # runs only on some paths: an if/elif/else or case branch, a while body, a
                               # function body, after `||`, or after `&&` that follows a test (`[ -x f ] && cmd`)

    @property
    def name(self) -> str:
        """Basename of the executable (`/usr/local/bin/pip` -> `pip`), or '' if none."""
        if not self.words:
            return ""
        return self.words[0].text.rsplit("/", 1)[-1]

    @property
    def args(self) -> tuple[Word, ...]:
        return self.words[1:]

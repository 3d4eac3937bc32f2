"""Bounds on pathological input, in one place. The engine raises `LimitExceeded` with one clear
line; the CLI reports it for that file (exit 2) and goes on, the server logs it and publishes
nothing for that document. Normal Dockerfiles are far below every bound.

Where a bound can be met by treating the excess as opaque and still give a correct-enough answer
for the rest of the file, the engine does that instead of raising (noted on each constant)."""
from __future__ import annotations


class LimitExceeded(Exception):
    """Input beyond a documented bound (nesting depth, size); the message is one line for the user."""


# `${A:-${B:-...}}` words nested deeper than this raise (FROM, ARG, ENV, USER, WORKDIR, target=):
# the value cannot be decided without unbounded recursion. Real files nest 1 to 3 deep.
MAX_EXPANSION_DEPTH = 32

# `sh -c '...'` payloads analysed within one another. A deeper payload is opaque: its commands are
# not seen (the `sh -c` command itself still is). Real files nest at most 2 or 3 deep.
MAX_SHELL_NESTING = 8

# `$(...)`, backticks and `<(...)` nested in one another: deeper ones are opaque. Each command's
# words hold the text of the substitutions in them, so unbounded nesting made output quadratic
# (4,000 deep, a 44 KB file: 31 s). Real scripts nest 2 or 3 deep.
MAX_SUBSTITUTION_NESTING = 16

# Total characters of `sh -c` payloads parsed again, per shell text: FACTOR x its length + MIN.
# Past it, further payloads are opaque. Keeps analysis linear however payloads overlap.
SHELL_C_REPARSE_FACTOR = 8
SHELL_C_REPARSE_MIN = 64 * 1024

# A RUN with more heredocs than this is opaque to the shell analysis (no commands, so no findings
# for that RUN; the rest of the file is analysed). tree-sitter-bash is quadratic in pending
# heredocs: 4,000 take 2 s, 8,000 over 10 s. Real RUNs have one or two.
MAX_HEREDOCS_PER_RUN = 256

# Memory for the shell-analysis cache (results by RUN text), as estimated by shell/parse.py.
# Least recently used entries go first; a result larger than a quarter of it is not kept.
SHELL_CACHE_BYTES = 64 * 1024 * 1024

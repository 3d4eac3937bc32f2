"""How BuildKit's Dockerfile frontend keys its layer cache: which instructions are build steps,
what is part of a step's key and what is not. DATA only, read by semantics/cache_keys.py, the
hover and the docs. Sources: the Dockerfile reference ("Impact on build caching" under ARG,
`RUN --mount`), BuildKit's dockerfile2llb (ARG values join the environment of every later RUN;
proxy args go through llb.WithProxy, outside the key), and the real-build tier
tests/buildkit/test_explain_agreement.py, which checks every prediction against BuildKit."""
from __future__ import annotations

# Instructions BuildKit runs as steps (each has a cache key; progress shows it CACHED or run).
# Every other instruction only changes metadata, which later steps may read (ENV, ARG, USER).
STEP_KEYWORDS = frozenset({"FROM", "RUN", "COPY", "ADD", "WORKDIR"})

# A RUN's key includes its environment (every ENV, and every ARG declared in scope with a value),
# its user and its working directory; COPY/ADD/WORKDIR keys only what their own words expand to.

# Predefined args (HTTP_PROXY, ...) passed without an ARG line stay outside every key: only args
# declared in scope reach a RUN's environment, so semantics/cache_keys.py needs no list of them.

# `RUN --mount` types whose content is part of the step's key (bind: the files it mounts).
# cache, tmpfs, secret and ssh mounts are not: changing a secret or a cache never re-runs a step.
KEYED_MOUNT_TYPES = frozenset({"bind"})

# Sources BuildKit fetches itself at every build and keys by their content (so a change upstream
# re-runs the step); everything fetched inside a RUN is invisible to the key.
REMOTE_SOURCE_PREFIXES = ("http://", "https://")
GIT_SOURCE_PREFIXES = ("git@", "git://", "ssh://")
GIT_SOURCE_SUFFIXES = (".git",)

# Where cache mounts live, for the hover note on ephemeral builders (moby/buildkit#1512).
CACHE_MOUNT_EXPORT_ISSUE = "https://github.com/moby/buildkit/issues/1512"
EPHEMERAL_NOTE = (
    "On this builder only: `--cache-to`/`--cache-from` do not export cache mounts ([buildkit#1512]({issue})), "
    "so a fresh CI runner starts empty. Keep a persistent builder, or restore the dir in CI."
)

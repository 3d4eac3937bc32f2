"""Which file names are Dockerfiles: what `cachemount check DIR` walks for and which documents the
language server lints when the client did not say the language."""
from __future__ import annotations

import fnmatch

DOCKERFILE_PATTERNS = ("Dockerfile", "Containerfile", "*.Dockerfile", "*.dockerfile", "Dockerfile.*",
                       "Containerfile.*", "*.Containerfile")


def is_dockerfile_name(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in DOCKERFILE_PATTERNS)

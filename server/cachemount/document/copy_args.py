"""The sources and the destination of a COPY/ADD, as written (before expansion)."""
from __future__ import annotations

from .model import Instruction


def copy_sources(copy: Instruction) -> list[str]:
    if copy.json_args is not None:
        return list(copy.json_args[:-1])
    words = [w for w in copy.args.split() if "<<" not in w]
    return words[:-1] if len(words) >= 2 else []


def copy_dest(copy: Instruction) -> str:
    if copy.json_args is not None:
        return copy.json_args[-1] if copy.json_args else "."
    words = copy.args.split()
    return words[-1] if words else "."

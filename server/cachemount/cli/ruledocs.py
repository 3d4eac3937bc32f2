"""Rule pages (docs/rules/<CODE>.md) rendered from the rule modules' docstrings.

`python -m cachemount.cli.ruledocs docs/rules` rewrites them; a test checks they are current."""
from __future__ import annotations

import os
import sys

from ..rules import RULES


def render(rule) -> str:
    head, _, body = rule.doc.partition("\n")
    return (f"# {rule.code} {rule.name}\n\n"
            f"{head.split(':', 1)[1].strip()}\n\n"
            f"Default severity: **{rule.severity}**. Suppress one instruction with "
            f"`# cachemount: ignore={rule.code}` on the line above it, or the whole file with "
            f"`# cachemount: ignore-file={rule.code}`.\n"
            f"{body.rstrip()}\n")


def write_all(directory: str) -> list[str]:
    os.makedirs(directory, exist_ok=True)
    written = []
    for rule in RULES:
        path = os.path.join(directory, f"{rule.code}.md")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(render(rule))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all(sys.argv[1] if len(sys.argv) > 1 else "docs/rules"):
        print(path)

"""Rule pages (docs/rules/<CODE>.md) rendered from the rules' documentation (`Rule.documentation`,
parsed from the rule module's docstring in rules/base.py).

`python scripts/generate.py` writes them with the other generated files; `--check` (and
tests/test_generated.py) says when one is stale."""
from __future__ import annotations

from ..rules.base import Rule


def render(rule: Rule) -> str:
    doc = rule.documentation
    body = f"\n{doc.body.rstrip()}\n" if doc.body.strip() else ""
    return (f"# {rule.code} {rule.name}\n\n"
            f"{doc.lead}\n\n"
            f"Default severity: **{rule.severity}**. Suppress one instruction with "
            f"`# cachemount: ignore={rule.code}` on the line above it, or the whole file with "
            f"`# cachemount: ignore-file={rule.code}`.\n"
            f"{body}")

"""Whether a manager's prerequisite (e.g. removing Debian's docker-clean before caching apt) applies to a
RUN's base image and is already satisfied by this or an earlier RUN."""
from __future__ import annotations

import fnmatch
import re

from ..knowledge.schema import Prerequisite
from .pipeline import Analysis, RunFacts


def run_texts(analysis: Analysis, facts: RunFacts) -> list[str]:
    """This RUN's texts (earlier RUNs: `analysis.earlier_runs_match`, linear over a file)."""
    instr = facts.instr
    return [instr.args, *(hd.body for hd in instr.heredocs),
            *(analysis.doc.text[f.start:f.end] for f in instr.flags)]  # e.g. a cache mount at /etc/apk/cache


def prerequisite_applies(prereq: Prerequisite, facts: RunFacts) -> bool | None:
    """True/False when the base decides it, None when the base image is unknown."""
    if not prereq.applies_to_bases:
        return True
    family = facts.ctx.os_family
    if family is None:
        return None
    base = facts.ctx.base or ""
    return family in prereq.applies_to_bases or any(fnmatch.fnmatch(base, p) for p in prereq.applies_to_bases)


def prerequisite_missing(analysis: Analysis, facts: RunFacts, prereq: Prerequisite,
                         include_unknown: bool = False) -> bool:
    applies = prerequisite_applies(prereq, facts)
    if applies is False or applies is None and not include_unknown:
        return False
    if analysis.earlier_runs_match(facts, tuple(prereq.satisfied_by)):
        return False
    texts = run_texts(analysis, facts)
    return not any(re.search(p, t) for p in prereq.satisfied_by for t in texts)

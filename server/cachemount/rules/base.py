"""What every rule module shares: the rule record, spans of an invocation, wording helpers."""
from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Callable, Iterable

from ..semantics.pipeline import Analysis, InvocationFacts, RunFacts
from ..findings import Finding
from ..semantics.invocations import Invocation


DOCS_URL = "https://github.com/cachemount/cachemount/blob/main/docs/rules/{code}.md"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    summary: str
    doc: str
    check: Callable[[Analysis], Iterable[Finding]]
    module: ModuleType

    @property
    def docs_url(self) -> str:
        return DOCS_URL.format(code=self.code)


def rule_from_module(module: ModuleType) -> Rule:
    doc = (module.__doc__ or "").strip()
    summary = doc.splitlines()[0].split(":", 1)[-1].strip() if doc else ""
    return Rule(module.CODE, module.NAME, module.SEVERITY, summary, doc, module.check, module)


def invocation_span(inv: Invocation) -> tuple[int, int]:
    """From the executable to the end of the subcommand (`pip install`, `apt-get install`)."""
    words = inv.command.words
    start = words[0].start
    end = inv.subcommand_words[-1].end if inv.subcommand_words else words[0].end
    return start, max(end, words[0].end)


def who(facts: RunFacts) -> str:
    """'root' or 'USER app (uid 1001)' for messages."""
    user = facts.ctx.user
    if user.is_root:
        return "root"
    return user.describe()


def live_runs(analysis: Analysis) -> Iterable[RunFacts]:
    """RUNs that can take a cache mount: not in a Windows stage (RUN --mount is Linux-only)."""
    windows = analysis.windows_stages
    for facts in analysis.run_facts():
        if facts.ctx.stage not in windows:
            yield facts


def downloads(facts: RunFacts) -> Iterable[InvocationFacts]:
    for f in facts.invocations:
        if f.inv.role == "download":
            yield f


def stray_mounts(facts: RunFacts, f: InvocationFacts):
    """Cache mounts that look meant for this invocation's manager but cover none of its caches:
    the CM102 'wrong target' candidates (and reasons for CM101 to stay quiet)."""
    from ..semantics import cachedirs

    out = []
    for m in facts.cache_mounts:
        if not m.target or not cachedirs.intended_for(m.target, f.inv.manager):
            continue
        if any(cachedirs.covers(m.target, rc) for rc in f.caches):
            continue
        out.append(m)
    return out


def command_text(inv: Invocation) -> str:
    """How the user spelt the step: `pip install`, `python3 -m pip install`, `apt-get install`."""
    words = inv.command.words
    if not words:
        return inv.manager.display
    shown = [words[0].text]
    sub_start = inv.subcommand_words[0].start if inv.subcommand_words else None
    for w in words[1:]:
        if sub_start is not None and w.start >= sub_start:
            break
        if w.text.startswith("-m"):  # `python -m pip`, `python -mpip`
            shown.append(w.text)
            nxt = words[words.index(w) + 1] if w.text == "-m" and words.index(w) + 1 < len(words) else None
            if nxt is not None:
                shown.append(nxt.text)
            break
    shown += [w.text for w in inv.subcommand_words]
    return " ".join(shown)

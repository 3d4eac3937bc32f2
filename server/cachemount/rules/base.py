"""What every rule module shares: the rule record (with its documentation, parsed here and only
here), spans of an invocation, wording helpers."""
from __future__ import annotations

import re
from types import ModuleType
from typing import Callable, Iterable

from ..records import Record
from ..semantics.pipeline import Analysis, InvocationFacts, RunFacts
from ..findings import Finding
from ..semantics.invocations import Invocation


# The one place the repository's address lives in the code (pyproject.toml's [project.urls] repeat it;
# tests/packaging/test_project_urls.py keeps them equal and checks every rule page exists).
REPOSITORY_URL = "https://github.com/cachemount/cachemount"
DOCS_URL = REPOSITORY_URL + "/blob/main/docs/rules/{code}.md"

_SECTION = re.compile(r"## (.+)$")
_DOCKERFILE_BLOCK = r"(?s)```dockerfile\n(.*?)```"   # compiled on first use (docs only)


class RuleDoc(Record):
    """A rule's documentation. The module docstring reads `CODE name: what it flags` (the first
    paragraph may wrap), then `## Why`, `## Example`, `## Fixed` (dockerfile blocks) and `## Fix`
    sections. The module constants FIRES_WHEN and FIX_SUMMARY are the one-line columns of the
    README's rules table."""
    text: str                               # the docstring, stripped
    summary: str                            # its first line after `CODE name:` (hover title, SARIF)
    details: str                            # everything after that first line (the hover body)
    lead: str                               # the whole first paragraph on one line (pages, editor schema)
    body: str                               # everything after the first paragraph (pages)
    sections: tuple[tuple[str, str], ...]   # (`## ` heading, its text) in order
    fires_when: str
    fix_summary: str

    @classmethod
    def parse(cls, text: str, fires_when: str = "", fix_summary: str = "") -> "RuleDoc":
        text = text.strip()
        first, _, details = text.partition("\n")
        para, _, body = text.partition("\n\n")
        return cls(text, first.split(":", 1)[-1].strip(), details, " ".join(para.split(":", 1)[-1].split()),
                   body.strip("\n"), _sections(text), fires_when, fix_summary)

    def section(self, heading: str) -> str:
        return next((body for head, body in self.sections if head == heading), "")

    @property
    def description(self) -> str:
        """What the rule is about, without the examples (SARIF fullDescription)."""
        return self.text.split("## Example")[0].strip()

    def _block(self, heading: str) -> str:
        m = re.search(_DOCKERFILE_BLOCK, self.section(heading))
        return m.group(1) if m else ""

    @property
    def example(self) -> str:
        """The Dockerfile of `## Example` (fires the rule)."""
        return self._block("Example")

    @property
    def fixed(self) -> str:
        """The Dockerfile of `## Fixed` (what the fix writes; the rule is quiet on it)."""
        return self._block("Fixed")


def _sections(text: str) -> tuple[tuple[str, str], ...]:
    """`## Heading` sections in order; a `## ` line inside a ``` block is example text."""
    out: list[tuple[str, list[str]]] = []
    fenced = False
    for line in text.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
        m = None if fenced else _SECTION.match(line)
        if m:
            out.append((m.group(1).strip(), []))
        elif out:
            out[-1][1].append(line)
    return tuple((head, "\n".join(lines).strip("\n")) for head, lines in out)


class Rule(Record):
    code: str
    name: str
    severity: str
    documentation: RuleDoc
    check: Callable[[Analysis], Iterable[Finding]]
    module: ModuleType

    @property
    def summary(self) -> str:
        return self.documentation.summary

    @property
    def doc(self) -> str:
        return self.documentation.text

    @property
    def docs_url(self) -> str:
        return DOCS_URL.format(code=self.code)


def rule_from_module(module: ModuleType) -> Rule:
    doc = RuleDoc.parse(module.__doc__ or "", module.FIRES_WHEN, module.FIX_SUMMARY)
    return Rule(module.CODE, module.NAME, module.SEVERITY, doc, module.check, module)


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

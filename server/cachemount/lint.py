"""The pure facade every face uses (CLI, language server, tests): text in, findings (or fixed text) out."""
from __future__ import annotations

from .build_context import BuildContext
from .semantics.pipeline import Analysis, analyze
from .findings import SAFE, UNSAFE, Finding
from .fixing.apply import fix_rounds
from .records import replace
from .rules import RULES
from .settings.model import DEFAULT, Settings
from .suppressions import collect


def lint(text: str, settings: Settings = DEFAULT, build_context: BuildContext | None = None) -> list[Finding]:
    """`build_context`: the directory the Dockerfile is built with (None: unknown; then the fixes
    that depend on it are unsafe). It changes fixes only, never which findings there are."""
    return lint_analysis(analyze(text, build_context=build_context), settings)


def lint_analysis(analysis: Analysis, settings: Settings = DEFAULT) -> list[Finding]:
    suppressions = collect(analysis.doc)
    findings: list[Finding] = []
    for rule in RULES:
        if not settings.enabled(rule.code):
            continue
        for finding in rule.check(analysis):
            instr = analysis.doc.instruction_at(finding.start)
            if suppressions.suppressed(finding.code, instr.index if instr is not None else None):
                continue
            severity = settings.severity_of(finding.code, finding.severity)
            if severity != finding.severity:
                finding = replace(finding, severity=severity)
            findings.append(finding)
    findings.sort(key=lambda f: (f.start, f.code, f.end))
    return findings


def apply_all(text: str, settings: Settings = DEFAULT, unsafe: bool = False,
              build_context: BuildContext | None = None) -> tuple[str, int]:
    """`text` with every safe fix (and with `unsafe`, every unsafe one too) applied until nothing
    fixable is left, and how many were applied."""
    allowed = (SAFE, UNSAFE) if unsafe else (SAFE,)
    return fix_rounds(text, lambda current: lint(current, settings, build_context), allowed)

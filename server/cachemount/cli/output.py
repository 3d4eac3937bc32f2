"""Finding formatters for the CLI: text, json, sarif (2.1.0) and github workflow annotations."""
from __future__ import annotations

import bisect
import json
import re

from .. import __version__
from ..records import Record
from ..findings import SAFE, SEVERITIES, UNSAFE, Finding
from ..rules import RULES
from ..rules.base import REPOSITORY_URL

_SARIF_LEVEL = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "information": "notice", "hint": "notice"}
# Characters that end a line or rewrite what a terminal or log viewer shows (C0/C1 controls, line and
# paragraph separators, bidi overrides). Messages quote the user's words, and a quoted newline would
# otherwise start a fake `path:line:col: CODE` line or workflow command.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_one(match: re.Match) -> str:
    ch = match.group()
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def escape_controls(value: str) -> str:
    """`value` on one line, control characters shown as Python-style escapes (`\\n`, `\\x1b`)."""
    return _CONTROLS.sub(_escape_one, value)


class Located(Record):
    path: str
    finding: Finding
    line: int        # 1-based
    column: int      # 1-based, code points
    end_line: int
    end_column: int


def locate(path: str, text: str, line_starts: list[int], finding: Finding) -> Located:
    def pos(offset: int) -> tuple[int, int]:
        line = max(bisect.bisect_right(line_starts, offset) - 1, 0)
        return line + 1, offset - line_starts[line] + 1
    (l1, c1), (l2, c2) = pos(finding.start), pos(finding.end)
    return Located(path, finding, l1, c1, l2, c2)


def text(items: list[Located]) -> str:
    """`path:line:col: CODE severity: message` (hadolint's order; editors' error formats read the
    `path:line:col:` head)."""
    return "".join(f"{escape_controls(i.path)}:{i.line}:{i.column}: {i.finding.code} {i.finding.severity}: "
                   f"{escape_controls(i.finding.message)}\n" for i in items)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(findings: list[Finding], status: int = 1) -> str:
    """The closing line of the text format, for the person reading it: the findings per severity,
    what `--fix` (and `--fix --unsafe-fixes`) would fix, and what the exit status says:
    `Found 3 findings (1 error, 2 warnings); 2 fixable with `--fix`. Exit status 1: there are findings.`"""
    by_severity = [(s, sum(1 for f in findings if f.severity == s)) for s in SEVERITIES]
    counts = ", ".join(_plural(n, s) if s != "information" else f"{n} information" for s, n in by_severity if n)
    safe = sum(1 for f in findings if f.fix_for((SAFE,)) is not None)
    unsafe = sum(1 for f in findings if f.fix_for((SAFE,)) is None and f.fix_for((UNSAFE,)) is not None)
    if safe and unsafe:
        fixable = f"{safe} fixable with `--fix`, {unsafe} more with `--fix --unsafe-fixes`"
    elif safe or unsafe:
        fixable = f"{safe} fixable with `--fix`" if safe else f"{unsafe} fixable with `--fix --unsafe-fixes`"
    else:
        fixable = "none fixable automatically"
    meaning = "there are findings" if status == 1 else "see the errors above"
    return f"Found {_plural(len(findings), 'finding')} ({counts}); {fixable}. Exit status {status}: {meaning}."


def _fix_json(finding: Finding):
    fix = finding.fix
    if fix is None:
        return None
    return {"title": fix.title, "applicability": fix.applicability,
            "edits": [{"start": e.start, "end": e.end, "new_text": e.new_text} for e in fix.edits]}


def as_json(items: list[Located]) -> str:
    out = [{
        "path": i.path, "code": i.finding.code, "rule": i.finding.rule, "severity": i.finding.severity,
        "message": i.finding.message, "line": i.line, "column": i.column,
        "end_line": i.end_line, "end_column": i.end_column, "fix": _fix_json(i.finding),
    } for i in items]
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def sarif(items: list[Located]) -> str:
    rules = [{
        "id": r.code, "name": r.name,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": r.documentation.description},
        "helpUri": r.docs_url,
        "help": {"text": r.doc, "markdown": r.doc},
        "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]},
    } for r in RULES]
    index = {r.code: n for n, r in enumerate(RULES)}
    results = []
    for i in items:
        result = {
            "ruleId": i.finding.code, "ruleIndex": index.get(i.finding.code, 0),
            "level": _SARIF_LEVEL.get(i.finding.severity, "warning"),
            "message": {"text": i.finding.message},
            **({"properties": {"fixApplicability": i.finding.fix.applicability}} if i.finding.fix else {}),
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": i.path},
                "region": {"startLine": i.line, "startColumn": i.column,
                           "endLine": i.end_line, "endColumn": i.end_column},
            }}],
        }
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "cachemount", "version": __version__,
                                "informationUri": REPOSITORY_URL,
                                "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _gh_escape(value: str, prop: bool = False) -> str:
    # The runner decodes %0A back into a newline inside the annotation; every other control is shown.
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    value = escape_controls(value)
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github(items: list[Located]) -> str:
    lines = []
    for i in items:
        level = _GITHUB_LEVEL.get(i.finding.severity, "warning")
        props = (f"file={_gh_escape(i.path, True)},line={i.line},col={i.column},"
                 f"endLine={i.end_line},endColumn={i.end_column},"
                 f"title={_gh_escape(f'{i.finding.code} {i.finding.rule}', True)}")
        lines.append(f"::{level} {props}::{_gh_escape(i.finding.message)}\n")
    return "".join(lines)


FORMATS = {"text": text, "json": as_json, "sarif": sarif, "github": github}

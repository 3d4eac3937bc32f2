"""Code actions of one document version: which fixes a range offers (`offers`, pure), and the jobs
the actions and fix-all threads run (`code_actions`, `fix_all_edit`).

A fix's applicability decides how it is offered: SAFE fixes are quick fixes (preferred when the rule
says so) and what fix-all applies; UNSAFE fixes are quick fixes the user reviews, never preferred
and titled "... (unsafe)", never applied by fix-all; DISPLAY fixes explain and are never offered as
an edit. Each finding also gets "Ignore CMxxx for this instruction" (once per code and instruction).

Fix-all is `source.fixAll.cachemount`, and in the quick-fix menu (where editors hide source actions)
also "Fix all cachemount problems", a quickfix: both apply exactly `fix_all_edit`, computed once.

The jobs read only their `Version` snapshot (taken on the event loop), so a document changing under
them cannot mix two versions; the server drops a job's result when the version is gone."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from lsprotocol import types as T

from ..findings import DISPLAY, SAFE, UNSAFE, Edit, Finding, Fix
from . import analysis, convert
from .engine import engine

QUICKFIX = "quickfix"
FIX_ALL = convert.FIX_ALL
UNSAFE_SUFFIX = " (unsafe)"


@dataclass(frozen=True)
class Offer:
    """A fix as the client will see it."""
    finding: Finding
    title: str
    kind: str
    preferred: bool
    edits: tuple[Edit, ...]
    ignore: bool = False    # "Ignore CMxxx for this instruction", not a fix of the finding


def wanted(kind: str, only: Iterable[str]) -> bool:
    """`kind` is asked for (`context.only` names it or a parent kind; no `only`: every kind)."""
    only = list(only)
    return not only or any(kind == k or kind.startswith(k + ".") for k in only)


def offer_of(finding: Finding, fix: Fix) -> Offer | None:
    """How `fix` is offered (None: never, being display-only or without edits)."""
    if fix.applicability == DISPLAY or not fix.edits:
        return None
    unsafe = fix.applicability == UNSAFE
    return Offer(finding, fix.title + UNSAFE_SUFFIX if unsafe else fix.title, fix.kind or QUICKFIX,
                 bool(fix.preferred) and not unsafe, fix.edits)


def offers(findings: Iterable[Finding], start: int, end: int, only: list[str], text: str, doc) -> list[Offer]:
    """The quick fixes of the findings overlapping [start, end] (code points), each finding's fixes
    in order, then its "Ignore" action. `text`/`doc`: the analysed text and its parsed document."""
    suppress = engine().suppress
    out: list[Offer] = []
    ignored: set[tuple[str, int]] = set()
    for f in findings:
        if not (f.start <= end and start <= f.end):
            continue
        for fix in f.fixes:
            if (o := offer_of(f, fix)) is not None and wanted(o.kind, only):
                out.append(o)
        if not wanted(QUICKFIX, only):
            continue
        instr = suppress.instruction_at(doc, f.start)
        key = (f.code, instr.start if instr is not None else -1)
        if key in ignored:
            continue
        ignored.add(key)
        fix = suppress.ignore_fix(text, f.start, f.code, doc)
        if fix is not None:
            out.append(Offer(f, fix.title, QUICKFIX, False, fix.edits, ignore=True))
    return out


def offers_fix_all(findings: Iterable[Finding], only: list[str], any_quick_fix: bool) -> bool:
    """Fix-all is listed when asked for by kind (or next to quick fixes) and a safe fix exists
    (`lint.apply_all` applies the first safe fix of each finding)."""
    return (wanted(FIX_ALL, only) and (bool(only) or any_quick_fix)
            and any(f.fix_for((SAFE,)) is not None for f in findings))


def offers_fix_all_quick_fix(findings: Iterable[Finding], found: Iterable[Offer], only: list[str]) -> bool:
    """"Fix all cachemount problems" joins a finding's quick fixes (`found`: what the range offers)
    when fix-all would fix more than that one finding: at least two findings have a safe fix."""
    if not wanted(QUICKFIX, only) or not any(not o.ignore and wanted(o.kind, [QUICKFIX]) for o in found):
        return False
    return sum(1 for f in findings if f.fix_for((SAFE,)) is not None) >= 2


@dataclass(frozen=True)
class Version:
    """One document version, and how edits to it are sent."""
    uri: str
    version: int
    text: str
    cache: dict             # the version's cache (a new version gets a new dict)
    settings: Any
    encoding: str
    doc_changes: bool       # the client takes `documentChanges` (versioned edits)


@dataclass(frozen=True)
class Request:
    target: Version
    prepared: analysis.Prepared
    range: T.Range
    only: list[str]
    tags: list[int] | None
    resolve_edit: bool      # the client resolves code actions' edits (fix-all computed on resolve)


def code_actions(req: Request) -> tuple[list[T.CodeAction], list[T.CodeAction]]:
    """The quick fixes in the range, and the fix-all actions (without their edit) that are wanted:
    the quick-fix menu's "Fix all cachemount problems" and `source.fixAll.cachemount`."""
    v = req.target
    findings = analysis.findings(v.cache, req.prepared, v.settings)
    index = analysis.line_index(v.cache, v.text, v.encoding)
    start = index.offset(req.range.start.line, req.range.start.character)
    end = index.offset(req.range.end.line, req.range.end.character)
    found = offers(findings, start, end, req.only, req.prepared.text, req.prepared.analysis.doc)
    diagnostics: dict[int, T.Diagnostic] = {}
    actions = []
    for o in found:
        if (diag := diagnostics.get(id(o.finding))) is None:
            diag = diagnostics[id(o.finding)] = convert.diagnostic(o.finding, index, req.tags)
        edit = convert.workspace_edit(v.uri, v.version, convert.text_edits(index, o.edits), v.doc_changes)
        actions.append(convert.code_action(o.title, o.kind, o.preferred, diag, edit))
    fix_all = []
    if offers_fix_all_quick_fix(findings, found, req.only):
        fix_all.append(convert.fix_all_quick_fix(v.uri, v.version))
    if offers_fix_all(findings, req.only, bool(actions)):
        fix_all.append(convert.fix_all_action(v.uri, v.version))
    return actions, fix_all


def with_fix_all_edit(fix_all: list[T.CodeAction], edit: T.WorkspaceEdit | None) -> list[T.CodeAction]:
    """The fix-all actions carrying `edit` (none when there is nothing to fix)."""
    if edit is None:
        return []
    for action in fix_all:
        action.edit = edit
    return fix_all


def fix_all_edit(v: Version) -> T.WorkspaceEdit | None:
    """Every safe fix, as minimal line-granular edits against this version (None: nothing to fix)."""
    got = analysis.fixed_text(v.cache, v.text, v.settings)
    if got is None or not got[1] or got[0] == v.text:
        return None
    edits = convert.text_edits(analysis.line_index(v.cache, v.text, v.encoding), convert.line_diff(v.text, got[0]))
    return convert.workspace_edit(v.uri, v.version, edits, v.doc_changes)

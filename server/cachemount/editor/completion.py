"""Completion inside `RUN` flags: the flags after `RUN -`/`RUN --`; inside `--mount=` the option
keys valid for the mount's type (not already used), the values of `type`, `sharing` and the
booleans, `from` stages, and for `target` the cache dirs of the package managers this RUN uses,
resolved for the user and environment in force; plus one snippet per manager that writes a whole
cache mount the way the fixes do. Pure: text and an offset in, results with code-point spans out.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..document.model import Document, Flag, Instruction
from ..document.mounts import field_spans
from ..knowledge import mount_options as K
from ..limits import LimitExceeded

if TYPE_CHECKING:
    from ..semantics.pipeline import Analysis, RunFacts


@dataclass(frozen=True)
class CompletionResult:
    label: str
    kind: str                    # 'flag' | 'key' | 'value' | 'path' | 'snippet'
    insert_text: str             # plain text replacing [start, end)
    start: int                   # code points; the span contains the offset
    end: int
    detail: str = ""
    documentation: str = ""      # markdown
    snippet: str | None = None   # the same insertion with LSP snippet placeholders
    sort_text: str | None = None
    filter_text: str | None = None
    preselect: bool = False


_KEY_ORDER = ("type", "target", "id", "sharing", "uid", "gid", "mode", "from", "source", "ro", "rw",
              "required", "size", "env")
_WS = " \t\r\n"


def complete_at(text: str, offset: int, *, analysis: "Analysis | None" = None) -> list[CompletionResult]:
    """Completions for the cursor at `offset`. `analysis` may be passed to reuse one computed for
    exactly this text."""
    offset = max(0, min(offset, len(text)))
    from ..semantics.pipeline import reuse
    doc, analysis = reuse(text, analysis)
    instr = doc.instruction_at(offset, inside=True)
    if instr is None or instr.keyword != "RUN" or offset <= instr.keyword_end:
        return []
    ctx = _Ctx(text, doc, instr, analysis)
    word_start = offset
    while word_start > instr.keyword_end and text[word_start - 1] not in _WS:
        word_start -= 1
    word = text[word_start:offset]
    if not word.startswith("-") or not _only_flags_before(instr, word_start):
        return []
    flag = _flag_at(instr, offset)
    eq = word.find("=")
    if eq < 0:
        if not any(f.start == word_start for f in instr.flags):
            # `RUN -` / `RUN --` is read as the command: analyse without the partial word so the
            # manager snippets see the real command.
            end = _word_end(text, offset)
            ctx = _Ctx(text[:word_start] + text[end:], None, instr, None)
            ctx.text = text
        return _flag_names(ctx, word_start, offset)
    name = word[2:eq].lower() if word.startswith("--") else ""
    value_start = word_start + eq + 1
    value_end = flag.value_end if flag is not None and flag.start == word_start else _word_end(text, offset)
    if name == "mount":
        return _mount_value(ctx, value_start, value_end, offset)
    spec = K.RUN_FLAGS.get(name)
    if spec is not None and spec.values:
        return [CompletionResult(v.value, "value", v.value, value_start, value_end, f"--{name}", v.doc,
                                 sort_text=f"{i:02d}", preselect=v.value == spec.default)
                for i, v in enumerate(spec.values)]
    return []


# -- locating --------------------------------------------------------------------------------------

def _only_flags_before(instr: Instruction, word_start: int) -> bool:
    """True when everything between the keyword and `word_start` is flags (the word is a flag)."""
    if any(f.start == word_start for f in instr.flags):
        return True
    return all(f.end <= word_start for f in instr.flags) and instr.args_start >= word_start


def _flag_at(instr: Instruction, offset: int) -> Flag | None:
    for flag in instr.flags:
        if flag.start <= offset <= flag.end:
            return flag
    return None


def _word_end(text: str, offset: int) -> int:
    end = offset
    while end < len(text) and text[end] not in _WS:
        end += 1
    return end


class _Ctx:
    def __init__(self, text: str, doc: Document | None, instr: Instruction, analysis: "Analysis | None"):
        self.text = text
        self.analysed_text = text
        self.doc = doc
        self.instr = instr
        self._analysis = analysis
        self._tried = analysis is not None

    def analysis(self) -> "Analysis | None":
        if not self._tried:
            self._tried = True
            from ..semantics.pipeline import analyze
            try:
                self._analysis = analyze(self.analysed_text)
            except LimitExceeded:   # too big to analyse: keys and values still complete
                self._analysis = None
        return self._analysis

    def facts(self) -> "RunFacts | None":
        analysis = self.analysis()
        return analysis.runs.get(self.instr.index) if analysis is not None else None


# -- flags -----------------------------------------------------------------------------------------

def _flag_names(ctx: _Ctx, start: int, offset: int) -> list[CompletionResult]:
    text = ctx.text
    end = offset
    while end < len(text) and (text[end].isalnum() or text[end] == "-"):
        end += 1
    used = {f.name for f in ctx.instr.flags if f.start != start}
    out = []
    for i, spec in enumerate(K.RUN_FLAGS.values()):
        if spec.name in used and spec.name != "mount":
            continue
        detail = f"Dockerfile {spec.since}" + ("" if spec.stable else " (labs)")
        out.append(CompletionResult(f"--{spec.name}", "flag", f"--{spec.name}=", start, end, detail,
                                    spec.doc, sort_text=f"1{i}", filter_text=f"--{spec.name}"))
    for i, (label, flags, _plain, snip, doc) in enumerate(_manager_mounts(ctx)):
        out.append(CompletionResult(f"--mount cache for {label}", "snippet", " ".join(flags), start, end,
                                    "cache mount", doc, snippet=snip_join(snip), sort_text=f"0{i}",
                                    filter_text=f"--mount {label}"))
    return out


def snip_join(parts: list[str]) -> str:
    return " ".join(parts) + "$0"


# -- --mount values --------------------------------------------------------------------------------

def _mount_value(ctx: _Ctx, value_start: int, value_end: int, offset: int) -> list[CompletionResult]:
    text = ctx.text
    if value_start < value_end and text[value_start] in "\"'" and offset > value_start:
        value_start += 1   # --mount="type=cache,..." (BuildKit unquotes the whole value)
        if value_end > value_start and text[value_end - 1] == text[value_start - 1]:
            value_end -= 1
    fields = field_spans(text, value_start, value_end)
    current = next((f for f in fields if f[0] <= offset <= f[1]), fields[-1])
    options: dict[str, str | None] = {}
    for fs, fe in fields:
        if (fs, fe) == current:
            continue
        key, eq, value = text[fs:fe].partition("=")
        key = key.strip().strip("\"'").lower()
        spec = K.OPTIONS_BY_SPELLING.get(key)
        if spec is not None:
            options[spec.key] = value.strip().strip("\"'") if eq else None
    mtype = (options.get("type") or K.DEFAULT_TYPE).lower()
    fs, fe = current
    before = text[fs:offset]
    eq_at = text.find("=", fs, fe)
    if "=" in before:
        key = text[fs:eq_at].strip().strip("\"'").lower()
        spec = K.OPTIONS_BY_SPELLING.get(key)
        if spec is None:
            return []
        return _values(ctx, spec, mtype, options, eq_at + 1, fe)
    key_end = eq_at if eq_at >= 0 else fe
    out = _keys(mtype, options, fs, key_end, has_value=eq_at >= 0)
    if len(fields) == 1 or (not options and current == fields[0]):
        for i, (label, flags, _plain, snip, doc) in enumerate(_manager_mounts(ctx)):
            insert = " ".join(flags)[len("--mount="):]
            snippet = snip_join(snip)[len("--mount="):]
            out.append(CompletionResult(f"type=cache for {label}", "snippet", insert, fs, fe, "cache mount", doc,
                                        snippet=snippet, sort_text=f"0{i}", filter_text=f"type=cache {label}"))
    return out


def _keys(mtype: str, options: dict[str, str | None], start: int, end: int, has_value: bool) -> list[CompletionResult]:
    out = []
    for spec in K.MOUNT_OPTIONS:
        if spec.key in options or mtype not in spec.accepted_by:
            continue
        if spec.key == "rw" and "ro" in options or spec.key == "ro" and "rw" in options:
            continue
        bare_only = spec.bare and spec.kind == "bool"
        insert = spec.key if bare_only or has_value else spec.key + "="
        rank = _KEY_ORDER.index(spec.key) if spec.key in _KEY_ORDER else 99
        default = dict(spec.defaults).get(mtype)
        detail = f"{mtype} mount" + (f" · default {default}" if default else "")
        per = dict(spec.per_type).get(mtype)
        doc = spec.doc + (f"\n\n{per}" if per else "")
        if spec.required_by and mtype in spec.required_by:
            detail += " · required"
        out.append(CompletionResult(spec.key, "key", insert, start, end, detail.replace("`", ""), doc,
                                    sort_text=f"1{rank:02d}", preselect=spec.key == "type" and "type" not in options))
    return out


def _values(ctx: _Ctx, spec: K.OptionSpec, mtype: str, options: dict[str, str | None], start: int,
            end: int) -> list[CompletionResult]:
    key = spec.key
    if spec.kind == "enum":
        preferred = _locked_wanted(ctx) if key == "sharing" else None
        return [CompletionResult(v.value, "value", v.value, start, end, f"{key}", v.doc, sort_text=f"{i:02d}",
                                 preselect=v.value == preferred)
                for i, v in enumerate(spec.values)]
    if spec.kind == "bool":
        return [CompletionResult(v, "value", v, start, end, key, "") for v in ("true", "false")]
    if key == "target" and mtype == "cache":
        return _targets(ctx, options, start, end)
    if key == "from":
        return [CompletionResult(s.name, "value", s.name, start, end, f"stage (line {s.from_instruction.line + 1})",
                                 f"`FROM {s.base} AS {s.name}`")
                for s in (ctx.doc.stages if ctx.doc is not None else ()) if s.name and 0 <= s.index < ctx.instr.stage]
    if key in ("uid", "gid"):
        facts = ctx.facts()
        if facts is None:
            return []
        user = facts.ctx.user
        num = user.uid if key == "uid" else (user.gid if user.gid is not None else user.uid)
        if num is None:
            return []
        from ..rules.base import who
        return [CompletionResult(str(num), "value", str(num), start, end, f"{key} of {who(facts)}",
                                 f"This RUN runs as {who(facts)}: a cache dir owned by it is writable here.",
                                 preselect=True)]
    if key == "id" and mtype == "cache":
        return _ids(ctx, start, end)
    return []


def _locked_wanted(ctx: _Ctx) -> str | None:
    facts = ctx.facts()
    if facts is None:
        return None
    for f in facts.invocations:
        for rc in f.caches:
            if getattr(rc.spec, "sharing", None) == "locked":
                return "locked"
    return None


def _managers(facts: "RunFacts"):
    seen: dict[str, tuple[object, list]] = {}
    for f in facts.invocations:
        if f.inv.role not in ("download", "consume"):
            continue
        entry = seen.setdefault(f.inv.manager.key, (f.inv.manager, []))
        for rc in f.caches:
            if rc.path and all(rc.path != o.path for o in entry[1]):
                entry[1].append(rc)
    return list(seen.values())


def _stage_facts(ctx: _Ctx) -> list["RunFacts"]:
    """This RUN's facts, or (when it runs no known manager yet) the other RUNs of its stage."""
    facts = ctx.facts()
    if facts is None:
        return []
    if _managers(facts):
        return [facts]
    analysis = ctx.analysis()
    return [f for f in analysis.run_facts() if f.ctx.stage == facts.ctx.stage and f is not facts and _managers(f)] \
        if analysis is not None else []


def _targets(ctx: _Ctx, options, start: int, end: int) -> list[CompletionResult]:
    """The cache dirs of this RUN's managers (or, before it runs one, of its stage's), this RUN's
    user's own dirs first: under `USER app`, /home/app/.cache/pip before /root/.cache/pip."""
    facts = ctx.facts()
    if facts is None:
        return []
    from ..rules.base import who
    from ..semantics import cachedirs

    user = facts.ctx.user
    taken = {m.target for m in facts.cache_mounts if m.target and not (m.mount.flag.start <= start <= m.mount.flag.end)}
    found: list[tuple[int, CompletionResult]] = []
    seen = set()

    def add(rc, manager, owner, detail: str) -> None:
        if not rc.path or rc.path in seen or rc.path in taken:
            return
        seen.add(rc.path)
        purpose = getattr(rc.spec, "purpose", "cache")
        rank = _owner_rank(rc.path, user, owner)
        found.append((rank, CompletionResult(
            rc.path, "path", rc.path, start, end, f"{manager.display} {purpose}{detail}",
            f"Where {manager.display} caches for {who(facts)}: {rc.why}." if owner is user else
            f"Where {manager.display} caches for {owner.describe() if not owner.is_root else 'root'}: {rc.why}.")))

    sources = _stage_facts(ctx)
    for source in sources:
        here = "" if source is facts else f" (used on line {source.instr.line + 1})"
        for manager, caches in _managers(source):
            for rc in caches:
                add(rc, manager, source.ctx.user, here)
    for source in sources:
        if source is not facts and source.ctx.user != user:
            # the same tools run by this RUN's user: where they would cache here
            for f in source.invocations:
                if f.inv.role in ("download", "consume"):
                    for rc in cachedirs.resolve_caches(f.inv, facts.ctx.env, user, None, facts.ctx.workdir):
                        add(rc, f.inv.manager, user, f" for {who(facts)} (as on line {source.instr.line + 1})")
    found.sort(key=lambda item: item[0])   # stable: the order of the RUN within a rank
    return [replace(item, sort_text=f"{rank}{i:02d}", preselect=i == 0)
            for i, (rank, item) in enumerate(found)]


def _owner_rank(path: str, user, owner) -> int:
    """0: in this RUN's user's home; 2: in the home of the other user a dir was found for (root's
    /root/.cache/pip seen on a RUN before `USER app`); 1: elsewhere (/var/cache/apt, /go/pkg/mod)."""
    def under(home: str | None) -> bool:
        if not home or home == "/":
            return False
        return path == home or path.startswith(home.rstrip("/") + "/")

    if under(user.home):
        return 0
    if owner is not user and owner.home != user.home and under(owner.home):
        return 2
    return 1


def _ids(ctx: _Ctx, start: int, end: int) -> list[CompletionResult]:
    analysis = ctx.analysis()
    if analysis is None:
        return []
    found: dict[str, str] = {}
    for facts in analysis.run_facts():
        for cm in facts.cache_mounts:
            ident = cm.mount.value("id")
            if ident and ident not in found:
                found[ident] = f"used on line {facts.instr.line + 1}"
        for manager, caches in _managers(facts):
            for rc in caches:
                ident = getattr(rc.spec, "id", None)
                if ident and ident not in found:
                    found[ident] = f"suggested for {manager.display}"
    return [CompletionResult(i, "value", i, start, end, why, "Mounts with the same id share one cache.")
            for i, why in found.items()]


def _snippet_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def _manager_mounts(ctx: _Ctx) -> list[tuple[str, list[str], str, list[str], str]]:
    """Per manager in this RUN: (label, flags, plain text, snippet parts, docs) of the cache mounts
    the fix would add, minus those already there."""
    facts = ctx.facts()
    if facts is None:
        return []
    from ..fixing.cache_mount import mount_flag
    from ..rules.base import who

    out = []
    tab = 1
    for manager, caches in _managers(facts):
        missing = [rc for rc in caches if not facts.covering(rc)]
        if not missing:
            continue
        user = facts.ctx.user
        flags = [mount_flag(rc, user, manager) for rc in missing]
        snips = []
        for rc, flag in zip(missing, flags):
            esc = _snippet_escape(flag)
            path = _snippet_escape(rc.path)
            marker = f"target={path}"
            if marker in esc:
                esc = esc.replace(marker, f"target=${{{tab}:{path}}}", 1)
                tab += 1
            snips.append(esc)
        doc = (f"Cache mount{'s' if len(flags) > 1 else ''} for {manager.display} as {who(facts)}:\n\n"
               + "\n".join(f"- `{rc.path}`: {rc.why}" for rc in missing))
        out.append((manager.display, flags, " ".join(flags), snips, doc))
    return out

"""Hover: what a `RUN` flag, a `--mount` option key or value, or a rule code in a suppression
comment means, in the context of this RUN (which package manager uses a cache mount, whether its
target matches where that manager caches for the user in force, why `uid=` matters after
`USER node`). Pure: text and an offset in, markdown and plain text out.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..document.model import Comment, Document, Flag, Instruction
from ..document.mounts import Mount, MountOption
from ..knowledge import layer_cache as LC
from ..knowledge import mount_options as K
from ..limits import LimitExceeded
from ..suppressions import parse_directive

if TYPE_CHECKING:
    from ..knowledge.schema import ManagerSpec
    from ..semantics.pipeline import Analysis, RunFacts
    from ..settings.model import Settings


@dataclass(frozen=True)
class HoverResult:
    markdown: str
    plain: str
    start: int       # code-point span the hover is about
    end: int


def hover_at(text: str, offset: int, settings: "Settings | None" = None, *,
             analysis: "Analysis | None" = None) -> HoverResult | None:
    """Hover for the character at `offset` (code points). `analysis` may be passed to reuse one
    already computed for exactly this text."""
    from ..semantics.pipeline import reuse
    doc, analysis = reuse(text, analysis)
    state = _Lazy(text, analysis)

    comment = _comment_at(doc, offset)
    if comment is not None:
        return _suppression_hover(text, comment, offset, settings)
    instr = doc.instruction_at(offset, inside=True)
    if instr is not None and instr.start <= offset <= instr.keyword_end:
        return _layer_cache_hover(state, instr)
    if instr is None or instr.keyword != "RUN":
        return None
    flag = _flag_at(instr, offset)
    if flag is None:
        return None
    if flag.name == "mount":
        return _mount_hover(state, instr, flag, offset)
    spec = K.RUN_FLAGS.get(flag.name)
    if spec is None:
        return None
    return _run_flag_hover(text, flag, spec, offset)


def _layer_cache_hover(state: "_Lazy", instr: Instruction) -> HoverResult | None:
    """On an instruction's keyword: what re-runs this step (editor/rerun.py)."""
    from .rerun import hover_markdown
    analysis = state.analysis()
    parts = hover_markdown(analysis, instr) if analysis is not None else None
    return _result(parts, instr.start, instr.keyword_end) if parts else None


# -- locating -------------------------------------------------------------------------------------

class _Lazy:
    """The analysis, computed only when a hover needs context."""

    def __init__(self, text: str, analysis: "Analysis | None"):
        self.text = text
        self._analysis = analysis
        self._failed = False

    def analysis(self) -> "Analysis | None":
        if self._analysis is None and not self._failed:
            from ..semantics.pipeline import analyze
            try:
                self._analysis = analyze(self.text)
            except LimitExceeded:  # too big to analyse: the static docs still show
                self._failed = True
        return self._analysis


def _comment_at(doc: Document, offset: int) -> Comment | None:
    for c in doc.comments:
        if c.start <= offset <= c.end:
            return c
    return None


def _within(offset: int, start: int, end: int) -> bool:
    return start <= offset < end


def _flag_at(instr: Instruction, offset: int) -> Flag | None:
    for flag in instr.flags:
        if _within(offset, flag.start, flag.end):
            return flag
    for flag in instr.flags:   # cursor right after the flag's last character
        if offset == flag.end:
            return flag
    return None


def _option_at(mount: Mount, offset: int) -> MountOption | None:
    for opt in mount.options:
        if _within(offset, opt.start, opt.end):
            return opt
    for opt in mount.options:
        if offset == opt.end:
            return opt
    return None


# -- markdown helpers -----------------------------------------------------------------------------

def _code(s: str) -> str:
    tick = "``" if "`" in s else "`"
    pad = " " if tick == "``" else ""
    return f"{tick}{pad}{s}{pad}{tick}"


def _link(spec_url: str, label: str = "Dockerfile reference") -> str:
    return f"[{label}]({spec_url})"


def _since(version: str) -> str:
    if version.endswith("-labs"):
        return f"Dockerfile {version} (`# syntax=docker/dockerfile:1-labs`)"
    return f"Dockerfile {version}"


def _result(md_parts: list[str], start: int, end: int) -> HoverResult:
    markdown = "\n\n".join(p for p in md_parts if p)
    return HoverResult(markdown, to_plain(markdown), start, end)


_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def to_plain(markdown: str) -> str:
    """Markdown -> readable plain text for clients without markdown support."""
    out = []
    in_fence = False
    for line in markdown.split("\n"):
        if line.startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence:
            out.append("    " + line)
            continue
        line = re.sub(r"^#{1,6}\s+(.*)$", lambda m: m.group(1).upper(), line)
        line = _LINK.sub(lambda m: m.group(1) if m.group(1) == m.group(2) else f"{m.group(1)} <{m.group(2)}>", line)
        line = re.sub(r"\*\*(.+?)\*\*", r"\1", line)
        line = re.sub(r"(?<![\w`])_(\S.*?)_(?![\w`])", r"\1", line)
        line = re.sub(r"``\s?(.+?)\s?``|`([^`]*)`", lambda m: m.group(1) or m.group(2) or "", line)
        out.append(line)
    return "\n".join(out).strip()


# -- suppression comments -------------------------------------------------------------------------



def _suppression_hover(text: str, comment: Comment, offset: int, settings) -> HoverResult | None:
    raw = text[comment.start:comment.end]
    directive = parse_directive(raw)
    if directive is None:
        return None
    rel = offset - comment.start
    for start, end in directive.code_spans(raw):
        if start <= rel <= end:
            return _rule_hover(raw[start:end].upper(), comment.start + start, comment.start + end, settings)
    if directive.kind_start <= rel <= directive.kind_end:
        if not directive.file_wide:
            body = ("**`# cachemount: ignore=CODE[,CODE...]`** silences those rules for the instruction "
                    "right below this comment block. A bare `# cachemount: ignore` silences every rule there.")
        else:
            body = ("**`# cachemount: ignore-file=CODE[,CODE...]`** silences those rules in the whole file, "
                    "wherever the comment is. A bare `ignore-file` silences every rule.")
        return _result([body], comment.start + directive.kind_start, comment.start + directive.kind_end)
    return None


def _rule_hover(code: str, start: int, end: int, settings) -> HoverResult:
    from ..rules import BY_CODE

    rule = BY_CODE.get(code)
    if rule is None:
        known = ", ".join(BY_CODE)
        return _result([f"**{code}**: no such cachemount rule (known: {known}); this code silences nothing."],
                       start, end)
    summary, body = rule.summary, rule.documentation.details
    severity = rule.severity
    state = f"default severity **{severity}**"
    if settings is not None:
        if not settings.enabled(code):
            state += "; disabled in the settings"
        else:
            configured = settings.severity_of(code, severity)
            if configured != severity:
                state = f"severity **{configured}** (configured; default {severity})"
    parts = [f"**{rule.code} {rule.name}**: {summary}", f"_{state[0].upper() + state[1:]}._",
             body.strip(), _link(rule.docs_url, f"{rule.code} documentation")]
    return _result(parts, start, end)


# -- RUN --network / --security / --device ----------------------------------------------------------

def _run_flag_hover(text: str, flag: Flag, spec: K.FlagSpec, offset: int) -> HoverResult:
    head = f"**`RUN --{spec.name}`** · since {_since(spec.since)}"
    if flag.value is not None and offset >= flag.value_start and spec.values:
        value = flag.value.strip("\"'")
        known = {v.value: v for v in spec.values}
        vdoc = known.get(value.lower())
        if vdoc is not None:
            parts = [f"**`--{spec.name}={vdoc.value}`**: {vdoc.doc}"]
        else:
            allowed = ", ".join(f"`{v.value}`" for v in spec.values)
            parts = [f"**`--{spec.name}={value}`**: not a valid value; BuildKit fails the build. "
                     f"Allowed: {allowed}."]
        parts.append(_link(spec.url))
        return _result(parts, flag.value_start, flag.value_end)
    parts = [head, spec.doc]
    if spec.values:
        parts.append("\n".join(f"- `{v.value}`{' (default)' if v.value == spec.default else ''}: {v.doc}"
                               for v in spec.values))
    elif spec.value_hint:
        parts.append(f"Value: `{spec.value_hint}`")
    parts.append(_link(spec.url))
    return _result(parts, flag.start, flag.end)


# -- RUN --mount ------------------------------------------------------------------------------------

def _mount_hover(state: _Lazy, instr: Instruction, flag: Flag, offset: int) -> HoverResult:
    from ..document.mounts import mount_of

    mount = mount_of(flag)
    mtype = mount.type
    opt = _option_at(mount, offset) if flag.value is not None and offset >= flag.value_start else None
    ctx = _MountContext(state, instr, mount)
    if opt is None:
        return _whole_mount_hover(ctx, flag, mtype)
    spec = K.OPTIONS_BY_SPELLING.get(opt.key)
    on_value = opt.value is not None and offset >= opt.value_start
    if spec is None:
        return _unknown_key_hover(opt, mtype)
    if on_value:
        return _value_hover(ctx, opt, spec, mtype)
    return _key_hover(ctx, opt, spec, mtype)


class _MountContext:
    """This mount's RUN: facts from the engine, computed on first use."""

    def __init__(self, state: _Lazy, instr: Instruction, mount: Mount):
        self.state = state
        self.instr = instr
        self.mount = mount
        self._facts: "RunFacts | None | bool" = False

    def facts(self) -> "RunFacts | None":
        if self._facts is False:
            analysis = self.state.analysis()
            self._facts = analysis.runs.get(self.instr.index) if analysis is not None else None
        return self._facts  # type: ignore[return-value]

    def env(self) -> dict[str, str]:
        facts = self.facts()
        return dict(facts.ctx.env) if facts is not None else {}

    def expanded(self, opt: MountOption) -> str | None:
        if opt.value is None:
            return None
        if opt.canonical == "from":
            return opt.value
        from ..document.expand import expand
        return expand(opt.value, self.env())

    def resolved_target(self) -> str | None:
        facts = self.facts()
        if facts is None:
            return None
        for cm in facts.cache_mounts:
            if cm.mount.flag.start == self.mount.flag.start:
                return cm.target
        opt = self.mount.get("target")
        if opt is None:
            return None
        value = self.expanded(opt)
        if not value:
            return None
        return posixpath.normpath(posixpath.join(facts.ctx.workdir or "/", value.strip()))


def _defaults_line(spec: K.OptionSpec, mtype: str) -> str:
    default = dict(spec.defaults).get(mtype)
    bits = []
    if default and spec.key != "type":   # the type's doc says its default
        bits.append(f"Default for {mtype}: {default}")
    if spec.aliases:
        bits.append("Also written " + ", ".join(f"`{a}`" for a in spec.aliases))
    return " · ".join(bits)


def _type_warning(spec: K.OptionSpec, mtype: str) -> str:
    if mtype in spec.rejected_by:
        takes = ", ".join(spec.accepted_by)
        return f"⚠ Not allowed on a **{mtype}** mount: BuildKit fails the build (taken by: {takes})."
    if mtype in spec.ignored_by:
        uses = ", ".join(spec.accepted_by)
        return f"⚠ **Ignored** on a {mtype} mount (used by: {uses})."
    return ""


def _option_doc(spec: K.OptionSpec, mtype: str) -> str:
    """What the option is, then what it does on this type: one paragraph."""
    per = dict(spec.per_type).get(mtype)
    return f"{spec.doc} On a **{mtype}** mount: {per}" if per else spec.doc


def _in_this_run(items: list[str]) -> str:
    """All the context facts under one heading: one fact inline, several as a list."""
    if not items:
        return ""
    if len(items) == 1:
        return f"**In this RUN**: {items[0]}"
    return "**In this RUN**:\n" + "\n".join(f"- {item}" for item in items)


def _type_list() -> str:
    return "\n".join(f"- `{t.name}`: {t.short}" for t in K.MOUNT_TYPE_DOCS.values())


def _sharing_choices(spec: K.OptionSpec, current: str | None = None) -> str:
    """The three `sharing` values, one line each; the one this mount uses in bold."""
    default = (dict(spec.defaults).get("cache") or "").strip("`")
    lines = []
    for v in spec.values:
        name = f"**`{v.value}`**" if v.value == current else f"`{v.value}`"
        lines.append(f"- {name}{' (default)' if v.value == default else ''}: {v.doc}")
    return "\n".join(lines)


def _mount_link(spec: K.OptionSpec, mtype: str) -> str:
    return _link(K.TYPE_URLS.get(mtype, spec.url) if spec.key != "type" else spec.url)


def _key_hover(ctx: _MountContext, opt: MountOption, spec: K.OptionSpec, mtype: str) -> HoverResult:
    parts = [f"**`{spec.key}`** · `--mount` option · {_since(spec.since)}", _type_warning(spec, mtype),
             _in_this_run(_context(ctx, spec.key, mtype))]
    if spec.key == "sharing":
        parts += [spec.doc, _sharing_choices(spec)]
    elif spec.key == "type":
        parts += [spec.doc, _type_list()]
    else:
        parts += [_option_doc(spec, mtype), _defaults_line(spec, mtype)]
    parts.append(_mount_link(spec, mtype))
    end = opt.key_end if opt.value is not None else opt.end
    return _result(parts, opt.start, end)


def _value_hover(ctx: _MountContext, opt: MountOption, spec: K.OptionSpec, mtype: str) -> HoverResult:
    value = opt.value or ""
    key = spec.key
    title = f"**`{opt.key}={value}`**"
    about: list[str] = []       # what this value means, before the context
    doc: list[str] = []         # the generic part, after it
    if spec.values:
        vdoc = {v.value: v for v in spec.values}.get(value.lower())
        if vdoc is None:
            import difflib
            allowed = ", ".join(f"`{v.value}`" for v in spec.values)
            guess = difflib.get_close_matches(value.lower(), [v.value for v in spec.values], 1, 0.5)
            hint = f" Did you mean `{guess[0]}`?" if guess else ""
            title += f": ⚠ not a valid `{key}`: BuildKit fails the build. Allowed: {allowed}.{hint}"
        if key == "sharing":   # the choice is the point: show all three
            doc.append(_sharing_choices(spec, vdoc.value if vdoc is not None else None))
        elif vdoc is not None:
            title += f": {vdoc.doc}"
    else:   # about the value: what the key means on this type, else in general
        doc.append(dict(spec.per_type).get(mtype) or spec.doc)
    expanded = ctx.expanded(opt)
    if expanded is not None and expanded != value:
        about.append(f"Expands to {_code(expanded)} here.")
    elif expanded is None and "$" in value and key != "from":
        about.append("Uses a variable whose value is not known at this point of the Dockerfile.")
    if key not in ("type", "sharing"):
        about.append(_type_warning(spec, mtype))
    about.extend(_value_detail(ctx, opt, spec, mtype, expanded))
    parts = [title, " ".join(a for a in about if a), _in_this_run(_context(ctx, key, mtype, value_hover=True)), *doc]
    parts.append(_link(K.TYPE_URLS.get(mtype, spec.url) if key != "type" else K.TYPE_URLS.get(value.lower(), spec.url)))
    return _result(parts, opt.value_start, opt.value_end)


def _value_detail(ctx: _MountContext, opt: MountOption, spec: K.OptionSpec, mtype: str,
                  expanded: str | None) -> list[str]:
    key = spec.key
    out: list[str] = []
    if expanded is None:
        return out
    if key == "mode":
        if re.fullmatch(r"[0-7]{1,4}", expanded):
            out.append(f"{_code(expanded)} = {_rwx(int(expanded, 8))}: " + _mode_words(int(expanded, 8)))
        else:
            out.append("⚠ Not an octal number: BuildKit fails the build.")
    elif key == "size":
        got = _size_bytes(expanded)
        out.append(f"= {got:,} bytes." if got is not None else "⚠ Not a size BuildKit can read: the build fails.")
    elif key in ("uid", "gid") and not expanded.isdigit():
        out.append("⚠ Must be a number: BuildKit does not look names up, and fails the build.")
    elif key == "from":
        out.extend(_from_detail(ctx, expanded))
    elif key == "id" and mtype == "cache":
        out.extend(_id_detail(ctx, expanded))
    elif key == "target" and mtype == "cache":
        target = ctx.resolved_target()
        if target and target != expanded:
            out.append(f"Resolves to {_code(target)} (relative to `WORKDIR`). The cache id is still "
                       f"{_code(posixpath.normpath(expanded))}: ids are not resolved against `WORKDIR`, so every "
                       f"stage with this target shares one cache.")
    return out


def _rwx(mode: int) -> str:
    bits = "rwxrwxrwx"
    return "".join(b if mode & (1 << (8 - i)) else "-" for i, b in enumerate(bits))


def _mode_words(mode: int) -> str:
    if mode & 0o002:
        return "anyone can write."
    if mode & 0o020:
        return "the owner and the owning group can write."
    if mode & 0o200:
        return "only the owner can write."
    return "nobody can write."


def _size_bytes(value: str) -> int | None:
    m = re.match(K.SIZE_PATTERN, value)
    if not m:
        return None
    number = float(m.group(1)) if m.group(1).count(".") <= 1 else None
    if number is None:
        return None
    mult = dict(K.SIZE_UNITS).get((m.group(3) or "").lower(), 1)
    return int(number * mult)


def _from_detail(ctx: _MountContext, value: str) -> list[str]:
    if "$" in value:
        return ["⚠ `from` is not expanded: a variable here fails the build. Define an alias stage "
                "(`FROM ${IMAGE} AS deps`) and use `from=deps`."]
    analysis = ctx.state.analysis()
    doc = analysis.doc if analysis is not None else None
    if doc is not None:
        for stage in doc.stages:
            if stage.name and stage.name == value.lower():
                line = stage.from_instruction.line + 1
                if stage.index >= ctx.instr.stage:
                    return [f"⚠ Stage `{stage.name}` (line {line}) is not defined before this RUN: BuildKit "
                            "fails the build (or looks for an image of that name)."]
                return [f"The stage `{stage.name}` (line {line}, `FROM {stage.base}`)."]
    return [f"Not a stage of this Dockerfile: a named build context or an image ({_code(value)})."]


def _id_detail(ctx: _MountContext, value: str) -> list[str]:
    analysis = ctx.state.analysis()
    if analysis is None:
        return []
    others = []
    for facts in analysis.run_facts():
        for cm in facts.cache_mounts:
            if cm.mount.flag.start == ctx.mount.flag.start:
                continue
            ident = cm.mount.value("id") or (posixpath.normpath(cm.mount.target) if cm.mount.target else None)
            if ident == value:
                others.append(str(facts.instr.line + 1))
    if others:
        plural = "s" if len(others) > 1 else ""
        return [f"Shares its cache with the mount{plural} on line{plural} "
                f"{', '.join(others)} (same id)."]
    return []


def _unknown_key_hover(opt: MountOption, mtype: str) -> HoverResult:
    import difflib
    valid = [k for k in K.ALL_KEYS if mtype in K.OPTIONS_BY_SPELLING[k].accepted_by]
    guess = difflib.get_close_matches(opt.key, valid, 1, 0.6)
    hint = f" Did you mean `{guess[0]}`?" if guess else ""
    keys = ", ".join(f"`{k}`" for k in valid)
    end = opt.key_end if opt.value is not None else opt.end
    return _result([f"⚠ **`{opt.key}`** is not a `--mount` option: BuildKit fails the build.{hint}",
                    f"A {mtype} mount takes: {keys}.", _link(K.MOUNT_URL)], opt.start, end)


def _whole_mount_hover(ctx: _MountContext, flag: Flag, mtype: str) -> HoverResult:
    spec = K.RUN_FLAGS["mount"]
    tdoc = K.MOUNT_TYPE_DOCS.get(mtype)
    if tdoc is None:   # an unknown type: CM301 says so; the flag's own doc still helps
        parts = [f"**`RUN --mount`** · {_since(spec.since)}", spec.doc]
    else:
        explicit = ctx.mount.get("type") is not None
        parts = [f"**`RUN --mount`** · a **{mtype}** mount{'' if explicit else ' (the default type)'} · "
                 f"{_since(spec.since)}",
                 _in_this_run(_context(ctx, "", mtype)), tdoc.doc]
        if mtype == "cache":   # same paragraph: the hover budget (tests/editor/test_hover_budget.py)
            parts[-1] += " " + LC.EPHEMERAL_NOTE.format(issue=LC.CACHE_MOUNT_EXPORT_ISSUE)
    parts.append(_link(K.TYPE_URLS.get(mtype, spec.url)))
    return _result(parts, flag.start, flag.end)


# -- context: managers, users -----------------------------------------------------------------------

def _context(ctx: _MountContext, key: str, mtype: str, value_hover: bool = False) -> list[str]:
    """The facts of this RUN that bear on `key` ('' for the whole mount), one item each."""
    if mtype != "cache":
        return []
    facts = ctx.facts()
    if facts is None:
        return []
    out: list[str] = []
    if key in ("", "type", "target", "id"):
        out.extend(_manager_lines(ctx, facts))
    if key == "target":
        out.extend(_home_lines(ctx, facts))
    if key in ("uid", "gid", "mode") or (key == "" and not facts.ctx.user.is_root):
        out.extend(_owner_lines(ctx, facts, key))
    if key == "sharing":
        out.extend(_sharing_lines(ctx, facts))
    return out


def _who(facts: "RunFacts") -> str:
    from ..rules.base import who
    return who(facts)


def _who_from(facts: "RunFacts") -> str:
    """'USER app (uid 1001, USER line 3)' / 'root': who runs the RUN and where that comes from."""
    user = facts.ctx.user
    source = getattr(user, "source", "") or ""
    if user.is_root or not source or source == "default":
        return _who(facts)
    if user.uid is not None and not str(user.spec).isdigit():
        return f"USER {user.spec} (uid {user.uid}; {source})"
    return f"USER {user.spec} ({source})"


def _managers(facts: "RunFacts") -> list[tuple["ManagerSpec", list, list]]:
    """(manager spec, resolved caches, caches whose dir is unknown) for each manager that
    downloads or reads packages in this RUN."""
    seen: dict[str, tuple["ManagerSpec", list, list]] = {}
    for f in facts.invocations:
        if f.inv.role not in ("download", "consume"):
            continue
        manager = f.inv.manager
        entry = seen.setdefault(manager.key, (manager, [], []))
        for rc in f.caches:
            if rc.path:
                if all(rc.path != other.path for other in entry[1]):
                    entry[1].append(rc)
            elif all(rc.why != other.why for other in entry[2]):
                entry[2].append(rc)
    return list(seen.values())


def _because(why: str) -> str:
    """The engine's `why` ('HOME', 'PIP_CACHE_DIR', '--cache-dir', 'default for root') as a
    parenthetical; empty for a plain default (the user is named already)."""
    if why.startswith("default"):
        return ""
    if why.startswith("-"):
        return f" (set by its {why} option)"
    if re.fullmatch(r"[A-Z_][A-Z0-9_]*", why):
        return f" (set by ${why})"
    return f" ({why})"


def _manager_lines(ctx: _MountContext, facts: "RunFacts") -> list[str]:
    from ..semantics import cachedirs

    target = ctx.resolved_target()
    managers = _managers(facts)
    opt = ctx.mount.get("target")
    if opt is None:
        return []
    if target is None:
        return [f"the target {_code(opt.value or '')} uses a variable that is not known here, so it cannot be "
                "checked against the package managers' cache dirs."]
    if not managers:
        return [f"no known package manager runs here, so nothing is known to use {_code(target)}."]
    who = _who(facts)
    lines = []
    for manager, caches, unknown in managers:
        display = getattr(manager, "display", str(manager))
        covered = [rc for rc in caches if cachedirs.covers(target, rc)]
        if covered:
            for rc in covered:
                lines.append(f"✓ matches: {display} caches in {_code(rc.path)} for {who}{_because(rc.why)}")
            continue
        intended = cachedirs.intended_for(target, manager)
        if caches and (intended or len(managers) == 1):
            where = " and ".join(f"{_code(rc.path)}{_because(rc.why)}" for rc in caches)
            lines.append(f"✗ {display} caches in {where} for {who}, not in {_code(target)}: "
                         f"{display} never uses this mount")
        if unknown and (intended or len(managers) == 1):
            for rc in unknown:
                lines.append(f"? {display}: its cache dir is not known here ({rc.why})")
    if not lines:
        names = ", ".join(getattr(m, "display", str(m)) for m, _, _ in managers)
        lines.append(f"no package manager in this RUN ({names}) caches in {_code(target)}")
    return lines


def _home_lines(ctx: _MountContext, facts: "RunFacts") -> list[str]:
    """Who owns the mount point: BuildKit makes a missing target and its parents as root."""
    from ..fixing.cache_mount import home_dirs_to_make, under_home

    target, user, analysis = ctx.resolved_target(), facts.ctx.user, ctx.state.analysis()
    if target is None or analysis is None or not under_home(user, [target]):
        return []
    if user.home_made and not home_dirs_to_make(analysis, facts, user, [target]):
        return [f"**Owner** ✓: an earlier step makes {_code(target)} as this user, so the mount point is theirs."]
    return [f"**Owner**: BuildKit creates a missing target and its parents as root (moby/buildkit#3153), "
            f"leaving root-owned dirs in {_code(user.home or '')}: add `RUN mkdir -p {target}` after `USER` "
            "first, as the fix does."]


def _owner_lines(ctx: _MountContext, facts: "RunFacts", key: str) -> list[str]:
    user = facts.ctx.user
    who = _who(facts)
    long = _who_from(facts)
    if user.is_root:
        return [f"runs as {long}, which can write to the cache dir whatever its owner; `uid`/`gid` matter only "
                "under a non-root `USER`."]
    if user.uid is None:
        return [f"runs as {long}, whose uid is not known here; a new cache dir is root's (mode 0755) unless "
                "`uid=`/`gid=` give that user's ids."]
    env = ctx.env()
    from ..document.expand import expand

    def val(k: str) -> str | None:
        o = ctx.mount.get(k)
        if o is None or o.value is None:
            return None
        return expand(o.value, env)

    uid, gid, mode = val("uid"), val("gid"), val("mode")
    gid_want = user.gid if user.gid is not None else user.uid
    world_writable = mode is not None and re.fullmatch(r"[0-7]+", mode) and int(mode, 8) & 0o002
    if ctx.mount.get("uid") is None:
        if world_writable:
            return [f"runs as {long}; there is no `uid=`, but `mode={mode}` makes a new cache dir writable by "
                    "anyone."]
        return [f"✗ runs as {long}. Without `uid=`, a new cache dir is root's (mode 0755) and not writable "
                f"by it: add `uid={user.uid},gid={gid_want}`."]
    if uid is None:
        return [f"runs as {long}; `uid` uses a variable not known here."]
    if not uid.isdigit():
        return [f"runs as {long}; `uid={uid}` is not a number (BuildKit fails)."]
    lines = []
    if int(uid) == user.uid:
        lines.append(f"✓ `uid={uid}` is {long}: a new cache dir is writable by this RUN.")
    elif world_writable:
        lines.append(f"`uid={uid}` is not {who}, but `mode={mode}` lets anyone write.")
    else:
        lines.append(f"✗ `uid={uid}`, but this RUN runs as {long}: a new cache dir owned by uid {uid} "
                     f"(mode {mode or '0755'}) is not writable by it. Use `uid={user.uid}`.")
    if key == "gid" and gid is not None and gid.isdigit() and int(gid) != gid_want:
        lines.append(f"`gid={gid}` differs from the user's group ({gid_want}).")
    return lines


def _sharing_lines(ctx: _MountContext, facts: "RunFacts") -> list[str]:
    """What the managers whose cache this mount holds need, from the tables (CacheSpec.sharing)."""
    from ..semantics import cachedirs

    target = ctx.resolved_target()
    if target is None:
        return []
    locked: list[str] = []
    fine: list[str] = []
    for manager, caches, _ in _managers(facts):
        display = getattr(manager, "display", str(manager))
        for rc in caches:
            if cachedirs.covers(target, rc):
                (locked if getattr(rc.spec, "sharing", None) == "locked" else fine).append(display)
    opt = ctx.mount.get("sharing")
    current = (ctx.expanded(opt) or "").lower() if opt is not None else "shared"
    if locked:
        names = ", ".join(dict.fromkeys(locked))
        needs = f"{names} need{'s' if len(set(locked)) == 1 else ''} exclusive access to this cache"
        if current == "locked":
            return [f"✓ {needs}, and `locked` gives it."]
        if current == "private":
            return [f"{needs}: `private` gives it with a new copy per concurrent build; `locked` makes them "
                    "wait and keeps one cache."]
        return [f"✗ {needs}: use `sharing=locked`."]
    if fine:
        works = f"{', '.join(dict.fromkeys(fine))} work{'s' if len(set(fine)) == 1 else ''} with `shared`"
        if current == "locked":
            return [f"{works}, the default; `locked` only makes concurrent builds wait."]
        if current == "private":
            return [f"{works}, the default; `private` only gives concurrent builds separate copies."]
        if current == "shared":
            return [f"✓ {works}."]
    return []


__all__ = ["HoverResult", "hover_at", "to_plain"]

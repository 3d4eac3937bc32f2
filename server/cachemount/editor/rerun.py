"""Layer-cache insight in the editor: the "Re-runs when" hover on an instruction's keyword and the
code lens above install steps that re-run on every source edit. Markdown and spans only; the
model is semantics/cache_keys.py."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..knowledge import layer_cache as K
from ..rules.base import DOCS_URL

if TYPE_CHECKING:
    from ..document.model import Instruction
    from ..semantics.cache_keys import Model
    from ..semantics.pipeline import Analysis

_MAX_LISTED = 3


@dataclass(frozen=True)
class Lens:
    start: int       # the instruction's keyword span (code points)
    end: int
    title: str


def model_of(analysis: "Analysis") -> "Model":
    """One model per analysis (the language server keeps one analysis per document version)."""
    from ..semantics.cache_keys import build_model
    got = analysis.memo.get(("cache_keys", -1))
    if got is None:
        got = analysis.memo[("cache_keys", -1)] = build_model(analysis)
    return got  # type: ignore[return-value]


def hover_markdown(analysis: "Analysis", instr: "Instruction") -> list[str] | None:
    """Markdown parts for a hover on `instr`'s keyword (None: nothing to say)."""
    from ..semantics.cache_keys import one_line, summary
    model = model_of(analysis)
    if instr.keyword not in K.STEP_KEYWORDS:
        return _metadata_hover(model, instr)
    step = model.step_at(instr.index)
    if step is None:
        return None
    pos = model.position(step)
    inputs = model.effective(pos)
    causes = summary(inputs) + ["this line, or one above it in its stage, is edited"]
    parts = [f"**Layer cache** · {instr.keyword} line {instr.line + 1}" +
             ("" if step.built else " · _not built for the last stage_"),
             "**Re-runs when**\n" + "\n".join(f"- {c}" for c in causes)]
    later = model.later_installs(pos)
    if later:
        listed = ", ".join(f"line {s.instr.line + 1} ({', '.join(s.managers)})" for s in later[:_MAX_LISTED])
        more = f" and {len(later) - _MAX_LISTED} more" if len(later) > _MAX_LISTED else ""
        parts.append(f"**Then re-runs** {len(later)} install{'s' if len(later) > 1 else ''}: {listed}{more}")
    broad = _broad_copy(inputs)
    if broad is not None and (step.install or later):
        copy = _instruction_on(analysis, broad)
        what = one_line(analysis.doc, copy) if copy is not None else f"the COPY on line {broad + 1}"
        parts.append(f"Every source edit re-runs the install{'s' if len(later) > 1 else ''}: `{what}` (line "
                     f"{broad + 1}) copies the whole context first. Copy the manifests before the install "
                     f"([CM201]({DOCS_URL.format(code='CM201')})).")
    return parts


def _metadata_hover(model: "Model", instr: "Instruction") -> list[str] | None:
    if instr.keyword not in ("ARG", "ENV"):
        return None
    what = "a build arg declared here (`--build-arg`)" if instr.keyword == "ARG" else "this value"
    first = next((s for s in model.steps if s.instr.index > instr.index and s.stage == instr.stage
                  and s.instr.keyword == "RUN"), None)
    start = f" from line {first.instr.line + 1}" if first is not None else ""
    return [f"**Layer cache** · {instr.keyword} is not a build step",
            f"Changing {what} re-runs every later RUN of this stage{start} (a RUN's environment is part "
            "of its cache key) and the COPY, ADD and WORKDIR lines that use it."]


def _instruction_on(analysis: "Analysis", line: int) -> "Instruction | None":
    """The instruction whose keyword is on 0-based `line` (an Input names the line that reads it)."""
    return next((i for i in analysis.doc.instructions if i.line == line), None)


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _broad_copy(inputs) -> int | None:
    for inp in inputs:
        if inp.kind in ("files", "bind-mount") and inp.whole_context:
            return inp.line
    return None


def code_lenses(analysis: "Analysis") -> list[Lens]:
    """A lens above each install step that re-runs on any change to the build context."""
    from ..semantics.cache_keys import one_line
    model = model_of(analysis)
    out = []
    for pos, step in enumerate(model.steps):
        if not step.install:
            continue
        broad = _broad_copy(model.effective(pos))
        if broad is None:
            continue
        copy = _instruction_on(analysis, broad)
        what = _short(one_line(analysis.doc, copy)) if copy is not None else "COPY"
        out.append(Lens(step.instr.start, step.instr.keyword_end,
                        f"re-runs on any change to the build context ({what} line {broad + 1})"))
    return out

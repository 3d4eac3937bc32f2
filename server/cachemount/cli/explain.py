"""`cachemount explain`: which build steps a change re-runs, and what invalidates each step.
I/O and rendering only; the model is semantics/cache_keys.py. JSON schema: docs/explain.md."""
from __future__ import annotations

import json
import os
import sys

SCHEMA = "cachemount-explain/1"


class ExplainError(Exception):
    pass


def add_parser(sub):
    p = sub.add_parser("explain", help="which build steps re-run when files or build args change")
    p.add_argument("dockerfile", metavar="DOCKERFILE", nargs="?",
                   help="the Dockerfile (default: ./Dockerfile; after --changed, separate it with `--` "
                        "or give it last)")
    p.add_argument("--changed", nargs="+", action="extend", default=None, metavar="PATH",
                   help="changed files, relative to the current directory (as `git diff --name-only` prints "
                        "them at the repository root); '-' reads one per line from stdin")
    p.add_argument("--changed-arg", nargs="+", action="extend", default=[], metavar="NAME",
                   help="build args whose value differs from the last build")
    p.add_argument("--context", metavar="DIR", help="the build context (default: the Dockerfile's directory)")
    p.add_argument("--target", metavar="STAGE", help="the stage built (default: the last)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    return p


def run(args) -> int:
    from ..build_context import ContextError, given
    from ..document.scanner import parse
    from ..semantics.cache_keys import build_model
    from ..semantics.pipeline import analyze
    from ..textio import TextError, read

    _take_dockerfile(args)
    try:
        text = read(args.dockerfile).text
    except TextError as exc:
        raise ExplainError(f"{args.dockerfile}: {exc}") from None
    root = args.context if args.context is not None else os.path.dirname(os.path.abspath(args.dockerfile))
    try:
        context = given(root, args.dockerfile, "--context")
    except ContextError as exc:
        raise ExplainError(f"--context {exc}") from None
    doc = parse(text)
    model = build_model(analyze(text, doc), args.target)
    changed = None
    if args.changed is not None or args.changed_arg:
        changed = _changed(args.changed or [], args.changed_arg, context)
    report = _report(args.dockerfile, context, model, changed)
    out = json.dumps(report, indent=2, ensure_ascii=False) + "\n" if args.format == "json" else _text(report)
    sys.stdout.write(out)
    return 0


def _take_dockerfile(args) -> None:
    """`explain --changed a.py b.py Dockerfile`: --changed took every word, the Dockerfile too.
    Its last word is the Dockerfile when it names one that exists."""
    from ..document.names import is_dockerfile_name
    if args.dockerfile is None and args.changed:
        last = args.changed[-1]
        if is_dockerfile_name(os.path.basename(last)) and os.path.isfile(last):
            args.dockerfile = args.changed.pop()
    if args.dockerfile is None:
        args.dockerfile = "Dockerfile"


def _changed(paths: list[str], build_args: list[str], context) -> dict:
    from ..semantics.cache_keys import changed_for_context
    if "-" in paths:
        paths = [p for p in paths if p != "-"] + [line.strip() for line in sys.stdin if line.strip()]
    inside: list[str] = []
    outside: list[str] = []
    for p in paths:
        rel = os.path.relpath(os.path.abspath(p), context.root).replace(os.sep, "/")
        if rel == ".." or rel.startswith("../"):
            outside.append(p)   # as given
        else:
            inside.append(rel)
    seen, ignored = changed_for_context(inside, context.excluded if context.usable else (lambda _p: False))
    return {"paths": seen, "ignored": ignored, "outside_context": outside,
            "build_args": list(dict.fromkeys(build_args))}


def _report(dockerfile: str, context, model, changed: dict | None) -> dict:
    from ..semantics.cache_keys import one_line, summary
    doc = model.doc
    predicted = model.predict(changed["paths"], changed["build_args"]) if changed is not None else {}
    steps = []
    for pos, step in enumerate(model.steps):
        stage = doc.stages[step.stage]
        start, _ = doc.position(step.instr.start)
        end, _ = doc.position(max(step.instr.end, step.instr.args_end))
        reruns = None if changed is None else (step.built and pos in predicted)
        steps.append({
            "line": start + 1, "end_line": end + 1,
            "stage": {"index": stage.index, "name": stage.name},
            "built": step.built,
            "instruction": step.instr.keyword,
            "text": one_line(doc, step.instr),
            "install": step.install, "managers": list(step.managers),
            "invalidated_by": [_input(i) for i in model.effective(pos)],
            "invalidated_by_truncated": pos in model.truncated,
            "summary": summary(model.effective(pos)),
            "reruns": reruns,
            # false: re-runs only if a RUN in another stage changes the files this step copies from it
            "certain": None if not reruns else any(r.certain for r in predicted[pos]),
            "reasons": [_reason(r) for r in predicted.get(pos, [])] if reruns else [],
        })
    target = doc.stages[model.target] if model.target >= 0 else None
    return {
        "schema": SCHEMA,
        "dockerfile": dockerfile,
        "context": context.root,
        "target": {"index": target.index, "name": target.name} if target else None,
        "changed": changed,
        "steps": steps,
    }


def _input(i) -> dict:
    out = {"kind": i.kind, "detail": i.detail, "line": i.line + 1}
    if i.patterns:
        out["patterns"] = list(i.patterns)
    if i.excludes:
        out["excludes"] = list(i.excludes)
    if i.name is not None:
        out["name"] = i.name
    if i.kind in ("base-image", "image", "remote"):
        out["pinned"] = i.pinned
    return out


def _reason(r) -> dict:
    out = {"kind": r.kind, "detail": r.detail, "line": r.line + 1, "certain": r.certain}
    if r.paths:
        out["paths"] = list(r.paths)
    if r.name is not None:
        out["name"] = r.name
    return out


# -- text ---------------------------------------------------------------------------------------

def _label(step: dict) -> str:
    stage = step["stage"]["name"] or f"stage {step['stage']['index']}"
    install = f"  [install: {', '.join(step['managers'])}]" if step["install"] else ""
    return f"line {step['line']:<4} {_short(step['text'])}  ({stage}){install}"


def _short(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _text(report: dict) -> str:
    from .output import escape_controls
    lines = []
    built = [s for s in report["steps"] if s["built"]]
    target = report["target"]
    name = (target["name"] or f"stage {target['index']}") if target else "none"
    lines.append(f"{report['dockerfile']}: {len(built)} build steps for target {name} (context {report['context']})")
    changed = report["changed"]
    if changed is None:
        for step in built:
            lines.append(_label(step))
            for cause in step["summary"] or ["nothing but an edit of the Dockerfile"]:
                lines.append(f"    re-runs when {cause}")
        lines.append("Each step also re-runs when it or a step above it in its stage is edited.")
        return _joined(lines, escape_controls)
    what = [f"{len(changed['paths'])} changed path(s)"]
    if changed["ignored"]:
        what.append(f"{len(changed['ignored'])} ignored by .dockerignore ({', '.join(changed['ignored'][:5])})")
    if changed["outside_context"]:
        what.append(f"{len(changed['outside_context'])} outside the build context")
    if changed["build_args"]:
        what.append("build args " + ", ".join(changed["build_args"]))
    lines.append("Change: " + "; ".join(what))
    rerun = [s for s in built if s["reruns"]]
    installs = [s for s in rerun if s["install"]]
    lines.append(f"Re-runs {len(rerun)} of {len(built)} steps" +
                 (f", {len(installs)} of them installs:" if installs else ", no install:" if rerun else "."))
    for step in rerun:
        lines.append("  " + _label(step) + ("" if step["certain"] else "  (maybe)"))
        lines.append("      because " + "; ".join(r["detail"] for r in step["reasons"]))
    cached = [s for s in built if not s["reruns"]]
    if cached:
        lines.append(f"Cached: {len(cached)} steps" + (
            " incl. installs at line " + ", ".join(str(s["line"]) for s in cached if s["install"])
            if any(s["install"] for s in cached) else ""))
    return _joined(lines, escape_controls)


def _joined(lines: list[str], escape) -> str:
    return "".join(escape(line) + "\n" for line in lines)

"""The two sets tests/buildkit/test_explain_agreement.py compares, for one rebuild after a change:
the Dockerfile steps BuildKit re-ran (read from its `--progress=plain` log and mapped strictly to
Dockerfile lines) and the steps `cachemount explain --changed ... --format json` says re-run.

How a log step maps to a line (BuildKit 0.8 in dockerd 20.10, as observed; see
/tmp/cm-explain-obs.md of issue 13):
- a header is `[LABEL N/M] TEXT`; LABEL is absent when the file has one stage, else the stage's
  name (lower case) or `stage-K` for the unnamed stage at 0-based index K among all stages;
- N counts the steps of that stage in file order: FROM (only when the stage starts from an image;
  `FROM <stage>` runs nothing and is not counted), RUN, COPY, ADD, WORKDIR; M is their number;
- TEXT is the instruction with continuations joined and ARG/ENV references EXPANDED, so the
  Dockerfile's text is matched with each `$NAME` / `${NAME}` as a wildcard.
A header whose label, position, count, keyword or text does not fit the Dockerfile, a step of a
stage that should not be built, two headers for one step, or a step of a built stage with no header
at all: each is an error, never skipped.

FROM is not compared: BuildKit shares one FROM vertex among all stages on the same image and labels
it with any one of them (it changes from build to build), and a local image's FROM shows CACHED in
some builds and not in others with nothing changed. A changed base image shows on the stage's other
steps, which all re-run, and those are compared.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.buildkit.harness import BuildResult

STEP_KEYWORDS = ("FROM", "RUN", "COPY", "ADD", "WORKDIR")
_VAR = re.compile(r"\\\$(?:\\\{[A-Za-z_][A-Za-z0-9_]*(?::[^}]*)?\\\}|[A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class DfStep:
    line: int            # 1-based line of the instruction
    stage: int
    keyword: str         # one of STEP_KEYWORDS
    text: str            # the instruction, continuations joined

    @property
    def logged(self) -> bool:
        return self.keyword != "FROM"


@dataclass
class DfStage:
    index: int
    name: str | None
    base: str            # FROM's image or stage name, as written
    steps: list[DfStep] = field(default_factory=list)
    needs: set[int] = field(default_factory=set)   # stages it copies from or starts from

    def numbered(self, stages: list["DfStage"]) -> list[DfStep]:
        """The steps BuildKit numbers N/M: without the FROM of a stage built on a stage."""
        on_stage = stage_index(stages[: self.index], self.base) is not None
        return [s for s in self.steps if not (s.keyword == "FROM" and on_stage)]


def stage_index(stages: list[DfStage], ref: str) -> int | None:
    """The stage `ref` names (a name, case-insensitive, or a number), among `stages`."""
    if ref.isdigit():
        return int(ref) if int(ref) < len(stages) else None
    return next((s.index for s in stages if s.name and s.name.lower() == ref.lower()), None)


def instructions(text: str) -> list[tuple[int, str]]:
    """(1-based line, text with continuations joined) of each instruction; comments dropped.
    Enough for the test Dockerfiles here (no escape directive, no heredocs)."""
    out: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for num, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue   # a comment inside a continued instruction
        if not current:
            start = num
        if raw.rstrip().endswith("\\"):
            current.append(raw.rstrip()[:-1])
            continue
        current.append(raw)
        out.append((start, "".join(current).strip()))
        current = []
    if current:
        out.append((start, "".join(current).strip()))
    return out


def parse_stages(text: str) -> list[DfStage]:
    stages: list[DfStage] = []
    for line, instr in instructions(text):
        keyword = instr.split(None, 1)[0].upper()
        if keyword == "FROM":
            words = [w for w in instr.split()[1:] if not w.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stage = DfStage(len(stages), name, words[0])
            base = stage_index(stages, words[0])
            if base is not None:
                stage.needs.add(base)
            stages.append(stage)
        elif not stages:
            continue   # a global ARG
        if keyword in STEP_KEYWORDS:
            stages[-1].steps.append(DfStep(line, len(stages) - 1, keyword, instr))
        # COPY --from takes a stage name or index; a mount's from= only a name (a number is an image).
        refs = re.findall(r"--from=(\S+)", instr) + [
            r for r in re.findall(r"--mount=\S*?\bfrom=([^\s,]+)", instr) if not r.isdigit()]
        for ref in refs:
            src = stage_index(stages[:-1], ref)
            if src is not None:
                stages[-1].needs.add(src)
    return stages


def built_stages(stages: list[DfStage], target: str | None) -> set[int]:
    """The stages BuildKit builds for `target` (default: the last): it and what it needs."""
    top = len(stages) - 1 if target is None else stage_index(stages, target)
    if top is None:
        raise ValueError(f"no stage {target!r}")
    todo, seen = [top], set()
    while todo:
        i = todo.pop()
        if i not in seen:
            seen.add(i)
            todo.extend(stages[i].needs)
    return seen


def _pattern(text: str) -> re.Pattern[str]:
    """The Dockerfile text as BuildKit prints it: whitespace runs collapsed, variables expanded."""
    return re.compile(_VAR.sub(".*?", re.escape(" ".join(text.split()))))


class MappingError(AssertionError):
    pass


def observed_reruns(result: BuildResult, stages: list[DfStage], target: str | None) -> set[int]:
    """Lines of the non-FROM steps BuildKit re-ran in `result` (no CACHED line)."""
    built = built_stages(stages, target)
    by_label: dict[str | None, DfStage] = {}
    for s in stages:
        by_label[s.name.lower() if s.name else f"stage-{s.index}"] = s
    if len(stages) == 1:
        by_label = {None: stages[0]}
    seen: dict[int, int] = {}
    reran: set[int] = set()
    errors: list[str] = []
    for step in result.steps:
        where = f"log step #{step.num} [{step.stage or ''} {step.index}/{step.total}] {step.instruction!r}"
        if step.instruction.split(None, 1)[0].upper() == "FROM":
            continue   # not compared (module docstring); its label may be any stage on that image
        stage = by_label.get(step.stage)
        if stage is None:
            errors.append(f"{where}: no stage labelled {step.stage!r} in the Dockerfile")
            continue
        if stage.index not in built:
            errors.append(f"{where}: stage {stage.index} should not be built for target {target!r}")
            continue
        numbered = stage.numbered(stages)
        if step.total != len(numbered) or not 1 <= step.index <= len(numbered):
            errors.append(f"{where}: stage {stage.index} has {len(numbered)} steps")
            continue
        df_step = numbered[step.index - 1]
        if df_step.keyword == "FROM" or not _pattern(df_step.text).fullmatch(" ".join(step.instruction.split())):
            errors.append(f"{where}: step {step.index} of stage {stage.index} is line {df_step.line}: {df_step.text!r}")
            continue
        if df_step.line in seen:
            errors.append(f"{where}: line {df_step.line} already mapped from log step #{seen[df_step.line]}")
            continue
        seen[df_step.line] = step.num
        if not step.cached:
            reran.add(df_step.line)
    for i in sorted(built):
        for df_step in stages[i].steps:
            if df_step.logged and df_step.line not in seen:
                errors.append(f"line {df_step.line} ({df_step.text!r}, stage {i}, built) has no step in the log")
    if errors:
        raise MappingError(f"cannot map the build log of {result.tag} to the Dockerfile:\n  " + "\n  ".join(errors)
                           + "\nsteps in the log:\n" + "\n".join(
                               f"  #{s.num} [{s.stage or ''} {s.index}/{s.total}] {'CACHED ' if s.cached else ''}"
                               f"{s.instruction}" for s in result.steps))
    return reran


# --- cachemount explain -------------------------------------------------------------------------

def explain(dockerfile: Path, cwd: Path, paths: list[str], args: list[str], target: str | None) -> dict:
    """`cachemount explain --changed ... --format json`, run in `cwd`; its parsed report. One path
    is given as an argument; several, or none (a change of nothing), as `--changed -` on stdin."""
    exe = shutil.which("cachemount", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-m", "cachemount"]
    # DOCKERFILE first: after `--changed PATH...` (nargs="+") it would be taken for a changed path.
    cmd += ["explain", str(dockerfile), "--format", "json", "--changed", paths[0] if len(paths) == 1 else "-"]
    for name in args:
        cmd += ["--changed-arg", name]
    if target:
        cmd += ["--target", target]
    stdin = "" if len(paths) == 1 else "".join(p + "\n" for p in paths)
    proc = subprocess.run(cmd, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"`{' '.join(cmd[1:])}` in {cwd} exited {proc.returncode}:\n{proc.stderr}")
    try:
        report = json.loads(proc.stdout)
    except ValueError as exc:
        raise AssertionError(f"`{' '.join(cmd[1:])}` printed no JSON ({exc}):\n{proc.stdout[:2000]}") from None
    if report.get("schema") != "cachemount-explain/1":
        raise AssertionError(f"unexpected schema {report.get('schema')!r}")
    return report


def predicted_reruns(report: dict) -> tuple[set[int], set[int]]:
    """Lines of the built non-FROM steps explain says re-run: (certain, uncertain). A step is
    uncertain when every reason it gives is `"certain": false` (a COPY --from a stage that re-runs
    re-runs only if the copied bytes change, which no static model can know); a reason without the
    field counts as certain."""
    certain: set[int] = set()
    uncertain: set[int] = set()
    for s in report["steps"]:
        if s["built"] and s["reruns"] and s["instruction"] != "FROM":
            sure = not s["reasons"] or any(r.get("certain", True) for r in s["reasons"])
            (certain if sure else uncertain).add(s["line"])
    return certain, uncertain


def predicted_from_reruns(report: dict) -> set[int]:
    return {s["line"] for s in report["steps"] if s["built"] and s["reruns"] and s["instruction"] == "FROM"}


def reasons(report: dict, lines: set[int]) -> str:
    """explain's view of `lines`: each step's text, verdict and reasons (for a failure message)."""
    out = []
    for s in report["steps"]:
        if s["line"] in lines:
            why = "; ".join(f"{r['kind']}: {r['detail']}" for r in s.get("reasons") or []) or "no reason"
            out.append(f"  line {s['line']} {s['text']!r}: built={s['built']} reruns={s['reruns']} ({why})")
    return "\n".join(out)


# --- tiny offline packages --------------------------------------------------------------------

def _fixed_zipinfo(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = 0o644 << 16
    return info


def wheel(name: str, version: str, source: str) -> tuple[str, bytes]:
    """(file name, bytes) of a pure-Python wheel holding `name/__init__.py` = `source`, made here
    so pip installs it with --no-index: no index, no network. The same bytes every call."""
    files = {
        f"{name}/__init__.py": source.encode(),
        f"{name}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{name}-{version}.dist-info/WHEEL":
            b"Wheel-Version: 1.0\nGenerator: cachemount-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(
        f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}\n"
        for path, data in files.items()) + f"{name}-{version}.dist-info/RECORD,,\n"
    files[f"{name}-{version}.dist-info/RECORD"] = record.encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in files.items():
            zf.writestr(_fixed_zipinfo(path), data)
    return f"{name}-{version}-py3-none-any.whl", buf.getvalue()


def npm_tarball(name: str, version: str, source: str) -> tuple[str, bytes]:
    """(file name, bytes) of an npm package tarball (`package/...`), installable as a `file:`
    dependency with --offline. The same bytes every call."""
    files = {"package/package.json": json.dumps({"name": name, "version": version, "main": "index.js"}).encode(),
             "package/index.js": source.encode()}
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tf.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        gz.write(raw.getvalue())
    return f"{name}-{version}.tgz", out.getvalue()

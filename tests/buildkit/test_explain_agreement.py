"""`cachemount explain --changed` against real BuildKit (issue 13): for each scenario, build once,
then for each kind of change (the base context restored before each) rebuild with --progress=plain
and assert that the steps BuildKit re-ran are exactly the steps explain predicted (`reruns: true`
among `built` steps). How log steps map to Dockerfile lines, and why FROM is not compared:
rerun_sets.py.

One exception, which explain states itself: a step whose every reason is `"certain": false` (a
COPY --from a stage that re-runs: BuildKit keys the copy on the copied bytes, so it is CACHED when
the stage's new output is byte-identical) may go either way; the table shows which way it went. Any
step explain is certain about, re-run or not, must match exactly.

One base build serves all the changes of a scenario: BuildKit's cache keeps the base build's
results, so each rebuild is compared with the base state, and every change writes content no
earlier build had (a build of content seen before would hit the cache). Installs are offline:
a wheel and an npm tarball made by the test and shipped in the context.

CACHEMOUNT_EXPLAIN_TABLE=FILE writes the agreement table (scenario x change) as markdown.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.buildkit.harness import BuildResult, parse_plain_progress
from tests.buildkit.rerun_sets import (MappingError, built_stages, explain, npm_tarball, observed_reruns,
                                       parse_stages, predicted_from_reruns, predicted_reruns, reasons, wheel)

WHEEL_NAME, WHEEL = wheel("tinydep", "1.0", "VALUE = 1\n")
TGZ_NAME, TGZ = npm_tarball("tinypad", "1.0.0", "module.exports = (s) => '[' + s + ']';\n")
PACKAGE_JSON = json.dumps({"name": "web", "version": "1.0.0", "private": True,
                           "dependencies": {"tinypad": f"file:vendor/{TGZ_NAME}"}}, indent=2) + "\n"


@dataclass
class Change:
    label: str
    files: dict[str, str] = field(default_factory=dict)        # context path -> new content
    args: dict[str, str] = field(default_factory=dict)         # build args that get a new value
    outside: dict[str, str] = field(default_factory=dict)      # repo path (outside the context) -> content


@dataclass
class Scenario:
    name: str
    dockerfile: str
    files: dict[str, str | bytes]
    changes: list[Change]
    subdir: str = ""              # where the context sits in the repo (explain runs at the repo root)
    target: str | None = None


NOTHING = Change("nothing edited (control)")

PIP_APP = Scenario(
    "pip-app",
    "FROM python:3.11-slim\n"
    "WORKDIR /app\n"
    "COPY requirements.txt ./\n"
    "COPY wheels/ ./wheels/\n"
    "RUN pip install --no-index --find-links=./wheels -r requirements.txt\n"
    "COPY . .\n"
    'CMD ["python", "app.py"]\n',
    {"requirements.txt": "tinydep==1.0\n", f"wheels/{WHEEL_NAME}": WHEEL,
     "app.py": "import tinydep\nprint('ok', tinydep.VALUE)\n", ".dockerignore": "*.log\n__pycache__/\n",
     "debug.log": "first run\n"},
    [NOTHING,
     Change("source edited (app.py)", {"app.py": "import tinydep\nprint('ok v2', tinydep.VALUE)\n"}),
     Change("manifest edited (comment in requirements.txt)", {"requirements.txt": "# pinned\ntinydep==1.0\n"}),
     Change("ignored file edited (debug.log)", {"debug.log": "second run\n"})],
)

NPM_APP = Scenario(
    "npm-app-in-subdir",
    "FROM node:18\n"
    "WORKDIR /usr/src/app\n"
    "COPY package.json ./\n"
    "COPY vendor/ ./vendor/\n"
    "RUN npm install --offline --no-audit --no-fund\n"
    "COPY . .\n"
    'CMD ["node", "index.js"]\n',
    {"package.json": PACKAGE_JSON, f"vendor/{TGZ_NAME}": TGZ,
     "index.js": "console.log(require('tinypad')('ok'));\n", ".dockerignore": "node_modules\n*.log\n",
     "npm-debug.log": "first\n"},
    [NOTHING,
     Change("source edited (index.js)", {"index.js": "console.log(require('tinypad')('ok v2'));\n"}),
     Change("manifest edited (version bump in package.json)",
            {"package.json": PACKAGE_JSON.replace('"1.0.0"', '"1.0.1"')}),
     Change("ignored file edited (npm-debug.log)", {"npm-debug.log": "second\n"}),
     Change("file outside the context edited (README.md at the repo root)", outside={"README.md": "edited\n"})],
    subdir="web",
)

MULTI_STAGE = (
    "FROM python:3.11-slim AS deps\n"
    "WORKDIR /deps\n"
    "COPY requirements.txt ./\n"
    "COPY wheels/ ./wheels/\n"
    "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
    "    pip install --no-index --find-links=./wheels --target=/deps/site -r requirements.txt\n"
    "\n"
    "FROM python:3.11-slim AS build\n"
    "WORKDIR /src\n"
    "COPY --from=deps /deps/site ./site\n"
    "COPY src/ ./src/\n"
    "RUN PYTHONPATH=site python src/main.py\n"
    "\n"
    "FROM python:3.11-slim AS test\n"
    "COPY tests/ /tests/\n"
    "RUN python -m compileall -q /tests\n"
    "\n"
    "FROM python:3.11-slim\n"
    "WORKDIR /app\n"
    "COPY --from=build /src ./\n"
    "COPY config.ini ./\n"
    'CMD ["python", "src/main.py"]\n'
)
MULTI_FILES: dict[str, str | bytes] = {
    "requirements.txt": "tinydep==1.0\n", f"wheels/{WHEEL_NAME}": WHEEL,
    "src/main.py": "import tinydep\nprint('ok', tinydep.VALUE)\n", "config.ini": "[app]\nmode = 1\n",
    "tests/test_main.py": "def test_ok():\n    assert True\n",
}
MULTI = Scenario(
    "multi-stage",
    MULTI_STAGE, MULTI_FILES,
    [NOTHING,
     Change("source edited (src/main.py)", {"src/main.py": "import tinydep\nprint('ok v2', tinydep.VALUE)\n"}),
     Change("manifest edited (comment in requirements.txt)", {"requirements.txt": "# pinned\ntinydep==1.0\n"}),
     Change("file only the final stage copies edited (config.ini)", {"config.ini": "[app]\nmode = 2\n"}),
     Change("file only an unbuilt stage copies edited (tests/test_main.py)",
            {"tests/test_main.py": "def test_ok():\n    assert 1\n"})],
)
MULTI_TARGET = Scenario(
    "multi-stage --target build",
    MULTI_STAGE, MULTI_FILES,
    [NOTHING,
     Change("source edited (src/main.py)", {"src/main.py": "import tinydep\nprint('ok v3', tinydep.VALUE)\n"}),
     Change("file only the (unbuilt) final stage copies edited (config.ini)", {"config.ini": "[app]\nmode = 3\n"})],
    target="build",
)

# The deps stage's output does not depend on the edit: without .pyc files (--no-compile) pip writes
# the same bytes each time, so BuildKit keeps the COPY --from CACHED although the stage re-ran.
SAME_OUTPUT = Scenario(
    "multi-stage, stage output byte-identical",
    "FROM python:3.11-slim AS deps\n"
    "WORKDIR /deps\n"
    "COPY requirements.txt ./\n"
    "COPY wheels/ ./wheels/\n"
    "RUN pip install --no-compile --no-index --find-links=./wheels --target=/deps/site -r requirements.txt\n"
    "\n"
    "FROM python:3.11-slim\n"
    "WORKDIR /app\n"
    "COPY --from=deps /deps/site ./site\n"
    "COPY app.py ./\n"
    'CMD ["python", "app.py"]\n',
    {"requirements.txt": "tinydep==1.0\n", f"wheels/{WHEEL_NAME}": WHEEL,
     "app.py": "import sys\nsys.path.insert(0, 'site')\nimport tinydep\nprint(tinydep.VALUE)\n"},
    [NOTHING,
     Change("manifest edited (comment in requirements.txt)", {"requirements.txt": "# pinned\ntinydep==1.0\n"}),
     Change("source edited (app.py)", {"app.py": "import sys\nsys.path.insert(0, 'site')\nimport tinydep\n"})],
)

ARGS = Scenario(
    "build-args",
    "ARG BASE=local/debian:bookworm\n"
    "ARG GLOBAL_ONLY=1\n"
    "FROM python:3.11-slim AS tools\n"
    "ARG TOOL_VERSION=1\n"
    "ARG TOOLS_NOTE=none\n"
    'RUN echo "tool $TOOL_VERSION" > /tool.txt\n'
    "\n"
    "FROM ${BASE}\n"
    "ARG UNUSED_FLAG=off\n"
    "ARG APP_MODE=dev\n"
    "WORKDIR /app\n"
    "COPY app.txt ./\n"
    "ENV MODE=${APP_MODE} G=${GLOBAL_ONLY}\n"
    'RUN echo "mode=$MODE g=$G" > mode.txt\n'
    "COPY --from=tools /tool.txt ./\n"
    "ARG LATE=1\n"
    "RUN cat tool.txt mode.txt\n",
    {"app.txt": "app\n"},
    [NOTHING,
     Change("ARG declared, used by no step, changed (UNUSED_FLAG)", args={"UNUSED_FLAG": "on"}),
     Change("ARG an ENV derives from changed (APP_MODE)", args={"APP_MODE": "prod"}),
     Change("ARG used in another stage's RUN changed (TOOL_VERSION)", args={"TOOL_VERSION": "2"}),
     Change("ARG of another stage changed, its output byte-identical (TOOLS_NOTE)", args={"TOOLS_NOTE": "x"}),
     Change("global ARG used in FROM changed (BASE: debian -> python)", args={"BASE": "local/python:3.11-slim"}),
     Change("global ARG not re-declared in the stage, named in its ENV, changed (GLOBAL_ONLY)",
            args={"GLOBAL_ONLY": "2"}),
     Change("ARG declared after some steps changed (LATE)", args={"LATE": "2"}),
     Change("source edited (app.txt)", {"app.txt": "app v2\n"})],
)

BIND = Scenario(
    "bind-mount",
    "FROM python:3.11-slim\n"
    "WORKDIR /app\n"
    "RUN --mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt \\\n"
    "    --mount=type=bind,source=wheels,target=/tmp/wheels \\\n"
    "    pip install --no-index --find-links=/tmp/wheels -r /tmp/requirements.txt\n"
    "WORKDIR /app/src\n"
    "COPY app.py ./\n"
    'RUN python -c "import tinydep; print(tinydep.VALUE)"\n',
    {"requirements.txt": "tinydep==1.0\n", f"wheels/{WHEEL_NAME}": WHEEL,
     "app.py": "print('ok')\n", "README.md": "notes\n"},
    [NOTHING,
     Change("source edited (app.py)", {"app.py": "print('ok v2')\n"}),
     Change("bind-mounted manifest edited (requirements.txt)", {"requirements.txt": "# pinned\ntinydep==1.0\n"}),
     Change("context file no step reads edited (README.md)", {"README.md": "more notes\n"})],
)

PATTERNS = Scenario(
    "copy-patterns",
    "FROM debian:bookworm AS gen\n"
    "COPY gen.sh /gen.sh\n"
    "RUN sh /gen.sh > /out.txt\n"
    "\n"
    "FROM python:3.11-slim\n"
    "ARG GREETING\n"
    "WORKDIR /srv\n"
    "COPY *.cfg ./\n"
    "ADD data/ ./data/\n"
    'RUN --mount=type=bind,from=gen,source=/out.txt,target=/tmp/out.txt cat /tmp/out.txt && echo "$GREETING"\n'
    "COPY --from=0 /out.txt ./\n"
    "COPY keep/ ./keep/\n",
    {"gen.sh": "echo generated v1\n", "a.cfg": "a = 1\n", "notes.txt": "notes\n", "data/x.json": "{}\n",
     "keep/trace.log": "trace\n", "keep/important.log": "important\n",
     ".dockerignore": "keep/*.log\n!keep/important.log\n"},
    [NOTHING,
     Change("file a COPY glob matches edited (a.cfg)", {"a.cfg": "a = 2\n"}),
     Change("file no COPY/ADD pattern matches edited (notes.txt)", {"notes.txt": "more notes\n"}),
     Change("file under an ADD directory edited (data/x.json)", {"data/x.json": "{\"v\": 2}\n"}),
     Change("file of stage 0 edited, read via bind from=gen and COPY --from=0 (gen.sh)",
            {"gen.sh": "echo generated v2\n"}),
     Change("ignored file edited (keep/trace.log)", {"keep/trace.log": "trace 2\n"}),
     Change("file re-included by ! edited (keep/important.log)", {"keep/important.log": "important 2\n"}),
     Change("ARG without default given a value (GREETING)", args={"GREETING": "hi"}),
     Change("two files edited, paths on stdin (notes.txt, data/x.json)",
            {"notes.txt": "notes 3\n", "data/x.json": "{\"v\": 3}\n"})],
)

SCENARIOS = [PIP_APP, NPM_APP, MULTI, MULTI_TARGET, SAME_OUTPUT, ARGS, BIND, PATTERNS]


@dataclass
class Row:
    change: str
    explain_args: str
    predicted: set[int]          # reruns, certain
    uncertain: set[int]          # reruns, every reason "certain": false
    observed: set[int]
    from_predicted: set[int]
    seconds: float
    detail: str = ""
    unmapped: bool = False

    @property
    def agree(self) -> bool:
        return not self.unmapped and self.predicted <= self.observed <= self.predicted | self.uncertain


RESULTS: dict[str, list[Row]] = {}
DAEMON: dict[str, str] = {}


def _write(root: Path, files: Mapping[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def _lines(stages, lines: set[int]) -> str:
    text = {s.line: s.text for st in stages for s in st.steps}
    return "\n".join(f"    {n}: {text.get(n, '?')}" for n in sorted(lines)) or "    (none)"


def _build(bk, s: Scenario, files: dict, args: dict[str, str]) -> BuildResult:
    extra = [a for name, value in args.items() for a in ("--build-arg", f"{name}={value}")]
    if s.target:
        extra += ["--target", s.target]
    result = bk.build(s.dockerfile, files, "explain-" + re.sub(r"[^a-z0-9]+", "-", s.name).strip("-"), extra)
    assert result.ok, f"build of {s.name} failed (rc {result.rc}):\n{result.dockerfile}\n" + \
        "\n".join(result.log.splitlines()[-40:])
    return result


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_explain_predicts_the_steps_buildkit_reruns(bk, bk_report, s: Scenario):
    stages = parse_stages(s.dockerfile)
    built = built_stages(stages, s.target)
    DAEMON.setdefault("version", bk.docker("version", "--format", "{{.Server.Version}}").stdout.strip())
    bk.prune()   # no result of an earlier run may satisfy a change build
    base = _build(bk, s, dict(s.files), {})
    first = observed_reruns(base, stages, s.target)   # maps (or fails) on the cold build too
    steps = {st.line for i in built for st in stages[i].steps if st.logged}
    assert first == steps, f"cold build: steps CACHED:\n{_lines(stages, steps - first)}"

    rows: list[Row] = []
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="cm-explain-repo-") as tmp:
        repo = Path(tmp)
        ctx = repo / s.subdir
        for change in s.changes:
            # The repo as `git diff --name-only` would see it after the edit: explain reads it.
            _write(ctx, s.files)
            (ctx / "Dockerfile").write_text(s.dockerfile)
            _write(ctx, change.files)
            _write(repo, change.outside)
            paths = [str(Path(s.subdir, p)) for p in change.files] + list(change.outside)
            t0 = time.monotonic()
            result = _build(bk, s, {**s.files, **change.files}, change.args)
            seconds = time.monotonic() - t0
            dockerfile_arg = str(Path(s.subdir, "Dockerfile"))
            report = explain(Path(dockerfile_arg), repo, paths, list(change.args), s.target)
            given = [f"--changed {paths[0]}" if len(paths) == 1 else f"--changed - (stdin: {', '.join(paths) or 'empty'})"]
            explain_args = " ".join(given + [f"--changed-arg {a}" for a in change.args]
                                    + ([f"--target {s.target}"] if s.target else []))
            try:
                observed = observed_reruns(result, stages, s.target)
            except MappingError as exc:
                problems.append(f"[{change.label}] {exc}")
                rows.append(Row(change.label, explain_args, set(), set(), set(), set(), seconds, str(exc), True))
                continue
            predicted, uncertain = predicted_reruns(report)
            explain_built = {st["stage"]["index"] for st in report["steps"] if st["built"]}
            row = Row(change.label, explain_args, predicted, uncertain, observed, predicted_from_reruns(report),
                      seconds)
            if explain_built != built:
                problems.append(f"[{change.label}] explain says stages {sorted(explain_built)} are built; "
                                f"BuildKit built {sorted(built)} (target {s.target!r})")
            if not row.agree:
                row.detail = ("predicted (certain):\n" + _lines(stages, predicted)
                              + "\npredicted (uncertain, either way accepted):\n" + _lines(stages, uncertain)
                              + "\nobserved (BuildKit re-ran):\n" + _lines(stages, observed)
                              + "\nexplain's verdicts on the differing steps:\n"
                              + reasons(report, (predicted - observed) | (observed - predicted - uncertain)))
                problems.append(f"[{change.label}] `cachemount explain {dockerfile_arg} {explain_args}` "
                                f"disagrees with BuildKit\n{row.detail}")
            rows.append(row)
            for rel in change.outside:
                (repo / rel).unlink()
    RESULTS[s.name] = rows
    agreed = sum(r.agree for r in rows)
    bk_report(f"explain agreement, {s.name}: {agreed}/{len(s.changes)} changes agree")
    assert not problems, f"scenario {s.name}:\n" + "\n\n".join(problems)


@pytest.fixture(scope="module", autouse=True)
def _agreement_table():
    yield
    out = os.environ.get("CACHEMOUNT_EXPLAIN_TABLE")
    if out and RESULTS:
        Path(out).write_text(agreement_markdown())


def _fmt(lines: set[int]) -> str:
    return ", ".join(map(str, sorted(lines))) or "none"


def agreement_markdown() -> str:
    rows = [r for rs in RESULTS.values() for r in rs]
    out = [
        "# `cachemount explain --changed` against real BuildKit",
        "",
        f"`tests/buildkit/test_explain_agreement.py`, {time.strftime('%Y-%m-%d')}: dockerd "
        f"{DAEMON.get('version', '?')}, its built-in BuildKit, --progress=plain. "
        f"{sum(r.agree for r in rows)}/{len(rows)} changes agree.",
        "",
        "Each scenario is built once; each change is applied to that base context and rebuilt. *Observed* = the",
        "Dockerfile lines of the steps BuildKit re-ran (no CACHED line); *predicted* = the lines of the built steps",
        "explain marks `reruns: true` with a certain reason; *uncertain* = those whose every reason is",
        "`certain: false` (COPY --from a re-run stage: BuildKit re-runs it only if the copied bytes differ), either",
        "outcome accepted, the outcome shown in *observed*. FROM lines are not compared (BuildKit shares one FROM",
        "vertex among stages on the same image and its CACHED flag is meaningless for a local image); explain's",
        "FROM verdicts are listed for information.",
        "",
    ]
    for scenario in SCENARIOS:
        if scenario.name not in RESULTS:
            continue
        where = f"{scenario.subdir}/Dockerfile" if scenario.subdir else "Dockerfile"
        out += [f"## {scenario.name}" + (f" (target `{scenario.target}`)" if scenario.target else ""), "",
                f"`{where}`, explain run at the repo root:", "", "```dockerfile"]
        out += [f"{n:2} {line}" for n, line in enumerate(scenario.dockerfile.splitlines(), 1)]
        out += ["```", "", "| change | explain args | predicted | uncertain | observed | agree | FROM predicted | "
                "rebuild |", "|---|---|---|---|---|---|---|---|"]
        for r in RESULTS[scenario.name]:
            observed = "unmappable log" if r.unmapped else _fmt(r.observed)
            out.append(f"| {r.change} | `{r.explain_args}` | {_fmt(r.predicted)} | {_fmt(r.uncertain)} | {observed} "
                       f"| {'yes' if r.agree else '**NO**'} | {_fmt(r.from_predicted)} | {r.seconds:.1f} s |")
        for r in RESULTS[scenario.name]:
            if not r.agree:
                out += ["", f"**{r.change}**:", "```", r.detail, "```"]
        out.append("")
    return "\n".join(out)


# --- the mapping itself, on logs written here (no daemon) ----------------------------------------

MAP_DOCKERFILE = (
    "ARG BASE=debian:bookworm\n"
    "FROM ${BASE} AS deps\n"
    "ARG V=1\n"
    'RUN echo "v=$V" \\\n'
    "    > /v.txt\n"
    "FROM debian:bookworm AS unused\n"
    "RUN echo never\n"
    "FROM deps\n"
    "WORKDIR /app\n"
    "COPY --from=deps /v.txt ./\n"
)


def _log(*steps: tuple[int, str, str, bool]) -> BuildResult:
    lines = []
    for num, where, text, cached in steps:
        lines += [f"#{num} [{where}] {text}", f"#{num} sha256:00", f"#{num} CACHED" if cached else f"#{num} DONE 0.1s", ""]
    log = "\n".join(lines)
    return BuildResult("t", 0, log, parse_plain_progress(log), MAP_DOCKERFILE, 0.0)


GOOD = [(1, "deps 1/2", "FROM docker.io/library/debian:bookworm", False),
        (2, "deps 2/2", 'RUN echo "v=2"     > /v.txt', False),
        (3, "stage-2 1/2", "WORKDIR /app", True),
        (4, "stage-2 2/2", "COPY --from=deps /v.txt ./", False)]


def test_log_steps_map_to_lines_by_stage_and_position():
    stages = parse_stages(MAP_DOCKERFILE)
    assert built_stages(stages, None) == {0, 2}
    # ARG expanded in the header, continuation joined, FROM ignored, `FROM deps` not counted.
    assert observed_reruns(_log(*GOOD), stages, None) == {4, 10}


@pytest.mark.parametrize("bad, complaint", [
    ([GOOD[1], GOOD[2]], "line 10 .* has no step in the log"),
    ([*GOOD, (5, "unused 2/2", "RUN echo never", False)], "should not be built"),
    ([*GOOD[:3], (4, "stage-2 2/3", "COPY --from=deps /v.txt ./", False)], "has 2 steps"),
    ([*GOOD[:3], (4, "stage-2 2/2", "COPY --from=deps /w.txt ./", False)], "is line 10"),
    ([*GOOD, (5, "stage-9 1/1", "RUN x", False)], "no stage labelled 'stage-9'"),
    ([*GOOD, (5, "stage-2 1/2", "WORKDIR /app", False)], "already mapped"),
])
def test_a_log_step_that_does_not_fit_the_dockerfile_fails(bad, complaint):
    with pytest.raises(MappingError, match=complaint):
        observed_reruns(_log(*bad), parse_stages(MAP_DOCKERFILE), None)


def test_padded_step_numbers_are_parsed():
    # BuildKit pads to the width of the total: `[ 4/10]`; the harness used to drop such steps.
    steps = parse_plain_progress("#5 [ 4/10] RUN a\n#5 CACHED\n#6 [deps  4/10] RUN b\n#6 DONE 0.1s\n")
    assert [(s.stage, s.index, s.total, s.instruction, s.cached) for s in steps] == [
        (None, 4, 10, "RUN a", True), ("deps", 4, 10, "RUN b", False)]

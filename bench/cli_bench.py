#!/usr/bin/env python3
"""CLI benchmark: cachemount side by side with hadolint and tally, in one run. Not a test.

    bash bench/peers.sh && .venv/bin/python bench/cli_bench.py [--quick] [-n N]

Cases: (a) the typical file, (b) the large file (bench/data/, made by gen_large.py), (c) the whole
corpus (../shared/corpus/files, 197 files): every tool gets all the files as paths in ONE
invocation (all three accept many paths). The corpus file names (`owner__repo__Dockerfile`) do not
match cachemount's directory discovery patterns, so an extra row runs `cachemount check DIR` to
show what directory discovery finds; that row is not used for ratios.

Commands (as run):
  cachemount  .venv/bin/cachemount check --format json PATH...
  hadolint    bench/.peers/v-hadolint/bin/hadolint -f json PATH...
  tally       <real tally binary> lint --config TMP/.tally.toml --slow-checks off -f json PATH...
              (`--no-config` cannot lift tally's 100 KiB file limit; the config holds only
              `[file-validation] max-file-size`, and enables the same rules as `--no-config`)

Per repetition the tools run one after another (interleaved, so load on the shared machine hits
all of them alike), after one untimed warm-up run each (page cache, bytecode). Reported: median
and min wall time (time.perf_counter around spawn..reap), peak RSS of the child process (ru_maxrss
from os.wait4 on that child: the same kernel counter as getrusage(RUSAGE_CHILDREN), but per child;
RUSAGE_CHILDREN deltas cannot express a max), exit code, findings, and ratios peer/cachemount of
the medians (>1: cachemount faster / smaller).

`--baseline DIR` adds "cachemount@base": the same command with DIR/server first on PYTHONPATH (an
older checkout, e.g. `git worktree add /tmp/base HEAD~3`), interleaved with the others, so a change's
before and after are measured in the same run. The "paired ratio" column is the median, over the
repetitions, of peer time / cachemount time within one repetition: on a loaded machine it varies
less than the ratio of the medians.

Also runs `python -X importtime -m cachemount check FILE` and reports whether any pygls or
lsprotocol module is imported on the CLI path.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402


@dataclass
class Run:
    wall: float
    maxrss_kib: int
    rc: int
    stdout: bytes
    stderr: bytes
    timed_out: bool = False


@dataclass
class Result:
    tool: str
    case: str
    runs: list[Run] = field(default_factory=list)
    skipped: str | None = None  # reason when n/a

    @property
    def ok_runs(self) -> list[Run]:
        return [r for r in self.runs if not r.timed_out]

    @property
    def median(self) -> float | None:
        return C.median([r.wall for r in self.ok_runs])

    @property
    def min(self) -> float | None:
        return min((r.wall for r in self.ok_runs), default=None)

    @property
    def rss(self) -> int | None:
        return max((r.maxrss_kib for r in self.ok_runs), default=None)


def run_once(cmd: list[str], env: dict[str, str], timeout: float, cwd: Path) -> Run:
    """Spawn, wait with os.wait4 for this child's own rusage; stdout/stderr go to temp files."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                cwd=cwd, start_new_session=True)
        deadline = start + timeout
        timed_out = False
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, ru = os.wait4(proc.pid, 0)
                break
            time.sleep(0.0005)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, keep Popen quiet
        out.seek(0)
        err.seek(0)
        return Run(wall, ru.ru_maxrss, proc.returncode, out.read(), err.read(), timed_out)


def count_findings(tool: str, stdout: bytes) -> tuple[int | None, int | None, str]:
    """(findings, files with findings, note) from a tool's JSON output."""
    try:
        data = json.loads(stdout or b"null")
    except ValueError:
        return None, None, "output is not JSON"
    if tool.startswith("cachemount") and isinstance(data, list):
        return len(data), len({f.get("path") for f in data}), ""
    if tool == "hadolint" and isinstance(data, list):
        parse_errors = sum(1 for f in data if f.get("code") == "DL1000")
        note = f"{parse_errors} DL1000 parse errors" if parse_errors else ""
        return len(data), len({f.get("file") for f in data}), note
    if tool == "tally" and isinstance(data, dict):
        files = data.get("files") or []
        n = sum(len(f.get("violations") or []) for f in files)
        with_findings = sum(1 for f in files if f.get("violations"))
        return n, with_findings, f"scanned {data.get('files_scanned')} files"
    return None, None, "unexpected JSON shape"


def tool_commands(tally_cfg: Path) -> dict[str, tuple[list[str] | None, str]]:
    tally = C.tally_binary()
    return {
        "cachemount": ([str(C.CACHEMOUNT), "check", "--format", "json"] if C.CACHEMOUNT.exists() else None,
                       f"{C.CACHEMOUNT} not found (run `uv sync`)"),
        "hadolint": ([str(C.HADOLINT), "-f", "json"] if C.HADOLINT.exists() else None,
                     "not installed (bash bench/peers.sh)"),
        "tally": ([str(tally), "lint", "--config", str(tally_cfg / ".tally.toml"), "--slow-checks", "off",
                   "-f", "json"] if tally else None, "not installed (bash bench/peers.sh)"),
    }


BASELINE = "cachemount@base"


def paired_ratio(peer: Result, ours: Result) -> str:
    """Median over the repetitions of peer wall / cachemount wall in the same repetition."""
    pairs = [p.wall / o.wall for p, o in zip(peer.runs, ours.runs) if not (p.timed_out or o.timed_out) and o.wall > 0]
    if not pairs:
        return "n/a"
    r = C.median(pairs) or 0.0
    return f"{r:.1f}x" if r >= 10 else f"{r:.2f}x"


def probe(tool: str, cmd: list[str], paths: list[str], env: dict[str, str], timeout: float) -> str | None:
    """Warm-up run that also decides whether a tool works at all: None if usable, else why not."""
    run = run_once(cmd + paths, env, timeout, C.REPO)
    if run.timed_out:
        return f"timed out after {timeout:.0f} s"
    if run.rc not in (0, 1):
        last = (run.stderr.decode(errors="replace").strip().splitlines() or ["(no stderr)"])[-1]
        return f"exit {run.rc}: {last[:160]}"
    n, _, note = count_findings(tool, run.stdout)
    if n is None:
        last = (run.stderr.decode(errors="replace").strip().splitlines() or ["(no stderr)"])[-1]
        return f"exit {run.rc}, {note}: {last[:160]}"
    return None


def import_check(env: dict[str, str], file: Path) -> list[str]:
    """Markdown lines: does `python -X importtime -m cachemount check FILE` import pygls/lsprotocol?"""
    cmd = [str(C.VENV_PY), "-X", "importtime", "-m", "cachemount", "check", "--format", "json", str(file)]
    if not C.VENV_PY.exists():
        return ["- CLI import check: n/a (no .venv; run `uv sync`)"]
    proc = subprocess.run(cmd, capture_output=True, env=env, cwd=C.REPO, timeout=120)
    if proc.returncode not in (0, 1):
        last = (proc.stderr.decode(errors="replace").strip().splitlines() or ["?"])[-1]
        return [f"- CLI import check: n/a (`python -m cachemount check` exit {proc.returncode}: {last[:160]})"]
    modules: list[tuple[str, int, int]] = []  # (name, self us, cumulative us)
    for line in proc.stderr.decode(errors="replace").splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        parts = [p.strip() for p in line.split(":", 1)[1].split("|")]
        if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
            modules.append((parts[2], int(parts[0]), int(parts[1])))
    heavy = sorted({m for m, _, _ in modules if m.split(".")[0] in ("pygls", "lsprotocol")})
    total_ms = sum(s for _, s, _ in modules) / 1000
    by_package: dict[str, int] = {}
    for m, self_us, _ in modules:
        by_package[m.split(".")[0]] = by_package.get(m.split(".")[0], 0) + self_us
    top = sorted(by_package.items(), key=lambda x: -x[1])[:6]
    verdict = "YES" if not heavy else "NO"
    lines = [f"- CLI path free of pygls/lsprotocol (`python -X importtime -m cachemount check`): **{verdict}**"]
    if heavy:
        lines.append(f"  - imported: {', '.join(heavy[:12])}{' ...' if len(heavy) > 12 else ''}")
    lines.append(f"  - {len(modules)} modules imported, {total_ms:.0f} ms of import time (sum of self times, "
                 "one run); by top-level package: " + ", ".join(f"{m} {us / 1000:.0f} ms" for m, us in top))
    return lines


def versions(env: dict[str, str]) -> list[str]:
    out = []
    for name, cmd in (("hadolint", [str(C.HADOLINT), "--version"]),
                      ("tally", [str(C.tally_binary() or "missing"), "version"]),
                      ("cachemount", [str(C.CACHEMOUNT), "--version"])):
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=30, env=env)
            out.append(f"{name} {(p.stdout or p.stderr).strip().splitlines()[0] if (p.stdout or p.stderr).strip() else '?'}")
        except (OSError, subprocess.SubprocessError):
            out.append(f"{name}: missing")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", "--repeat", type=int, default=5, help="timed repetitions (default 5)")
    ap.add_argument("--quick", action="store_true", help="2 repetitions")
    ap.add_argument("--cases", default="typical,large,corpus", help="comma-separated subset")
    ap.add_argument("--tools", default="cachemount,hadolint,tally", help="comma-separated subset")
    ap.add_argument("--timeout", type=float, default=600.0, help="per invocation, seconds")
    ap.add_argument("--no-bytecode-cache", action="store_true",
                    help="run Python children with the environment as is (no PYTHONPYCACHEPREFIX)")
    ap.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    ap.add_argument("--baseline", metavar="DIR",
                    help="also run cachemount from the checkout DIR (DIR/server first on PYTHONPATH) as "
                         f"'{BASELINE}', interleaved with the others")
    args = ap.parse_args(argv)
    repeat = 2 if args.quick else args.repeat
    env = C.child_env(not args.no_bytecode_cache)
    wanted_tools = args.tools.split(",")

    cases: dict[str, list[str]] = {}
    for case in args.cases.split(","):
        if case == "typical":
            cases[case] = [str(C.TYPICAL)]
        elif case == "large":
            cases[case] = [str(C.LARGE)]
        elif case == "corpus":
            if C.CORPUS.is_dir():
                cases[case] = sorted(str(p) for p in C.CORPUS.iterdir() if p.is_file())
            else:
                print(f"corpus not found at {C.CORPUS}: skipped", file=sys.stderr)
    for p in (C.TYPICAL, C.LARGE):
        if not p.exists():
            sys.exit(f"{p} missing: run python bench/gen_large.py")

    tally_cfg = C.tally_config_dir()
    commands = {k: v for k, v in tool_commands(tally_cfg).items() if k in wanted_tools}
    envs = {k: env for k in commands}
    if args.baseline:
        base_server = Path(args.baseline).resolve() / "server"
        found = (base_server / "cachemount" / "__init__.py").is_file()
        commands = {**({"cachemount": commands["cachemount"]} if "cachemount" in commands else {}),
                    BASELINE: (commands.get("cachemount", (None, ""))[0] if found else None,
                               f"no cachemount package under {base_server}"),
                    **{k: v for k, v in commands.items() if k != "cachemount"}}
        envs[BASELINE] = {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(base_server),
                                                                                env.get("PYTHONPATH")]))}
    results: dict[tuple[str, str], Result] = {}
    extra: list[Result] = []
    load_before = C.machine_line()
    try:
        for case, paths in cases.items():
            print(f"[{case}] {len(paths)} file(s)", file=sys.stderr)
            live: dict[str, list[str]] = {}
            for tool, (cmd, why) in commands.items():
                res = results[(tool, case)] = Result(tool, case)
                if cmd is None:
                    res.skipped = why
                    continue
                reason = probe(tool, cmd, paths, envs[tool], args.timeout)  # also the warm-up run
                if reason:
                    res.skipped = reason
                    print(f"  {tool}: n/a ({reason})", file=sys.stderr)
                else:
                    live[tool] = cmd
            for i in range(repeat):
                for tool, cmd in live.items():
                    run = run_once(cmd + paths, envs[tool], args.timeout, C.REPO)
                    results[(tool, case)].runs.append(run)
                    print(f"  run {i + 1}/{repeat} {tool}: {C.fmt_s(run.wall)}"
                          f"{' TIMEOUT' if run.timed_out else ''}", file=sys.stderr)
            if case == "corpus" and "cachemount" in live:
                res = Result("cachemount DIR", case)
                cmd = live["cachemount"] + [str(C.CORPUS)]
                run_once(cmd, env, args.timeout, C.REPO)
                for _ in range(repeat):
                    res.runs.append(run_once(cmd, env, args.timeout, C.REPO))
                extra.append(res)
        imports = import_check(env, C.TYPICAL) if "cachemount" in wanted_tools else []
    finally:
        shutil.rmtree(tally_cfg, ignore_errors=True)

    # ---- report -------------------------------------------------------------------------------
    lines = [f"# CLI benchmark, {C.today()}", "",
             f"- machine: {load_before} (at start); {C.machine_line().split(', ')[-1]} (at end)",
             f"- {repeat} timed runs per tool and case (after 1 warm-up), interleaved; median wall time",
             f"- Python children: {'bytecode cached under bench/.pycache' if not args.no_bytecode_cache else 'environment as is (PYTHONDONTWRITEBYTECODE honoured)'}",
             "- versions: " + "; ".join(versions(env)),
             "- ratio = peer median / cachemount median (>1: cachemount faster); RSS ratio likewise; paired "
             "ratio = median of peer / cachemount within each repetition",
             *([f"- {BASELINE}: the same command from {args.baseline} (its server/ first on PYTHONPATH)"]
               if args.baseline else []),
             "", "| case | tool | median | min | peak RSS | time ratio | paired ratio | RSS ratio | exit | findings "
             "| files w/ findings | note |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for case, paths in cases.items():
        ours = results.get(("cachemount", case))
        for tool in commands:
            res = results[(tool, case)]
            label = f"{case} ({len(paths)} files)" if case == "corpus" else case
            if res.skipped or not res.ok_runs:
                why = res.skipped or "all runs timed out"
                lines.append(f"| {label} | {tool} | n/a | n/a | n/a | n/a | n/a | n/a | | | | {why} |")
                continue
            last = res.ok_runs[-1]
            n, nfiles, note = count_findings(tool, last.stdout)
            if tool == "cachemount":
                tr = pr = rr = "1 (ref)"
            else:
                ok = ours is not None and not ours.skipped and ours.ok_runs
                tr = C.ratio(res.median, ours.median) if ok else "n/a"
                pr = paired_ratio(res, ours) if ok else "n/a"
                rr = C.ratio(res.rss, ours.rss) if ok else "n/a"
            timeouts = len(res.runs) - len(res.ok_runs)
            if timeouts:
                note = (note + "; " if note else "") + f"{timeouts} run(s) timed out"
            lines.append(f"| {label} | {tool} | {C.fmt_s(res.median)} | {C.fmt_s(res.min)} | {C.fmt_mib(res.rss)} "
                         f"| {tr} | {pr} | {rr} | {last.rc} | {n} | {nfiles} | {note} |")
        for res in extra:
            if res.case == case and res.ok_runs:
                n, nfiles, note = count_findings("cachemount", res.ok_runs[-1].stdout)
                lines.append(f"| {case} | `cachemount check DIR` | {C.fmt_s(res.median)} | {C.fmt_s(res.min)} "
                             f"| {C.fmt_mib(res.rss)} | - | - | - | {res.ok_runs[-1].rc} | {n} | {nfiles} "
                             "| directory discovery; not comparable if it finds fewer files |")
    lines += ["", *imports, ""]
    text = "\n".join(lines)
    print(text)
    if not args.no_save:
        print(f"saved {C.write_result('cli', text)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

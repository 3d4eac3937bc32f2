"""Growth benchmark: how cachemount's cost grows on pathological input (issue 8), at 1x, 2x, 4x.

Not a test: nothing is asserted. For each family of generated Dockerfiles it measures the lint time
at three sizes and reports the fitted exponent log(t4/t1) / log(4): about 1 is linear, 2 quadratic.
Each measurement runs in a fresh child process (no caches carried over, its own peak RSS), repeats
the lint while the total stays short (caches cleared and the garbage collector paused for each
run) and keeps the best time. Timings under ~10 ms make the exponent noisy; they are marked.

Families (sizes at 1x; --quick halves the large ones):
- run-lines:        N `RUN echo` lines in one stage (2,000)
- directive-spaces: first line `#a=x` + N spaces + `y` (20,000)
- heredoc-markers:  one RUN with N heredocs (2,000; past limits.MAX_HEREDOCS_PER_RUN it is opaque)
- nested-sh-c:      `sh -c "$(...)"` nested N deep (100; past limits.MAX_SUBSTITUTION_NESTING the
                    inner commands are opaque)
- chained-stages:   N stages, each `FROM s<i-1>` (1,000), full lint
- chained-relint:   the same, one keystroke in the last stage re-linted by IncrementalLinter
- nested-expansion: ENV value `${a:-` nested N deep (8; limits.MAX_EXPANSION_DEPTH is 32) and a
                    row at 500, which is one LimitExceeded
- arg-lines, cache-mount-runs: extra families found while measuring (ARG lines; apt RUNs with a
                    cache mount), for the record

Run: .venv/bin/python bench/growth_bench.py [--quick] [--families a,b] [--timeout S] [--no-save]
Prints a markdown report and saves it as bench/results/growth-<date>.md.
"""
from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _common as C  # noqa: E402


# ---------------------------------------------------------------------------------------------
# Generators (deterministic)

def run_lines(n: int) -> str:
    return "FROM python:3.12\n" + "".join(f"RUN echo step{i}\n" for i in range(n))


def directive_spaces(n: int) -> str:
    return "#a=x" + " " * n + "y\nFROM alpine\nRUN pip install x\n"


def heredoc_markers(n: int) -> str:
    return ("FROM alpine\nRUN cat " + " ".join(f"<<E{i}" for i in range(n)) + "\n"
            + "".join(f"echo {i}\nE{i}\n" for i in range(n)) + "RUN pip install x\n")


def nested_sh_c(n: int) -> str:
    text = "pip install x"
    for _ in range(n):
        text = 'sh -c "$(' + text + ')"'
    return "FROM python:3.12\nRUN " + text + "\n"


def chained_stages(n: int) -> str:
    return "FROM python:3.12 AS s0\nRUN pip install a\n" + "".join(
        f"FROM s{i - 1} AS s{i}\nRUN pip install p{i}\n" for i in range(1, n))


def nested_expansion(n: int) -> str:
    return "FROM python:3.12\nENV A=" + "${a:-" * n + "x" + "}" * n + "\nRUN pip install x\n"


def arg_lines(n: int) -> str:
    return "FROM python:3.12\n" + "".join(f"ARG V{i}=x{i}\n" for i in range(n)) + "RUN pip install x\n"


def cache_mount_runs(n: int) -> str:
    return "FROM debian:12\n" + "".join(
        f"RUN --mount=type=cache,target=/var/cache/apt apt-get install -y p{i}\n" for i in range(n))


@dataclass(frozen=True)
class Family:
    key: str
    title: str
    generator: str
    sizes: tuple[int, int, int]
    quick: tuple[int, int, int]
    mode: str = "lint"           # 'lint' or 'relint' (IncrementalLinter, one keystroke)
    extra: tuple[int, ...] = ()  # more sizes, reported but not fitted (e.g. past a limit)


FAMILIES = (
    Family("run-lines", "RUN lines in one stage", "run_lines", (2000, 4000, 8000), (1000, 2000, 4000)),
    Family("directive-spaces", "directive comment of N spaces", "directive_spaces",
           (20000, 40000, 80000), (20000, 40000, 80000)),
    Family("heredoc-markers", "heredoc markers in one RUN", "heredoc_markers",
           (2000, 4000, 8000), (1000, 2000, 4000)),
    Family("nested-sh-c", 'nested sh -c "$(...)"', "nested_sh_c", (100, 200, 400), (100, 200, 400)),
    Family("chained-stages", "chained stages, full lint", "chained_stages",
           (1000, 2000, 4000), (500, 1000, 2000)),
    Family("chained-relint", "chained stages, one-keystroke relint (IncrementalLinter)", "chained_stages",
           (1000, 2000, 4000), (500, 1000, 2000), mode="relint"),
    Family("nested-expansion", "nested ${a:-...} in ENV", "nested_expansion", (8, 16, 32), (8, 16, 32),
           extra=(500,)),
    Family("arg-lines", "ARG lines in one stage (extra)", "arg_lines", (2000, 4000, 8000), (1000, 2000, 4000)),
    Family("cache-mount-runs", "apt RUNs with a cache mount (extra)", "cache_mount_runs",
           (500, 1000, 2000), (250, 500, 1000)),
)


# ---------------------------------------------------------------------------------------------
# Child: one measurement, printed as JSON

def _child(generator: str, n: int, mode: str, budget: float) -> dict:
    import gc
    import resource

    sys.path.insert(0, str(C.REPO / "server"))
    from cachemount.lint import lint
    from cachemount.editor.incremental import IncrementalLinter
    from cachemount.limits import LimitExceeded
    from cachemount.shell import parse as shell_parse

    text = globals()[generator](n)
    lint("FROM python:3.12\nRUN pip install x\n")  # warm up: tables, the shell parser
    times: list[float] = []
    findings: int | None = None
    error = None
    spent = 0.0
    edit = 0
    linter = None
    if mode == "relint":
        linter = IncrementalLinter()
        linter.lint(text)
    while not times or (spent < budget and len(times) < 7):
        if linter is None:  # a relint keeps the cache, as the server does between keystrokes
            shell_parse._analyse.cache_clear()
        gc.collect()
        gc.disable()
        try:
            if linter is not None:
                edit += 1
                edited = text.rstrip("\n") + "x" * edit + "\n"   # a keystroke at the end of the last stage
                t0 = time.perf_counter()
                got = linter.lint(edited)
            else:
                t0 = time.perf_counter()
                got = lint(text)
            elapsed = time.perf_counter() - t0
            findings = len(got)
        except LimitExceeded as exc:
            elapsed = time.perf_counter() - t0
            error = f"LimitExceeded: {exc}"
        finally:
            gc.enable()
        times.append(elapsed)
        spent += elapsed
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": min(times), "runs": len(times), "peak_kib": peak_kib, "findings": findings,
            "error": error, "bytes": len(text.encode("utf-8"))}


# ---------------------------------------------------------------------------------------------
# Parent

def measure(family: Family, n: int, timeout: float, budget: float, env: dict) -> dict:
    cmd = [str(C.VENV_PY) if C.VENV_PY.exists() else sys.executable, str(Path(__file__).resolve()),
           "--child", family.generator, str(n), family.mode, str(budget)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"crash": f"exit {done.returncode}: {tail[:120]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def exponent(t1: float | None, t4: float | None) -> str:
    if not t1 or not t4 or t1 <= 0 or t4 <= 0:
        return "n/a"
    value = math.log(t4 / t1) / math.log(4)
    note = " (times under 10 ms: noisy)" if t1 < 0.01 else ""
    return f"{value:.2f}{note}"


def _cell_time(r: dict) -> str:
    if "timeout" in r:
        return f"timeout (> {r['timeout']:.0f} s)"
    if "crash" in r:
        return f"crashed ({r['crash']})"
    return C.fmt_s(r["seconds"])


def _row(n: int, r: dict) -> str:
    if "seconds" not in r:
        return f"| {n:,} | | {_cell_time(r)} | | | |"
    outcome = r["error"] if r["error"] else f"{r['findings']} findings"
    return (f"| {n:,} | {r['bytes']:,} | {_cell_time(r)} | {r['runs']} | {C.fmt_mib(r['peak_kib'])} "
            f"| {outcome} |")


def report_family(family: Family, sizes: tuple[int, ...], results: dict[int, dict]) -> list[str]:
    lines = [f"### {family.title} (`{family.key}`)", "",
             "| N | bytes | best time | runs | peak RSS | result |", "|---|---|---|---|---|---|"]
    for n in sizes + family.extra:
        lines.append(_row(n, results[n]))
    t1, t4 = (results[sizes[0]].get("seconds"), results[sizes[2]].get("seconds"))
    lines += ["", f"Fitted exponent (1x to 4x): **{exponent(t1, t4)}**", ""]
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        generator, n, mode, budget = argv[1], int(argv[2]), argv[3], float(argv[4])
        print(json.dumps(_child(generator, n, mode, budget)))
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sizes for the large families, shorter repeats")
    ap.add_argument("--families", default=",".join(f.key for f in FAMILIES), help="comma-separated subset")
    ap.add_argument("--timeout", type=float, default=180.0, help="per measurement, seconds")
    ap.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    args = ap.parse_args(argv)
    wanted = [k.strip() for k in args.families.split(",") if k.strip()]
    unknown = [k for k in wanted if k not in {f.key for f in FAMILIES}]
    if unknown:
        ap.error(f"unknown families: {', '.join(unknown)}")
    budget = 0.2 if args.quick else 0.5
    env = C.child_env(True)
    started = C.machine_line()
    out = [f"# Growth benchmark, {C.today()}", "",
           f"- machine: {started} (at start)",
           f"- {'quick' if args.quick else 'full'} run; each size in a fresh child process; best of the runs "
           f"(repeated while under {budget} s in total, at most 7), shell cache cleared and GC paused per run",
           "- exponent = log(t4 / t1) / log(4): 1 linear, 2 quadratic", ""]
    for family in FAMILIES:
        if family.key not in wanted:
            continue
        sizes = family.quick if args.quick else family.sizes
        results: dict[int, dict] = {}
        for n in sizes + family.extra:
            results[n] = measure(family, n, args.timeout, budget, env)
            print(f"{family.key} {n}: {_cell_time(results[n])}", file=sys.stderr, flush=True)
        out += report_family(family, sizes, results)
    out.append(f"- machine at end: {C.machine_line()}")
    text = "\n".join(out) + "\n"
    print(text)
    if not args.no_save:
        path = C.write_result("growth", text)
        print(f"saved {path.relative_to(C.REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

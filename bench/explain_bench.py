"""`cachemount explain` benchmark (issue 13). Not a test: nothing is asserted.

No peer explains the layer cache, so `explain` is measured against `cachemount check` on the same
files, in the same run (interleaved), as whole processes:
- the typical and the large file (bench/data/), `--format json`, with and without `--changed`;
- growth: N `COPY fI /x/` lines then an install (1x, 2x, 4x of 1,000), where every step's
  `invalidated_by` grows with the file: the fitted exponent log(t4/t1)/log 4 says whether the
  per-step lists stay bounded (model.MAX_FILE_INPUTS) and the whole stays about linear.

Run: .venv/bin/python bench/explain_bench.py [-n N] [--no-save]
Prints a markdown report and saves it as bench/results/explain-<date>.md.
"""
from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _common as C  # noqa: E402

EXE = str(HERE.parent / ".venv" / "bin" / "cachemount")


def _time(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, env=C.child_env(True))
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return elapsed


def _median_pair(a: list[str], b: list[str], n: int) -> tuple[float, float]:
    ta, tb = [], []
    _time(a), _time(b)   # warm-up: bytecode, page cache
    for _ in range(n):
        ta.append(_time(a))
        tb.append(_time(b))
    return statistics.median(ta), statistics.median(tb)


def _copies(n: int) -> str:
    return "FROM python:3.12-slim\nWORKDIR /app\n" + "".join(f"COPY f{i} /x/\n" for i in range(n)) + \
        "RUN pip install -r requirements.txt\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=10, help="timed runs per command (median)")
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args()
    rows = ["| file | check | explain | explain --changed | explain / check |", "|---|---|---|---|---|"]
    for name in ("typical", "large"):
        path = str(HERE / "data" / f"{name}.Dockerfile")
        check = [EXE, "check", "--format", "json", path]
        t_check, t_explain = _median_pair(check, [EXE, "explain", path, "--format", "json"], args.n)
        _, t_changed = _median_pair(check, [EXE, "explain", path, "--changed", "src/app.py", "--format", "json"],
                                    args.n)
        rows.append(f"| {name} | {t_check * 1000:.0f} ms | {t_explain * 1000:.0f} ms | {t_changed * 1000:.0f} ms "
                    f"| {t_explain / t_check:.2f}x |")
    growth = ["| COPY lines | explain --changed f3 | explain / check |", "|---|---|---|"]
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1000, 2000, 4000):
            path = Path(tmp, f"copies-{n}.Dockerfile")
            path.write_text(_copies(n))
            t_check, t_explain = _median_pair([EXE, "check", "--format", "json", str(path)],
                                              [EXE, "explain", str(path), "--changed", "f3", "--format", "json"],
                                              max(3, args.n // 3))
            times.append(t_explain)
            growth.append(f"| {n:,} | {t_explain * 1000:.0f} ms | {t_explain / t_check:.2f}x |")
    exponent = math.log(times[2] / times[0]) / math.log(4)
    report = "\n".join([
        f"# `cachemount explain` benchmark, {C.today()}",
        "",
        f"- machine: {C.machine_line()}",
        f"Whole processes, `.venv/bin/cachemount`, median of {args.n} interleaved runs after a warm-up. No peer "
        "has an equivalent command: the reference is `cachemount check` on the same file.",
        "",
        *rows,
        "",
        "Growth (every step's `invalidated_by` lists at most 32 file patterns):",
        "",
        *growth,
        "",
        f"Fitted exponent log(t4/t1)/log 4 = {exponent:.2f} (1: linear, 2: quadratic).",
        "",
    ])
    print(report)
    if not args.no_save:
        print(f"saved {C.write_result('explain', report)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""CLI speed and memory, cachemount side by side with hadolint and tally in the same run.

    bash bench/peers.sh && .venv/bin/python bench/cli_bench.py [--quick]

Whole-process wall time (median of N runs) and peak RSS of the child (`/usr/bin/time -f %M` when
present, else getrusage), on the typical and large files and on the whole corpus (cachemount gets
all files in one invocation; hadolint and tally accept many paths too). Ratios are peer/cachemount.
Not a test: nothing here asserts a time."""
from __future__ import annotations

import argparse
import datetime
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = REPO.parent / "shared" / "corpus" / "files"
PEERS = HERE / ".peers"


def tally_binary() -> Path | None:
    found = sorted(PEERS.glob("v-tally/lib/python*/site-packages/tally_cli/bin/*/tally"))
    return found[0] if found else None


def tools(tally_cfg: Path) -> dict[str, list[str] | None]:
    cm = REPO / ".venv" / "bin" / "cachemount"
    hadolint = PEERS / "v-hadolint" / "bin" / "hadolint"
    tally = tally_binary()
    return {
        "cachemount": [str(cm), "check", "--format", "json"] if cm.exists() else None,
        "hadolint": [str(hadolint), "-f", "json"] if hadolint.exists() else None,
        "tally": [str(tally), "lint", "--config", str(tally_cfg), "--slow-checks", "off", "-f", "json"]
        if tally else None,
    }


def measure(cmd: list[str], runs: int) -> tuple[float, int]:
    times, peak = [], 0
    use_time = shutil.which("time") or os.path.exists("/usr/bin/time")
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        if use_time:
            proc = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], capture_output=True, text=True)
            rss = int(proc.stderr.strip().splitlines()[-1] or 0)
        else:
            subprocess.run(cmd, capture_output=True)
            rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss - before
        times.append(time.perf_counter() - start)
        peak = max(peak, rss)
    return statistics.median(times), peak


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    runs = 2 if args.quick else 5
    subprocess.run([sys.executable, str(HERE / "gen_large.py")], check=True, capture_output=True)
    cases = {"typical": [str(HERE / "data" / "typical.Dockerfile")],
             "large": [str(HERE / "data" / "large.Dockerfile")]}
    if CORPUS.is_dir():
        cases["corpus"] = sorted(str(p) for p in CORPUS.iterdir())
    tmp = Path(tempfile.mkdtemp())
    cfg = tmp / ".tally.toml"
    cfg.write_text("[file-validation]\nmax-file-size = 10000000\n")
    table = tools(cfg)
    rows = []
    for case, paths in cases.items():
        results = {}
        for name, cmd in table.items():
            if cmd is None:
                results[name] = None
                continue
            results[name] = measure(cmd + paths, runs)
        rows.append((case, results))
    lines = [f"# CLI benchmark {datetime.date.today()} ({runs} runs, median wall time, peak RSS)", "",
             "| file | cachemount | hadolint | tally | hadolint/cachemount | tally/cachemount |",
             "|---|---|---|---|---|---|"]
    for case, res in rows:
        def cell(r):
            return "n/a" if r is None else f"{r[0] * 1000:.0f} ms, {r[1] / 1024:.0f} MiB"

        def ratio(name):
            if res.get(name) is None or res.get("cachemount") is None:
                return "n/a"
            return f"{res[name][0] / res['cachemount'][0]:.1f}x"
        lines.append(f"| {case} ({len(cases[case])} files) | {cell(res['cachemount'])} | {cell(res['hadolint'])} | "
                     f"{cell(res['tally'])} | {ratio('hadolint')} | {ratio('tally')} |")
    imports = subprocess.run([str(REPO / ".venv" / "bin" / "python"), "-X", "importtime", "-m", "cachemount",
                              "check", cases["typical"][0]], capture_output=True, text=True).stderr
    heavy = [m for m in ("pygls", "lsprotocol") if f"| {m}" in imports or f" {m}\n" in imports]
    lines += ["", f"pygls/lsprotocol imported on the CLI path: {'YES ' + str(heavy) if heavy else 'NO'}"]
    out = "\n".join(lines) + "\n"
    print(out)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"cli-{datetime.date.today()}.md").write_text(out)
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

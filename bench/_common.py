"""Shared helpers of the benchmarks: where the tools are, the environment they run in, reporting."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data"
RESULTS = HERE / "results"
PEERS = HERE / ".peers"
PYCACHE = HERE / ".pycache"  # git-ignored; keeps bytecode out of server/
CORPUS = REPO.parent / "shared" / "corpus" / "files"

TYPICAL = DATA / "typical.Dockerfile"
LARGE = DATA / "large.Dockerfile"

VENV_PY = REPO / ".venv" / "bin" / "python"
CACHEMOUNT = REPO / ".venv" / "bin" / "cachemount"
HADOLINT = PEERS / "v-hadolint" / "bin" / "hadolint"
DOCKER_LANGSERVER = PEERS / "node" / "node_modules" / ".bin" / "docker-langserver"

# tally refuses files over 100 KiB unless a config raises the limit; `--no-config` would ignore
# such a config, so every tally run uses this one-key config instead (same 128 rules enabled).
TALLY_TOML = "[file-validation]\nmax-file-size = 104857600\n"


def tally_binary() -> Path | None:
    """The real Go binary inside the tally-cli wheel (not the Python console-script shim)."""
    found = sorted(PEERS.glob("v-tally/lib/python*/site-packages/tally_cli/bin/*/tally"))
    return found[0] if found else None


def tally_config_dir() -> Path:
    d = Path(tempfile.mkdtemp(prefix="cm-bench-tally-"))
    (d / ".tally.toml").write_text(TALLY_TOML)
    return d


def child_env(bytecode_cache: bool) -> dict[str, str]:
    """Environment for the processes under test.

    With bytecode_cache (the default), Python children read and write .pyc files under
    bench/.pycache (PYTHONPYCACHEPREFIX), as an installed package runs with compiled bytecode,
    without writing __pycache__ into the source tree. Without it, the environment is left as is
    (on these machines PYTHONDONTWRITEBYTECODE=1, so every start compiles from source).
    """
    env = dict(os.environ)
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def machine_line() -> str:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{platform.node() or 'host'}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"load average {load}")


def today() -> str:
    return datetime.date.today().isoformat()


def median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def fmt_s(v: float | None) -> str:
    if v is None:
        return "n/a"
    if v >= 1.0:
        return f"{v:.2f} s"
    if v >= 0.01:
        return f"{v * 1000:.0f} ms"
    return f"{v * 1000:.1f} ms"


def fmt_mib(kib: float | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.0f} MiB"


def ratio(peer: float | None, ours: float | None) -> str:
    """peer / cachemount: above 1 means cachemount is faster (or smaller)."""
    if peer is None or ours is None or ours <= 0:
        return "n/a"
    r = peer / ours
    return f"{r:.1f}x" if r >= 10 else f"{r:.2f}x"


def write_result(kind: str, text: str) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{kind}-{today()}.md"
    path.write_text(text)
    return path

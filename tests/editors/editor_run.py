"""Runs one of the editor check scripts and returns its JSON report; any failure, including an
editor that could not be installed, fails the calling test with the script's output."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_check(script: str, *args: str) -> dict:
    proc = subprocess.run(["bash", str(HERE / script), *args], capture_output=True, text=True, timeout=900,
                          env={**os.environ, "CACHEMOUNT_PYTHON": sys.executable})
    report = None
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            report = json.loads(line)
    assert proc.returncode == 0 and report is not None and report["failures"] == [], \
        f"{script} {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return report

"""One run through a real editor: headless Neovim drives `cachemount serve` (run-nvim-check.sh)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("run-nvim-check.sh")


def test_neovim_diagnostic_hover_and_code_action():
    proc = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=600,
                          env={**__import__("os").environ, "CACHEMOUNT_PYTHON": sys.executable})
    if proc.returncode == 77:
        pytest.skip(f"Neovim is not installed and cannot be installed here: {proc.stderr.strip()}")
    report = None
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            report = json.loads(line)
    assert proc.returncode == 0 and report is not None, f"{proc.stdout}\n{proc.stderr}"
    assert report["failures"] == []
    names = [c["name"] for c in report["checks"] if c["ok"]]
    for expected in ("diagnostics arrived", "diagnostic column is exact (bytes, after a non-ASCII char)",
                     "hover explains the value", "quick fix edited the buffer", "diagnostics refreshed after the edit"):
        assert expected in names

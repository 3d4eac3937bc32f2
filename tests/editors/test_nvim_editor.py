"""Real Neovim, set up by README.md's snippets, drives `cachemount serve` (run-nvim-check.sh):
Debian's Neovim 0.7 with the "0.7 to 0.10" snippet, Neovim 0.11.4 from PyPI with the "0.11 and
later" one. A Neovim that cannot be installed fails the test with the reason; it is never a skip."""
import pytest
from editor_run import run_check

EXPECTED = ("the README snippet started the server and attached it", "diagnostics arrived",
            "CM101 severity from the snippet reached the server (error, not the default warning)",
            "diagnostic column is exact (bytes, after non-ASCII chars)", "Neovim shows CM101 as an error",
            "hover explains the value", "quick fix edited the buffer", "diagnostics refreshed after the edit")


@pytest.mark.parametrize("version", ["0.7", "0.11"])
def test_neovim_readme_snippet_diagnostics_severity_hover_and_code_action(version):
    report = run_check("run-nvim-check.sh", version)
    assert report["nvim"].startswith(version + "."), report["nvim"]
    passed = [c["name"] for c in report["checks"] if c["ok"]]
    for expected in EXPECTED:
        assert expected in passed

"""Real Emacs with eglot, set up by README.md's snippet, drives `cachemount serve`
(run-emacs-check.sh): Debian's Emacs 28.2 with elpa-eglot 1.9. An Emacs that cannot be installed
fails the test with the reason; it is never a skip."""
from editor_run import run_check

EXPECTED = ("the Dockerfile is in dockerfile-mode", "the README snippet started the server (eglot manages the buffer)",
            "diagnostics arrived", "CM101 severity from the snippet reached the server (error, not the default warning)",
            "flymake region is exactly `lock' (after non-ASCII chars)", "flymake shows CM101 as an error",
            "hover explains the value", "quick fix edited the buffer", "diagnostics refreshed after the edit")


def test_emacs_eglot_readme_snippet_diagnostics_severity_hover_and_code_action():
    report = run_check("run-emacs-check.sh")
    assert report["eglot"], "eglot was not found"
    passed = [c["name"] for c in report["checks"] if c["ok"]]
    for expected in EXPECTED:
        assert expected in passed

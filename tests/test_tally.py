"""scripts/tally.py, the counts behind scripts/test-all.sh's closing lines: every tier is summed,
and a tier that crashed or printed no count is a failure with its reason, never silently dropped."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TALLY = ROOT / "scripts" / "tally.py"
# the plain closing line that CI reads: 'N passed, N failed' alone, one word with a colon before it
CLOSING = re.compile(r"^(\w+: )?\d+ passed, \d+ failed(, \d+ skipped)?$")


def tally(file: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TALLY), str(file), *args], capture_output=True, text=True, timeout=60)


def real_pytest_junit(tmp_path: Path) -> tuple[Path, int]:
    """A real pytest run with a pass, a failure, a skip and an editor test, as JUnit XML."""
    project = tmp_path / "project"
    (project / "tests" / "editors").mkdir(parents=True)
    (project / "tests" / "test_a.py").write_text(
        "import pytest\n"
        "def test_ok(): pass\n"
        "def test_bad(): assert False\n"
        "def test_skip(): pytest.skip('no reason')\n")
    (project / "tests" / "editors" / "test_editor.py").write_text("def test_editor(): pass\n")
    xml = tmp_path / "junit.xml"
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(project),
                           f"--junitxml={xml}", str(project / "tests")], capture_output=True, text=True, timeout=120,
                          cwd=project)
    return xml, proc.returncode


@pytest.mark.slow   # a nested pytest run: seconds
def test_every_tier_is_summed_on_the_closing_line(tmp_path):
    file = tmp_path / "tally"
    xml, code = real_pytest_junit(tmp_path)
    assert code == 1
    assert tally(file, "junit", "pytest", str(xml), str(code)).returncode == 0
    log = tmp_path / "unit.log"
    log.write_text("ok 1\nclient unit: 7 passed, 0 failed\n")
    tally(file, "line", "client unit", str(log), "0")
    tally(file, "check", "static checks", "0", "ruff")
    tally(file, "check", "static checks", "0", "mypy")
    proc = tally(file, "summary")
    lines = proc.stdout.splitlines()
    assert proc.returncode == 1                      # a test failed
    assert CLOSING.match(lines[-1]), lines[-1]
    assert lines[-1] == "total: 11 passed, 1 failed, 1 skipped"   # 2 + 7 + 2 passed; the pytest failure
    assert "pytest 2/1 (1 skipped) [editors 1/0]" in lines[-2]
    assert "client unit 7/0" in lines[-2] and "static checks 2/0" in lines[-2]


def test_a_crashed_tier_is_a_failure_with_its_reason(tmp_path):
    file = tmp_path / "tally"
    tally(file, "junit", "buildkit", str(tmp_path / "never-written.xml"), "3")
    log = tmp_path / "e2e.log"
    log.write_text("Error: chromium did not start\n")
    tally(file, "line", "client e2e", str(log), "1")
    tally(file, "check", "static checks", "2", "mypy")
    proc = tally(file, "summary")
    lines = proc.stdout.splitlines()
    assert proc.returncode == 1
    assert lines[-1] == "total: 0 passed, 3 failed"
    assert "buildkit 0/1 [crashed before pytest reported (exit 3): counted as 1 failed]" in lines[-2]
    assert "client e2e 0/1 [crashed or printed no count (exit 1): counted as 1 failed]" in lines[-2]
    assert "[mypy failed]" in lines[-2]


def test_a_nonzero_exit_with_nothing_failed_counts_as_a_failure(tmp_path):
    file = tmp_path / "tally"
    log = tmp_path / "unit.log"
    log.write_text("client unit: 5 passed, 0 failed\n")
    tally(file, "line", "client unit", str(log), "1")
    proc = tally(file, "summary")
    assert proc.stdout.splitlines()[-1] == "total: 5 passed, 1 failed"
    assert "exit 1 with no failure counted" in proc.stdout


def test_the_last_count_line_of_a_script_is_its_count(tmp_path):
    file = tmp_path / "tally"
    log = tmp_path / "e2e.log"
    log.write_text("phase main: 30 passed, 2 failed\nclient e2e: 45 passed, 2 failed\n")
    tally(file, "line", "client e2e", str(log), "1")
    proc = tally(file, "summary")
    assert proc.stdout.splitlines()[-1] == "total: 45 passed, 2 failed"


def test_all_passing_exits_zero_and_nothing_reported_is_a_failure(tmp_path):
    file = tmp_path / "tally"
    tally(file, "check", "static checks", "0", "ruff")
    proc = tally(file, "summary")
    assert proc.returncode == 0 and proc.stdout.splitlines()[-1] == "total: 1 passed, 0 failed"
    empty = tally(tmp_path / "nothing", "summary")
    assert empty.returncode == 1 and empty.stdout.splitlines()[-1] == "total: 0 passed, 1 failed"


def test_test_all_counts_every_tier():
    """Every test command of scripts/test-all.sh goes through a counting helper."""
    script = (ROOT / "scripts" / "test-all.sh").read_text()
    body = script[script.index("# Static checks first"):]
    for line in body.splitlines():
        stripped = line.strip()
        if re.search(r"\b(pytest|run-unit\.sh|run-e2e\.sh|test-lowest\.sh|ruff|mypy|generate\.py)\b", stripped) \
                and not stripped.startswith(("#", "if ")):
            assert stripped.split()[0] in ("static", "run_pytest", "counted"), stripped
    assert script.rstrip().endswith("exit $status")

"""Fix safety in the CLI: `--fix` applies safe fixes only, `--unsafe-fixes` adds the unsafe ones, JSON
and SARIF carry each fix's applicability, and the text output closes with a summary that counts
findings per severity and what each flag would fix."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import cachemount.lint as linter
from cachemount.cli import commands as cli
from cachemount.findings import DISPLAY, SAFE, UNSAFE
from cachemount.records import replace
from cachemount.rules import RULES

PIP = "FROM python:3.12\nRUN pip install x\n"
TWO = "FROM python:3.12\nRUN pip install x\nRUN --mount=type=cahce,target=/x true\n"


def run(*args, stdin=None):
    proc = subprocess.run([sys.executable, "-m", "cachemount", *args], input=stdin, capture_output=True,
                          text=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def test_text_output_closes_with_a_summary(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(TWO)
    code, out, err = run("check", str(path))
    assert code == 1 and len(out.splitlines()) == 2     # stdout: one line per finding, nothing else
    assert err.splitlines()[-1] == ("Found 2 findings (1 error, 1 warning); 2 fixable with `--fix`. "
                                    "Exit status 1: there are findings.")


def test_no_summary_without_findings_or_in_machine_formats(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text("FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n")
    assert run("check", str(path)) == (0, "", "")
    path.write_text(PIP)
    for fmt in ("json", "sarif", "github"):
        assert "Found" not in run("check", "--format", fmt, str(path))[2]


def test_unsafe_fixes_needs_fix(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(PIP)
    code, out, err = run("check", "--unsafe-fixes", str(path))
    assert code == 2 and err == "cachemount: --unsafe-fixes needs --fix\n" and out == ""


def test_json_and_sarif_carry_the_applicability(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(PIP)
    (item,) = json.loads(run("check", "--format", "json", str(path))[1])
    assert item["fix"]["applicability"] == SAFE
    (result,) = json.loads(run("check", "--format", "sarif", str(path))[1])["runs"][0]["results"]
    assert result["properties"] == {"fixApplicability": SAFE}


@pytest.fixture
def cm101_fix_is(monkeypatch):
    """Make CM101's fixes carry the given applicability (no rule has an unsafe fix to show here)."""
    def make(level: str):
        index = next(i for i, r in enumerate(RULES) if r.code == "CM101")
        rule = RULES[index]

        def check(analysis):
            for f in rule.check(analysis):
                yield replace(f, fix_source=tuple(replace(x, applicability=level) for x in f.fixes))
        monkeypatch.setattr(linter, "RULES", RULES[:index] + (replace(rule, check=check),) + RULES[index + 1:])
    return make


@pytest.mark.parametrize("level,with_fix,with_unsafe", [(SAFE, True, True), (UNSAFE, False, True),
                                                        (DISPLAY, False, False)])
def test_which_flag_applies_which_fix(tmp_path, capsys, cm101_fix_is, level, with_fix, with_unsafe):
    cm101_fix_is(level)
    path = tmp_path / "Dockerfile"
    for flags, applied in ((["--fix"], with_fix), (["--fix", "--unsafe-fixes"], with_unsafe)):
        path.write_text(PIP)
        code = cli.main(["check", *flags, str(path)])
        _, err = capsys.readouterr()
        assert (path.read_text() != PIP) == applied, flags
        assert code == (0 if applied else 1)
        if not applied and level == UNSAFE:
            assert err.splitlines()[-1] == ("Found 1 finding (1 warning); 1 fixable with `--fix --unsafe-fixes`. "
                                            "Exit status 1: there are findings.")

"""`cachemount check` on hostile input: one file the engine cannot analyse is one error line for that
file (exit 2) while the others are still checked and fixed; quoted control characters cannot forge
output lines; `--select ''` is a usage error; unreadable directories are reported, not skipped."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

import cachemount.lint as analysis
from cachemount.cli import commands as cli
from cachemount.limits import LimitExceeded

PIP = "FROM python:3.12\nRUN pip install -r requirements.txt\n"
FIXED = "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n"
BAD = "# make the engine fail\n"
TEXT_LINE = re.compile(r"^.+:\d+:\d+: CM\d{3} ")
SUMMARY = re.compile(r"^Found \d+ findings? \(.*\n", re.M)   # the closing line; tested in test_cli.py


def run(*args, stdin=None, timeout=120):
    proc = subprocess.run([sys.executable, "-m", "cachemount", *args], input=stdin, capture_output=True,
                          timeout=timeout)
    return proc.returncode, proc.stdout.decode(), SUMMARY.sub("", proc.stderr.decode())



def main(capsys, *args):
    code = cli.main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, SUMMARY.sub("", err)   # the closing summary line has its own test (test_cli.py)


def _failing_lint(monkeypatch, exc):
    """`lint` raises `exc` for any text containing BAD and works normally otherwise."""
    real = analysis.lint

    def lint(text, *a, **k):
        if BAD in text:
            raise exc
        return real(text, *a, **k)

    monkeypatch.setattr(analysis, "lint", lint)


@pytest.fixture
def three(tmp_path):
    a, b, c = (tmp_path / n for n in ("a.Dockerfile", "b.Dockerfile", "c.Dockerfile"))
    a.write_text(PIP)
    b.write_text(BAD + PIP)
    c.write_text(PIP)
    return a, b, c


@pytest.mark.parametrize("exc, message", [
    (LimitExceeded("${...} nested deeper than 100 levels; not analysed"),
     "${...} nested deeper than 100 levels; not analysed"),
    (RecursionError("maximum recursion depth exceeded"),
     "internal error analysing this file: nested too deeply (recursion limit)"),
    (MemoryError(), "internal error analysing this file: out of memory"),
    (ValueError("boom\n  second line of detail"), "internal error analysing this file: ValueError: boom"),
    (KeyError("k"), "internal error analysing this file: KeyError: 'k'"),
])
def test_one_file_the_engine_cannot_analyse_is_one_error_and_the_others_are_checked(
        three, monkeypatch, capsys, exc, message):
    a, b, c = three
    _failing_lint(monkeypatch, exc)
    code, out, err = main(capsys, str(a), str(b), str(c))
    assert code == 2
    assert err == f"cachemount: {b}: {message}\n"
    assert [line.split(":")[0] for line in out.splitlines()] == [str(a), str(c)]


def test_fix_run_keeps_earlier_fixes_reports_them_and_goes_on(three, monkeypatch, capsys):
    a, b, c = three
    _failing_lint(monkeypatch, LimitExceeded("too deep"))
    code, out, err = main(capsys, "--fix", str(a), str(b), str(c))
    assert code == 2
    assert a.read_text() == FIXED and c.read_text() == FIXED and b.read_text() == BAD + PIP
    assert err.splitlines() == [f"{a}: fixed 1 finding", f"{c}: fixed 1 finding", f"cachemount: {b}: too deep"]
    assert out == ""


def test_failure_while_fixing_leaves_the_file_untouched(tmp_path, monkeypatch, capsys):
    import cachemount.lint as fixes

    path = tmp_path / "Dockerfile"
    path.write_text(PIP)
    monkeypatch.setattr(fixes, "apply_all", lambda *a, **k: (_ for _ in ()).throw(RecursionError()))
    code, _, err = main(capsys, "--fix", str(path))
    assert code == 2 and path.read_text() == PIP
    assert err == f"cachemount: {path}: internal error analysing this file: nested too deeply (recursion limit)\n"


def test_real_deeply_nested_expansion_is_one_error_line_exit_2(tmp_path):
    """500 nested `${a:-...}` in an ENV value overflowed the stack. Passes today through the CLI's
    RecursionError net; with the engine's depth bound it is a LimitExceeded line instead."""
    deep = tmp_path / "deep.Dockerfile"
    depth = 500
    deep.write_text("FROM python:3.12\nENV A=" + "${a:-" * depth + "x" + "}" * depth + "\nRUN pip install x\n")
    ok = tmp_path / "ok.Dockerfile"
    ok.write_text(PIP)
    for extra in ((), ("--fix",)):
        code, out, err = run("check", *extra, str(deep), str(ok))
        assert code == 2 and "Traceback" not in err
        lines = err.strip().splitlines()
        assert lines[-1].startswith(f"cachemount: {deep}: ") and len(lines[-1]) < 300
        assert not any(str(deep) in line for line in lines[:-1])
        if extra:
            assert lines[:-1] == [f"{ok}: fixed 1 finding"] and ok.read_text() == FIXED
        else:
            assert out.startswith(f"{ok}:2:5: CM101 ")


# --- output cannot be forged -------------------------------------------------------------------------

INJECT = ('FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip <<"EOF"\n'
          'PIP_NO_CACHE_DIR="1\nforged:1:1: CM999 fake" pip install x\nEOF\n')


def test_quoted_newline_cannot_forge_a_text_line(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(INJECT)
    code, out, _ = run("check", str(path))
    assert code == 1 and out
    for line in out.splitlines():
        assert line.startswith(f"{path}:") and TEXT_LINE.match(line)
    assert "PIP_NO_CACHE_DIR=1\\nforged:1:1: CM999 fake" in out
    # json keeps the real message
    messages = [f["message"] for f in json.loads(run("check", "--format", "json", str(path))[1])]
    assert any("1\nforged:1:1: CM999 fake" in m for m in messages)


def test_quoted_controls_cannot_forge_a_workflow_command(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(INJECT.replace("forged", "\x1b[2K\r::error file=x::forged\u2028"))
    code, out, _ = run("check", "--format", "github", str(path))
    assert code == 1 and out
    for line in out.splitlines():
        assert line.startswith("::warning file=")
        assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029]", line)
    assert "%0D::error file=x::forged\\u2028" in out and "\\x1b[2K" in out


@pytest.mark.skipif(os.name != "posix", reason="newlines in file names")
def test_file_names_with_newlines_stay_on_one_line(tmp_path):
    (tmp_path / "a\nforged:1:1: CM999 x.Dockerfile").write_text(PIP)
    (tmp_path / "b\x1b]0;t\x07.Dockerfile").write_bytes(b"\x00binary")
    code, out, err = run("check", str(tmp_path))
    assert code == 2
    assert out == (f"{tmp_path}/a\\nforged:1:1: CM999 x.Dockerfile:2:5: CM101 warning: `pip install` downloads "
                   "packages with no cache mount: mount /root/.cache/pip so the next build reuses pip's cache\n")
    assert err == (f"cachemount: {tmp_path}/b\\x1b]0;t\\x07.Dockerfile: "
                   "binary file (contains NUL bytes), not a Dockerfile\n")


def test_escape_controls():
    from cachemount.cli.output import escape_controls
    assert escape_controls("a\nb\r\tc\x00\x1b\x7f\x85\u2028\u202e é😀\\n") == \
        "a\\nb\\r\\tc\\x00\\x1b\\x7f\\x85\\u2028\\u202e é😀\\n"


# --- usage -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["", ",", " , "])
def test_empty_select_is_a_usage_error(tmp_path, capsys, value):
    path = tmp_path / "Dockerfile"
    path.write_text(PIP)
    code, out, err = main(capsys, "--select", value, str(path))
    assert code == 2 and out == ""
    assert err == "cachemount: --select needs at least one rule code, prefix or name\n"


def test_empty_ignore_ignores_nothing(tmp_path, capsys):
    path = tmp_path / "Dockerfile"
    path.write_text(PIP)
    assert main(capsys, "--ignore", "", str(path))[0] == 1


# --- unreadable directories --------------------------------------------------------------------------

def _unreadable(monkeypatch, *paths):
    """os.walk lists directories with os.scandir: make these fail as `chmod 000` does for a non-root
    user (root reads everything, and the tests may run as root)."""
    real = os.scandir
    blocked = {os.fspath(p) for p in paths}

    def scandir(path="."):
        if os.fspath(path) in blocked:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_unreadable_subdirectory_is_an_error_and_the_rest_is_checked(tmp_path, monkeypatch, capsys):
    (tmp_path / "Dockerfile").write_text(PIP)
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "Dockerfile").write_text(PIP)
    _unreadable(monkeypatch, tmp_path / "secret")
    code, out, err = main(capsys, str(tmp_path))
    assert code == 2
    assert out.startswith(f"{tmp_path / 'Dockerfile'}:2:5: CM101")
    assert err == f"cachemount: {tmp_path / 'secret'}: cannot read directory (Permission denied)\n"


def test_unreadable_directory_given_explicitly_is_an_error(tmp_path, monkeypatch, capsys):
    (tmp_path / "Dockerfile").write_text(PIP)
    _unreadable(monkeypatch, tmp_path)
    code, out, err = main(capsys, str(tmp_path))
    assert code == 2 and out == ""
    assert err == f"cachemount: {tmp_path}: cannot read directory (Permission denied)\n"   # not "no Dockerfiles"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read a chmod 000 directory")
def test_chmod_000_subdirectory_for_real(tmp_path):
    (tmp_path / "Dockerfile").write_text(PIP)
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "Dockerfile").write_text(PIP)
    secret.chmod(0)
    try:
        code, out, err = run("check", str(tmp_path))
    finally:
        secret.chmod(0o755)
    assert code == 2 and out.startswith(f"{tmp_path / 'Dockerfile'}:2:5: CM101")
    assert err == f"cachemount: {secret}: cannot read directory (Permission denied)\n"


def test_fix_on_stdin_echoes_an_input_with_nothing_to_fix():
    """`check --fix -` is a filter: its output is the whole file, fixed or not."""
    clean = "FROM alpine\nRUN echo hi\n"
    code, out, _ = run("check", "--fix", "-", stdin=clean.encode())
    assert (code, out) == (0, clean)
    code, out, _ = run("check", "--fix", "-", stdin=b"FROM python:3.12\nRUN pip install x\n")
    assert code == 0 and out.startswith("FROM python:3.12\nRUN --mount=type=cache,")

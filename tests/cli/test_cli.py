"""The command-line contract of design.md: formats, exit codes, errors, suppression, --fix."""
import json
import os
import stat
import subprocess
import sys

import pytest

from tests.conftest import REPO



PIP = "FROM python:3.12\nRUN pip install -r requirements.txt\n"


def run(*args, stdin=None, cwd=None):
    proc = subprocess.run([sys.executable, "-m", "cachemount", *args], input=stdin, capture_output=True,
                          cwd=cwd, timeout=120)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


@pytest.fixture
def df(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text(PIP)
    return path


def test_text_format_and_exit_1(df):
    code, out, err = run("check", str(df))
    assert code == 1
    assert out == f"{df}:2:5: CM101 warning: `pip install` downloads packages with no cache mount: mount " \
                  "/root/.cache/pip so the next build reuses pip's cache\n"


def test_json_format(df):
    code, out, _ = run("check", "--format", "json", str(df))
    (item,) = json.loads(out)
    assert code == 1
    assert {k: item[k] for k in ("path", "code", "rule", "severity", "line", "column", "end_line", "end_column")} == {
        "path": str(df), "code": "CM101", "rule": "uncached-install", "severity": "warning",
        "line": 2, "column": 5, "end_line": 2, "end_column": 16}
    assert item["fix"]["title"] == "Add cache mount for pip (/root/.cache/pip)"


def test_columns_are_code_points(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text("FROM python:3.12\nRUN echo 😀漢字 && pip install x\n", encoding="utf-8")
    (item,) = json.loads(run("check", "--format", "json", str(path))[1])
    assert item["column"] == len("RUN echo 😀漢字 && ") + 1


def test_sarif_and_github(df):
    sarif = json.loads(run("check", "--format", "sarif", str(df))[1])
    assert sarif["version"] == "2.1.0"
    driver = sarif["runs"][0]["tool"]["driver"]
    assert {r["id"] for r in driver["rules"]} >= {"CM101", "CM102", "CM103", "CM201"}
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    gh = run("check", "--format", "github", str(df))[1]
    assert gh.startswith(f"::warning file={df},line=2,col=5,endLine=2,endColumn=16,title=CM101 uncached-install::")


def test_clean_file_exit_0(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text("FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n")
    assert run("check", str(path))[:2] == (0, "")


def test_stdin_and_stdin_filename():
    code, out, _ = run("check", "-", stdin=PIP.encode())
    assert code == 1 and out.startswith("<stdin>:2:5: CM101")
    code, out, _ = run("check", "--stdin-filename", "web/Dockerfile", "-", stdin=PIP.encode())
    assert out.startswith("web/Dockerfile:2:5: CM101")


def test_directory_discovery(tmp_path):
    for name in ("Dockerfile", "api.Dockerfile", "Dockerfile.dev", "Containerfile", "notes.txt"):
        (tmp_path / name).write_text(PIP)
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "Dockerfile").write_text(PIP)
    out = run("check", str(tmp_path))[1]
    paths = sorted({line.split(":")[0] for line in out.splitlines()})
    assert [os.path.basename(p) for p in paths] == ["Containerfile", "Dockerfile", "Dockerfile.dev", "api.Dockerfile"]


def _write(path, data):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("setup, message", [
    (lambda d: d / "missing", "no such file or directory"),
    (lambda d: d, "no Dockerfiles found"),
    (lambda d: _write(d / "Dockerfile", b"\x7fELF\x00\x01\x02"), "binary file"),
    (lambda d: _write(d / "Dockerfile", b"FROM a\nRUN echo \xff\xfe\xfa\n"), "not UTF-8"),
])
def test_errors_are_one_line_exit_2(tmp_path, setup, message):
    target = setup(tmp_path)
    code, out, err = run("check", str(target))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err and "Traceback" not in err


def test_usage_errors():
    assert run("check", "--format", "xml")[0] == 2
    code, _, err = run("check", "--select", "CM999", ".")
    assert code == 2 and "unknown rule code" in err and "Traceback" not in err


def test_utf16_with_bom_and_crlf(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(PIP.replace("\n", "\r\n").encode("utf-16"))
    code, out, _ = run("check", str(path))
    assert code == 1 and ":2:5: CM101" in out


@pytest.mark.slow
def test_select_ignore_and_suppressions(df, tmp_path):
    assert run("check", "--ignore", "CM101", str(df))[0] == 0
    assert run("check", "--select", "CM2", str(df))[0] == 0
    assert run("check", "--select", "uncached-install", str(df))[0] == 1
    inline = tmp_path / "x.Dockerfile"
    inline.write_text("FROM python:3.12\n# cachemount: ignore=CM101\nRUN pip install x\n")
    assert run("check", str(inline))[0] == 0
    whole = tmp_path / "y.Dockerfile"
    whole.write_text("# cachemount: ignore-file=CM101\nFROM python:3.12\nRUN pip install x\n")
    assert run("check", str(whole))[0] == 0


def test_settings_file(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.cachemount]\nseverity = { CM101 = "error" }\n')
    (tmp_path / "Dockerfile").write_text(PIP)
    (item,) = json.loads(run("check", "--format", "json", str(tmp_path / "Dockerfile"))[1])
    assert item["severity"] == "error"
    (tmp_path / ".cachemount.toml").write_text("rules = { CM101 = false }\n")
    assert run("check", str(tmp_path / "Dockerfile"))[0] == 0


def test_fix_writes_atomically_keeps_mode_and_is_idempotent(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM python:3.12\r\nRUN pip install --no-cache-dir -r requirements.txt\r\n")
    os.chmod(path, 0o640)
    code, out, err = run("check", "--fix", str(path))
    assert code == 0 and "fixed 1 finding" in err
    assert path.read_bytes() == (b"FROM python:3.12\r\nRUN --mount=type=cache,target=/root/.cache/pip "
                                 b"pip install -r requirements.txt\r\n")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    before = path.read_bytes()
    assert run("check", "--fix", str(path))[0] == 0
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"]  # no temp files left


def test_fix_diff_does_not_write(df):
    code, out, _ = run("check", "--fix", "--diff", str(df))
    assert out.startswith("--- a/") and "+RUN --mount=type=cache,target=/root/.cache/pip" in out
    assert df.read_text() == PIP


def test_fix_write_failure_is_one_line_exit_2_and_file_untouched(tmp_path, monkeypatch, capsys):
    from cachemount import textio
    from cachemount.cli import commands as cli

    path = tmp_path / "Dockerfile"
    path.write_text(PIP)

    def boom(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(textio, "write_atomic", boom)
    code = cli.main(["check", "--fix", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and path.read_text() == PIP
    assert "cannot write fixed file (Permission denied)" in err


def test_cli_path_does_not_import_pygls(df):
    code = ("import sys; from cachemount import cli; rc = cli.main(['check', %r]); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol')))" % str(df))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip().endswith("[]")


def test_readme_before_after_is_what_fix_writes():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("```diff\n", 1)[1].split("```", 1)[0]
    shown = [line for line in block.splitlines() if line.startswith(("+", "-"))]
    code, out, _ = run("check", "--fix", "--unsafe-fixes", "--diff", str(REPO / "examples" / "Dockerfile"))
    actual = [line for line in out.splitlines() if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))]
    assert shown == actual

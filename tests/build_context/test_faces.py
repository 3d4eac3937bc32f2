"""The faces pass each Dockerfile's build context: `cachemount check --context DIR` (else found from
the file's path; unknown for stdin without --stdin-filename) and the language server (the
`buildContext` setting relative to the workspace folder, else found; unknown when untitled)."""
import os
import subprocess
import sys

from cachemount.lsp import analysis
from cachemount.settings.model import DEFAULT, from_mapping

PIP = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
REORDERED = "COPY requirements.txt ./\n"


def run(*args, stdin=None, cwd=None):
    proc = subprocess.run([sys.executable, "-m", "cachemount", *args], input=stdin, capture_output=True,
                          text=True, cwd=cwd, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def project(tmp_path, with_manifest=True):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "Dockerfile").write_text(PIP)
    if with_manifest:
        (tmp_path / "requirements.txt").write_text("flask\n")
    return tmp_path / "Dockerfile"


def test_check_fix_reads_the_dockerfiles_directory(tmp_path):
    path = project(tmp_path)
    code, _out, err = run("check", "--fix", str(path))
    assert REORDERED in path.read_text(), err


def test_check_fix_leaves_the_reorder_when_the_manifest_is_not_in_the_context(tmp_path):
    path = project(tmp_path, with_manifest=False)
    run("check", "--fix", str(path))
    assert REORDERED not in path.read_text()


def test_stdin_context_is_unknown_unless_given(tmp_path):
    project(tmp_path)
    _code, out, _err = run("check", "--fix", "-", stdin=PIP, cwd=tmp_path)
    assert REORDERED not in out                                     # unknown: the unsafe reorder is left
    _code, out, _err = run("check", "--fix", "--unsafe-fixes", "-", stdin=PIP, cwd=tmp_path)
    assert REORDERED in out
    _code, out, _err = run("check", "--fix", "--context", str(tmp_path), "-", stdin=PIP)
    assert REORDERED in out
    _code, out, _err = run("check", "--fix", "--stdin-filename", str(tmp_path / "Dockerfile"), "-", stdin=PIP)
    assert REORDERED in out


def test_context_option_overrides_discovery(tmp_path):
    path = project(tmp_path / "app", with_manifest=False)
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "requirements.txt").write_text("flask\n")
    run("check", "--fix", "--context", str(tmp_path / "ctx"), str(path))
    assert REORDERED in path.read_text()


def test_context_option_that_is_no_directory_is_a_usage_error(tmp_path):
    path = project(tmp_path)
    code, out, err = run("check", "--context", str(tmp_path / "nope"), str(path))
    assert code == 2 and out == "" and err.count("\n") == 1 and "--context" in err and "no such directory" in err
    assert "Traceback" not in err


def test_compose_context_is_used_by_the_cli(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "docker").mkdir()
    path = tmp_path / "docker" / "Dockerfile"
    path.write_text(PIP)
    (tmp_path / "compose.yaml").write_text("services:\n  app:\n    build:\n      context: .\n"
                                           "      dockerfile: docker/Dockerfile\n")
    run("check", "--fix", str(path))
    assert REORDERED in path.read_text()


# -- the language server ---------------------------------------------------------------------------

def test_setting_is_read_and_checked():
    assert from_mapping({"buildContext": " ctx "}).build_context == "ctx"
    assert DEFAULT.build_context == "" and from_mapping({"buildContext": ""}) == DEFAULT
    bad = from_mapping({"buildContext": 3})
    assert bad.build_context == "" and bad.problems and bad.problems[0].startswith("buildContext")


def test_server_context_from_the_setting_relative_to_the_folder(tmp_path):
    (tmp_path / "ctx").mkdir()
    path = project(tmp_path / "app")
    got, note = analysis.build_context_for(str(path), "ctx", str(tmp_path))
    assert os.path.realpath(got.root) == os.path.realpath(tmp_path / "ctx") and note is None
    got, note = analysis.build_context_for(str(path), "${workspaceFolder}/ctx", str(tmp_path))
    assert os.path.realpath(got.root) == os.path.realpath(tmp_path / "ctx")
    got, note = analysis.build_context_for(str(path), "missing", str(tmp_path))
    assert got is None and "buildContext setting ignored" in note
    got, note = analysis.build_context_for(str(path), "", str(tmp_path))       # not set: found from the path
    assert os.path.realpath(got.root) == os.path.realpath(tmp_path / "app")
    assert analysis.build_context_for(None, "", str(tmp_path)) == (None, None)   # untitled: unknown


def test_server_fix_all_and_quick_fixes_read_the_versions_context(tmp_path):
    path = project(tmp_path)
    ctx, _ = analysis.build_context_for(str(path), "", None)
    cache: dict = {"build-context": ctx}
    fixed, applied = analysis.fixed_text(cache, PIP, DEFAULT)
    assert REORDERED in fixed and applied >= 2
    prepared = analysis.prepare(PIP, build_context=ctx)
    (cm201,) = [f for f in analysis.findings({}, prepared, DEFAULT) if f.code == "CM201"]
    assert cm201.fix.applicability == "safe"
    unknown = analysis.prepare(PIP)
    (cm201,) = [f for f in analysis.findings({}, unknown, DEFAULT) if f.code == "CM201"]
    assert cm201.fix.applicability == "unsafe"
    assert REORDERED not in analysis.fixed_text({}, PIP, DEFAULT)[0]


def test_findings_never_depend_on_the_context(tmp_path):
    """The context changes fixes only: the diagnostics (computed without it) and the CLI (with it) agree."""
    from cachemount.build_context import BuildContext
    from cachemount.lint import lint
    from tests.conftest import corpus_files
    from tests.rules.test_cm201_copy_before_install import CM201_FIRE, UNSAFE_CASES, WITH_CONTEXT

    texts = [t for _, t, _ in CM201_FIRE] + [w[1] for w in WITH_CONTEXT.values()]
    texts += [f"FROM node:22\nWORKDIR /app\nCOPY . .\n{run}\n" for _, _, run, _ in UNSAFE_CASES]
    texts += ["FROM golang:1.23\nWORKDIR /src\nCOPY . .\nWORKDIR /src/server\nRUN go build -o /app .\n",
              "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\nRUN dotnet build\n"]
    texts += [p.read_bytes().decode("utf-8", "replace") for p in corpus_files()]
    empty = BuildContext(str(tmp_path))
    for text in texts:
        key = [(f.code, f.message, f.start, f.end, f.severity) for f in lint(text)]
        assert [(f.code, f.message, f.start, f.end, f.severity) for f in lint(text, build_context=empty)] == key

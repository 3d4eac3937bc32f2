"""`cachemount explain`: the text and JSON reports, the changed paths as given on the command line
(relative to the current directory, stdin, .dockerignore, outside the context), and clear errors."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cachemount.cli import main

APP = (
    "FROM python:3.12-slim\n"
    "WORKDIR /app\n"
    "COPY requirements.txt ./\n"
    "RUN pip install -r requirements.txt\n"
    "COPY . .\n"
    "RUN python -m compileall .\n"
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "Dockerfile").write_text(APP)
    (tmp_path / "svc" / ".dockerignore").write_text("*.md\n")
    monkeypatch.chdir(tmp_path)   # like `git diff --name-only` at the repository root
    return tmp_path


def explain(capsys, *argv) -> tuple[int, str, str]:
    code = main(["explain", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_names_what_reruns_with_reasons_and_keeps_the_schema(project, capsys):
    code, out, err = explain(capsys, "svc/Dockerfile", "--changed", "svc/src/app.py", "svc/README.md", "other/x",
                             "--format", "json")
    assert code == 0 and err == ""
    report = json.loads(out)
    assert report["schema"] == "cachemount-explain/1"
    assert report["changed"] == {"paths": ["src/app.py"], "ignored": ["README.md"], "outside_context": ["other/x"],
                                 "build_args": []}
    steps = {s["line"]: s for s in report["steps"]}
    assert set(steps) == {1, 2, 3, 4, 5, 6}
    assert [line for line, s in steps.items() if s["reruns"]] == [5, 6]
    assert steps[5]["reasons"][0]["kind"] == "files" and steps[5]["reasons"][0]["paths"] == ["src/app.py"]
    assert steps[6]["reasons"] == [{"kind": "earlier-step", "detail": "line 5 re-runs: COPY . .", "line": 5,
                                    "certain": True}]
    assert steps[4]["install"] and steps[4]["managers"] == ["pip"] and steps[4]["reruns"] is False
    keys = {"line", "end_line", "stage", "built", "instruction", "text", "install", "managers", "invalidated_by",
            "invalidated_by_truncated", "summary", "reruns", "certain", "reasons"}
    assert all(set(s) == keys for s in report["steps"])


def test_without_changes_each_step_lists_what_invalidates_it(project, capsys):
    code, out, _ = explain(capsys, "svc/Dockerfile")
    assert code == 0
    assert "line 4    RUN pip install -r requirements.txt  (stage 0)  [install: pip]" in out
    assert "    re-runs when `requirements.txt` changes in the build context" in out
    assert "    re-runs when any file of the build context changes (less .dockerignore; line 5)" in out
    report = json.loads(explain(capsys, "svc/Dockerfile", "--format", "json")[1])
    assert report["changed"] is None and all(s["reruns"] is None for s in report["steps"])


def test_text_with_changes_counts_installs(project, capsys):
    _, out, _ = explain(capsys, "svc/Dockerfile", "--changed", "svc/requirements.txt")
    assert "Re-runs 4 of 6 steps, 1 of them installs:" in out
    assert "because `requirements.txt` changed: the context files `requirements.txt`" in out


def test_changed_paths_from_stdin_and_the_dockerfile_after_them(project):
    run = subprocess.run([sys.executable, "-m", "cachemount", "explain", "--changed", "-", "svc/Dockerfile",
                          "--format", "json"], input="svc/app.py\n\nsvc/notes.md\n", capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    changed = json.loads(run.stdout)["changed"]
    assert changed["paths"] == ["app.py"] and changed["ignored"] == ["notes.md"]


def test_a_changed_build_arg(project, capsys):
    (project / "svc" / "Dockerfile").write_text("FROM alpine\nRUN echo 1\nARG V\nRUN echo $V\n")
    report = json.loads(explain(capsys, "svc/Dockerfile", "--changed-arg", "V", "--format", "json")[1])
    assert [s["line"] for s in report["steps"] if s["reruns"]] == [4]
    assert report["steps"][-1]["reasons"][0]["kind"] == "build-arg"


@pytest.mark.parametrize("argv, message", [
    (["missing/Dockerfile"], "missing/Dockerfile: no such file"),
    (["svc/Dockerfile", "--target", "nope"], "no stage named 'nope'"),
    (["svc/Dockerfile", "--context", "nowhere"], "--context"),
])
def test_bad_input_is_one_clear_line_and_exit_2(project, capsys, argv, message):
    code, out, err = explain(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("cachemount explain: ") and message in err and "Traceback" not in err


def test_binary_junk_is_refused_clearly(project, capsys):
    (project / "junk").write_bytes(b"\x00\x01FROM\xff" * 100)
    code, _, err = explain(capsys, "junk")
    assert code == 2 and "not a Dockerfile" in err


def test_thousands_of_copies_stay_linear_each_step_lists_at_most_32_file_patterns(project, capsys):
    text = "FROM alpine\n" + "".join(f"COPY f{i} /x/\n" for i in range(400)) + "RUN echo done\n"
    (project / "svc" / "Dockerfile").write_text(text)
    report = json.loads(explain(capsys, "svc/Dockerfile", "--changed", "svc/f3", "--format", "json")[1])
    last = report["steps"][-1]
    assert last["invalidated_by_truncated"] and sum(i["kind"] == "files" for i in last["invalidated_by"]) == 32
    assert last["reruns"] and sum(s["reruns"] for s in report["steps"]) == 398   # COPY f3 and all after it

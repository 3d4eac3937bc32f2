""".pre-commit-hooks.yaml: its `files` pattern selects exactly what `cachemount check DIR` finds, and
real pre-commit, installing the hooks from a git copy of this checkout, fails on a bad Dockerfile,
fixes it with `cachemount-fix`, then passes."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cachemount.cli.commands import discover
from cachemount.document.names import DOCKERFILE_PATTERNS, is_dockerfile_name
from tests.conftest import REPO
from tests.packaging.conftest import ok, run, tool_env

HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
BY_ID = {hook["id"]: hook for hook in HOOKS}

# Names from every pattern of names.py (its `*` as nothing, a word, a dotted word) and near misses.
NAMES = sorted({p.replace("*", stem) for p in DOCKERFILE_PATTERNS for stem in ("", "app", "app.prod", "dev")} | {
    "Dockerfile.md", "Dockerfile.dev", "x.Dockerfile", "Containerfile", ".Dockerfile",
    "dockerfile", "DOCKERFILE", "Dockerfile-dev", "Dockerfile_dev", "MyDockerfile", "x.Dockerfile.bak",
    "x-Dockerfile", "Containerfile-x", "x.containerfile", "README.md", "notes.txt", ".dockerignore",
    "docker-compose.yml"})
# Where they sit: the top, plain and dotted subdirectories, and the directories the walk skips.
DIRS = ["", "sub/", "sub/deeper/", "a.b/", "node_modules_x/", "myvenv/", ".devcontainer/", "sub/.cache/",
        "node_modules/pkg/", "venv/", "src/venv/", "__pycache__/", ".git/"]


def test_hooks_run_check_and_check_fix_from_python():
    assert set(BY_ID) == {"cachemount", "cachemount-fix"}
    assert BY_ID["cachemount"]["entry"] == "cachemount check"
    assert BY_ID["cachemount-fix"]["entry"] == "cachemount check --fix"
    for hook in HOOKS:
        assert hook["language"] == "python" and hook["name"] and hook["description"]
    assert BY_ID["cachemount"]["files"] == BY_ID["cachemount-fix"]["files"]


def test_files_pattern_follows_names_py():
    files = re.compile(BY_ID["cachemount"]["files"])
    for name in NAMES:
        assert bool(files.search(name)) == is_dockerfile_name(name), name
        assert bool(files.search(f"sub/{name}")) == is_dockerfile_name(name), name
    assert files.search("Dockerfile") and files.search("Dockerfile.md") and not files.search("Dockerfile/x.txt")


def test_files_pattern_selects_what_check_dir_finds(tmp_path):
    """pre-commit hands the hook the repository's files matched by `files` (paths relative to the
    top, `/`-separated); `cachemount check .` walks the same tree. Both must pick the same files."""
    files = re.compile(BY_ID["cachemount"]["files"])
    everything = []
    for directory in DIRS:
        for name in NAMES:
            path = tmp_path / directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("FROM scratch\n")
            everything.append(f"{directory}{name}")
    found, errors = discover([str(tmp_path)])
    assert not errors
    walked = {Path(f).relative_to(tmp_path).as_posix() for f in found}
    selected = {f for f in everything if files.search(f)}
    assert selected == walked, (sorted(selected - walked), sorted(walked - selected))
    assert "sub/deeper/app.Dockerfile" in walked and ".devcontainer/Dockerfile" not in walked   # both kinds present


# ---------------------------------------------------------------------------------------------
# Real pre-commit

BAD = "FROM python:3.12-slim\nRUN pip install requests\n"


def _git(*args, cwd: Path) -> str:
    return ok(run(["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid",
                   "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args], cwd=cwd)).stdout


def _hook_repository(dest: Path) -> str:
    """A git repository holding what pre-commit installs the hooks from (the hooks file and what pip
    builds the package from), committed; its HEAD is the `rev`."""
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "client/LICENSE"):
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, dest / name)
    shutil.copytree(REPO / "server" / "cachemount", dest / "server" / "cachemount",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _git("init", "-q", cwd=dest)
    _git("add", "-A", cwd=dest)
    _git("commit", "-q", "-m", "hooks", cwd=dest)
    return _git("rev-parse", "HEAD", cwd=dest).strip()


@pytest.mark.slow
def test_real_pre_commit_fails_fixes_and_passes(tmp_path):
    hooks_repo, project = tmp_path / "hooks", tmp_path / "project"
    hooks_repo.mkdir()
    project.mkdir()
    rev = _hook_repository(hooks_repo)
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {hooks_repo}\n  rev: {rev}\n  hooks:\n  - id: cachemount\n  - id: cachemount-fix\n")
    (project / "Dockerfile").write_text(BAD)
    (project / "notes.txt").write_text(BAD)   # a finding if it were checked: `files` must leave it out
    _git("init", "-q", cwd=project)
    _git("add", "-A", cwd=project)
    env = tool_env(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), PRE_COMMIT_COLOR="never",
                   GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=str(tmp_path / "gitconfig"))

    def pre_commit(hook: str) -> subprocess.CompletedProcess:
        return run([sys.executable, "-m", "pre_commit", "run", hook, "--all-files"], cwd=project, env=env)

    check = pre_commit("cachemount")
    assert check.returncode == 1, check
    assert "Dockerfile:2:5:" in check.stdout and "CM101" in check.stdout, check.stdout
    assert "notes.txt" not in check.stdout

    fix = pre_commit("cachemount-fix")
    assert fix.returncode == 1 and "files were modified by this hook" in fix.stdout, fix   # as pre-commit reports any fixer
    assert (project / "Dockerfile").read_text() == \
        "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install requests\n"
    assert (project / "notes.txt").read_text() == BAD

    again = pre_commit("cachemount")
    assert again.returncode == 0 and "Passed" in again.stdout, again
    assert pre_commit("cachemount-fix").returncode == 0   # nothing left to fix: nothing changes

"""Fixtures for the packaging tests: uv, an environment for the tools they run that does not point
into this checkout's venv, and the sdist and wheel `uv build` makes from the checkout (once per run)."""
from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO


@dataclass(frozen=True)
class Built:
    sdist: Path
    wheel: Path

    def sdist_names(self) -> list[str]:
        with tarfile.open(self.sdist) as tar:
            return tar.getnames()

    def wheel_names(self) -> list[str]:
        with zipfile.ZipFile(self.wheel) as whl:
            return whl.namelist()

    def wheel_text(self, name: str) -> str:
        with zipfile.ZipFile(self.wheel) as whl:
            return whl.read(name).decode("utf-8")


def tool_env(**extra: str) -> dict[str, str]:
    """The environment minus what `uv run pytest` sets to aim tools at the checkout's venv."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_PROJECT_ENVIRONMENT", "CONDA_PREFIX")}
    env.update(extra)
    return env


def run(cmd: list, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 600,
        input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env or tool_env(), input=input,
                          capture_output=True, text=True, timeout=timeout)


def ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, f"{' '.join(proc.args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="session")
def uv() -> str:
    found = shutil.which("uv")
    if found is None:   # a failure, not a skip: scripts/test-all.sh installs it first
        pytest.fail("uv is not on PATH: install it with `python3 -m pip install uv==0.13.8` (scripts/test-all.sh does)")
    return found


@pytest.fixture(scope="session")
def built(uv, tmp_path_factory) -> Built:
    """`uv build` with no target options: the sdist first, then the wheel built from that sdist, so a
    file missing from the sdist breaks the wheel."""
    out = tmp_path_factory.mktemp("dist")
    ok(run([uv, "build", "--out-dir", out, REPO]))
    sdists, wheels = sorted(out.glob("cachemount-*.tar.gz")), sorted(out.glob("cachemount-*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, sorted(p.name for p in out.iterdir())
    return Built(sdists[0], wheels[0])


@pytest.fixture
def example(tmp_path) -> Path:
    """examples/ copied to a directory outside the checkout: a Dockerfile with findings and its context."""
    dest = tmp_path / "example"
    shutil.copytree(REPO / "examples", dest)
    return dest

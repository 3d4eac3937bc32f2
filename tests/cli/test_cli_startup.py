"""`cachemount check` starts fast (issue 12: within 1.5x of hadolint on a typical file; see
bench/README.md): nearly all of its time on a small file is importing. These tests count what a check
of the benchmark's typical file imports, not how long it takes: modules it does not need stay out."""
from __future__ import annotations

import shutil
import subprocess
import sys

from tests.conftest import REPO

# Each was imported by every `cachemount check` before, and none is needed for this file.
NOT_NEEDED = (
    "logging",                    # only to log a fix planner's failure
    "difflib",                    # only for a misspelt --mount or option
    "tomllib", "tomli",           # only for a settings file, Cargo.toml or pyproject.toml to read
    "importlib.resources", "pathlib",   # tree_sitter_bash's __init__, for a query never read
    "cachemount.settings.catalog",      # the table of settings, for the editor and the generated docs
    "cachemount.build_context.bake",    # only where a docker-bake file is
    "cachemount.build_context.manifest_contents", "cachemount.build_context.workspaces",  # manifests to read
    "pygls", "lsprotocol", "asyncio",   # the other face
)


def test_check_of_a_typical_file_imports_only_what_it_needs(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    shutil.copy(REPO / "bench" / "data" / "typical.Dockerfile", dockerfile)
    code = ("import sys; from cachemount.__main__ import main; rc = main(['check', sys.argv[1]]); "
            "print(rc, sorted(m for m in sys.modules if m in sys.argv[2].split(',')))")
    proc = subprocess.run([sys.executable, "-c", code, str(dockerfile), ",".join(NOT_NEEDED)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "1 []"

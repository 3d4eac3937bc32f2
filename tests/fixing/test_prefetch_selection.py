"""CM201's prefetch repeats what the build step selects: `poetry install --only main` after the
broad COPY got a prefetch `poetry install --no-root --no-directory`, which installed the dev group,
and `poetry install` never removes it: the fixed image held packages the unfixed one did not
(found by the real-build matrix, tests/buildkit/test_python_managers_scenarios.py)."""
from __future__ import annotations

import pytest

from cachemount.build_context.discover import given
from cachemount.lint import apply_all


@pytest.fixture
def context(tmp_path):
    for name in ("pyproject.toml", "poetry.lock", "pdm.lock", "uv.lock"):
        (tmp_path / name).write_text("\n")
    return given(str(tmp_path), None, "test")


@pytest.mark.parametrize("install, prefetch", [
    ("poetry install --only main", "poetry install --no-root --no-directory --only main"),
    ("poetry install --without dev,test --extras s3", "poetry install --no-root --no-directory --without dev,test --extras s3"),
    ("poetry install --only=main", "poetry install --no-root --no-directory --only=main"),
    ("pdm install --prod", "pdm install --no-self --prod"),
    ("pdm install -G web --no-default", "pdm install --no-self -G web --no-default"),
    ("uv sync --locked --no-dev", "uv sync --frozen --no-install-workspace --no-dev"),
    ("poetry install", "poetry install --no-root --no-directory"),
])
def test_the_prefetch_selects_what_the_build_step_selects(context, install, prefetch):
    before = f"FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN {install}\n"
    after, _ = apply_all(before, build_context=context)
    assert f" {prefetch}\nCOPY . .\n" in after, after
    assert apply_all(after, build_context=context) == (after, 0)


def test_a_selection_it_cannot_repeat_gets_no_prefetch(context):
    before = "FROM python:3.11-slim\nARG G=main\nWORKDIR /app\nCOPY . .\nRUN poetry install --only $G\n"
    after, _ = apply_all(before, build_context=context, unsafe=True)
    assert "--no-root --no-directory" not in after

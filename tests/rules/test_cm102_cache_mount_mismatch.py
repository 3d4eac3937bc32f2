"""CM102 cache-mount-mismatch table."""
import pytest

from tests.rules.helpers import findings

CM102_FIRE = [
    ("root-target-under-user", "FROM python:3.12\nRUN useradd -m -u 1001 app\nUSER app\n"
                               "RUN --mount=type=cache,target=/root/.cache/pip,uid=1001 pip install x\n",
     "/home/app/.cache/pip"),
    ("root-owned-under-user", "FROM python:3.12\nRUN useradd -m -u 1001 app\nUSER app\n"
                              "RUN --mount=type=cache,target=/home/app/.cache/pip pip install x\n", "uid=1001"),
    ("env-moved", "FROM python:3.12\nENV PIP_CACHE_DIR=/pipcache\n"
                  "RUN --mount=type=cache,target=/root/.cache/pip pip install x\n", "/pipcache"),
    ("uv-env-moved", "FROM python:3.12\nENV UV_CACHE_DIR=/uvc\nRUN --mount=type=cache,target=/root/.cache/uv uv sync\n",
     "/uvc"),
    ("node-user-npm", "FROM node:22\nUSER node\nRUN --mount=type=cache,target=/root/.npm npm ci\n", "/home/node/.npm"),
    ("yarn-root-wrong", "FROM node:22\nRUN --mount=type=cache,target=/root/.cache/yarn yarn install\n",
     "/usr/local/share/.cache/yarn"),
    ("wrong-uid", "FROM node:22\nUSER node\nRUN --mount=type=cache,target=/home/node/.npm,uid=0 npm ci\n", "uid=1000"),
]


@pytest.mark.parametrize("case_id, text, expect", CM102_FIRE, ids=[c[0] for c in CM102_FIRE])
def test_cm102_fires(case_id, text, expect):
    got = findings(text, "CM102")
    assert got and any(expect in f.message for f in got), [f.message for f in got]


CM102_SILENT = [
    ("correct", "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n"),
    ("correct-nonroot", "FROM python:3.12\nRUN useradd -m -u 1001 app\nUSER app\n"
                        "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1001,gid=1001 pip install x\n"),
    ("world-writable", "FROM node:22\nUSER node\nRUN --mount=type=cache,target=/home/node/.npm,mode=0777 npm ci\n"),
    ("env-expanded-target", "FROM python:3.12\nENV POETRY_CACHE_DIR=/var/cache/pypoetry\n"
                            "RUN --mount=type=cache,target=\"$POETRY_CACHE_DIR\" poetry install\n"),
    ("ccache-mount", "FROM debian:12\nENV CCACHE_DIR=/opt/ccache\nRUN --mount=type=cache,target=/opt/ccache make\n"),
    ("unrelated-tmpfs", "FROM python:3.12\nRUN --mount=type=tmpfs,target=/root/.cache/pip true\n"),
]


@pytest.mark.parametrize("case_id, text", CM102_SILENT, ids=[c[0] for c in CM102_SILENT])
def test_cm102_silent(case_id, text):
    assert findings(text, "CM102") == []

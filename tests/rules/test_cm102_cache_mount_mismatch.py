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


# ---- issue 10: knowledge defects ------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "FROM python:3.12\nENV PIP_CACHE_DIR=/dev/null\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n",
    "FROM composer:2\nRUN --mount=type=cache,target=/tmp/cache COMPOSER_CACHE_DIR=/dev/null composer install\n",
    "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install --cache-dir=/dev/null x\n",
])
def test_dev_null_is_no_cache_dir_to_retarget_to(text):
    """Defect 8: `/dev/null` turns the cache off (CM103), it is never where the tool caches."""
    assert findings(text, "CM102") == []
    (f,) = findings(text, "CM103")
    assert "/dev/null" in f.message and "never used" in f.message


@pytest.mark.parametrize("base, run, wrong, right", [
    ("fedora:41", "dnf install -y x", "/var/cache/dnf", "/var/cache/libdnf5"),
    ("fedora:42", "yum install -y x", "/var/cache/yum", "/var/cache/libdnf5"),
    ("centos:7", "yum install -y x", "/var/cache/dnf", "/var/cache/yum"),
    ("almalinux:9", "yum install -y x", "/var/cache/yum", "/var/cache/dnf"),
])
def test_rpm_mount_on_the_other_versions_dir_is_retargeted(base, run, wrong, right):
    """Defect 7: the base image says which dnf/yum runs; a mount on another version's dir misses."""
    text = f"FROM {base}\nRUN --mount=type=cache,target={wrong},sharing=locked {run}\n"
    (f,) = findings(text, "CM102")
    assert right in f.message and f.fixes[0].title == f"Retarget the cache mount to {right}"
    assert findings(text, "CM101") == []

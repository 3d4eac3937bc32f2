"""CM103 on the knowledge defects of issue 10: what turns a mounted cache off, per the tables."""
import pytest

from cachemount.lint import apply_all
from tests.rules.helpers import findings


def test_apk_no_cache_with_a_mount_becomes_an_index_update():
    """Defect 1: dropping `--no-cache` must keep the fresh index it implied."""
    text = ("FROM alpine:3.20\nRUN ln -s /var/cache/apk /etc/apk/cache\n"
            "RUN --mount=type=cache,target=/var/cache/apk apk add --no-cache git\n")
    (f,) = findings(text, "CM103")
    assert f.fixes[0].title == "Replace --no-cache with --update-cache"
    assert apply_all(text)[0] == text.replace("--no-cache", "--update-cache")


@pytest.mark.parametrize("text", [
    "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/uv uv --no-cache-dir sync\n",
    "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/uv uv pip install --no-cache-dir x\n",
])
def test_uv_no_cache_dir_defeats_the_mount(text):
    """Defect 9: uv's `--no-cache-dir` is its `--no-cache`."""
    (f,) = findings(text, "CM103")
    assert "--no-cache-dir" in f.message and "--no-cache-dir" not in apply_all(text)[0]


@pytest.mark.parametrize("text", [
    "FROM composer:2\nRUN --mount=type=cache,target=/tmp/cc COMPOSER_CACHE_DIR=/tmp/cc composer install\n",
    "FROM python:3.12\nENV PIP_CACHE_DIR=/pc\nRUN --mount=type=cache,target=/pc pip install x\n",
    "FROM node:22\nENV npm_config_cache=/npm\nRUN --mount=type=cache,target=/npm npm ci\n",
])
def test_a_real_cache_dir_variable_is_no_defeat(text):
    assert findings(text, "CM103") == []
    assert apply_all(text) == (text, 0)


@pytest.mark.parametrize("text, var", [
    ("FROM composer:2\nRUN --mount=type=cache,target=/tmp/cache COMPOSER_CACHE_DIR=/dev/null composer install\n",
     "COMPOSER_CACHE_DIR"),
    ("FROM golang:1.23\nENV GOMODCACHE=/dev/null\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\n",
     "GOMODCACHE"),
    ("FROM node:22\nRUN export YARN_CACHE_FOLDER=/dev/null && "
     "yarn install --cache-folder /usr/local/share/.cache/yarn\n", None),
])
def test_dev_null_cache_dir_defeats_the_mount(text, var):
    """Defect 8: every whole cache-dir variable set to a device is reported, the same way."""
    got = findings(text, "CM103")
    if var is None:   # the option wins over the variable: the mount is used
        assert got == [] or all("YARN_CACHE_FOLDER" not in f.message for f in got)
        return
    (f,) = got
    assert f.message.startswith(f"{var}=/dev/null") and "never used" in f.message
    after = apply_all(text)[0]
    assert findings(after, "CM103") == [] and findings(after, "CM102") == []
    run = after.splitlines()[-1]
    assert "/dev/null" not in run   # gone from the command, or overridden for it (an ENV may stay)


def test_tdnf_mount_without_keepcache():
    """Defect 10: the prerequisite is reported and inserted once."""
    text = "FROM photon:5.0\nRUN --mount=type=cache,target=/var/cache/tdnf,sharing=locked tdnf install -y git\n"
    (f,) = findings(text, "CM103")
    assert "keepcache" in f.message and f.fixes[0].title.endswith("echo keepcache=1 >> /etc/tdnf/tdnf.conf")
    after = apply_all(text)[0]
    assert after.count("keepcache=1") == 1 and findings(after, "CM103") == []

"""CM102 cache-mount-mismatch and CM201 copy-before-install tables."""
import pytest

from tests.rules.helpers import findings, line_of

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


CM201_FIRE = [
    ("pip", "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n", 4),
    ("npm-ci", "FROM node:22\nWORKDIR /app\nCOPY . ./\nRUN npm ci\n", 4),
    ("yarn", "FROM node:22\nCOPY . /app\nWORKDIR /app\nRUN yarn install --frozen-lockfile\n", 4),
    ("go-mod", "FROM golang:1.23\nCOPY . .\nRUN go mod download\n", 3),
    ("bundle", "FROM ruby:3.3\nADD . /app\nWORKDIR /app\nRUN bundle install\n", 4),
    ("composer", "FROM composer:2\nCOPY . .\nRUN composer install\n", 3),
    ("uv-no-install-project", "FROM python:3.12\nCOPY . .\nRUN uv sync --locked --no-install-project\n", 3),
    ("poetry-no-root", "FROM python:3.12\nCOPY . .\nRUN poetry install --no-root\n", 3),
    ("pipenv-manifest-first-then-broad", "FROM python:3.12\nCOPY Pipfile Pipfile.lock /app/\nCOPY . /app\n"
                                         "WORKDIR /app\nRUN pipenv install --system --deploy\n", 5),
]


@pytest.mark.parametrize("case_id, text, line", CM201_FIRE, ids=[c[0] for c in CM201_FIRE])
def test_cm201_fires(case_id, text, line):
    got = [f for f in findings(text, "CM201") if f.severity == "warning"]
    assert got and line_of(text, got[0]) == line


CM201_SILENT = [
    ("manifests-first", "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n"),
    ("uv-second-step", "FROM python:3.12\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --no-install-project\n"
                       "COPY . .\nRUN uv sync\n"),
    ("pip-install-dot", "FROM python:3.12\nCOPY . .\nRUN pip install .\n"),
    ("go-build-after-download", "FROM golang:1.23\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n"
                                "RUN go build ./...\n"),
    ("copy-from", "FROM python:3.12\nCOPY --from=builder . .\nRUN pip install -r requirements.txt\n"),
    ("other-stage", "FROM python:3.12 AS a\nCOPY . .\nFROM python:3.12\nRUN pip install -r requirements.txt\n"),
    ("specific-dir", "FROM python:3.12\nCOPY src/ /app/src/\nRUN pip install -r requirements.txt\n"),
    ("bind-target-dot", "FROM golang:1.23\nRUN --mount=type=bind,target=. go mod download\n"),
    ("pnpm-offline", "FROM node:22\nCOPY pnpm-lock.yaml ./\nRUN pnpm fetch\nCOPY . .\nRUN pnpm install --offline\n"),
]


@pytest.mark.parametrize("case_id, text", CM201_SILENT, ids=[c[0] for c in CM201_SILENT])
def test_cm201_silent(case_id, text):
    assert [f for f in findings(text, "CM201") if f.severity == "warning"] == []


def test_cm201_os_install_after_copy_is_information():
    text = "FROM debian:12\nCOPY . /src\nRUN apt-get update && apt-get install -y curl\n"
    (f,) = findings(text, "CM201")
    assert f.severity == "information" and "move this RUN above" in f.message

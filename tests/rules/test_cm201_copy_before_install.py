"""CM201 copy-before-install table."""
import pytest

from tests.rules.helpers import findings, line_of

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

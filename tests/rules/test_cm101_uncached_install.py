"""CM101 uncached-install: cases that must fire (with the expected target) and must stay silent."""
import pytest

from tests.rules.helpers import findings

FIRE = [
    # (id, dockerfile, substrings the message must contain)
    ("pip-root", "FROM python:3.12\nRUN pip install -r requirements.txt\n", ["/root/.cache/pip"]),
    ("pip-no-cache-dir-still-uncached", "FROM python:3.12\nRUN pip install --no-cache-dir flask\n", ["/root/.cache/pip"]),
    ("python-m-pip", "FROM python:3.12\nRUN python3 -m pip install flask\n", ["/root/.cache/pip"]),
    ("pip-nonroot-useradd", "FROM python:3.12-slim\nRUN useradd -m -u 1001 app\nUSER app\nRUN pip install --user x\n",
     ["/home/app/.cache/pip", "uid=1001"]),
    ("pip-env-cache-dir", "FROM python:3.12\nENV PIP_CACHE_DIR=/cache/pip\nRUN pip install x\n", ["/cache/pip"]),
    ("pip-xdg", "FROM python:3.12\nENV XDG_CACHE_HOME=/xdg\nRUN pip install x\n", ["/xdg/pip"]),
    ("pip-arg-user", "FROM python:3.12\nARG APP_USER=app\nRUN useradd -m -u 1500 ${APP_USER}\nUSER ${APP_USER}\nRUN pip install x\n",
     ["/home/app/.cache/pip", "uid=1500"]),
    ("uv-sync", "FROM python:3.12\nRUN uv sync --locked\n", ["/root/.cache/uv"]),
    ("uv-cache-dir-env", "FROM python:3.12\nENV UV_CACHE_DIR=/opt/uvcache\nRUN uv pip install -r r.txt\n", ["/opt/uvcache"]),
    ("poetry", "FROM python:3.12\nRUN poetry install --no-root\n", ["pypoetry"]),
    ("pipenv", "FROM python:3.12\nRUN pipenv install --system --deploy\n", ["/root/.cache/pipenv"]),
    ("npm-ci", "FROM node:22\nRUN npm ci\n", ["/root/.npm"]),
    ("npm-as-node", "FROM node:22\nUSER node\nRUN npm ci\n", ["/home/node/.npm", "uid=1000"]),
    ("yarn-root", "FROM node:22\nRUN yarn install --frozen-lockfile\n", ["/usr/local/share/.cache/yarn"]),
    ("pnpm-home", "FROM node:22\nENV PNPM_HOME=/pnpm\nRUN corepack enable && pnpm install --frozen-lockfile\n", ["/pnpm/store"]),
    ("bun", "FROM oven/bun:1\nRUN bun install --frozen-lockfile\n", ["/root/.bun/install/cache"]),
    ("apt-get", "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl\n", ["/var/cache/apt", "/var/lib/apt"]),
    ("apt-sudo-wrapper", "FROM ubuntu:24.04\nRUN sudo apt-get install -y curl\n", ["/var/cache/apt"]),
    ("apk-no-cache-still-uncached", "FROM alpine:3.20\nRUN apk add --no-cache curl\n", ["/var/cache/apk"]),
    ("dnf", "FROM fedora:40\nRUN dnf install -y gcc\n", ["/var/cache/"]),
    ("zypper", "FROM opensuse/leap:15.6\nRUN zypper -n install curl\n", ["/var/cache/zypp"]),
    ("go-mod-download", "FROM golang:1.23\nRUN go mod download\n", ["/go/pkg/mod"]),
    ("go-build-gocache-env", "FROM golang:1.23\nENV GOCACHE=/gocache\nRUN go build ./...\n", ["/gocache"]),
    ("cargo-build", "FROM rust:1.80\nRUN cargo build --release\n", ["/usr/local/cargo/registry"]),
    ("maven-wrapper", "FROM eclipse-temurin:21\nRUN ./mvnw dependency:go-offline\n", ["/root/.m2"]),
    ("gradle", "FROM gradle:8-jdk21\nRUN gradle build --no-daemon\n", ["gradle"]),
    ("bundle", "FROM ruby:3.3\nRUN bundle install\n", ["/usr/local/bundle/cache"]),
    ("composer-image", "FROM composer:2\nRUN composer install --no-dev\n", ["/tmp/cache"]),
    ("dotnet-restore", "FROM mcr.microsoft.com/dotnet/sdk:8.0\nRUN dotnet restore\n", ["/root/.nuget/packages"]),
    ("micromamba-default-user", "FROM mambaorg/micromamba:1.5\nRUN micromamba install -y -f env.yaml\n",
     ["/opt/conda/pkgs", "uid=57439"]),
    ("sh-c-string", "FROM python:3.12\nRUN sh -c 'pip install flask'\n", ["/root/.cache/pip"]),
    ("heredoc", "FROM python:3.12\nRUN <<EOF\nset -e\npip install flask\nEOF\n", ["/root/.cache/pip"]),
    ("json-form", 'FROM python:3.12\nRUN ["pip", "install", "flask"]\n', ["/root/.cache/pip"]),
    ("inherited-stage-user", "FROM node:22 AS base\nUSER node\nFROM base\nRUN npm install\n", ["/home/node/.npm"]),
    ("mount-for-other-tool", "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/uv pip install x\n",
     ["/root/.cache/pip"]),
    ("dotnet-publish-no-restore-after-mounted-restore",
     "FROM mcr.microsoft.com/dotnet/sdk:8.0\nRUN --mount=type=cache,target=/root/.nuget/packages dotnet restore\n"
     "COPY . .\nRUN dotnet publish --no-restore -o /out\n", ["line 2"]),
]


@pytest.mark.parametrize("case_id, text, expect", FIRE, ids=[c[0] for c in FIRE])
def test_fires(case_id, text, expect):
    got = findings(text, "CM101")
    assert got, f"CM101 expected for {case_id}"
    message = " | ".join(f.message for f in got)
    for part in expect:
        assert part in message


SILENT = [
    ("pip-mounted", "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n"),
    ("pip-parent-mounted", "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache pip install x\n"),
    ("pip-version", "FROM python:3.12\nRUN pip --version && pip list && pip freeze\n"),
    ("pip-uninstall", "FROM python:3.12\nRUN pip uninstall -y x\n"),
    ("npm-run", "FROM node:22\nRUN npm run build && npm test\n"),
    ("apt-purge", "FROM debian:12\nRUN apt-get purge -y curl && apt-get autoremove -y\n"),
    ("echo-string", "FROM python:3.12\nRUN echo \"pip install flask\" > /readme\n"),
    ("comment", "FROM python:3.12\n# RUN pip install flask\nRUN true\n"),
    ("printf", "FROM python:3.12\nRUN printf 'apt-get install x' && echo npm ci\n"),
    ("windows", "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN pip install flask\n"),
    ("go-mounted-both", "FROM golang:1.23\nRUN --mount=type=cache,target=/go/pkg/mod "
                        "--mount=type=cache,target=/root/.cache/go-build go build ./...\n"),
    ("uv-env-mount", "FROM python:3.12\nENV UV_CACHE_DIR=/opt/uv\nRUN --mount=type=cache,target=/opt/uv uv sync\n"),
    ("nonroot-correct", "FROM python:3.12\nRUN useradd -m -u 1001 app\nUSER app\n"
                        "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1001,gid=1001 pip install x\n"),
    ("apt-mounted", "FROM debian:12\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
                    "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked "
                    "--mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y x\n"),
    ("cargo-subdirs", "FROM rust:1.80\nRUN --mount=type=cache,target=/usr/local/cargo/git/db "
                      "--mount=type=cache,target=/usr/local/cargo/registry/cache "
                      "--mount=type=cache,target=/usr/local/cargo/registry/index cargo fetch\n"),
    ("suppressed", "FROM python:3.12\n# cachemount: ignore=CM101\nRUN pip install x\n"),
    ("suppressed-file", "# cachemount: ignore-file=CM101\nFROM python:3.12\nRUN pip install x\n"),
    ("dotnet-no-restore-without-mounts", "FROM mcr.microsoft.com/dotnet/sdk:8.0\nRUN dotnet publish --no-restore\n"),
    ("bun-transpiler-env", "FROM oven/bun:1\nENV BUN_RUNTIME_TRANSPILER_CACHE_PATH=0\nRUN bun --version\n"),
]


@pytest.mark.parametrize("case_id, text", SILENT, ids=[c[0] for c in SILENT])
def test_silent(case_id, text):
    assert findings(text, "CM101") == []

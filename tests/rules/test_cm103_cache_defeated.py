"""CM103 cache-defeated: what defeats or wipes a present mount, and what must stay silent."""
import pytest

from tests.rules.helpers import findings

PIP = "--mount=type=cache,target=/root/.cache/pip"
APT = "--mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked"
NO_CLEAN = "RUN rm -f /etc/apt/apt.conf.d/docker-clean\n"

FIRE = [
    ("pip-no-cache-dir", f"FROM python:3.12\nRUN {PIP} pip install --no-cache-dir x\n", "--no-cache-dir"),
    ("pip-no-cache-abbrev", f"FROM python:3.12\nRUN {PIP} pip install --no-cache x\n", "--no-cache"),
    ("pip-env-any-value", f"FROM python:3.12\nENV PIP_NO_CACHE_DIR=false\nRUN {PIP} pip install x\n", "PIP_NO_CACHE_DIR"),
    ("pip-env-prefix", f"FROM python:3.12\nRUN {PIP} PIP_NO_CACHE_DIR=1 pip install x\n", "PIP_NO_CACHE_DIR"),
    ("pip-cache-purge", f"FROM python:3.12\nRUN {PIP} pip install x && pip cache purge\n", "pip cache purge"),
    ("rm-mounted-dir", f"FROM python:3.12\nRUN {PIP} pip install x && rm -rf /root/.cache/pip\n", "rm"),
    ("uv-no-cache", "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --no-cache\n", "--no-cache"),
    ("uv-env", "FROM python:3.12\nENV UV_NO_CACHE=1\nRUN --mount=type=cache,target=/root/.cache/uv uv sync\n", "UV_NO_CACHE"),
    ("apk-no-cache", "FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk ln -s /var/cache/apk /etc/apk/cache "
                     "&& apk add --no-cache curl\n", "--no-cache"),
    ("apk-missing-link", "FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\n", "/etc/apk/cache"),
    ("apt-docker-clean", f"FROM debian:bookworm\nRUN {APT} apt-get update && apt-get install -y curl\n", "docker-clean"),
    ("apt-docker-clean-ubuntu", f"FROM ubuntu:24.04\nRUN {APT} apt-get install -y curl\n", "docker-clean"),
    ("apt-get-clean", f"FROM debian:12\n{NO_CLEAN}RUN {APT} apt-get install -y x && apt-get clean\n", "apt-get clean"),
    ("apt-lists-rm", f"FROM debian:12\n{NO_CLEAN}RUN {APT} apt-get update && apt-get install -y x "
                     "&& rm -rf /var/lib/apt/lists/*\n", "rm"),
    ("dnf-keepcache", "FROM fedora:40\nRUN --mount=type=cache,target=/var/cache/dnf,sharing=locked dnf install -y gcc\n",
     "keepcache"),
    ("dnf-clean-all", "FROM fedora:40\nRUN --mount=type=cache,target=/var/cache/dnf,sharing=locked "
                      "dnf install -y --setopt=keepcache=1 gcc && dnf clean all\n", "dnf clean"),
    ("conda-clean", "FROM continuumio/miniconda3\nRUN --mount=type=cache,target=/opt/conda/pkgs "
                    "conda install -y numpy && conda clean -afy\n", "conda clean"),
    ("npm-cache-clean", "FROM node:22\nRUN --mount=type=cache,target=/root/.npm npm ci && npm cache clean --force\n",
     "npm cache clean"),
    ("go-clean-modcache", "FROM golang:1.23\nRUN --mount=type=cache,target=/go/pkg/mod go mod download "
                          "&& go clean -modcache\n", "go clean"),
    ("composer-no-cache", "FROM composer:2\nRUN --mount=type=cache,target=/tmp/cache composer install --no-cache\n",
     "--no-cache"),
    ("yarn-cache-clean", "FROM node:22\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn "
                         "yarn install && yarn cache clean\n", "yarn cache clean"),
    ("unknown-base-apt-info", f"ARG BASE\nFROM $BASE\nRUN {APT} apt-get install -y x\n", "docker-clean"),
]


@pytest.mark.parametrize("case_id, text, expect", FIRE, ids=[c[0] for c in FIRE])
def test_fires(case_id, text, expect):
    got = findings(text, "CM103")
    assert got, f"CM103 expected for {case_id}"
    assert any(expect in f.message for f in got), [f.message for f in got]


def test_unknown_base_is_information_only():
    (f,) = findings(f"ARG BASE\nFROM $BASE\nRUN {APT} apt-get install -y x\n", "CM103")
    assert f.severity == "information"


SILENT = [
    ("no-mount-no-cache-dir", "FROM python:3.12\nRUN pip install --no-cache-dir x\n"),
    ("no-mount-apt-clean", "FROM debian:12\nRUN apt-get update && apt-get install -y x && apt-get clean "
                           "&& rm -rf /var/lib/apt/lists/*\n"),
    ("no-mount-apk-no-cache", "FROM alpine:3.20\nRUN apk add --no-cache curl\n"),
    ("pip-env-other-manager", "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\n"
                              "RUN --mount=type=cache,target=/root/.cache/pypoetry poetry install\n"),
    ("bundler-no-cache", "FROM ruby:3.3\nRUN --mount=type=cache,target=/usr/local/bundle/cache bundle install --no-cache\n"),
    ("bun-transpiler", "FROM oven/bun:1\nENV BUN_RUNTIME_TRANSPILER_CACHE_PATH=0\n"
                       "RUN --mount=type=cache,target=/root/.bun/install/cache bun install\n"),
    ("dotnet-no-cache-http-only", "FROM mcr.microsoft.com/dotnet/sdk:8.0\n"
                                  "RUN --mount=type=cache,target=/root/.nuget/packages dotnet restore --no-cache\n"),
    ("apt-docker-clean-removed", f"FROM debian:12\n{NO_CLEAN}RUN {APT} apt-get update && apt-get install -y x\n"),
    ("apt-alpine-not-applicable", f"FROM alpine:3.20\nRUN {APT} true\n"),
    ("apk-with-link", "FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk "
                      "ln -s /var/cache/apk /etc/apk/cache && apk add curl\n"),
    ("dnf-keepcache-set", "FROM fedora:40\nRUN --mount=type=cache,target=/var/cache/dnf,sharing=locked "
                          "dnf install -y --setopt=keepcache=1 gcc\n"),
    ("rm-elsewhere", f"FROM python:3.12\nRUN {PIP} pip install x && rm -rf /tmp/build\n"),
    ("uv-link-mode-copy", "FROM python:3.12\nENV UV_LINK_MODE=copy\nRUN --mount=type=cache,target=/root/.cache/uv uv sync\n"),
    ("echo-no-cache", f"FROM python:3.12\nRUN {PIP} pip install x && echo --no-cache-dir\n"),
    ("suppressed", f"FROM python:3.12\n# cachemount: ignore=CM103\nRUN {PIP} pip install --no-cache-dir x\n"),
]


@pytest.mark.parametrize("case_id, text", SILENT, ids=[c[0] for c in SILENT])
def test_silent(case_id, text):
    assert findings(text, "CM103") == []

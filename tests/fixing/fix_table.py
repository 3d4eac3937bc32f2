"""Before/after table of fixes (reviewed by hand; each `after` is what a Docker expert writes)."""

CASES = {
    'pip-root': (
        'FROM python:3.12\nRUN pip install -r requirements.txt\n',
        'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n',
    ),
    'pip-nonroot-useradd': (
        'FROM python:3.12-slim\nRUN useradd -m -u 1001 app\nUSER app\nRUN pip install --user -r requirements.txt\n',
        'FROM python:3.12-slim\nRUN useradd -m -u 1001 app\nUSER app\nRUN mkdir -p /home/app/.cache/pip\nRUN --mount=type=cache,target=/home/app/.cache/pip,uid=1001,gid=1001 pip install --user -r requirements.txt\n',
    ),
    'pip-env-cache': (
        'FROM python:3.12\nENV PIP_CACHE_DIR=/cache/pip\nRUN pip install x\n',
        'FROM python:3.12\nENV PIP_CACHE_DIR=/cache/pip\nRUN --mount=type=cache,target=/cache/pip pip install x\n',
    ),
    'pip-arg-user': (
        'FROM python:3.12\nARG APP_USER=app\nRUN useradd -m -u 1500 ${APP_USER}\nUSER ${APP_USER}\nRUN pip install x\n',
        'FROM python:3.12\nARG APP_USER=app\nRUN useradd -m -u 1500 ${APP_USER}\nUSER ${APP_USER}\nRUN mkdir -p /home/app/.cache/pip\nRUN --mount=type=cache,target=/home/app/.cache/pip,uid=1500,gid=1500 pip install x\n',
    ),
    'pip-no-cache-dir': (
        'FROM python:3.12\nRUN pip install --no-cache-dir -r requirements.txt\n',
        'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n',
    ),
    'pip-prefix-env': (
        'FROM python:3.12\nRUN PIP_NO_CACHE_DIR=1 pip install x\n',
        'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n',
    ),
    'uv-sync': (
        'FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim\nWORKDIR /app\nRUN uv sync --locked --no-install-project\n',
        'FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim\nWORKDIR /app\nENV UV_LINK_MODE=copy\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-install-project\n',
    ),
    'uv-no-cache': (
        'FROM python:3.12\nRUN uv pip install --system --no-cache -r requirements.txt\n',
        'FROM python:3.12\nENV UV_LINK_MODE=copy\nRUN --mount=type=cache,target=/root/.cache/uv uv pip install --system -r requirements.txt\n',
    ),
    'npm-node-user': (
        'FROM node:22\nUSER node\nWORKDIR /home/node/app\nRUN npm ci\n',
        'FROM node:22\nUSER node\nWORKDIR /home/node/app\nRUN mkdir -p /home/node/.npm\nRUN --mount=type=cache,target=/home/node/.npm,uid=1000,gid=1000 npm ci\n',
    ),
    'yarn-root': (
        'FROM node:22\nRUN yarn install --frozen-lockfile && yarn cache clean\n',
        'FROM node:22\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install --frozen-lockfile\n',
    ),
    'pnpm': (
        'FROM node:22-slim\nENV PNPM_HOME=/pnpm\nRUN corepack enable && pnpm install --frozen-lockfile\n',
        'FROM node:22-slim\nENV PNPM_HOME=/pnpm\nRUN --mount=type=cache,id=pnpm,target=/pnpm/store corepack enable && pnpm install --frozen-lockfile\n',
    ),
    'apt-multiline': (
        'FROM debian:bookworm\nRUN apt-get update \\\n    && apt-get install -y --no-install-recommends curl \\\n    && apt-get clean \\\n    && rm -rf /var/lib/apt/lists/*\n',
        'FROM debian:bookworm\nRUN rm -f /etc/apt/apt.conf.d/docker-clean; echo \'Binary::apt::APT::Keep-Downloaded-Packages "true";\' > /etc/apt/apt.conf.d/keep-cache\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \\\n    apt-get update \\\n    && apt-get install -y --no-install-recommends curl\n',
    ),
    'apt-two-runs': (
        'FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y curl\nRUN apt-get update && apt-get install -y git\n',
        'FROM ubuntu:24.04\nRUN rm -f /etc/apt/apt.conf.d/docker-clean; echo \'Binary::apt::APT::Keep-Downloaded-Packages "true";\' > /etc/apt/apt.conf.d/keep-cache\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt/lists,sharing=locked apt-get update && apt-get install -y curl\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt/lists,sharing=locked apt-get update && apt-get install -y git\n',
    ),
    'apk-no-cache': (
        'FROM alpine:3.20\nRUN apk add --no-cache curl git\n',
        'FROM alpine:3.20\nRUN ln -s /var/cache/apk /etc/apk/cache\nRUN --mount=type=cache,target=/var/cache/apk apk add --update-cache curl git\n',
    ),
    'dnf': (
        'FROM fedora:40\nRUN dnf install -y gcc && dnf clean all\n',
        'FROM fedora:40\nRUN echo keepcache=1 >> /etc/dnf/dnf.conf\nRUN --mount=type=cache,target=/var/cache/dnf,sharing=locked dnf install -y gcc\n',
    ),
    'zypper': (
        'FROM opensuse/leap:15.6\nRUN zypper -n install -y curl\n',
        'FROM opensuse/leap:15.6\nRUN zypper modifyrepo --keep-packages --all\nRUN --mount=type=cache,target=/var/cache/zypp,sharing=locked zypper -n install -y curl\n',
    ),
    'go-download-build': (
        'FROM golang:1.23\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app ./cmd/app\n',
        'FROM golang:1.23\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /app ./cmd/app\n',
    ),
    'cargo': (
        'FROM rust:1.80\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\n',
        'FROM rust:1.80\nWORKDIR /app\nCOPY . .\nRUN --mount=type=cache,target=/usr/local/cargo/registry --mount=type=cache,target=/usr/local/cargo/git/db cargo build --release\n',
    ),
    'maven': (
        'FROM maven:3-eclipse-temurin-21\nCOPY pom.xml .\nRUN mvn -B dependency:go-offline\n',
        'FROM maven:3-eclipse-temurin-21\nCOPY pom.xml .\nRUN --mount=type=cache,target=/root/.m2 mvn -B dependency:go-offline\n',
    ),
    'gradle': (
        'FROM gradle:8-jdk21\nRUN gradle build --no-daemon\n',
        'FROM gradle:8-jdk21\nRUN --mount=type=cache,target=/root/.gradle,sharing=locked gradle build --no-daemon\n',
    ),
    'bundle': (
        'FROM ruby:3.3\nCOPY Gemfile Gemfile.lock ./\nRUN bundle install\n',
        'FROM ruby:3.3\nCOPY Gemfile Gemfile.lock ./\nRUN --mount=type=cache,target=/usr/local/bundle/cache bundle install\n',
    ),
    'composer': (
        'FROM composer:2\nRUN composer install --no-dev --no-cache\n',
        'FROM composer:2\nRUN --mount=type=cache,target=/tmp/cache composer install --no-dev\n',
    ),
    'dotnet-restore-publish': (
        'FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY *.csproj .\nRUN dotnet restore\nCOPY . .\nRUN dotnet publish --no-restore -o /out\n',
        'FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY *.csproj .\nRUN --mount=type=cache,target=/root/.nuget/packages dotnet restore\nCOPY . .\nRUN --mount=type=cache,target=/root/.nuget/packages dotnet publish --no-restore -o /out\n',
    ),
    'micromamba': (
        'FROM mambaorg/micromamba:1.5\nCOPY env.yaml /tmp/env.yaml\nRUN micromamba install -y -n base -f /tmp/env.yaml && micromamba clean --all --yes\n',
        'FROM mambaorg/micromamba:1.5\nCOPY env.yaml /tmp/env.yaml\nRUN --mount=type=cache,target=/opt/conda/pkgs,uid=57439,gid=57439 micromamba install -y -n base -f /tmp/env.yaml\n',
    ),
    'heredoc': (
        'FROM python:3.12\nRUN <<EOF\nset -e\npip install flask\nEOF\n',
        'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip <<EOF\nset -e\npip install flask\nEOF\n',
    ),
    'json-form': (
        'FROM python:3.12\nRUN ["pip", "install", "flask"]\n',
        'FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip ["pip", "install", "flask"]\n',
    ),
    'backtick': (
        '# escape=`\nFROM python:3.12\nRUN pip install `\n    flask\n',
        '# escape=`\nFROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip `\n    pip install `\n    flask\n',
    ),
    'existing-flags-multiline': (
        'FROM python:3.12\nRUN --mount=type=bind,source=requirements.txt,target=requirements.txt \\\n    --mount=type=secret,id=pip \\\n    pip install -r requirements.txt\n',
        'FROM python:3.12\nRUN --mount=type=bind,source=requirements.txt,target=requirements.txt \\\n    --mount=type=secret,id=pip \\\n    --mount=type=cache,target=/root/.cache/pip \\\n    pip install -r requirements.txt\n',
    ),
    'existing-flag-inline': (
        'FROM python:3.12\nRUN --network=host pip install x\n',
        'FROM python:3.12\nRUN --network=host --mount=type=cache,target=/root/.cache/pip pip install x\n',
    ),
    'cm102-retarget': (
        'FROM python:3.12\nRUN useradd -m -u 1001 app\nUSER app\nRUN --mount=type=cache,target=/root/.cache/pip pip install --user x\n',
        'FROM python:3.12\nRUN useradd -m -u 1001 app\nUSER app\nRUN mkdir -p /home/app/.cache/pip\n'
        'RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1001,gid=1001 pip install --user x\n',
    ),
    'cm102-owner': (
        'FROM node:22\nUSER node\nRUN --mount=type=cache,target=/home/node/.npm npm ci\n',
        'FROM node:22\nUSER node\nRUN --mount=type=cache,target=/home/node/.npm,uid=1000,gid=1000 npm ci\n',
    ),
    # The ENV stays (the image and every image built FROM it keep it); pip ignores an empty value.
    'cm103-env': (
        'FROM python:3.12\nENV PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n',
        'FROM python:3.12\nENV PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1\nRUN --mount=type=cache,target=/root/.cache/pip PIP_NO_CACHE_DIR= pip install x\n',
    ),
    'cm103-env-only': (
        'FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n',
        'FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN --mount=type=cache,target=/root/.cache/pip PIP_NO_CACHE_DIR= pip install x\n',
    ),
    'cm101-env-override': (
        'FROM python:3.12\nENV UV_NO_CACHE=1\nRUN uv pip install --system x\n',
        'FROM python:3.12\nENV UV_NO_CACHE=1\nENV UV_LINK_MODE=copy\nRUN --mount=type=cache,target=/root/.cache/uv UV_NO_CACHE=false uv pip install --system x\n',
    ),
    'cm103-apt-docker-clean': (
        'FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y curl\n',
        'FROM debian:12\nRUN rm -f /etc/apt/apt.conf.d/docker-clean; echo \'Binary::apt::APT::Keep-Downloaded-Packages "true";\' > /etc/apt/apt.conf.d/keep-cache\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y curl\n',
    ),
    'cm201-pip': (
        'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n',
        'FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt ./\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\nCOPY . .\nCMD ["python", "app.py"]\n',
    ),
    'cm201-npm-chown': (
        'FROM node:22\nWORKDIR /app\nCOPY --chown=node:node . .\nRUN npm ci\nRUN npm run build\n',
        'FROM node:22\nWORKDIR /app\nCOPY --chown=node:node package*.json ./\nRUN --mount=type=cache,target=/root/.npm npm ci\nCOPY --chown=node:node . .\nRUN npm run build\n',
    ),
    'cm201-abs-dest': (
        'FROM ruby:3.3\nCOPY . /app\nWORKDIR /app\nRUN bundle install\n',
        'FROM ruby:3.3\nWORKDIR /app\nCOPY Gemfile Gemfile.lock ./\nRUN --mount=type=cache,target=/usr/local/bundle/cache bundle install\nCOPY . /app\n',
    ),
    'cm201-os': (
        'FROM debian:12\nCOPY . /src\nRUN apt-get update && apt-get install -y curl\n',
        'FROM debian:12\nRUN rm -f /etc/apt/apt.conf.d/docker-clean; echo \'Binary::apt::APT::Keep-Downloaded-Packages "true";\' > /etc/apt/apt.conf.d/keep-cache\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt/lists,sharing=locked apt-get update && apt-get install -y curl\nCOPY . /src\n',
    ),
    'cm201-go-build': (
        'FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n',
        'FROM golang:1.23\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /app .\n',
    ),
    'stage-inherit-user': (
        'FROM node:22 AS base\nUSER node\nFROM base\nWORKDIR /home/node/app\nRUN npm install\n',
        'FROM node:22 AS base\nUSER node\nFROM base\nWORKDIR /home/node/app\nRUN mkdir -p /home/node/.npm\nRUN --mount=type=cache,target=/home/node/.npm,uid=1000,gid=1000 npm install\n',
    ),
    'sh-c': (
        "FROM python:3.12\nRUN sh -c 'pip install flask'\n",
        "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip sh -c 'pip install flask'\n",
    ),
}

# Cases whose fix is unsafe (applied with --unsafe-fixes only): the CM201 move depends on a build
# context that is not known here.
UNSAFE = frozenset({
    'cm201-pip', 'cm201-npm-chown', 'cm201-abs-dest', 'cm201-go-build',
})

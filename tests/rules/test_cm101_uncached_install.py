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


# ---- issue 10: knowledge defects ------------------------------------------------------------------

def fixed(text):
    from cachemount.lint import apply_all
    return apply_all(text)[0]


def test_apk_fix_keeps_the_index_update():
    """Defect 1: `apk add --no-cache` fetched fresh indexes; the fix writes `--update-cache` in its place."""
    after = fixed("FROM alpine:3.20\nRUN apk add --no-cache git\n")
    assert after == ("FROM alpine:3.20\nRUN ln -s /var/cache/apk /etc/apk/cache\n"
                     "RUN --mount=type=cache,target=/var/cache/apk apk add --update-cache git\n")
    # Already updating: the option just goes.
    after = fixed("FROM alpine:3.20\nRUN apk -U add --no-cache git\n")
    assert "apk -U add git" in after and "--update-cache" not in after
    assert "apk --update-cache add git" in fixed("FROM alpine:3.20\nRUN apk --no-cache add git\n")


@pytest.mark.parametrize("base, run, target, prereq", [
    ("fedora:41", "dnf install -y gcc && dnf clean all", "/var/cache/libdnf5", "/etc/dnf/dnf.conf"),
    ("quay.io/fedora/s2i-base:42", "yum -y install gcc && yum -y clean all", "/var/cache/libdnf5", "/etc/dnf/dnf.conf"),
    ("fedora:40", "dnf install -y gcc && dnf clean all", "/var/cache/dnf", "/etc/dnf/dnf.conf"),
    ("rockylinux:9", "yum install -y gcc && yum clean all", "/var/cache/dnf", "/etc/dnf/dnf.conf"),
    ("registry.access.redhat.com/ubi9/ubi", "yum install -y gcc && yum clean all", "/var/cache/dnf",
     "/etc/dnf/dnf.conf"),
    ("amazonlinux:2023", "yum install -y gcc && yum clean all", "/var/cache/dnf", "/etc/dnf/dnf.conf"),
    ("centos:7", "yum install -y gcc && yum clean all", "/var/cache/yum", "/etc/yum.conf"),
    ("mcr.microsoft.com/cbl-mariner/base/core:2.0", "yum install -y gcc && yum clean all", "/var/cache/tdnf",
     "/etc/tdnf/tdnf.conf"),
])
def test_rpm_fix_mounts_the_dir_the_cleanup_empties(base, run, target, prereq):
    """Defect 7: the mount goes where this image's dnf/yum caches, so dropping the cleanup is safe."""
    text = f"FROM {base}\nRUN {run}\n"
    (f,) = findings(text, "CM101")
    assert target in f.message
    after = fixed(text)
    assert f"--mount=type=cache,target={target},sharing=locked" in after
    assert f"keepcache=1 >> {prereq}" in after and "clean all" not in after


@pytest.mark.parametrize("base", ["myorg/builder:1", "${BASE}"])
def test_rpm_cleanup_kept_when_the_image_does_not_tell_the_version(base):
    """Defect 7: on an unknown base `dnf` may be dnf 4 or dnf5: no fix guesses, nothing is removed."""
    text = f"ARG BASE\nFROM {base}\nRUN dnf install -y gcc && dnf clean all\n"
    (f,) = findings(text, "CM101")
    assert "/var/cache/dnf" in f.message and "/var/cache/libdnf5" in f.message and not f.fixes
    assert fixed(text) == text


def test_a_mount_on_either_dnf_dir_covers_an_unknown_base():
    for target in ("/var/cache/dnf", "/var/cache/libdnf5"):
        text = f"FROM myorg/builder:1\nRUN --mount=type=cache,target={target} dnf install -y gcc\n"
        assert findings(text, "CM101") == [] and findings(text, "CM102") == []


@pytest.mark.parametrize("text, target, gone", [
    ("FROM composer:2\nRUN COMPOSER_CACHE_DIR=/dev/null composer install\n", "/tmp/cache", "COMPOSER_CACHE_DIR"),
    ("FROM python:3.12\nRUN pip install --cache-dir /dev/null -r requirements.txt\n", "/root/.cache/pip", "/dev/null"),
    ("FROM python:3.12\nRUN UV_CACHE_DIR=/dev/null uv sync\n", "/root/.cache/uv", "UV_CACHE_DIR"),
    ("FROM node:22\nRUN npm_config_cache=/dev/null npm ci\n", "/root/.npm", "npm_config_cache"),
])
def test_dev_null_cache_dir_is_never_a_mount_target(text, target, gone):
    """Defect 8: `/dev/null` as a cache dir means no cache; the fix mounts the real dir and drops it."""
    (f,) = findings(text, "CM101")
    assert "/dev" not in f.message and target in f.message
    after = fixed(text)
    assert f"target={target}" in after and gone not in after and "/dev" not in after


def test_real_cache_dir_prefix_is_kept_by_the_fix():
    """A `*_CACHE_DIR=<dir>` prefix is not a defeat: the fix mounts that dir and keeps it."""
    after = fixed("FROM composer:2\nRUN COMPOSER_CACHE_DIR=/tmp/cc composer install\n")
    assert after == "FROM composer:2\nRUN --mount=type=cache,target=/tmp/cc COMPOSER_CACHE_DIR=/tmp/cc composer install\n"


@pytest.mark.parametrize("run", ["uv --no-cache-dir pip install -r requirements.txt",
                                 "uv pip install --no-cache-dir -r requirements.txt"])
def test_uv_no_cache_dir_removed_by_the_fix(run):
    """Defect 9: `--no-cache-dir` is uv's alias of `--no-cache`: the mount would be unused if kept."""
    after = fixed(f"FROM python:3.12\nRUN {run}\n")
    assert "--no-cache-dir" not in after and "--mount=type=cache,target=/root/.cache/uv" in after


def test_tdnf_fix_turns_keepcache_on():
    """Defect 10: tdnf deletes RPMs after each transaction unless keepcache is on."""
    text = "FROM mcr.microsoft.com/azurelinux/base/core:3.0\nRUN tdnf install -y git && tdnf clean all\n"
    assert fixed(text) == ("FROM mcr.microsoft.com/azurelinux/base/core:3.0\n"
                           "RUN echo keepcache=1 >> /etc/tdnf/tdnf.conf\n"
                           "RUN --mount=type=cache,target=/var/cache/tdnf,sharing=locked tdnf install -y git\n")
    # Set on the command already: no prerequisite line.
    after = fixed("FROM photon:5.0\nRUN tdnf install -y --setopt=keepcache=1 git\n")
    assert "tdnf.conf" not in after and "target=/var/cache/tdnf" in after


def test_build_after_an_unmounted_download_step_says_why_it_needs_the_cache():
    """Defect 17: `go build` after `go mod download` downloads nothing today (the modules are in the
    layer); it needs the same cache once the download step is mounted."""
    text = ("FROM golang:1.23\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n"
            "RUN go build -o /app .\n")
    download, build = findings(text, "CM101")
    assert "downloads packages" in download.message
    assert "downloads packages" not in build.message
    assert "`go mod download` on line 4" in build.message and "same cache" in build.message
    assert "/go/pkg/mod" in build.message and build.severity == "warning" and build.fixes
    # With the download step mounted, the build really downloads everything again.
    mounted = text.replace("RUN go mod download", "RUN --mount=type=cache,target=/go/pkg/mod go mod download")
    (build,) = findings(mounted, "CM101")
    assert "downloads packages" in build.message


def test_apt_lists_only_is_information():
    """Defect 17: /var/cache/apt mounted, the lists not: only the index download is repeated."""
    text = ("FROM debian:12\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update && apt-get install -y curl\n")
    (f,) = findings(text, "CM101")
    assert f.severity == "information" and "/var/lib/apt/lists" in f.message and "/var/cache/apt is mounted" in f.message
    assert "downloads packages" not in f.message and f.fixes
    # Nothing mounted: a warning for both.
    (f,) = findings("FROM debian:12\nRUN apt-get update && apt-get install -y curl\n", "CM101")
    assert f.severity == "warning"


@pytest.mark.parametrize("run, severity", [
    ("pip install -e .", "information"), ("pip install /src", "information"), ("pip install .", "information"),
    ("pip install --no-deps -e /src/lib", "information"), ("uv pip install --system .", "information"),
    ("pip install -r requirements.txt .", "warning"), ("pip install . flask", "warning"),
    ("pip install -r requirements.txt && pip install -e .", "warning"),
])
def test_local_project_install_is_information(run, severity):
    """Defect 17: installing the project itself downloads only what the image lacks."""
    (f,) = findings(f"FROM python:3.12\nWORKDIR /src\nRUN {run}\n", "CM101")
    assert f.severity == severity and f.fixes
    assert ("local project" in f.message) == (severity == "information")


def test_build_missing_only_its_own_cache_keeps_the_plain_message():
    """The module cache is mounted on the build; only the build cache is missing: no 'same cache'."""
    text = ("FROM golang:1.23\nRUN go mod download\n"
            "RUN --mount=type=cache,target=/go/pkg/mod go build -o /app .\n")
    build = findings(text, "CM101")[-1]
    assert "/root/.cache/go-build" in build.message and "same cache" not in build.message

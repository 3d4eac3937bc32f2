"""Image references -> official image defaults and OS family."""
import pytest

from cachemount.semantics.base_images import image_defaults, os_family, parse_ref


@pytest.mark.parametrize("ref,name,tag,digest", [
    ("python", "python", "latest", None),
    ("python:3.12-slim", "python", "3.12-slim", None),
    ("docker.io/library/python:3.12", "python", "3.12", None),
    ("index.docker.io/library/node:22", "node", "22", None),
    ("docker.io/oven/bun:1", "oven/bun", "1", None),
    ("python@sha256:abc", "python", None, "sha256:abc"),
    ("python:3.12@sha256:abc", "python", "3.12", "sha256:abc"),
    ("localhost:5000/team/app:v1", "localhost:5000/team/app", "v1", None),
    ("localhost:5000/team/app", "localhost:5000/team/app", "latest", None),
    ("Quay.io/Jupyter/scipy-notebook", "quay.io/jupyter/scipy-notebook", "latest", None),
])
def test_parse_ref(ref, name, tag, digest):
    got = parse_ref(ref)
    assert (got.name, got.tag, got.digest) == (name, tag, digest)


@pytest.mark.parametrize("ref", ["${BASE}", "$BASE_IMAGE:latest", "python:${PY}", "", "  "])
def test_variables_are_unknown(ref):
    assert parse_ref(ref) is None and image_defaults(ref) is None and os_family(ref) is None


@pytest.mark.parametrize("ref,family", [
    ("python", "debian"),
    ("python:3.12", "debian"),
    ("python:3.12-slim", "debian"),
    ("python:3.12-alpine", "alpine"),
    ("python:3.13-slim-trixie", "debian"),
    ("python:3.12-windowsservercore-ltsc2022", "windows"),
    ("node:22-bookworm-slim", "debian"),
    ("node:22-alpine3.20", "alpine"),
    ("golang:1.23-alpine3.20", "alpine"),
    ("golang:1.23", "debian"),
    ("rust:1-slim-bookworm", "debian"),
    ("ruby:3.3-alpine", "alpine"),
    ("composer:2", "alpine"),
    ("php:8.3-fpm", "debian"),
    ("php:8.3-fpm-alpine", "alpine"),
    ("maven:3.9-eclipse-temurin-21", "ubuntu"),
    ("maven:3.9-amazoncorretto-21", "rhel"),
    ("maven:3.9-amazoncorretto-21-debian", "debian"),
    ("gradle:8-jdk21", "ubuntu"),
    ("eclipse-temurin:21-jdk-ubi9-minimal", "rhel"),
    ("eclipse-temurin:21-jdk-alpine", "alpine"),
    ("eclipse-temurin:21-jdk-windowsservercore-ltsc2022", "windows"),
    ("mcr.microsoft.com/dotnet/sdk:8.0", "debian"),
    ("mcr.microsoft.com/dotnet/sdk:10.0", "ubuntu"),
    ("mcr.microsoft.com/dotnet/sdk:9.0-alpine", "alpine"),
    ("mcr.microsoft.com/dotnet/sdk:8.0-nanoserver-1809", "windows"),
    ("mcr.microsoft.com/dotnet/sdk:9.0-azurelinux3.0", "azurelinux"),
    ("oven/bun:1", "debian"),
    ("oven/bun:1-alpine", "alpine"),
    ("ghcr.io/astral-sh/uv:python3.12-bookworm-slim", "debian"),
    ("ghcr.io/astral-sh/uv:alpine", "alpine"),
    ("ghcr.io/astral-sh/uv:0.5.1", None),
    ("continuumio/miniconda3", "debian"),
    ("mambaorg/micromamba:1.5", "debian"),
    ("quay.io/jupyter/scipy-notebook:2024-05-27", "ubuntu"),
    ("jupyter/base-notebook", "ubuntu"),
    ("debian:bookworm-slim", "debian"),
    ("ubuntu:24.04", "ubuntu"),
    ("ubuntu", "ubuntu"),
    ("alpine:3.20", "alpine"),
    ("fedora:41", "fedora"),
    ("registry.access.redhat.com/ubi9/ubi-minimal", "rhel"),
    ("registry.access.redhat.com/ubi9", "rhel"),
    ("redhat/ubi9-minimal", "rhel"),
    ("centos:7", "rhel"),
    ("rockylinux:9", "rhel"),
    ("docker.io/rockylinux/rockylinux:9@sha256:53f4", "rhel"),
    ("almalinux:9", "rhel"),
    ("amazonlinux:2023", "rhel"),
    ("opensuse/leap:15.6", "suse"),
    ("registry.suse.com/bci/bci-base:15.6", "suse"),
    ("mcr.microsoft.com/windows/servercore:ltsc2022", "windows"),
    ("mcr.microsoft.com/windows/nanoserver:ltsc2022", "windows"),
    ("mcr.microsoft.com/powershell:lts-windowsservercore-ltsc2022", "windows"),
    ("myorg/builder:1.0-windowsservercore-ltsc2019", "windows"),
    ("quay.io/fedora/s2i-base:42", "fedora"),
    ("myorg/debian-base:1", "debian"),
    ("scratch", None),
    ("myorg/app:1.0", None),
])
def test_os_family(ref, family):
    assert os_family(ref) == family


def test_defaults_env_and_users():
    go = image_defaults("golang:1.23-alpine")
    assert dict(go.env)["GOPATH"] == "/go"
    rust = image_defaults("rust:1")
    assert dict(rust.env)["CARGO_HOME"] == "/usr/local/cargo" and "RUSTUP_HOME" in dict(rust.env)
    ruby = dict(image_defaults("ruby:3.3").env)
    assert ruby["GEM_HOME"] == "/usr/local/bundle" and ruby["BUNDLE_APP_CONFIG"] == "/usr/local/bundle"
    assert dict(image_defaults("composer:2").env)["COMPOSER_HOME"] == "/tmp"
    assert dict(image_defaults("maven:3").env)["MAVEN_CONFIG"] == "/root/.m2"
    node = image_defaults("docker.io/library/node:22")
    assert node.user is None and ("node", 1000, 1000, "/home/node") in node.users
    gradle = image_defaults("gradle:8")
    assert gradle.user is None and ("gradle", 1000, 1000, "/home/gradle") in gradle.users
    assert "GRADLE_USER_HOME" not in dict(gradle.env)
    dotnet = image_defaults("mcr.microsoft.com/dotnet/sdk:8.0")
    assert dict(dotnet.env)["APP_UID"] == "1654" and ("app", 1654, 1654, "/home/app") in dotnet.users
    assert dotnet.user is None and "NUGET_PACKAGES" not in dict(dotnet.env)
    bun = image_defaults("oven/bun:1")
    assert ("bun", 1000, 1000, "/home/bun") in bun.users and bun.user is None
    assert "UV_TOOL_BIN_DIR" in dict(image_defaults("ghcr.io/astral-sh/uv:python3.12-bookworm-slim").env)
    assert image_defaults("continuumio/miniconda3") is not None


def test_non_root_default_users():
    mm = image_defaults("mambaorg/micromamba:1.5.8")
    env = dict(mm.env)
    assert mm.user == "$MAMBA_USER" and env["MAMBA_USER"] == "mambauser"
    assert env["MAMBA_USER_ID"] == "57439" and env["MAMBA_USER_GID"] == "57439" and env["MAMBA_ROOT_PREFIX"] == "/opt/conda"
    assert ("mambauser", 57439, 57439, "/home/mambauser") in mm.users
    for ref in ("quay.io/jupyter/scipy-notebook:latest", "jupyter/base-notebook"):
        jup = image_defaults(ref)
        env = dict(jup.env)
        assert jup.user == "${NB_UID}" and env["NB_UID"] == "1000" and env["NB_GID"] == "100"
        assert env["CONDA_DIR"] == "/opt/conda" and ("jovyan", 1000, 100, "/home/jovyan") in jup.users


def test_tag_specific_entries():
    assert ("www-data", 82, 82, "/var/www") in image_defaults("php:8.3-fpm-alpine").users
    assert ("www-data", 33, 33, "/var/www") in image_defaults("php:8.3-fpm").users
    assert any(u[0] == "ubuntu" for u in image_defaults("ubuntu:24.04").users)
    assert not any(u[0] == "ubuntu" for u in image_defaults("ubuntu:22.04").users)


def test_unknown_image():
    assert image_defaults("myorg/app:1.0") is None
    assert image_defaults("scratch") is None

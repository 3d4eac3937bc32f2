"""Official images' defaults that decide users, homes and cache dirs. DATA only.

`patterns` are fnmatch patterns over the normalised image name (`python`, `quay.io/jupyter/*`;
Docker Hub's `docker.io/`, `index.docker.io/` and `library/` are dropped) or over `name:tag` when
they contain a `:` (`php:*alpine*`). The first matching entry wins, so tag-specific entries come
first. The tag may change the OS family (`python:3.12-alpine`): see TAG_OS_HINTS.
MANAGERS_ON_IMAGES (at the end) says which package manager an executable is on a base image.
Sources: ../shared/reference/cache-knowledge.md §A (IMG-* in §S).
"""
from __future__ import annotations

from .schema import ImageDefaults, ManagerOnImage

# Registries that are Docker Hub; their `library/` prefix is dropped as well.
DOCKER_HUB_REGISTRIES: tuple[str, ...] = ("docker.io", "index.docker.io", "registry-1.docker.io",
                                          "registry.hub.docker.com")

# Tag tokens (a tag split on `-`/`_`, scanned right to left) that tell the OS family. A token matches
# when it starts with the hint (`alpine3.20`, `ubi9`, `ltsc2022`). First hint in this order wins for
# one token.
TAG_OS_HINTS: tuple[tuple[str, str], ...] = (
    ("windowsservercore", "windows"), ("nanoserver", "windows"), ("ltsc", "windows"), ("servercore", "windows"),
    ("alpine", "alpine"),
    ("bookworm", "debian"), ("bullseye", "debian"), ("buster", "debian"), ("stretch", "debian"),
    ("trixie", "debian"), ("forky", "debian"), ("sid", "debian"), ("debian", "debian"),
    ("noble", "ubuntu"), ("jammy", "ubuntu"), ("focal", "ubuntu"), ("bionic", "ubuntu"), ("xenial", "ubuntu"),
    ("oracular", "ubuntu"), ("plucky", "ubuntu"), ("questing", "ubuntu"), ("resolute", "ubuntu"),
    ("ubuntu", "ubuntu"), ("chiseled", "ubuntu"),
    ("ubi", "rhel"), ("centos", "rhel"), ("rockylinux", "rhel"), ("almalinux", "rhel"), ("oraclelinux", "rhel"),
    ("oracle", "rhel"), ("al2023", "rhel"), ("amazonlinux", "rhel"), ("amazoncorretto", "rhel"),
    ("fedora", "fedora"),
    ("azurelinux", "azurelinux"), ("cbl", "azurelinux"), ("mariner", "azurelinux"),
    ("leap", "suse"), ("tumbleweed", "suse"), ("sles", "suse"), ("opensuse", "suse"),
    ("wolfi", "wolfi"), ("photon", "photon"),
)

# Name components (split on `/`, `-`, `_`) that tell the OS family of images we have no entry for
# (`quay.io/fedora/s2i-base`, `myorg/debian-builder`). Same matching as tags.
NAME_OS_HINTS: tuple[tuple[str, str], ...] = (
    ("windows", "windows"), ("servercore", "windows"), ("nanoserver", "windows"),
    ("alpine", "alpine"), ("debian", "debian"), ("ubuntu", "ubuntu"), ("fedora", "fedora"),
    ("ubi", "rhel"), ("centos", "rhel"), ("rockylinux", "rhel"), ("almalinux", "rhel"), ("rhel", "rhel"),
    ("amazonlinux", "rhel"), ("oraclelinux", "rhel"), ("opensuse", "suse"), ("sles", "suse"), ("wolfi", "wolfi"),
    ("azurelinux", "azurelinux"), ("photon", "photon"),
)

# Homes of the system accounts official images define: missing (`/nonexistent`; `/var/www` on a
# Debian base) or root-owned (`/`, `/var/www` where php makes `/var/www/html`): the user can make
# nothing there, so a fix must not `mkdir` its cache dir as that user (a real build failed so).
UNWRITABLE_HOMES = frozenset({"/nonexistent", "/var/www", "/"})

_NOBODY_DEBIAN = ("nobody", 65534, 65534, "/nonexistent")
_WWW_DATA_DEBIAN = ("www-data", 33, 33, "/var/www")
_NOBODY_ALPINE = ("nobody", 65534, 65534, "/")

IMAGES: tuple[ImageDefaults, ...] = (
    # ---- language images ---------------------------------------------------------------------
    ImageDefaults(
        patterns=("python", "pypy"),
        # No PIP_* variables; runs as root.
        env=(("LANG", "C.UTF-8"),),
        users=(_NOBODY_DEBIAN, _WWW_DATA_DEBIAN),
        os_family="debian",
        source="https://github.com/docker-library/python",
    ),
    ImageDefaults(
        # Creates node (1000:1000, /home/node) but does not switch to it.
        patterns=("node",),
        users=(("node", 1000, 1000, "/home/node"),),
        os_family="debian",
        source="https://github.com/nodejs/docker-node",
    ),
    ImageDefaults(
        patterns=("golang",),
        env=(("GOPATH", "/go"), ("GOTOOLCHAIN", "local")),
        users=(_NOBODY_DEBIAN,),
        os_family="debian",
        source="https://github.com/docker-library/golang",
    ),
    ImageDefaults(
        patterns=("rust", "lukemathwalker/cargo-chef"),
        env=(("RUSTUP_HOME", "/usr/local/rustup"), ("CARGO_HOME", "/usr/local/cargo")),
        users=(_NOBODY_DEBIAN,),
        os_family="debian",
        source="https://github.com/rust-lang/docker-rust",
    ),
    ImageDefaults(
        patterns=("ruby",),
        env=(("GEM_HOME", "/usr/local/bundle"), ("BUNDLE_SILENCE_ROOT_WARNING", "1"),
             ("BUNDLE_APP_CONFIG", "/usr/local/bundle")),
        users=(_NOBODY_DEBIAN,),
        os_family="debian",
        source="https://github.com/docker-library/ruby",
    ),
    ImageDefaults(
        # FROM php:8-alpine; COMPOSER_HOME=/tmp, so the cache is /tmp/cache.
        patterns=("composer", "composer/composer"),
        env=(("COMPOSER_ALLOW_SUPERUSER", "1"), ("COMPOSER_HOME", "/tmp"), ("PHP_INI_DIR", "/usr/local/etc/php")),
        users=(("www-data", 82, 82, "/var/www"), _NOBODY_ALPINE),
        os_family="alpine",
        source="https://github.com/composer/docker",
    ),
    ImageDefaults(
        # Alpine variants create www-data as 82:82 (Debian's base passwd has 33:33).
        patterns=("php:*alpine*",),
        env=(("PHP_INI_DIR", "/usr/local/etc/php"),),
        users=(("www-data", 82, 82, "/var/www"), _NOBODY_ALPINE),
        os_family="alpine",
        source="https://github.com/docker-library/php",
    ),
    ImageDefaults(
        patterns=("php",),
        env=(("PHP_INI_DIR", "/usr/local/etc/php"),),
        users=(_WWW_DATA_DEBIAN, _NOBODY_DEBIAN),
        os_family="debian",
        source="https://github.com/docker-library/php",
    ),
    ImageDefaults(
        # MAVEN_CONFIG=/root/.m2 is read by the container entrypoint only; ~/.m2 follows user.home.
        patterns=("maven",),
        env=(("MAVEN_HOME", "/usr/share/maven"), ("MAVEN_CONFIG", "/root/.m2"), ("JAVA_HOME", "/opt/java/openjdk")),
        os_family="ubuntu",
        source="https://github.com/carlossg/docker-maven",
    ),
    ImageDefaults(
        # User gradle (1000:1000); /root/.gradle is a symlink to /home/gradle/.gradle; stays root.
        # GRADLE_HOME is the install dir, not the user home; GRADLE_USER_HOME is not set.
        patterns=("gradle",),
        env=(("GRADLE_HOME", "/opt/gradle"), ("JAVA_HOME", "/opt/java/openjdk")),
        users=(("gradle", 1000, 1000, "/home/gradle"),),
        os_family="ubuntu",
        source="https://github.com/keeganwitt/docker-gradle",
    ),
    ImageDefaults(
        patterns=("eclipse-temurin", "ibm-semeru-runtimes", "sapmachine"),
        env=(("JAVA_HOME", "/opt/java/openjdk"),),
        os_family="ubuntu",
        source="https://github.com/adoptium/containers",
    ),
    ImageDefaults(
        # Deprecated; 17+ default tags are Oracle Linux, 8/11 Debian: the tag decides when it can.
        patterns=("openjdk",),
        os_family=None,
        source="https://hub.docker.com/_/openjdk",
    ),
    ImageDefaults(
        patterns=("amazoncorretto",),
        os_family="rhel",
        source="https://github.com/corretto/corretto-docker",
    ),
    ImageDefaults(
        # .NET 10 default tags are Ubuntu 24.04 (noble); earlier default tags are Debian 12.
        patterns=("mcr.microsoft.com/dotnet/*:1[0-9]", "mcr.microsoft.com/dotnet/*:1[0-9].*",
                  "mcr.microsoft.com/dotnet/nightly/*:1[0-9]", "mcr.microsoft.com/dotnet/nightly/*:1[0-9].*"),
        env=(("APP_UID", "1654"), ("ASPNETCORE_HTTP_PORTS", "8080"), ("DOTNET_RUNNING_IN_CONTAINER", "true"),
             ("DOTNET_NOLOGO", "true"), ("DOTNET_USE_POLLING_FILE_WATCHER", "true"), ("NUGET_XMLDOC_MODE", "skip")),
        users=(("app", 1654, 1654, "/home/app"),),
        os_family="ubuntu",
        source="https://github.com/dotnet/dotnet-docker",
    ),
    ImageDefaults(
        # User app (uid 1654, APP_UID) exists from .NET 8 on, but builds run as root; no NUGET_PACKAGES.
        patterns=("mcr.microsoft.com/dotnet/*", "mcr.microsoft.com/dotnet/nightly/*"),
        env=(("APP_UID", "1654"), ("ASPNETCORE_HTTP_PORTS", "8080"), ("DOTNET_RUNNING_IN_CONTAINER", "true"),
             ("DOTNET_NOLOGO", "true"), ("DOTNET_USE_POLLING_FILE_WATCHER", "true"), ("NUGET_XMLDOC_MODE", "skip")),
        users=(("app", 1654, 1654, "/home/app"),),
        os_family="debian",
        source="https://github.com/dotnet/dotnet-docker",
    ),
    ImageDefaults(
        # Creates bun (1000:1000) but stays root. BUN_RUNTIME_TRANSPILER_CACHE_PATH is not the install cache.
        patterns=("oven/bun",),
        env=(("BUN_INSTALL_BIN", "/usr/local/bin"), ("BUN_RUNTIME_TRANSPILER_CACHE_PATH", "0")),
        users=(("bun", 1000, 1000, "/home/bun"),),
        os_family="debian",
        source="https://github.com/oven-sh/bun/tree/main/dockerhub",
    ),
    ImageDefaults(
        # Distroless tags (`latest`, `0.5.1`) have no OS; derived tags (`python3.12-bookworm-slim`,
        # `alpine`) get their family from the tag. No cache variables.
        patterns=("ghcr.io/astral-sh/uv",),
        env=(("UV_TOOL_BIN_DIR", "/usr/local/bin"),),
        os_family=None,
        source="https://docs.astral.sh/uv/guides/integration/docker/",
    ),
    ImageDefaults(
        patterns=("continuumio/miniconda3", "continuumio/anaconda3", "continuumio/miniconda", "continuumio/anaconda"),
        os_family="debian",
        source="https://github.com/ContinuumIO/docker-images",
    ),
    ImageDefaults(
        # Default USER $MAMBA_USER = mambauser (57439:57439); /opt/conda is a+rwx.
        patterns=("mambaorg/micromamba",),
        env=(("MAMBA_ROOT_PREFIX", "/opt/conda"), ("MAMBA_EXE", "/bin/micromamba"), ("ENV_NAME", "base"),
             ("MAMBA_USER", "mambauser"), ("MAMBA_USER_ID", "57439"), ("MAMBA_USER_GID", "57439")),
        user="$MAMBA_USER",
        users=(("mambauser", 57439, 57439, "/home/mambauser"),),
        os_family="debian",
        source="https://github.com/mamba-org/micromamba-docker",
    ),
    ImageDefaults(
        # docker-stacks: USER ${NB_UID} (jovyan, uid 1000, gid 100), HOME=/home/jovyan, conda in CONDA_DIR.
        patterns=("quay.io/jupyter/*", "jupyter/*"),
        env=(("CONDA_DIR", "/opt/conda"), ("NB_USER", "jovyan"), ("NB_UID", "1000"), ("NB_GID", "100"),
             ("HOME", "/home/jovyan"), ("SHELL", "/bin/bash")),
        user="${NB_UID}",
        users=(("jovyan", 1000, 100, "/home/jovyan"),),
        os_family="ubuntu",
        source="https://github.com/jupyter/docker-stacks",
    ),
    ImageDefaults(
        # pnpm 11 docs: base ghcr.io/pnpm/pnpm already sets PNPM_HOME=/pnpm. [unverified] its OS.
        patterns=("ghcr.io/pnpm/pnpm", "pnpm/pnpm"),
        env=(("PNPM_HOME", "/pnpm"),),
        source="https://pnpm.io/docker",
    ),
    ImageDefaults(
        # Jenkins controller image: USER jenkins (1000:1000, JENKINS_HOME=/var/jenkins_home).
        patterns=("jenkins/jenkins",),
        env=(("JENKINS_HOME", "/var/jenkins_home"),),
        user="jenkins",
        users=(("jenkins", 1000, 1000, "/var/jenkins_home"),),
        os_family="debian",
        source="https://github.com/jenkinsci/docker",
    ),
    ImageDefaults(
        patterns=("pytorch/pytorch", "nvidia/cuda", "tensorflow/tensorflow", "nvcr.io/nvidia/*"),
        os_family="ubuntu",
        source="https://hub.docker.com/r/pytorch/pytorch",
    ),
    # ---- OS images -----------------------------------------------------------------------------
    ImageDefaults(
        patterns=("debian", "buildpack-deps", "gcc", "nginx", "httpd", "postgres", "redis", "wordpress", "haproxy",
                  "mongo", "elixir", "erlang", "perl", "r-base", "swift", "julia", "clojure", "haskell"),
        users=(_NOBODY_DEBIAN, _WWW_DATA_DEBIAN),
        os_family="debian",
        source="https://github.com/debuerreotype/docker-debian-artifacts",
    ),
    ImageDefaults(
        # Ubuntu 23.04+ images ship user ubuntu (1000:1000): `useradd -m app` then gets 1001.
        patterns=("ubuntu:latest", "ubuntu:rolling", "ubuntu:devel", "ubuntu:2[3-9]*", "ubuntu:3*", "ubuntu:noble*",
                  "ubuntu:oracular*", "ubuntu:plucky*", "ubuntu:questing*", "ubuntu:resolute*"),
        users=(("ubuntu", 1000, 1000, "/home/ubuntu"), _NOBODY_DEBIAN, _WWW_DATA_DEBIAN),
        os_family="ubuntu",
        source="https://hub.docker.com/_/ubuntu",
    ),
    ImageDefaults(
        patterns=("ubuntu", "mariadb", "tomcat", "ros"),
        users=(_NOBODY_DEBIAN, _WWW_DATA_DEBIAN),
        os_family="ubuntu",
        source="https://hub.docker.com/_/ubuntu",
    ),
    ImageDefaults(
        patterns=("alpine", "docker", "caddy", "traefik", "golang:*alpine*", "nginx:*alpine*"),
        users=(_NOBODY_ALPINE,),
        os_family="alpine",
        source="https://hub.docker.com/_/alpine",
    ),
    ImageDefaults(
        patterns=("fedora", "quay.io/fedora/*", "registry.fedoraproject.org/*"),
        os_family="fedora",
        source="https://hub.docker.com/_/fedora",
    ),
    ImageDefaults(
        patterns=("registry.access.redhat.com/ubi*", "registry.access.redhat.com/ubi*/*", "registry.redhat.io/ubi*",
                  "registry.redhat.io/ubi*/*", "redhat/ubi*", "ubi[0-9]*/*", "ubi[0-9]*",
                  "registry.access.redhat.com/rhel*", "registry.redhat.io/rhel*/*"),
        os_family="rhel",
        source="https://catalog.redhat.com/software/base-images",
    ),
    ImageDefaults(
        patterns=("centos", "quay.io/centos/*", "rockylinux", "rockylinux/*", "almalinux", "almalinux/*",
                  "oraclelinux", "amazonlinux", "public.ecr.aws/amazonlinux/*", "mysql", "quay.io/sclorg/*"),
        os_family="rhel",
        source="https://hub.docker.com/_/rockylinux",
    ),
    ImageDefaults(
        patterns=("opensuse/*", "registry.opensuse.org/*", "registry.suse.com/bci/*", "registry.suse.com/suse/*",
                  "registry.suse.com/*"),
        os_family="suse",
        source="https://registry.suse.com/",
    ),
    ImageDefaults(
        patterns=("mcr.microsoft.com/azurelinux/*", "mcr.microsoft.com/cbl-mariner/*"),
        os_family="azurelinux",
        source="https://github.com/microsoft/azurelinux",
    ),
    ImageDefaults(
        patterns=("photon", "projects.registry.vmware.com/photon/*"),
        os_family="photon",
        source="https://hub.docker.com/_/photon",
    ),
    ImageDefaults(
        patterns=("cgr.dev/chainguard/*",),
        os_family="wolfi",
        source="https://edu.chainguard.dev/chainguard/chainguard-images/",
    ),
    ImageDefaults(
        # Windows containers: no RUN --mount (classic builder; BuildKit on Windows is experimental).
        patterns=("mcr.microsoft.com/windows", "mcr.microsoft.com/windows/*", "microsoft/windowsservercore",
                  "microsoft/nanoserver", "mcr.microsoft.com/powershell:*windowsservercore*",
                  "mcr.microsoft.com/powershell:*nanoserver*"),
        os_family="windows",
        source="https://hub.docker.com/r/microsoft/windows-servercore",
    ),
)


# ---- which manager an executable is --------------------------------------------------------------
# The first entry for the executable that matches the base image wins; none matching leaves the table's
# manager, whose `versions` then make the cache dir unknown (a wrong guess keeps every RPM in the image).
#
# Sources: Fedora change SwitchToDnf5 (F41: /usr/bin/dnf and /usr/bin/yum point to dnf5); the dnf5 spec
# (`Provides: microdnf` for Fedora > 37); RHEL/Alma/Rocky/CentOS Stream 8-10, Oracle Linux 8+ and Amazon
# Linux 2023 ship dnf 4 with `yum` as its alias (reference §A.14: "On EL8+, yum is dnf"); Azure Linux
# (CBL-Mariner) and Photon OS package tdnf with a /usr/bin/yum symlink (their tdnf.spec files).

_FEDORA_41_UP = ("4[1-9]", "4[1-9][.-]*", "[5-9][0-9]", "[5-9][0-9][.-]*", "latest", "rawhide")
_FEDORA_38_UP = _FEDORA_41_UP + ("3[89]", "3[89][.-]*", "40", "40[.-]*")
_FEDORA_UP_TO_40 = ("[1-3][0-9]", "[1-3][0-9][.-]*", "40", "40[.-]*")

# EL7 and Amazon Linux 1/2: `yum` is yum 3 (/var/cache/yum).
_YUM3 = ("centos:7", "centos:7.*", "centos:centos7*", "oraclelinux:7", "oraclelinux:7[.-]*",
         "amazonlinux:1", "amazonlinux:2", "amazonlinux:2.*", "amazonlinux:2-*", "amazonlinux:2018*",
         "public.ecr.aws/amazonlinux/amazonlinux:2", "public.ecr.aws/amazonlinux/amazonlinux:2.*",
         "public.ecr.aws/amazonlinux/amazonlinux:2-*", "amazoncorretto:*-al2-*", "amazoncorretto:*-al2",
         "registry.access.redhat.com/ubi7*", "registry.access.redhat.com/rhel7*", "redhat/ubi7*")
# EL8 and later, Amazon Linux 2023: `yum` is dnf 4.
_EL8_UP = ("registry.access.redhat.com/ubi[89]*", "registry.access.redhat.com/ubi1[0-9]*",
           "registry.redhat.io/ubi[89]*", "registry.redhat.io/ubi1[0-9]*", "redhat/ubi[89]*", "redhat/ubi1[0-9]*",
           "ubi[89]", "ubi[89]/*", "ubi1[0-9]", "ubi1[0-9]/*",
           "registry.access.redhat.com/rhel[89]*", "registry.access.redhat.com/rhel1[0-9]*",
           "rockylinux", "rockylinux/*", "almalinux", "almalinux/*",
           "centos:8*", "centos:centos8*", "centos:latest", "centos:stream*", "quay.io/centos/centos:stream*",
           "oraclelinux:[89]*", "oraclelinux:1[0-9]*",
           "amazonlinux:2023*", "amazonlinux:latest", "public.ecr.aws/amazonlinux/amazonlinux:2023*",
           "public.ecr.aws/amazonlinux/amazonlinux:latest", "amazoncorretto:*al2023*",
           "quay.io/sclorg/*-c[89]s*", "quay.io/sclorg/*-c1[0-9]s*", "quay.io/sclorg/*-el[89]*",
           "quay.io/sclorg/*-el1[0-9]*")
# Tags of other images that name an EL8+ base (`eclipse-temurin:21-jdk-ubi9-minimal`).
_EL8_UP_TAGS = ("*ubi[89]*", "*ubi1[0-9]*", "*al2023*", "*c[89]s*", "*c1[0-9]s*", "*stream[89]*",
                "*stream1[0-9]*", "*el[89]", "*el[89]-*", "*el1[0-9]", "*el1[0-9]-*")

MANAGERS_ON_IMAGES: tuple[ManagerOnImage, ...] = (
    # `dnf-3` and `dnf4` are dnf 4 wherever they exist.
    ManagerOnImage("dnf-3", "dnf", source="https://fedoraproject.org/wiki/Changes/SwitchToDnf5"),
    ManagerOnImage("dnf4", "dnf", source="https://fedoraproject.org/wiki/Changes/SwitchToDnf5"),
    # Fedora 41 and later: dnf and yum are dnf5; microdnf since Fedora 38.
    ManagerOnImage("dnf", "dnf5", families=("fedora",), tags=_FEDORA_41_UP,
                   source="https://fedoraproject.org/wiki/Changes/SwitchToDnf5"),
    ManagerOnImage("yum", "dnf5", families=("fedora",), tags=_FEDORA_41_UP,
                   source="https://fedoraproject.org/wiki/Changes/SwitchToDnf5"),
    ManagerOnImage("microdnf", "dnf5", families=("fedora",), tags=_FEDORA_38_UP,
                   source="https://github.com/rpm-software-management/dnf5/blob/main/dnf5.spec"),
    ManagerOnImage("dnf", "dnf", families=("fedora",), tags=_FEDORA_UP_TO_40,
                   source="https://fedoraproject.org/wiki/Changes/SwitchToDnf5"),
    ManagerOnImage("yum", "dnf", families=("fedora",), tags=_FEDORA_UP_TO_40,
                   source="https://fedoraproject.org/wiki/Changes/SwitchToDnf5"),
    # The RHEL family has dnf only from EL8 on, and it is dnf 4 up to EL10.
    ManagerOnImage("dnf", "dnf", families=("rhel",),
                   source="https://docs.redhat.com/en/documentation/red_hat_enterprise_linux/8/html/"
                          "considerations_in_adopting_rhel_8/software-management_considerations-in-adopting-rhel-8"),
    ManagerOnImage("yum", "yum", images=_YUM3,
                   source="https://docs.redhat.com/en/documentation/red_hat_enterprise_linux/7/html/"
                          "system_administrators_guide/ch-yum"),
    ManagerOnImage("yum", "dnf", images=_EL8_UP,
                   source="https://docs.redhat.com/en/documentation/red_hat_enterprise_linux/8/html/"
                          "considerations_in_adopting_rhel_8/software-management_considerations-in-adopting-rhel-8"),
    ManagerOnImage("yum", "dnf", families=("rhel",), tags=_EL8_UP_TAGS,
                   source="https://docs.redhat.com/en/documentation/red_hat_enterprise_linux/8/html/"
                          "considerations_in_adopting_rhel_8/software-management_considerations-in-adopting-rhel-8"),
    ManagerOnImage("yum", "tdnf", families=("azurelinux", "photon"),
                   source="https://github.com/microsoft/azurelinux/blob/2.0/SPECS/tdnf/tdnf.spec"),
)

"""The hand labels of ../shared/corpus/LABELS.md as tests.

Each entry: findings that must be there as (code, line of the finding) — the line is the
physical line of the command the label names ("cmd Lnn", else the RUN line) — plus text the
message must contain, and (code, line) pairs or whole codes that must stay silent. Where we
deliberately differ from a label, the entry says so (see also the closing note)."""
import pytest

from cachemount.lint import lint
from tests.conftest import CORPUS

pytestmark = pytest.mark.corpus

LABELS = {
    # 1, 2: uv reference pattern: nothing at all.
    "astral-sh__uv-docker-example__Dockerfile": dict(expect=[], silent=["CM101", "CM102", "CM103", "CM201"]),
    "astral-sh__uv-docker-example__multistage.Dockerfile": dict(expect=[], silent=["CM101", "CM102", "CM103", "CM201"]),
    # 4: apt/npm uncached; pip covered; USER root reset in the dev stage; apt in RUNs with only a pip mount.
    "apache__superset__Dockerfile": dict(
        expect=[("CM101", 29), ("CM101", 44, "/root/.npm"), ("CM101", 72), ("CM101", 89), ("CM101", 127),
                ("CM101", 148), ("CM101", 159)],
        silent=[("CM101", 91), ("CM101", 104), ("CM101", 139), ("CM101", 161), "CM102", "CM103", "CM201"]),
    # 5: apk in the heredoc uncached; pip cached.
    "docker__awesome-compose__flask__app__Dockerfile": dict(
        expect=[("CM101", 18)], silent=[("CM101", 8), "CM102", "CM103", "CM201"]),
    # 6: non-root USER before install: home and uid of nonroot; COPY . before pip install -r.
    "docker__awesome-compose__nginx-wsgi-flask__flask__Dockerfile": dict(
        expect=[("CM101", 4, "/root/.cache/pip"), ("CM101", 7), ("CM101", 27, "/home/nonroot/.cache/pip"),
                ("CM101", 27, "uid=1000,gid=1000"), ("CM201", 27, "line 18")],
        silent=["CM102", "CM103"]),
    # 7: pipenv; the broad COPY sits between the Pipfile COPY and the install.
    "pypa__pipenv__Dockerfile": dict(
        expect=[("CM101", 17), ("CM101", 27, "/root/.cache/pipenv"), ("CM201", 27, "line 24")], silent=["CM103"]),
    # 8: pnpm store-dir set by `pnpm config set` in the same RUN: the uid'd mount is right.
    "getredash__redash__Dockerfile": dict(
        expect=[("CM101", 3), ("CM101", 49), ("CM101", 84)],
        silent=["CM102", "CM103", "CM201", ("CM101", 24), ("CM101", 118)]),
    # 9: pip wheel downloads; the local-wheel install with --no-cache is not a download.
    "healthchecks__healthchecks__docker__Dockerfile": dict(
        expect=[("CM101", 13), ("CM101", 15, "/root/.cache/pip"), ("CM101", 29), ("CM101", 35)],
        silent=[("CM101", 36), "CM103", "CM201"]),
    # 10: uv pip install --no-cache without a mount is still uncached (no CM103 without a mount).
    "wagtail__bakerydemo__Dockerfile": dict(
        expect=[("CM101", 24), ("CM101", 41), ("CM101", 48, "/root/.cache/uv")], silent=["CM103", "CM201"]),
    # 11: mamba as NB_UID 1000 gid 100.
    "jupyter__docker-stacks__images__scipy-notebook__Dockerfile": dict(
        expect=[("CM101", 16), ("CM101", 32, "/opt/conda/pkgs"), ("CM101", 32, "uid=1000,gid=100")],
        silent=["CM103", "CM201"]),
    # 12: the base image's default user mambauser 57439.
    "mamba-org__micromamba-docker__examples__apt_install__Dockerfile": dict(
        expect=[("CM101", 4, "uid=57439,gid=57439"), ("CM101", 8)], silent=["CM103", "CM201"]),
    # 13: `-mpip` is pip; the ccache mount is not reported.
    "pytorch__pytorch__Dockerfile": dict(
        expect=[("CM101", 12), ("CM101", 41, "/opt/conda/pkgs"), ("CM101", 42, "/root/.cache/pip"), ("CM101", 68),
                ("CM101", 69), ("CM101", 75), ("CM101", 79), ("CM101", 92), ("CM101", 99)],
        silent=["CM102", "CM103", "CM201"]),
    # 15: poetry mount target via "$POETRY_CACHE_DIR" is right; PIP_NO_CACHE_DIR does not touch poetry.
    "wemake-services__wemake-django-template__{{cookiecutter.project_name}}__docker__django__Dockerfile": dict(
        expect=[("CM101", 40)], silent=["CM102", "CM103", "CM201", ("CM101", 78)]),
    # 17: uv right; apt after the broad COPY is an OS-install hint; Jinja blocks don't crash.
    "cookiecutter__cookiecutter-django__{{cookiecutter.project_slug}}__compose__local__django__Dockerfile": dict(
        expect=[("CM101", 15), ("CM101", 37), ("CM201", 37, "line 29")],
        silent=["CM102", "CM103", ("CM101", 24), ("CM101", 31)]),
    # 19: yarn 1 root, npm, pnpm targets.
    "vercel__next.js__examples__with-docker__Dockerfile": dict(
        expect=[("CM101", 6), ("CM101", 12, "/usr/local/share/.cache/yarn"), ("CM101", 13, "/root/.npm"),
                ("CM101", 14, "/root/.local/share/pnpm/store")],
        silent=["CM103", "CM201"]),
    # 20: pnpm store mounts right.
    "gethomepage__homepage__Dockerfile-tilt": dict(
        expect=[("CM101", 10), ("CM101", 12), ("CM101", 13)],
        silent=["CM102", "CM103", "CM201", ("CM101", 16), ("CM101", 18)]),
    # 22: correct order; npm prune is not an install.
    "immich-app__immich__server__Dockerfile": dict(
        expect=[("CM101", 5), ("CM101", 9, "/root/.npm"), ("CM101", 26)], silent=["CM201", "CM103", ("CM101", 17)]),
    # 23: BUN_RUNTIME_TRANSPILER_CACHE_PATH is not cache-defeating.
    "oven-sh__bun__dockerhub__debian__Dockerfile": dict(expect=[("CM101", 6)], silent=["CM103", "CM201"]),
    # 24: xx-apk, bind of the context instead of COPY, go mounts right.
    "gohugoio__hugo__Dockerfile": dict(
        expect=[("CM101", 16), ("CM101", 22), ("CM101", 63)], silent=["CM102", "CM103", "CM201", ("CM101", 45)]),
    # 25: ENV GOCACHE honoured; partial /go/pkg/mod/cache mount not an error.
    "docker__awesome-compose__nginx-golang__backend__Dockerfile": dict(
        expect=[("CM101", 25)], silent=["CM102", "CM103", "CM201", ("CM101", 11), ("CM101", 16)]),
    # 27: go targets.
    "tailscale__tailscale__Dockerfile": dict(
        expect=[("CM101", 44, "/go/pkg/mod"), ("CM101", 47, "/root/.cache/go-build"), ("CM101", 68), ("CM101", 75)],
        silent=["CM201"]),
    # 28: cargo-chef: apt uncached; COPY . . in planner/after cook is fine. (We still report the chef
    # cook/build steps as uncached: a registry mount helps whenever the recipe changes.)
    "LukeMathWalker__zero-to-production__Dockerfile": dict(
        expect=[("CM101", 3), ("CM101", 21)], silent=["CM201", "CM103"]),
    # 29: cargo sub-dir mounts are right.
    "docker__awesome-compose__wasmedge-mysql-nginx__backend__Dockerfile": dict(
        expect=[("CM101", 7)], silent=["CM102", "CM103", "CM201", ("CM101", 20), ("CM101", 21)]),
    # 30: cargo build target; (b-build L15->L16 not reported: no safe dependency-only step to offer for cargo).
    "meilisearch__meilisearch__Dockerfile": dict(
        expect=[("CM101", 4), ("CM101", 18, "/usr/local/cargo/registry"), ("CM101", 27)], silent=["CM103"]),
    # 31: maven /root/.m2; COPY of src only.
    "docker__awesome-compose__spring-postgres__backend__Dockerfile": dict(
        expect=[("CM101", 6, "/root/.m2"), ("CM101", 9), ("CM101", 13)], silent=["CM201"]),
    # 32: gradle user home (b-build not reported: no dependency-only gradle step we can write safely).
    "JetBrains__kotlin-compiler-server__Dockerfile": dict(expect=[("CM101", 7, "/root/.gradle")], silent=["CM103"]),
    # 33: dnf; the script install is invisible.
    "keycloak__keycloak__quarkus__container__Dockerfile": dict(
        expect=[("CM101", 6, "/var/cache/dnf")], silent=["CM103", "CM201", ("CM101", 20)]),
    # 35: apt mounts right; unknown base -> docker-clean as information only; bundler --no-cache is no defeat.
    "mastodon__mastodon__Dockerfile": dict(
        expect=[("CM101", 131), ("CM101", 140), ("CM103", 63), ("CM103", 105), ("CM103", 125)],
        silent=["CM201", ("CM101", 57), ("CM101", 99)]),
    # 36: Rails generator style; bundle path is a glob we cannot mount exactly (message says so).
    "maybe-finance__maybe__Dockerfile": dict(
        expect=[("CM101", 11), ("CM101", 26), ("CM101", 30)], silent=["CM201", "CM103"]),
    # 38: heredoc apt, composer; (b-os L84->L101 not reported: that RUN also inspects the built binaries).
    "dunglas__symfony-docker__Dockerfile": dict(
        expect=[("CM101", 21), ("CM101", 81), ("CM101", 102)], silent=["CM103"]),
    # 39: COMPOSER_HOME exported inside the RUN; broad COPY before composer install (dev and prod).
    "kimai__kimai__Dockerfile": dict(
        expect=[("CM101", 46), ("CM101", 82), ("CM101", 128), ("CM101", 160), ("CM101", 283, "/composer/cache"),
                ("CM101", 305), ("CM201", 283, "line 278"), ("CM201", 305, "line 300")],
        silent=["CM103"]),
    # 40: single-step publish relying on the NuGet mount: nothing.
    "dotnet__dotnet-docker__samples__releasesapi__Dockerfile": dict(
        expect=[], silent=["CM101", "CM102", "CM103", "CM201"]),
    # 41: broad COPY before dotnet restore; publish --no-restore not a download.
    "bitwarden__server__src__Api__Dockerfile": dict(
        expect=[("CM101", 26, "/root/.nuget/packages"), ("CM101", 50), ("CM201", 26, "line 22")],
        silent=[("CM101", 29), "CM103"]),
    # 43: zypper -n global option.
    "longhorn__longhorn-manager__package__Dockerfile": dict(
        expect=[("CM101", 28, "/var/cache/zypp"), ("CM101", 31)], silent=["CM103", "CM201"]),
    # 44: official image apk; `yarn --version` is not an install.
    "nodejs__docker-node__24__alpine3.23__Dockerfile": dict(expect=[("CM101", 7), ("CM101", 81)], silent=["CM103"]),
    # Not in LABELS.md (issue 10, defects 7 and 10): the base image says which dnf/yum runs, so the dir.
    # Fedora 42: dnf is dnf5.
    "sclorg__s2i-python-container__3.13__Dockerfile.fedora": dict(
        expect=[("CM101", 41, "/var/cache/libdnf5")], silent=["CM102", "CM103"]),
    # Amazon Linux 2: yum 3.
    "ContinuumIO__docker-images__anaconda3__amazonlinux__Dockerfile": dict(
        expect=[("CM101", 12, "/var/cache/yum")], silent=["CM102", "CM103"]),
    # CentOS Stream 9 and Amazon Linux 2023 (corretto al2023, mamba's ARG default): yum is dnf 4.
    "sclorg__s2i-python-container__3.12__Dockerfile.c9s": dict(
        expect=[("CM101", 42, "/var/cache/dnf")], silent=["CM102", "CM103"]),
    "carlossg__docker-maven__amazoncorretto-21__Dockerfile": dict(
        expect=[("CM101", 6, "/var/cache/dnf"), ("CM101", 7, "/var/cache/dnf")], silent=["CM102", "CM103"]),
    "mamba-org__micromamba-docker__fedora.Dockerfile": dict(
        expect=[("CM101", 9, "/var/cache/dnf"), ("CM101", 34, "/var/cache/dnf")], silent=["CM102", "CM103"]),
    # Azure Linux 3.0: tdnf.
    "dotnet__dotnet-docker__eng__update-dependencies__Dockerfile": dict(
        expect=[("CM101", 14, "/var/cache/tdnf")], silent=["CM102", "CM103"]),
}


@pytest.mark.parametrize("name", sorted(LABELS))
def test_label(name):
    path = CORPUS / name
    if not path.is_file():
        pytest.fail(f"labelled corpus file missing: {path}")
    text = path.read_text(encoding="utf-8")
    found = [(f.code, text.count("\n", 0, f.start) + 1, f.message) for f in lint(text)]
    spec = LABELS[name]
    for exp in spec["expect"]:
        code, line = exp[0], exp[1]
        hits = [m for c, n, m in found if c == code and n == line]
        assert hits, f"{code} expected on line {line}; got {[(c, n) for c, n, _ in found]}"
        if len(exp) > 2:
            assert any(exp[2] in m for m in hits), f"{exp[2]!r} not in {hits}"
    for silent in spec["silent"]:
        if isinstance(silent, str):
            assert not [n for c, n, _ in found if c == silent], f"{silent} must stay silent"
        else:
            assert not [1 for c, n, _ in found if (c, n) == silent], f"{silent} must stay silent"

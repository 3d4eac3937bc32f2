"""The knowledge tables are consistent: every manager is complete, every reference resolves."""
import re
from fnmatch import translate

import pytest

from cachemount.knowledge.images import IMAGES, TAG_OS_HINTS
from cachemount.knowledge.managers import BY_KEY, MANAGERS
from cachemount.knowledge.prerequisites import PREREQUISITES

REQUIRED = {
    "pip", "uv", "poetry", "pipenv", "pdm", "conda", "mamba", "micromamba", "npm", "yarn", "yarn-berry", "pnpm",
    "bun", "apt-get", "apt", "apk", "dnf", "dnf5", "yum", "microdnf", "tdnf", "zypper", "go", "cargo", "maven",
    "gradle", "sbt", "bundler", "gem", "composer", "dotnet", "ccache", "sccache",
}
LOCKED = {"apt-get", "apt", "dnf", "dnf5", "yum", "microdnf", "zypper", "gradle", "sccache"}
ROLES_OF_SUBCOMMANDS = ("download", "consume", "build_steps")


def test_every_required_manager_is_there():
    assert REQUIRED <= set(BY_KEY)
    assert len(BY_KEY) == len(MANAGERS), "duplicate manager keys"


@pytest.mark.parametrize("m", MANAGERS, ids=lambda m: m.key)
def test_manager_is_complete(m):
    assert m.source.startswith("https://"), m.key
    assert m.display
    assert m.executables
    assert m.download
    assert m.caches and all(c.locations for c in m.caches)
    keys = [c.key for c in m.caches]
    assert len(keys) == len(set(keys))
    for c in m.caches:
        assert c.sharing in (None, "shared", "private", "locked"), (m.key, c.sharing)
        assert c.purpose
        for loc in c.locations:
            assert loc.when in (None, "root", "nonroot")
            assert loc.template.startswith(("/", "$", "~")), loc.template
        for opt in c.cli_options:
            assert opt.startswith("-")
    for key in m.prerequisites:
        assert key in PREREQUISITES, (m.key, key)
    for pattern in m.executables:
        re.compile(translate(pattern))


@pytest.mark.parametrize("m", MANAGERS, ids=lambda m: m.key)
def test_steps_name_known_subcommands(m):
    known = set(m.download) | set(m.consume) | {canon for _, canon in m.aliases}
    if "*" in m.download:
        return
    for step in m.dep_steps + m.second_steps:
        assert step.subcommand in known, (m.key, step.subcommand)
    for sub in m.build_steps:
        assert sub in known, (m.key, sub)
    for cache in m.caches:
        for sub in cache.subcommands:
            assert sub in known, (m.key, sub)


def test_sharing_locked_where_required():
    for key in LOCKED:
        assert all(c.sharing == "locked" for c in BY_KEY[key].caches), key


def test_os_managers_flagged():
    for key in ("apt-get", "apt", "apk", "dnf", "dnf5", "yum", "microdnf", "tdnf", "zypper"):
        assert BY_KEY[key].os_package_manager
    assert not any(BY_KEY[k].os_package_manager for k in ("pip", "npm", "go", "cargo"))


def test_defeats_per_reference():
    def opts(key):
        return {d.option for d in BY_KEY[key].option_defeats}

    assert "--no-cache-dir" in opts("pip")
    assert [d for d in BY_KEY["pip"].option_defeats if d.option == "--no-cache-dir"][0].prefix_ok
    assert {"--no-cache", "-n"} <= opts("uv")
    assert {"--no-cache", "--cache=no"} <= opts("apk")
    assert "--no-cache" in opts("composer") and "--no-cache" in opts("bun") and "--no-cache" in opts("poetry")
    # Not defeats: Bundler's --no-cache (vendor/cache only), dotnet restore --no-cache (HTTP cache only).
    assert "--no-cache" not in opts("bundler")
    assert "--no-cache" not in opts("dotnet")
    envs = {(e.name, e.when) for m in MANAGERS for e in m.env_defeats}
    assert ("PIP_NO_CACHE_DIR", "any") in envs
    assert ("UV_NO_CACHE", "truthy") in envs
    assert not any(name == "BUN_RUNTIME_TRANSPILER_CACHE_PATH" for name, _ in envs)


def test_prerequisites_are_valid():
    for key, p in PREREQUISITES.items():
        assert p.key == key and p.fix_command and p.source.startswith("https://") and p.description
        for rx in p.satisfied_by:
            re.compile(rx)
    apt_fix = PREREQUISITES["apt-docker-clean"].fix_command
    assert apt_fix.startswith("rm -f /etc/apt/apt.conf.d/docker-clean;")
    assert "Keep-Downloaded-Packages" in apt_fix
    # The fix satisfies what it fixes.
    for key, p in PREREQUISITES.items():
        assert any(re.search(rx, p.fix_command) for rx in p.satisfied_by), key
    assert set(PREREQUISITES["apt-docker-clean"].applies_to_bases) == {"debian", "ubuntu"}


def test_fix_env():
    assert ("UV_LINK_MODE", "copy") in BY_KEY["uv"].fix_env
    assert ("POETRY_VIRTUALENVS_IN_PROJECT", "true") in BY_KEY["poetry"].fix_env


def test_images_table():
    families = {"debian", "ubuntu", "alpine", "fedora", "rhel", "suse", "windows", "azurelinux", "wolfi", None}
    for image in IMAGES:
        assert image.patterns and image.source.startswith("https://")
        assert image.os_family in families
        for _name, uid, gid, home in image.users:
            assert isinstance(uid, int) and isinstance(gid, int) and home.startswith("/")
    assert all(f in families for _, f in TAG_OS_HINTS)

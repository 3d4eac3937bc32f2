"""The knowledge tables are consistent: every manager is complete, every reference resolves."""
import re
from fnmatch import translate

import pytest

from cachemount.knowledge.images import IMAGES, MANAGERS_ON_IMAGES, TAG_OS_HINTS
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
    assert {"--no-cache", "-n", "--no-cache-dir"} <= opts("uv")  # uv 0.13.8: --no-cache-dir is an alias
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
    families = {"debian", "ubuntu", "alpine", "fedora", "rhel", "suse", "windows", "azurelinux", "wolfi", "photon",
                None}
    for image in IMAGES:
        assert image.patterns and image.source.startswith("https://")
        assert image.os_family in families
        for _name, uid, gid, home in image.users:
            assert isinstance(uid, int) and isinstance(gid, int) and home.startswith("/")
    assert all(f in families for _, f in TAG_OS_HINTS)


def test_apk_no_cache_replacement_keeps_the_index_fresh():
    """apk without a local cache fetches every index afresh; with one it reuses an index up to 4 h old
    unless `--update-cache` (-U) says otherwise (apk-tools database.c, v2.14 and v3)."""
    for d in BY_KEY["apk"].option_defeats:
        assert d.replacement[:1] == ("--update-cache",) and "-U" in d.replacement
    assert all(not d.replacement for m in MANAGERS if m.key != "apk" for d in m.option_defeats)


def test_tdnf_keeps_rpms_with_the_prerequisite():
    assert BY_KEY["tdnf"].prerequisites == ("tdnf-keepcache",)
    p = PREREQUISITES["tdnf-keepcache"]
    assert p.fix_command == "echo keepcache=1 >> /etc/tdnf/tdnf.conf" and not p.applies_to_bases
    for satisfied in ("tdnf install -y --setopt=keepcache=1 git", "echo 'keepcache=true' >> /etc/tdnf/tdnf.conf"):
        assert any(re.search(rx, satisfied) for rx in p.satisfied_by)
    assert not any(re.search(rx, "echo keepcache=0 >> /etc/tdnf/tdnf.conf") for rx in p.satisfied_by)


def test_every_whole_variable_cache_dir_is_a_device_defeat():
    """COMPOSER_CACHE_DIR=/dev/null (Composer's --no-cache) and the same for every `*_CACHE_DIR`-style
    variable, derived from the locations: none listed by hand, none forgotten."""
    for m in MANAGERS:
        device = {d.name for d in m.env_defeats if d.when == "device"}
        whole = {loc.template[2:-1] for c in m.caches for loc in c.locations
                 if re.fullmatch(r"\$\{\w+\}", loc.template)}
        assert device == whole - {d.name for d in m.env_defeats if d.when != "device"}, m.key
    names = {d.name for m in MANAGERS for d in m.env_defeats if d.when == "device"}
    assert {"COMPOSER_CACHE_DIR", "PIP_CACHE_DIR", "UV_CACHE_DIR", "GOMODCACHE", "GOCACHE", "NUGET_PACKAGES",
            "YARN_CACHE_FOLDER", "BUN_INSTALL_CACHE_DIR"} <= names
    assert "XDG_CACHE_HOME" not in names and "HOME" not in names   # only whole cache dirs


def test_rpm_managers_list_their_versions():
    dnf = {path for path, _ in BY_KEY["dnf"].caches[0].versions}
    assert dnf == {"/var/cache/dnf", "/var/cache/libdnf5"}
    yum = {path for path, _ in BY_KEY["yum"].caches[0].versions}
    assert {"/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5", "/var/cache/tdnf"} == yum
    assert BY_KEY["dnf5"].caches[0].locations[0].template == "/var/cache/libdnf5"
    assert not BY_KEY["dnf5"].caches[0].versions


def test_managers_on_images_table():
    executables = {e for m in MANAGERS for e in m.executables}
    for entry in MANAGERS_ON_IMAGES:
        assert entry.executable in executables and entry.manager in BY_KEY, entry
        assert entry.source.startswith("https://"), entry
        assert not entry.tags or entry.families, entry   # tags narrow a family
        for pattern in entry.images + entry.tags:
            re.compile(translate(pattern))


def test_minor_caches():
    assert [c.key for m in MANAGERS for c in m.caches if c.minor] == ["apt-lists", "apt-lists"]


def test_local_project_fields():
    for key in ("pip", "uv"):
        m = BY_KEY[key]
        assert m.local_project_subcommands and m.editable_options == ("-e", "--editable")
        assert "." in m.local_project_args and not any("://" in p for p in m.local_project_args)

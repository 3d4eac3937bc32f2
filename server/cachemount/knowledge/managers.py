"""Package managers: where they cache, what downloads, what defeats a cache mount. DATA only.

Facts and their sources: ../shared/reference/cache-knowledge.md (section numbers below, e.g. §A.1).
Where that file tags a fact [inference] or [unverified], the comment next to the entry says what
we chose and why.

Conventions read by `cachemount.semantics.invocations` and `cachemount.semantics.cachedirs` (besides schema.py):

- Subcommand paths are words separated by spaces (`mod download`, `pip install`). A path `*` matches
  any one word: every positional is a task or goal (Maven, Gradle, sbt) or a compiler (ccache).
- `clean_subcommands` entries may contain option tokens (`clean -modcache`, `--clear`): the words
  must match the subcommand and every option token (alternatives separated by `|`) must appear.
- `never_mount` entries: a path template (`${CARGO_HOME}/bin`) is forbidden as a mount target, as a
  parent of the target (mounting a parent hides it) or under it; a relative entry (`node_modules`,
  `.yarn/cache`) is forbidden wherever it appears as whole path components.
- `OptionDefeat(prefix_ok=True)`: optparse-style abbreviations are accepted down to the option
  without its last `-part` (`--no-cache-dir` -> `--no-cache`, as pip accepts).
- Location templates: see schema.py. `~` is the passwd home (JVM tools), `${HOME}` the environment's.
- A variable that is a whole cache location (`${PIP_CACHE_DIR}`) is also an EnvDefeat when it names a
  device (`/dev/null`): derived at the end of this file, so no table lists it by hand.
"""
from __future__ import annotations

import re

from ..records import replace
from .schema import CacheSpec, DepStep, EnvDefeat, Location, ManagerSpec, OptionDefeat

L = Location

# Executables that run another manager named by the next word (`corepack pnpm install`,
# `corepack yarn@4.1.0 install`). tonistiigi/xx wrappers are plain executables of their managers.
LAUNCHERS: tuple[str, ...] = ("corepack",)
# `python -m pip`, `python3.12 -mpip`, `pypy3 -m pip`: interpreters that take `-m module`.
PYTHON_EXECUTABLES: tuple[str, ...] = ("python", "python[0-9]*", "pypy", "pypy[0-9]*")
# Options of the Python interpreter that take a value (skipped before `-m`).
PYTHON_OPTIONS_WITH_VALUE: tuple[str, ...] = ("-W", "-X", "-c")

_NODE_MODULES = ("node_modules",)

# Package arguments that name a local project rather than a package to download (`pip install .`,
# `pip install -e /src`, `.[dev]`). URLs never match: they start with a scheme.
_LOCAL_PROJECT_ARGS = (".", "..", ".[[]*", "./*", "../*", "/*", "~/*")

# --------------------------------------------------------------------------------------------
# Python (§A.1-§A.6)

PIP = ManagerSpec(
    key="pip",
    display="pip",
    executables=("pip", "pip[0-9]", "pip[0-9].*"),
    python_modules=("pip",),
    download=("install", "download", "wheel"),
    caches=(
        CacheSpec(
            key="pip",
            purpose="downloaded and locally built wheels",
            locations=(L("${PIP_CACHE_DIR}"), L("${XDG_CACHE_HOME}/pip"), L("${HOME}/.cache/pip")),
            cli_options=("--cache-dir",),
            never_mount=("site-packages", "dist-packages"),
        ),
    ),
    source="https://pip.pypa.io/en/stable/topics/caching/",
    global_options_with_value=("--cache-dir", "--python", "--log", "--log-file", "--proxy", "--timeout",
                               "--retries", "--cert", "--client-cert", "--trusted-host", "--exists-action",
                               "--use-feature", "--use-deprecated", "--keyring-provider", "--resume-retries"),
    options_with_value=("-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-t", "--target",
                        "--prefix", "--root", "-i", "--index-url", "--extra-index-url", "-f", "--find-links",
                        "--platform", "--python-version", "--implementation", "--abi", "--src",
                        "--upgrade-strategy", "--progress-bar", "-d", "--dest", "-w", "--wheel-dir",
                        "--only-binary", "--no-binary", "--config-settings", "-C", "--global-option",
                        "--root-user-action", "--report", "--group"),
    # Local wheels only (`pip install /wheels/*`, `pip install dist/*.whl`): nothing to download, a
    # cache mount adds nothing (corpus LABELS #9: not expected). `--no-index` likewise.
    local_only_positionals=("*.whl", "*/[*]"),
    no_download_flags=("--no-index",),
    option_defeats=(
        OptionDefeat("--no-cache-dir", "turns pip's cache off", prefix_ok=True),
    ),
    # pip keeps this on purpose: any valid boolean, even `false` or `0`, disables the cache.
    env_defeats=(EnvDefeat("PIP_NO_CACHE_DIR", "any", "turns pip's cache off (any value, even false)"),),
    clean_subcommands=("cache purge", "cache remove"),
    dep_steps=(
        DepStep("install", require_any=("-r", "--requirement"), forbid_any=(".", "./", "-e", "--editable")),
        DepStep("download", require_any=("-r", "--requirement")),
        DepStep("wheel", require_any=("-r", "--requirement"), forbid_any=(".", "./")),
    ),
    second_steps=(DepStep("install", require_any=(".", "./", "-e", "--editable")),),
    copy_manifests=("requirements.txt",),
    manifest_options=("-r", "--requirement", "-c", "--constraint"),
    config_commands=(("config set", "global.cache-dir", "pip"), ("config set", "install.cache-dir", "pip")),
    local_project_subcommands=("install",),
    local_project_args=_LOCAL_PROJECT_ARGS,
    editable_options=("-e", "--editable"),
)

UV = ManagerSpec(
    key="uv",
    display="uv",
    executables=("uv", "uvx"),
    python_modules=("uv",),
    executable_subcommands=(("uvx", "tool run"),),
    download=("pip install", "pip sync", "pip compile", "sync", "lock", "add", "run", "tool install",
              "tool run", "tool upgrade", "python install", "build", "export"),
    caches=(
        CacheSpec(
            key="uv",
            purpose="downloaded and built distributions",
            locations=(L("${UV_CACHE_DIR}"), L("${XDG_CACHE_HOME}/uv"), L("${HOME}/.cache/uv")),
            cli_options=("--cache-dir",),
            never_mount=(".venv",),
        ),
    ),
    source="https://docs.astral.sh/uv/concepts/cache/",
    global_options_with_value=("--cache-dir", "--directory", "--project", "--config-file", "--color",
                               "--python-preference", "--allow-insecure-host"),
    options_with_value=("-r", "--requirement", "-c", "--constraint", "--override", "-b", "--build-constraint",
                        "-p", "--python", "-i", "--index-url", "--extra-index-url", "--index", "--default-index",
                        "-f", "--find-links", "--package", "--extra", "--group", "--only-group", "--no-group",
                        "--target", "--prefix", "-o", "--output-file", "--link-mode", "--no-install-package",
                        "--python-platform", "--with", "-w", "--from", "--exclude-newer", "--resolution",
                        "--prerelease", "--keyring-provider", "--env-file", "--refresh-package",
                        "--reinstall-package", "-P", "--upgrade-package", "--index-strategy", "--format",
                        "--script", "--out-dir"),
    # `--no-cache-dir` is a hidden alias of `--no-cache` (uv 0.13.8: `uv --no-cache-dir cache dir` prints a
    # temporary dir); uv accepts no abbreviations (`--no-cache-di` is an error).
    option_defeats=(
        OptionDefeat("--no-cache", "makes uv use a temporary cache"),
        OptionDefeat("-n", "makes uv use a temporary cache (`-n` is `--no-cache`)"),
        OptionDefeat("--no-cache-dir", "makes uv use a temporary cache (`--no-cache-dir` is an alias of `--no-cache`)"),
    ),
    env_defeats=(EnvDefeat("UV_NO_CACHE", "truthy", "makes uv use a temporary cache"),),
    clean_subcommands=("cache clean", "cache prune"),
    dep_steps=(
        DepStep("sync", require_any=("--no-install-project", "--no-install-workspace")),
        DepStep("pip install", require_any=("-r", "--requirement"), forbid_any=(".", "./", "-e", "--editable")),
        DepStep("pip sync"),
    ),
    second_steps=(
        DepStep("sync", forbid_any=("--no-install-project", "--no-install-workspace")),
        DepStep("pip install", require_any=(".", "./", "-e", "--editable")),
    ),
    copy_manifests=("pyproject.toml", "uv.lock"),
    manifest_options=("-r", "--requirement", "-c", "--constraint"),
    # `--no-install-workspace` skips the root project and every member, so the same prefetch works
    # for single projects and workspaces; `--frozen` because member pyproject.toml files are not copied.
    prefetch="uv sync --frozen --no-install-workspace",
    prefetch_carries=(("--no-dev", False), ("--only-dev", False), ("--dev", False), ("--group", True),
                      ("--only-group", True), ("--no-group", True), ("--all-groups", False),
                      ("--no-default-groups", False), ("--extra", True), ("--all-extras", False),
                      ("--no-extra", True)),
    build_steps=("sync",),
    # Hardlinks/reflinks cannot cross into a cache mount; copy mode only silences the warning.
    fix_env=(("UV_LINK_MODE", "copy"),),
    local_project_subcommands=("pip install",),
    local_project_args=_LOCAL_PROJECT_ARGS,
    editable_options=("-e", "--editable"),
)

POETRY = ManagerSpec(
    key="poetry",
    display="Poetry",
    executables=("poetry",),
    python_modules=("poetry",),
    download=("install", "sync", "add", "update", "lock"),
    caches=(
        CacheSpec(
            key="poetry",
            purpose="downloaded artifacts and repository metadata (and, by default, virtualenvs)",
            locations=(L("${POETRY_CACHE_DIR}"), L("${XDG_CACHE_HOME}/pypoetry"), L("${HOME}/.cache/pypoetry")),
            # [inference] `cache/` and `artifacts/` are the download subdirs (not in official docs):
            # mounting just those keeps the default in-cache virtualenv in the image.
            accepted_subdirs=("cache", "artifacts"),
            never_mount=("${POETRY_VIRTUALENVS_PATH}", "virtualenvs", ".venv"),
        ),
    ),
    source="https://python-poetry.org/docs/configuration/",
    global_options_with_value=("-C", "--directory", "-P", "--project"),
    options_with_value=("--with", "--without", "--only", "-E", "--extras", "-G", "--group", "--source",
                        "--python", "--platform"),
    option_defeats=(OptionDefeat("--no-cache", "makes Poetry ignore its caches"),),
    clean_subcommands=("cache clear",),
    dep_steps=(DepStep("install", require_any=("--no-root",)), DepStep("sync", require_any=("--no-root",))),
    second_steps=(DepStep("install", forbid_any=("--no-root",)), DepStep("sync", forbid_any=("--no-root",))),
    copy_manifests=("pyproject.toml", "poetry.lock"),
    prefetch="poetry install --no-root --no-directory",
    prefetch_carries=(("--only", True), ("--with", True), ("--without", True), ("--all-groups", False),
                      ("-E", True), ("--extras", True), ("--all-extras", False)),
    build_steps=("install", "sync"),
    # The default virtualenv lives under cache-dir: with a cache mount it would vanish from the image.
    fix_env=(("POETRY_VIRTUALENVS_IN_PROJECT", "true"),),
    # No virtualenv at all (Poetry reads "true"/"1" as true): nothing to keep out of the mount.
    fix_env_unless=(("POETRY_VIRTUALENVS_CREATE", r"(?i)false|0"),),
    fix_env_unsafe="the virtualenv moves from Poetry's cache dir into the project (.venv)",
    config_commands=(("config", "cache-dir", "poetry"),),
)

PIPENV = ManagerSpec(
    key="pipenv",
    display="Pipenv",
    executables=("pipenv",),
    python_modules=("pipenv",),
    download=("install", "sync", "lock", "update", "upgrade"),
    caches=(
        CacheSpec(
            # Pipenv runs pip with PIP_CACHE_DIR=<PIPENV_CACHE_DIR>, so pip's wheels land here too
            # (src: pipenv/utils/pip.py); no separate pip mount is needed.
            key="pipenv",
            purpose="pip wheels and resolver metadata",
            locations=(L("${PIPENV_CACHE_DIR}"), L("${XDG_CACHE_HOME}/pipenv"), L("${HOME}/.cache/pipenv")),
            never_mount=(".venv", "site-packages"),
        ),
    ),
    source="https://pipenv.pypa.io/en/latest/configuration.html",
    options_with_value=("--python", "--pypi-mirror", "-r", "--requirements", "--categories",
                        "--extra-pip-args", "-i", "--index"),
    # [unverified] `--clear` on install/lock/sync clears the cache before running: a defeat there,
    # and a bare `pipenv --clear` is a clean.
    option_defeats=(OptionDefeat("--clear", "clears Pipenv's cache first",
                                 subcommands=("install", "sync", "lock", "update", "upgrade")),),
    clean_subcommands=("--clear",),
    dep_steps=(DepStep("install", no_positionals=True), DepStep("sync")),
    copy_manifests=("Pipfile", "Pipfile.lock"),
)

PDM = ManagerSpec(
    key="pdm",
    display="PDM",
    executables=("pdm",),
    python_modules=("pdm",),
    download=("install", "sync", "add", "lock", "update"),
    caches=(
        CacheSpec(
            key="pdm",
            purpose="wheels and metadata",
            locations=(L("${PDM_CACHE_DIR}"), L("${XDG_CACHE_HOME}/pdm"), L("${HOME}/.cache/pdm")),
            never_mount=(".venv",),
        ),
    ),
    source="https://pdm-project.org/latest/usage/config/",
    global_options_with_value=("-p", "--project", "-c", "--config"),
    options_with_value=("-G", "--group", "-L", "--lockfile", "--venv", "-k", "--skip", "--strategy"),
    clean_subcommands=("cache clear",),
    dep_steps=(DepStep("install", require_any=("--no-self",)), DepStep("sync", require_any=("--no-self",))),
    second_steps=(DepStep("install", forbid_any=("--no-self",)), DepStep("sync", forbid_any=("--no-self",))),
    copy_manifests=("pyproject.toml", "pdm.lock"),
    prefetch="pdm install --no-self",
    prefetch_carries=(("-G", True), ("--group", True), ("--prod", False), ("--production", False), ("-d", False),
                      ("--dev", False), ("--no-default", False), ("--without", True)),
    build_steps=("install", "sync"),
)

_CONDA_OPTIONS = ("-n", "--name", "-p", "--prefix", "-c", "--channel", "--file", "--solver", "--platform",
                  "--subdir", "--repodata-fn", "--override-channels-url")
_CONDA_DOWNLOAD = ("install", "create", "update", "upgrade", "env create", "env update")
_CONDA_MANIFESTS = ("environment.yml", "environment.yaml", "env.yml", "env.yaml", "*.lock", "conda-lock.yml",
                    "requirements*.txt")

# conda: pkgs_dirs = <root prefix>/pkgs. The root prefix is where conda is installed: /opt/conda in
# continuumio/*, jupyter and mambaorg images ([inference] the usual place elsewhere too; jupyter's
# CONDA_DIR names it). Non-root users fall back to ~/.conda/pkgs only when the prefix is not
# writable; the images above make it writable for their user, so /opt/conda/pkgs for everyone.
CONDA = ManagerSpec(
    key="conda",
    display="conda",
    executables=("conda",),
    python_modules=("conda",),
    download=_CONDA_DOWNLOAD,
    caches=(
        CacheSpec(
            key="conda-pkgs",
            purpose="downloaded and extracted packages (pkgs_dirs)",
            locations=(L("${CONDA_PKGS_DIRS}", list_sep=","), L("${CONDA_DIR}/pkgs"), L("/opt/conda/pkgs")),
            never_mount=("envs",),
        ),
    ),
    source="https://docs.conda.io/projects/conda/en/stable/user-guide/configuration/custom-env-and-pkg-locations.html",
    options_with_value=_CONDA_OPTIONS + ("-f",),  # env create -f FILE (conda install -f is --force: a flag
                                                  # whose "value" we then skip: harmless for roles)
    clean_subcommands=("clean",),
    dep_steps=(DepStep("env create", require_any=("-f", "--file")), DepStep("env update", require_any=("-f", "--file")),
               DepStep("install", require_any=("--file",)), DepStep("create", require_any=("--file",))),
    manifest_options=("-f", "--file"),
    config_commands=(("config --add", "pkgs_dirs", "conda-pkgs"), ("config --prepend", "pkgs_dirs", "conda-pkgs")),
)

MAMBA = ManagerSpec(
    key="mamba",
    display="mamba",
    executables=("mamba",),
    download=_CONDA_DOWNLOAD,
    caches=(
        CacheSpec(
            key="conda-pkgs",
            purpose="downloaded and extracted packages (pkgs_dirs)",
            locations=(L("${CONDA_PKGS_DIRS}", list_sep=","), L("${CONDA_DIR}/pkgs"), L("${MAMBA_ROOT_PREFIX}/pkgs"),
                       L("/opt/conda/pkgs")),
            never_mount=("envs",),
        ),
    ),
    source="https://docs.conda.io/projects/conda/en/stable/user-guide/configuration/custom-env-and-pkg-locations.html",
    options_with_value=_CONDA_OPTIONS + ("-f", "-r", "--root-prefix"),
    clean_subcommands=("clean",),
    dep_steps=(DepStep("env create", require_any=("-f", "--file")), DepStep("env update", require_any=("-f", "--file")),
               DepStep("install", require_any=("-f", "--file")), DepStep("create", require_any=("-f", "--file"))),
    manifest_options=("-f", "--file"),
)

MICROMAMBA = ManagerSpec(
    key="micromamba",
    display="micromamba",
    executables=("micromamba",),
    download=("install", "create", "update", "env create", "env update"),
    caches=(
        CacheSpec(
            # [unverified] micromamba reading CONDA_PKGS_DIRS: kept first because conda-compatible
            # tools honour it; without MAMBA_ROOT_PREFIX the root prefix depends on the version
            # (~/micromamba in 1.x, ~/.local/share/mamba in 2.x), so we report it as unknown.
            key="conda-pkgs",
            purpose="downloaded and extracted packages (pkgs_dirs)",
            locations=(L("${CONDA_PKGS_DIRS}", list_sep=","), L("${MAMBA_ROOT_PREFIX}/pkgs")),
            never_mount=("envs",),
        ),
    ),
    source="https://mamba.readthedocs.io/en/latest/user_guide/micromamba.html",
    options_with_value=_CONDA_OPTIONS + ("-f", "-r", "--root-prefix"),
    clean_subcommands=("clean",),
    dep_steps=(DepStep("install", require_any=("-f", "--file")), DepStep("create", require_any=("-f", "--file")),
               DepStep("update", require_any=("-f", "--file")), DepStep("env create", require_any=("-f", "--file"))),
    manifest_options=("-f", "--file"),
)

# --------------------------------------------------------------------------------------------
# JavaScript (§A.7-§A.11)

NPM = ManagerSpec(
    key="npm",
    display="npm",
    executables=("npm",),
    # `npm exec`/`npx` run a local binary when it is installed and only download otherwise: counting
    # them as downloads would flag every `npx prisma generate`, so they are 'other'.
    download=("install", "ci", "update", "install-test", "install-ci-test"),
    aliases=(("i", "install"), ("in", "install"), ("ins", "install"), ("inst", "install"), ("insta", "install"),
             ("instal", "install"), ("isnt", "install"), ("isnta", "install"), ("isntal", "install"),
             ("isntall", "install"), ("add", "install"), ("clean-install", "ci"), ("ic", "ci"),
             ("install-clean", "ci"), ("isntall-clean", "ci"), ("up", "update"), ("upgrade", "update"),
             ("udpate", "update"), ("it", "install-test"), ("cit", "install-ci-test")),
    caches=(
        CacheSpec(
            key="npm",
            purpose="downloaded package tarballs and metadata (_cacache)",
            # npm reads npm_config_* case-insensitively; it ignores XDG_CACHE_HOME.
            locations=(L("${npm_config_cache}"), L("${NPM_CONFIG_CACHE}"), L("${HOME}/.npm")),
            cli_options=("--cache",),
            never_mount=_NODE_MODULES,
        ),
    ),
    source="https://docs.npmjs.com/cli/using-npm/config#cache",
    global_options_with_value=("--prefix", "-C", "--cache", "--registry", "--userconfig", "--globalconfig",
                               "--loglevel", "-w", "--workspace"),
    options_with_value=("--omit", "--include", "--tag", "--install-strategy", "--before", "--location",
                        "--fetch-timeout", "--fetch-retries", "--script-shell", "--cpu", "--os", "--libc"),
    consume_when_flags=("--offline",),
    clean_subcommands=("cache clean", "cache clear", "cache rm"),
    dep_steps=(DepStep("ci"), DepStep("install", no_positionals=True, forbid_any=("-g", "--global"))),
    copy_manifests=("package*.json",),
    config_commands=(("config set", "cache", "npm"),),
)

_YARN_CACHE_CLASSIC = CacheSpec(
    key="yarn",
    purpose="downloaded package tarballs (v6/)",
    # As root (uid 0), Yarn 1 treats /usr/local/share as the home (src: yarn root-user.js). XDG wins over
    # both. [unverified] `.npmrc cache=` / npm_config_cache moving it: not modelled.
    locations=(L("${YARN_CACHE_FOLDER}"), L("${yarn_cache_folder}"), L("${XDG_CACHE_HOME}/yarn"),
               L("/usr/local/share/.cache/yarn", when="root"), L("${HOME}/.cache/yarn", when="nonroot")),
    cli_options=("--cache-folder",),
    never_mount=_NODE_MODULES,
)

_YARN_OPTIONS = ("--cache-folder", "--modules-folder", "--network-timeout", "--mutex", "--registry", "--cwd",
                 "--global-folder", "--link-folder", "--preferred-cache-folder", "--network-concurrency",
                 "--use-yarnrc", "--https-proxy", "--proxy", "--mode")

# `yarn` cannot tell its version from the command line. We treat it as Yarn 1 (classic, the version
# the node image bundled up to Node 25) unless the command uses berry-only flags or subcommands
# (`--immutable`, `dlx`, `up`, `workspaces focus`) or corepack names a 2+ version (`yarn@4.1.0`).
YARN = ManagerSpec(
    key="yarn",
    display="Yarn",
    executables=("yarn", "yarnpkg"),
    download=("install", "add", "upgrade", "global add", "import"),
    default_subcommand="install",
    caches=(_YARN_CACHE_CLASSIC,),
    source="https://classic.yarnpkg.com/en/docs/cli/cache",
    global_options_with_value=_YARN_OPTIONS,
    options_with_value=_YARN_OPTIONS,
    consume_when_flags=("--offline",),
    clean_subcommands=("cache clean",),
    dep_steps=(DepStep("install"),),
    copy_manifests=("package.json", "yarn.lock"),
    config_commands=(("config set", "cache-folder", "yarn"),),
)

# Yarn 2+ ("berry"). With the default PnP linker the cache zips ARE the installed packages, so a
# cache mount is only safe with `nodeLinker: node-modules` (which we cannot see from the Dockerfile).
YARN_BERRY = ManagerSpec(
    key="yarn-berry",
    display="Yarn (berry)",
    executables=("yarn", "yarnpkg"),
    selected_by=("--immutable", "--immutable-cache", "--check-cache", "--mode", "dlx", "up", "focus",
                 "yarn@[2-9]*", "yarn@berry", "yarn@stable", "yarn@canary"),
    download=("install", "add", "up", "dlx", "workspaces focus"),
    default_subcommand="install",
    caches=(
        CacheSpec(
            # Yarn 4 default: enableGlobalCache=true -> <globalFolder>/cache. YARN_CACHE_FOLDER is
            # ignored while the global cache is on (yarnpkg/berry#6302).
            key="yarn-berry",
            purpose="package zip archives (global cache)",
            locations=(L("${YARN_GLOBAL_FOLDER}/cache"), L("${XDG_DATA_HOME}/yarn/berry/cache"),
                       L("${HOME}/.yarn/berry/cache")),
            never_mount=(".yarn/cache", ".pnp.cjs", "node_modules"),
        ),
    ),
    source="https://yarnpkg.com/features/caching",
    global_options_with_value=_YARN_OPTIONS,
    options_with_value=_YARN_OPTIONS,
    clean_subcommands=("cache clean",),
    dep_steps=(DepStep("install"), DepStep("workspaces focus")),
    copy_manifests=("package.json", "yarn.lock", ".yarnrc.ym[l]"),  # [l]: optional file, COPY allows empty globs
)

PNPM = ManagerSpec(
    key="pnpm",
    display="pnpm",
    executables=("pnpm",),
    download=("install", "add", "update", "fetch", "dlx", "deploy", "import"),
    aliases=(("i", "install"), ("up", "update"), ("upgrade", "update")),
    caches=(
        CacheSpec(
            # [inference] pnpm 10 reads npm_config_store_dir (npm-style config); pnpm 11 reads
            # pnpm_config_store_dir (documented). Both before PNPM_HOME.
            key="pnpm-store",
            purpose="content-addressable package store",
            locations=(L("${pnpm_config_store_dir}"), L("${npm_config_store_dir}"), L("${PNPM_HOME}/store"),
                       L("${XDG_DATA_HOME}/pnpm/store"), L("${HOME}/.local/share/pnpm/store")),
            cli_options=("--store-dir",),
            id="pnpm",  # pnpm docs: --mount=type=cache,id=pnpm,target=/pnpm/store
            never_mount=_NODE_MODULES,
        ),
    ),
    source="https://pnpm.io/docker",
    global_options_with_value=("-C", "--dir", "-F", "--filter", "--store-dir", "--reporter", "--registry",
                               "--loglevel", "-w"),
    options_with_value=("--virtual-store-dir", "--modules-dir", "--node-linker", "--package-import-method",
                        "--network-concurrency", "--child-concurrency"),
    consume_when_flags=("--offline",),
    clean_subcommands=("store prune",),
    dep_steps=(DepStep("install", no_positionals=True, forbid_any=("-g", "--global", "--offline")), DepStep("fetch")),
    second_steps=(DepStep("install", require_any=("--offline",)),),
    copy_manifests=("pnpm-lock.yaml",),
    config_commands=(("config set", "store-dir", "pnpm-store"), ("config set", "storeDir", "pnpm-store")),
)

BUN = ManagerSpec(
    key="bun",
    display="Bun",
    executables=("bun",),
    # `bunx`/`bun x` run a local binary first: 'other' (same reasoning as npx).
    download=("install", "add", "update"),
    aliases=(("i", "install"), ("a", "add")),
    caches=(
        CacheSpec(
            key="bun",
            purpose="downloaded packages",
            locations=(L("${BUN_INSTALL_CACHE_DIR}"), L("${BUN_INSTALL}/install/cache"),
                       L("${XDG_CACHE_HOME}/.bun/install/cache"), L("${HOME}/.bun/install/cache")),
            cli_options=("--cache-dir",),
            never_mount=_NODE_MODULES,
        ),
    ),
    source="https://bun.sh/docs/install/cache",
    options_with_value=("--cwd", "--cache-dir", "--registry", "--backend", "-c", "--config", "--filter",
                        "--linker", "--concurrent-scripts", "--network-concurrency", "--omit", "--cpu", "--os"),
    # [unverified] `bun install --no-cache` ignores the manifest cache: reference §A.11 lists it as a
    # defeat, we keep it. BUN_RUNTIME_TRANSPILER_CACHE_PATH is the runtime transpiler cache, NOT the
    # install cache (the oven/bun image sets it to 0): deliberately not an env defeat.
    option_defeats=(OptionDefeat("--no-cache", "makes Bun ignore its install cache"),),
    clean_subcommands=("pm cache rm",),
    dep_steps=(DepStep("install", no_positionals=True, forbid_any=("-g", "--global")),),
    copy_manifests=("package.json", "bun.lock*"),
)

# --------------------------------------------------------------------------------------------
# OS package managers (§A.12-§A.15)

_APT_INSTALLS = ("install", "upgrade", "dist-upgrade", "full-upgrade", "download", "source", "build-dep",
                 "reinstall", "satisfy")
_APT_DOWNLOAD = ("update",) + _APT_INSTALLS
_APT_OPTIONS = ("-o", "--option", "-c", "--config-file", "-t", "--target-release", "--default-release",
                "-a", "--host-architecture")


# The lists mount is only for RUNs that run `update`: on an install-only RUN an empty lists mount
# would hide lists already in the image and break the install. The archives mount is for every
# download (harmless on an update-only RUN, and then a /var/cache/apt mount next to
# `apt-get update && apt-get install` is never taken for a wrong lists target). We suggest /var/lib/apt/lists, not
# /var/lib/apt as the BuildKit example does: [inference] mounting all of /var/lib/apt keeps
# extended_states (auto-installed marks) out of the image. A mount on /var/lib/apt still covers it.
_APT_CACHES = (
    CacheSpec(
        key="apt-archives",
        purpose="downloaded .deb files",
        locations=(L("/var/cache/apt"),),
        sharing="locked",
        accepted_subdirs=("archives",),
        never_mount=("/var/lib/dpkg",),
    ),
    CacheSpec(
        # Minor: with /var/cache/apt mounted, a missing lists mount only costs the index download.
        key="apt-lists",
        purpose="package index lists",
        locations=(L("/var/lib/apt/lists"),),
        sharing="locked",
        subcommands=("update",),
        also_with_options=("--update",),
        read_by=_APT_INSTALLS,   # `RUN apt-get update` alone: its lists are layer state (CM401)
        never_mount=("/var/lib/dpkg",),
        minor=True,
    ),
)


# apt-get and apt are separate keys because the `apt` front end also deletes downloaded .debs
# unless Binary::apt::APT::Keep-Downloaded-Packages is true (apt >= 1.2); apt-get keeps them.
APT_GET = ManagerSpec(
    key="apt-get",
    display="apt-get",
    executables=("apt-get", "xx-apt-get"),
    download=_APT_DOWNLOAD,
    caches=_APT_CACHES,
    source="https://docs.docker.com/reference/dockerfile/#example-cache-apt-packages",
    global_options_with_value=_APT_OPTIONS,
    options_with_value=_APT_OPTIONS,
    clean_subcommands=("clean", "autoclean", "auto-clean", "dist-clean", "distclean"),
    prerequisites=("apt-docker-clean",),
    os_package_manager=True,
)

APT = ManagerSpec(
    key="apt",
    display="apt",
    executables=("apt", "xx-apt"),
    download=_APT_DOWNLOAD,
    caches=_APT_CACHES,
    source="https://docs.docker.com/reference/dockerfile/#example-cache-apt-packages",
    global_options_with_value=_APT_OPTIONS,
    options_with_value=_APT_OPTIONS,
    clean_subcommands=("clean", "autoclean", "auto-clean", "dist-clean", "distclean"),
    prerequisites=("apt-docker-clean", "apt-keep-downloaded"),
    os_package_manager=True,
)

APK = ManagerSpec(
    key="apk",
    display="apk",
    executables=("apk", "xx-apk"),
    download=("add", "upgrade", "update", "fetch", "fix", "cache download", "cache sync"),
    caches=(
        CacheSpec(
            key="apk",
            purpose="package indexes and (with /etc/apk/cache linked) downloaded packages",
            locations=(L("/var/cache/apk"),),
            cli_options=("--cache-dir",),
            # A mount on /etc/apk/cache itself makes that dir exist, which turns the package cache on.
            equivalents=("/etc/apk/cache",),
        ),
    ),
    source="https://wiki.alpinelinux.org/wiki/Local_APK_cache",
    global_options_with_value=("-X", "--repository", "-p", "--root", "--arch", "--cache-dir", "--cache-max-age",
                               "--keys-dir", "--repositories-file", "--progress-fd", "--timeout", "--cache"),
    options_with_value=("-t", "--virtual"),
    # Without a local cache apk fetches every repository index afresh; with one it reuses an index up to
    # --cache-max-age old (4 h; src: apk-tools database.c, v2.14 and v3). `--update-cache` (`-U`, max age 0)
    # keeps the fresh-index behaviour, so a fix writes it where it drops `--no-cache`.
    option_defeats=(
        OptionDefeat("--no-cache", "makes apk use no local cache at all", replacement=("--update-cache", "-U")),
        OptionDefeat("--cache=no", "makes apk use no local cache at all", replacement=("--update-cache", "-U")),
    ),
    clean_subcommands=("cache clean", "cache purge"),
    prerequisites=("apk-cache-link",),
    os_package_manager=True,
)

_DNF_DOWNLOAD = ("install", "upgrade", "update", "makecache", "download", "group install", "groupinstall",
                 "builddep", "reinstall", "distro-sync", "distrosync", "module install", "localinstall",
                 "upgrade-minimal", "swap")
_DNF_ALIASES = (("in", "install"), ("up", "upgrade"), ("dsync", "distro-sync"), ("mc", "makecache"),
                ("rei", "reinstall"), ("grp", "group"))
_DNF_OPTIONS = ("--releasever", "--installroot", "--repo", "--repoid", "--enablerepo", "--disablerepo", "-c",
                "--config", "--repofrompath", "--exclude", "-x", "--forcearch", "--disableplugin",
                "--enableplugin", "-d", "--debuglevel", "-e", "--errorlevel", "--setopt", "--destdir",
                "--downloaddir")

DNF = ManagerSpec(
    key="dnf",
    display="dnf",
    executables=("dnf", "dnf-3", "dnf4"),
    download=_DNF_DOWNLOAD,
    aliases=_DNF_ALIASES,
    caches=(
        CacheSpec(
            # `dnf` is dnf5 on Fedora 41 and later (cache /var/cache/libdnf5, src: Fedora change
            # SwitchToDnf5; dnf5-caching(7)) and dnf 4 elsewhere (RHEL/UBI/Rocky/Alma 8-10, Fedora <= 40).
            # The base image decides which (images.MANAGERS_ON_IMAGES maps `dnf` to `dnf5` there); on an
            # unknown base the dir is unknown: a wrong guess that drops `dnf clean all` and turns keepcache on
            # would keep every RPM in the image.
            key="dnf",
            purpose="repository metadata and (with keepcache) downloaded RPMs",
            locations=(L("/var/cache/dnf"),),
            sharing="locked",  # [inference] dnf's locks do not work across containers sharing the mount
            versions=(("/var/cache/dnf", "dnf 4"), ("/var/cache/libdnf5", "dnf 5 (Fedora 41 and later)")),
        ),
    ),
    source="https://dnf.readthedocs.io/en/latest/conf_ref.html",
    global_options_with_value=_DNF_OPTIONS,
    options_with_value=_DNF_OPTIONS,
    clean_subcommands=("clean",),
    prerequisites=("dnf-keepcache",),
    os_package_manager=True,
)

DNF5 = ManagerSpec(
    key="dnf5",
    display="dnf5",
    executables=("dnf5",),
    download=_DNF_DOWNLOAD,
    aliases=_DNF_ALIASES,
    caches=(
        CacheSpec(
            key="dnf5",
            purpose="repository metadata and (with keepcache) downloaded RPMs",
            locations=(L("/var/cache/libdnf5"),),
            sharing="locked",  # [inference]
        ),
    ),
    source="https://man.archlinux.org/man/dnf5-caching.7.en.txt",
    global_options_with_value=_DNF_OPTIONS,
    options_with_value=_DNF_OPTIONS,
    clean_subcommands=("clean",),
    prerequisites=("dnf-keepcache",),
    os_package_manager=True,
)

YUM = ManagerSpec(
    key="yum",
    display="yum",
    executables=("yum",),
    download=_DNF_DOWNLOAD,
    aliases=_DNF_ALIASES,
    caches=(
        CacheSpec(
            # yum proper (EL7, Amazon Linux 2) caches in /var/cache/yum (reference §A.14). On EL8+ and
            # AL2023 `yum` is dnf 4 (/var/cache/dnf), on Fedora 41+ dnf5, on Azure Linux and Photon OS
            # tdnf: images.MANAGERS_ON_IMAGES maps it where the base image says which; elsewhere the dir
            # is unknown.
            key="yum",
            purpose="repository metadata and (with keepcache) downloaded RPMs",
            locations=(L("/var/cache/yum"),),
            sharing="locked",  # [inference]
            versions=(("/var/cache/yum", "yum 3 (EL7, Amazon Linux 2)"),
                      ("/var/cache/dnf", "dnf 4 (EL8 and later, Amazon Linux 2023)"),
                      ("/var/cache/libdnf5", "dnf 5 (Fedora 41 and later)"),
                      ("/var/cache/tdnf", "tdnf (Azure Linux, Photon OS)")),
        ),
    ),
    source="https://docs.redhat.com/en/documentation/red_hat_enterprise_linux/6/html/deployment_guide/sec-working_with_yum_cache",
    global_options_with_value=_DNF_OPTIONS,
    options_with_value=_DNF_OPTIONS,
    clean_subcommands=("clean",),
    prerequisites=("yum-keepcache",),
    os_package_manager=True,
)

MICRODNF = ManagerSpec(
    key="microdnf",
    display="microdnf",
    executables=("microdnf",),
    download=("install", "upgrade", "update", "makecache", "download", "reinstall", "module enable"),
    caches=(
        CacheSpec(
            # [src, indirect / inference] UBI-minimal microdnf uses /var/cache/yum; newer (dnf5-based)
            # builds may use the dnf dirs, so those count too.
            key="microdnf",
            purpose="repository metadata and downloaded RPMs",
            locations=(L("/var/cache/yum"),),
            sharing="locked",
            equivalents=("/var/cache/dnf", "/var/cache/libdnf5"),
        ),
    ),
    source="https://github.com/rpm-software-management/microdnf/issues/49",
    global_options_with_value=_DNF_OPTIONS,
    options_with_value=_DNF_OPTIONS,
    clean_subcommands=("clean",),
    # [inference] microdnf is libdnf-based and honours keepcache from /etc/dnf/dnf.conf.
    prerequisites=("dnf-keepcache",),
    os_package_manager=True,
)

# tdnf (Azure Linux, Photon OS): cachedir /var/cache/tdnf; keepcache defaults to 0 and RPMs are removed
# after each transaction unless it is true (src: vmware/tdnf common/config.h, client/config.c,
# client/rpmtrans.c; etc/tdnf/tdnf.conf and Photon's tdnf.conf have no keepcache line).
TDNF = ManagerSpec(
    key="tdnf",
    display="tdnf",
    executables=("tdnf",),
    download=("install", "upgrade", "update", "makecache", "reinstall", "distro-sync"),
    caches=(
        CacheSpec(key="tdnf", purpose="repository metadata and downloaded RPMs", locations=(L("/var/cache/tdnf"),),
                  sharing="locked"),
    ),
    source="https://github.com/vmware/tdnf",
    global_options_with_value=_DNF_OPTIONS,
    options_with_value=_DNF_OPTIONS,
    clean_subcommands=("clean",),
    prerequisites=("tdnf-keepcache",),
    os_package_manager=True,
)

_ZYPPER_OPTIONS = ("--root", "-R", "--reposd-root", "-D", "--cache-dir", "-C", "--raw-cache-dir",
                   "--solv-cache-dir", "--pkg-cache-dir", "-c", "--config", "-r", "--repo", "--from",
                   "-t", "--type", "--userdata", "--installroot")

ZYPPER = ManagerSpec(
    key="zypper",
    display="zypper",
    executables=("zypper",),
    download=("install", "update", "dist-upgrade", "refresh", "source-install", "patch", "download"),
    aliases=(("in", "install"), ("up", "update"), ("dup", "dist-upgrade"), ("ref", "refresh"),
             ("si", "source-install"), ("cc", "clean")),
    caches=(
        CacheSpec(
            key="zypper",
            purpose="repository metadata and (with keeppackages) downloaded RPMs",
            locations=(L("/var/cache/zypp"),),
            cli_options=("--cache-dir",),
            sharing="locked",  # [inference]
        ),
    ),
    source="https://github.com/openSUSE/libzypp/blob/master/zypp.conf",
    global_options_with_value=_ZYPPER_OPTIONS,
    options_with_value=_ZYPPER_OPTIONS,
    clean_subcommands=("clean",),
    prerequisites=("zypper-keeppackages",),
    os_package_manager=True,
)

# --------------------------------------------------------------------------------------------
# Go, Rust (§A.16-§A.17)

_GO_BUILDERS = ("build", "test", "install", "run", "vet")

GO = ManagerSpec(
    key="go",
    display="Go",
    executables=("go", "xx-go"),
    download=("mod download", "build", "test", "run", "install", "get", "mod tidy", "mod vendor", "list",
              "vet", "work sync", "mod graph", "mod why", "mod verify", "generate"),
    caches=(
        CacheSpec(
            key="go-mod",
            purpose="module cache (downloaded, extracted modules)",
            locations=(L("${GOMODCACHE}"), L("${GOPATH}/pkg/mod", list_sep=":"), L("${HOME}/go/pkg/mod")),
            # Decision: a mount on pkg/mod/cache (or cache/download) keeps the module zips and works
            # offline; only extraction is redone. We count it as covering (no CM102); it is partial.
            accepted_subdirs=("cache", "cache/download"),
            never_mount=("${GOPATH}/bin", "${GOBIN}"),
        ),
        CacheSpec(
            key="go-build",
            purpose="build cache (compiled packages)",
            locations=(L("${GOCACHE}"), L("${XDG_CACHE_HOME}/go-build"), L("${HOME}/.cache/go-build")),
            subcommands=_GO_BUILDERS,
        ),
    ),
    source="https://pkg.go.dev/cmd/go#hdr-Build_and_test_caching",
    global_options_with_value=("-C",),
    options_with_value=("-o", "-ldflags", "-gcflags", "-asmflags", "-tags", "-mod", "-p", "-pkgdir", "-exec",
                        "-run", "-bench", "-count", "-timeout", "-coverprofile", "-covermode", "-coverpkg",
                        "-modfile", "-overlay", "-installsuffix", "-toolexec", "-compiler", "-buildmode", "-pgo",
                        "-f", "-cpu", "-parallel", "-skip"),
    clean_subcommands=("clean -modcache|-cache|-fuzzcache",),
    dep_steps=(DepStep("mod download"),),
    second_steps=(DepStep("build"), DepStep("install"), DepStep("test")),
    copy_manifests=("go.mod", "go.sum"),
    prefetch="go mod download",
    build_steps=("build", "test"),
    build_reads_cache=True,
)

CARGO = ManagerSpec(
    key="cargo",
    display="Cargo",
    executables=("cargo", "xx-cargo"),
    download=("fetch", "build", "check", "test", "run", "install", "update", "generate-lockfile", "vendor",
              "doc", "clippy", "bench", "chef cook", "auditable build", "zigbuild", "tree"),
    aliases=(("b", "build"), ("c", "check"), ("t", "test"), ("r", "run"), ("d", "doc")),
    caches=(
        CacheSpec(
            key="cargo-registry",
            purpose="crate registry index and downloaded .crate files",
            locations=(L("${CARGO_HOME}/registry"), L("${HOME}/.cargo/registry")),
            # The Cargo book suggests caching registry/index and registry/cache (src/ is re-extracted).
            accepted_subdirs=("index", "cache"),
            never_mount=("${CARGO_HOME}/bin", "${HOME}/.cargo/bin", "${RUSTUP_HOME}"),
        ),
        CacheSpec(
            key="cargo-git",
            purpose="bare clones of git dependencies",
            locations=(L("${CARGO_HOME}/git/db"), L("${HOME}/.cargo/git/db")),
            never_mount=("${CARGO_HOME}/bin", "${HOME}/.cargo/bin", "${RUSTUP_HOME}"),
        ),
    ),
    source="https://doc.rust-lang.org/cargo/guide/cargo-home.html",
    global_options_with_value=("--config", "-Z", "-C", "--color"),
    options_with_value=("-p", "--package", "--bin", "--example", "--test", "--bench", "-j", "--jobs",
                        "--features", "-F", "--target", "--target-dir", "--manifest-path", "--profile",
                        "--message-format", "--exclude", "--root", "--version", "--git", "--branch", "--tag",
                        "--rev", "--path", "--index", "--registry", "--recipe-path", "--lockfile-path",
                        "--config"),
    dep_steps=(DepStep("fetch"), DepStep("chef cook")),
    second_steps=(DepStep("build"), DepStep("test")),
    copy_manifests=("Cargo.toml", "Cargo.lock"),
    # No prefetch: `cargo fetch` refuses a manifest without targets (src/main.rs or lib.rs), so a
    # "copy Cargo.toml, then fetch" step is not a fix we can offer blindly (cargo-chef is).
    build_steps=("build", "test", "check"),
    build_reads_cache=True,
)

# --------------------------------------------------------------------------------------------
# JVM (§A.18-§A.20)

MAVEN = ManagerSpec(
    key="maven",
    display="Maven",
    executables=("mvn", "mvnw", "mvnd"),
    # Any lifecycle phase or plugin goal resolves dependencies (and downloads plugins).
    download=("*",),
    caches=(
        CacheSpec(
            # `~` = user.home from passwd: $HOME does not move it. MAVEN_CONFIG in the maven image does
            # not move it either (only the container entrypoint uses it).
            key="maven",
            purpose="local repository (~/.m2/repository) and wrapper distributions",
            locations=(L("~/.m2"),),
            cli_options=("-Dmaven.repo.local",),
            accepted_subdirs=("repository",),
            # [unverified] sharing=locked for concurrent writers: Maven >= 3.9 resolver has file
            # locking of its own; not set.
        ),
    ),
    source="https://maven.apache.org/settings.html",
    global_options_with_value=("-f", "--file", "-s", "--settings", "-gs", "--global-settings", "-pl", "--projects",
                               "-P", "--activate-profiles", "-T", "--threads", "-rf", "--resume-from", "-l",
                               "--log-file", "-D", "--define", "-t", "--toolchains", "-gt", "--global-toolchains",
                               "-b", "--builder", "--color"),
    consume_when_flags=("-o", "--offline"),
    clean_subcommands=("dependency:purge-local-repository",),
    dep_steps=(DepStep("dependency:go-offline"), DepStep("dependency:resolve"), DepStep("dependency:resolve-plugins"),
               DepStep("de.qaware.maven:go-offline-maven-plugin:resolve-dependencies")),
    second_steps=(DepStep("package"), DepStep("install"), DepStep("verify")),
    copy_manifests=("pom.xml",),
    # No prefetch: the right command depends on `mvn` vs `./mvnw` (which also needs .mvn/ copied).
    build_steps=("package", "install", "verify", "compile", "test", "deploy", "spring-boot:build-image"),
    build_reads_cache=True,
)

GRADLE = ManagerSpec(
    key="gradle",
    display="Gradle",
    executables=("gradle", "gradlew"),
    download=("*",),
    caches=(
        CacheSpec(
            key="gradle",
            purpose="Gradle user home: dependency caches and wrapper distributions",
            locations=(L("${GRADLE_USER_HOME}"), L("~/.gradle")),
            cli_options=("-g", "--gradle-user-home", "-Dgradle.user.home"),
            sharing="locked",  # gradle/gradle#851: sharing between concurrent containers does not work
            accepted_subdirs=("caches", "caches/modules-2"),
            # The gradle image symlinks /root/.gradle -> /home/gradle/.gradle; a mount on either works
            # for root there ([inference] BuildKit resolves a symlinked mount target inside the rootfs).
            equivalents=("/home/gradle/.gradle",),
        ),
    ),
    source="https://docs.gradle.org/current/userguide/directory_layout.html",
    global_options_with_value=("-g", "--gradle-user-home", "-p", "--project-dir", "-x", "--exclude-task", "-b",
                               "--build-file", "-c", "--settings-file", "-I", "--init-script", "-D",
                               "--system-prop", "-P", "--project-prop", "--console", "--warning-mode",
                               "--max-workers", "--priority", "-M", "--write-verification-metadata",
                               "--include-build", "--project-cache-dir", "--dependency-verification", "-F",
                               "--tests", "--configuration"),
    consume_when_flags=("--offline",),
    dep_steps=(DepStep("dependencies"), DepStep("downloadDependencies"), DepStep("resolveDependencies")),
    second_steps=(DepStep("build"), DepStep("assemble")),
    # No prefetch: the wrapper needs `gradle/` copied as a directory, which a one-line COPY of
    # manifests into ./ cannot express.
    build_steps=("build", "assemble", "bootJar", "jar", "shadowJar", "installDist", "test", "check"),
    build_reads_cache=True,
)

SBT = ManagerSpec(
    key="sbt",
    display="sbt",
    executables=("sbt",),
    download=("*",),
    caches=(
        CacheSpec(
            key="coursier",
            purpose="Coursier artifact cache (sbt >= 1.3)",
            locations=(L("${COURSIER_CACHE}"), L("~/.cache/coursier")),
            cli_options=("-Dsbt.coursier.home",),
            accepted_subdirs=("v1",),
        ),
        CacheSpec(
            # [inference] reference §A.20 suggests ~/.sbt and ~/.ivy2 as well.
            key="sbt-home",
            purpose="sbt boot and global base",
            locations=(L("~/.sbt"),),
            cli_options=("-Dsbt.global.base",),
            accepted_subdirs=("boot",),
        ),
        CacheSpec(
            key="ivy",
            purpose="Ivy cache",
            locations=(L("~/.ivy2"),),
            cli_options=("-Dsbt.ivy.home",),
            accepted_subdirs=("cache",),
        ),
    ),
    source="https://get-coursier.io/docs/cache",
    global_options_with_value=("-D", "-J", "-mem", "--java-home", "--sbt-version", "--ivy", "--sbt-dir",
                               "--sbt-boot"),
    dep_steps=(DepStep("update"),),
    build_steps=("compile", "assembly", "package", "stage", "test", "Universal/packageBin", "universal:packageBin"),
    build_reads_cache=True,
)

# --------------------------------------------------------------------------------------------
# Ruby, PHP, .NET (§A.21-§A.23)

# Where Bundler/RubyGems keep .gem files. With BUNDLE_PATH set, gems (and their cache/) go to
# <path>/ruby/<ABI version>/, which depends on the Ruby version: kept as a glob (path unknown, any
# matching mount counts). [inference] BUNDLE_GLOBAL_GEM_CACHE (then ~/.bundle/cache) is not modelled
# because it only applies when set to true. Without GEM_HOME the gem dir depends on how Ruby was
# installed, so no default is given (reported as unknown).
_GEM_CACHE_LOCATIONS = (L("${BUNDLE_PATH}/ruby/*/cache"), L("${GEM_HOME}/cache"))

BUNDLER = ManagerSpec(
    key="bundler",
    display="Bundler",
    executables=("bundle", "bundler"),
    download=("install", "update", "cache", "package", "add", "pack"),
    aliases=(("i", "install"),),
    caches=(
        CacheSpec(
            key="gems",
            purpose="downloaded .gem files",
            locations=_GEM_CACHE_LOCATIONS,
            never_mount=("${GEM_HOME}/gems", "${GEM_HOME}/specifications", "${GEM_HOME}/bin",
                         "${BUNDLE_PATH}/ruby"),
        ),
    ),
    source="https://bundler.io/man/bundle-config.1.html",
    global_options_with_value=("--gemfile",),
    options_with_value=("--path", "--gemfile", "--jobs", "-j", "--retry", "--without", "--with", "--binstubs",
                        "--standalone", "--trust-policy", "--shebang", "--group", "--source", "--version"),
    # Bundler's `--no-cache` only stops updating vendor/cache; it does not disable the download
    # cache: deliberately NOT an option defeat.
    dep_steps=(DepStep("install"),),
    copy_manifests=("Gemfile", "Gemfile.lock"),
)

GEM = ManagerSpec(
    key="gem",
    display="RubyGems",
    executables=("gem",),
    download=("install", "update", "fetch"),
    aliases=(("i", "install"),),
    caches=(
        CacheSpec(
            key="gems",
            purpose="downloaded .gem files",
            locations=(L("${GEM_HOME}/cache"),),
            never_mount=("${GEM_HOME}/gems", "${GEM_HOME}/specifications", "${GEM_HOME}/bin"),
        ),
    ),
    source="https://guides.rubygems.org/command-reference/#gem-install",
    options_with_value=("-v", "--version", "-i", "--install-dir", "-n", "--bindir", "--source", "-s", "--platform",
                        "-g", "--file"),
)

COMPOSER = ManagerSpec(
    key="composer",
    display="Composer",
    executables=("composer", "composer.phar"),
    launched_by=("php", "php[0-9]*"),
    download=("install", "update", "require", "create-project", "global require", "global update",
              "reinstall"),
    aliases=(("i", "install"), ("u", "update"), ("upgrade", "update"), ("r", "require"),
             ("clearcache", "clear-cache"), ("cc", "clear-cache")),
    caches=(
        CacheSpec(
            # Factory::getCacheDir: COMPOSER_CACHE_DIR, then $COMPOSER_HOME/cache (env only), then
            # ~/.cache/composer if the system "uses XDG" (any XDG_* var, or /etc/xdg exists), else
            # ~/.composer/cache. [inference] minimal Debian/Alpine bases have no /etc/xdg, so
            # ~/.composer/cache is suggested and ~/.cache/composer also counts.
            key="composer",
            purpose="downloaded package archives and repository metadata",
            locations=(L("${COMPOSER_CACHE_DIR}"), L("${COMPOSER_HOME}/cache"), L("${XDG_CACHE_HOME}/composer"),
                       L("${HOME}/.composer/cache")),
            equivalents=("${HOME}/.cache/composer",),
            never_mount=("vendor",),
        ),
    ),
    source="https://getcomposer.org/doc/06-config.md#cache-dir",
    global_options_with_value=("-d", "--working-dir"),
    options_with_value=("--prefer-install", "--apcu-autoloader-prefix", "--ignore-platform-req", "--repository",
                        "--stability", "-s"),
    # COMPOSER_CACHE_DIR=/dev/null is the same as --no-cache: a device EnvDefeat, derived below for every
    # variable that is a whole cache location.
    option_defeats=(
        OptionDefeat("--no-cache", "makes Composer skip its cache (same as COMPOSER_CACHE_DIR=/dev/null)"),
    ),
    clean_subcommands=("clear-cache",),
    dep_steps=(DepStep("install"),),
    copy_manifests=("composer.json", "composer.lock"),
    config_commands=(("config", "cache-dir", "composer"),),
)

DOTNET = ManagerSpec(
    key="dotnet",
    display=".NET (NuGet)",
    executables=("dotnet",),
    download=("restore", "build", "publish", "test", "pack", "run", "tool install", "tool restore", "tool update",
              "add package", "msbuild"),
    caches=(
        CacheSpec(
            # global-packages: the build reads packages from here, so every restore/build/publish RUN
            # needs the mount (or restore and publish in one RUN). Not never_mount for that reason.
            key="nuget",
            purpose="NuGet global-packages folder (read at build time too)",
            locations=(L("${NUGET_PACKAGES}"), L("${HOME}/.nuget/packages")),
            cli_options=("--packages",),
        ),
    ),
    source="https://learn.microsoft.com/nuget/consume-packages/managing-the-global-packages-and-cache-folders",
    options_with_value=("-c", "--configuration", "-r", "--runtime", "-o", "--output", "-f", "--framework", "-a",
                        "--arch", "--os", "-s", "--source", "--packages", "-v", "--verbosity", "--version-suffix",
                        "--configfile", "--project", "--launch-profile", "--property", "--logger", "-l",
                        "--filter", "--results-directory", "--settings", "--version"),
    # `--no-restore` build/publish/test and `--no-build` run/test read ~/.nuget/packages.
    consume_when_flags=("--no-restore", "--no-build"),
    # `dotnet restore --no-cache`/`--no-http-cache` skip the HTTP cache only: NOT a defeat.
    clean_subcommands=("nuget locals all --clear|-c", "nuget locals global-packages --clear|-c"),
    dep_steps=(DepStep("restore"),),
    second_steps=(DepStep("publish", require_any=("--no-restore",)), DepStep("build", require_any=("--no-restore",)),
                  DepStep("test", require_any=("--no-restore",))),
    copy_manifests=("*.csproj",),
    prefetch="dotnet restore",
    build_steps=("publish", "build", "test"),
    build_reads_cache=True,
)

# --------------------------------------------------------------------------------------------
# Compiler caches (§A.24)

CCACHE = ManagerSpec(
    key="ccache",
    display="ccache",
    executables=("ccache",),
    download=("*",),  # `ccache gcc ...`: any compiler invocation uses the cache
    caches=(
        CacheSpec(
            # ~/.ccache wins when it exists (not visible here); else XDG, else ~/.cache/ccache (ccache >= 4).
            key="ccache",
            purpose="compiler output cache",
            locations=(L("${CCACHE_DIR}"), L("${XDG_CACHE_HOME}/ccache"), L("${HOME}/.cache/ccache")),
        ),
    ),
    source="https://ccache.dev/manual/latest.html#config_cache_dir",
    global_options_with_value=("-M", "--max-size", "-F", "--max-files", "-o", "--set-config", "-k",
                               "--get-config", "-d", "--dir"),
    clean_subcommands=("-C|--clear",),
)

SCCACHE = ManagerSpec(
    key="sccache",
    display="sccache",
    executables=("sccache",),
    download=("*",),
    caches=(
        CacheSpec(
            key="sccache",
            purpose="compiler output cache (local disk)",
            locations=(L("${SCCACHE_DIR}"), L("${XDG_CACHE_HOME}/sccache"), L("${HOME}/.cache/sccache")),
            sharing="locked",  # only one sccache server may use a local cache dir at a time
        ),
    ),
    source="https://github.com/mozilla/sccache/blob/main/docs/Local.md",
)

_WHOLE_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _with_device_defeats(manager: ManagerSpec) -> ManagerSpec:
    """Adds an EnvDefeat(when='device') for every variable that is a whole cache location. Composer
    documents COMPOSER_CACHE_DIR=/dev/null as its --no-cache; no tool can keep a cache under /dev."""
    have = {d.name for d in manager.env_defeats}
    names: list[str] = []
    for spec in manager.caches:
        for loc in spec.locations:
            m = _WHOLE_VARIABLE.fullmatch(loc.template)
            if m and m.group(1) not in have and m.group(1) not in names:
                names.append(m.group(1))
    if not names:
        return manager
    extra = tuple(EnvDefeat(name, "device", f"points {manager.display}'s cache at a device (no cache at all)")
                  for name in names)
    return replace(manager, env_defeats=manager.env_defeats + extra)


MANAGERS: tuple[ManagerSpec, ...] = tuple(_with_device_defeats(m) for m in (
    PIP, UV, POETRY, PIPENV, PDM, CONDA, MAMBA, MICROMAMBA,
    NPM, YARN, YARN_BERRY, PNPM, BUN,
    APT_GET, APT, APK, DNF, DNF5, YUM, MICRODNF, TDNF, ZYPPER,
    GO, CARGO,
    MAVEN, GRADLE, SBT,
    BUNDLER, GEM, COMPOSER, DOTNET,
    CCACHE, SCCACHE,
))

BY_KEY: dict[str, ManagerSpec] = {m.key: m for m in MANAGERS}

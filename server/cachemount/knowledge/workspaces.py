"""What a dependency-only install reads from the build context, how a project lists its workspace
members, and which installs never read the context. DATA only.

Read by `cachemount.build_context` (workspace members, manifest contents) and by CM201's fixes
(`fixing/manifests.py`, `fixing/copy_reorder.py`): a manifest COPY is safe only when it copies
everything the install reads, and these tables say what that is.

Paths are relative to the project directory (where the install runs), `/`-separated. A name with
`*`, `?` or `[` is a glob: BuildKit's COPY skips a glob that matches nothing, but fails on a plain
name that is missing, so a plain name is written only when the build context has it.
"""
from __future__ import annotations

from ..records import Record
from .schema import DepStep


class ManifestSet(Record):
    """The files a dependency-only install of one manager reads from its project directory."""
    copy: tuple[str, ...]              # what the manifest COPY names when nothing else is known
    required: tuple[str, ...] = ()     # the install cannot run without these (must be in the context)
    optional: tuple[str, ...] = ()     # also read when present (config, hooks): copied when the context has them
    workspace: str | None = None       # WORKSPACES key: members listed there must be copied too
    contents: tuple[str, ...] = ()     # CONTENT_CHECKS keys: what in the manifests makes the install read more
    wrappers: tuple[tuple[str, tuple[str, ...]], ...] = ()  # executable -> files it needs (`./mvnw`: mvnw, .mvn)
    never_enough: str = ""             # why copying manifests alone can never be trusted (the fix stays unsafe)
    source: str = ""


class WorkspaceSpec(Record):
    """How a project declares members that a workspace install reads too."""
    declared_in: tuple[str, ...]       # files at the project root that may list members
    reader: str                        # the format of the list (build_context/workspaces.py has one reader each)
    member_files: tuple[str, ...]      # each member's manifests (those the member has are copied)
    root_files: tuple[str, ...] = ()   # copied with the members when present (the declaration, a shared lock)
    source: str = ""


_NODE_CONTENTS = ("package-scripts", "package-local-deps")
_NODE_OPTIONAL = (".npmrc",)

MANIFESTS: dict[str, ManifestSet] = {
    "pip": ManifestSet(copy=("requirements.txt",), required=("requirements.txt",), contents=("requirements",),
                       source="https://pip.pypa.io/en/stable/reference/requirements-file-format/"),
    "uv": ManifestSet(copy=("pyproject.toml", "uv.lock"), required=("pyproject.toml",),
                      optional=(".python-version", "uv.toml"), workspace="uv",
                      contents=("pyproject-paths", "requirements"),
                      source="https://docs.astral.sh/uv/guides/integration/docker/#intermediate-layers"),
    "poetry": ManifestSet(copy=("pyproject.toml", "poetry.lock"), required=("pyproject.toml",),
                          optional=("poetry.toml",), contents=("pyproject-paths",),
                          source="https://python-poetry.org/docs/faq/#poetry-busts-my-docker-cache-because-it-requires-me-to-copy-my-source-files-in-before-installing-3rd-party-dependencies"),
    "pipenv": ManifestSet(copy=("Pipfile", "Pipfile.lock"), required=("Pipfile",),
                          source="https://pipenv.pypa.io/en/latest/docker.html"),
    "pdm": ManifestSet(copy=("pyproject.toml", "pdm.lock"), required=("pyproject.toml",),
                       optional=("pdm.toml", ".pdm-python"), contents=("pyproject-paths",),
                       source="https://pdm-project.org/latest/usage/advanced/#use-pdm-in-a-multi-stage-dockerfile"),
    "npm": ManifestSet(copy=("package*.json",), required=("package.json",), optional=_NODE_OPTIONAL,
                       workspace="npm", contents=_NODE_CONTENTS,
                       source="https://docs.npmjs.com/cli/using-npm/workspaces"),
    "yarn": ManifestSet(copy=("package.json", "yarn.lock"), required=("package.json",),
                        optional=(".yarnrc", ".npmrc"), workspace="npm", contents=_NODE_CONTENTS,
                        source="https://classic.yarnpkg.com/en/docs/workspaces"),
    "yarn-berry": ManifestSet(copy=("package.json", "yarn.lock", ".yarnrc.ym[l]"), required=("package.json",),
                              workspace="npm", contents=_NODE_CONTENTS + ("yarnrc-yml",),
                              source="https://yarnpkg.com/features/workspaces"),
    # pnpm install reads package.json and the lock; `pnpm fetch` only the lock (below).
    "pnpm": ManifestSet(copy=("package.json", "pnpm-lock.yaml"), required=("package.json",),
                        optional=("pnpm-workspace.yaml", ".npmrc", ".pnpmfile.cjs"), workspace="pnpm",
                        contents=_NODE_CONTENTS, source="https://pnpm.io/docker"),
    "bun": ManifestSet(copy=("package.json", "bun.lock*"), required=("package.json",),
                       optional=("bunfig.toml", ".npmrc"), workspace="npm", contents=_NODE_CONTENTS,
                       source="https://bun.sh/docs/install/workspaces"),
    "bundler": ManifestSet(copy=("Gemfile", "Gemfile.lock"), required=("Gemfile",), contents=("gemfile-paths",),
                           source="https://bundler.io/guides/gemfile.html"),
    "composer": ManifestSet(copy=("composer.json", "composer.lock"), required=("composer.json",),
                            contents=("composer-scripts",), source="https://getcomposer.org/doc/articles/scripts.md"),
    "dotnet": ManifestSet(copy=("*.csproj",), never_enough="a .NET restore may read Directory.Build.props, "
                          "NuGet.config and project references outside these files",
                          source="https://learn.microsoft.com/en-us/dotnet/core/docker/build-container"),
    "go": ManifestSet(copy=("go.mod", "go.sum"), required=("go.mod",), workspace="go", contents=("go-replace",),
                      source="https://go.dev/ref/mod#go-mod-download"),
    # [inference] cargo refuses a manifest whose targets (src/main.rs, lib.rs) are missing, even to fetch.
    "cargo": ManifestSet(copy=("Cargo.toml", "Cargo.lock"), required=("Cargo.toml",), workspace="cargo",
                         never_enough="cargo also needs each target's source file (src/main.rs or src/lib.rs)",
                         source="https://doc.rust-lang.org/cargo/commands/cargo-fetch.html"),
    # `-f environment.yml`: the file is named on the command line.
    "conda": ManifestSet(copy=(), contents=("conda-env",), source="https://docs.conda.io/projects/conda/en/latest/user-guide/tasks/manage-environments.html#create-env-file-manually"),
    "mamba": ManifestSet(copy=(), contents=("conda-env",), source="https://mamba.readthedocs.io/en/latest/user_guide/mamba.html"),
    "micromamba": ManifestSet(copy=(), contents=("conda-env",), source="https://mamba.readthedocs.io/en/latest/user_guide/micromamba.html"),
    "gradle": ManifestSet(copy=("settings.gradle*", "build.gradle*"),
                          optional=("gradle.properties", "gradle", "buildSrc"),
                          workspace="gradle", wrappers=(("gradlew", ("gradlew", "gradle")),),
                          never_enough="Gradle build scripts are programs that may read any file",
                          source="https://docs.gradle.org/current/userguide/multi_project_builds.html"),
    "maven": ManifestSet(copy=("pom.xml",), required=("pom.xml",), optional=(".mvn",), workspace="maven",
                         wrappers=(("mvnw", ("mvnw", ".mvn")),),
                         source="https://maven.apache.org/guides/mini/guide-multiple-modules.html"),
}

# A subcommand that reads less than the manager's default set: (manager key, subcommand path).
SUBCOMMAND_MANIFESTS: dict[tuple[str, str], ManifestSet] = {
    # "pnpm fetch: package manifest is ignored" -- only the lock (and the workspace file) are read.
    ("pnpm", "fetch"): ManifestSet(copy=("pnpm-lock.yaml",), required=("pnpm-lock.yaml",),
                                   optional=("pnpm-workspace.yaml", ".npmrc"), source="https://pnpm.io/cli/fetch"),
}

WORKSPACES: dict[str, WorkspaceSpec] = {
    "npm": WorkspaceSpec(("package.json",), "package-json", ("package.json",),
                         source="https://docs.npmjs.com/cli/using-npm/workspaces"),
    "pnpm": WorkspaceSpec(("pnpm-workspace.yaml",), "pnpm-yaml", ("package.json",), ("pnpm-workspace.yaml",),
                          source="https://pnpm.io/pnpm-workspace_yaml"),
    "cargo": WorkspaceSpec(("Cargo.toml",), "cargo", ("Cargo.toml",),
                           source="https://doc.rust-lang.org/cargo/reference/workspaces.html"),
    "maven": WorkspaceSpec(("pom.xml",), "maven", ("pom.xml",),
                           source="https://maven.apache.org/guides/mini/guide-multiple-modules.html"),
    "gradle": WorkspaceSpec(("settings.gradle", "settings.gradle.kts"), "gradle", ("build.gradle", "build.gradle.kts"),
                            source="https://docs.gradle.org/current/userguide/multi_project_builds.html"),
    "go": WorkspaceSpec(("go.work",), "go-work", ("go.mod", "go.sum"), ("go.work", "go.work.sum"),
                        source="https://go.dev/ref/mod#workspaces"),
    "uv": WorkspaceSpec(("pyproject.toml",), "uv", ("pyproject.toml",),
                        source="https://docs.astral.sh/uv/concepts/projects/workspaces/"),
}

# Manifest contents that make an install read other files of the build context (then a manifest
# COPY is not enough). Each key has one reader in build_context/manifest_contents.py.
CONTENT_CHECKS: dict[str, str] = {
    "package-scripts": "package.json runs lifecycle scripts on install (preinstall, install, postinstall, prepare)",
    "package-local-deps": "package.json names local packages (file:, link:, portal:, patch: or patchedDependencies)",
    "yarnrc-yml": ".yarnrc.yml loads plugins",
    "requirements": "the requirements file installs local paths (-e, ./dir, file:)",
    "pyproject-paths": "pyproject.toml names path dependencies",
    "gemfile-paths": "the Gemfile names path: or gemspec dependencies",
    "composer-scripts": "composer.json runs scripts on install or names path repositories",
    "go-replace": "go.mod replaces a module with a local directory",
    "conda-env": "the environment file's pip section installs or includes local files",
}

# The files each content check reads, as base-name globs (a check runs on every copied file that matches).
CONTENT_CHECK_FILES: dict[str, tuple[str, ...]] = {
    "package-scripts": ("package.json",),
    "package-local-deps": ("package.json",),
    "yarnrc-yml": (".yarnrc.yml",),
    "requirements": ("*.txt", "*.in"),
    "pyproject-paths": ("pyproject.toml",),
    "gemfile-paths": ("Gemfile",),
    "composer-scripts": ("composer.json",),
    "go-replace": ("go.mod",),
    "conda-env": ("*.yml", "*.yaml"),
}

# Node lifecycle scripts an install runs for the root package.
NODE_INSTALL_SCRIPTS = ("preinstall", "install", "postinstall", "prepare", "preprepare", "postprepare",
                        "prepublish")
NODE_DEPENDENCY_FIELDS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies",
                          "overrides", "resolutions")
NODE_LOCAL_PROTOCOLS = ("file:", "link:", "portal:", "patch:")
COMPOSER_INSTALL_SCRIPTS = ("pre-install-cmd", "post-install-cmd", "pre-autoload-dump", "post-autoload-dump",
                            "post-root-package-install")

# Installs that never read the build context (global tools), besides OS package managers: after a
# broad COPY they only lose their cache on every source change. Their arguments must be names from
# a registry (no local path: LOCAL_SPEC_PREFIXES / LOCAL_SPEC_SUFFIXES).
CONTEXT_FREE_INSTALLS: dict[str, tuple[DepStep, ...]] = {
    "yarn": (DepStep("global add"),),
    "npm": (DepStep("install", require_any=("-g", "--global")),),
    "pnpm": (DepStep("add", require_any=("-g", "--global")),),
    "bun": (DepStep("add", require_any=("-g", "--global")), DepStep("install", require_any=("-g", "--global"))),
}
# Installs of registry packages by name that read nothing from the working directory (pip reads no
# ./pip.conf, gem no ./.gemrc): next to a dependency step in one RUN (`pip install -U pip && pip
# install -r requirements.txt`) they do not tie it to the build context. Not moved by themselves.
REGISTRY_ONLY_INSTALLS: dict[str, tuple[DepStep, ...]] = {
    "pip": (DepStep("install", forbid_any=("-r", "--requirement", "-c", "--constraint", "-e", "--editable",
                                           "-f", "--find-links", "--src", "--prefix", "-t", "--target")),),
    "gem": (DepStep("install", forbid_any=("-g", "--file", "--local", "-l")),),
}

# Config files those installs read from the working directory and its parents: moving the RUN above
# the COPY that brought them would change what it does.
CWD_CONFIG: dict[str, tuple[str, ...]] = {
    "yarn": (".yarnrc", ".npmrc", ".yarnrc.yml"),
    "npm": (".npmrc",),
    "pnpm": (".npmrc", "pnpm-workspace.yaml"),
    "bun": ("bunfig.toml", ".npmrc"),
}
LOCAL_SPEC_PREFIXES = ("./", "../", "/", "~", ".", "file:", "link:", "git+file:")
LOCAL_SPEC_SUFFIXES = (".deb", ".rpm", ".apk", ".tgz", ".tar.gz", ".whl", ".zip", ".gem")

# After the manager's dependency-only step ran before the broad COPY, these installs are the
# documented second step (they read the store that step filled): not reported by CM201.
INSTALLS_AFTER_PREFETCH: dict[str, tuple[DepStep, ...]] = {
    # pnpm.io/cli/fetch: `pnpm fetch` (lock only), `ADD . ./`, `pnpm install -r --offline`;
    # `--prefer-offline` reads the same store first.
    "pnpm": (DepStep("install", require_any=("--offline", "--prefer-offline")),),
}

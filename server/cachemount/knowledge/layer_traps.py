"""Layer-cache traps: network results a RUN keeps in a layer that BuildKit never re-runs because
the network changed (its key is the command text, the environment and the layers below). DATA
only, read by CM401 (rules/apt_update_alone.py) and CM402 (rules/unpinned_remote.py).

Sources: Docker's "Build cache invalidation" (https://docs.docker.com/build/cache/invalidation/:
"cache checking doesn't look at the files in the container ... just the command string") and the
best-practices page (https://docs.docker.com/build/building/best-practices/#apt-get: "always
combine RUN apt-get update with apt-get install in the same RUN statement").
"""
from __future__ import annotations

from ..records import Record


class IndexUpdate(Record):
    """How a package manager refreshes its package index, and whether an install run later reads
    an old index as it is (the trap) or refreshes a stale one by itself."""
    managers: tuple[str, ...]            # ManagerSpec keys sharing one index (apt-get and apt)
    subcommands: tuple[str, ...]         # the subcommands that only refresh the index
    updating_options: tuple[str, ...]    # options that make an install refresh the index first
    install_refreshes: bool              # True: an install refreshes an old index itself (no trap)
    index: str                           # what the index is, for messages
    why: str                             # the fact that decides `install_refreshes`, with its source


INDEX_UPDATES: tuple[IndexUpdate, ...] = (
    IndexUpdate(
        managers=("apt-get", "apt"),
        subcommands=("update",),
        # apt 3.0: `apt install --update` / `apt upgrade --update` run `update` first (apt(8)).
        updating_options=("--update",),
        install_refreshes=False,
        index="package lists",
        why="apt-get install never downloads lists: it reads /var/lib/apt/lists as the last `update` "
            "left them, and once the archive drops the versions they name, fails with 404 Not Found "
            "(Docker best practices, apt-get)",
    ),
    IndexUpdate(
        managers=("apk",),
        subcommands=("update",),
        updating_options=("-U", "--update-cache"),
        install_refreshes=True,
        index="APKINDEX",
        why="apk add re-fetches a repository index older than --cache-max-age (4 h by default; "
            "apk-tools database.c, v2.10 and later)",
    ),
    IndexUpdate(
        managers=("dnf", "dnf5", "yum", "microdnf", "tdnf"),
        subcommands=("makecache",),
        updating_options=("--refresh",),
        install_refreshes=True,
        index="repository metadata",
        why="dnf, yum, microdnf and tdnf check metadata_expire before an install and refresh older "
            "metadata (dnf.conf(5): 48 h by default; yum.conf(5): 6 h)",
    ),
    IndexUpdate(
        managers=("zypper",),
        subcommands=("refresh",),
        updating_options=("--refresh",),
        install_refreshes=True,
        index="repository metadata",
        # [inference] the openSUSE and SLE BCI images' repos have autorefresh on; were one off, the
        # trap would go unreported (a missed finding, never a false one).
        why="zypper refreshes repositories with autorefresh on before it installs (zypper(8))",
    ),
)


# --- CM402: remote content fetched inside a RUN ----------------------------------------------

# Path segments (and archive names: `main.tar.gz`, `latest.zip`) and query values that name
# something that moves: a branch, "the newest release". Compared case-insensitively, whole
# segment only: `latest-v20.x` or `tool-latest.tgz` are not matched (fewer false positives).
MOVING_NAMES = frozenset({"latest", "master", "main", "head", "nightly", "develop", "trunk"})

# Branch names a `git clone --branch` / `git checkout` may name that move. `git clone --branch`
# takes a branch or a tag; any other name is taken for a tag or a release branch: quiet. A ref's
# last component is compared, so `origin/main` and `refs/heads/master` move too.
MOVING_BRANCHES = MOVING_NAMES | {"development", "dev"}

# Where a moving name is a Debian/Ubuntu archive component, not a branch: path prefixes (fnmatch,
# lower-cased, up to and including the segment) of the archive layout (`pool/main/d/...`,
# `dists/bookworm/main/binary-amd64/Packages`; https://wiki.debian.org/DebianRepository/Format).
NOT_MOVING_PATHS = ("*/pool/main", "*/dists/*/main")

# An installer fetched from a moving URL and piped into a shell that is told which version to install
# (`wget -O- .../master/install.sh | sh -s v1.55.2`, golangci-lint's documented install): the
# version is pinned by the argument, so it is not reported. An argument after `-s` matching this
# (or an unknown variable) counts as a version.
INSTALLER_VERSION_ARG = r"v?\d+(\.\d+)+([-+.~][0-9A-Za-z.]+)?"

# Suffixes stripped from a segment before comparing it (`archive/refs/heads/main.tar.gz`).
ARCHIVE_SUFFIXES = (".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tgz", ".tbz2", ".txz", ".zip", ".tar")

# URLs an HTTP client fetches.
URL_SCHEMES = ("http://", "https://", "ftp://")

# Commands that download the URLs among their arguments (curl and wget; aria2c the same way).
FETCHERS = frozenset({"curl", "wget", "aria2c"})

# Repository addresses `git clone` fetches over the network (scp-like `git@host:path` too).
GIT_REMOTE_PREFIXES = ("http://", "https://", "git://", "ssh://", "git@")

# git's global options that take a value (`git -C dir clone ...`).
GIT_GLOBAL_OPTIONS_WITH_VALUE = frozenset({"-C", "-c", "--git-dir", "--work-tree", "--namespace",
                                           "--exec-path", "--config-env"})

# `git clone` options that take a value (git-clone(1)); the ones that pin what is checked out.
GIT_CLONE_OPTIONS_WITH_VALUE = frozenset({
    "-b", "--branch", "-o", "--origin", "--depth", "-c", "--config", "--reference", "--reference-if-able",
    "--separate-git-dir", "-u", "--upload-pack", "--template", "--shallow-since", "--shallow-exclude",
    "-j", "--jobs", "--filter", "--revision", "--server-option", "--bundle-uri", "--ref-format",
})
GIT_CLONE_REF_OPTIONS = ("-b", "--branch", "--revision")

# Later commands of the same RUN that move a clone to a ref: `git checkout <ref>`, `git switch
# --detach <ref>`, `git reset --hard <ref>`, with their options that take a value (not the ref).
GIT_PIN_SUBCOMMANDS: dict[str, frozenset[str]] = {
    "checkout": frozenset({"-b", "-B", "--orphan", "--conflict", "--pathspec-from-file"}),
    "switch": frozenset({"-c", "-C", "--create", "--force-create", "--orphan", "--conflict"}),
    "reset": frozenset({"--pathspec-from-file"}),
}

# A ref that names a branch whatever its name (`refs/heads/release-2`): it moves.
BRANCH_REF_PREFIXES = ("refs/heads/",)

# A URL path part whose segment (group 1) is a branch whatever its name: GitHub's branch archives
# (`/archive/refs/heads/<branch>.tar.gz`, codeload's `/tar.gz/refs/heads/<branch>`). Searched once,
# case-insensitively; a segment holding an unexpanded `$` is not judged.
MOVING_PATH_SEGMENT = r"/refs/heads/([^/$]+)(?=/|$)"


# --- CM402: package managers that install straight from a repository or a URL -------------------

class RemoteInstall(Record):
    """A package-manager command that fetches what a package argument names; when the argument is a
    repository or a URL (or, for Go, a module query) it may name something that moves. `grammar`
    says how an argument names it: 'go' (`module@query`), 'pip' (pip's VCS URLs and PEP 508 direct
    references), 'npm' (npm-package-arg's git specs) or 'cargo' (`--git URL` with ref options)."""
    grammar: str
    subcommands: tuple[str, ...]        # the subcommand paths (as invocations name them) that fetch
    managers: tuple[str, ...] = ()      # ManagerSpec keys (knowledge/managers.py) of the invocation
    executables: tuple[str, ...] = ()   # or commands no ManagerSpec knows, matched by name (pipx)
    options_with_value: tuple[str, ...] = ()   # for `executables`: options whose value is no package
    spec_options: tuple[str, ...] = ()  # options whose value is a package argument too (`pip install -e`)
    first_only: bool = False            # only the first argument names a package (`go run mod@latest args`)
    source: str = ""


REMOTE_INSTALLS: tuple[RemoteInstall, ...] = (
    RemoteInstall(
        grammar="go", managers=("go",), subcommands=("install", "get"),
        source="https://go.dev/ref/mod#version-queries (`@latest`, `@upgrade`, `@patch`, a branch name, "
               "a version prefix: resolved at the time the command runs)",
    ),
    RemoteInstall(
        grammar="go", managers=("go",), subcommands=("run",), first_only=True,
        source="https://pkg.go.dev/cmd/go#hdr-Compile_and_run_Go_program (`go run pkg@version args`)",
    ),
    RemoteInstall(
        grammar="pip", managers=("pip",), subcommands=("install", "download", "wheel"),
        spec_options=("-e", "--editable"),
        source="https://pip.pypa.io/en/stable/topics/vcs-support/ (`git+https://...@<ref>`; no ref: the "
               "default branch)",
    ),
    RemoteInstall(
        grammar="pip", managers=("uv",), subcommands=("pip install", "tool install"),
        spec_options=("-e", "--editable", "--with", "-w", "--with-editable", "--from"),
        source="https://docs.astral.sh/uv/concepts/projects/dependencies/#git",
    ),
    RemoteInstall(
        grammar="pip", managers=("uv",), subcommands=("tool run",), first_only=True,
        spec_options=("--from", "--with", "-w", "--with-editable"),
        source="https://docs.astral.sh/uv/guides/tools/ (`uvx --from git+https://...@master tool`)",
    ),
    RemoteInstall(
        grammar="pip", executables=("pipx",), subcommands=("install", "inject"),
        options_with_value=("--suffix", "--python", "--preinstall", "--index-url", "-i", "--pip-args",
                            "--spec", "--backend", "-r", "--requirement"),
        spec_options=("--spec",),
        source="https://pipx.pypa.io/stable/docs/ (pipx install/inject take pip requirement specifiers)",
    ),
    RemoteInstall(
        grammar="pip", executables=("pipx",), subcommands=("run",), first_only=True,
        options_with_value=("--spec", "--python", "--index-url", "-i", "--pip-args", "--backend"),
        spec_options=("--spec",),
        source="https://pipx.pypa.io/stable/docs/ (`pipx run --spec SPEC app args`)",
    ),
    RemoteInstall(
        grammar="npm", managers=("npm",), subcommands=("install",),
        source="https://docs.npmjs.com/cli/commands/npm-install (`<githubname>/<githubrepo>[#<commit-ish>]`, "
               "`github:`, `git+https://...#<commit-ish>`; no commit-ish: the default branch)",
    ),
    RemoteInstall(
        grammar="npm", managers=("yarn", "yarn-berry"), subcommands=("add", "global add"),
        source="https://classic.yarnpkg.com/en/docs/cli/add; https://yarnpkg.com/protocol/git "
               "(`#commit=`, `#tag=`, `#head=<branch>`)",
    ),
    RemoteInstall(
        grammar="npm", managers=("pnpm",), subcommands=("add",),
        source="https://pnpm.io/cli/add (`pnpm add <user>/<repo>[#<ref>]`, `github:`, `git+https://`)",
    ),
    RemoteInstall(
        grammar="cargo", managers=("cargo",), subcommands=("install",),
        source="https://doc.rust-lang.org/cargo/commands/cargo-install.html (`--git URL` with `--tag`, "
               "`--rev` or `--branch`; none: the default branch)",
    ),
)

# Go version queries that resolve to whatever is newest when the command runs (go.dev/ref/mod:
# `latest`, `upgrade`, `patch`, and a branch name such as `master`). A full semantic version (a
# pseudo-version is one) is pinned; a version prefix (`@v1`, `@v1.2`) or a comparison (`@<v1.5`)
# resolves to the newest match, so it moves; a commit hash or any other name is taken as pinned.
GO_MOVING_QUERIES = MOVING_BRANCHES | {"upgrade", "patch"}
GO_MOVING_VERSION = r"v\d+(\.\d+)?|[<>]=?\S*"

# pip: the VCS prefix of a requirement that names a repository (`git+https://host/org/repo@ref`),
# and a PEP 508 direct reference (`name[extra] @ <url>`) in front of a URL.
PIP_VCS_PREFIXES = ("git+",)
PEP508_DIRECT_REFERENCE = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\s*(?:\[[^\]]*\])?\s*@\s*"

# npm-package-arg: specs that name a git repository (`github:org/repo`, `git+ssh://...`), the
# GitHub shorthand `org/repo` (not `./dir`, `~/dir`, `/dir`, `@scope/name`, nor a tarball file), an
# alias `name@<spec>` in front of one, and the http(s) hosts whose `https://host/org/repo` is a
# repository rather than a tarball. A `#fragment` names the ref: `semver:<range>` picks a tag; Yarn's
# `commit=`, `tag=`, `semver=` pin, its `head=<branch>` names a branch.
NPM_GIT_PREFIXES = ("github:", "gitlab:", "bitbucket:", "gist:", "git+http://", "git+https://", "git+ssh://",
                    "git://")
NPM_GITHUB_SHORTHAND = r"[^@%/\s.~$-][^:@%/\s]*/[^:@%/\s#]+(?:#.*)?"
NPM_ALIAS = r"(?:@[^/@\s]+/)?[^/@\s:#]+@"
NPM_HOSTED_GIT_HOSTS = ("github.com", "gitlab.com", "bitbucket.org")
NPM_SEMVER_REF = "semver:"
NPM_PINNING_KEYS = ("commit", "tag", "semver")
NPM_BRANCH_KEYS = ("head",)

# cargo install: the option naming a repository, the options that pin it, the one naming a branch
# (a branch moves whatever its name).
CARGO_GIT_OPTION = "--git"
CARGO_PIN_OPTIONS = ("--tag", "--rev")
CARGO_BRANCH_OPTION = "--branch"

"""Types of the knowledge tables. Data only: no function here decides anything.

Path templates (used in `CacheSpec.locations` and elsewhere):
- `${VAR}` is an environment variable in force for the RUN (ENV, ARG, `export`, `VAR=x cmd`);
- `${HOME}` is `$HOME` if set in the environment, else the effective user's passwd home;
- `~` at the start is the passwd home only (JVM tools read `user.home`, not `$HOME`);
A location applies when every variable in it is known; the first applicable one wins.
"""
from __future__ import annotations

from ..records import Record


class Location(Record):
    template: str
    when: str | None = None  # None, 'root' or 'nonroot': only for that kind of effective user
    list_sep: str | None = None  # the variable holds a list (CONDA_PKGS_DIRS `a,b`, GOPATH `a:b`): first entry


class CacheSpec(Record):
    key: str                                # stable id for the cache, e.g. 'pip', 'apt-archives'
    purpose: str                            # what lives there, for messages and hover
    locations: tuple[Location, ...]         # precedence order
    cli_options: tuple[str, ...] = ()       # command-line options that set the dir (`--cache-dir`)
    sharing: str | None = None              # 'locked' where the tool needs exclusive access
    id: str | None = None                   # a stable `id=` to suggest (e.g. pnpm docs use id=pnpm)
    subcommands: tuple[str, ...] = ()       # only needed by these subcommands (empty: all downloads)
    also_with_options: tuple[str, ...] = ()  # ...or by any subcommand given one of these options
                                            # (apt 3 `install --update` refreshes the lists too)
    accepted_subdirs: tuple[str, ...] = ()  # mounts on these subdirs also count as covering it
    never_mount: tuple[str, ...] = ()       # subpaths that must never be a cache mount (install dests)
    equivalents: tuple[str, ...] = ()       # path templates that also count as covering it while the fix suggests
                                            # `locations` (the gradle image's /home/gradle/.gradle symlink target)
    versions: tuple[tuple[str, str], ...] = ()  # (path template, which versions) when the tool's version moves the
                                            # dir (dnf 4 /var/cache/dnf, dnf 5 /var/cache/libdnf5): unless the base
                                            # image decides the version (images.MANAGERS_ON_IMAGES), the dir is
                                            # unknown, a mount on any of them counts, and no fix guesses one
    read_by: tuple[str, ...] = ()           # subcommands that read what it holds (apt's lists: the installs); a
                                            # RUN that runs none of them only refreshes it for LATER RUNs, which
                                            # read it from the layer: a mount there would hide it from them
    minor: bool = False                     # when this is the only cache of the manager left without a mount
                                            # (its main cache is mounted), the CM101 finding is information


class OptionDefeat(Record):
    """A command-line option that makes the tool ignore its cache."""
    option: str                 # '--no-cache-dir'
    reason: str
    prefix_ok: bool = False     # argparse-style abbreviations are accepted (pip: `--no-cache`)
    subcommands: tuple[str, ...] = ()  # empty: any subcommand
    replacement: tuple[str, ...] = ()  # what a fix writes in its place, the part of its meaning the mount must keep
                                       # (apk `--no-cache` always fetched fresh indexes: `--update-cache`); any of
                                       # these already on the command: the option is just removed (read by
                                       # semantics.invocations into Invocation.replacements; fixing/defeats.py)


class EnvDefeat(Record):
    """An environment variable that turns the cache off."""
    name: str
    when: str                   # 'any' (any non-empty value), 'truthy' (1/true/yes/on) or 'device' (a path under
                                # /dev such as /dev/null: COMPOSER_CACHE_DIR=/dev/null is Composer's --no-cache);
                                # semantics.invocations.env_defeat_applies decides
    reason: str


class DepStep(Record):
    """An install that needs only manifest files (a CM201 candidate).

    Matches subcommand `subcommand` when at least one of `require_any` is among the args (if given),
    none of `forbid_any` is, and (if `no_positionals`) no positional package argument is given."""
    subcommand: str
    require_any: tuple[str, ...] = ()
    forbid_any: tuple[str, ...] = ()
    no_positionals: bool = False


class ManagerSpec(Record):
    key: str                                   # 'pip'
    display: str                               # 'pip'
    executables: tuple[str, ...]               # basenames, fnmatch patterns allowed: 'pip3.*'
    download: tuple[str, ...]                  # subcommand paths that download/build deps: 'install', 'mod download'
    caches: tuple[CacheSpec, ...]
    source: str                                # URL of the fact's source
    python_modules: tuple[str, ...] = ()       # `python -m <module>` spellings
    global_options_with_value: tuple[str, ...] = ()  # options before the subcommand that take a value
    default_subcommand: str | None = None      # bare `yarn` means `yarn install`
    consume: tuple[str, ...] = ()              # subcommands that read the cache without downloading
    consume_when_flags: tuple[str, ...] = ()   # flags that turn a download subcommand into a consumer (`--no-restore`)
    no_download_flags: tuple[str, ...] = ()    # flags that mean nothing is downloaded (`--offline`)
    option_defeats: tuple[OptionDefeat, ...] = ()
    env_defeats: tuple[EnvDefeat, ...] = ()
    clean_subcommands: tuple[str, ...] = ()    # subcommands that wipe the cache: 'cache purge'
    prerequisites: tuple[str, ...] = ()        # keys into PREREQUISITES
    dep_steps: tuple[DepStep, ...] = ()        # manifest-only installs (CM201)
    second_steps: tuple[DepStep, ...] = ()     # legitimate steps after the full copy (reference §B.0)
    copy_manifests: tuple[str, ...] = ()       # files the CM201 fix copies before the install (present in
                                               # every project of this manager; globs allowed)
    manifest_options: tuple[str, ...] = ()     # options whose value names a manifest (`-r`, `--file`)
    prefetch: str | None = None                # dependency-only command for a CM201 build hint (`go mod download`)
    prefetch_carries: tuple[tuple[str, bool], ...] = ()  # (option, takes a value) of the build step the prefetch
                                               # repeats: what it selects (`--only main`), or the prefetch would
                                               # install more (dev groups) and `install` never removes it
    build_steps: tuple[str, ...] = ()          # subcommands that build the project and fetch deps on the way
                                               # (`go build`, `cargo build`): CM201 hints when no dep step ran first
    fix_env: tuple[tuple[str, str], ...] = ()  # ENV the fix should ensure, e.g. UV_LINK_MODE=copy
    build_reads_cache: bool = False            # `build_steps` read the packages from the cache dir itself (Go
                                               # modules, ~/.m2, ~/.nuget/packages), not from what the dependency
                                               # step installed: a mount on that step takes them out of the image
    fix_env_unless: tuple[tuple[str, str], ...] = ()  # (VAR, regex): `fix_env` is pointless when VAR's value
                                               # fully matches (POETRY_VIRTUALENVS_CREATE=false: no virtualenv)
    fix_env_unsafe: str | None = None          # why adding `fix_env` changes the image (Poetry's virtualenv moves
                                               # into the project): a fix that adds it is unsafe
    os_package_manager: bool = False           # apt/apk/dnf/...: root-only system caches
    aliases: tuple[tuple[str, str], ...] = ()  # subcommand word aliases -> canonical word (('i', 'install'))
    options_with_value: tuple[str, ...] = ()   # options (any position) whose value is the next word (`-r x`)
    executable_subcommands: tuple[tuple[str, str], ...] = ()  # executable -> implied subcommand (('uvx', 'tool run'))
    selected_by: tuple[str, ...] = ()          # when managers share an executable (yarn / yarn berry): this one is
                                               # chosen only if one of these options/words (or `name@version`
                                               # fnmatch patterns via corepack) appears; the one without wins otherwise
    launched_by: tuple[str, ...] = ()          # interpreters that run it as a script (`php composer.phar install`)
    local_only_positionals: tuple[str, ...] = ()  # fnmatch patterns: when every positional matches (and no
                                               # manifest option is given) the install downloads nothing
    config_commands: tuple[tuple[str, str, str], ...] = ()  # (subcommand, config key, cache key): commands
                                               # that move a cache persistently (`pnpm config set store-dir X`)
    local_project_subcommands: tuple[str, ...] = ()  # installs that may name a local project (`pip install .`)...
    local_project_args: tuple[str, ...] = ()   # ...when every package argument (positionals and values of
                                               # `editable_options`) matches one of these fnmatch patterns and no
                                               # manifest option is given: the step installs the project itself,
                                               # whose dependencies are often in the image already (information)
    editable_options: tuple[str, ...] = ()     # options whose value is a package argument (`-e DIR`)


class Prerequisite(Record):
    """Something the image must have for a cache mount to keep anything (apt docker-clean etc.)."""
    key: str
    description: str
    applies_to_bases: tuple[str, ...]          # base image name patterns it applies to ('debian*', 'ubuntu*')
    satisfied_by: tuple[str, ...]              # regexes over RUN shell text that satisfy it
    fix_command: str                           # shell command the fix inserts once per stage
    source: str


class ImageDefaults(Record):
    """What an official image sets that decides users, homes and cache dirs."""
    patterns: tuple[str, ...]                  # image name patterns ('python', 'python:*', 'library/python')
    env: tuple[tuple[str, str], ...] = ()
    user: str | None = None                    # default USER if not root
    users: tuple[tuple[str, int, int, str], ...] = ()  # (name, uid, gid, home) known in /etc/passwd
    os_family: str | None = None               # 'debian', 'ubuntu', 'alpine', 'fedora', 'rhel', 'suse', 'windows',
                                               # 'azurelinux', 'wolfi', 'photon'
    source: str = ""


class ManagerOnImage(Record):
    """Which manager an executable really is on a base image (`yum` is dnf on EL8 and later, `dnf` is
    dnf5 on Fedora 41 and later): the image decides the version, so the cache dir is known. Matches when
    the image ref matches one of `images` (fnmatch over the name, or over `name:tag` when the pattern holds
    a `:`), or its OS family is one of `families` and its tag matches one of `tags` (any tag if empty).
    An entry with neither `images` nor `families` holds on every base, known or not (`dnf-3` is dnf 4).
    Read by cachemount.semantics.invocations.recognize (the RUN's base image)."""
    executable: str                            # basename as run: 'yum'
    manager: str                               # key in managers.BY_KEY: 'dnf'
    images: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    source: str = ""

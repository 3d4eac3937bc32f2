"""`RUN` flags and `--mount` options: what BuildKit accepts, per mount type, with defaults, the
Dockerfile frontend version that introduced each, and a short explanation for hover, completion,
rule CM301 and the docs. DATA only (reference: cache-knowledge.md §C, BuildKit's Dockerfile
reference and its mount parser).

Vocabulary:
- a mount *type* accepts a key when BuildKit uses it for that type; it *ignores* a key it parses
  but never uses (no error, no effect); it *rejects* a key with a build error. For every option,
  `accepted_by + ignored_by + rejected_by` is exactly `MOUNT_TYPES`.
- `kind` is the value syntax: 'enum' (one of `values`), 'octal' (Go ParseUint base 8, 32 bits),
  'uint' (base 10, 32 bits), 'bool' (Go ParseBool, see `BOOL_VALUES`), 'path', 'size' (docker
  go-units RAMInBytes, see `SIZE_PATTERN`), 'ref' (a stage, named context or image), 'string'.
- `since` is the minimum `# syntax=docker/dockerfile:<version>` frontend.
"""
from __future__ import annotations

from ..records import Record

REFERENCE_URL = "https://docs.docker.com/reference/dockerfile/"
MOUNT_URL = REFERENCE_URL + "#run---mount"
TYPE_URLS = {
    "bind": REFERENCE_URL + "#run---mounttypebind",
    "cache": REFERENCE_URL + "#run---mounttypecache",
    "tmpfs": REFERENCE_URL + "#run---mounttypetmpfs",
    "secret": REFERENCE_URL + "#run---mounttypesecret",
    "ssh": REFERENCE_URL + "#run---mounttypessh",
}
NETWORK_URL = REFERENCE_URL + "#run---network"
SECURITY_URL = REFERENCE_URL + "#run---security"
DEVICE_URL = REFERENCE_URL + "#run---device"

MOUNT_TYPES = ("bind", "cache", "tmpfs", "secret", "ssh")
DEFAULT_TYPE = "bind"

# Go strconv.ParseBool.
BOOL_VALUES = ("1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False")
TRUE_VALUES = ("1", "t", "T", "TRUE", "true", "True")
# docker/go-units RAMInBytes (binary multiples: 1k = 1024).
SIZE_PATTERN = r"^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$"
SIZE_UNITS = (("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("t", 1 << 40), ("p", 1 << 50))
UINT32_MAX = 2**32 - 1
# Keys written without `=value` (all others need one).
BARE_KEYS = ("ro", "readonly", "rw", "readwrite", "required")
# Only `from` is not expanded (a `$` in it is an error: define an alias stage instead).
NO_EXPANSION_KEYS = ("from",)
EXPANSION_SINCE = "1.3"
BARE_REQUIRED_SINCE = "1.3.1"   # a bare `required` (without =true) parses correctly from here


class ValueDoc(Record):
    value: str
    doc: str                       # markdown, one or two sentences


class OptionSpec(Record):
    key: str                                   # canonical key
    aliases: tuple[str, ...]
    accepted_by: tuple[str, ...]               # types that use it
    ignored_by: tuple[str, ...]                # types that parse it and do nothing with it
    rejected_by: tuple[str, ...]               # types that fail the build on it
    kind: str
    doc: str                                   # markdown
    defaults: tuple[tuple[str, str], ...] = ()  # (type, default in markdown)
    values: tuple[ValueDoc, ...] = ()          # for kind 'enum' (and notable values of others)
    required_by: tuple[str, ...] = ()          # types that need it
    bare: bool = False                         # may be written without `=value`
    since: str = "1.2"
    url: str = MOUNT_URL
    per_type: tuple[tuple[str, str], ...] = ()  # (type, what it means for that type) in markdown

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.key,) + self.aliases


class TypeSpec(Record):
    name: str
    doc: str                                   # markdown
    read_only_default: bool
    required_keys: tuple[str, ...]
    since: str
    url: str
    short: str = ""                            # what it is in a few words, for the list of types


class FlagSpec(Record):
    name: str                                  # without dashes: 'mount'
    doc: str                                   # markdown
    since: str
    url: str
    values: tuple[ValueDoc, ...] = ()          # enum values ('network', 'security')
    default: str | None = None
    value_hint: str = ""                       # what follows `=` when not an enum
    stable: bool = True                        # False: only in the `-labs` frontend


MOUNT_TYPE_DOCS: dict[str, TypeSpec] = {t.name: t for t in (
    TypeSpec(
        "bind",
        "Mounts a directory or file from the build context, another stage or an image, for this "
        "`RUN` only. Read-only by default; with `rw` writes are allowed but thrown away after the "
        "step. The default when `type` is omitted. A bind mount of manifest files can replace "
        "`COPY` of them before an install.",
        True, (), "1.2", TYPE_URLS["bind"],
        short="files from the build context, a stage or an image (read-only)"),
    TypeSpec(
        "cache",
        "A directory that survives from one build to the next on the same builder, for package "
        "managers and compilers. Not written into the image, not part of the step's cache key; "
        "BuildKit may garbage-collect it, so the build must work when it is empty. A new cache dir "
        "is root's (mode `0755`) unless `uid`/`gid`/`mode` say otherwise.",
        False, (), "1.2", TYPE_URLS["cache"],
        short="a directory kept between builds, for package managers and compilers"),
    TypeSpec(
        "tmpfs",
        "An in-memory filesystem at `target` for this `RUN` only; nothing written there reaches "
        "the image. `size` caps it (Dockerfile 1.4+).",
        False, (), "1.2", TYPE_URLS["tmpfs"],
        short="an in-memory filesystem for this `RUN` only"),
    TypeSpec(
        "secret",
        "Gives this `RUN` access to a secret (a file at `/run/secrets/<id>` by default, or an "
        "environment variable with `env`) without baking it into the image or the build cache. "
        "Pass it with `docker buildx build --secret id=<id>,src=<file>` (or `--secret id=<ENV>`). "
        "A missing secret is skipped silently unless `required` is set.",
        True, (), "1.2", TYPE_URLS["secret"],
        short="a secret as a file or variable, kept out of the image"),
    TypeSpec(
        "ssh",
        "Gives this `RUN` access to an SSH agent socket or keys forwarded by the client (`docker "
        "buildx build --ssh default=$SSH_AUTH_SOCK`) to clone private repositories, for example. "
        "`SSH_AUTH_SOCK` is set to the first ssh mount's target unless already set.",
        True, (), "1.2", TYPE_URLS["ssh"],
        short="the client's SSH agent, e.g. to clone private repositories"),
)}


_ALL = MOUNT_TYPES

MOUNT_OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec(
        "type", (), _ALL, (), (), "enum",
        "The mount type; `bind` when omitted. The value is case-insensitive.",
        defaults=tuple((t, "`bind`") for t in _ALL),
        values=tuple(ValueDoc(t.name, t.doc) for t in MOUNT_TYPE_DOCS.values()),
    ),
    OptionSpec(
        "target", ("dst", "destination"), _ALL, (), (), "path",
        "Mount path inside the container; a relative one is joined to `WORKDIR`; `/` is rejected.",
        defaults=(("bind", "the working directory"), ("cache", "the working directory"),
                  ("tmpfs", "the working directory"),
                  ("secret", "`/run/secrets/<id>` (only when `env` is not set)"),
                  ("ssh", "`/run/buildkit/ssh_agent.<N>`")),
        per_type=(
            ("cache", "Put it where the package manager caches **for the user and environment of this "
                      "`RUN`** (`USER`, `HOME`, `XDG_CACHE_HOME`, ...), or the cache is never used. It is "
                      "also the default `id`."),
            ("bind", "Without it the source is mounted over the working directory (`RUN --mount=from=build` "
                     "with `WORKDIR /work`)."),
            ("secret", "The file the secret appears as."),
            ("ssh", "The path of the agent socket."),
        ),
    ),
    OptionSpec(
        "source", ("src",), ("bind", "cache", "secret"), ("tmpfs",), ("ssh",), "path",
        "Path inside `from` to mount.",
        defaults=(("bind", "the root of `from`"), ("cache", "the root of `from`")),
        per_type=(
            ("bind", "Path inside `from` (the build context by default) to mount."),
            ("cache", "Subpath of `from` used as the cache's initial content."),
            ("secret", "Accepted as another spelling of the secret `id` (undocumented); it cannot be "
                       "combined with `id`."),
        ),
    ),
    OptionSpec(
        "from", (), ("bind", "cache"), ("tmpfs", "ssh"), ("secret",), "ref",
        "A build stage, named build context or image used as the root of `source`. Not expanded: a "
        "`$` in it is an error (define an alias stage instead). A stage must be defined before it "
        "is used.",
        defaults=(("bind", "the build context"), ("cache", "an empty directory")),
        per_type=(
            ("bind", "Stage, named context or image to mount from, e.g. "
                     "`from=ghcr.io/astral-sh/uv,source=/uv,target=/bin/uv`."),
            ("cache", "Stage, named context or image whose `source` becomes the **initial content** "
                      "of a new cache."),
        ),
    ),
    OptionSpec(
        "id", (), ("cache", "secret", "ssh"), ("bind", "tmpfs"), (), "string",
        "Identity of the cache, secret or SSH key.",
        defaults=(("cache", "the `target` as written (after path cleaning, before `WORKDIR` is applied)"),
                  ("secret", "the basename of `target`"), ("ssh", "`default`")),
        per_type=(
            ("cache", "Mounts with the same `id` share one cache, across stages and Dockerfiles on the "
                      "same builder (prefixed by the `BUILDKIT_CACHE_MOUNT_NS` build arg)."),
            ("secret", "The secret's ID, as given to `docker buildx build --secret id=...`."),
            ("ssh", "The SSH agent socket or key ID, as given to `docker buildx build --ssh <id>=...`."),
        ),
    ),
    OptionSpec(
        "sharing", (), ("cache",), (), ("bind", "tmpfs", "secret", "ssh"), "enum",
        "How concurrent builds on one builder use the same cache (the value is case-insensitive).",
        defaults=(("cache", "`shared`"),),
        # BuildKit's reference and solver/llbsolver/mounts: `shared` hands every build the one cache;
        # `locked` polls until it is free; `private` reuses a free copy or makes a new one
        # (empty, or seeded from `from`). Which tools want `locked`: managers.py (CacheSpec.sharing).
        values=(
            ValueDoc("shared", "All builds use the one cache at the same time. Fine for tools made for "
                               "concurrent writers (pip, npm, Go)."),
            ValueDoc("private", "A build that finds the cache in use gets a new copy of its own (empty, or "
                                "`from`'s content): no waiting, but no sharing with that build."),
            ValueDoc("locked", "One writer at a time: a second writer waits until the first releases the "
                               "cache. For tools that need exclusive access or whose locks do not work "
                               "across containers: apt, dnf/yum/zypper, Gradle, sccache."),
        ),
    ),
    OptionSpec(
        "mode", (), ("cache", "secret", "ssh"), (), ("bind", "tmpfs"), "octal",
        "Octal file mode (Go `ParseUint` base 8, so `0755` or `755`; not `0o755`).",
        defaults=(("cache", "`0755`"), ("secret", "`0400`"), ("ssh", "`0600`")),
        per_type=(
            ("cache", "Mode of a **newly created** cache dir; an existing cache keeps its mode. Like "
                      "`uid`/`gid` it changes the cache's identity (moby/buildkit#3041): use the same "
                      "value on every mount of this cache."),
            ("secret", "Mode of the secret file."),
            ("ssh", "Mode of the agent socket."),
        ),
    ),
    OptionSpec(
        "uid", (), ("cache", "secret", "ssh"), (), ("bind", "tmpfs"), "uint",
        "Numeric user ID of the owner (a user name is an error).",
        defaults=(("cache", "`0`"), ("secret", "`0`"), ("ssh", "`0`")),
        per_type=(
            ("cache", "Owner of a **newly created** cache dir. Without it the dir is root's (mode "
                      "`0755`), so a `RUN` under a non-root `USER` cannot write to it: pip turns its "
                      "cache off, Yarn 1 falls back to /tmp, npm fails. It changes the cache's identity "
                      "(moby/buildkit#3041): use the same value on every mount."),
            ("secret", "Owner of the secret file."),
            ("ssh", "Owner of the agent socket."),
        ),
    ),
    OptionSpec(
        "gid", (), ("cache", "secret", "ssh"), (), ("bind", "tmpfs"), "uint",
        "Numeric group ID of the owner (a group name is an error).",
        defaults=(("cache", "`0`"), ("secret", "`0`"), ("ssh", "`0`")),
        per_type=(
            ("cache", "Group of a **newly created** cache dir (see `uid`)."),
            ("secret", "Group of the secret file."),
            ("ssh", "Group of the agent socket."),
        ),
    ),
    OptionSpec(
        "ro", ("readonly",), _ALL, (), (), "bool",
        "Read-only mount. May be written bare (`ro`) or with a boolean (`ro=true`).",
        defaults=(("bind", "read-only"), ("cache", "writable"), ("tmpfs", "writable"),
                  ("secret", "read-only"), ("ssh", "read-only")),
        bare=True,
    ),
    OptionSpec(
        "rw", ("readwrite",), _ALL, (), (), "bool",
        "Writable mount. May be written bare (`rw`) or with a boolean (`rw=true`).",
        defaults=(("bind", "read-only"), ("cache", "writable"), ("tmpfs", "writable"),
                  ("secret", "read-only"), ("ssh", "read-only")),
        bare=True,
        per_type=(
            ("bind", "Writes are allowed but **discarded** after this `RUN`; they never reach the image."),
        ),
    ),
    OptionSpec(
        "required", (), ("secret", "ssh"), (), ("bind", "cache", "tmpfs"), "bool",
        "Fail the build when the secret or SSH key is not provided (otherwise the mount is skipped "
        "silently). May be written bare (`required`, correctly parsed since Dockerfile 1.3.1).",
        defaults=(("secret", "`false`"), ("ssh", "`false`")),
        bare=True,
    ),
    OptionSpec(
        "size", (), ("tmpfs",), (), ("bind", "cache", "secret", "ssh"), "size",
        "Upper limit on the tmpfs size, with docker units (binary multiples): `64m`, `1g`, `512k`.",
        defaults=(("tmpfs", "no explicit limit (the kernel's tmpfs default)"),),
        since="1.4",
    ),
    OptionSpec(
        "env", (), ("secret",), ("bind", "cache", "tmpfs", "ssh"), (), "string",
        "Expose the secret as this environment variable, instead of a file (no `target`) or as well "
        "as one (with `target`). Its value is masked as `****` in progress output.",
        since="1.10",
    ),
)

OPTIONS_BY_KEY: dict[str, OptionSpec] = {o.key: o for o in MOUNT_OPTIONS}
# Every spelling (canonical and alias) -> the option.
OPTIONS_BY_SPELLING: dict[str, OptionSpec] = {s: o for o in MOUNT_OPTIONS for s in o.spellings}
ALL_KEYS: tuple[str, ...] = tuple(OPTIONS_BY_SPELLING)


RUN_FLAGS: dict[str, FlagSpec] = {f.name: f for f in (
    FlagSpec(
        "mount",
        "Mounts a filesystem for this `RUN` only: `--mount=[type=<TYPE>][,<key>=<value>...]`, "
        "several allowed. Types: `bind` (default), `cache`, `tmpfs`, `secret`, `ssh`. Keys are "
        "case-insensitive; ARG/ENV variables are expanded in values (Dockerfile 1.3+) except in "
        "`from`. Needs BuildKit (Docker Engine 20.10+); the legacy builder does not support it.",
        "1.2", MOUNT_URL, value_hint="type=cache,target=<dir>"),
    FlagSpec(
        "network",
        "The network this `RUN` runs in. Any other value is an error.",
        "1.3", NETWORK_URL,
        values=(
            ValueDoc("default", "The default network (same as omitting the flag)."),
            ValueDoc("none", "No network access: only an isolated loopback interface. A good partner "
                             "for installing from local files or wheels (`pip install --find-links`)."),
            ValueDoc("host", "The host's network. Needs the `network.host` entitlement: buildkitd "
                             "`--allow-insecure-entitlement network.host` **and** "
                             "`docker buildx build --allow network.host`."),
        ),
        default="default"),
    FlagSpec(
        "security",
        "Whether this `RUN` runs in the sandbox. Stable since Dockerfile 1.20 (earlier only in the "
        "experimental/labs frontends).",
        "1.20", SECURITY_URL,
        values=(
            ValueDoc("sandbox", "Run in the default sandbox (same as omitting the flag)."),
            ValueDoc("insecure", "Run without the sandbox, like `docker run --privileged`. Needs the "
                                 "`security.insecure` entitlement: daemon `--allow-insecure-entitlement "
                                 "security.insecure` **and** `docker buildx build --allow security.insecure`."),
        ),
        default="sandbox"),
    FlagSpec(
        "device",
        "Requests a CDI device for this `RUN`: `--device=<name>[,required]`. Only in the "
        "`docker/dockerfile:1-labs` frontend (1.14-labs or later), with BuildKit 0.20.0 or later "
        "and the `device` entitlement.",
        "1.14-labs", DEVICE_URL, value_hint="<cdi-device-name>[,required]", stable=False),
)}

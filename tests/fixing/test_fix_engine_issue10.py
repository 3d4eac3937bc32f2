"""Issue 10: fix-engine defects found on real Dockerfiles (items 6, 12, 13, 14, 15, 16; item 11 is
in test_fix_hardening.py) and the safety level of every CM101/CM102/CM103/CM301 fix.

Every fixed text is checked the same way: BuildKit's parser reads it, a second fix-all changes
nothing, and no finding with a fix of the level that was applied is left."""
from __future__ import annotations

import dockerfile
import pytest

from cachemount.findings import SAFE, UNSAFE
from cachemount.fixing.apply import apply_fix
from cachemount.lint import apply_all, lint
from cachemount.shell import parse_commands


def fixed(text: str, unsafe: bool = False) -> str:
    after, _ = apply_all(text, unsafe=unsafe)
    dockerfile.parse_string(after)
    assert apply_all(after, unsafe=unsafe) == (after, 0), "a second --fix must change nothing"
    allowed = (SAFE, UNSAFE) if unsafe else (SAFE,)
    assert not [f for f in lint(after) if f.fix_for(allowed)], [(f.code, f.message) for f in lint(after)]
    return after


def only(text: str, code: str):
    (finding,) = [f for f in lint(text) if f.code == code]
    return finding


# ---------------------------------------------------------------------------------------------
# Item 6: a manager that runs in one branch only

BRANCHES = ('RUN if [ -x "$(command -v apt)" ]; then apt update && apt install -y x; '
            'else apk add x; fi\n')


def test_shell_commands_know_whether_they_run_on_every_path():
    cmds = parse_commands('if [ -x "$(command -v apt)" ]; then apt update; else apk add x; fi; '
                          '[ -f y ] && pip install y || npm ci; case $a in b) go build;; esac; '
                          'cargo fetch && make; sh -c "test -d z && uv sync"')
    assert [(c.name, c.conditional) for c in cmds] == [
        ("command", False), ("apt", True), ("apk", True), ("pip", True), ("npm", True), ("go", True),
        ("cargo", False), ("make", False), ("sh", False), ("test", False), ("uv", True)]


@pytest.mark.parametrize("base", ["debian:12", "python:3.12", "alpine:3.20", "my/unknown:1"])
def test_prerequisites_of_a_branch_only_manager_are_guarded_and_the_fix_is_unsafe(base):
    before = f"FROM {base}\n{BRANCHES}"
    found = [f for f in lint(before) if f.code == "CM101"]
    assert found and all(f.fix.applicability == UNSAFE and "runs only on some paths" in f.fix.title for f in found)
    assert apply_all(before) == (before, 0)   # --fix alone leaves it
    after = fixed(before, unsafe=True)
    added = [line for line in after.splitlines() if line.startswith("RUN ") and "--mount" not in line]
    assert added and all(line.startswith("RUN if command -v ") and line.endswith("; fi") for line in added)
    assert "RUN ln -s" not in after and "RUN rm -f /etc/apt" not in after   # nothing unguarded


def test_a_branch_only_manager_that_needs_nothing_above_the_run_is_safe():
    before = ("FROM node:22\nRUN if [ -f yarn.lock ]; then yarn --frozen-lockfile; "
              "elif [ -f package-lock.json ]; then npm ci; fi\n")
    assert {f.fix.applicability for f in lint(before) if f.code == "CM101"} == {SAFE}   # a mount is harmless


def test_a_manager_that_also_runs_unconditionally_gets_a_safe_unguarded_prerequisite():
    before = "FROM debian:12\nRUN apt-get update && apt-get install -y x || apt-get install -y --fix-missing x\n"
    assert only(before, "CM101").fix.applicability == SAFE
    assert "\nRUN rm -f /etc/apt/apt.conf.d/docker-clean;" in fixed(before)


def test_cm103_prerequisite_for_a_branch_only_manager_is_guarded_and_unsafe():
    before = ("FROM alpine:3.20\nRUN --mount=type=cache,target=/var/cache/apk "
              "if [ -n \"$X\" ]; then apk add x; fi\n")
    fix = only(before, "CM103").fix
    assert fix.applicability == UNSAFE
    assert apply_fix(before, fix).startswith(
        "FROM alpine:3.20\nRUN if command -v apk >/dev/null 2>&1; then ln -s /var/cache/apk /etc/apk/cache; fi\n")


# ---------------------------------------------------------------------------------------------
# Item 12: prerequisites and ENV once per stage lineage

@pytest.mark.parametrize("before, line", [
    ("FROM alpine:3.20 AS base\nRUN apk add --no-cache curl\nFROM base AS build\nRUN apk add --no-cache git\n",
     "RUN ln -s /var/cache/apk /etc/apk/cache"),
    ("FROM fedora:40 AS base\nRUN dnf install -y gcc\nFROM base AS build\nRUN dnf install -y make\n",
     "RUN echo keepcache=1 >> /etc/dnf/dnf.conf"),
    ("FROM alpine:3.20 AS base\nRUN --mount=type=cache,target=/var/cache/apk apk add curl\n"
     "FROM base AS build\nRUN --mount=type=cache,target=/var/cache/apk apk add git\n",
     "RUN ln -s /var/cache/apk /etc/apk/cache"),
    ("FROM python:3.12 AS base\nRUN uv pip install --system x\nFROM base\nRUN uv pip install --system y\n",
     "ENV UV_LINK_MODE=copy"),
])
def test_a_stage_built_from_a_prepared_stage_gets_no_second_insertion(before, line):
    after = fixed(before)
    assert after.count(line) == 1
    assert after.index(line) < after.index("FROM base")


def test_sibling_stages_each_get_their_own_prerequisite():
    before = "FROM alpine:3.20 AS base\nFROM base AS a\nRUN apk add curl\nFROM base AS b\nRUN apk add git\n"
    after = fixed(before)
    assert after.count("RUN ln -s /var/cache/apk /etc/apk/cache") == 2


# ---------------------------------------------------------------------------------------------
# Item 13: a defeating ENV stays in the image; the fixed RUN overrides it

def test_pip_ignores_an_empty_no_cache_dir_and_uv_needs_false():
    from cachemount.knowledge.managers import BY_KEY
    from cachemount.semantics.invocations import env_defeat_applies

    pip = next(d for d in BY_KEY["pip"].env_defeats if d.name == "PIP_NO_CACHE_DIR")
    uv = next(d for d in BY_KEY["uv"].env_defeats if d.name == "UV_NO_CACHE")
    assert env_defeat_applies(pip, "1") and env_defeat_applies(pip, "false") and not env_defeat_applies(pip, "")
    assert env_defeat_applies(uv, "true") and not env_defeat_applies(uv, "false")


@pytest.mark.parametrize("env, run, expected", [
    ("ENV PIP_NO_CACHE_DIR=1", "RUN pip install x",
     "RUN --mount=type=cache,target=/root/.cache/pip PIP_NO_CACHE_DIR= pip install x"),
    ("ARG PIP_NO_CACHE_DIR=1", "RUN pip install x",
     "RUN --mount=type=cache,target=/root/.cache/pip PIP_NO_CACHE_DIR= pip install x"),
    ("ENV UV_NO_CACHE=true", "RUN uv pip install --system x",
     "RUN --mount=type=cache,target=/root/.cache/uv UV_NO_CACHE=false uv pip install --system x"),
    ("ENV PIP_NO_CACHE_DIR=1", "RUN PIP_NO_CACHE_DIR=1 pip install x",
     "RUN --mount=type=cache,target=/root/.cache/pip PIP_NO_CACHE_DIR= pip install x"),
    ("ENV PIP_NO_CACHE_DIR=1", "RUN pip install -r a.txt && pip install -r b.txt",
     "RUN --mount=type=cache,target=/root/.cache/pip PIP_NO_CACHE_DIR= pip install -r a.txt "
     "&& PIP_NO_CACHE_DIR= pip install -r b.txt"),
])
def test_cm101_overrides_a_defeating_variable_for_the_fixed_run_only(env, run, expected):
    before = f"FROM python:3.12\n{env}\n{run}\n"
    assert only(before, "CM101").fix.applicability == SAFE
    after = fixed(before)
    assert after.splitlines()[1] == env   # the image keeps it
    assert after.splitlines()[-1] == expected


def test_cm103_overrides_an_env_and_offers_its_removal_as_unsafe():
    before = "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n"
    override, removal = only(before, "CM103").fixes
    assert (override.applicability, removal.applicability) == (SAFE, UNSAFE)
    assert "ENV on line 2" in removal.title and "every image built FROM it" in removal.title
    assert fixed(before) == ("FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\n"
                             "RUN --mount=type=cache,target=/root/.cache/pip PIP_NO_CACHE_DIR= pip install x\n")
    assert apply_fix(before, removal) == "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n"


def test_exec_form_cannot_override_so_no_mount_is_added():
    before = 'FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN ["pip", "install", "x"]\n'
    assert only(before, "CM101").fixes == ()
    assert apply_all(before, unsafe=True) == (before, 0)


# ---------------------------------------------------------------------------------------------
# Item 14: a dependency step followed by an opaque build step

GO = "FROM golang:1.23\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n"


@pytest.mark.parametrize("build", ["RUN make build", "RUN ./build.sh", "RUN sh scripts/build"])
def test_an_opaque_build_after_the_download_step_gets_the_same_mount_and_the_fix_is_unsafe(build):
    before = GO + build + "\n"
    fix = only(before, "CM101").fix
    assert fix.applicability == UNSAFE and "(line 6) may read what the mount keeps out of the image" in fix.title
    assert apply_all(before) == (before, 0)
    after = fixed(before, unsafe=True)
    assert after.splitlines()[3] == "RUN --mount=type=cache,target=/go/pkg/mod go mod download"
    assert after.splitlines()[5] == "RUN --mount=type=cache,target=/go/pkg/mod " + build[4:]


def test_an_opaque_build_in_a_stage_built_from_the_download_stage_counts_too():
    before = ("FROM golang:1.23 AS deps\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\n"
              "FROM deps AS build\nCOPY . .\nRUN make\n")
    assert only(before, "CM101").fix.applicability == UNSAFE
    assert fixed(before, unsafe=True).endswith("RUN --mount=type=cache,target=/go/pkg/mod make\n")


def test_an_opaque_step_does_not_matter_where_the_build_does_not_read_the_cache():
    before = "FROM python:3.12\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nRUN make\n"
    assert only(before, "CM101").fix.applicability == SAFE
    assert fixed(before).endswith("\nRUN make\n")


# ---------------------------------------------------------------------------------------------
# Item 15: a misspelt cache mount is repaired, not duplicated

@pytest.mark.parametrize("flag", ["--mount=type=cahce,target=/root/.cache/pip",
                                  "--mout=type=cache,target=/root/.cache/pip",
                                  "--mount=tpye=cache,target=/root/.cache/pip"])
def test_a_near_miss_cache_mount_is_the_mount_the_author_meant(flag):
    before = f"FROM python:3.12\nRUN {flag} pip install numpy\n"
    assert [f.code for f in lint(before)] == ["CM301"]
    after = fixed(before)
    assert after == "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install numpy\n"


def test_a_near_miss_mount_elsewhere_does_not_hide_the_missing_one():
    before = "FROM python:3.12\nRUN --mount=type=cahce,target=/data pip install numpy\n"
    assert sorted(f.code for f in lint(before)) == ["CM101", "CM301"]


def test_a_near_miss_cache_mount_without_target_is_not_guessed_around():
    assert [f.code for f in lint("FROM python:3.12\nRUN --mount=type=cahce pip install numpy\n")] == ["CM301"]


# ---------------------------------------------------------------------------------------------
# Item 16: ENV once, only where it matters; the file's id= convention

def test_uv_link_mode_is_written_once_when_a_prefetch_step_comes_first():
    after = fixed("FROM python:3.12\nCOPY . .\nRUN uv sync\n", unsafe=True)
    assert after.count("ENV UV_LINK_MODE=copy") == 1
    assert after.index("ENV UV_LINK_MODE=copy") < after.index("RUN --mount")


def test_poetry_without_virtualenvs_needs_no_in_project_env_and_is_safe():
    before = "FROM python:3.12\nENV POETRY_VIRTUALENVS_CREATE=false\nRUN poetry install\n"
    assert only(before, "CM101").fix.applicability == SAFE
    assert "POETRY_VIRTUALENVS_IN_PROJECT" not in fixed(before)


def test_poetry_in_project_env_moves_the_virtualenv_so_the_fix_is_unsafe():
    before = "FROM python:3.12\nRUN poetry install\n"
    fix = only(before, "CM101").fix
    assert fix.applicability == UNSAFE and "virtualenv moves" in fix.title
    assert "ENV POETRY_VIRTUALENVS_IN_PROJECT=true\n" in fixed(before, unsafe=True)


@pytest.mark.parametrize("before, expected", [
    ("FROM node:22\nRUN --mount=type=cache,id=npm-cache,target=/root/.npm npm ci\nRUN npm install -g x\n",
     "RUN --mount=type=cache,id=npm-cache,target=/root/.npm npm install -g x"),
    ("FROM node:22\nRUN npm install -g x\nRUN --mount=type=cache,id=npm,target=/root/.npm npm ci\n",
     "RUN --mount=type=cache,id=npm,target=/root/.npm npm install -g x"),
    ("FROM node:22-slim\nENV PNPM_HOME=/pnpm\nRUN --mount=type=cache,id=store,target=/pnpm/store pnpm fetch\n"
     "RUN pnpm install --frozen-lockfile\n",
     "RUN --mount=type=cache,id=store,target=/pnpm/store pnpm install --frozen-lockfile"),
])
def test_a_new_mount_reuses_the_id_the_file_gives_that_dir(before, expected):
    assert expected in fixed(before).splitlines()


# ---------------------------------------------------------------------------------------------
# Safety levels

USER = "FROM python:3.12\nRUN useradd -m -u 1001 app\nUSER app\n"


def test_a_new_mount_under_a_non_root_home_first_makes_the_dir_as_the_user():
    # BuildKit creates a missing mount target and its parents as root (moby/buildkit#3153): the fix
    # makes it as the user first, once per lineage (tests/buildkit/test_non_root_scenarios.py builds it)
    before = USER + "RUN pip install x\nRUN pip install y\n"
    after, _ = apply_all(before)
    assert only(USER + "RUN pip install x\n", "CM101").fix.applicability == SAFE
    assert after == (USER + "RUN mkdir -p /home/app/.cache/pip\n"
                     "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1001,gid=1001 pip install x\n"
                     "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1001,gid=1001 pip install y\n")
    assert apply_all(after) == (after, 0)


def test_a_new_mount_under_a_home_not_known_to_exist_is_unsafe_and_says_why():
    before = "FROM python:3.12\nRUN useradd -u 1001 app\nUSER app\nRUN pip install x\n"   # no -m: no home
    fix = only(before, "CM101").fix
    assert fix.applicability == UNSAFE
    assert fix.title.endswith("BuildKit creates missing mount dirs as root, which may leave /home/app/.cache "
                              "owned by root in the image")
    assert apply_all(before) == (before, 0)


@pytest.mark.parametrize("before", [
    "FROM python:3.12\nRUN pip install x\n",
    "FROM python:3.12\nRUN useradd -m -u 1001 app\nUSER app\nENV PIP_CACHE_DIR=/var/cache/pip\nRUN pip install x\n",
    "FROM mambaorg/micromamba:1.5\nRUN micromamba install -y -n base x\n",
])
def test_a_new_mount_outside_a_non_root_home_is_safe(before):
    assert only(before, "CM101").fix.applicability == SAFE


def test_cm102_retarget_under_a_made_home_first_makes_the_dir_as_the_user():
    before = USER + "RUN --mount=type=cache,target=/root/.cache/pip pip install --user x\n"
    retarget = only(before, "CM102").fix
    assert retarget.applicability == SAFE, retarget.title
    after, _ = apply_all(before)
    assert after == USER + ("RUN mkdir -p /home/app/.cache/pip\n"
                            "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1001,gid=1001 pip install --user x\n")
    assert apply_all(after) == (after, 0)


def test_cm102_retarget_under_a_home_nobody_made_is_unsafe_but_adding_the_owner_is_safe():
    no_home = "FROM python:3.12\nRUN useradd -u 1001 app\nUSER app\n"
    retarget = only(no_home + "RUN --mount=type=cache,target=/root/.cache/pip pip install --user x\n", "CM102").fix
    assert retarget.applicability == UNSAFE and "BuildKit creates missing mount dirs as root" in retarget.title
    owner = only("FROM node:22\nUSER node\nRUN --mount=type=cache,target=/home/node/.npm npm ci\n", "CM102").fix
    assert owner.applicability == SAFE


@pytest.mark.parametrize("image, user, home", [
    ("python:3.11-slim", "nobody", "/nonexistent"),   # a real build failed: mkdir: cannot create /nonexistent
    ("python:3.11-slim", "www-data", "/var/www"),     # Debian has no /var/www; php's is root-owned
])
def test_cm102_retarget_for_an_image_system_account_makes_no_dir_and_is_unsafe(image, user, home):
    # tests/buildkit/test_cm102_retarget_scenarios.py builds it
    before = (f"FROM {image}\nUSER {user}\n"
              "RUN --mount=type=cache,target=/root/.cache/pip pip install --target=/tmp/t x\n")
    retarget = only(before, "CM102").fix
    assert retarget.applicability == UNSAFE, retarget.title
    assert apply_all(before)[0] == before
    assert "mkdir" not in apply_all(before, unsafe=True)[0]
    assert f"target={home}/.cache/pip," in apply_all(before, unsafe=True)[0]


def test_cm102_retarget_for_a_user_whose_home_is_the_root_dir_is_safe_and_well_formed():
    # alpine's nobody: HOME=/ (`//.cache/pip` was shown); a root-owned /.cache changes nothing for
    # a user who could not write in / anyway
    before = "FROM alpine:3.20\nUSER nobody\nRUN --mount=type=cache,target=/root/.cache/pip pip install --target=/t x\n"
    assert only(before, "CM102").fix.title == "Retarget the cache mount to /.cache/pip with uid=65534"
    assert fixed(before) == before.replace("target=/root/.cache/pip ", "target=/.cache/pip,uid=65534,gid=65534 ")


APT_MOUNTED = ("FROM debian:12\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
               "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get install -y x && ")


@pytest.mark.parametrize("tail, level", [
    ("rm -rf /var/cache/apt/archives/*.deb", SAFE),
    ("rm -rf /var/cache/*", UNSAFE),   # debconf and the rest of /var/cache would now stay in the image
    ("apt-get clean", UNSAFE),         # it empties the lists too, which are not mounted
])
def test_cm103_cleanup_removal_is_safe_only_when_all_it_empties_is_mounted(tail, level):
    (finding,) = [f for f in lint(APT_MOUNTED + tail + "\n") if f.code == "CM103"]
    assert finding.fix.applicability == level


def test_cm101_rm_of_a_wider_dir_makes_the_fix_unsafe():
    before = "FROM debian:12\nRUN apt-get update && apt-get install -y x && rm -rf /var/cache/* /var/lib/apt/lists/*\n"
    fix = only(before, "CM101").fix
    assert fix.applicability == UNSAFE and "`rm /var/cache/*` also deleted files outside the cache mount" in fix.title


@pytest.mark.parametrize("before, kept", [
    ("FROM golang:1.23\nRUN go mod download && go clean -cache\n", "/root/.cache/go-build"),
    ("FROM debian:12\nRUN apt-get install -y x && apt-get clean\n", "/var/lib/apt/lists"),
])
def test_cm101_removing_a_clean_that_also_empties_unmounted_dirs_is_unsafe(before, kept):
    fix = only(before, "CM101").fix
    assert fix.applicability == UNSAFE and f"also emptied {kept}, which is not mounted" in fix.title
    assert " clean" not in fixed(before, unsafe=True).splitlines()[-1]


@pytest.mark.parametrize("flag, level", [
    ("--mount=type=cahce,target=/root/.cache/pip", SAFE),
    ("--mount=type=cache,targt=/root/.cache/pip", SAFE),
    ("--mount=type=cache,target=/root/.cache/pip,sharing=lock", SAFE),
    ("--mount=type=cache,target=/root/.cache/pip,target=/root/.cache/pip", SAFE),
    ("--mount=type=cache,siz=1g,target=/root/.cache/pip", UNSAFE),            # cache mounts take no size
    ("--mount=type=cahce,required=true,target=/root/.cache/pip", UNSAFE),     # nor required
])
def test_cm301_repairs_are_safe_unless_the_meant_spelling_still_fails(flag, level):
    found = [f for f in lint(f"FROM python:3.12\nRUN {flag} pip install x\n") if f.code == "CM301" and f.fixes]
    assert found and {f.fix.applicability for f in found} == {level}


def test_cm101_leaves_the_lists_of_a_lone_update_in_the_layer_for_the_install_after_it():
    # With CM401 off, CM101 used to mount the lists on `RUN apt-get update` alone: the install's RUN
    # then had no lists ("E: Unable to locate package jq" in a real build, tests/buildkit/
    # test_apt_update_alone_scenarios.py). The update alone is CM401's; the install gets its mount.
    from cachemount.settings.model import Settings
    before = "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y jq\n"
    no_cm401 = Settings(ignore=frozenset({"CM401"}))
    assert [before[f.start:f.end] for f in lint(before, no_cm401) if f.code == "CM101"] == ["apt-get install"]
    after, _ = apply_all(before, no_cm401)
    assert "RUN apt-get update\n" in after and "target=/var/lib/apt/lists" not in after
    assert "--mount=type=cache,target=/var/cache/apt,sharing=locked apt-get install -y jq" in after

"""Node package managers and project layouts, built for real before and after `cachemount check --fix`
(issue 11): Yarn 1 and pnpm with their lock files, manifests whose place follows from WORKDIR and
the COPY destination (CM201's reorder must copy them to the right place), a stage that inherits
its user from another stage, and a numeric `USER 1000:1000`.

Each scenario builds the file as written (unfixed, the control) and as fixed, each twice (a first
build and a rebuild after an edit), and asserts from the builds: the fixed file builds and runs;
the rebuild reuses the cache (the manager's own output) or, after a source-only edit, the install
is CACHED; no new root-owned path in /home; the image is not bigger; a non-root user can still
write in its cache dir at run time.
"""

from __future__ import annotations

import re

import pytest

from tests.buildkit.harness import Daemon
from tests.buildkit.test_seed_scenarios import (FIRST, INDEX_JS, NPM_DEPS_1, NPM_DEPS_2, SECOND, Scenario, _common_problems,
                                                _package_json, can_write, npm_fetched, run_scenario)

MS_JS = "const ms = require('ms');\nconsole.log('ok', ms(60000));\n"   # the layout scenarios' source

YARN = "yarn@1.22.22"
PNPM = "pnpm@9.15.9"   # pnpm 9 runs on node >= 18.12; Debian's node 18 is 18.20
# Left unfixed, the tool's own install is the same layer in both variants: the fixed variant's
# first build reuses it (a shorter test; the scenario is about the project's install).
SAME_LAYER = "# cachemount: ignore=CM101\n"


# --- lock files made by the tools themselves in the node image ----------------------------------

_END = "--- end of lock file ---"
# manager -> (what `npm i -g` installs first, the command that writes the lock file, its name)
LOCK_TOOLS = {
    "npm": ("", "npm install --package-lock-only --no-audit --no-fund --loglevel=error", "package-lock.json"),
    "yarn": (YARN, "yarn install --ignore-scripts --no-progress --silent", "yarn.lock"),
    "pnpm": (PNPM, "pnpm install --lockfile-only --ignore-scripts", "pnpm-lock.yaml"),
}
_made: dict[tuple[str, str], list[str]] = {}   # (state dir, manager) -> its lock files, made once a session


def _make_lockfiles(bk: Daemon, manager: str) -> list[str]:
    """The lock file for NPM_DEPS_1 and for NPM_DEPS_2, made by the manager itself in the node
    image (one container for both)."""
    tool, lock_cmd, lock_name = LOCK_TOOLS[manager]
    setup = f"npm i -g {tool} --no-audit --no-fund --loglevel=error >&2 && " if tool else ""
    script = (setup + 'for p in "$P1" "$P2"; do rm -rf /tmp/p && mkdir /tmp/p && cd /tmp/p && '
              f"printf '%s' \"$p\" > package.json && {lock_cmd} >&2 && cat {lock_name} && echo '{_END}'; done")
    proc = bk.docker("run", "--rm", "--network=host", "-e", f"P1={_package_json(NPM_DEPS_1)}",
                     "-e", f"P2={_package_json(NPM_DEPS_2)}", "local/node:18", "sh", "-c", script)
    assert proc.returncode == 0, f"could not make {lock_name}: {proc.stderr}"
    locks = proc.stdout.split(f"{_END}\n")[:2]
    assert len(locks) == 2 and all("ms" in lock for lock in locks), proc.stdout
    assert "inherits" in locks[1] and "inherits" not in locks[0]
    return locks


@pytest.fixture
def lockfiles(bk):
    """lockfiles(manager): its lock files for NPM_DEPS_1 and NPM_DEPS_2 (made once a session)."""
    def get(manager: str) -> list[str]:
        key = (str(bk.state_dir), manager)
        if key not in _made:
            _made[key] = _make_lockfiles(bk, manager)
        return _made[key]
    return get


def _projects(lock_name: str, locks: list[str]) -> list[dict[str, str]]:
    return [{"package.json": _package_json(deps), lock_name: lock, "index.js": INDEX_JS}
            for deps, lock in zip((NPM_DEPS_1, NPM_DEPS_2), locks)]


# --- what the managers' own output says ---------------------------------------------------------

def yarn_fetched(text: str) -> set[str]:
    """Tarballs Yarn 1 requested from the registry (`--verbose`); a cache hit requests none."""
    return set(re.findall(r'Performing "GET" request to "\S+/-/(\S+?)-\d[^/"]*\.tgz', text))


def pnpm_progress(text: str) -> dict[str, int]:
    """pnpm's last progress line: `Progress: resolved 3, reused 2, downloaded 1, added 3, done`
    (reused: taken from the store; downloaded: fetched from the registry)."""
    lines = re.findall(r"Progress: resolved (\d+), reused (\d+), downloaded (\d+), added (\d+)", text)
    if not lines:
        return {}
    return dict(zip(("resolved", "reused", "downloaded", "added"), map(int, lines[-1])))


# --- shared checks ------------------------------------------------------------------------------

def _writable(bk: Daemon, s: Scenario, user: str, path: str, evidence: dict[str, str]) -> list[str]:
    """Whether `user` can create `path` in each rebuilt image: added to the evidence; the
    problems of the fixed image (the unfixed one is the control and must allow it)."""
    wrote = can_write(bk, s, user, path)
    for name, (rc, _out) in wrote.items():
        evidence[name] += f", {user} can mkdir {path}: {'yes' if rc == 0 else 'NO'}"
    assert wrote["unfixed"][0] == 0, f"control: {user} cannot mkdir {path} unfixed: {wrote['unfixed'][1]}"
    return [f"{user} cannot mkdir {path} in the fixed image: {wrote['fixed'][1].strip()}"] if wrote["fixed"][0] else []


def _npm_evidence(s: Scenario, step: str) -> tuple[dict[str, str], list[str]]:
    """What npm (`--loglevel=http`) fetched on each rebuild, and what is wrong with it."""
    first = npm_fetched(s.fixed.first.step(step).text)
    a = npm_fetched(s.unfixed.second.step(step).text)
    b = npm_fetched(s.fixed.second.step(step).text)
    problems = []
    if first != set(NPM_DEPS_1):
        problems.append(f"first build fetched {first}")
    if a != set(NPM_DEPS_2):
        problems.append(f"control: unfixed rebuild should fetch every tarball again, fetched {a}")
    if b != {"inherits"}:
        problems.append(f"fixed rebuild should fetch only the new tarball, fetched {b}:\n{s.fixed.dockerfile}")
    return {v.name: f"rebuild fetched tarballs {sorted(t)}" for v, t in ((s.unfixed, a), (s.fixed, b))}, problems


def _layout_scenario(bk: Daemon, bk_report, label: str, name: str, dockerfile: str, files: dict[str, str],
                     source: str, smoke: str) -> Scenario:
    """CM201 where the manifests' place follows from the layout: after an edit of `source` only,
    the fixed file must not rerun `npm ci` (the unfixed one, the control, does)."""
    edited = {**files, source: files[source].replace("'ok'", "'ok v2'")}
    s = run_scenario(bk, name, dockerfile, files, edited, smoke, "ok 1m", "ok v2 1m")
    a = s.unfixed.second.step("npm ci")
    b = s.fixed.second.step("npm ci")
    evidence = {v.name: f"npm ci after an edit of {source}: {'CACHED' if st.cached else 'rerun'}"
                for v, st in ((s.unfixed, a), (s.fixed, b))}
    bk_report(s.line(label, evidence) + "\n    fixed Dockerfile:\n"
              + "".join(f"      {line}\n" for line in s.fixed.dockerfile.splitlines()))
    assert not a.cached, "control: with the whole project copied first, a source edit must rerun npm ci"
    problems = _common_problems(s)
    if not b.cached:
        problems.append(f"fixed: a source-only edit reran npm ci:\n{s.fixed.dockerfile}")
    assert not problems, "\n".join(problems)
    return s


# --- scenarios ----------------------------------------------------------------------------------

def test_yarn_classic_frozen_lockfile(bk, bk_report, lockfiles):
    # Debian's node 18 ships no corepack: Yarn 1 comes from npm, as root (its cache is then
    # /usr/local/share/.cache/yarn, not ~/.cache/yarn).
    dockerfile = (
        "FROM node:18\n"
        f"{SAME_LAYER}RUN npm i -g {YARN}\n"
        "WORKDIR /app\n"
        "COPY package.json yarn.lock ./\n"
        "RUN yarn install --frozen-lockfile --verbose\n"
        "COPY . .\n"
        'CMD ["node", "index.js"]\n'
    )
    files = _projects("yarn.lock", lockfiles("yarn"))
    s = run_scenario(bk, "yarn1", dockerfile, files[0], files[1], "node index.js", FIRST, SECOND)
    first = yarn_fetched(s.fixed.first.step("yarn install").text)
    a = yarn_fetched(s.unfixed.second.step("yarn install").text)
    b = yarn_fetched(s.fixed.second.step("yarn install").text)
    evidence = {v.name: f"rebuild fetched tarballs {sorted(t)}" for v, t in ((s.unfixed, a), (s.fixed, b))}
    bk_report(s.line("(n1) yarn 1 install --frozen-lockfile as root", evidence))
    assert first == set(NPM_DEPS_1), f"first build fetched {first}"
    assert a == set(NPM_DEPS_2), f"control: unfixed rebuild should fetch every tarball again, fetched {a}"
    assert b == {"inherits"}, f"fixed rebuild should fetch only the new tarball, fetched {b}:\n{s.fixed.dockerfile}"
    problems = _common_problems(s)
    assert not problems, "\n".join(problems)


def test_pnpm_frozen_lockfile_as_node_user(bk, bk_report, lockfiles):
    dockerfile = (
        "FROM node:18\n"
        f"{SAME_LAYER}RUN npm i -g {PNPM}\n"
        "USER node\n"
        "WORKDIR /home/node/app\n"
        "COPY package.json pnpm-lock.yaml ./\n"
        "RUN pnpm install --frozen-lockfile\n"
        "COPY . .\n"
        'CMD ["node", "index.js"]\n'
    )
    files = _projects("pnpm-lock.yaml", lockfiles("pnpm"))
    s = run_scenario(bk, "pnpm", dockerfile, files[0], files[1], "node index.js", FIRST, SECOND)
    first = pnpm_progress(s.fixed.first.step("pnpm install").text)
    a = pnpm_progress(s.unfixed.second.step("pnpm install").text)
    b = pnpm_progress(s.fixed.second.step("pnpm install").text)
    evidence = {v.name: f"rebuild reused {t.get('reused')} from the store, downloaded {t.get('downloaded')}"
                for v, t in ((s.unfixed, a), (s.fixed, b))}
    problems = _writable(bk, s, "node", "~/.local/share/pnpm/probe", evidence)
    problems += _writable(bk, s, "node", "~/.local/share/other", evidence)
    bk_report(s.line("(n2) pnpm install --frozen-lockfile as the `node` user", evidence))
    assert first.get("downloaded") == 2, f"first build: {first}\n{s.fixed.first.step('pnpm install').text}"
    assert a.get("downloaded") == 3 and a.get("reused") == 0, f"control: unfixed rebuild should download all: {a}"
    assert b.get("downloaded") == 1 and b.get("reused") == 2, \
        f"fixed rebuild should take 2 packages from the store and download 1: {b}:\n{s.fixed.dockerfile}\n" \
        + s.fixed.second.step("pnpm install").text
    problems += _common_problems(s)
    assert not problems, "\n".join(problems)


def test_app_in_a_subdirectory_copied_to_the_workdir(bk, bk_report, lockfiles):
    # The project is app/ of the context; `COPY app/ .` copies all of it before the install.
    dockerfile = (
        "FROM node:18\n"
        "WORKDIR /srv/app\n"
        "COPY app/ .\n"
        "RUN npm ci\n"
        'CMD ["node", "index.js"]\n'
    )
    files = {"app/package.json": _package_json(NPM_DEPS_1), "app/package-lock.json": lockfiles("npm")[0],
             "app/index.js": MS_JS, "README.md": "the app is in app/\n"}
    _layout_scenario(bk, bk_report, "(n3a) WORKDIR /srv/app + COPY app/ . before npm ci", "sub-copy", dockerfile,
                     files, "app/index.js", "node index.js")


def test_workdir_changes_between_the_copy_and_the_install(bk, bk_report, lockfiles):
    # The whole context goes to /srv, then the install runs in its app/ subdirectory.
    dockerfile = (
        "FROM node:18\n"
        "WORKDIR /srv\n"
        "COPY . .\n"
        "WORKDIR /srv/app\n"
        "RUN npm ci\n"
        'CMD ["node", "index.js"]\n'
    )
    files = {"app/package.json": _package_json(NPM_DEPS_1), "app/package-lock.json": lockfiles("npm")[0],
             "app/index.js": MS_JS, "README.md": "the app is in app/\n"}
    _layout_scenario(bk, bk_report, "(n3b) COPY . . in /srv, then WORKDIR /srv/app, npm ci", "wd-change", dockerfile,
                     files, "app/index.js", "node index.js")


def test_absolute_copy_destination_then_workdir_in_it(bk, bk_report, lockfiles):
    # The manifest COPY must name app/package*.json and land in the install's WORKDIR.
    dockerfile = (
        "FROM node:18\n"
        "COPY . /srv/\n"
        "WORKDIR /srv/app\n"
        "RUN npm ci\n"
        'CMD ["node", "index.js"]\n'
    )
    files = {"app/package.json": _package_json(NPM_DEPS_1), "app/package-lock.json": lockfiles("npm")[0],
             "app/index.js": MS_JS, "README.md": "the app is in app/\n"}
    _layout_scenario(bk, bk_report, "(n3c) COPY . /srv/, then WORKDIR /srv/app, npm ci", "abs-dest", dockerfile,
                     files, "app/index.js", "node index.js")


def test_stage_inheriting_user_and_workdir(bk, bk_report, lockfiles):
    # deps and app inherit USER node and the WORKDIR from base; the cache must be node's ~/.npm.
    dockerfile = (
        "FROM node:18 AS base\n"
        "USER node\n"
        "WORKDIR /home/node/app\n"
        "FROM base AS deps\n"
        "COPY package.json package-lock.json ./\n"
        "RUN npm ci --loglevel=http\n"
        "FROM base AS app\n"
        "COPY --from=deps /home/node/app/node_modules ./node_modules\n"
        "COPY . .\n"
        'CMD ["node", "index.js"]\n'
    )
    files = _projects("package-lock.json", lockfiles("npm"))
    s = run_scenario(bk, "stages", dockerfile, files[0], files[1], "node index.js", FIRST, SECOND)
    evidence, problems = _npm_evidence(s, "npm ci")
    # The final stage does not hold the mount: look at the deps stage too (all CACHED by now).
    deps = {}
    for v in (s.unfixed, s.fixed):
        built = bk.build(v.dockerfile, files[1], f"stages-{v.name}-deps", extra_args=("--target", "deps"))
        assert built.ok, "\n".join(built.log.splitlines()[-30:])
        deps[v.name] = built.tag
    owned = {name: bk.files_owned_by_root_in(tag, "/home") for name, tag in deps.items()}
    new_in_deps = sorted(owned["fixed"] - owned["unfixed"])
    wrote = {name: bk.run(tag, "mkdir -p ~/.npm/probe && echo made", user="node") for name, tag in deps.items()}
    for name in deps:
        evidence[name] += f", node can mkdir ~/.npm/probe in deps: {'yes' if wrote[name][0] == 0 else 'NO'}"
    bk_report(s.line("(n4) stage deps FROM base (USER node, WORKDIR), app COPY --from=deps", evidence)
              + f"\n    new root-owned in /home of the deps stage: {new_in_deps or 'none'}")
    assert wrote["unfixed"][0] == 0, f"control: node cannot mkdir ~/.npm/probe in deps unfixed: {wrote['unfixed'][1]}"
    problems += _common_problems(s)
    if new_in_deps:
        problems.append(f"fixed deps stage has root-owned paths in /home that the unfixed one has not: {new_in_deps}")
    if wrote["fixed"][0]:
        problems.append(f"node cannot mkdir ~/.npm/probe in the fixed deps stage: {wrote['fixed'][1].strip()}")
    assert not problems, "\n".join(problems)


def test_numeric_user_with_npm(bk, bk_report, lockfiles):
    # uid 1000 is the node image's `node` user: its home (and npm's cache) is /home/node.
    dockerfile = (
        "FROM node:18\n"
        "USER 1000:1000\n"
        "WORKDIR /home/node/app\n"
        "COPY package.json package-lock.json ./\n"
        "RUN npm ci --loglevel=http\n"
        "COPY . .\n"
        'CMD ["node", "index.js"]\n'
    )
    files = _projects("package-lock.json", lockfiles("npm"))
    s = run_scenario(bk, "uid1000", dockerfile, files[0], files[1], "node index.js", FIRST, SECOND)
    evidence, problems = _npm_evidence(s, "npm ci")
    problems += _writable(bk, s, "1000:1000", "~/.npm/probe", evidence)
    bk_report(s.line("(n5) npm ci as USER 1000:1000", evidence))
    problems += _common_problems(s)
    assert not problems, "\n".join(problems)

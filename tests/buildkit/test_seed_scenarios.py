"""Seed scenarios: common Dockerfiles, built for real before and after `cachemount check --fix`.

Each scenario builds the file as written (A) and as fixed (B), each twice: a first build and a
rebuild after a typical edit (a package added, or a source file changed). Asserted for B:
it builds and runs; the rebuild really reuses the cache (evidence from the package manager's own
output, with A as the control that shows the evidence can tell the difference); no root-owned
path appears in a home dir that A did not have; B is not bigger than A beyond a small tolerance.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest

from tests.buildkit.harness import BuildResult, Daemon, fix

SIZE_TOLERANCE = 512 * 1024  # bytes, or 1 %, whichever is larger


@dataclass
class Variant:
    name: str  # "unfixed" or "fixed"
    dockerfile: str
    first: BuildResult
    second: BuildResult
    smoke: tuple[str, str]  # output of the smoke command after each build
    size: int
    root_owned_home: set[str]


@dataclass
class Scenario:
    unfixed: Variant
    fixed: Variant

    def new_root_owned(self) -> set[str]:
        return self.fixed.root_owned_home - self.unfixed.root_owned_home

    def size_ok(self) -> bool:
        a, b = self.unfixed.size, self.fixed.size
        return b <= a + max(SIZE_TOLERANCE, a // 100)

    def line(self, name: str, evidence: dict[str, str]) -> str:
        def one(v: Variant) -> str:
            return (f"{v.name}: built {v.first.seconds:.0f}s+{v.second.seconds:.0f}s, ran ok, "
                    f"{evidence[v.name]}, {v.size / 1e6:.1f} MB")
        owned = sorted(self.new_root_owned()) or "none"
        return f"{name}\n    {one(self.unfixed)}\n    {one(self.fixed)}\n    new root-owned in /home: {owned}"


def _must_build(result: BuildResult) -> BuildResult:
    assert result.ok, f"build of {result.tag} failed (rc {result.rc}):\n{result.dockerfile}\n" + \
        "\n".join(result.log.splitlines()[-40:])
    return result


def _smoke(bk: Daemon, tag: str, cmd: str, expect: str) -> str:
    rc, out = bk.run(tag, cmd)
    assert rc == 0 and expect in out, f"smoke `{cmd}` in {tag}: rc {rc}, expected {expect!r} in:\n{out}"
    return out


def run_scenario(bk: Daemon, name: str, dockerfile: str, first_files: dict, second_files: dict,
                 smoke_cmd: str, expect_first: str, expect_second: str) -> Scenario:
    fixed_text = fix(dockerfile, first_files)   # checked in its project: the build context is known
    assert fixed_text != dockerfile, "cachemount found nothing to fix"
    assert "--mount=type=cache" in fixed_text
    assert fix(fixed_text, first_files) == fixed_text, "the fix is not idempotent"
    bk.prune()  # every scenario starts cold: no cache mount left by an earlier one
    variants = []
    for variant, text in (("unfixed", dockerfile), ("fixed", fixed_text)):
        tag = f"{name}-{variant}"
        first = _must_build(bk.build(text, first_files, tag))
        out1 = _smoke(bk, first.tag, smoke_cmd, expect_first)
        second = _must_build(bk.build(text, second_files, tag))
        out2 = _smoke(bk, second.tag, smoke_cmd, expect_second)
        variants.append(Variant(variant, text, first, second, (out1, out2), bk.image_size(second.tag),
                                bk.files_owned_by_root_in(second.tag, "/home")))
    return Scenario(*variants)


def run_edit_scenario(bk: Daemon, name: str, dockerfile: str, second: str,
                      smoke_first: tuple[str, str], smoke_second: tuple[str, str]) -> Scenario:
    """Like run_scenario, but the rebuild follows an edit of the Dockerfile itself (a package
    added to the install line): `dockerfile` and `second`, each as written and as fixed."""
    bk.prune()
    variants = []
    for variant, (t1, t2) in (("unfixed", (dockerfile, second)), ("fixed", (fix(dockerfile), fix(second)))):
        tag = f"{name}-{variant}"
        first = _must_build(bk.build(t1, {}, tag))
        out1 = _smoke(bk, first.tag, *smoke_first)
        rebuilt = _must_build(bk.build(t2, {}, tag))
        out2 = _smoke(bk, rebuilt.tag, *smoke_second)
        variants.append(Variant(variant, t2, first, rebuilt, (out1, out2), bk.image_size(rebuilt.tag),
                                bk.files_owned_by_root_in(rebuilt.tag, "/home")))
    return Scenario(*variants)


def can_write(bk: Daemon, s: Scenario, user: str, path: str) -> dict[str, tuple[int, str]]:
    """Per variant, whether `user` can create `path` in the rebuilt image (exit status, output)."""
    return {v.name: bk.run(v.second.tag, f"mkdir -p {path} && echo made", user=user) for v in (s.unfixed, s.fixed)}


# --- what the package managers' own output says -------------------------------------------------

def pip_built(text: str) -> set[str]:
    """Wheels pip built from an sdist in this step."""
    return set(re.findall(r"Building wheel for (\S+)", text))


def pip_cached(text: str) -> set[str]:
    return {m.lower() for m in re.findall(r"Using cached (\S+?)-\d", text)}


def apt_fetched(text: str) -> set[str]:
    """Packages apt downloaded (`Get:N URL suite/comp arch PKG arch VERSION [size]`; index lines
    have fewer fields)."""
    return set(re.findall(r"^Get:\d+ \S+ \S+ \S+ (\S+) \S+ \S+ \[", text, re.MULTILINE))


def apt_need_to_get(text: str) -> str:
    m = re.search(r"^Need to get (.*) of archives", text, re.MULTILINE)
    return m[1] if m else "?"


def npm_fetched(text: str) -> set[str]:
    """Tarballs npm fetched from the registry (`--loglevel=http`); cache hits print no such line."""
    return set(re.findall(r"npm http fetch GET 200 \S+/-/(\S+?)-\d[^/\s]*\.tgz", text))


# --- scenarios -----------------------------------------------------------------------------------

# docopt has only an sdist: pip builds its wheel and keeps it in ~/.cache/pip/wheels. That wheel
# cache is the pip evidence that works here (this machine's index strips caching headers, so
# pip's HTTP cache stays empty; see the recipe's gotchas).
REQS_1 = "docopt==0.6.2\nsix\n"
REQS_2 = REQS_1 + "idna\n"
APP_PY = "import docopt, six\ntry:\n    import idna\n    print('ok', 'idna')\nexcept ImportError:\n    print('ok')\n"


def _pip_evidence(s: Scenario, step: str) -> dict[str, str]:
    a = s.unfixed.second.step(step).text
    b = s.fixed.second.step(step).text
    # Control: without a cache mount the rebuild builds docopt's wheel again.
    assert "docopt" in pip_built(a), f"control: unfixed rebuild should rebuild docopt's wheel:\n{a}"
    # With the mount the rebuild reuses the wheel built by the first build.
    assert "docopt" not in pip_built(b) and "docopt" in pip_cached(b), \
        f"fixed rebuild did not reuse the cached docopt wheel:\n{s.fixed.dockerfile}\n{b}"
    return {v.name: f"rebuild built wheels {sorted(pip_built(t)) or 'none'}, cached {sorted(pip_cached(t)) or 'none'}"
            for v, t in ((s.unfixed, a), (s.fixed, b))}


def _common_problems(s: Scenario) -> list[str]:
    problems = []
    if new := sorted(s.new_root_owned()):
        problems.append(f"fixed image has root-owned paths in /home that the unfixed one has not: {new}")
    if not s.size_ok():
        problems.append(f"fixed image is {s.fixed.size} B, unfixed {s.unfixed.size} B (tolerance exceeded)")
    return problems


def _common_asserts(s: Scenario) -> None:
    problems = _common_problems(s)
    assert not problems, "\n".join(problems)


def test_pip_as_root_without_cache_mount(bk, bk_report):
    dockerfile = (
        "FROM python:3.11-slim\n"
        "WORKDIR /app\n"
        "COPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\n"
        "COPY app.py .\n"
        'CMD ["python", "app.py"]\n'
    )
    s = run_scenario(bk, "pip-root", dockerfile,
                     {"requirements.txt": REQS_1, "app.py": APP_PY}, {"requirements.txt": REQS_2, "app.py": APP_PY},
                     "python app.py", "ok", "ok idna")
    evidence = _pip_evidence(s, "pip install")
    bk_report(s.line("(a) pip as root", evidence))
    _common_asserts(s)


def test_apt_get_on_debian_with_docker_clean(bk, bk_report):
    dockerfile = (
        "FROM debian:bookworm\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends jq\n"
        'CMD ["jq", "--version"]\n'
    )
    second = dockerfile.replace("install -y --no-install-recommends jq", "install -y --no-install-recommends jq file")
    fixed_text = fix(dockerfile)
    assert fix(second) == fixed_text.replace(" jq\n", " jq file\n"), "fix of the edited file differs beyond the edit"
    s = run_edit_scenario(bk, "apt", dockerfile, second, ("jq --version", "jq-"),
                          ("jq --version && file --version", "file-"))
    a = s.unfixed.second.step("apt-get install").text
    b = s.fixed.second.step("apt-get install").text
    first_fetch = apt_fetched(s.fixed.first.step("apt-get install").text)
    assert "jq" in first_fetch, f"first build fetched {first_fetch}"
    # Control: without the cache mounts (and with docker-clean) the rebuild downloads jq again.
    assert "jq" in apt_fetched(a), f"control: unfixed rebuild should download jq again:\n{a}"
    # Fixed: the rebuild downloads only the packages that are new (file and its libraries).
    again = apt_fetched(b) & first_fetch
    assert not again, f"fixed rebuild downloaded again {sorted(again)}:\n{s.fixed.dockerfile}\n{b}"
    assert "file" in apt_fetched(b)
    evidence = {v.name: f"rebuild fetched {sorted(apt_fetched(t))}, Need to get {apt_need_to_get(t)}"
                for v, t in ((s.unfixed, a), (s.fixed, b))}
    bk_report(s.line("(b) apt-get with docker-clean", evidence))
    _common_asserts(s)


def test_copy_all_before_pip_install_is_reordered(bk, bk_report):
    dockerfile = (
        "FROM python:3.11-slim\n"
        "WORKDIR /app\n"
        "COPY . .\n"
        "RUN pip install -r requirements.txt\n"
        'CMD ["python", "app.py"]\n'
    )
    fixed_text = fix(dockerfile, {"requirements.txt": REQS_1, "app.py": APP_PY})
    assert fixed_text.index("COPY requirements.txt") < fixed_text.index("pip install") < fixed_text.index("COPY . .")
    edited_app = APP_PY.replace("print('ok')", "print('ok v2')")
    s = run_scenario(bk, "pip-reorder", dockerfile,
                     {"requirements.txt": REQS_1, "app.py": APP_PY}, {"requirements.txt": REQS_1, "app.py": edited_app},
                     "python app.py", "ok", "ok v2")
    a = s.unfixed.second.step("pip install")
    b = s.fixed.second.step("pip install")
    assert not a.cached, "control: with COPY . . first, a source edit must rerun pip install"
    assert b.cached, f"fixed: a source-only edit reran pip install:\n{s.fixed.dockerfile}"
    evidence = {v.name: f"pip install after app.py edit: {'CACHED' if st.cached else 'rerun'}"
                for v, st in ((s.unfixed, a), (s.fixed, b))}
    bk_report(s.line("(c) COPY . . before pip install (CM201 reorder)", evidence))
    _common_asserts(s)


def test_pip_user_install_as_non_root_user(bk, bk_report):
    dockerfile = (
        "FROM python:3.11-slim\n"
        "RUN useradd -m -u 1001 app\n"
        "USER app\n"
        "WORKDIR /home/app\n"
        "COPY requirements.txt .\n"
        "RUN pip install --user -r requirements.txt\n"
        "COPY app.py .\n"
        'CMD ["python", "app.py"]\n'
    )
    s = run_scenario(bk, "pip-user", dockerfile,
                     {"requirements.txt": REQS_1, "app.py": APP_PY}, {"requirements.txt": REQS_2, "app.py": APP_PY},
                     "python app.py", "ok", "ok idna")
    evidence = _pip_evidence(s, "pip install")
    mkdir = can_write(bk, s, "app", "~/.cache/other")
    for v in (s.unfixed, s.fixed):
        evidence[v.name] += f", app can mkdir ~/.cache/other: {'yes' if mkdir[v.name][0] == 0 else 'NO'}"
    bk_report(s.line("(d) pip --user as non-root user app (uid 1001)", evidence))
    assert mkdir["unfixed"][0] == 0, f"control: app cannot mkdir ~/.cache/other unfixed: {mkdir['unfixed'][1]}"
    problems = _common_problems(s)
    if mkdir["fixed"][0]:
        problems.append(f"app cannot mkdir ~/.cache/other in the fixed image: {mkdir['fixed'][1].strip()}")
    assert not problems, "\n".join(problems)


NPM_DEPS_1 = {"ms": "2.1.3", "is-number": "7.0.0"}
NPM_DEPS_2 = {**NPM_DEPS_1, "inherits": "2.0.4"}
# Debian's node finds some modules (inherits among them) in /usr/share/nodejs without any install,
# so the smoke test says where inherits came from: the project's node_modules only once installed.
INDEX_JS = ("require('ms'); require('is-number');\n"
            "let local = 'no';\n"
            "try { local = require.resolve('inherits').includes('node_modules') ? 'yes' : 'no'; } catch (e) {}\n"
            "console.log('ok local-inherits=' + local);\n")
FIRST, SECOND = "ok local-inherits=no", "ok local-inherits=yes"


def _package_json(deps: dict) -> str:
    return json.dumps({"name": "seed", "version": "1.0.0", "private": True, "dependencies": deps}, indent=2) + "\n"


@pytest.fixture
def npm_lockfiles(bk):
    """package-lock.json for each dependency set, made by the node image's own npm."""
    locks = []
    for deps in (NPM_DEPS_1, NPM_DEPS_2):
        script = ("mkdir /tmp/p && cd /tmp/p && cat > package.json && "
                  "npm install --package-lock-only --no-audit --no-fund --loglevel=error >&2 && cat package-lock.json")
        proc = bk.docker("run", "--rm", "-i", "--network=host", "local/node:18", "sh", "-c", script,
                         input=_package_json(deps))
        assert proc.returncode == 0, f"npm could not make a lock file: {proc.stderr}"
        assert json.loads(proc.stdout)["packages"]
        locks.append(proc.stdout)
    return locks


def test_npm_ci_with_lockfile(bk, bk_report, npm_lockfiles):
    dockerfile = (
        "FROM node:18\n"
        "WORKDIR /app\n"
        "COPY package.json package-lock.json ./\n"
        "RUN npm ci --loglevel=http\n"
        "COPY . .\n"
        'CMD ["node", "index.js"]\n'
    )
    files = [{"package.json": _package_json(deps), "package-lock.json": lock, "index.js": INDEX_JS}
             for deps, lock in zip((NPM_DEPS_1, NPM_DEPS_2), npm_lockfiles)]
    s = run_scenario(bk, "npm-ci", dockerfile, files[0], files[1], "node index.js", FIRST, SECOND)
    first = npm_fetched(s.fixed.first.step("npm ci").text)
    a = npm_fetched(s.unfixed.second.step("npm ci").text)
    b = npm_fetched(s.fixed.second.step("npm ci").text)
    assert first == set(NPM_DEPS_1), f"first build fetched {first}"
    assert a == set(NPM_DEPS_2), f"control: unfixed rebuild should fetch every tarball again, fetched {a}"
    assert b == {"inherits"}, f"fixed rebuild should fetch only the new tarball, fetched {b}:\n{s.fixed.dockerfile}"
    evidence = {v.name: f"rebuild fetched tarballs {sorted(t)}" for v, t in ((s.unfixed, a), (s.fixed, b))}
    bk_report(s.line("(e) npm ci with package-lock.json", evidence))
    _common_asserts(s)

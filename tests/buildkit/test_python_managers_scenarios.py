"""Python package managers, built for real before and after `cachemount check --fix` (issue 11):
pip with a flag or a mount option that defeats or misses its cache mount, uv's two-step sync, non-root
users (a numeric `USER`, uv as a user), Poetry and PDM with lock files made by the tools themselves,
and `COPY . .` before a uv/Poetry/PDM install that leaves the dev group out (CM201's prefetch step).

Each scenario builds the file as written (unfixed) and as fixed, each twice: a first build and a
rebuild after a dependency is added (requirements.txt, or pyproject.toml and its lock file). Asserted
for the fixed file: it builds and the image runs; the rebuild reuses the cache (evidence from the
manager's own output, the unfixed rebuild as the control); no new root-owned path in /home; the image
is not bigger beyond a small tolerance; a non-root user can still write ~/.cache at run time; an
install that leaves the dev group out still leaves it out of the fixed image.

docopt has only an sdist, so every manager builds its wheel: "built docopt again" against "reused the
wheel it built" is the evidence that works on this machine, whose index strips HTTP caching headers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest

from tests.buildkit.harness import Daemon, fix
from tests.buildkit.test_seed_scenarios import (APP_PY, REQS_1, REQS_2, Scenario, _common_problems, _pip_evidence,
                                                can_write, run_scenario)

# The index is reached through a TLS proxy whose CA is in the system bundle (mk-base.sh copies it in);
# uv (webpki roots) and Poetry (certifi via requests) trust only their own bundles unless told. Both
# variables name Debian's bundle, which is valid on any machine, and mean nothing to cachemount.
TLS_ENV = "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt\n"

DEPS_1 = ["docopt==0.6.2", "six"]
DEPS_2 = DEPS_1 + ["idna"]
DEV = "iniconfig"   # the dev group, in every pyproject.toml here; installed by default by all three


@dataclass(frozen=True)
class Tool:
    name: str
    install: str   # what `pip install` takes; pinned, because their log lines are the evidence
    table: str     # pyproject.toml tables: the tool's settings and the dev group
    lock_file: str
    cache: str     # root's cache dir


# No [build-system]: uv and PDM treat the project as virtual, Poetry's package-mode = false likewise.
UV = Tool("uv", "uv==0.13.9", f'\n[dependency-groups]\ndev = ["{DEV}"]\n', "uv.lock", "/root/.cache/uv")
# Poetry's PyPI source needs PyPI's JSON API, which this index does not serve (404); a PEP 503
# source is what Poetry users behind a mirror write.
POETRY = Tool("poetry", "poetry==2.5.1",
              '\n[tool.poetry]\npackage-mode = false\n\n[[tool.poetry.source]]\nname = "simple"\n'
              f'url = "https://pypi.org/simple/"\npriority = "primary"\n\n[tool.poetry.group.dev.dependencies]\n{DEV} = "*"\n',
              "poetry.lock", "/root/.cache/pypoetry")
# pdm 2.29 breaks with hishel 2 (no SyncSqliteStorage).
PDM = Tool("pdm", 'pdm==2.29.4 "hishel<2"', f'\n[tool.pdm]\ndistribution = false\n\n[dependency-groups]\ndev = ["{DEV}"]\n',
           "pdm.lock", "/root/.cache/pdm")


def _pyproject(deps: list[str], tool: Tool) -> str:
    return ('[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
            f"dependencies = {json.dumps(deps)}\n" + tool.table)


# --- lock files, made by each tool in the local python image ---------------------------------------

_LOCKS: dict[str, tuple[str, str]] = {}
_SEP = "=====8<=====cachemount-lock=====8<====="


def _locks(bk: Daemon, tool: Tool) -> tuple[str, str]:
    """The lock file of DEPS_1 and of DEPS_2, made by `<tool> lock` (once per session and tool)."""
    if tool.name in _LOCKS:
        return _LOCKS[tool.name]
    script = (f"set -e; pip install -q {tool.install} >&2; mkdir /tmp/p; cd /tmp/p; "
              f'for p in "$P1" "$P2"; do printf "%s" "$p" > pyproject.toml; rm -f {tool.lock_file}; '
              f"{tool.name} lock >&2; cat {tool.lock_file}; echo; echo '{_SEP}'; done")
    proc = bk.docker("run", "--rm", "--network=host",
                     "-e", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
                     "-e", "REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt",
                     "-e", f"P1={_pyproject(DEPS_1, tool)}", "-e", f"P2={_pyproject(DEPS_2, tool)}",
                     "local/python:3.11-slim", "sh", "-c", script)
    assert proc.returncode == 0, f"`{tool.name} lock` could not make {tool.lock_file}:\n{proc.stderr[-3000:]}"
    parts = [p.strip("\n") + "\n" for p in proc.stdout.split(_SEP + "\n")[:2]]
    assert len(parts) == 2 and all("docopt" in p and DEV in p for p in parts), proc.stdout
    assert "idna" not in parts[0] and "idna" in parts[1], proc.stdout
    _LOCKS[tool.name] = (parts[0], parts[1])
    return _LOCKS[tool.name]


def _project_files(bk: Daemon, tool: Tool) -> tuple[dict, dict]:
    """The build context before and after idna is added: pyproject.toml, its lock file, app.py."""
    first, second = ({"pyproject.toml": _pyproject(deps, tool), tool.lock_file: lock, "app.py": APP_PY}
                     for deps, lock in zip((DEPS_1, DEPS_2), _locks(bk, tool)))
    return first, second


# --- what uv, Poetry and PDM say ---------------------------------------------------------------------

def uv_built(text: str) -> set[str]:
    """Distributions uv built from an sdist (`Built docopt==0.6.2`)."""
    return set(re.findall(r"^\s*Built (\S+?)==", text, re.MULTILINE))


def uv_prepared(text: str) -> int:
    """How many distributions uv downloaded or built (`Prepared 2 packages in 4.30s`); none: no line."""
    m = re.search(r"Prepared (\d+) packages? in", text)
    return int(m[1]) if m else 0


def poetry_fetched(text: str) -> set[str]:
    """Archives Poetry downloaded (urllib3's log at -vvv); artifacts in its cache are not fetched."""
    return {m.lower() for m in re.findall(r'"GET /packages/\S+/([A-Za-z0-9_.]+?)-\d[^/\s]*\.(?:tar\.gz|whl|zip) HTTP',
                                          text)}


def poetry_builds(text: str) -> int:
    """Wheels Poetry built from sdists (pypa/build's log at -vvv; it does not name the package)."""
    return text.count("[build:build] Building wheel")


def pdm_built(text: str) -> set[str]:
    """Wheels PDM built from an sdist (-v)."""
    return {m.lower() for m in re.findall(r"build a wheel for <Link \S+/([A-Za-z0-9_.]+?)-\d", text)}


def pdm_cached(text: str) -> set[str]:
    """Wheels PDM took from its wheel cache (-v)."""
    return {m.lower() for m in re.findall(r"Using cached wheel: \S+/([A-Za-z0-9_.]+?)-\d", text)}


def _check_write(bk: Daemon, s: Scenario, user: str, evidence: dict[str, str]) -> list[str]:
    """Whether `user` can still make a dir in ~/.cache at run time: noted in the evidence, the
    unfixed image asserted (the control), the fixed one returned as a problem."""
    wrote = can_write(bk, s, user, "~/.cache/other/probe")
    for name, (rc, _) in wrote.items():
        evidence[name] += f", {user} can mkdir ~/.cache/other: {'yes' if rc == 0 else 'NO'}"
    assert wrote["unfixed"][0] == 0, f"control: {user} cannot write ~/.cache unfixed: {wrote['unfixed'][1]}"
    return [f"{user} cannot write ~/.cache in the fixed image: {wrote['fixed'][1].strip()}"] if wrote["fixed"][0] else []


def _assert_no_problems(problems: list[str]) -> None:
    assert not problems, "\n".join(problems)


# --- pip: a mount that is there but defeated or missed ---------------------------------------------

PIP_DOCKERFILE = (
    "FROM python:3.11-slim\n"
    "{env}"
    "WORKDIR /app\n"
    "COPY requirements.txt .\n"
    "RUN {run}\n"
    "COPY app.py .\n"
    'CMD ["python", "app.py"]\n'
)


@pytest.mark.parametrize("label, tag, env, run, fixed_run", [
    pytest.param("(p1) pip --no-cache-dir next to a pip cache mount (CM103)", "pip-nocachedir", "",
                 "--mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir -r requirements.txt",
                 "--mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt", id="no-cache-dir"),
    # The image keeps the ENV for run time; the install step overrides it (pip ignores an empty value).
    pytest.param("(p2) ENV PIP_NO_CACHE_DIR=1, no cache mount (CM101 + env override)", "pip-env", "ENV PIP_NO_CACHE_DIR=1\n",
                 "pip install -r requirements.txt",
                 "--mount=type=cache,target=/root/.cache/pip PIP_NO_CACHE_DIR= pip install -r requirements.txt",
                 id="env-no-cache-dir"),
    pytest.param("(p3) pip cache mount, sharing=locked, wrong target /root/.pip-cache (CM102)", "pip-locked", "",
                 "--mount=type=cache,target=/root/.pip-cache,sharing=locked pip install -r requirements.txt",
                 "--mount=type=cache,target=/root/.cache/pip,sharing=locked pip install -r requirements.txt",
                 id="locked-wrong-target"),
    # pip's HTTP cache only: the wheels pip builds land in ~/.cache/pip/wheels, outside the mount.
    pytest.param("(p4) pip cache mount, sharing=private, on pip's http/ subdir only (CM102)", "pip-private", "",
                 "--mount=type=cache,target=/root/.cache/pip/http,sharing=private pip install -r requirements.txt",
                 "--mount=type=cache,target=/root/.cache/pip,sharing=private pip install -r requirements.txt",
                 id="private-http-subdir"),
])
def test_pip_cache_mount_that_is_defeated_or_missed(bk, bk_report, label, tag, env, run, fixed_run):
    dockerfile = PIP_DOCKERFILE.format(env=env, run=run)
    first = {"requirements.txt": REQS_1, "app.py": APP_PY}
    assert fix(dockerfile, first) == PIP_DOCKERFILE.format(env=env, run=fixed_run)
    s = run_scenario(bk, tag, dockerfile, first, {"requirements.txt": REQS_2, "app.py": APP_PY},
                     "python app.py", "ok", "ok idna")
    evidence = _pip_evidence(s, "pip install")
    bk_report(s.line(label, evidence))
    _assert_no_problems(_common_problems(s))


# --- uv's two-step sync ----------------------------------------------------------------------------

UV_ROOT = (
    "FROM python:3.11-slim\n"
    + TLS_ENV
    + "{env}"
    + f"RUN --mount=type=cache,target=/root/.cache/pip pip install {UV.install}\n"
    "WORKDIR /app\n"
    "RUN --mount=type=bind,source=uv.lock,target=uv.lock --mount=type=bind,source=pyproject.toml,target=pyproject.toml"
    " {mount}uv sync --locked --no-install-project\n"
    "COPY . .\n"
    "RUN uv sync --locked\n"
    'CMD ["/app/.venv/bin/python", "app.py"]\n'
)


def _uv_evidence(s: Scenario) -> dict[str, str]:
    a = s.unfixed.second.step("--no-install-project").text
    b = s.fixed.second.step("--no-install-project").text
    assert "docopt" in uv_built(s.fixed.first.step("--no-install-project").text), "first build should build docopt"
    # Control: without a (working) cache mount the rebuild builds docopt again and fetches everything
    # (docopt, six, idna and the dev group's package).
    assert "docopt" in uv_built(a) and uv_prepared(a) == 4, f"control: unfixed rebuild should prepare all 4 again:\n{a}"
    # Fixed: docopt's wheel, six and the dev package come from the cache; only idna, the new one, is prepared.
    assert not uv_built(b) and uv_prepared(b) == 1, \
        f"fixed rebuild did not reuse uv's cache:\n{s.fixed.dockerfile}\n{b}"
    return {v.name: f"rebuild built {sorted(uv_built(t)) or 'none'}, prepared {uv_prepared(t)}"
            for v, t in ((s.unfixed, a), (s.fixed, b))}


@pytest.mark.parametrize("label, tag, env, mount, override", [
    pytest.param("(p5) uv two-step sync as root, no cache mount (CM101)", "uv-root", "", "", "", id="no-mount"),
    # The deps step has its mount, which UV_NO_CACHE defeats; the project step has none.
    pytest.param("(p6) uv two-step sync, ENV UV_NO_CACHE=1 and a uv cache mount on the deps step (CM103 + CM101)",
                 "uv-env", "ENV UV_NO_CACHE=1\n", "--mount=type=cache,target=/root/.cache/uv ", "UV_NO_CACHE=false ",
                 id="env-no-cache"),
])
def test_uv_two_step_sync(bk, bk_report, label, tag, env, mount, override):
    dockerfile = UV_ROOT.format(env=env, mount=mount)
    files = _project_files(bk, UV)
    fixed = fix(dockerfile, files[0])
    assert fixed.count(f"--mount=type=cache,target=/root/.cache/uv {override}uv sync --locked") == 2, fixed
    s = run_scenario(bk, tag, dockerfile, files[0], files[1], "/app/.venv/bin/python app.py", "ok", "ok idna")
    evidence = _uv_evidence(s)
    bk_report(s.line(label, evidence))
    _assert_no_problems(_common_problems(s))


# --- non-root users --------------------------------------------------------------------------------

def test_pip_user_install_as_numeric_user(bk, bk_report):
    dockerfile = (
        "FROM python:3.11-slim\n"
        "RUN useradd -m -u 1000 app\n"
        "USER 1000:1000\n"
        "WORKDIR /home/app\n"
        "COPY requirements.txt .\n"
        "RUN pip install --user -r requirements.txt\n"
        "COPY app.py .\n"
        'CMD ["python", "app.py"]\n'
    )
    s = run_scenario(bk, "pip-numeric-user", dockerfile,
                     {"requirements.txt": REQS_1, "app.py": APP_PY}, {"requirements.txt": REQS_2, "app.py": APP_PY},
                     "python app.py", "ok", "ok idna")
    assert "/home/app/.cache/pip" in s.fixed.dockerfile, s.fixed.dockerfile
    evidence = _pip_evidence(s, "pip install")
    problems = _check_write(bk, s, "1000:1000", evidence)
    bk_report(s.line("(p7) pip --user as `USER 1000:1000` (numeric, after useradd -m -u 1000 app)", evidence))
    _assert_no_problems(_common_problems(s) + problems)


def test_uv_two_step_sync_as_non_root_user(bk, bk_report):
    dockerfile = (
        "FROM python:3.11-slim\n"
        + TLS_ENV
        + f"RUN --mount=type=cache,target=/root/.cache/pip pip install {UV.install}\n"
        "RUN useradd -m -u 1000 app\n"
        "USER app\n"
        "WORKDIR /home/app\n"
        "RUN --mount=type=bind,source=uv.lock,target=uv.lock --mount=type=bind,source=pyproject.toml,target=pyproject.toml"
        " uv sync --locked --no-install-project\n"
        "COPY --chown=app:app . .\n"
        "RUN uv sync --locked\n"
        'CMD ["/home/app/.venv/bin/python", "app.py"]\n'
    )
    files = _project_files(bk, UV)
    s = run_scenario(bk, "uv-user", dockerfile, files[0], files[1], "/home/app/.venv/bin/python app.py", "ok", "ok idna")
    assert "target=/home/app/.cache/uv" in s.fixed.dockerfile, s.fixed.dockerfile
    evidence = _uv_evidence(s)
    problems = _check_write(bk, s, "app", evidence)
    bk_report(s.line("(p8) uv two-step sync as `USER app` (uid 1000)", evidence))
    _assert_no_problems(_common_problems(s) + problems)


# --- Poetry and PDM --------------------------------------------------------------------------------

def test_poetry_install_with_in_project_virtualenv(bk, bk_report):
    # With the virtualenv in the project, the cache mount is a safe fix (the default virtualenv
    # lives in Poetry's cache dir and would vanish with a mount there). -vvv logs each download.
    dockerfile = (
        "FROM python:3.11-slim\n"
        + TLS_ENV
        + f"RUN --mount=type=cache,target=/root/.cache/pip pip install {POETRY.install}\n"
        "ENV POETRY_VIRTUALENVS_IN_PROJECT=true\n"
        "WORKDIR /app\n"
        "COPY pyproject.toml poetry.lock ./\n"
        "RUN poetry install --no-root -vvv\n"
        "COPY . .\n"
        'CMD ["/app/.venv/bin/python", "app.py"]\n'
    )
    files = _project_files(bk, POETRY)
    s = run_scenario(bk, "poetry", dockerfile, files[0], files[1], "/app/.venv/bin/python app.py", "ok", "ok idna")
    assert "target=/root/.cache/pypoetry" in s.fixed.dockerfile, s.fixed.dockerfile
    a = s.unfixed.second.step("poetry install").text
    b = s.fixed.second.step("poetry install").text
    assert {"docopt", "six"} <= poetry_fetched(s.fixed.first.step("poetry install").text)
    assert {"docopt", "six", "idna", DEV} <= poetry_fetched(a) and poetry_builds(a), \
        f"control: unfixed rebuild should fetch every archive and build docopt again:\n{a}"
    assert poetry_fetched(b) == {"idna"} and not poetry_builds(b), \
        f"fixed rebuild should fetch only idna and build nothing:\n{s.fixed.dockerfile}\n{b}"
    evidence = {v.name: f"rebuild fetched {sorted(poetry_fetched(t))}, built {poetry_builds(t)} wheel(s)"
                for v, t in ((s.unfixed, a), (s.fixed, b))}
    bk_report(s.line("(p9) poetry install --no-root, POETRY_VIRTUALENVS_IN_PROJECT=true", evidence))
    _assert_no_problems(_common_problems(s))


def test_pdm_install(bk, bk_report):
    dockerfile = (
        "FROM python:3.11-slim\n"
        + TLS_ENV
        + f"RUN --mount=type=cache,target=/root/.cache/pip pip install {PDM.install}\n"
        "WORKDIR /app\n"
        "COPY pyproject.toml pdm.lock ./\n"
        "RUN pdm install --no-self --frozen-lockfile -v\n"
        "COPY . .\n"
        'CMD ["/app/.venv/bin/python", "app.py"]\n'
    )
    files = _project_files(bk, PDM)
    s = run_scenario(bk, "pdm", dockerfile, files[0], files[1], "/app/.venv/bin/python app.py", "ok", "ok idna")
    assert "target=/root/.cache/pdm" in s.fixed.dockerfile, s.fixed.dockerfile
    a = s.unfixed.second.step("pdm install").text
    b = s.fixed.second.step("pdm install").text
    assert "docopt" in pdm_built(a), f"control: unfixed rebuild should build docopt's wheel again:\n{a}"
    assert "docopt" not in pdm_built(b) and "docopt" in pdm_cached(b), \
        f"fixed rebuild did not reuse the cached docopt wheel:\n{s.fixed.dockerfile}\n{b}"
    evidence = {v.name: f"rebuild built wheels {sorted(pdm_built(t)) or 'none'}, cached {sorted(pdm_cached(t)) or 'none'}"
                for v, t in ((s.unfixed, a), (s.fixed, b))}
    bk_report(s.line("(p10) pdm install --no-self", evidence))
    _assert_no_problems(_common_problems(s))


# --- COPY . . before the install, dev group left out: CM201's prefetch step -------------------------

# After the install: the wheel of docopt in the cache dir, made by this build (it built it again) or
# reused. The context's files are written just before each build, and COPY keeps their mtime.
PROBE = (" && find {cache} -name 'docopt-*.whl' -newer pyproject.toml -printf 'docopt wheel made now\\n'"
         " -o -name 'docopt-*.whl' -printf 'docopt wheel reused\\n'")
# app.py's "ok", then whether the dev group's package is in the image.
DEV_SMOKE = (f"/app/.venv/bin/python app.py && /app/.venv/bin/python -c 'import {DEV}' 2>/dev/null "
             "&& echo 'dev group installed' || echo 'dev group left out'")


def _step_after(result, needle: str):
    """The step that follows the one whose instruction contains `needle` (one stage)."""
    steps = result.steps
    i = steps.index(result.step(needle))
    return steps[i + 1]


@pytest.mark.parametrize("label, tool, env, install", [
    pytest.param("(p11) COPY . . before uv sync --locked --no-dev (CM201 prefetch + CM101)", UV, "",
                 "uv sync --locked --no-dev", id="uv"),
    # Poetry and PDM print nothing about their caches without -v, and the prefetch step has no -v:
    # the probe in the install step tells whether docopt's wheel was built again.
    pytest.param("(p12) COPY . . before poetry install --only main (CM201 prefetch + CM101)", POETRY,
                 "ENV POETRY_VIRTUALENVS_IN_PROJECT=true\n", "poetry install --only main", id="poetry"),
    pytest.param("(p13) COPY . . before pdm install --prod (CM201 prefetch + CM101)", PDM, "",
                 "pdm install --prod", id="pdm"),
])
def test_copy_all_before_install_without_the_dev_group(bk, bk_report, label, tool, env, install):
    probe = "" if tool is UV else PROBE.format(cache=tool.cache)
    dockerfile = (
        "FROM python:3.11-slim\n"
        + TLS_ENV
        + f"RUN --mount=type=cache,target=/root/.cache/pip pip install {tool.install}\n"
        + env
        + "WORKDIR /app\n"
        "COPY . .\n"
        f"RUN {install}{probe}\n"
        'CMD ["/app/.venv/bin/python", "app.py"]\n'
    )
    first, second = _project_files(bk, tool)
    fixed = fix(dockerfile, first)
    assert fixed.index(f"COPY pyproject.toml {tool.lock_file}") < fixed.index("COPY . .") and \
        fixed.count(f"--mount=type=cache,target={tool.cache} ") == 2, fixed
    s = run_scenario(bk, f"{tool.name}-reorder", dockerfile, first, second, "/app/.venv/bin/python app.py", "ok", "ok idna")
    if tool is UV:
        # The rebuild downloads in the install step unfixed, in the prefetch step fixed.
        a = s.unfixed.second.step(install).text
        b = _step_after(s.fixed.second, "COPY pyproject.toml").text
        assert "docopt" in uv_built(a), f"control: unfixed rebuild should build docopt again:\n{a}"
        assert not uv_built(b) and uv_prepared(b) == 1, f"fixed rebuild did not reuse uv's cache:\n{fixed}\n{b}"
        evidence = {v.name: f"rebuild built {sorted(uv_built(t)) or 'none'}, prepared {uv_prepared(t)}"
                    for v, t in ((s.unfixed, a), (s.fixed, b))}
    else:
        found = {v.name: re.findall(r"docopt wheel (made now|reused)", v.second.step("docopt-*.whl").text)
                 for v in (s.unfixed, s.fixed)}
        assert found["unfixed"] == ["made now"], f"control: unfixed rebuild should build docopt again: {found}"
        assert found["fixed"] == ["reused"], f"fixed rebuild did not reuse the cached docopt wheel: {found}\n{fixed}"
        evidence = {name: f"docopt wheel after the rebuild: {', '.join(f) or 'none'}" for name, f in found.items()}
    dev = {v.name: bk.run(v.second.tag, DEV_SMOKE)[1].strip().splitlines()[-1] for v in (s.unfixed, s.fixed)}
    for name in dev:
        evidence[name] += f", {dev[name]}"
    bk_report(s.line(label, evidence))
    assert dev["unfixed"] == "dev group left out", f"control: {dev}"
    problems = _common_problems(s)
    if dev["fixed"] != "dev group left out":
        problems.append(f"the fixed image has the dev group ({DEV}) that `{install}` leaves out:\n{fixed}")
    _assert_no_problems(problems)

"""CM102's retarget under a non-root user's home, built for real (issue 11 follow-up): a cache mount
at root's dir (`/root/.cache/pip`, `/root/.npm`) while `USER app` runs the manager, whose cache is
under its own home. The fix retargets the mount there, adds uid=/gid=, and first makes the new dir
as the user (`RUN mkdir -p ...`) where the home is known to exist, because BuildKit would make a
missing mount point owned by root (moby/buildkit#3153); where the home is not known to exist the
retarget is unsafe (`check --fix --unsafe-fixes` only).

Each scenario builds the file as written (unfixed, the control) and as fixed, each twice (a first
build and a rebuild after a dependency is added), and asserts from the builds: the fixed file
builds and runs; its rebuild reuses the cache (the manager's own output; the unfixed rebuild shows
the evidence can tell); no new root-owned path in /home; the image is not bigger; the user can
still write in its home's cache dir at run time.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


from tests.buildkit.editor_fix import editor_quick_fix
from tests.buildkit.harness import Daemon, fix
from tests.buildkit.test_seed_scenarios import (APP_PY, FIRST, INDEX_JS, NPM_DEPS_1, NPM_DEPS_2, REQS_1, REQS_2, SECOND,
                                                Scenario, Variant, _common_problems, _must_build, _package_json,
                                                _pip_evidence, _smoke, can_write, npm_fetched, npm_lockfiles,
                                                run_scenario)

__all__ = ["npm_lockfiles"]   # the fixture, shared with the seed scenarios

PIP_FILES = ({"requirements.txt": REQS_1, "app.py": APP_PY}, {"requirements.txt": REQS_2, "app.py": APP_PY})


def fix_unsafe(dockerfile: str, context_files: dict[str, str | bytes]) -> str:
    """`cachemount check --fix --unsafe-fixes` of `dockerfile` in a context of `context_files`; the
    editor's one "(unsafe)" retarget quick fix must write the same text."""
    exe = shutil.which("cachemount", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-m", "cachemount"]
    with tempfile.TemporaryDirectory(prefix="cm-fix-ctx-") as ctx:
        for rel, content in context_files.items():
            path = Path(ctx, rel)
            path.parent.mkdir(parents=True, exist_ok=True)
            (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
        proc = subprocess.run(cmd + ["check", "--fix", "--unsafe-fixes", "--context", ctx, "-"], input=dockerfile,
                              capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), f"check --fix --unsafe-fixes exited {proc.returncode}: {proc.stderr.strip()}"
    fixed = proc.stdout or dockerfile
    quick = editor_quick_fix(dockerfile, context_files, "Retarget the cache mount")
    assert quick == fixed, f"the editor's unsafe quick fix differs from the CLI:\n--- CLI\n{fixed}--- editor\n{quick}"
    return fixed


def run_pair(bk: Daemon, name: str, unfixed: str, fixed: str, first_files: dict, second_files: dict,
             smoke_cmd: str, expect_first: str, expect_second: str) -> Scenario:
    """run_scenario for a fixed text made elsewhere (the unsafe fix): both built twice, from cold."""
    bk.prune()
    variants = []
    for variant, text in (("unfixed", unfixed), ("fixed", fixed)):
        tag = f"{name}-{variant}"
        first = _must_build(bk.build(text, first_files, tag))
        out1 = _smoke(bk, first.tag, smoke_cmd, expect_first)
        second = _must_build(bk.build(text, second_files, tag))
        out2 = _smoke(bk, second.tag, smoke_cmd, expect_second)
        variants.append(Variant(variant, text, first, second, (out1, out2), bk.image_size(second.tag),
                                bk.files_owned_by_root_in(second.tag, "/home")))
    return Scenario(*variants)


def _note_write(bk: Daemon, s: Scenario, user: str, path: str, evidence: dict[str, str]) -> dict[str, tuple[int, str]]:
    wrote = can_write(bk, s, user, path)
    for name, (rc, _) in wrote.items():
        evidence[name] += f", {user} can mkdir {path}: {'yes' if rc == 0 else 'NO'}"
    return wrote


def _write_problems(wrote: dict[str, tuple[int, str]], user: str, path: str) -> list[str]:
    """The unfixed image asserted (the control), the fixed one returned as a problem."""
    assert wrote["unfixed"][0] == 0, f"control: {user} cannot mkdir {path} unfixed: {wrote['unfixed'][1]}"
    return [f"{user} cannot mkdir {path} in the fixed image: {wrote['fixed'][1].strip()}"] if wrote["fixed"][0] else []


# --- (r1) pip --user as `useradd -m app`, mount at root's pip cache ------------------------------

def test_pip_mount_at_roots_cache_as_useradd_user(bk, bk_report):
    dockerfile = (
        "FROM python:3.11-slim\n"
        "RUN useradd -m app\n"
        "USER app\n"
        "WORKDIR /home/app\n"
        "COPY requirements.txt .\n"
        "RUN --mount=type=cache,target=/root/.cache/pip pip install --user -r requirements.txt\n"
        "COPY app.py .\n"
        'CMD ["python", "app.py"]\n'
    )
    # Safe (useradd -m made the home): retargeted, owned by app, the dir made by app first.
    assert fix(dockerfile, PIP_FILES[0]) == dockerfile.replace(
        "RUN --mount=type=cache,target=/root/.cache/pip ",
        "RUN mkdir -p /home/app/.cache/pip\n"
        "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000 ")
    s = run_scenario(bk, "cm102-pip-app", dockerfile, *PIP_FILES, "python app.py", "ok", "ok idna")
    evidence = _pip_evidence(s, "pip install")
    wrote = _note_write(bk, s, "app", "~/.cache/other/probe", evidence)
    bk_report(s.line("(r1) CM102 retarget: pip --user as `useradd -m app`, mount at /root/.cache/pip", evidence))
    problems = _common_problems(s) + _write_problems(wrote, "app", "~/.cache/other/probe")
    assert not problems, "\n".join(problems)


# --- (r2) npm ci as the node image's `node` user, mount at root's npm cache ----------------------

def test_npm_mount_at_roots_cache_as_node_user(bk, bk_report, npm_lockfiles):
    dockerfile = (
        "FROM node:18\n"
        "USER node\n"
        "WORKDIR /home/node\n"
        "COPY package.json package-lock.json ./\n"
        "RUN --mount=type=cache,target=/root/.npm npm ci --loglevel=http\n"
        "COPY index.js .\n"
        'CMD ["node", "index.js"]\n'
    )
    files = [{"package.json": _package_json(deps), "package-lock.json": lock, "index.js": INDEX_JS}
             for deps, lock in zip((NPM_DEPS_1, NPM_DEPS_2), npm_lockfiles)]
    assert fix(dockerfile, files[0]) == dockerfile.replace(
        "RUN --mount=type=cache,target=/root/.npm ",
        "RUN mkdir -p /home/node/.npm\n"
        "RUN --mount=type=cache,target=/home/node/.npm,uid=1000,gid=1000 ")
    s = run_scenario(bk, "cm102-npm-node", dockerfile, files[0], files[1], "node index.js", FIRST, SECOND)
    a = npm_fetched(s.unfixed.second.step("npm ci").text)
    b = npm_fetched(s.fixed.second.step("npm ci").text)
    assert a == set(NPM_DEPS_2), f"control: unfixed rebuild should fetch every tarball again, fetched {a}"
    assert b == {"inherits"}, f"fixed rebuild should fetch only the new tarball, fetched {b}:\n{s.fixed.dockerfile}"
    evidence = {v.name: f"rebuild fetched tarballs {sorted(t)}" for v, t in ((s.unfixed, a), (s.fixed, b))}
    npm_dir = _note_write(bk, s, "node", "~/.npm/probe", evidence)
    other = _note_write(bk, s, "node", "~/.cache/other/probe", evidence)
    bk_report(s.line("(r2) CM102 retarget: npm ci as the node image's `node` user, mount at /root/.npm", evidence))
    problems = (_common_problems(s) + _write_problems(npm_dir, "node", "~/.npm/probe")
                + _write_problems(other, "node", "~/.cache/other/probe"))
    assert not problems, "\n".join(problems)


# --- (r3) a home that does not exist -------------------------------------------------------------

# pip into a venv the user owns: without a home, `pip install --user` could not run at all. The
# system site gives the venv Debian's `wheel`, without which pip installs docopt by `setup.py
# install` and builds (and caches) no wheel: the evidence the pip scenarios read.
NO_HOME = (
    "FROM python:3.11-slim\n"
    "RUN {make_user}python -m venv --system-site-packages /opt/venv && chown -R {user} /opt/venv\n"
    "ENV PATH=/opt/venv/bin:$PATH\n"
    "USER {user}\n"
    "WORKDIR /app\n"
    "COPY requirements.txt .\n"
    "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n"
    "COPY app.py .\n"
    'CMD ["python", "app.py"]\n'
)


def test_pip_mount_at_roots_cache_as_user_without_home_is_unsafe(bk, bk_report):
    # `useradd` without -m: /home/app is never made, so the retarget cannot make its dir as app
    # first and is unsafe (BuildKit makes /home/app/.cache/pip and its parents as root).
    dockerfile = NO_HOME.format(make_user="useradd app && ", user="app")
    assert fix(dockerfile, PIP_FILES[0]) == dockerfile, "`check --fix` applied the unsafe retarget"
    fixed = fix_unsafe(dockerfile, PIP_FILES[0])
    assert fixed == dockerfile.replace("target=/root/.cache/pip ", "target=/home/app/.cache/pip,uid=1000,gid=1000 ")
    s = run_pair(bk, "cm102-pip-nohome", dockerfile, fixed, *PIP_FILES, "python app.py", "ok", "ok idna")
    evidence = _pip_evidence(s, "pip install")
    wrote = _note_write(bk, s, "app", "~/.cache/other/probe", evidence)
    bk_report(s.line("(r3a) CM102 retarget (unsafe, --unsafe-fixes): pip as `useradd app` (no -m, no home)", evidence))
    # What makes it unsafe, as built: the unfixed image has no /home/app at all (app cannot write
    # there either); the fixed one has BuildKit's root-owned mount parents.
    assert wrote["unfixed"][0] != 0, f"control: app has no home to write in unfixed: {wrote['unfixed'][1]}"
    assert {"/home/app", "/home/app/.cache"} <= s.new_root_owned(), s.new_root_owned()
    assert s.size_ok(), f"fixed image {s.fixed.size} B, unfixed {s.unfixed.size} B (tolerance exceeded)"


def test_pip_mount_at_roots_cache_as_nobody_is_unsafe_and_makes_no_dir(bk, bk_report):
    # The image's `nobody` (home /nonexistent): the safe fix used to `RUN mkdir -p
    # /nonexistent/.cache/pip` as nobody, and that build failed ("mkdir: cannot create directory
    # '/nonexistent': Permission denied"). A system account's home is not one the user can write
    # in (knowledge/images.UNWRITABLE_HOMES): the retarget is unsafe and makes no dir.
    dockerfile = NO_HOME.format(make_user="", user="nobody")
    assert fix(dockerfile, PIP_FILES[0]) == dockerfile, "`check --fix` applied the unsafe retarget"
    fixed = fix_unsafe(dockerfile, PIP_FILES[0])
    assert fixed == dockerfile.replace("target=/root/.cache/pip ",
                                       "target=/nonexistent/.cache/pip,uid=65534,gid=65534 "), fixed
    s = run_pair(bk, "cm102-pip-nobody", dockerfile, fixed, *PIP_FILES, "python app.py", "ok", "ok idna")
    evidence = _pip_evidence(s, "pip install")
    bk_report(s.line("(r3b) CM102 retarget (unsafe, --unsafe-fixes): pip as the image's `nobody` (home /nonexistent)",
                     evidence))
    problems = _common_problems(s)
    assert not problems, "\n".join(problems)

"""Non-root users, built for real before and after `cachemount check --fix`: the fixed image must
leave the user's home as the unfixed one did (no root-owned `~/.cache` or `~/.npm` made by BuildKit
for a missing mount target, moby/buildkit#3153), the user can still write there at run time, and
the rebuild really reuses the cache."""

from __future__ import annotations

from tests.buildkit.test_seed_scenarios import (APP_PY, FIRST, INDEX_JS, SECOND, NPM_DEPS_1, NPM_DEPS_2, REQS_1, REQS_2,
                                                _common_problems, _package_json, _pip_evidence, can_write, npm_fetched,
                                                npm_lockfiles, run_scenario)

__all__ = ["npm_lockfiles"]   # the fixture, shared with the seed scenarios


def test_pip_user_install_as_useradd_user_without_uid(bk, bk_report):
    dockerfile = (
        "FROM python:3.11-slim\n"
        "RUN useradd -m app\n"
        "USER app\n"
        "WORKDIR /home/app\n"
        "COPY requirements.txt .\n"
        "RUN pip install --user -r requirements.txt\n"
        "COPY app.py .\n"
        'CMD ["python", "app.py"]\n'
    )
    s = run_scenario(bk, "pip-useradd", dockerfile,
                     {"requirements.txt": REQS_1, "app.py": APP_PY}, {"requirements.txt": REQS_2, "app.py": APP_PY},
                     "python app.py", "ok", "ok idna")
    evidence = _pip_evidence(s, "pip install")
    wrote = can_write(bk, s, "app", "~/.cache/other/probe")
    bk_report(s.line("(f) pip --user as `useradd -m app` (uid from the image's passwd)", evidence))
    assert wrote["unfixed"][0] == 0, f"control: app cannot write ~/.cache unfixed: {wrote['unfixed'][1]}"
    problems = _common_problems(s)
    if wrote["fixed"][0]:
        problems.append(f"app cannot write ~/.cache in the fixed image: {wrote['fixed'][1].strip()}")
    assert not problems, "\n".join(problems)


def test_npm_ci_as_the_images_node_user(bk, bk_report, npm_lockfiles):
    dockerfile = (
        "FROM node:18\n"
        "USER node\n"
        "WORKDIR /home/node\n"
        "COPY package.json package-lock.json ./\n"
        "RUN npm ci --loglevel=http\n"
        "COPY index.js .\n"
        'CMD ["node", "index.js"]\n'
    )
    files = [{"package.json": _package_json(deps), "package-lock.json": lock, "index.js": INDEX_JS}
             for deps, lock in zip((NPM_DEPS_1, NPM_DEPS_2), npm_lockfiles)]
    s = run_scenario(bk, "npm-node-user", dockerfile, files[0], files[1], "node index.js", FIRST, SECOND)
    a = npm_fetched(s.unfixed.second.step("npm ci").text)
    b = npm_fetched(s.fixed.second.step("npm ci").text)
    assert a == set(NPM_DEPS_2), f"control: unfixed rebuild should fetch every tarball again, fetched {a}"
    assert b == {"inherits"}, f"fixed rebuild should fetch only the new tarball, fetched {b}:\n{s.fixed.dockerfile}"
    wrote = can_write(bk, s, "node", "~/.npm/probe")
    evidence = {v.name: f"rebuild fetched tarballs {sorted(t)}" for v, t in ((s.unfixed, a), (s.fixed, b))}
    bk_report(s.line("(g) npm ci as the image's `node` user (uid 1000)", evidence))
    assert wrote["unfixed"][0] == 0, f"control: node cannot write ~/.npm unfixed: {wrote['unfixed'][1]}"
    problems = _common_problems(s)
    if wrote["fixed"][0]:
        problems.append(f"node cannot write ~/.npm in the fixed image: {wrote['fixed'][1].strip()}")
    assert not problems, "\n".join(problems)

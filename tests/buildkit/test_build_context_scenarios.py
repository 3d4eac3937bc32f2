"""CM201 with the build context known, built for real: an npm workspace (root package.json with
`workspaces`, a member package, a lock file) whose Dockerfile copies everything before `npm ci`.

`cachemount check --fix` with the context copies the root manifests and the member's package.json
(path kept) before the install, so the fixed Dockerfile builds, and after a source-only edit the
install step is CACHED (the unfixed one, the control, reruns it)."""

from __future__ import annotations

import json

import pytest

from tests.buildkit.harness import Daemon, fix

ROOT_PACKAGE = json.dumps({"name": "ws", "version": "1.0.0", "private": True, "workspaces": ["packages/*"]},
                          indent=2) + "\n"
MEMBER_PACKAGE = json.dumps({"name": "a", "version": "1.0.0", "dependencies": {"ms": "2.1.3"}}, indent=2) + "\n"
INDEX_JS = "const ms = require('ms');\nconsole.log('ok', ms(60000));\n"
DOCKERFILE = (
    "FROM node:18\n"
    "WORKDIR /app\n"
    "COPY . .\n"
    "RUN npm ci --loglevel=http\n"
    'CMD ["node", "packages/a/index.js"]\n'
)


@pytest.fixture
def workspace_lock(bk: Daemon) -> str:
    """package-lock.json of the workspace, made by the node image's own npm."""
    script = ("mkdir -p /tmp/w/packages/a && cd /tmp/w && printf '%s' \"$ROOT\" > package.json && "
              "printf '%s' \"$MEMBER\" > packages/a/package.json && "
              "npm install --package-lock-only --no-audit --no-fund --loglevel=error >&2 && cat package-lock.json")
    proc = bk.docker("run", "--rm", "--network=host", "-e", f"ROOT={ROOT_PACKAGE}", "-e", f"MEMBER={MEMBER_PACKAGE}",
                     "local/node:18", "sh", "-c", script)
    assert proc.returncode == 0, f"npm could not make a lock file: {proc.stderr}"
    lock = json.loads(proc.stdout)
    assert "packages/a" in lock["packages"], lock["packages"].keys()
    return proc.stdout


def test_npm_workspace_reorder_builds_and_caches_the_install(bk, bk_report, workspace_lock):
    files = {"package.json": ROOT_PACKAGE, "package-lock.json": workspace_lock,
             "packages/a/package.json": MEMBER_PACKAGE, "packages/a/index.js": INDEX_JS}
    edited = {**files, "packages/a/index.js": INDEX_JS.replace("'ok'", "'ok v2'")}

    unknown = fix(DOCKERFILE)          # stdin, no context: the reorder is unsafe and not applied
    assert unknown.index("COPY . .") < unknown.index("npm ci")
    fixed = fix(DOCKERFILE, files)
    assert "COPY package*.json ./\nCOPY packages/a/package.json packages/a/\n" in fixed, fixed
    assert fixed.index("packages/a/package.json") < fixed.index("npm ci") < fixed.index("COPY . .")
    assert fix(fixed, files) == fixed, "the fix is not idempotent"

    bk.prune()
    results = {}
    for name, text in (("unfixed", DOCKERFILE), ("fixed", fixed)):
        first = bk.build(text, files, f"ws-{name}")
        assert first.ok, f"{name} build failed:\n{text}\n" + "\n".join(first.log.splitlines()[-40:])
        rc, out = bk.run(first.tag, "node packages/a/index.js")
        assert rc == 0 and "ok 1m" in out, out
        second = bk.build(text, edited, f"ws-{name}")
        assert second.ok, f"{name} rebuild failed:\n" + "\n".join(second.log.splitlines()[-40:])
        rc, out = bk.run(second.tag, "node packages/a/index.js")
        assert rc == 0 and "ok v2 1m" in out, out
        results[name] = second.step("npm ci")
    assert not results["unfixed"].cached, "control: with COPY . . first, a source edit must rerun npm ci"
    assert results["fixed"].cached, f"fixed: a source-only edit reran npm ci:\n{fixed}"
    bk_report("(f) npm workspace, COPY . . before npm ci (CM201 with the build context)\n"
              "    unfixed: npm ci after an edit of packages/a/index.js: rerun\n"
              "    fixed: npm ci after the same edit: CACHED\n    fixed Dockerfile:\n"
              + "".join(f"      {line}\n" for line in fixed.splitlines()))

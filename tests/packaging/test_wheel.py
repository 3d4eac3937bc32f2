"""The package as users get it: `uv build` makes an sdist and a wheel from it; the wheel, installed in
a fresh venv (dependencies from the package index) or with `uv tool install`, checks a Dockerfile and
serves LSP without this checkout; its metadata is complete."""
from __future__ import annotations

import email.parser
import json
import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import cachemount
from cachemount.rules.base import REPOSITORY_URL
from tests.conftest import REPO
from tests.packaging.conftest import ok, run, tool_env

pytestmark = pytest.mark.slow

PACKAGE = REPO / "server" / "cachemount"
EXAMPLE_CODES = {"CM101", "CM201"}   # what examples/Dockerfile has (README, "Before and after")


def _modules() -> set[str]:
    """The package's files, relative to server/: what the sdist must carry and the wheel install."""
    return {p.relative_to(PACKAGE.parent).as_posix() for p in PACKAGE.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


def _metadata(built):
    (name,) = [n for n in built.wheel_names() if n.endswith(".dist-info/METADATA")]
    return email.parser.Parser().parsestr(built.wheel_text(name))


def test_sdist_holds_what_the_wheel_is_built_from(built):
    root = built.sdist.name.removesuffix(".tar.gz")
    names = {n.removeprefix(root + "/") for n in built.sdist_names()}
    needed = {"pyproject.toml", "README.md", "PKG-INFO", "client/LICENSE"} | {f"server/{m}" for m in _modules()}
    assert needed <= names, sorted(needed - names)
    # Nothing of the VS Code client beyond its license (node_modules once made it 100 MB).
    assert not [n for n in names if n.startswith(("client/", "tests/", "bench/")) and n != "client/LICENSE"]


def test_wheel_holds_the_package_and_the_command(built):
    names = set(built.wheel_names())
    assert _modules() <= names, sorted(_modules() - names)
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "cachemount = cachemount.__main__:main" in built.wheel_text(entry_points)
    assert any(n.endswith(".dist-info/licenses/client/LICENSE") for n in names)


def test_wheel_metadata_is_complete(built):
    meta = _metadata(built)
    assert meta["Name"] == "cachemount"
    assert meta["Version"] == cachemount.__version__          # one version string, in __init__.py
    assert meta["Summary"] and meta["Requires-Python"] == ">=3.10"
    assert meta["License-Expression"] == "MIT" and meta["Author"]
    assert meta["Description-Content-Type"] == "text/markdown"
    assert meta.get_payload().startswith("# cachemount\n")   # the README
    assert {"docker", "dockerfile", "buildkit"} <= set(meta["Keywords"].split(","))
    classifiers = meta.get_all("Classifier")
    for version in ("3.10", "3.11", "3.12", "3.13", "3.14"):
        assert f"Programming Language :: Python :: {version}" in classifiers
    assert any(c.startswith("Development Status ::") for c in classifiers)
    assert any(c.startswith("Topic ::") for c in classifiers)
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert set(urls) == {"Homepage", "Repository", "Documentation", "Issues"}
    assert all(u.startswith(REPOSITORY_URL) for u in urls.values()), urls
    # Ranges a user's environment can satisfy, each with a lower and an upper bound; no exact pins.
    requires = meta.get_all("Requires-Dist")
    assert {re.match(r"[\w.-]+", r).group() for r in requires} == {
        "tree-sitter", "tree-sitter-bash", "pygls", "lsprotocol", "tomli"}
    for req in requires:
        spec = req.split(";")[0]
        assert "==" not in spec and ">=" in spec and "<" in spec.replace("<=", ""), req


# ---------------------------------------------------------------------------------------------
# The installed wheel


class Lsp:
    """A bare JSON-RPC client over the server's stdio (no pygls on this side: the installed server
    must speak the wire protocol itself)."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.inbox: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                if not line.strip():
                    break
                key, _, value = line.decode("ascii").partition(":")
                headers[key.strip().lower()] = value.strip()
            self.inbox.put(json.loads(out.read(int(headers["content-length"]))))

    def send(self, **message) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def wait_for(self, wanted, timeout: float = 60) -> dict:
        seen = []
        while True:
            try:
                message = self.inbox.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"no awaited message within {timeout} s; got {seen}")
            assert message is not None, f"the server closed its output; got {seen}"
            if "method" in message and "id" in message:   # a request to the client: answer it
                params = message.get("params") or {}
                result = [None] * len(params.get("items", ())) if message["method"] == "workspace/configuration" else None
                self.send(id=message["id"], result=result)
            if wanted(message):
                return message
            seen.append(message.get("method") or message.get("id"))


def _fresh_venv(uv, path: Path) -> Path:
    ok(run([uv, "venv", "--quiet", "--python", sys.executable, path]))
    return path / "bin"


@pytest.fixture(scope="module")
def installed(built, uv, tmp_path_factory) -> Path:
    """The wheel in a new venv, its dependencies resolved from the package index: the venv's bin/."""
    bin_dir = _fresh_venv(uv, tmp_path_factory.mktemp("venv") / "venv")
    ok(run([uv, "pip", "install", "--quiet", "--python", bin_dir / "python", built.wheel]))
    return bin_dir


def _check_json(cachemount_exe: Path, cwd: Path, env=None) -> tuple[int, set[str]]:
    proc = run([cachemount_exe, "check", "--format", "json", "Dockerfile"], cwd=cwd, env=env)
    assert proc.returncode == 1, proc.stderr            # 1: findings
    return proc.returncode, {f["code"] for f in json.loads(proc.stdout)}


def test_installed_wheel_runs_without_the_checkout(installed, built, example):
    where = ok(run([installed / "python", "-c", "import cachemount; print(cachemount.__file__)"], cwd=example))
    assert Path(where.stdout.strip()).is_relative_to(installed.parent), where.stdout
    assert not Path(where.stdout.strip()).is_relative_to(REPO)
    version = ok(run([installed / "cachemount", "--version"], cwd=example)).stdout
    assert version == f"cachemount {_metadata(built)['Version']}\n"
    _, codes = _check_json(installed / "cachemount", example)
    assert codes == EXAMPLE_CODES
    text = run([installed / "cachemount", "check", "Dockerfile"], cwd=example)
    assert text.returncode == 1 and re.search(r"^Dockerfile:\d+:\d+: .*\bCM101\b", text.stdout, re.M), text


def test_installed_wheel_serves_lsp_over_stdio(installed, example, tmp_path):
    dockerfile = example / "Dockerfile"
    with open(tmp_path / "server.log", "wb") as log:
        proc = subprocess.Popen([installed / "cachemount", "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=log, cwd=example, env=tool_env())
        try:
            lsp = Lsp(proc)
            lsp.send(id=1, method="initialize", params={
                "processId": os.getpid(), "rootUri": example.as_uri(), "capabilities": {},
                "clientInfo": {"name": "cachemount packaging test"}})
            init = lsp.wait_for(lambda m: m.get("id") == 1)
            assert init["result"]["serverInfo"] == {"name": "cachemount", "version": cachemount.__version__}
            assert init["result"]["capabilities"]["textDocumentSync"]
            lsp.send(method="initialized", params={})
            lsp.send(method="textDocument/didOpen", params={"textDocument": {
                "uri": dockerfile.as_uri(), "languageId": "dockerfile", "version": 1,
                "text": dockerfile.read_text(encoding="utf-8")}})
            published = lsp.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                                     and m["params"]["uri"] == dockerfile.as_uri() and m["params"]["diagnostics"])
            assert {d["code"] for d in published["params"]["diagnostics"]} == EXAMPLE_CODES
            lsp.send(id=2, method="shutdown")
            assert lsp.wait_for(lambda m: m.get("id") == 2) == {"jsonrpc": "2.0", "id": 2, "result": None}
            lsp.send(method="exit")
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert b"Traceback" not in (tmp_path / "server.log").read_bytes()


def test_uv_tool_install_of_the_wheel(built, uv, example, tmp_path):
    env = tool_env(UV_TOOL_DIR=str(tmp_path / "tools"), UV_TOOL_BIN_DIR=str(tmp_path / "bin"))
    ok(run([uv, "tool", "install", "--quiet", "--python", sys.executable, built.wheel], env=env))
    exe = tmp_path / "bin" / "cachemount"
    assert ok(run([exe, "--version"], cwd=example, env=env)).stdout == f"cachemount {cachemount.__version__}\n"
    _, codes = _check_json(exe, example, env)
    assert codes == EXAMPLE_CODES

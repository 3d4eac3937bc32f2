"""The VS Code extension must never run code from the workspace when it starts the server.

A workspace folder gets its own `argparse.py`, `re.py`, `cachemount/` package, ... (each writes a
marker when imported: fixtures/workspace-code.json). The extension's real discovery and validation
code (client/src/discovery.ts and validate.ts, bundled with esbuild and run by node) picks the server
from inside that folder, as an extension host started with `code .` would; then the server is started
exactly as the extension starts it (its command, arguments, environment and working directory; with
no working directory, vscode-languageclient would use the workspace folder) and must answer
`initialize` and publish diagnostics for a Dockerfile, while no workspace module is ever imported.

Needs node and client/node_modules (`bash tests/client/run-unit.sh` installs them).
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CLIENT = REPO / "client"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ESBUILD = CLIENT / "node_modules" / "esbuild"
TIMEOUT = 60

# scripts/test-all.sh installs client/node_modules first and sets CACHEMOUNT_REQUIRE_CLIENT=1: there a
# missing node or node_modules is a failure, never a skip.
_REQUIRED = os.environ.get("CACHEMOUNT_REQUIRE_CLIENT") == "1"
if _REQUIRED and (shutil.which("node") is None or not ESBUILD.is_dir()):
    raise RuntimeError("node and client/node_modules are required here (CACHEMOUNT_REQUIRE_CLIENT=1)")

pytestmark = [
    pytest.mark.skipif(os.name == "nt", reason="POSIX paths and signals"),
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    pytest.mark.skipif(not ESBUILD.is_dir(), reason="client/node_modules missing: run tests/client/run-unit.sh first"),
]

# Bundles the extension's discovery + validation, runs findServer with the real validator and prints
# its result as JSON. argv[1]: the DiscoveryInput fields that are plain data.
DISCOVER_JS = r"""
const [client, inputJson] = process.argv.slice(1);
const esbuild = require(client + '/node_modules/esbuild');
const out = esbuild.buildSync({
  stdin: {
    contents: "export { findServer } from './src/discovery'; export { validateInterpreter } from './src/validate';",
    resolveDir: client, loader: 'ts', sourcefile: 'spawn-isolation-entry.ts',
  },
  bundle: true, write: false, platform: 'node', format: 'cjs', external: ['vscode'], logLevel: 'error',
});
const mod = { exports: {} };
new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, require);
const { findServer, validateInterpreter } = mod.exports;
findServer({
  ...JSON.parse(inputJson),
  pythonExtension: async () => ({ installed: false }),
  validateExecutable: async () => ({ ok: false, detail: 'not used here' }),
  validateInterpreter: (cmd) => validateInterpreter(cmd),
}).then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e); process.exit(1); });
"""


def plant_workspace_code(folder: Path, marker: Path) -> list[str]:
    spec = json.loads((FIXTURES / "workspace-code.json").read_text(encoding="utf-8"))
    text = spec["template"].replace("__MARKER__", json.dumps(str(marker)))
    for name in spec["files"]:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return spec["files"]


def ran(marker: Path) -> list[str]:
    return marker.read_text(encoding="utf-8").split() if marker.exists() else []


def discover(workspace: Path, **fields) -> dict:
    """The extension's findServer, run by a node whose working directory is the workspace."""
    fields.setdefault("systemPythons", [sys.executable])
    fields.setdefault("cwd", str(CLIENT))  # the extension's own directory (context.extensionPath)
    proc = subprocess.run(
        ["node", "-e", DISCOVER_JS, str(CLIENT), json.dumps(fields)],
        cwd=workspace, capture_output=True, text=True, timeout=TIMEOUT,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_messages(stream, out: queue.Queue) -> None:
    while True:
        headers = {}
        while True:
            line = stream.readline()
            if not line:
                out.put(None)
                return
            line = line.strip()
            if not line:
                break
            key, _, value = line.decode("ascii").partition(":")
            headers[key.strip().lower()] = value.strip()
        out.put(json.loads(stream.read(int(headers["content-length"]))))


def serve_and_check(server: dict, workspace: Path) -> list[dict]:
    """Start the server as the extension does; initialize, open a Dockerfile, return its diagnostics."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    for key, value in (server.get("env") or {}).items():
        env[key] = value + os.pathsep + env[key] if key == "PYTHONPATH" and env.get(key) else value
    # vscode-languageclient: no options.cwd -> the first workspace folder
    cwd = server.get("cwd") or workspace
    proc = subprocess.Popen([server["command"], *server["args"]], cwd=cwd, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    messages: queue.Queue = queue.Queue()
    threading.Thread(target=read_messages, args=(proc.stdout, messages), daemon=True).start()

    def send(message: dict) -> None:
        proc.stdin.write(frame(message))
        proc.stdin.flush()

    seen: list[dict] = []

    def wait_for(pred) -> dict:
        while True:
            try:
                message = messages.get(timeout=TIMEOUT)
            except queue.Empty:
                raise AssertionError(f"no answer within {TIMEOUT}s; got {json.dumps(seen)[-1500:]}") from None
            if message is None:
                raise AssertionError(f"server exited ({proc.wait()}): {proc.stderr.read().decode(errors='replace')[-800:]}")
            seen.append(message)
            if "id" in message and "method" in message:  # a request from the server: answer it plainly
                result = [None] * len(message["params"]["items"]) if message["method"] == "workspace/configuration" else None
                send({"jsonrpc": "2.0", "id": message["id"], "result": result})
                continue
            if pred(message):
                return message

    cases = json.loads((FIXTURES / "cases.json").read_text(encoding="utf-8"))
    dockerfile = workspace / "app" / "Dockerfile"
    dockerfile.parent.mkdir()
    shutil.copy(FIXTURES / cases["diagnostic"]["file"], dockerfile)
    try:
        send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": os.getpid(), "rootUri": workspace.as_uri(), "capabilities": {},
            "workspaceFolders": [{"uri": workspace.as_uri(), "name": workspace.name}]}})
        init = wait_for(lambda m: m.get("id") == 1)
        assert "capabilities" in init.get("result", {}), init
        send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": dockerfile.as_uri(), "languageId": "dockerfile", "version": 1, "text": dockerfile.read_text()}}})
        published = wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                             and m["params"]["uri"] == dockerfile.as_uri() and m["params"]["diagnostics"])
        send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
        wait_for(lambda m: m.get("id") == 2)
        send({"jsonrpc": "2.0", "method": "exit", "params": None})
        assert proc.wait(timeout=TIMEOUT) == 0
        return published["params"]["diagnostics"]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.slow  # starts the real language server
@pytest.mark.parametrize("candidate", ["cachemount.interpreter", "bundled"])
def test_no_workspace_code_runs_in_validation_or_server(tmp_path, candidate):
    workspace = tmp_path / "repo"
    workspace.mkdir()
    marker = tmp_path / "workspace-code-ran"
    plant_workspace_code(workspace, marker)
    if candidate == "cachemount.interpreter":
        # a trusted workspace, the user's interpreter (this venv, where cachemount is installed)
        result = discover(workspace, trusted=True, interpreter=sys.executable)
    else:
        # an untrusted workspace: the bundled server (the repository's server/ stands in for bundled/libs)
        result = discover(workspace, trusted=False, bundledLibs=str(REPO / "server"))
    assert ran(marker) == [], f"validation imported workspace modules: {ran(marker)}; attempts {result['attempts']}"
    server = result.get("server")
    assert server, f"no usable server: {result['attempts']}"
    assert server["source"] == candidate
    diagnostics = serve_and_check(server, workspace)
    assert ran(marker) == [], f"the server imported workspace modules: {ran(marker)}"
    code = json.loads((FIXTURES / "cases.json").read_text(encoding="utf-8"))["diagnostic"]["code"]
    assert any(d.get("code") == code for d in diagnostics), diagnostics


def test_the_planted_modules_do_fire_under_python_dash_m(tmp_path):
    """The probe itself works: today's `python -m cachemount serve` in that folder imports them."""
    marker = tmp_path / "workspace-code-ran"
    plant_workspace_code(tmp_path, marker)
    proc = subprocess.run([sys.executable, "-m", "cachemount", "serve"], cwd=tmp_path,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
    assert proc.returncode == 3
    assert ran(marker)

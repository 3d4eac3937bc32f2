"""Language-server latency and memory, cachemount side by side with docker-langserver, tally and a
bare pygls server (the Python floor), over stdio with a minimal JSON-RPC client.

    bash bench/peers.sh && .venv/bin/python bench/lsp_bench.py [--quick]

Measures: spawn -> initialize result; didOpen -> first publishDiagnostics (typical file); one-char
didChange -> publishDiagnostics (median over N edits, typical and large); peak RSS (VmHWM) of the
server process. A server that does not answer within the timeout reports n/a. Not a test."""
from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PEERS = HERE / ".peers"
TIMEOUT = 30.0


class Client:
    def __init__(self, proc: asyncio.subprocess.Process):
        self.proc = proc
        self.next_id = 0
        self.waiters: dict[int, asyncio.Future] = {}
        self.diagnostics: asyncio.Queue = asyncio.Queue()
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        out = self.proc.stdout
        while True:
            header = await out.readuntil(b"\r\n\r\n")
            length = int([h for h in header.split(b"\r\n") if h.lower().startswith(b"content-length")][0].split(b":")[1])
            msg = json.loads(await out.readexactly(length))
            if "id" in msg and "method" in msg:  # a request from the server: answer it
                result = [{}] * len(msg.get("params", {}).get("items", [])) if msg["method"] == "workspace/configuration" else None
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": result})
            elif "id" in msg and msg["id"] in self.waiters:
                self.waiters.pop(msg["id"]).set_result(msg)
            elif msg.get("method") == "textDocument/publishDiagnostics":
                self.diagnostics.put_nowait((time.perf_counter(), msg["params"]))

    def send(self, msg: dict) -> None:
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def request(self, method: str, params) -> dict:
        self.next_id += 1
        fut = asyncio.get_running_loop().create_future()
        self.waiters[self.next_id] = fut
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return await asyncio.wait_for(fut, TIMEOUT)

    def notify(self, method: str, params) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    async def diagnostics_for(self, uri: str, version: int | None = None) -> float:
        while True:
            at, params = await asyncio.wait_for(self.diagnostics.get(), TIMEOUT)
            if params["uri"] == uri and (version is None or params.get("version") in (None, version)):
                return at


CAPS = {"workspace": {"applyEdit": True, "configuration": True},
        "textDocument": {"publishDiagnostics": {"versionSupport": True}}}


async def spawn_to_initialize(cmd: list[str], cwd: str, runs: int) -> float | None:
    """Median of `runs` fresh spawns: start-up is noisy, one sample says little."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(*cmd, stdin=asyncio.subprocess.PIPE,
                                                    stdout=asyncio.subprocess.PIPE,
                                                    stderr=asyncio.subprocess.DEVNULL, cwd=cwd)
        client = Client(proc)
        try:
            await client.request("initialize", {"processId": None, "rootUri": Path(cwd).as_uri(), "capabilities": CAPS})
            samples.append(time.perf_counter() - start)
        except (asyncio.TimeoutError, asyncio.IncompleteReadError):
            pass
        finally:
            client.reader.cancel()
            proc.kill()
            await proc.wait()
    return statistics.median(samples) if samples else None


def peak_rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


async def bench_server(cmd: list[str], files: dict[str, str], edits: int, cwd: str) -> dict:
    res: dict = {}
    proc = await asyncio.create_subprocess_exec(*cmd, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.DEVNULL, cwd=cwd)
    client = Client(proc)
    try:
        await client.request("initialize", {"processId": None, "rootUri": Path(cwd).as_uri(), "capabilities": CAPS})
        client.notify("initialized", {})
        for name, text in files.items():
            path = Path(cwd) / f"{name}.Dockerfile"
            path.write_text(text)
            uri = path.as_uri()
            t0 = time.perf_counter()
            client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile",
                                                                    "version": 1, "text": text}})
            res[f"open_{name}"] = await client.diagnostics_for(uri) - t0
            lines = text.split("\n")
            target = next(i for i, line in enumerate(lines) if line.startswith("RUN"))
            samples = []
            for n in range(edits):
                version = n + 2
                col = len(lines[target])
                change = {"range": {"start": {"line": target, "character": col}, "end": {"line": target, "character": col}},
                          "text": " "} if n % 2 == 0 else \
                         {"range": {"start": {"line": target, "character": col}, "end": {"line": target, "character": col + 1}},
                          "text": ""}
                await asyncio.sleep(0.05)  # let late publishes of the previous version arrive, then drop them
                while not client.diagnostics.empty():
                    client.diagnostics.get_nowait()
                t0 = time.perf_counter()
                client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                         "contentChanges": [change]})
                samples.append(await client.diagnostics_for(uri, version) - t0)
                if n % 2 == 0:
                    lines[target] += " "
                else:
                    lines[target] = lines[target][:-1]
            res[f"change_{name}"] = statistics.median(samples)
        res["rss"] = peak_rss_mib(proc.pid)
        try:
            await client.request("shutdown", None)
            client.notify("exit", None)
        except Exception:
            pass
    except (asyncio.TimeoutError, asyncio.IncompleteReadError, StopIteration):
        pass
    finally:
        client.reader.cancel()
        if proc.returncode is None:
            proc.kill()
        await proc.wait()
    return res


def servers() -> dict[str, list[str] | None]:
    py = REPO / ".venv" / "bin" / "python"
    dls = PEERS / "node" / "node_modules" / ".bin" / "docker-langserver"
    tally = sorted(PEERS.glob("v-tally/lib/python*/site-packages/tally_cli/bin/*/tally"))
    return {
        "cachemount": [str(py), "-m", "cachemount", "serve"],
        "bare pygls": [str(py), str(HERE / "bare_pygls_server.py")],
        "docker-langserver": [str(dls), "--stdio"] if dls.exists() else None,
        "tally": [str(tally[0]), "lsp", "--stdio"] if tally else None,
    }


async def main_async(quick: bool) -> str:
    files = {name: (HERE / "data" / f"{name}.Dockerfile").read_text() for name in ("typical", "large")}
    edits = 8 if quick else 30
    results = {}
    for name, cmd in servers().items():
        if cmd is None:
            results[name] = None
            continue
        with tempfile.TemporaryDirectory() as cwd:
            (Path(cwd) / ".tally.toml").write_text("[file-validation]\nmax-file-size = 10000000\n")
            results[name] = await bench_server(cmd, files, edits, cwd)
            results[name]["initialize"] = await spawn_to_initialize(cmd, cwd, 3 if quick else 7)
    cols = [("initialize", "spawn -> initialize"), ("open_typical", "didOpen -> diagnostics, typical"),
            ("change_typical", "didChange -> diagnostics, typical"), ("change_large", "didChange -> diagnostics, large"),
            ("rss", "peak RSS (MiB)")]
    names = list(results)
    lines = [f"# LSP benchmark {datetime.date.today()} ({edits} edits per file, medians)", "",
             "| measure | " + " | ".join(names) + " | " + " | ".join(f"{n}/cachemount" for n in names[1:]) + " |",
             "|---" * (1 + 2 * len(names) - 1) + "|"]
    for key, label in cols:
        def val(n):
            r = results[n]
            if not r or r.get(key) is None:
                return None
            return r[key]

        def fmt(v):
            if v is None:
                return "n/a"
            return f"{v:.0f}" if key == "rss" else f"{v * 1000:.1f} ms"
        base = val("cachemount")
        ratios = [("n/a" if val(n) is None or not base else f"{val(n) / base:.2f}x") for n in names[1:]]
        lines.append(f"| {label} | " + " | ".join(fmt(val(n)) for n in names) + " | " + " | ".join(ratios) + " |")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    out = asyncio.run(main_async(ap.parse_args().quick))
    print(out)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"lsp-{datetime.date.today()}.md").write_text(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""LSP benchmark: cachemount's server side by side with docker-langserver, tally and a bare pygls
server (the Python floor), over stdio, with a minimal JSON-RPC client written here. Not a test.

    bash bench/peers.sh && .venv/bin/python bench/lsp_bench.py [--quick]

Servers (as run, one after another, never two at once):
  cachemount         .venv/bin/python -m cachemount serve
  bare pygls         .venv/bin/python bench/bare_pygls_server.py
  docker-langserver  bench/.peers/node/node_modules/.bin/docker-langserver --stdio
  tally              <real tally binary> lsp --stdio

Every client sends the same capabilities (including `workspace.applyEdit: true`, which
docker-langserver needs to advertise code actions, and `publishDiagnostics.versionSupport`). The
documents are copies of bench/data/{typical,large}.Dockerfile in a temporary workspace holding a
`.tally.toml` that lifts tally's 100 KiB file limit; rootUri is that workspace.

Measured:
  spawn -> initialize     median of --spawns fresh processes: exec until the initialize result
  didOpen -> diagnostics  didOpen sent until the first publishDiagnostics for that document
  didChange -> diags      one-character edit (alternately insert an `x` after a package name in
                          the middle of the file and delete it again) until the next
                          publishDiagnostics for that document; when the server puts `version`
                          in its publishes, the publish must carry the edited version. Before
                          each edit the client waits until the server has been quiet for
                          --settle seconds, so a late publish of the previous edit is not taken
                          for this one. Median over --edits (typical) / --edits-large edits.
                          Incremental or full-text changes, whichever the server asks for.
  peak RSS                VmHWM of the server process from /proc/<pid>/status (after the typical
                          phase and at the end, before shutdown), plus any child processes.

A server that does not answer within the timeouts gets 'n/a' (and the reason) for what is
missing; every child process is killed at the end whatever happens. Ratios are
peer / cachemount (>1: cachemount faster or smaller).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402


class ServerGone(Exception):
    pass


@dataclass
class Publish:
    seq: int
    at: float
    uri: str
    version: int | None
    count: int


class LspClient:
    """Just enough LSP client: Content-Length framing, requests, notifications, server requests."""

    def __init__(self, name: str, cmd: list[str], cwd: Path, env: dict[str, str], trace: bool = False):
        self.name, self.cmd, self.cwd, self.env, self.trace = name, cmd, cwd, env, trace
        self.proc: asyncio.subprocess.Process | None = None
        self.stderr_file = tempfile.TemporaryFile()
        self.next_id = 0
        self.pending: dict[int, asyncio.Future] = {}
        self.publishes: list[Publish] = []
        self.changed = asyncio.Condition()
        self.reader_task: asyncio.Task | None = None
        self.gone: str | None = None
        self.t_spawn = 0.0

    # -- process -------------------------------------------------------------------------------
    async def start(self) -> None:
        self.t_spawn = time.perf_counter()
        self.proc = await asyncio.create_subprocess_exec(
            *self.cmd, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=self.stderr_file, cwd=self.cwd, env=self.env, start_new_session=True,
            limit=64 * 1024 * 1024)
        self.reader_task = asyncio.create_task(self._reader())

    def stderr_tail(self) -> str:
        self.stderr_file.seek(0)
        lines = self.stderr_file.read().decode(errors="replace").strip().splitlines()
        return lines[-1][:200] if lines else ""

    async def close(self) -> None:
        """Polite shutdown/exit, then SIGKILL of the whole process group whatever happened."""
        if self.proc is None:
            return
        if self.proc.returncode is None and self.gone is None:
            try:
                await self.request("shutdown", None, timeout=5)
                self.notify("exit", None)
                await asyncio.wait_for(self.proc.wait(), 3)
            except Exception:
                pass
        if self.proc.returncode is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        else:  # the leader exited; kill anything it left in its group
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            await asyncio.wait_for(self.proc.wait(), 10)
        except asyncio.TimeoutError:
            pass
        if self.reader_task:
            self.reader_task.cancel()
            try:
                await self.reader_task
            except (asyncio.CancelledError, Exception):
                pass
        self.stderr_file.close()

    # -- wire ----------------------------------------------------------------------------------
    async def _reader(self) -> None:
        assert self.proc and self.proc.stdout
        out = self.proc.stdout
        try:
            while True:
                length = None
                while True:
                    line = await out.readline()
                    if not line:
                        raise ServerGone("stdout closed")
                    line = line.strip()
                    if not line:
                        break
                    key, _, value = line.partition(b":")
                    if key.strip().lower() == b"content-length":
                        length = int(value.strip())
                if length is None:
                    continue
                body = await out.readexactly(length)
                at = time.perf_counter()
                msg = json.loads(body)
                if self.trace:
                    print(f"  <- {self.name} +{(at - self.t_spawn) * 1000:9.1f} ms "
                          f"{msg.get('method') or 'response'} {json.dumps(msg)[:160]}", file=sys.stderr)
                await self._dispatch(msg, at)
        except (ServerGone, asyncio.IncompleteReadError, ConnectionError, ValueError) as exc:
            self.gone = (str(exc) if isinstance(exc, ServerGone) else f"{type(exc).__name__}: {exc}")[:200]
            for fut in self.pending.values():
                if not fut.done():
                    fut.set_exception(ServerGone(self.gone))
            async with self.changed:
                self.changed.notify_all()

    async def _dispatch(self, msg: dict, at: float) -> None:
        method = msg.get("method")
        if method is not None and "id" in msg:  # a request from the server
            params = msg.get("params") or {}
            if method == "workspace/configuration":
                result = [None] * len(params.get("items", []))
            elif method == "workspace/applyEdit":
                result = {"applied": False}
            else:  # client/registerCapability, window/workDoneProgress/create, ...
                result = None
            self._send({"jsonrpc": "2.0", "id": msg["id"], "result": result})
        elif method is None and "id" in msg:
            fut = self.pending.pop(msg["id"], None)
            if fut is not None and not fut.done():
                if "error" in msg:
                    fut.set_exception(RuntimeError(f"error {msg['error']}"))
                else:
                    fut.set_result(msg.get("result"))
        elif method == "textDocument/publishDiagnostics":
            p = msg.get("params") or {}
            async with self.changed:
                self.publishes.append(Publish(len(self.publishes), at, p.get("uri", ""), p.get("version"),
                                              len(p.get("diagnostics") or [])))
                self.changed.notify_all()

    def _send(self, msg: dict) -> None:
        if self.proc is None or self.proc.stdin is None or self.proc.stdin.is_closing():
            raise ServerGone(self.gone or "stdin closed")
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    async def drain(self) -> None:
        assert self.proc and self.proc.stdin
        try:
            await self.proc.stdin.drain()
        except ConnectionError as exc:
            raise ServerGone(self.gone or f"stdin: {exc}") from None

    async def request(self, method: str, params, timeout: float) -> object:
        if self.gone:
            raise ServerGone(self.gone)
        self.next_id += 1
        rid = self.next_id
        fut = asyncio.get_running_loop().create_future()
        self.pending[rid] = fut
        try:
            self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
            await self.drain()
            return await asyncio.wait_for(fut, timeout)
        except (ConnectionError, ServerGone) as exc:
            raise ServerGone(self.gone or str(exc)) from None
        finally:
            self.pending.pop(rid, None)
            if fut.done() and not fut.cancelled():
                fut.exception()  # mark retrieved

    def notify(self, method: str, params) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    # -- diagnostics ---------------------------------------------------------------------------
    async def wait_publish(self, uri: str, after_seq: int, version: int | None, timeout: float) -> Publish:
        """First publish for uri with seq >= after_seq (and the right version when it has one)."""

        def find() -> Publish | None:
            for p in self.publishes[after_seq:]:
                if p.uri == uri and (p.version is None or version is None or p.version >= version):
                    return p
            return None

        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(lambda: find() is not None or self.gone is not None),
                                   timeout)
        found = find()
        if found is None:
            raise ServerGone(self.gone or "gone")
        return found

    async def settle(self, quiet: float, limit: float) -> None:
        """Wait until no publish has arrived for `quiet` seconds (at most `limit` seconds)."""
        end = time.perf_counter() + limit
        while time.perf_counter() < end:
            last = self.publishes[-1].at if self.publishes else 0.0
            idle = time.perf_counter() - last
            if idle >= quiet:
                return
            await asyncio.sleep(quiet - idle)


# ------------------------------------------------------------------------------------------------

CAPABILITIES = {
    "general": {"positionEncodings": ["utf-16"]},
    "workspace": {"applyEdit": True, "workspaceFolders": True, "workspaceEdit": {"documentChanges": True}},
    "textDocument": {
        "synchronization": {"dynamicRegistration": False, "didSave": True},
        "publishDiagnostics": {"relatedInformation": True, "versionSupport": True,
                               "codeDescriptionSupport": True, "dataSupport": True},
        "hover": {"contentFormat": ["markdown", "plaintext"]},
        "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": [
            "quickfix", "source", "source.fixAll"]}}},
    },
    "window": {"workDoneProgress": False},
}


def initialize_params(root: Path) -> dict:
    return {"processId": os.getpid(), "clientInfo": {"name": "cachemount-bench", "version": "0"},
            "rootUri": root.as_uri(), "rootPath": str(root),
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            "capabilities": CAPABILITIES}


def sync_kind(init_result: object) -> int:
    caps = (init_result or {}).get("capabilities", {}) if isinstance(init_result, dict) else {}
    sync = caps.get("textDocumentSync", 0)
    if isinstance(sync, dict):
        return int(sync.get("change", 0) or 0)
    return int(sync or 0)


PKG_LINE = re.compile(r"^(\s+)([a-z0-9][a-z0-9.+-]*) \\$")


def edit_position(text: str) -> tuple[int, int]:
    """(line, column) just after a package name in an install RUN near the middle of the file."""
    lines = text.split("\n")
    mid = len(lines) // 2
    best = None
    for i, line in enumerate(lines):
        m = PKG_LINE.match(line)
        if m and (best is None or abs(i - mid) < abs(best[0] - mid)):
            best = (i, len(m.group(1)) + len(m.group(2)))
    return best or (0, 0)


def peak_rss_kib(pid: int) -> tuple[int | None, int]:
    """(VmHWM of pid, number of live descendants whose VmHWM was added)."""

    def hwm(p: int) -> int | None:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        except OSError:
            return None
        return None

    def children(p: int) -> list[int]:
        kids: list[int] = []
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                kids += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            pass
        return kids

    main = hwm(pid)
    if main is None:
        return None, 0
    total, n, todo = main, 0, children(pid)
    while todo:
        c = todo.pop()
        v = hwm(c)
        if v:
            total += v
            n += 1
        todo += children(c)
    return total, n


@dataclass
class ServerResult:
    name: str
    init: list[float] = field(default_factory=list)
    open: dict[str, float] = field(default_factory=dict)
    change: dict[str, list[float]] = field(default_factory=dict)
    publishes_per_edit: dict[str, float] = field(default_factory=dict)
    diags: dict[str, int] = field(default_factory=dict)
    rss_typical: int | None = None
    rss_end: int | None = None
    rss_children: int = 0
    sync: int | None = None
    versioned: str | None = None  # whether publishes carry `version`
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None


async def spawn_once(name: str, cmd: list[str], root: Path, env: dict[str, str], timeout: float) -> float:
    client = LspClient(name, cmd, root, env)
    try:
        await client.start()
        await client.request("initialize", initialize_params(root), timeout)
        return time.perf_counter() - client.t_spawn
    finally:
        await client.close()


async def session(name: str, cmd: list[str], root: Path, env: dict[str, str], docs: dict[str, Path],
                  edits: dict[str, int], args: argparse.Namespace, res: ServerResult) -> None:
    client = LspClient(name, cmd, root, env, trace=args.trace)
    try:
        await client.start()
        try:
            init = await client.request("initialize", initialize_params(root), args.init_timeout)
        except Exception as exc:
            why = str(exc)[:80] if isinstance(exc, ServerGone) else type(exc).__name__
            res.skipped = f"no initialize result ({why})"
            tail = client.stderr_tail()
            if tail:
                res.skipped += f"; stderr: {tail}"
            return
        res.init.append(time.perf_counter() - client.t_spawn)
        res.sync = sync_kind(init)
        client.notify("initialized", {})
        await client.drain()
        for doc, path in docs.items():
            text = path.read_text()
            uri = path.as_uri()
            timeout = args.timeout * (4 if doc == "large" else 1)
            await client.settle(args.settle, timeout)
            seq = len(client.publishes)
            t0 = time.perf_counter()
            client.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "dockerfile", "version": 1, "text": text}})
            await client.drain()
            try:
                pub = await client.wait_publish(uri, seq, 1, timeout)
                res.open[doc] = pub.at - t0
                res.diags[doc] = pub.count
            except asyncio.TimeoutError:
                res.notes.append(f"{doc}: no diagnostics within {timeout:.0f} s of didOpen")
            except ServerGone as exc:
                res.notes.append(f"{doc}: server gone after didOpen ({exc}; {client.stderr_tail()})")
                return
            line, col = edit_position(text)
            lines = text.split("\n")
            samples: list[float] = []
            pubs = 0
            for n in range(edits[doc]):
                version = n + 2
                inserting = n % 2 == 0
                if inserting:
                    change = {"range": {"start": {"line": line, "character": col},
                                        "end": {"line": line, "character": col}}, "text": "x"}
                    lines[line] = lines[line][:col] + "x" + lines[line][col:]
                else:
                    change = {"range": {"start": {"line": line, "character": col},
                                        "end": {"line": line, "character": col + 1}}, "text": ""}
                    lines[line] = lines[line][:col] + lines[line][col + 1:]
                if res.sync == 1:  # full-text sync
                    change = {"text": "\n".join(lines)}
                await client.settle(args.settle, timeout)
                seq = len(client.publishes)
                t0 = time.perf_counter()
                client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                         "contentChanges": [change]})
                await client.drain()
                try:
                    pub = await client.wait_publish(uri, seq, version, timeout)
                except asyncio.TimeoutError:
                    res.notes.append(f"{doc}: no diagnostics within {timeout:.0f} s of didChange #{n + 1}")
                    break
                except ServerGone as exc:
                    res.notes.append(f"{doc}: server gone after didChange ({exc}; {client.stderr_tail()})")
                    return
                samples.append(pub.at - t0)
                await client.settle(args.settle, timeout)
                pubs += sum(1 for p in client.publishes[seq:] if p.uri == uri)
            if samples:
                res.change[doc] = samples
                res.publishes_per_edit[doc] = pubs / len(samples)
            if doc == "typical":
                res.rss_typical, _ = peak_rss_kib(client.proc.pid)
            client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
            await client.drain()
        res.rss_end, res.rss_children = peak_rss_kib(client.proc.pid)
    finally:
        if client.publishes:
            with_version = sum(p.version is not None for p in client.publishes)
            res.versioned = ("yes" if with_version == len(client.publishes)
                             else "some" if with_version else "no (first publish after the edit is taken)")
        await client.close()


def servers() -> dict[str, tuple[list[str] | None, str]]:
    tally = C.tally_binary()
    py_ok = C.VENV_PY.exists()
    return {
        "cachemount": ([str(C.VENV_PY), "-m", "cachemount", "serve"] if py_ok else None, "no .venv (uv sync)"),
        "bare pygls": ([str(C.VENV_PY), str(C.HERE / "bare_pygls_server.py")] if py_ok else None,
                       "no .venv (uv sync)"),
        "docker-langserver": ([str(C.DOCKER_LANGSERVER), "--stdio"] if C.DOCKER_LANGSERVER.exists() else None,
                              "not installed (bash bench/peers.sh)"),
        "tally": ([str(tally), "lsp", "--stdio"] if tally else None, "not installed (bash bench/peers.sh)"),
    }


async def run_all(args: argparse.Namespace) -> dict[str, ServerResult]:
    env = C.child_env(not args.no_bytecode_cache)
    results: dict[str, ServerResult] = {}
    wanted = args.servers.split(",")
    for name, (cmd, why) in servers().items():
        if name not in wanted:
            continue
        res = results[name] = ServerResult(name)
        if cmd is None:
            res.skipped = why
            continue
        root = Path(tempfile.mkdtemp(prefix="cm-bench-lsp-"))
        try:
            (root / ".tally.toml").write_text(C.TALLY_TOML)
            docs = {}
            for doc, src in (("typical", C.TYPICAL), ("large", C.LARGE)):
                dst = root / src.name
                shutil.copyfile(src, dst)
                docs[doc] = dst
            print(f"[{name}] session", file=sys.stderr)
            try:
                await session(name, cmd, root, env, docs, {"typical": args.edits, "large": args.edits_large},
                              args, res)
            except Exception as exc:  # a broken server must not stop the others
                res.notes.append(f"session aborted: {type(exc).__name__}: {str(exc)[:120]}")
            if res.skipped is None:
                print(f"[{name}] {args.spawns} spawns", file=sys.stderr)
                for _ in range(args.spawns):
                    try:
                        res.init.append(await spawn_once(name, cmd, root, env, args.init_timeout))
                    except Exception as exc:
                        res.notes.append(f"a spawn got no initialize result ({type(exc).__name__})")
        finally:
            shutil.rmtree(root, ignore_errors=True)
    return results


def report(results: dict[str, ServerResult], args: argparse.Namespace) -> str:
    names = list(results)
    ours = results.get("cachemount")
    peers = [n for n in names if n != "cachemount"]

    def cell(n: str, key: str) -> float | None:
        r = results[n]
        if r.skipped:
            return None
        if key == "init":
            return C.median(r.init)
        if key.startswith("open_"):
            return r.open.get(key[5:])
        if key.startswith("change_"):
            return C.median(r.change.get(key[7:], []))
        if key == "rss_typical":
            return r.rss_typical
        if key == "rss_end":
            return r.rss_end
        return None

    rows = [("init", f"spawn -> initialize result (median of {args.spawns + 1})"),
            ("open_typical", "didOpen -> diagnostics, typical"),
            ("change_typical", f"one-char didChange -> diagnostics, typical (median of {args.edits})"),
            ("open_large", "didOpen -> diagnostics, large"),
            ("change_large", f"one-char didChange -> diagnostics, large (median of {args.edits_large})"),
            ("rss_typical", "peak RSS after typical (VmHWM)"),
            ("rss_end", "peak RSS at the end, after large (VmHWM)")]
    head = "| measure | " + " | ".join(names) + " | " + " | ".join(f"{p} / cachemount" for p in peers) + " |"
    lines = [f"# LSP benchmark, {C.today()}", "",
             f"- machine: {C.machine_line()} (at the end)",
             f"- Python servers: {'bytecode cached under bench/.pycache' if not args.no_bytecode_cache else 'environment as is'}",
             f"- settle {args.settle * 1000:.0f} ms of server silence before each edit; timeout {args.timeout:.0f} s "
             "(x4 for the large file)",
             "- ratio = peer / cachemount (>1: cachemount faster or smaller)",
             "", head, "|---" * (1 + len(names) + len(peers)) + "|"]
    for key, label in rows:
        is_rss = key.startswith("rss")
        vals = [cell(n, key) for n in names]
        fmt = C.fmt_mib if is_rss else C.fmt_s
        base = cell("cachemount", key) if ours else None
        ratios = [C.ratio(cell(p, key), base) for p in peers]
        lines.append(f"| {label} | " + " | ".join(fmt(v) for v in vals) + " | " + " | ".join(ratios) + " |")
    lines += ["", "| server | sync | versioned publishes | diagnostics on open (typical / large) | publishes per edit (typical / large) "
              "| didChange min-max typical | didChange min-max large | notes |", "|---|---|---|---|---|---|---|---|"]
    for n in names:
        r = results[n]
        if r.skipped:
            lines.append(f"| {n} | | | | | | | n/a: {r.skipped} |")
            continue

        def mm(doc: str, r=r) -> str:
            xs = r.change.get(doc)
            return f"{C.fmt_s(min(xs))} - {C.fmt_s(max(xs))}" if xs else "n/a"
        sync = {0: "none", 1: "full", 2: "incremental"}.get(r.sync or 0, str(r.sync))
        ppe = " / ".join(f"{r.publishes_per_edit[d]:.1f}" if d in r.publishes_per_edit else "n/a"
                         for d in ("typical", "large"))
        notes = "; ".join(r.notes)
        if r.rss_children:
            notes = (notes + "; " if notes else "") + f"RSS includes {r.rss_children} child process(es)"
        ver = r.versioned or "n/a"
        lines.append(f"| {n} | {sync} | {ver} | {r.diags.get('typical', 'n/a')} / {r.diags.get('large', 'n/a')} | {ppe} "
                     f"| {mm('typical')} | {mm('large')} | {notes} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer spawns and edits (2 / 10 / 3)")
    ap.add_argument("--spawns", type=int, default=4, help="extra fresh spawns for start-up (default 4)")
    ap.add_argument("--edits", type=int, default=30, help="edits on the typical file (default 30)")
    ap.add_argument("--edits-large", type=int, default=10, help="edits on the large file (default 10)")
    ap.add_argument("--settle", type=float, default=0.15, help="quiet time before each edit, s (default 0.15)")
    ap.add_argument("--timeout", type=float, default=30.0, help="per wait, seconds (x4 for large; default 30)")
    ap.add_argument("--init-timeout", type=float, default=30.0)
    ap.add_argument("--servers", default="cachemount,bare pygls,docker-langserver,tally")
    ap.add_argument("--no-bytecode-cache", action="store_true")
    ap.add_argument("--trace", action="store_true", help="log every message from the servers to stderr")
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args(argv)
    if args.quick:
        args.spawns, args.edits, args.edits_large = 2, 10, 3
    results = asyncio.run(run_all(args))
    text = report(results, args)
    print(text)
    if not args.no_save:
        print(f"saved {C.write_result('lsp', text)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

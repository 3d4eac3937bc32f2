"""Build benchmark (issue 11): what `cachemount check --fix` saves in real BuildKit builds.

Not a test: nothing is asserted. Two apps (bench/build_apps/), each built from its Dockerfile as
people commonly write it (A) and from `cachemount check --fix` of A with the build context known
(B, so CM201's COPY reorder applies):
- python: 10 requirements (Flask, SQLAlchemy, psycopg2-binary, ..., and docopt, an sdist pip builds
  a wheel for) on python:3.11-slim, apt build deps gcc and libpq-dev;
- node: express and 15 more (about 210 packages in a lock file made by the node image's own npm,
  cached in the daemon's state dir) on node:18, apt package dumb-init.

Scenarios, each one build of a chain that starts from an emptied builder (layer cache and cache
mounts) so every rebuild follows a build of the state before it:
  cold build -> edit the source -> add one package -> add one apt package.
Each chain runs for A and B step by step interleaved (A first in odd repetitions, B first in even
ones); the medians over the repetitions and the ratio A/B are reported, with what the package
managers did in the last repetition as evidence.

pip: this machine's PyPI index strips the caching headers, which would leave pip's HTTP cache empty
(pypa/pip#4409; B would look worse than it is with the real PyPI). By default the Python builds
therefore reach the same index through a pass-through on 127.0.0.1 that adds the headers pypi.org
and files.pythonhosted.org send (`--pip-index machine` measures without it). The base image gets
it as /etc/pip.conf, so the Dockerfiles stay as written.

Daemon: the private dockerd of scripts/buildkit (tests/buildkit/harness.py), with its state in
$CACHEMOUNT_BK_DIR (default /tmp/cachemount-buildkit; the first start makes the base images, 2-5
min). Use a dir of your own (CACHEMOUNT_BK_DIR=/tmp/cachemount-bench) when tests may run at the same
time: the benchmark prunes the builder. A daemon this run started is stopped at the end (--keep
leaves it up).

Run: cd /work/main && CACHEMOUNT_BK_DIR=/tmp/cachemount-bench .venv/bin/python bench/build_bench.py
     [--quick] [-n N] [--apps python,node] [--pip-index headers|machine] [--keep] [--no-save]
Prints a markdown report and saves it as bench/results/build-<date>.md.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO), str(HERE)]  # tests.buildkit.harness and _common

import _common as C  # noqa: E402

from tests.buildkit.harness import BuildResult, Daemon, DaemonUnavailable, fix  # noqa: E402

APPS_DIR = HERE / "build_apps"
TAG = "cmbench/"  # app images; the pip base image has its own name so the per-repetition cleanup keeps it
PIP_BASE = "cmbench-base/python:3.11-slim"
T0 = time.monotonic()


def log(line: str) -> None:
    """Progress on stderr, with the time since the start: slow parts say what they are doing."""
    s = int(time.monotonic() - T0)
    print(f"[{s // 60:3d}:{s % 60:02d}] {line}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# The pip index with PyPI's caching headers

class PypiWithHeaders:
    """Pass-through to the machine's index (pypi.org, files.pythonhosted.org) on 127.0.0.1 that
    sends the Cache-Control and ETag headers PyPI sends, so pip's HTTP cache works as it does for
    a user of the real PyPI. Bodies are the upstream ones, fetched for every request (no cache here)."""

    SIMPLE = "https://pypi.org/simple/"
    FILES = "https://files.pythonhosted.org/"
    PAGE_CACHE = "max-age=600, public"          # pypi.org/simple/<project>/
    FILE_CACHE = "max-age=365000000, immutable, public"  # files.pythonhosted.org

    def __init__(self) -> None:
        outer = self
        self.requests = 0
        self.bytes = 0

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                outer.requests += 1
                if self.path.startswith("/simple/"):
                    self._relay(outer.SIMPLE + self.path[len("/simple/"):], page=True)
                elif self.path.startswith("/files/"):
                    self._relay(outer.FILES + self.path[len("/files/"):], page=False)
                else:
                    self._send(404, b"not found\n", "text/plain", None)

            def _relay(self, url: str, page: bool) -> None:
                etag = '"' + hashlib.sha256(url.encode()).hexdigest()[:32] + '"'
                if not page and self.headers.get("If-None-Match") == etag:
                    self._send(304, b"", None, outer.FILE_CACHE, etag)
                    return
                req = urllib.request.Request(url, headers={"Accept": self.headers.get("Accept", "*/*"),
                                                           "User-Agent": self.headers.get("User-Agent", "pip")})
                try:
                    with urllib.request.urlopen(req, timeout=120) as resp:
                        ctype = resp.headers.get("Content-Type", "application/octet-stream")
                        if page:
                            body = resp.read().replace(outer.FILES.encode(), f"{outer.url}/files/".encode())
                            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                            self._send(200, body, ctype, outer.PAGE_CACHE, etag)
                        else:
                            self._stream(resp, ctype, etag)
                except urllib.error.HTTPError as e:
                    self._send(e.code, f"upstream {e.code}\n".encode(), "text/plain", None)
                except (OSError, urllib.error.URLError) as e:
                    self._send(502, f"upstream error: {e}\n".encode(), "text/plain", None)

            def _stream(self, resp, ctype: str, etag: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                length = resp.headers.get("Content-Length")
                if length:
                    self.send_header("Content-Length", length)
                else:
                    self.close_connection = True
                self.send_header("Cache-Control", outer.FILE_CACHE)
                self.send_header("ETag", etag)
                self.end_headers()
                while chunk := resp.read(1 << 16):
                    self.wfile.write(chunk)
                    outer.bytes += len(chunk)

            def _send(self, code: int, body: bytes, ctype: str | None, cache: str | None,
                      etag: str | None = None) -> None:
                self.send_response(code)
                if ctype:
                    self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                if cache:
                    self.send_header("Cache-Control", cache)
                if etag:
                    self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)
                outer.bytes += len(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> PypiWithHeaders:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------------------------------------
# The apps and their chains of states

@dataclass
class State:
    label: str                      # the report's row
    files: dict[str, str]           # the build context
    apt_edit: tuple[str, str] | None = None  # (old, new) in the Dockerfile, applied to A and B


@dataclass
class App:
    key: str
    title: str
    dockerfile: str                 # A, as written
    states: list[State]
    smoke: tuple[str, list[str]]    # command in the last image, strings its output must hold
    base_override: dict[str, str] = field(default_factory=dict)  # FROM image -> image built here


def _read(app: str, name: str) -> str:
    return (APPS_DIR / app / name).read_text()


def _edit(text: str, old: str, new: str, what: str) -> str:
    if text.count(old) != 1:
        raise SystemExit(f"build_bench: {what}: {old!r} occurs {text.count(old)} times, expected once")
    return text.replace(old, new)


def python_app() -> App:
    reqs, src = _read("python", "requirements.txt"), _read("python", "app.py")
    s0 = {"requirements.txt": reqs, "app.py": src}
    s1 = {**s0, "app.py": _edit(src, 'VERSION = "v1"', 'VERSION = "v2"', "app.py")}
    s2 = {**s1, "requirements.txt": reqs + "pyyaml\n"}
    apt = ("--no-install-recommends gcc libpq-dev", "--no-install-recommends gcc libpq-dev curl")
    return App("python", "Python app", _read("python", "Dockerfile"), [
        State("cold build", s0),
        State("rebuild after editing app.py", s1),
        State("rebuild after adding a package (pyyaml)", s2),
        State("rebuild after adding an apt package (curl)", s2, apt),
    ], ("python app.py && command -v curl", ["ok v2", "yaml", "/curl"]))


def npm_lock(bk: Daemon, package_json: str) -> str:
    """package-lock.json made by the node image's own npm; kept in the daemon's state dir, so a
    rerun builds the same ~210 packages without resolving them again."""
    cache = bk.state_dir / "bench-locks" / (hashlib.sha256(package_json.encode()).hexdigest()[:16] + ".json")
    if cache.exists():
        return cache.read_text()
    log("npm install --package-lock-only in local/node:18 (about 15 s)")
    script = ("mkdir /tmp/p && cd /tmp/p && cat > package.json && "
              "npm install --package-lock-only --no-audit --no-fund --loglevel=error >&2 && cat package-lock.json")
    proc = bk.docker("run", "--rm", "-i", "--network=host", "local/node:18", "sh", "-c", script, input=package_json)
    if proc.returncode or not proc.stdout.strip():
        raise SystemExit(f"build_bench: npm could not make a lock file: {proc.stderr.strip()[-500:]}")
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(proc.stdout)
    return proc.stdout


def node_app(bk: Daemon) -> App:
    pkg, src = _read("node", "package.json"), _read("node", "index.js")
    deps = json.loads(pkg)
    deps["dependencies"]["dayjs"] = "^1.11.10"
    pkg2 = json.dumps(deps, indent=2) + "\n"
    s0 = {"package.json": pkg, "package-lock.json": npm_lock(bk, pkg), "index.js": src}
    s1 = {**s0, "index.js": _edit(src, 'const VERSION = "v1"', 'const VERSION = "v2"', "index.js")}
    s2 = {**s1, "package.json": pkg2, "package-lock.json": npm_lock(bk, pkg2)}
    apt = ("--no-install-recommends dumb-init", "--no-install-recommends dumb-init procps")
    return App("node", "Node app", _read("node", "Dockerfile"), [
        State("cold build", s0),
        State("rebuild after editing index.js", s1),
        State("rebuild after adding a package (dayjs)", s2),
        State("rebuild after adding an apt package (procps)", s2, apt),
    ], ("BENCH_SMOKE=1 node index.js && command -v ps", ["ok v2", "dayjs", "/ps"]))


@dataclass
class Plan:
    """The Dockerfile of each state, as written (A) and as fixed (B), and what checking the fix said."""
    a: list[str]
    b: list[str]
    notes: list[str]


def _fix(text: str, files: dict[str, str], what: str) -> str:
    """harness.fix (the CLI's `check --fix --context`, checked against the editor's Fix all), with a
    short message instead of a traceback when it fails."""
    try:
        return fix(text, files)
    except Exception as e:  # any failure of the tool under test ends the run the same way
        detail = "\n".join(str(e).strip().splitlines()[-12:])
        raise SystemExit(f"build_bench: cachemount check --fix of {what} failed ({type(e).__name__}):\n{detail}") from None


def plan(app: App) -> Plan:
    """B is the fix of A with the context of the first state; a later apt edit is made to A and to B
    alike (a user edits the fixed file), and the fix of the edited A should be that same file."""
    b0 = _fix(app.dockerfile, app.states[0].files, f"{app.key} A")
    notes = []
    if _fix(b0, app.states[0].files, f"{app.key} B") != b0:
        notes.append("the fix of B is not B (not idempotent)")
    a_texts, b_texts = [], []
    a, b = app.dockerfile, b0
    for i, st in enumerate(app.states):
        if st.apt_edit:
            a = _edit(a, *st.apt_edit, f"{app.key} Dockerfile A")
            b = _edit(b, *st.apt_edit, f"{app.key} Dockerfile B")
            fixed = _fix(a, st.files, f"{app.key} A with the apt edit")
            notes.append(f"fix of A with the apt edit {'equals' if fixed == b else 'DIFFERS from'} B with the same edit")
        elif i and _fix(a, st.files, f"{app.key} A in state '{st.label}'") != b:
            notes.append(f"fix of A in state '{st.label}' differs from B")
        a_texts.append(a)
        b_texts.append(b)
    return Plan(a_texts, b_texts, notes)


# ---------------------------------------------------------------------------------------------
# Building and measuring

def with_base(text: str, override: dict[str, str]) -> str:
    for official, ours in override.items():
        text = re.sub(rf"^(\s*FROM\s+(?:--\S+\s+)*){re.escape(official)}(?=\s|$)", rf"\g<1>{ours}", text,
                      flags=re.IGNORECASE | re.MULTILINE)
    return text


def make_pip_base(bk: Daemon, index: PypiWithHeaders) -> None:
    # pip caches HTTP responses from a plain-http index only when its host is trusted.
    conf = f"[global]\nindex-url = {index.url}/simple/\ntrusted-host = 127.0.0.1\n"
    r = bk.build("FROM python:3.11-slim\nCOPY pip.conf /etc/pip.conf\n", {"pip.conf": conf}, PIP_BASE)
    if not r.ok:
        raise SystemExit("build_bench: could not make the pip base image:\n" + "\n".join(r.log.splitlines()[-20:]))


def must_build(bk: Daemon, app: App, text: str, files: dict[str, str], tag: str) -> BuildResult:
    r = bk.build(with_base(text, app.base_override), files, tag)
    if not r.ok:
        tail = "\n".join(r.log.splitlines()[-30:])
        raise SystemExit(f"build_bench: build of {tag} failed (rc {r.rc}):\n{r.dockerfile}\n{tail}")
    return r


def clean_slate(bk: Daemon) -> None:
    """No image of an earlier repetition and an empty builder: the next build is truly cold."""
    images = bk.docker("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split()
    ours = [t for t in images if t.startswith(TAG)]
    if ours:
        bk.docker("rmi", "-f", *ours)
    bk.docker("image", "prune", "-f")
    bk.prune()


def evidence(r: BuildResult) -> str:
    """What the install steps of one build did, from the package managers' own output."""
    parts = []
    for step in r.steps:
        ins = step.instruction
        if "apt-get install" in ins:
            tool = "apt"
        elif "pip install" in ins:
            tool = "pip"
        elif "npm ci" in ins:
            tool = "npm"
        else:
            continue
        if step.cached:
            parts.append(f"{tool} cached")
            continue
        text = step.text
        took = f" in {step.seconds:.0f} s" if step.seconds is not None else ""
        if tool == "apt":
            m = re.search(r"^Need to get (.*?) of archives", text, re.MULTILINE)
            rate = re.findall(r"^Fetched .* \((\S+ \S+/s)\)", text, re.MULTILINE)  # the last: the archives
            parts.append(f"apt fetched {m[1] if m else '?'}{f' at {rate[-1]}' if rate else ''}{took}")
        elif tool == "pip":
            down = len(re.findall(r"^\s*Downloading \S+\.(?:whl|tar\.gz|zip)", text, re.MULTILINE))
            hit = len(re.findall(r"^\s*Using cached ", text, re.MULTILINE))
            built = len(set(re.findall(r"Created wheel for (\S+?):", text)))
            parts.append(f"pip {down} downloaded, {hit} from cache, {built} wheel{'s' * (built != 1)} built{took}")
        else:
            m = re.search(r"added (\d+) packages", text)
            parts.append(f"npm added {m[1] if m else '?'}{took}")
    return "; ".join(parts) or "-"


@dataclass
class Cell:
    seconds: list[float] = field(default_factory=list)
    last: BuildResult | None = None


def run_app(bk: Daemon, app: App, p: Plan, reps: int) -> dict[tuple[int, str], Cell]:
    cells: dict[tuple[int, str], Cell] = {(i, v): Cell() for i in range(len(app.states)) for v in "AB"}
    texts = {"A": p.a, "B": p.b}
    logs = bk.state_dir / "bench-logs"  # every build's Dockerfile and log, for a closer look
    for rep in range(reps):
        order = "AB" if rep % 2 == 0 else "BA"
        log(f"{app.key} repetition {rep + 1}/{reps} ({order[0]} first): emptying the builder (prune)")
        clean_slate(bk)
        for i, st in enumerate(app.states):
            for v in order:
                log(f"{app.key} {rep + 1}/{reps} {v}: {st.label}")
                r = must_build(bk, app, texts[v][i], st.files, f"{TAG}{app.key}-{v.lower()}")
                cells[i, v].seconds.append(r.seconds)
                cells[i, v].last = r
                logs.mkdir(parents=True, exist_ok=True)
                (logs / f"{app.key}-{v}-{i}-rep{rep + 1}.log").write_text(r.dockerfile + "\n" + r.log)
                log(f"{app.key} {rep + 1}/{reps} {v}: {st.label}: {r.seconds:.1f} s "
                    f"({sum(s.cached for s in r.steps)}/{len(r.steps)} steps cached; {evidence(r)})")
        cmd, expect = app.smoke
        for v in order:
            rc, out = bk.run(f"{TAG}{app.key}-{v.lower()}", cmd)
            if rc or not all(e in out for e in expect):
                raise SystemExit(f"build_bench: the {app.key} image {v} does not run as expected "
                                 f"(`{cmd}`: rc {rc}):\n{out}")
    return cells


# ---------------------------------------------------------------------------------------------
# Report

def _s(x: float) -> str:
    return f"{x:.1f} s" if x >= 10 else f"{x:.2f} s"


def _ratio(a: float, b: float) -> str:
    if b <= 0:
        return "n/a"
    r = a / b
    return f"**{r:.1f}x**" if r >= 10 else f"**{r:.2f}x**"


def _packages(app: App, cells: dict[tuple[int, str], Cell]) -> str:
    r = cells[0, "A"].last
    assert r is not None
    text = "\n".join(s.text for s in r.steps)
    if app.key == "python":
        m = re.search(r"Successfully installed (.*)", text)
        return f"{len(m[1].split()) if m else '?'} Python packages installed"
    m = re.search(r"added (\d+) packages", text)
    return f"{m[1] if m else '?'} npm packages installed"


def report_app(app: App, p: Plan, cells: dict[tuple[int, str], Cell]) -> tuple[list[str], dict[str, float]]:
    lines = [f"## {app.title} (`bench/build_apps/{app.key}/`, {_packages(app, cells)})", "",
             "| scenario | A median | B median | A/B | A runs | B runs |", "|---|---|---|---|---|---|"]
    ratios = {}
    for i, st in enumerate(app.states):
        a, b = cells[i, "A"].seconds, cells[i, "B"].seconds
        ma, mb = statistics.median(a), statistics.median(b)
        ratios[st.label] = ma / mb if mb > 0 else 0.0
        runs = (", ".join(f"{x:.1f}" for x in a), ", ".join(f"{x:.1f}" for x in b))
        lines.append(f"| {st.label} | {_s(ma)} | {_s(mb)} | {_ratio(ma, mb)} | {runs[0]} | {runs[1]} |")
    lines += ["", "What the install steps did (last repetition; A / B):", "",
              "| scenario | A | B | steps cached A / B |", "|---|---|---|---|"]
    for i, st in enumerate(app.states):
        ra, rb = cells[i, "A"].last, cells[i, "B"].last
        assert ra is not None and rb is not None
        cached = " / ".join(f"{sum(s.cached for s in r.steps)} of {len(r.steps)}" for r in (ra, rb))
        lines.append(f"| {st.label} | {evidence(ra)} | {evidence(rb)} | {cached} |")
    lines += ["", f"Checks of the fix: {'; '.join(p.notes) or 'none'}.", "",
              "A (as commonly written):", "", "```dockerfile", p.a[0].rstrip(), "```", "",
              "B (`cachemount check --fix --context <app dir>` of A):", "", "```dockerfile", p.b[0].rstrip(), "```", ""]
    return lines, ratios


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1 repetition")
    ap.add_argument("-n", type=int, default=3, help="repetitions (default 3; medians)")
    ap.add_argument("--apps", default="python,node", help="comma-separated subset of python,node")
    ap.add_argument("--pip-index", choices=("headers", "machine"), default="headers",
                    help="headers: the machine's index through a pass-through adding PyPI's caching headers "
                         "(default); machine: the index as it is")
    ap.add_argument("--keep", action="store_true", help="leave the daemon running if this run started it")
    ap.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    args = ap.parse_args(argv)
    reps = 1 if args.quick else args.n
    if reps < 1:
        ap.error("-n must be at least 1")
    wanted = [a.strip() for a in args.apps.split(",") if a.strip()]
    if not wanted or set(wanted) - {"python", "node"}:
        ap.error(f"--apps: choose from python,node (got {args.apps!r})")

    started = C.machine_line()
    bk = Daemon(progress=log)
    log(f"daemon state dir {bk.state_dir} (waits if another session holds it)")
    bk.lock()
    index = None
    try:
        log("starting dockerd and making the base images if missing (first time: 2-5 min)")
        try:
            bk.start()
        except DaemonUnavailable as e:
            print(f"build_bench: dockerd cannot run here: {str(e).splitlines()[-1] if str(e) else e}", file=sys.stderr)
            return 2
        docker_version = bk.docker("version", "-f", "{{.Server.Version}}").stdout.strip()
        apps = []
        for key in wanted:
            app = python_app() if key == "python" else node_app(bk)
            if key == "python" and args.pip_index == "headers":
                index = PypiWithHeaders().start()
                log(f"pip index with PyPI's caching headers at {index.url}; base image {PIP_BASE}")
                make_pip_base(bk, index)
                app.base_override = {"python:3.11-slim": PIP_BASE}
            log(f"{key}: cachemount check --fix of A")
            apps.append((app, plan(app)))
        out = [f"# Build benchmark, {C.today()}", "",
               f"- machine: {started} (at start); dockerd {docker_version} with its built-in BuildKit, "
               "base images made from Debian packages (scripts/buildkit/mk-base.sh), builds with `--network=host`",
               f"- {reps} repetition{'s' * (reps > 1)}; medians; each repetition is one chain per app "
               "(empty builder and cache mounts, cold build, then each edit on top of the previous state), "
               "A and B interleaved build by build (A first in odd repetitions, B first in even ones)",
               "- A = the Dockerfile as commonly written, B = `cachemount check --fix` of A with the build "
               "context known; A/B above 1 means the fixed file builds faster",
               "- pip index: " + ("the machine's index through a local pass-through that adds the caching "
                                  "headers PyPI sends (this machine's index strips them)"
                                  if args.pip_index == "headers" else
                                  "the machine's index as it is (no caching headers: pip's HTTP cache stays empty)"),
               ""]
        summary = []
        for app, p in apps:
            cells = run_app(bk, app, p, reps)
            lines, ratios = report_app(app, p, cells)
            out += lines
            edit = app.states[1].label
            summary.append(f"{app.key} {edit.replace('rebuild after ', '')} {ratios[edit]:.1f}x")
        total = time.monotonic() - T0
        out += [f"- machine at end: {C.machine_line()}",
                f"- total run time {total / 60:.1f} min",
                "- reproduce: `cd /work/main && CACHEMOUNT_BK_DIR=/tmp/cachemount-bench "
                f".venv/bin/python bench/build_bench.py{' --quick' if args.quick else ''}"
                f"{f' -n {reps}' if not args.quick and reps != 3 else ''}"
                f"{' --apps ' + ','.join(wanted) if wanted != ['python', 'node'] else ''}"
                f"{' --pip-index machine' if args.pip_index == 'machine' else ''}`"]
        text = "\n".join(out) + "\n"
        print(text)
        log("source-edit speed-up A/B: " + ", ".join(summary))
        if not args.no_save:
            path = C.write_result("build", text)
            log(f"saved {path.relative_to(REPO)}")
        return 0
    finally:
        if index:
            index.stop()
        if bk.started_here and not args.keep:
            log("stopping the dockerd this run started")
            bk.stop()
        bk.unlock()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("build_bench: interrupted", file=sys.stderr)
        sys.exit(130)

"""The two network facts CM402 (`unpinned-remote`) and explain's model (`remote` inputs) rest on,
proven against real BuildKit (issue 13):

1. A `RUN curl <url>` is keyed on its command text, never on what the URL serves: after the served
   file changes, the rebuild keeps the RUN CACHED and the image keeps the stale content (the daemon
   does not even ask the server), until a step above it changes; then it takes the new content.
2. An `ADD <url>` is fetched at every build and keyed on the fetched content: CACHED while the
   content stays the same (also when only its Last-Modified moves), re-run with the new content
   when it changes.

The file is served by a python http.server (a thread of this test) on 127.0.0.1. What works here,
as observed (dockerd 20.10, its built-in BuildKit): the daemon of scripts/buildkit runs with
`--bridge=none`, so there is no docker0 bridge and no gateway address; the harness builds with
`--network=host`, so a RUN shares the host's network namespace and reaches 127.0.0.1, and an ADD
URL is fetched by dockerd itself, on the host, which reaches it too. The server's request log shows
who fetched what: one GET per build for the ADD, none for a CACHED RUN.

The base images have neither curl nor wget; a step above installs curl from the Debian mirror (as
tests/buildkit/test_matrix_scenarios.py installs jq): CM402 knows curl/wget/aria2c, so the built
Dockerfile is exactly the one CM402 is asserted on. Every URL carries a per-run nonce segment and
every served text the nonce, so no cache of an earlier run can satisfy a first build.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.buildkit.harness import BuildResult
from tests.buildkit.rerun_sets import explain

pytestmark = pytest.mark.buildkit

NONCE = uuid.uuid4().hex[:12]
TOOL = f"/{NONCE}/latest/tool.txt"   # `latest`: the moving segment CM402 looks for


class Server:
    """A directory served over HTTP on 127.0.0.1, with the GETs it answered."""

    def __init__(self, root: Path):
        self.root = root
        self.gets: list[str] = []
        log = self.gets

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self):
                log.append(self.path)
                super().do_GET()

            def log_message(self, *args):   # quiet: pytest shows the assertion, not access lines
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{TOOL}"

    def serve(self, text: str) -> None:
        path = self.root / TOOL.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def fetches(self) -> int:
        return self.gets.count(TOOL)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "srv")
    yield srv
    srv.close()


def _cachemount(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("cachemount", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-m", "cachemount"]
    return subprocess.run(cmd + list(args), cwd=cwd, capture_output=True, text=True, timeout=120)


def _ok(result: BuildResult) -> BuildResult:
    assert result.ok, f"build {result.tag} failed (rc {result.rc}):\n{result.dockerfile}\n" + \
        "\n".join(result.log.splitlines()[-30:])
    return result


def _content(bk, tag: str) -> str:
    rc, out = bk.run(tag, "cat /tool.txt")
    assert rc == 0, f"cat /tool.txt in {tag} exited {rc}: {out}"
    return out


def _step_json(report: dict, line: int) -> dict:
    return next(s for s in report["steps"] if s["line"] == line)


def test_run_curl_of_a_moving_url_keeps_the_stale_download(bk, bk_report, server, tmp_path):
    dockerfile = (
        "FROM debian:bookworm\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n"
        "COPY stamp.txt /stamp.txt\n"
        f"RUN curl -fsS {server.url} -o /tool.txt\n"
    )
    curl_line = 4
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(dockerfile)
    (ctx / "stamp.txt").write_text("1\n")
    t0 = time.monotonic()

    # CM402 reports the trap on exactly this Dockerfile, at the URL of the curl line.
    proc = _cachemount("check", "--format", "json", "--select", "CM402", "Dockerfile", cwd=ctx)
    assert proc.returncode == 1, f"check exited {proc.returncode}: {proc.stdout}{proc.stderr}"
    findings = json.loads(proc.stdout)
    assert [(f["code"], f["line"]) for f in findings] == [("CM402", curl_line)], findings
    assert "`latest` moves" in findings[0]["message"], findings[0]["message"]
    # explain's model agrees: no input of the curl RUN is the network.
    report = _cachemount("explain", "Dockerfile", "--format", "json", cwd=ctx)
    assert report.returncode == 0, report.stderr
    kinds = {i["kind"] for i in _step_json(json.loads(report.stdout), curl_line)["invalidated_by"]}
    assert "remote" not in kinds, kinds

    v1, v2 = f"v1 {NONCE}\n", f"v2 {NONCE}\n"
    server.serve(v1)
    first = _ok(bk.build(dockerfile, {"stamp.txt": "1\n"}, "remote-run"))
    assert not first.step("curl -fsS").cached, first.log
    assert _content(bk, first.tag) == v1
    assert server.fetches() == 1, server.gets

    # The served file changes; the Dockerfile and context do not.
    server.serve(v2)
    second = _ok(bk.build(dockerfile, {"stamp.txt": "1\n"}, "remote-run"))
    assert second.step("curl -fsS").cached, f"curl re-ran although nothing above it changed:\n{second.log}"
    stale = _content(bk, second.tag)
    assert stale == v1, f"image holds {stale!r}, expected the stale {v1!r}"
    assert server.fetches() == 1, f"the daemon asked the server during a CACHED RUN: {server.gets}"

    # A step above changes: explain says the curl re-runs, it does, and it takes the new content.
    (ctx / "stamp.txt").write_text("2\n")
    predicted = explain(Path("Dockerfile"), ctx, ["stamp.txt"], [], None)
    assert _step_json(predicted, curl_line)["reruns"] is True, predicted
    third = _ok(bk.build(dockerfile, {"stamp.txt": "2\n"}, "remote-run"))
    assert not third.step("curl -fsS").cached, third.log
    assert _content(bk, third.tag) == v2
    assert server.fetches() == 2, server.gets
    bk_report(f"remote, RUN curl {TOOL}: served v1->v2, rebuild CACHED with v1 in the image (0 fetches); "
              f"after an edit above: re-ran, v2 ({time.monotonic() - t0:.0f} s)")


def test_add_url_refetches_and_reruns_only_when_the_content_changes(bk, bk_report, server, tmp_path):
    dockerfile = (
        "FROM debian:bookworm\n"
        f"ADD {server.url} /tool.txt\n"
        "RUN cat /tool.txt\n"
    )
    add_line = 2
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(dockerfile)
    t0 = time.monotonic()

    # explain's model: the URL is a `remote` input of the ADD (and of every step after it).
    proc = _cachemount("explain", "Dockerfile", "--format", "json", cwd=ctx)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    remote = [i for i in _step_json(report, add_line)["invalidated_by"] if i["kind"] == "remote"]
    assert [(i["name"], i["pinned"], i["line"]) for i in remote] == [(server.url, False, add_line)], remote
    assert any(i["kind"] == "remote" for i in _step_json(report, 3)["invalidated_by"])
    # CM402 points at ADD <url> as the way out: it reports nothing here.
    check = _cachemount("check", "--format", "json", "--select", "CM402", "Dockerfile", cwd=ctx)
    assert check.returncode == 0 and json.loads(check.stdout) == [], check.stdout + check.stderr

    v1, v2 = f"v1 {NONCE}\n", f"v2 {NONCE}\n"
    server.serve(v1)
    first = _ok(bk.build(dockerfile, {}, "remote-add"))
    assert not first.step("ADD").cached and not first.step("cat").cached, first.log
    assert v1.strip() in first.step("cat").text, first.step("cat").text
    assert _content(bk, first.tag) == v1

    # Unchanged content: fetched again, and CACHED.
    fetched = server.fetches()
    same = _ok(bk.build(dockerfile, {}, "remote-add"))
    assert server.fetches() == fetched + 1, f"ADD <url> was not fetched again: {server.gets}"
    assert same.step("ADD").cached and same.step("cat").cached, same.log

    # Same bytes, a new Last-Modified (the file rewritten a minute later): still CACHED, the key is
    # the content.
    path = server.root / TOOL.lstrip("/")
    path.write_text(v1)
    later = path.stat().st_mtime + 60
    os.utime(path, (later, later))
    touched = _ok(bk.build(dockerfile, {}, "remote-add"))
    assert touched.step("ADD").cached and touched.step("cat").cached, touched.log

    # New content: the ADD and the step after it re-run, and the image has it.
    server.serve(v2)
    changed = _ok(bk.build(dockerfile, {}, "remote-add"))
    assert not changed.step("ADD").cached and not changed.step("cat").cached, changed.log
    assert v2.strip() in changed.step("cat").text, changed.step("cat").text
    assert _content(bk, changed.tag) == v2
    bk_report(f"remote, ADD {TOOL}: {server.fetches()} builds, {server.fetches()} fetches; unchanged and "
              f"touched: CACHED; v1->v2: re-ran, v2 in the image ({time.monotonic() - t0:.0f} s)")

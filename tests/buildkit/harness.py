"""Real BuildKit builds for tests: a private dockerd, local base images, builds of Dockerfiles with
contexts the test writes, and the evidence a test asserts on (steps CACHED or not, tool output,
image contents and size).

The daemon and the base images come from scripts/buildkit/ (all state under one dir,
$CACHEMOUNT_BK_DIR, default /tmp/cachemount-buildkit). No registry is reachable, so test
Dockerfiles name the official images (`FROM python:3.11-slim`, what cachemount sees in real
files) and `build` maps them to the local images made by mk-base.sh.

Gotcha: `docker build --no-cache` also starts every cache mount empty (BuildKit in docker 20.10),
so a test that wants to see a cache mount reused must change an input instead (add a package).
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tests.buildkit.editor_fix import editor_fixes

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "scripts" / "buildkit"
DEFAULT_STATE_DIR = "/tmp/cachemount-buildkit"
# Debian's client (20.10, BuildKit built in); a newer CLI elsewhere on PATH would need buildx.
DOCKER = "/usr/bin/docker"
TAG_PREFIX = "cmtest/"

# Official image -> local image made by mk-base.sh.
LOCAL_IMAGES = {
    "debian:bookworm": "local/debian:bookworm",
    "python:3.11-slim": "local/python:3.11-slim",
    "node:18": "local/node:18",
}
BASE_IMAGES = tuple(LOCAL_IMAGES.values())

_FROM = re.compile(r"^(\s*FROM\s+(?:--\S+\s+)*)(\S+)", re.IGNORECASE | re.MULTILINE)

# BuildKit's --progress=plain lines.
# BuildKit pads the step number to the width of the total: `[ 4/10]`, `[deps  4/10]`.
_HEADER = re.compile(r"^#(\d+) \[(?:(\S+) )?\s*(\d+)/(\d+)\] (.*)$")
_CACHED = re.compile(r"^#(\d+) CACHED$")
_DONE = re.compile(r"^#(\d+) DONE ([\d.]+)s$")
_ERROR = re.compile(r"^#(\d+) ERROR:? ?(.*)$")
_OUTPUT = re.compile(r"^#(\d+) (\d+\.\d+)(?: (.*))?$")


class DaemonUnavailable(Exception):
    """dockerd cannot run on this machine at all (the only reason the tier may skip)."""


@dataclass
class Step:
    num: int
    stage: str | None
    index: int
    total: int
    instruction: str
    cached: bool = False
    seconds: float | None = None
    error: str | None = None
    output: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.output)


@dataclass
class BuildResult:
    tag: str
    rc: int
    log: str
    steps: list[Step]
    dockerfile: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.rc == 0

    def step(self, needle: str) -> Step:
        """The one step whose instruction contains `needle`."""
        found = [s for s in self.steps if needle in s.instruction]
        if len(found) != 1:
            raise AssertionError(f"{len(found)} steps contain {needle!r} in build of {self.tag}:\n"
                                 + "\n".join(f"  {s.instruction}" for s in self.steps))
        return found[0]

    def summary(self) -> str:
        cached = sum(s.cached for s in self.steps)
        return f"{self.tag}: rc={self.rc} {self.seconds:.1f}s, {cached}/{len(self.steps)} steps cached"


def parse_plain_progress(log: str) -> list[Step]:
    """The Dockerfile steps of a `--progress=plain` log, in step order, with CACHED/output/errors."""
    steps: dict[int, Step] = {}
    for line in log.splitlines():
        if m := _HEADER.match(line):
            num = int(m[1])
            if num not in steps:  # BuildKit repeats a header when its output interleaves
                steps[num] = Step(num, m[2], int(m[3]), int(m[4]), m[5])
        elif (m := _CACHED.match(line)) and int(m[1]) in steps:
            steps[int(m[1])].cached = True
        elif (m := _DONE.match(line)) and int(m[1]) in steps:
            steps[int(m[1])].seconds = float(m[2])
        elif (m := _ERROR.match(line)) and int(m[1]) in steps:
            steps[int(m[1])].error = m[2]
        elif (m := _OUTPUT.match(line)) and int(m[1]) in steps:
            steps[int(m[1])].output.append(m[3] or "")
    return sorted(steps.values(), key=lambda s: (s.stage or "", s.index, s.num))


def localize(dockerfile: str) -> str:
    """Point FROM lines that name an official image at the local image made by mk-base.sh."""
    return _FROM.sub(lambda m: m[1] + LOCAL_IMAGES.get(m[2], m[2]), dockerfile)


def fix(dockerfile: str, context_files: dict[str, str | bytes] | None = None) -> str:
    """What the real CLI makes of `dockerfile`: `cachemount check --fix -` prints the fixed text.
    With `context_files`, the build context is known (`--context` of a directory holding them), as
    for a Dockerfile checked in its project; without, it is unknown (stdin) and CM201's reorder,
    being unsafe then, is not applied."""
    exe = shutil.which("cachemount", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-c", "import sys; from cachemount.__main__ import main; sys.exit(main())"]
    with tempfile.TemporaryDirectory(prefix="cm-fix-ctx-") as ctx:
        args = ["check", "--fix", "-"]
        if context_files is not None:
            for rel, content in context_files.items():
                path = Path(ctx, rel)
                path.parent.mkdir(parents=True, exist_ok=True)
                (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
            # named as a Dockerfile in its project: its settings file (if any) applies, as in the editor
            args = ["check", "--fix", "--context", ctx, "--stdin-filename", str(Path(ctx, "Dockerfile")), "-"]
        proc = subprocess.run(cmd + args, input=dockerfile, capture_output=True, text=True, timeout=120)
    if proc.returncode not in (0, 1):  # 1: findings left that have no fix
        raise RuntimeError(f"cachemount check --fix - exited {proc.returncode}: {proc.stderr.strip()}")
    # For stdin it prints the text only when a fix changed it.
    fixed = proc.stdout or dockerfile
    # The editor's "Fix all" (and the quick fix, when there is one) must write the same text.
    for how, text in editor_fixes(dockerfile, context_files).items():
        if text != fixed:
            raise AssertionError(f"the editor's {how} differs from `cachemount check --fix`:\n--- CLI\n{fixed}"
                                 f"--- {how}\n{text}")
    return fixed


class Daemon:
    """The private dockerd of scripts/buildkit, and what tests do with it."""

    def __init__(self, state_dir: str | os.PathLike | None = None,
                 progress: Callable[[str], None] = print):
        self.state_dir = Path(state_dir or os.environ.get("CACHEMOUNT_BK_DIR") or DEFAULT_STATE_DIR)
        self.progress = progress
        self.env = {**os.environ, "CACHEMOUNT_BK_DIR": str(self.state_dir), "DOCKER_BUILDKIT": "1",
                    "DOCKER_HOST": f"unix://{self.state_dir / 'docker.sock'}"}
        self.started_here = False
        self._lock = None

    # --- lifecycle -------------------------------------------------------------------------

    def lock(self) -> None:
        """Hold the state dir for this session: a second session waits instead of stopping ours."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.state_dir / "session.lock", "w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.progress(f"[buildkit] another test session holds {self.state_dir}/session.lock: waiting")
            fcntl.flock(self._lock, fcntl.LOCK_EX)

    def unlock(self) -> None:
        if self._lock:
            self._lock.close()
            self._lock = None

    def running(self) -> bool:
        if not Path(DOCKER).exists():
            return False
        return subprocess.run([DOCKER, "info"], env=self.env, capture_output=True,
                              timeout=60).returncode == 0

    def start(self) -> None:
        """Install (when missing) and start dockerd, then make the base images (once per state dir)."""
        was_running = self.running()
        rc, tail = self._script("start-dockerd.sh", timeout=900)
        if rc == 3 or (rc != 0 and not self.running()):
            log = self.state_dir / "dockerd.log"
            log_tail = "\n".join(log.read_text(errors="replace").splitlines()[-10:]) if log.exists() else ""
            detail = tail if log_tail in tail else "\n".join(filter(None, [tail, log_tail]))
            raise DaemonUnavailable(detail or f"start-dockerd.sh exited {rc}")
        if rc != 0:
            raise RuntimeError(f"start-dockerd.sh exited {rc}:\n{tail}")
        self.started_here = not was_running
        rc, tail = self._script("mk-base.sh", timeout=1800)
        if rc != 0:
            raise RuntimeError(f"mk-base.sh exited {rc} (base images missing):\n{tail}")

    def stop(self) -> None:
        self._script("stop-dockerd.sh", timeout=120)

    def _script(self, name: str, timeout: float) -> tuple[int, str]:
        """Run one of scripts/buildkit, its lines shown as they come; (rc, last lines)."""
        tail: deque[str] = deque(maxlen=25)
        proc = subprocess.Popen(["bash", str(SCRIPTS / name)], env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
        deadline = time.monotonic() + timeout
        for line in proc.stdout:
            line = line.rstrip("\n")
            tail.append(line)
            self.progress(line if line.startswith("[buildkit]") else f"[buildkit]   {line}")
            if time.monotonic() > deadline:
                proc.kill()
                tail.append(f"{name} killed after {timeout} s")
                break
        return proc.wait(), "\n".join(tail)

    # --- builds and images -----------------------------------------------------------------

    def docker(self, *args: str, timeout: float = 600, **kw) -> subprocess.CompletedProcess:
        return subprocess.run([DOCKER, *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout, **kw)

    def build(self, dockerfile_text: str, context_files: dict[str, str | bytes], tag: str,
              extra_args: tuple[str, ...] | list[str] = (), timeout: float = 900) -> BuildResult:
        """`docker build --progress=plain --network=host` of `dockerfile_text` (FROM lines made local)
        with a context of exactly `context_files` (relative path -> content)."""
        tag = tag if "/" in tag else TAG_PREFIX + tag
        text = localize(dockerfile_text)
        with tempfile.TemporaryDirectory(prefix="cm-bk-ctx-") as ctx:
            for rel, content in context_files.items():
                path = Path(ctx, rel)
                if path.resolve() == Path(ctx, "Dockerfile").resolve() or Path(ctx) not in path.resolve().parents:
                    raise ValueError(f"bad context path {rel!r}")
                path.parent.mkdir(parents=True, exist_ok=True)
                (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
            Path(ctx, "Dockerfile").write_text(text)
            self.progress(f"[buildkit] building {tag} ...")
            t0 = time.monotonic()
            proc = subprocess.run([DOCKER, "build", "--progress=plain", "--network=host", "-t", tag,
                                   *extra_args, ctx], env=self.env, capture_output=True, text=True,
                                  timeout=timeout)
            seconds = time.monotonic() - t0
        log = proc.stdout + proc.stderr
        result = BuildResult(tag, proc.returncode, log, parse_plain_progress(log), text, seconds)
        self.progress(f"[buildkit]   {result.summary()}")
        return result

    def run(self, image: str, cmd: str, user: str | None = None, timeout: float = 300) -> tuple[int, str]:
        """`sh -c cmd` in a throwaway container of `image`: (exit code, stdout and stderr)."""
        args = ["run", "--rm", "--network=host"] + (["--user", user] if user else []) + [image, "sh", "-c", cmd]
        proc = subprocess.run([DOCKER, *args], env=self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=timeout)
        return proc.returncode, proc.stdout

    def image_size(self, tag: str) -> int:
        proc = self.docker("image", "inspect", "-f", "{{.Size}}", tag)
        if proc.returncode:
            raise RuntimeError(f"no image {tag}: {proc.stderr.strip()}")
        return int(proc.stdout)

    def files_owned_by_root_in(self, image: str, directory: str) -> set[str]:
        """Paths under `directory` (itself included) owned by uid 0 in `image`."""
        # `sh -c CMD ARG0`: the dir arrives as $0, so it needs no quoting.
        rc, out = self._run_args(image, ["sh", "-c", '[ ! -e "$0" ] || find "$0" -xdev -uid 0 -print', directory])
        if rc:
            raise RuntimeError(f"find in {image} exited {rc}: {out}")
        return set(out.split("\n")) - {""}

    def _run_args(self, image: str, argv: list[str]) -> tuple[int, str]:
        proc = subprocess.run([DOCKER, "run", "--rm", "--user", "0", image, *argv], env=self.env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
        return proc.returncode, proc.stdout

    def prune(self) -> None:
        """Empty the layer cache AND every cache mount: the next build is truly cold."""
        proc = self.docker("builder", "prune", "-af")
        if proc.returncode:
            raise RuntimeError(f"docker builder prune failed: {proc.stderr.strip()}")

    def remove_test_images(self) -> None:
        proc = self.docker("images", "--format", "{{.Repository}}:{{.Tag}}")
        tags = [t for t in proc.stdout.split() if t.startswith(TAG_PREFIX)]
        if tags:
            self.docker("rmi", "-f", *tags)

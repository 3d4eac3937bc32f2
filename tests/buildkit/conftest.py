"""The `buildkit` tier: real `docker build`s against a private dockerd (see harness.py).

The tier runs only when asked for: `pytest -m buildkit`, a path inside tests/buildkit, or
CACHEMOUNT_BUILDKIT=1 (=require: fail instead of skip when dockerd cannot start). Otherwise its
tests are deselected, with one line saying so. One daemon serves the whole session; it is stopped
by its pid at the end if this session started it (CACHEMOUNT_BK_KEEP=1 leaves it up).
When dockerd cannot run at all, every tier test is skipped with the reason, and the end of the
run says so loudly with the count.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.buildkit.harness import Daemon, DaemonUnavailable

HERE = Path(__file__).resolve().parent
MODE = os.environ.get("CACHEMOUNT_BUILDKIT", "")  # "", "1" or "require"

_state = {"skipped": set(), "reason": None, "deselected": 0, "report": [], "setup_s": None}
SKIP_PREFIX = "dockerd could not start"


def pytest_configure(config):
    config.addinivalue_line("markers", "buildkit: real docker builds with a private dockerd (run with -m buildkit)")


def _asked_for(config) -> bool:
    if MODE:
        return True
    expr = config.option.markexpr or ""
    if "buildkit" in expr and "not buildkit" not in expr:
        return True
    base = Path(config.invocation_params.dir)
    for arg in config.args:
        path = (base / arg.split("::")[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


@pytest.hookimpl(tryfirst=True)  # before -m filtering, so `-m buildkit` sees the marker
def pytest_collection_modifyitems(config, items):
    ours = [it for it in items if HERE in Path(str(it.path)).resolve().parents]
    for item in ours:
        item.add_marker(pytest.mark.buildkit)
    if ours and not _asked_for(config):
        keep = [it for it in items if it not in set(ours)]
        config.hook.pytest_deselected(items=ours)
        items[:] = keep
        _state["deselected"] = len(ours)


def _writer(config):
    """Print a line now, past pytest's capture: slow steps say what they are doing."""
    capman = config.pluginmanager.getplugin("capturemanager")
    reporter = config.pluginmanager.getplugin("terminalreporter")

    def write(line: str) -> None:
        if reporter is None:
            print(line)
            return
        with capman.global_and_fixture_disabled() if capman else _nullcontext():
            reporter.write_line(line)
    return write


class _nullcontext:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


@pytest.fixture(scope="session")
def _bk_session(request):
    daemon = Daemon(progress=_writer(request.config))
    t0 = time.monotonic()
    daemon.lock()
    try:
        daemon.start()
    except DaemonUnavailable as exc:
        _state["reason"] = str(exc).strip() or "unknown"
        daemon.unlock()
        yield None
        return
    except BaseException:
        daemon.unlock()
        raise
    _state["setup_s"] = time.monotonic() - t0
    try:
        yield daemon
    finally:
        # Keep only the base images between runs: the tier's images and build cache go.
        daemon.remove_test_images()
        daemon.prune()
        if daemon.started_here and os.environ.get("CACHEMOUNT_BK_KEEP") != "1":
            daemon.stop()
        daemon.unlock()


@pytest.fixture
def bk(_bk_session):
    """The running daemon; skips (counted, reported at the end) only when dockerd cannot run."""
    if _bk_session is None:
        if MODE == "require":
            pytest.fail(f"{SKIP_PREFIX} (CACHEMOUNT_BUILDKIT=require): {_state['reason']}")
        pytest.skip(f"{SKIP_PREFIX}: {_last_line(_state['reason'])}")
    return _bk_session


def _last_line(text: str) -> str:
    return next((ln for ln in reversed(text.splitlines()) if ln.strip()), "unknown")


def pytest_runtest_logreport(report):
    # Count every tier test skipped because dockerd could not start, whichever fixture skipped it.
    if report.skipped and "buildkit" in report.keywords and SKIP_PREFIX in str(report.longrepr):
        _state["skipped"].add(report.nodeid)


@pytest.fixture
def bk_report():
    """Append one line to the tier's summary at the end of the run."""
    return _state["report"].append


def pytest_terminal_summary(terminalreporter):
    tr = terminalreporter
    if _state["report"] or _state["setup_s"] is not None:
        tr.section("buildkit tier")
        if _state["setup_s"] is not None:
            tr.write_line(f"daemon + base images ready in {_state['setup_s']:.0f} s")
        for line in _state["report"]:
            tr.write_line(line)
    if _state["skipped"]:
        tr.write_sep("!", f"BUILDKIT TIER SKIPPED: {len(_state['skipped'])} tests, {SKIP_PREFIX}: "
                     f"{_last_line(_state['reason'] or '')}", red=True, bold=True)
        tr.write_line(_state["reason"] or "")
    if _state["deselected"]:
        tr.write_line(f"buildkit tier: {_state['deselected']} tests not run here (run them with `pytest -m buildkit`)")

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CACHEMOUNT_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus" / "files"


def corpus_files():
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.iterdir())


@pytest.fixture(scope="session")
def corpus():
    files = corpus_files()
    if not files:
        pytest.skip(f"no corpus at {CORPUS}")
    return files


@pytest.fixture(autouse=True)
def no_failed_fix_planner():
    """A fix planner that raises is logged and its fix dropped; in the tests it is a failure."""
    from cachemount.findings import PLANNER_FAILURES
    PLANNER_FAILURES.clear()
    yield
    assert not PLANNER_FAILURES, f"fix planners failed: {PLANNER_FAILURES[:5]}"

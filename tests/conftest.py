"""Shared test settings: where the corpus is, which tests are slow, and the planner-failure check.

Tiers (markers in pyproject.toml): the default `pytest` run is the fast inner loop and leaves out
`slow` tests (real language servers and editors, corpus-wide runs, growth and memory measurements,
the bounded fuzzers) and `soak` tests (long fuzzing runs). scripts/test-all.sh runs everything but
`soak` (`-m 'not soak'`); `pytest -m soak tests/fuzz` runs the long fuzzing by hand. Naming test
paths on the command line (without -m) runs their slow tests too: `pytest tests/lsp` is not empty.

The corpus (../shared/corpus/files, or $CACHEMOUNT_SHARED/corpus/files, or $CACHEMOUNT_CORPUS) is
optional: without it every test marked `corpus` is skipped with the one reason NO_CORPUS."""
import os
import shlex
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
SHARED = Path(os.environ.get("CACHEMOUNT_SHARED", REPO.parent / "shared"))
CORPUS = Path(os.environ.get("CACHEMOUNT_CORPUS") or SHARED / "corpus" / "files")
NO_CORPUS = f"no corpus at {CORPUS}"

# Whole directories of slow tests, kept out of their files: these start real language servers or editors.
SLOW_DIRS = (TESTS / "lsp", TESTS / "editors")
# Corpus-dependent modules that cannot carry the `corpus` marker themselves.
CORPUS_MODULES = (TESTS / "lsp" / "test_cli_agreement.py",)


def corpus_files():
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.iterdir())


@pytest.fixture(scope="session")
def corpus():
    files = corpus_files()
    if not files:
        pytest.skip(NO_CORPUS)
    return files


def _user_gave_m(config) -> bool:
    args = list(config.invocation_params.args) + shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))
    return any(a == "-m" or (a.startswith("-m") and not a.startswith("--")) for a in args)


def _names_paths(config) -> bool:
    """True when the command line names test paths narrower than the whole suite."""
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        return False
    base = Path(config.invocation_params.dir)
    for arg in config.args:
        path = (base / arg.split("::")[0]).resolve()
        if path not in (REPO, TESTS):
            return True
    return False


def pytest_configure(config):
    # The default `-m 'not slow and not soak'` (addopts) is for the bare run; a named file or
    # directory runs all its tests but the soak ones, unless -m says otherwise.
    if not _user_gave_m(config) and _names_paths(config):
        config.option.markexpr = "not soak"


@pytest.hookimpl(tryfirst=True)  # before -m filtering, so `-m slow` sees the markers added here
def pytest_collection_modifyitems(config, items):
    have_corpus = bool(corpus_files())
    for item in items:
        path = Path(str(item.path)).resolve()
        if any(d in path.parents for d in SLOW_DIRS):
            item.add_marker(pytest.mark.slow)
        if path in CORPUS_MODULES:
            item.add_marker(pytest.mark.corpus)
        if not have_corpus and item.get_closest_marker("corpus"):
            # First, so it wins over pytest's "got empty parameter set" skip of corpus parametrizations.
            item.add_marker(pytest.mark.skip(reason=NO_CORPUS), append=False)


@pytest.fixture(autouse=True)
def no_failed_fix_planner():
    """A fix planner that raises is logged and its fix dropped; in the tests it is a failure."""
    from cachemount.findings import PLANNER_FAILURES
    PLANNER_FAILURES.clear()
    yield
    assert not PLANNER_FAILURES, f"fix planners failed: {PLANNER_FAILURES[:5]}"

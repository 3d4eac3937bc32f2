"""Property fuzzers over mutated corpus files (tests/fuzz/strategies.py `mutants`): the invariants
of tests/fuzz/invariants.py, with a fixed seed and no example database. The bounded run is `slow`
(the full test run, not the bare `pytest`); the soak tier runs many more examples, by hand only:
`pytest -p no:cacheprovider -m soak tests/fuzz`."""
from __future__ import annotations

import pytest
from hypothesis import given

from tests.conftest import NO_CORPUS, corpus_files
from tests.fuzz.invariants import (CHECKS, DEADLINE, DEADLINE_LONG, NO_SHRINK, by_name, check_memory, check_time,
                                   fuzz_settings, run_check)
from tests.fuzz.strategies import mutants

pytestmark = pytest.mark.corpus
FILES = corpus_files()
if not FILES:
    pytest.skip(NO_CORPUS, allow_module_level=True)


# ---------------------------------------------------------------------------------------------
# Bounded example counts (`slow`: run by scripts/test-all.sh, not by the bare `pytest`)


@pytest.mark.slow
@pytest.mark.parametrize("check", CHECKS, **by_name)
@fuzz_settings(25)
@given(mutant=mutants(FILES))
def test_mutated(check, mutant):
    run_check(check, mutant.text)


@pytest.mark.slow
@fuzz_settings(6, deadline=DEADLINE, phases=NO_SHRINK)
@given(mutant=mutants(FILES, max_ops=3, max_repeat=1500))
def test_mutated_time_bounded(mutant):
    check_time(mutant.text)


@pytest.mark.slow
@fuzz_settings(4, phases=NO_SHRINK)
@given(mutant=mutants(FILES, max_ops=3, max_repeat=200))
def test_mutated_memory_bounded(mutant):
    check_memory(mutant.text)


# ---------------------------------------------------------------------------------------------
# Soak tier (`-m soak`, by hand only): the same properties, many more examples


@pytest.mark.soak
@pytest.mark.parametrize("check", CHECKS, **by_name)
@fuzz_settings(400)
@given(mutant=mutants(FILES, max_ops=8))
def test_mutated_long(check, mutant):
    run_check(check, mutant.text)


@pytest.mark.soak
@fuzz_settings(80, deadline=DEADLINE_LONG, phases=NO_SHRINK)
@given(mutant=mutants(FILES, max_ops=4, max_repeat=3000))
def test_mutated_time_bounded_long(mutant):
    check_time(mutant.text)


@pytest.mark.soak
@fuzz_settings(40, phases=NO_SHRINK)
@given(mutant=mutants(FILES, max_ops=4, max_repeat=1000))
def test_mutated_memory_bounded_long(mutant):
    check_memory(mutant.text)

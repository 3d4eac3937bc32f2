"""Property fuzzers over generated Dockerfiles (tests/fuzz/strategies.py): the invariants of
tests/fuzz/invariants.py, with a fixed seed and no example database. The bounded run is `slow` (the
full test run, not the bare `pytest`); the soak tier runs many more examples, by hand only:
`pytest -p no:cacheprovider -m soak tests/fuzz`."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from tests.fuzz.invariants import (CHECKS, DEADLINE, DEADLINE_LONG, NO_SHRINK, by_name, check_memory, check_time,
                                   fuzz_settings, run_check)
from tests.fuzz.strategies import BIG, big_cases, big_size, build_big, dockerfiles


# ---------------------------------------------------------------------------------------------
# Bounded example counts (`slow`: run by scripts/test-all.sh, not by the bare `pytest`)


@pytest.mark.slow
@pytest.mark.parametrize("check", CHECKS, **by_name)
@fuzz_settings(60)
@given(text=dockerfiles())
def test_generated(check, text):
    run_check(check, text)


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(BIG))
@fuzz_settings(1, deadline=DEADLINE, phases=NO_SHRINK)
@given(text=dockerfiles(), scale=st.floats(0.5, 0.6))
def test_generated_time_bounded(kind, text, scale):
    check_time(build_big((kind, big_size(kind, scale))) + text)


@pytest.mark.slow
@fuzz_settings(6, phases=NO_SHRINK)
@given(text=dockerfiles(), case=big_cases(0.1, 0.2))
def test_generated_memory_bounded(text, case):
    check_memory(build_big(case) + text)


# ---------------------------------------------------------------------------------------------
# Soak tier (`-m soak`, by hand only): the same properties, many more examples


@pytest.mark.soak
@pytest.mark.parametrize("check", CHECKS, **by_name)
@fuzz_settings(1000)
@given(text=dockerfiles())
def test_generated_long(check, text):
    run_check(check, text)


@pytest.mark.soak
@pytest.mark.parametrize("kind", sorted(BIG))
@fuzz_settings(6, deadline=DEADLINE_LONG, phases=NO_SHRINK)
@given(text=dockerfiles(), scale=st.floats(0.5, 2.0))
def test_generated_time_bounded_long(kind, text, scale):
    check_time(build_big((kind, big_size(kind, scale))) + text)


@pytest.mark.soak
@pytest.mark.parametrize("kind", sorted(BIG))
@fuzz_settings(2, phases=NO_SHRINK)
@given(text=dockerfiles(), scale=st.floats(0.3, 0.6))
def test_generated_memory_bounded_long(kind, text, scale):
    check_memory(build_big((kind, big_size(kind, scale))) + text)

"""A fix planner that raises never takes its finding down, and never vanishes silently: it is logged
with its traceback and counted (tests/conftest.py fails any test that leaves a count)."""
import logging

from cachemount.findings import PLANNER_FAILURES, Finding


def test_a_failing_planner_is_logged_and_counted(caplog):
    def broken():
        raise KeyError("no such run")

    finding = Finding("CM101", "uncached-install", "warning", "m", 0, 1, fix_source=broken)
    with caplog.at_level(logging.ERROR, logger="cachemount.fixing.apply"):
        assert finding.fixes == () and finding.fix is None
    assert PLANNER_FAILURES == ["CM101: KeyError: 'no such run'"]
    assert "planning the fix of CM101" in caplog.text and "KeyError" in caplog.text
    PLANNER_FAILURES.clear()   # expected here; the autouse check is for unexpected ones

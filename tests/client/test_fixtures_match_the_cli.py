"""The VS Code end-to-end suite (client/test/e2e) checks the extension's quick fix and fix-all (as
source.fixAll and as the quick-fix menu's "Fix all cachemount problems") against
tests/client/fixtures; those expectations must be what the engine writes, so a change of a fix
shows here, in the Python tier, not only minutes later in the editor."""
from __future__ import annotations

import json
from pathlib import Path

from cachemount.lint import apply_all

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_expected_fixed_files_are_what_fix_all_writes():
    cases = json.loads((FIXTURES / "cases.json").read_text(encoding="utf-8"))
    for key in ("quickFix", "fixAll", "fixAllQuickFix"):
        case = cases[key]
        before = (FIXTURES / case["file"]).read_text(encoding="utf-8")
        expected = (FIXTURES / case["expected"]).read_text(encoding="utf-8")
        assert apply_all(before)[0] == expected, f"{key}: tests/client/fixtures/{case['expected']} is stale"

"""Counts for scripts/test-all.sh: each tier records what it passed and failed, and the closing
lines sum them. A tier that crashed or printed no count counts as one failure, with the reason.

  tally.py FILE junit TIER XML EXIT   a pytest run, from its JUnit XML (tests under tests/editors
                                      are also shown apart)
  tally.py FILE line TIER LOG EXIT    a script whose output's last `N passed, M failed` line counts
  tally.py FILE check TIER EXIT NAME  one pass/fail check (ruff, mypy, ...), added to TIER
  tally.py FILE summary               the closing lines; exits 1 when anything failed

FILE holds one JSON record per line. Uses only the standard library (runs before and without the
project's venv)."""
from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

COUNT_LINE = re.compile(r"(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$")


def _record(file: Path, tier: str, passed: int = 0, failed: int = 0, skipped: int = 0, note: str = "",
            editors: tuple[int, int] | None = None) -> None:
    with file.open("a", encoding="utf-8") as out:
        out.write(json.dumps({"tier": tier, "passed": passed, "failed": failed, "skipped": skipped,
                              "note": note, "editors": editors}) + "\n")


def _not_counted(file: Path, tier: str, code: int, what: str) -> None:
    _record(file, tier, failed=1, note=f"{what} (exit {code}): counted as 1 failed")


def junit(file: Path, tier: str, xml: str, code: int) -> None:
    try:
        root = ET.parse(xml).getroot()
    except (OSError, ET.ParseError):
        return _not_counted(file, tier, code, "crashed before pytest reported")
    passed = failed = skipped = 0
    editors = [0, 0]
    for case in root.iter("testcase"):
        kinds = {child.tag for child in case}
        bad, skip = bool(kinds & {"failure", "error"}), "skipped" in kinds
        failed += bad
        skipped += skip and not bad
        passed += not bad and not skip
        if case.get("classname", "").startswith("tests.editors.") and (bad or not skip):
            editors[bad] += 1
    note = ""
    if code != 0 and not failed:   # 2: interrupted, 3: internal error, 4: usage, 5: no test ran
        failed, note = 1, f"pytest exit {code} with no failing test: counted as 1 failed"
    _record(file, tier, passed, failed, skipped, note, (editors[0], editors[1]) if any(editors) else None)


def line(file: Path, tier: str, log: str, code: int) -> None:
    try:
        lines = Path(log).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    found = [m for m in map(COUNT_LINE.search, lines) if m]
    if not found:
        return _not_counted(file, tier, code, "crashed or printed no count")
    passed, failed, skipped = (int(g or 0) for g in found[-1].groups())
    note = ""
    if code != 0 and not failed:
        failed, note = 1, f"exit {code} with no failure counted: counted as 1 failed"
    _record(file, tier, passed, failed, skipped, note)


def check(file: Path, tier: str, code: int, name: str) -> None:
    _record(file, tier, passed=int(code == 0), failed=int(code != 0), note="" if code == 0 else f"{name} failed")


def summary(file: Path) -> int:
    tiers: dict[str, dict] = {}
    try:
        records = [json.loads(row) for row in file.read_text(encoding="utf-8").splitlines() if row.strip()]
    except OSError:
        records = []
    for rec in records:
        t = tiers.setdefault(rec["tier"], {"passed": 0, "failed": 0, "skipped": 0, "notes": [], "editors": None})
        for key in ("passed", "failed", "skipped"):
            t[key] += rec[key]
        if rec["note"]:
            t["notes"].append(rec["note"])
        if rec["editors"]:
            t["editors"] = rec["editors"]
    parts = []
    for name, t in tiers.items():
        text = f"{name} {t['passed']}/{t['failed']}" + (f" ({t['skipped']} skipped)" if t["skipped"] else "")
        if t["editors"]:
            text += f" [editors {t['editors'][0]}/{t['editors'][1]}]"
        parts.append(text + "".join(f" [{n}]" for n in t["notes"]))
    passed, failed, skipped = (sum(t[k] for t in tiers.values()) for k in ("passed", "failed", "skipped"))
    if not tiers:
        failed = 1
        parts.append("no tier reported a count")
    print("tiers (passed/failed): " + "; ".join(parts))
    print(f"total: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        sys.exit(__doc__)
    file, command, rest = Path(argv[0]), argv[1], argv[2:]
    if command == "summary":
        return summary(file)
    if command == "junit" and len(rest) == 3:
        junit(file, rest[0], rest[1], int(rest[2]))
    elif command == "line" and len(rest) == 3:
        line(file, rest[0], rest[1], int(rest[2]))
    elif command == "check" and len(rest) == 3:
        check(file, rest[0], int(rest[1]), rest[2])
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

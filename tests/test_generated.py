"""Generated files are current (scripts/generate.py --check), the check catches a stale one, and
the tables they are generated from agree with the code that reads settings and runs rules."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cachemount.rules import RULES
from cachemount.settings.model import DEFAULT, SETTINGS, from_mapping

REPO = Path(__file__).resolve().parents[1]
GENERATOR = REPO / "scripts" / "generate.py"
GENERATED = ("README.md", "client/README.md", "client/package.json", "docs/rules")


def _generate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(GENERATOR), *args], capture_output=True, text=True, timeout=120)


def test_generated_files_are_current():
    run = _generate("--check")
    assert run.returncode == 0, f"stale generated files; run `python scripts/generate.py`:\n{run.stdout}{run.stderr}"
    assert run.stdout == ""


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for rel in GENERATED:
        src, dst = REPO / rel, tmp_path / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dst)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_check_names_every_stale_file_and_writes_nothing(copy: Path):
    rule = RULES[0]
    _edit(copy / "README.md", rule.documentation.fix_summary, "does something else")
    _edit(copy / "client/README.md", f"`{rule.code}` {rule.name}", f"`{rule.code}` renamed")
    pkg = json.loads((copy / "client/package.json").read_text(encoding="utf-8"))
    del pkg["contributes"]["configuration"]["properties"]["cachemount.severity"]
    (copy / "client/package.json").write_text(json.dumps(pkg, indent=2) + "\n", encoding="utf-8")
    (copy / "docs/rules" / f"{rule.code}.md").unlink()
    (copy / "docs/rules/CM999.md").write_text("# a rule that no longer exists\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}

    run = _generate("--check", "--root", str(copy))

    assert run.returncode == 1
    stale = {line.split(": ", 1)[1].split(" (")[0] for line in run.stdout.splitlines()}
    assert stale == {"README.md", "client/README.md", "client/package.json",
                     f"docs/rules/{rule.code}.md", "docs/rules/CM999.md"}
    assert {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before   # nothing written


def test_writing_restores_exactly_what_is_committed(copy: Path):
    _edit(copy / "client/README.md", "| `cachemount.rules` |", "| `cachemount.rulez` |")
    (copy / "docs/rules/CM999.md").write_text("stale\n", encoding="utf-8")
    assert _generate("--root", str(copy)).returncode == 0
    assert _generate("--check", "--root", str(copy)).returncode == 0
    assert not (copy / "docs/rules/CM999.md").exists()
    for rel in GENERATED:
        for src in ([REPO / rel] if (REPO / rel).is_file() else sorted((REPO / rel).iterdir())):
            assert (copy / src.relative_to(REPO)).read_bytes() == src.read_bytes(), src


def test_a_region_without_markers_is_a_one_line_error(copy: Path):
    _edit(copy / "README.md", "<!-- end: rules -->", "")
    run = _generate("--check", "--root", str(copy))
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "README.md" in run.stderr and "rules" in run.stderr
    assert "Traceback" not in run.stderr


# -- the tables the files are generated from ------------------------------------------------------

SERVER = [s for s in SETTINGS if not s.client_only]
CLIENT = [s for s in SETTINGS if s.client_only]


def test_settings_table_names_each_setting_once():
    keys = [s.key for s in SETTINGS]
    assert len(keys) == len(set(keys))
    assert {s.scope for s in SETTINGS} <= {"resource", "window"}
    assert all(s.description and s.summary for s in SETTINGS)


@pytest.mark.parametrize("spec", SERVER, ids=lambda s: s.key)
def test_server_settings_are_read_by_the_model(spec):
    # a wrong type is reported under the setting's own key: from_mapping reads it
    got = from_mapping({spec.key: 12345})
    assert any(p.startswith(spec.key) for p in got.problems), got.problems


@pytest.mark.parametrize("spec", CLIENT, ids=lambda s: s.key)
def test_client_only_settings_are_ignored_by_the_model(spec):
    head, _, rest = spec.key.partition(".")
    value = {rest: 12345} if rest else 12345   # `trace.server` arrives nested: {"trace": {"server": ...}}
    got = from_mapping({head: value})
    assert got == DEFAULT and not got.problems


def test_the_defaults_an_editor_sends_change_nothing():
    section: dict = {}
    for spec in SETTINGS:
        head, _, rest = spec.key.partition(".")
        section.setdefault(head, {})
        if rest:
            section[head][rest] = spec.default
        else:
            section[head] = spec.default
    got = from_mapping(section)
    assert got == DEFAULT and not got.problems


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_every_rule_documents_what_the_generated_files_show(rule):
    d = rule.documentation
    assert d.summary and d.lead.startswith(d.summary) and d.fires_when and d.fix_summary
    assert [head for head, _ in d.sections] == ["Why", "Example", "Fixed", "Fix"]
    assert d.example and d.fixed and d.example != d.fixed

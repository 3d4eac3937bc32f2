"""Settings files read as the command line reads its options (issue 12): every mistake is a problem
naming the file and the key, the valid rest applies, a pyproject.toml is recognised as ours without
parsing it when it cannot be, and rule codes are checked against the rules."""
from __future__ import annotations

import sys

import pytest

from cachemount.settings import files as config
from cachemount.settings.model import DEFAULT, Settings, from_mapping

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

SPELLINGS = {"CM101": "CM101", "CM201": "CM201", "CM301": "CM301",
             "uncached-install": "CM101", "copy-before-install": "CM201", "invalid-mount": "CM301"}


def rules():
    return SPELLINGS


# --- is this pyproject.toml ours? ----------------------------------------------------------------------

OURS = [
    '[tool.cachemount]\nselect = ["CM1"]\n',
    '[ tool . "cachemount" ]\nselect = ["CM1"]\n',
    '[tool.cachemount.severity]\nCM101 = "error"\n',
    'tool.cachemount.select = ["CM1"]\n',
    '[tool]\nother = ["a",\n  "b"]\ncachemount = { select = ["CM1"] }\n',
    '[tool]\ncachemount.select = ["CM1"]\n',
    "['tool']\n'cachemount'.select = ['CM1']\n",
    'tool = { cachemount = { select = ["CM1"] } }\n',
    '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 100\n\n[tool.cachemount]\nignore = ["CM201"]\n',
]
NOT_OURS = [
    '[project]\nname = "cachemount"\n[project.scripts]\ncachemount = "cachemount.__main__:main"\n',
    '[project]\ndependencies = ["cachemount>=0.1"]\n',
    '[tool.black]\nline-length = 100\n',
    '[tool.other]\ncachemount = true\n',
    '# cachemount is configured elsewhere\n[project]\nname = "x"\n',
]


@pytest.mark.parametrize("text", OURS + NOT_OURS)
def test_the_cheap_look_agrees_with_the_parser(text):
    tool = tomllib.loads(text).get("tool")
    ours = isinstance(tool, dict) and "cachemount" in tool
    assert config._may_be_ours(text.encode()) == ours


def test_a_pyproject_that_only_names_cachemount_elsewhere_is_passed_over(tmp_path):
    (tmp_path / ".cachemount.toml").write_text('ignore = ["CM201"]\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "pyproject.toml").write_text(NOT_OURS[0])
    got = config.settings_for(str(tmp_path / "app" / "Dockerfile"), rules)
    assert got.source == str(tmp_path / ".cachemount.toml") and got.ignore == frozenset({"CM201"})


@pytest.mark.parametrize("text", ['[tool.cachemount]\nrules = { CM101 = false\n', "[tool.cachemount\n",
                                  '[tool]\ncachemount = { select = ["CM1"] \n', b'[tool.cachemount]\nx = "\xff"\n'])
def test_a_broken_pyproject_that_looks_ours_is_reported(tmp_path, text):
    path = tmp_path / "pyproject.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    got = config.settings_for(str(tmp_path / "Dockerfile"), rules)
    assert got.unreadable and got.source == str(path) and got == DEFAULT
    (problem,) = got.problems
    assert problem.startswith(f"{path}: cannot read settings (") and problem.endswith("; using defaults")


def test_a_broken_pyproject_of_another_tool_is_passed_over(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.black\nline-length = 100\n# cachemount later\n')
    assert config.settings_for(str(tmp_path / "Dockerfile"), rules) == DEFAULT
    assert not config.settings_for(str(tmp_path / "Dockerfile"), rules).problems


def test_a_cachemount_toml_that_is_not_a_file_is_reported(tmp_path):
    (tmp_path / ".cachemount.toml").mkdir()
    got = config.settings_for(str(tmp_path / "Dockerfile"), rules)
    assert got.unreadable and len(got.problems) == 1 and "cannot read settings" in got.problems[0]


def test_tool_cachemount_not_a_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool]\ncachemount = 3\n")
    got = config.settings_for(str(tmp_path / "Dockerfile"), rules)
    assert got.problems == (f"{tmp_path / 'pyproject.toml'}: tool.cachemount: expected a table of settings, got int",)


def test_the_settings_file_is_read_again_when_it_changes(tmp_path):
    path = tmp_path / ".cachemount.toml"
    path.write_text('ignore = ["CM201"]\n')
    assert config.settings_for(str(tmp_path / "Dockerfile")).ignore == frozenset({"CM201"})
    path.write_text('ignore = ["CM101", "CM301"]\n')
    assert config.settings_for(str(tmp_path / "Dockerfile")).ignore == frozenset({"CM101", "CM301"})


# --- reading a section ---------------------------------------------------------------------------

def test_codes_names_and_prefixes_are_read_as_the_command_line_reads_them():
    got = from_mapping({"select": ["cm1", "invalid-mount"], "ignore": ["CM10"], "rules": {"copy-before-install": False},
                        "severity": {"uncached-install": "ERROR"}}, rules=rules)
    assert not got.problems
    assert got.select == frozenset({"CM1", "CM301"}) and got.ignore == frozenset({"CM10", "CM201"})
    assert got.severity == (("CM101", "error"),)
    assert not got.enabled("CM101") and not got.enabled("CM201") and got.enabled("CM301")


def test_unknown_codes_are_problems_and_the_rest_applies():
    got = from_mapping({"ignore": ["CM999", "CM201"], "severity": {"CM7": "error", "CM301": "hint"},
                        "rules": {"nope": False}}, rules=rules)
    known = "(known: CM101, CM201, CM301)"
    assert list(got.problems) == [f"rules.nope: unknown rule code {known}",
                                  f"ignore: unknown rule code 'CM999' {known}",
                                  f"severity.CM7: unknown rule code {known}"]
    assert got.ignore == frozenset({"CM201"}) and got.severity == (("CM301", "hint"),)


def test_without_the_rules_codes_are_taken_as_written():
    got = from_mapping({"ignore": ["cm999"]})
    assert got.ignore == frozenset({"CM999"}) and not got.problems


def test_unknown_keys_are_problems_in_a_file_only():
    section = {"selct": ["CM1"], "interpreter": "/usr/bin/python3", "trace": {"server": "off"}}
    assert not from_mapping(section).problems                  # an editor's section carries its own settings
    got = from_mapping(section, file_keys="tool.cachemount.")
    assert list(got.problems) == [
        "tool.cachemount.selct: unknown setting (known: rules, severity, select, ignore, buildContext, codeLens)",
        "tool.cachemount.interpreter: an editor setting; set it in the editor, not in a settings file",
        "tool.cachemount.trace: an editor setting; set it in the editor, not in a settings file"]


def test_a_bad_section_keeps_the_layer_below():
    base = from_mapping({"ignore": ["CM201"]})
    got = from_mapping(["not", "a", "table"], base)
    assert got == base and got.problems == ("settings: expected a table of settings, got list",)


def test_the_settings_table_is_still_exported_by_the_model():
    from cachemount.settings import model
    from cachemount.settings.catalog import SETTINGS
    assert model.SETTINGS is SETTINGS and model.SettingSpec is type(SETTINGS[0])
    with pytest.raises(AttributeError):
        model.NO_SUCH_NAME  # noqa: B018


def test_settings_equality_ignores_where_they_came_from():
    assert Settings(source="/a/.cachemount.toml", unreadable=True) == DEFAULT

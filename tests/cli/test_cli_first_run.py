"""A first run that explains itself (issue 12): each finding shows its severity, the text output
closes with a summary that says what the exit status means, a mistake in `check`'s options shows
`check`'s usage, "fixed N findings" counts the findings fixed (not the fixes applied), and settings
mistakes are reported once per settings file, naming the file and the key, with exit status 2."""
from __future__ import annotations

import json
import subprocess
import sys

from cachemount.cli import commands as cli
from cachemount.lint import apply_all, lint

PIP = "FROM python:3.12\nRUN pip install x\n"
APT = ("--mount=type=cache,target=/var/cache/apt,sharing=locked "
       "--mount=type=cache,target=/var/lib/apt/lists,sharing=locked apt-get update && apt-get install -y")
# Two apt RUNs with their cache mounts, and Debian's docker-clean still in place: one prerequisite
# RUN (one fix) settles the CM103 finding of both.
TWO_APT = f"FROM debian:12\nRUN {APT} curl\nRUN {APT} git\n"


def run(*args, stdin=None, cwd=None):
    proc = subprocess.run([sys.executable, "-m", "cachemount", *args], input=stdin, capture_output=True,
                          text=True, cwd=cwd, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def dockerfile(directory, text=PIP, name="Dockerfile"):
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# --- the text output ---------------------------------------------------------------------------------

def test_each_finding_shows_its_severity(tmp_path):
    (tmp_path / ".cachemount.toml").write_text('severity = { CM101 = "error" }\n')
    path = dockerfile(tmp_path, PIP + "RUN --mount=type=cahce,target=/x true\n")
    code, out, _ = run("check", str(path))
    assert code == 1
    heads = [line.split(":", 4)[3] for line in out.splitlines()]
    assert heads == [" CM101 error", " CM301 error"]


def test_summary_counts_per_severity_and_says_what_exit_1_means(tmp_path):
    (tmp_path / ".cachemount.toml").write_text('severity = { CM201 = "information" }\n')
    (tmp_path / "requirements.txt").write_text("flask\n")
    path = dockerfile(tmp_path, "FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\n"
                                "RUN --mount=type=cahce,target=/x true\n")
    code, out, err = run("check", str(path))
    assert code == 1 and len(out.splitlines()) == 3
    assert err.splitlines() == ["Found 3 findings (1 error, 1 warning, 1 information); 3 fixable with `--fix`. "
                                "Exit status 1: there are findings."]


def test_summary_without_fixable_findings_and_with_an_error_says_status_2(tmp_path):
    # a bogus `sharing=` value has no fix: which mode was meant cannot be known
    path = dockerfile(tmp_path, "FROM alpine\nRUN --mount=type=cache,target=/x,sharing=bogus true\n")
    missing = tmp_path / "missing.Dockerfile"
    code, out, err = run("check", str(path), str(missing))
    assert code == 2 and "CM301" in out
    assert err.splitlines()[-1] == ("Found 1 finding (1 error); none fixable automatically. "
                                    "Exit status 2: see the errors above.")
    assert f"cachemount: {missing}: no such file or directory" in err.splitlines()


def test_check_usage_for_an_unknown_check_option(tmp_path):
    code, out, err = run("check", "--frobnicate", str(tmp_path))
    assert code == 2 and out == ""
    assert err.startswith("usage: cachemount check ")
    assert err.splitlines()[-1] == "cachemount check: error: unrecognized arguments: --frobnicate"
    code, _, err = run("--frobnicate", "check")   # before the command: the top level's usage
    assert code == 2 and err.startswith("usage: cachemount [") and "cachemount: error:" in err
    code, _, err = run("serve", "--frobnicate")
    assert code == 2 and err.startswith("usage: cachemount serve ")


# --- "fixed N findings" --------------------------------------------------------------------------------

def test_fixed_counts_the_findings_one_fix_settles(tmp_path):
    findings = lint(TWO_APT)
    assert [f.code for f in findings] == ["CM103", "CM103"]
    fixed_text, applied = apply_all(TWO_APT)
    assert applied == 1 and lint(fixed_text) == []      # one fix applied, two findings gone
    path = dockerfile(tmp_path, TWO_APT)
    code, out, err = run("check", "--fix", str(path))
    assert code == 0 and out == "" and path.read_text() == fixed_text
    assert err == f"{path}: fixed 2 findings\n"


def test_fixed_counts_only_what_is_gone(tmp_path, capsys, monkeypatch):
    """A fix-all that applies fixes but leaves a finding in place reports only the findings gone."""
    import cachemount.lint as linter

    path = dockerfile(tmp_path, PIP + "RUN pip install y\n")
    real = linter.apply_all

    def one_fix_only(text, settings, **kwargs):
        fixed, _ = real(text, settings, **kwargs)
        first_fixed = fixed.split("\n")[1]
        return "\n".join([text.split("\n")[0], first_fixed, *text.split("\n")[2:]]), 7   # says 7 applied
    monkeypatch.setattr(linter, "apply_all", one_fix_only)
    code = cli.main(["check", "--fix", str(path)])
    _, err = capsys.readouterr()
    assert code == 1 and err.splitlines()[0] == f"{path}: fixed 1 finding"


# --- settings mistakes -----------------------------------------------------------------------------

def problem_lines(err: str, settings_file) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(f"cachemount: {settings_file}")]


def test_bad_toml_is_one_line_per_settings_file_and_the_defaults_apply(tmp_path):
    settings = tmp_path / ".cachemount.toml"
    settings.write_text("rules = { CM101 = false\n")
    a, b = dockerfile(tmp_path / "a"), dockerfile(tmp_path / "b")
    code, out, err = run("check", str(a), str(b))
    assert code == 2 and out.count("CM101") == 2       # checked, with the defaults
    (line,) = problem_lines(err, settings)
    assert "cannot read settings (" in line and "line 1" in line and line.endswith("; using defaults")
    assert "Traceback" not in err


def test_bad_toml_in_pyproject_with_our_section_is_reported(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n[tool.cachemount]\nrules = { CM101 = false\n')
    code, out, err = run("check", str(dockerfile(tmp_path)))
    assert code == 2 and "CM101" in out
    (line,) = problem_lines(err, pyproject)
    assert "cannot read settings" in line


def test_bad_toml_in_another_tools_pyproject_is_not_ours(tmp_path):
    (tmp_path / ".cachemount.toml").write_text("rules = { CM101 = false }\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "pyproject.toml").write_text('[tool.black\nline-length = 100\n')
    code, out, err = run("check", str(dockerfile(tmp_path / "app")))
    assert (code, out, err) == (0, "", "")   # the parent's settings apply; nothing to report


def test_pyproject_header_in_cachemount_toml_is_reported_with_the_key(tmp_path):
    settings = tmp_path / ".cachemount.toml"
    settings.write_text('[tool.cachemount]\nrules = { CM101 = false }\n')
    code, out, err = run("check", "--format", "json", str(dockerfile(tmp_path)))
    assert code == 2 and [f["code"] for f in json.loads(out)] == ["CM101"]
    (line,) = problem_lines(err, settings)
    assert line == (f"cachemount: {settings}: tool.cachemount: .cachemount.toml takes the settings at the top "
                    "level: remove the [tool.cachemount] header (that form is for pyproject.toml); its settings "
                    "are ignored")


def test_unknown_codes_keys_and_severities_are_reported_and_the_rest_applies(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.cachemount]\nseverity = { CM101 = "error", CM999 = "error", CM301 = "loud" }\n'
                         'ignore = ["CM7", "copy-before-install"]\nselct = ["CM1"]\nrules = { CM30 = false }\n')
    path = dockerfile(tmp_path, "FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\n"
                                "RUN --mount=type=cahce,target=/x true\n")
    code, out, err = run("check", "--format", "json", str(path))
    found = {(f["code"], f["severity"]) for f in json.loads(out)}
    assert code == 2
    assert found == {("CM101", "error"), ("CM301", "error")}   # CM201 ignored by name; CM101's severity set
    lines = problem_lines(err, pyproject)
    known = "(known: CM101, CM102, CM103, CM201, CM301, CM401, CM402)"
    assert sorted(line.removeprefix(f"cachemount: {pyproject}: ") for line in lines) == sorted([
        f"tool.cachemount.severity.CM999: unknown rule code {known}",
        "tool.cachemount.severity.CM301: expected one of error, warning, information, hint, got 'loud'",
        f"tool.cachemount.ignore: unknown rule code 'CM7' {known}",
        "tool.cachemount.selct: unknown setting (known: rules, severity, select, ignore, buildContext, codeLens)",
        f"tool.cachemount.rules.CM30: unknown rule code {known}",
    ])


def test_prefixes_ignore_like_the_command_line_says(tmp_path):
    path = dockerfile(tmp_path)
    assert run("check", "--ignore", "CM1", str(path))[:2] == (0, "")
    (tmp_path / ".cachemount.toml").write_text('ignore = ["CM1"]\n')
    assert run("check", str(path)) == (0, "", "")


def test_a_select_of_unknown_codes_only_selects_nothing_and_says_so(tmp_path):
    settings = tmp_path / ".cachemount.toml"
    settings.write_text('select = ["CM999"]\n')
    code, out, err = run("check", str(dockerfile(tmp_path)))
    assert code == 2 and "CM101" in out     # every rule still checked, not silently none
    assert [line.split(": ", 2)[2] for line in problem_lines(err, settings)] == [
        "select: unknown rule code 'CM999' (known: CM101, CM102, CM103, CM201, CM301, CM401, CM402)",
        "select: selects no rule; leave it out to check every rule"]


def test_fix_does_not_write_when_the_settings_file_cannot_be_read(tmp_path):
    (tmp_path / ".cachemount.toml").write_text("rules = { CM201 = false\n")
    path = dockerfile(tmp_path)
    code, out, err = run("check", "--fix", str(path))
    assert code == 2 and path.read_text() == PIP
    assert f"cachemount: {path}: not fixed, because its settings file cannot be read" in err.splitlines()
    code, out, err = run("check", "--fix", "--stdin-filename", str(path), "-", stdin=PIP)
    assert code == 2 and out == PIP      # the filter still echoes its input


def test_valid_settings_with_a_mistake_still_fix(tmp_path):
    (tmp_path / ".cachemount.toml").write_text('severity = { CM999 = "error" }\n')
    path = dockerfile(tmp_path)
    code, _, err = run("check", "--fix", str(path))
    assert code == 2 and "--mount=type=cache" in path.read_text()
    assert f"{path}: fixed 1 finding" in err.splitlines()

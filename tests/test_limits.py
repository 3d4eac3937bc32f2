"""Bounds on hostile input (limits.py): deep `${...}` nesting is one clear LimitExceeded, a deeply
nested settings file is a settings problem, `sh -c` nesting is bounded without depending on what
was analysed before, and the caches and opaque parts are bounded."""
import re
import tracemalloc

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from cachemount.settings import files as config
from cachemount.lint import lint
from cachemount.document.expand import expand
from cachemount.document.scanner import parse
from cachemount.semantics.pipeline import analyze
from cachemount.limits import MAX_EXPANSION_DEPTH, MAX_HEREDOCS_PER_RUN, MAX_SHELL_NESTING, MAX_SUBSTITUTION_NESTING, LimitExceeded
from cachemount.shell import parse_commands
from cachemount.shell import parse as parse_mod

PIP = "RUN pip install x\n"


def nested(depth: int, inner: str = "x", var: str = "a") -> str:
    return "${" + var + ":-" + ("${" + var + ":-") * (depth - 1) + inner + "}" * depth


# --- item 7: nested ${a:-...} -----------------------------------------------------------------------

@pytest.mark.parametrize("where, line", [
    ("FROM {v}\n" + PIP, 1),
    ("FROM python:3.12\nENV A={v}\n" + PIP, 2),
    ("FROM python:3.12\nARG A={v}\n" + PIP, 2),
    ("ARG A={v}\nFROM python:3.12\n" + PIP, 1),
    ("FROM python:3.12\nWORKDIR {v}\n" + PIP, 2),
    ("FROM python:3.12\nUSER {v}\n" + PIP, 2),
    ("FROM python:3.12\nRUN --mount=type=cache,target={v} pip install x\n", 2),
])
def test_deep_expansion_is_one_clear_limit_error_with_its_line(where, line):
    text = where.format(v=nested(500))
    with pytest.raises(LimitExceeded) as info:
        lint(text)
    message = str(info.value)
    assert "\n" not in message and len(message) < 200
    assert message.startswith(f"line {line}: ") and str(MAX_EXPANSION_DEPTH) in message


def test_expansion_up_to_the_bound_is_computed():
    assert expand(nested(MAX_EXPANSION_DEPTH, "alpine"), {}) == "alpine"
    with pytest.raises(LimitExceeded):
        expand(nested(MAX_EXPANSION_DEPTH + 1, "alpine"), {})
    ctx = analyze("FROM python:3.12\nENV A=" + nested(MAX_EXPANSION_DEPTH, "v") + "\n" + PIP).contexts[2]
    assert ctx.env["A"] == "v"


# --- item 7: deeply nested settings files -----------------------------------------------------------

DEEP_TOML = "x = " + "[" * 2000 + "]" * 2000 + "\n"


def test_deep_pyproject_with_our_section_is_a_settings_problem_and_defaults_apply(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.cachemount]\nrules = {CM101 = false}\n" + DEEP_TOML)
    sub = tmp_path / "app"
    sub.mkdir()
    got = config.settings_for(str(sub / "Dockerfile"))
    assert len(got.problems) == 1
    (problem,) = got.problems
    assert problem == f"{tmp_path / 'pyproject.toml'}: cannot read settings (nested too deeply); using defaults"
    assert got.enabled("CM101")  # defaults, not the unreadable file's rules
    assert [f.code for f in lint("FROM python:3.12\n" + PIP, got)] == ["CM101"]


def test_deep_pyproject_of_another_tool_is_skipped_like_an_unrelated_one(tmp_path):
    (tmp_path / ".cachemount.toml").write_text("rules = {CM101 = false}\n")
    sub = tmp_path / "app"
    sub.mkdir()
    (sub / "pyproject.toml").write_text("[tool.other]\n" + DEEP_TOML)
    got = config.settings_for(str(sub / "Dockerfile"))
    assert not got.problems and not got.enabled("CM101")


def test_deep_cachemount_toml_is_a_settings_problem(tmp_path):
    (tmp_path / ".cachemount.toml").write_text(DEEP_TOML)
    got = config.settings_for(str(tmp_path / "Dockerfile"))
    assert got.problems == (f"{tmp_path / '.cachemount.toml'}: cannot read settings (nested too deeply); "
                            "using defaults",)


# --- item 11: the shell-analysis cache does not depend on what was analysed before ------------------

def quoted_nesting(depth: int, inner: str) -> str:
    text = inner
    for _ in range(depth):
        text = 'sh -c "' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


PLAIN = 'sh -c "pip install x"'


def test_deep_sh_c_nesting_does_not_hide_a_later_plain_sh_c():
    parse_mod._analyse.cache_clear()
    fresh = [c.name for c in parse_commands(PLAIN)]
    assert fresh == ["sh", "pip"]
    parse_mod._analyse.cache_clear()
    # 9 levels: the innermost `sh -c "pip install x"` is met at the nesting bound first
    parse_commands(quoted_nesting(MAX_SHELL_NESTING, PLAIN))
    assert [c.name for c in parse_commands(PLAIN)] == fresh


def test_same_file_and_next_document_keep_the_finding():
    deep = "FROM python:3.12\nRUN " + quoted_nesting(MAX_SHELL_NESTING, PLAIN) + "\n"
    later = "FROM python:3.12\nRUN " + PLAIN + "\n"
    parse_mod._analyse.cache_clear()
    assert [f.code for f in lint(later)] == ["CM101"]
    parse_mod._analyse.cache_clear()
    # in the same file (the deep RUN's own install sits past the bound: opaque, no finding there)
    findings = lint(deep + later)
    assert [(f.code, f.start > len(deep)) for f in findings] == [("CM101", True)]
    # and in the next document
    assert [f.code for f in lint(later)] == ["CM101"]


def test_nesting_beyond_the_bound_is_opaque_but_the_outer_commands_are_seen():
    text = quoted_nesting(MAX_SHELL_NESTING + 3, "pip install x")
    names = [c.name for c in parse_commands(text)]
    assert names == ["sh"] * (MAX_SHELL_NESTING + 1)   # the outer one and 8 payloads; deeper: opaque
    assert [c.name for c in parse_commands(quoted_nesting(MAX_SHELL_NESTING, "pip install x"))][-1] == "pip"


# --- sh -c "$(...)": the outer shell runs the substitution, found once ------------------------------

def test_substitution_in_double_quoted_payload_is_found_once_by_the_outer_shell():
    cmds = parse_commands('sh -c "echo $(pip install x); npm ci"')
    pips = [c for c in cmds if c.name == "pip"]
    assert len(pips) == 1 and not pips[0].via_shell_c
    assert [(c.name, c.via_shell_c) for c in cmds] == [
        ("sh", False), ("echo", True), ("npm", True), ("pip", False)]


def test_substitution_in_single_quoted_payload_is_run_by_the_inner_shell():
    cmds = parse_commands("sh -c 'echo $(pip install x)'")
    assert [(c.name, c.via_shell_c) for c in cmds] == [("sh", False), ("echo", True), ("pip", True)]


def sh_c_substitutions(depth: int) -> str:
    text = "pip install x"
    for _ in range(depth):
        text = 'sh -c "$(' + text + ')"'
    return text


def test_nested_substitutions_in_sh_c_are_each_found_once():
    depth = 12
    cmds = parse_commands(sh_c_substitutions(depth))
    assert [c.name for c in cmds if not c.via_shell_c] == ["sh"] * depth + ["pip"]
    # each payload is one opaque word: it re-finds none of the commands the outer shell runs
    assert len(cmds) == 2 * depth + 1


def test_substitutions_nested_past_the_bound_are_opaque():
    cmds = parse_commands(sh_c_substitutions(MAX_SUBSTITUTION_NESTING + 10))
    outer = [c.name for c in cmds if not c.via_shell_c]
    assert outer == ["sh"] * (MAX_SUBSTITUTION_NESTING + 1)   # the top command and 16 levels in
    assert len(cmds) <= 2 * len(outer)


# --- directives: no backtracking, same values ---------------------------------------------------------

_OLD_DIRECTIVE = re.compile(r"#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_NEW_DIRECTIVE = re.compile(r"#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=(.*)")


@hsettings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["#", " ", "\t", "=", "a", "Z", "9", "`", "\\", "\x0b", "\xa0", "\u2003",
                                 "\r", "escape", "syntax", "x/y:1"]), max_size=12).map("".join))
def test_directive_value_matches_the_old_regex(line):
    from cachemount.document.scanner import _directive_value

    old = _OLD_DIRECTIVE.match(line)
    new = _NEW_DIRECTIVE.match(line)
    value = _directive_value(new.group(2)) if new else None
    assert (old.group(1), old.group(2)) == (new.group(1), value) if old else value is None


def test_directive_with_many_spaces_reads_as_before():
    doc = parse("# escape = `  \t\nFROM alpine\n")
    assert doc.directives == {"escape": "`"} and doc.escape == "`"
    doc = parse("#a=x" + " " * 80_000 + "y\nFROM alpine\n")
    assert doc.directives == {} and [i.keyword for i in doc.instructions] == ["FROM"]


# --- heredocs: a RUN with very many is opaque, the rest of the file is analysed ----------------------

def heredoc_run(n: int) -> str:
    return ("RUN pip install y " + " ".join(f"<<E{i}" for i in range(n)) + "\n"
            + "".join(f"pip install b{i}\nE{i}\n" for i in range(n)))


def test_run_with_too_many_heredocs_is_opaque_and_the_rest_is_linted():
    text = "FROM python:3.12\n" + heredoc_run(MAX_HEREDOCS_PER_RUN + 1) + PIP
    doc = parse(text)
    assert [i.keyword for i in doc.instructions] == ["FROM", "RUN", "RUN"]
    assert len(doc.instructions[1].heredocs) == MAX_HEREDOCS_PER_RUN + 1
    findings = lint(text)
    assert [doc.position(f.start)[0] for f in findings] == [text.count("\n") - 1]  # the last RUN only


def test_run_with_heredocs_up_to_the_bound_is_analysed():
    text = "FROM python:3.12\n" + heredoc_run(MAX_HEREDOCS_PER_RUN)
    assert [f.code for f in lint(text)] == ["CM101"]


# --- item 10 (shell part): the shell-analysis cache is bounded by bytes -----------------------------

def test_shell_cache_memory_plateaus_on_edits_of_a_large_run(monkeypatch):
    """Each keystroke in a large RUN is a new text; the cache kept up to 4,096 results (a 25 KB RUN:
    1.6 MB each, GBs after a few thousand edits). Now the bytes it holds are bounded."""
    cache = parse_mod._CACHE
    limit = 3 * 1024 * 1024
    monkeypatch.setattr(cache, "max_bytes", limit)
    cache.clear()
    body = " && ".join(f"pip install pkg{i} --no-deps" for i in range(300))  # ~10 KB, ~0.6 MB parsed
    for edit in range(12):
        parse_commands(body + " x" * edit)
    tracemalloc.start()
    try:
        for edit in range(12, 24):   # what these edits leave alive is what the cache still holds
            parse_commands(body + " x" * edit)
        alive = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert cache.bytes <= limit and 3 <= len(cache) < 12
    assert alive < limit + 1024 * 1024, alive
    cache.clear()


def test_huge_result_is_not_cached_but_still_returned(monkeypatch):
    cache = parse_mod._CACHE
    monkeypatch.setattr(cache, "max_bytes", 64 * 1024)
    cache.clear()
    text = " ".join(f"w{i}" for i in range(2000))
    assert len(parse_commands(text)[0].words) == 2000
    assert len(cache) == 0
    cache.clear()

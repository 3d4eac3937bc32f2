"""The "Ignore CMxxx for this instruction" edit (pure)."""
from cachemount.document.scanner import parse
from cachemount.fixing.suppress import ignore_edit, ignore_fix, instruction_at
from cachemount.suppressions import collect


def apply_edits(text, edits):
    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[:e.start] + e.new_text + text[e.end:]
    return text


def _apply(text: str, needle: str, code: str) -> str:
    fix = ignore_fix(text, text.index(needle), code)
    assert fix is not None
    assert fix.title == f"Ignore {code} for this instruction"
    assert fix.kind == "quickfix" and fix.preferred is False
    return apply_edits(text, fix.edits)


def _suppressed(text: str, needle: str, code: str) -> bool:
    doc = parse(text)
    instr = instruction_at(doc, text.index(needle))
    return collect(doc).suppressed(code, instr.index)


def test_inserts_comment_above_with_indentation():
    text = "FROM python:3.12\n  RUN pip install x\n"
    new = _apply(text, "pip install", "CM101")
    assert new == "FROM python:3.12\n  # cachemount: ignore=CM101\n  RUN pip install x\n"
    assert _suppressed(new, "pip install", "CM101")
    assert not _suppressed(new, "pip install", "CM103")


def test_finding_on_continuation_line_targets_the_instruction_start():
    text = "FROM x\nRUN apt-get update && \\\n    pip install y\n"
    new = _apply(text, "pip install", "CM101")
    assert new == "FROM x\n# cachemount: ignore=CM101\nRUN apt-get update && \\\n    pip install y\n"


def test_merges_into_existing_ignore_comment():
    text = "FROM x\n# cachemount: ignore=CM103\nRUN pip install y\n"
    new = _apply(text, "pip install", "CM101")
    assert new == "FROM x\n# cachemount: ignore=CM103,CM101\nRUN pip install y\n"
    assert _suppressed(new, "pip install", "CM101") and _suppressed(new, "pip install", "CM103")


def test_merges_keeping_separator_style_and_trailing_space():
    text = "FROM x\n# cachemount: ignore=CM102, CM103   \nRUN pip install y\n"
    new = _apply(text, "pip install", "CM101")
    assert "# cachemount: ignore=CM102, CM103, CM101   \n" in new


def test_merges_through_other_comment_lines_of_the_block():
    text = "FROM x\n# cachemount: ignore=CM103\n# installs the app\nRUN pip install y\n"
    new = _apply(text, "pip install", "CM101")
    assert new == "FROM x\n# cachemount: ignore=CM103,CM101\n# installs the app\nRUN pip install y\n"


def test_already_suppressed_gives_no_edit():
    assert ignore_edit("FROM x\n# cachemount: ignore=CM101\nRUN pip install y\n", 40, "CM101") is None
    assert ignore_edit("FROM x\n# cachemount: ignore\nRUN pip install y\n", 35, "CM101") is None


def test_ignore_file_comment_is_not_merged_into():
    text = "FROM x\n# cachemount: ignore-file=CM201\nRUN pip install y\n"
    new = _apply(text, "pip install", "CM101")
    assert new == "FROM x\n# cachemount: ignore-file=CM201\n# cachemount: ignore=CM101\nRUN pip install y\n"


def test_crlf_and_first_line_after_directives():
    text = "# syntax=docker/dockerfile:1\r\nFROM x\r\nRUN pip install y\r\n"
    new = _apply(text, "pip install", "CM101")
    assert new == "# syntax=docker/dockerfile:1\r\nFROM x\r\n# cachemount: ignore=CM101\r\nRUN pip install y\r\n"
    new = _apply(text, "FROM", "CM201")
    assert new.startswith("# syntax=docker/dockerfile:1\r\n# cachemount: ignore=CM201\r\nFROM x\r\n")
    assert parse(new).directives == {"syntax": "docker/dockerfile:1"}


def test_no_instruction_no_edit():
    assert ignore_edit("# only a comment\n", 3, "CM101") is None

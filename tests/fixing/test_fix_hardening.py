"""Fixes that used to corrupt a Dockerfile (issue 8: items 3, 4, 5 and the CM103 part of 14).

Every fixed text is checked the same way: BuildKit's own parser (the `dockerfile` package) reads
it as intended, a re-check finds neither the fixed finding nor a new one, and a second `--fix`
changes nothing. Where no fix can be written safely, the finding stays, without a fix, and `--fix`
leaves the text alone (no mount piling up run after run)."""
from __future__ import annotations

import csv
from collections import Counter

import dockerfile
import pytest
import pytest_lsp
from lsprotocol import types as T
from pytest_lsp import LanguageClient

from cachemount.lint import lint
from cachemount.semantics.pipeline import analyze
from cachemount.fixing.apply import MAX_ROUNDS, apply_fix
from cachemount.lint import apply_all
from cachemount.lsp import convert
from cachemount.lsp.positions import LineIndex
from tests.lsp.lsp_helpers import apply_edits as lsp_apply_edits
from tests.lsp.lsp_helpers import config, edits_of, encoding_of, initialize, lsp_range, open_doc, published, write

PIP = "--mount=type=cache,target=/root/.cache/pip"


def commands(text):
    return [(c.cmd.upper(), c.flags, c.value) for c in dockerfile.parse_string(text)]


def codes(text):
    return Counter(f.code for f in lint(text))


def check_fixed(before: str, after: str, fixed_code: str) -> list:
    """BuildKit parses `after`; re-linting it finds one `fixed_code` fewer and nothing new; a
    second --fix is a no-op."""
    parsed = commands(after)
    left, had = codes(after), codes(before)
    assert left[fixed_code] < had[fixed_code], (fixed_code, lint(after))
    assert not left - had, f"new findings after the fix: {[(f.code, f.message) for f in lint(after)]}"
    assert apply_all(after) == (after, 0), "a second --fix must change nothing"
    return parsed


def mount_targets_as_buildkit_reads_them(flags) -> list[str]:
    """The flag word as BuildKit's parser split it, read as one CSV record (encoding/csv)."""
    out = []
    for flag in flags:
        if not flag.startswith("--mount="):
            continue
        (fields,) = list(csv.reader([flag[len("--mount="):]]))
        for field in fields:
            key, _, value = field.partition("=")
            if key.lower() in ("target", "dst", "destination"):
                out.append(value)
    return out


def our_cache_targets(text: str) -> list[list[str]]:
    return [[m.target for m in r.cache_mounts] for r in analyze(text).run_facts()]


# ---------------------------------------------------------------------------------------------
# Item 3: exec form strings with escapes


EXEC_CASES = {
    "escaped quotes after the flag": (
        'FROM python:3.12\nRUN ["sh", "-c", "pip install --no-cache-dir \\"x\\""]\n',
        f'FROM python:3.12\nRUN {PIP} ["sh", "-c", "pip install \\"x\\""]\n',
        'pip install "x"'),
    "escaped quotes before the flag": (
        'FROM python:3.12\nRUN ["sh", "-c", "pip install \\"x\\" --no-cache-dir"]\n',
        f'FROM python:3.12\nRUN {PIP} ["sh", "-c", "pip install \\"x\\""]\n',
        'pip install "x"'),
    "unicode escapes, a surrogate pair and a tab": (
        'FROM python:3.12\nRUN ["sh", "-c", "pip install \\u00e9t\\u00e9 --no-cache-dir\\t\\"x\\" && echo \\ud83d\\ude00"]\n',
        f'FROM python:3.12\nRUN {PIP} ["sh", "-c", "pip install \\u00e9t\\u00e9\\t\\"x\\" && echo \\ud83d\\ude00"]\n',
        'pip install été\t"x" && echo 😀'),
    "a quoted env prefix": (
        'FROM python:3.12\nRUN ["sh", "-c", "PIP_NO_CACHE_DIR=\\"1\\" pip install \\"x\\""]\n',
        f'FROM python:3.12\nRUN {PIP} ["sh", "-c", "pip install \\"x\\""]\n',
        'pip install "x"'),
    "an escaped backslash": (
        'FROM python:3.12\nRUN ["sh", "-c", "echo a\\\\\\\\b && pip install --no-cache-dir x"]\n',
        f'FROM python:3.12\nRUN {PIP} ["sh", "-c", "echo a\\\\\\\\b && pip install x"]\n',
        'echo a\\\\b && pip install x'),
    "nested sh -c, rm of the cache after it": (
        'FROM python:3.12\nRUN ["sh", "-c", "sh -c \\"pip install --no-cache-dir x\\" && rm -rf \\"/root/.cache/pip\\""]\n',
        f'FROM python:3.12\nRUN {PIP} ["sh", "-c", "sh -c \\"pip install x\\""]\n',
        'sh -c "pip install x"'),
}


@pytest.mark.parametrize("name", sorted(EXEC_CASES))
def test_exec_form_with_escapes_is_fixed_exactly(name):
    before, expected, shell = EXEC_CASES[name]
    after, applied = apply_all(before)
    assert after == expected
    assert applied == 1
    parsed = check_fixed(before, after, "CM101")
    assert parsed[-1] == ("RUN", (PIP,), ("sh", "-c", shell))
    assert not lint(after)


def test_exec_form_cm103_word_spans_cover_their_escapes():
    before = f'FROM python:3.12\nRUN {PIP} ["sh", "-c", "pip install \\"x\\" --no-cache-dir && rm -rf \\"/root/.cache/pip\\""]\n'
    found = [f for f in lint(before) if f.code == "CM103"]
    assert sorted(before[f.start:f.end] for f in found) == ["--no-cache-dir", '\\"/root/.cache/pip\\"']
    after, _ = apply_all(before)
    assert after == f'FROM python:3.12\nRUN {PIP} ["sh", "-c", "pip install \\"x\\""]\n'
    check_fixed(before, after, "CM103")


def test_exec_form_quick_fix_and_fix_all_match_cli_fix():
    """The server's quick fix sends the finding's edits as TextEdits (UTF-16 positions here, with
    non-BMP text before them); fix-all sends the line diff of apply_all. Both give the CLI result."""
    before = 'FROM python:3.12\n# 😀 déjà\nRUN ["sh", "-c", "pip install --no-cache-dir \\"x\\""]\n'
    cli, _ = apply_all(before)
    assert cli == f'FROM python:3.12\n# 😀 déjà\nRUN {PIP} ["sh", "-c", "pip install \\"x\\""]\n'
    (finding,) = [f for f in lint(before) if f.code == "CM101"]
    assert apply_fix(before, finding.fix) == cli
    for encoding in ("utf-16", "utf-8", "utf-32"):
        index = LineIndex(before, encoding)
        quick = convert.text_edits(index, finding.fix.edits)
        assert lsp_apply_edits(before, quick, encoding) == cli
        fix_all = convert.text_edits(index, convert.line_diff(before, cli))
        assert lsp_apply_edits(before, fix_all, encoding) == cli


@pytest_lsp.fixture(config=config())
async def vscode(lsp_client: LanguageClient, tmp_path):
    await initialize(lsp_client, "visual-studio-code", tmp_path)
    yield
    await lsp_client.shutdown_session()


@pytest.mark.slow  # a real server process
async def test_exec_form_quick_fix_from_the_running_server(vscode, tmp_path):
    client = vscode
    enc = encoding_of(client)
    before, expected, _ = EXEC_CASES["escaped quotes after the flag"]
    assert apply_all(before)[0] == expected
    uri = write(tmp_path, "Dockerfile", before)
    open_doc(client, uri, before)
    diags = (await published(client, uri, 1)).diagnostics
    cm101 = next(d for d in diags if d.code == "CM101")
    actions = await client.text_document_code_action_async(T.CodeActionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), range=cm101.range,
        context=T.CodeActionContext(diagnostics=[cm101], only=[T.CodeActionKind.QuickFix])))
    quick = next(a for a in actions if a.title.startswith("Add cache mount"))
    assert lsp_apply_edits(before, edits_of(quick.edit, uri), enc) == expected
    actions = await client.text_document_code_action_async(T.CodeActionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), range=lsp_range(before, 0, 0, enc),
        context=T.CodeActionContext(diagnostics=[], only=[T.CodeActionKind.SourceFixAll])))
    (fix_all,) = actions
    if fix_all.edit is None:
        fix_all = await client.code_action_resolve_async(fix_all)
    assert lsp_apply_edits(before, edits_of(fix_all.edit, uri), enc) == expected


# ---------------------------------------------------------------------------------------------
# Item 4: cache dirs written into --mount


def test_cache_dir_with_a_space_is_quoted_as_one_csv_field():
    before = 'FROM python:3.12\nENV PIP_CACHE_DIR="/a b"\nRUN pip install x\n'
    after, applied = apply_all(before)
    assert after == 'FROM python:3.12\nENV PIP_CACHE_DIR="/a b"\nRUN --mount=type=cache,"target=/a b" pip install x\n'
    assert applied == 1
    parsed = check_fixed(before, after, "CM101")
    _, flags, command = parsed[-1]
    assert command == ("pip install x",)  # the space no longer splits the flag from the command
    assert mount_targets_as_buildkit_reads_them(flags) == ["/a b"]
    assert our_cache_targets(after)[-1] == ["/a b"]  # recognised as covering: converges
    assert not lint(after)


@pytest.mark.parametrize("mount, expected", [
    ("--mount=type=cache,target=/root/.cache/pip", '--mount=type=cache,"target=/a b"'),
    ("--mount=type=cache,dst=/root/.cache/pip", '--mount=type=cache,"dst=/a b"'),
    ('--mount="type=cache,target=/root/.cache/pip"', '--mount="type=cache,target=/a b"'),
    ("--mount=type=cache,'target=/root/.cache/pip'", '--mount=type=cache,"target=/a b"'),
])
def test_retarget_to_a_dir_with_a_space(mount, expected):
    before = f'FROM python:3.12\nENV PIP_CACHE_DIR="/a b"\nRUN {mount} pip install x\n'
    assert [f.code for f in lint(before)] == ["CM102"]
    after, _ = apply_all(before)
    assert after == f'FROM python:3.12\nENV PIP_CACHE_DIR="/a b"\nRUN {expected} pip install x\n'
    parsed = check_fixed(before, after, "CM102")
    _, flags, command = parsed[-1]
    assert command == ("pip install x",)
    assert mount_targets_as_buildkit_reads_them(flags) == ["/a b"]
    assert not lint(after)


def test_retarget_of_a_quoted_field_keeps_the_flag_whole():
    before = ('FROM python:3.12\nRUN useradd -m -u 1001 app\nUSER app\n'
              'RUN --mount=type=cache,"target=/root/.cache/pip" pip install x\n')
    after, _ = apply_all(before, unsafe=True)   # a mount under a non-root home: unsafe (issue 10)
    assert after.endswith("RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1001,gid=1001 pip install x\n")
    check_fixed(before, after, "CM102")
    assert not lint(after)


def test_legacy_env_comment_is_part_of_the_value_and_no_mount_is_written():
    before = "FROM golang:1.22\nENV GOCACHE /root/.cache/go-build # build cache\nRUN go build ./...\n"
    # BuildKit: in `ENV NAME value` the value is the rest of the line, `#` included.
    assert commands(before)[1] == ("ENV", (), ("GOCACHE", "/root/.cache/go-build # build cache"))
    (finding,) = [f for f in lint(before) if f.code == "CM101"]
    assert "/root/.cache/go-build # build cache" in finding.message
    assert "no automatic fix" in finding.message and "part of the value" in finding.message
    assert finding.fix is None and finding.fixes == ()
    assert apply_all(before) == (before, 0)


UNWRITABLE = {
    "comma": 'ENV PIP_CACHE_DIR=/a,b',
    "backslash": 'ENV PIP_CACHE_DIR=/a\\\\b',
    "single quote": "ENV PIP_CACHE_DIR=\"/a'b\"",
    "double quote": 'ENV PIP_CACHE_DIR="/a\\"b"',
    "dollar": "ENV PIP_CACHE_DIR='/a$b'",
    "non-ASCII": "ENV PIP_CACHE_DIR=/données/pip",
    "tab": 'ENV PIP_CACHE_DIR="/a\tb"',
    "trailing space": 'ENV PIP_CACHE_DIR="/a "',
}


@pytest.mark.parametrize("name", sorted(UNWRITABLE))
def test_unwritable_cache_dir_is_reported_without_a_fix(name):
    before = f"FROM python:3.12\n{UNWRITABLE[name]}\nRUN pip install x\n"
    (finding,) = [f for f in lint(before) if f.code == "CM101"]
    assert finding.fix is None
    assert "no automatic fix" in finding.message
    assert apply_all(before) == (before, 0)  # nothing written, so nothing piles up run after run


@pytest.mark.parametrize("name", sorted(UNWRITABLE))
def test_unwritable_cache_dir_is_not_retargeted(name):
    before = f"FROM python:3.12\n{UNWRITABLE[name]}\nRUN {PIP} pip install x\n"
    found = [f for f in lint(before) if f.code == "CM102"]
    assert found and all(f.fix is None for f in found)
    assert apply_all(before) == (before, 0)


def test_why_non_ascii_is_refused_buildkit_mangles_it_in_a_flag():
    (_, flags, _), = commands("RUN --mount=type=cache,target=/données/pip pip install x\n")
    assert mount_targets_as_buildkit_reads_them(flags) != ["/données/pip"]


@pytest.mark.parametrize("value, path", [
    ('"/a b"', "/a b"), ("/srv/pip-cache", "/srv/pip-cache"), ('"/x  y/z"', "/x  y/z"),
    ("/c/a#b", "/c/a#b"), ('"/opt/my cache/pip~1"', "/opt/my cache/pip~1"),
])
def test_a_fixable_cache_dir_converges_in_one_round(value, path):
    """The mount a fix writes is where pip caches, as BuildKit reads it, and we recognise it as
    covering that dir, so one round is enough and the next run adds nothing."""
    before = f"FROM python:3.12\nENV PIP_CACHE_DIR={value}\nRUN pip install x\n"
    after, applied = apply_all(before)
    assert applied == 1 < MAX_ROUNDS
    _, flags, command = commands(after)[-1]
    assert command == ("pip install x",)
    assert mount_targets_as_buildkit_reads_them(flags) == [path]
    assert our_cache_targets(after)[-1] == [path]
    assert not lint(after)
    assert apply_all(after) == (after, 0)


# ---------------------------------------------------------------------------------------------
# Item 5: removing the last word of a continued instruction across comment or blank lines


CONTINUED = {
    "comment line": (
        f"FROM python:3.12\nENV A=1 \\\n# pip cache off\nPIP_NO_CACHE_DIR=1\nRUN {PIP} pip install x\n",
        f"FROM python:3.12\nENV A=1\n# pip cache off\nRUN {PIP} pip install x\n"),
    "blank line": (
        f"FROM python:3.12\nENV A=1 \\\n\n    PIP_NO_CACHE_DIR=1\nRUN {PIP} pip install x\n",
        f"FROM python:3.12\nENV A=1\n\nRUN {PIP} pip install x\n"),
    "comment and blank lines, CRLF": (
        f"FROM python:3.12\r\nENV A=1 \\\r\n  # one\r\n\r\n  # two\r\n  PIP_NO_CACHE_DIR=1\r\nRUN {PIP} pip install x\r\n",
        f"FROM python:3.12\r\nENV A=1\r\n  # one\r\n\r\n  # two\r\nRUN {PIP} pip install x\r\n"),
    "a RUN flag": (
        f"FROM python:3.12\nRUN {PIP} pip install x \\\n    # keep the cache out of the image\n    --no-cache-dir\nRUN echo done\n",
        f"FROM python:3.12\nRUN {PIP} pip install x\n    # keep the cache out of the image\nRUN echo done\n"),
    "escape directive": (
        f"# escape=`\nFROM python:3.12\nENV A=1 `\n# pip cache off\nPIP_NO_CACHE_DIR=1\nRUN {PIP} pip install x\n",
        f"# escape=`\nFROM python:3.12\nENV A=1\n# pip cache off\nRUN {PIP} pip install x\n"),
}


@pytest.mark.parametrize("name", sorted(CONTINUED))
def test_removal_leaves_no_dangling_continuation(name):
    before, expected = CONTINUED[name]
    (finding,) = [f for f in lint(before) if f.code == "CM103"]
    # For the ENV cases this is the unsafe alternative: the safe fix overrides the variable on the
    # command and keeps the ENV (issue 10 item 13).
    (removal,) = [fix for fix in finding.fixes if fix.title.startswith("Remove")]
    after = apply_fix(before, removal)
    assert after == expected
    parsed = check_fixed(before, after, "CM103")
    runs = [c for c in parsed if c[0] == "RUN"]
    assert runs[0][1] == (PIP,)  # the RUN after the ENV is still its own instruction
    assert not lint(after)


# ---------------------------------------------------------------------------------------------
# Item 14 (CM103 part): heredoc RUNs are read once


@pytest.mark.parametrize("line", ["<<EOF", "<<EOF bash", "bash <<EOF", "<<EOF sh -e"])
def test_heredoc_defeat_reported_once(line):
    before = f"FROM python:3.12\nRUN {PIP} {line}\npip install --no-cache-dir x\nEOF\n"
    found = [f for f in lint(before) if f.code == "CM103"]
    assert len(found) == 1
    after, _ = apply_all(before)
    assert after == f"FROM python:3.12\nRUN {PIP} {line}\npip install x\nEOF\n"
    check_fixed(before, after, "CM103")


def test_data_heredoc_before_the_command_is_not_run():
    """`RUN <<EOF cat > f` writes the body to a file: pip never runs."""
    before = "FROM python:3.12\nRUN <<EOF cat > /tmp/notes\npip install x\nEOF\n"
    assert not [f for f in lint(before) if f.code == "CM101"]


# ---------------------------------------------------------------------------------------------
# Removing a command after a comment line or a compound command's end (found by the corpus
# mutation fuzzer; issue 10 item 11): the lists cleanup went unremoved, so the fixed file had a new
# CM103 with no fix.

APT = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl"
RM = "rm -rf /var/lib/apt/lists/*"
AFTER_COMMENT = {
    "comment, rm last": (
        f"{APT} \\\n    # clean up\n    && {RM}\n",
        "apt-get install -y curl\n    # clean up\n"),
    "comment, rm in the middle": (
        f"{APT} \\\n    # clean up\n    && {RM} \\\n    && echo done\n",
        "apt-get install -y curl \\\n    # clean up\n    && echo done\n"),
    "comments on both sides, rm in the middle": (
        f"{APT} \\\n    # clean up\n    && {RM} \\\n    # then say so\n    && echo done\n",
        "apt-get install -y curl \\\n    # clean up\n    # then say so\n    && echo done\n"),
    "heredoc, separated by a line break": (
        f"FROM debian:bookworm\nRUN <<-EOF\n\tapt-get update\n\tapt-get install -y curl\n\t# tidy\n\t{RM}\nEOF\n",
        "apt-get install -y curl\n\t# tidy\nEOF\n"),
    "after fi;": (
        f"FROM debian:bookworm\nRUN if [ -f x ]; then apt-get update && apt-get install -y curl; fi; {RM}\n",
        "apt-get install -y curl; fi\n"),
    "after done &&": (
        f"FROM debian:bookworm\nRUN for p in curl; do apt-get update && apt-get install -y $p; done && {RM}\n",
        "apt-get install -y $p; done\n"),
    "`;` lists, comments on both sides": (
        f"FROM debian:bookworm\nRUN set -eux; \\\n  apt-get update; \\\n  apt-get install -y curl; \\\n"
        f"  # clean up\n  {RM}; \\\n  # then say so\n  echo done\n",
        "apt-get install -y curl; \\\n  # clean up\n  # then say so\n  echo done\n"),
    "`&&` on the next line after a comment": (
        f"{APT} && \\\n    # clean up\n    {RM} \\\n    && echo done\n",
        "apt-get install -y curl && \\\n    # clean up\n    echo done\n"),
    "after fi; and a comment, CRLF": (
        f"FROM debian:bookworm\r\nRUN if [ -f x ]; then apt-get update && apt-get install -y curl; fi; \\\r\n"
        f"    # clean up\r\n    {RM}; \\\r\n    echo done\r\n",
        "apt-get install -y curl; fi; \\\r\n    # clean up\r\n    echo done\r\n"),
}


@pytest.mark.parametrize("name", sorted(AFTER_COMMENT))
def test_cleanup_after_a_comment_or_a_closer_is_removed(name):
    before, tail = AFTER_COMMENT[name]
    after, _ = apply_all(before, unsafe=True)   # `after fi;`: apt runs in a branch, so the fix is unsafe
    assert after.endswith(tail), after
    assert RM not in after
    check_fixed(before, after, "CM101")
    assert not lint(after)
    assert apply_all(after)[0] == after


def test_prefetch_is_not_offered_where_its_step_could_not_be_cached():
    """Found by the grammar fuzzer: the CM201 prefetch step for an install whose cache dir is
    unknown (USER without a known home) added a CM101 that nothing could fix."""
    before = ("FROM almalinux\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nUSER app\n"
              "RUN pipenv install --clear\nRUN echo hi\nRUN uv sync\n")
    after, _ = apply_all(before)
    assert not codes(after) - codes(before), [(f.code, f.message) for f in lint(after)]

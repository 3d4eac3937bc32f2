"""Robustness: every corpus file analyses without error with spans inside the file; arbitrary
text never raises; rule docs' examples fire and their fixed versions do not; docs are current."""
import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cachemount.lint import lint
from cachemount.rules import RULES
from cachemount.cli.ruledocs import render
from tests.conftest import REPO, corpus_files


@pytest.mark.slow
@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_file_analyses_with_spans_in_range(path):
    text = path.read_bytes().decode("utf-8", errors="replace")
    for f in lint(text):
        assert 0 <= f.start <= f.end <= len(text), f
        for fix in f.fixes:
            for e in fix.edits:
                assert 0 <= e.start <= e.end <= len(text), (f, e)


DOCKERISH = st.lists(st.sampled_from([
    "FROM python:3.12", "FROM node:22 AS b", "FROM b", "USER app", "USER 1001", "RUN useradd -m -u 1001 app",
    "RUN pip install x", "RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir x",
    "RUN apt-get update && \\", "  apt-get install -y x", "RUN <<EOF", "apk add curl", "EOF", "COPY . .",
    "RUN npm ci", "ENV PIP_NO_CACHE_DIR=1", "ARG X=1", "WORKDIR /app", "# comment", "", "\\", "RUN [\"pip\"",
    "RUN --mount=type=cache,target=$X uv sync", "# escape=`", "RUN a `", "ENV A B", "RUN sh -c 'pip install",
]), max_size=25).map("\n".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=400), DOCKERISH))
def test_any_text_never_raises_and_spans_inside(text):
    for f in lint(text):
        assert 0 <= f.start <= f.end <= len(text)


def _examples(doc):
    blocks = dict(re.findall(r"## (Example|Fixed)\n```dockerfile\n(.*?)```", doc, re.S))
    return blocks["Example"], blocks["Fixed"]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_doc_example_fires_and_fixed_does_not(rule):
    example, fixed = _examples(rule.doc)
    assert rule.code in {f.code for f in lint(example)}
    assert rule.code not in {f.code for f in lint(fixed)}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_pages_are_generated_from_docstrings(rule):
    page = REPO / "docs" / "rules" / f"{rule.code}.md"
    assert page.read_text(encoding="utf-8") == render(rule), "run: python scripts/generate.py"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_doc_fixed_block_is_what_the_fix_writes(rule):
    from cachemount.lint import apply_all
    from cachemount.settings.model import Settings

    example, fixed = _examples(rule.doc)
    # what the fix writes, safe or not: CM201's is unsafe without a build context
    out, applied = apply_all(example, Settings(select=frozenset({rule.code})), unsafe=True)
    if not getattr(rule.module, "FIXABLE", True):   # no automatic fix: `## Fixed` is written by hand
        assert (out, applied) == (example, 0)
        return
    assert applied >= 1 and out == fixed

"""The incremental linter returns exactly what a full lint returns, after any edit."""
import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cachemount.lint import lint
from cachemount.editor.incremental import IncrementalLinter
from tests.conftest import REPO, corpus_files


def same(a, b):
    def key(f):
        return (f.code, f.severity, f.start, f.end, f.message,
                [(x.title, x.edits, x.preferred, x.groups) for x in f.fixes])
    return [key(f) for f in a] == [key(f) for f in b]


def check_sequence(texts):
    linter = IncrementalLinter()
    for text in texts:
        got = linter.lint(text)
        assert same(got, lint(text)), text


LARGE = (REPO / "bench" / "data" / "large.Dockerfile").read_text()


def edits_of(text, rng, n):
    out = [text]
    for _ in range(n):
        pos = rng.randrange(len(text) + 1)
        kind = rng.random()
        if kind < 0.4:
            text = text[:pos] + rng.choice([" ", "x", "\n", "RUN pip install y\n", "USER app\n", "# c\n",
                                            "FROM python:3.12 AS z\n", "\\\n", "<<EOF\n"]) + text[pos:]
        elif kind < 0.8:
            text = text[:pos] + text[pos + rng.randrange(1, 30):]
        else:
            text = text[:pos] + text[pos:pos + 5] * 2 + text[pos + 5:]
        out.append(text)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
def test_random_edits_of_the_large_file(seed):
    check_sequence(edits_of(LARGE, random.Random(seed), 12))


@pytest.mark.slow
def test_typing_keystrokes_in_the_middle():
    pos = LARGE.index("RUN", len(LARGE) // 2)
    texts = [LARGE]
    for ch in " --no-cache-dir":
        texts.append(texts[-1][:pos + 3] + ch + texts[-1][pos + 3:])
        pos += 1
    check_sequence(texts)


@pytest.mark.slow
@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_files()[::7], ids=lambda p: p.name)
def test_random_edits_of_corpus_files(path):
    text = path.read_bytes().decode("utf-8", errors="replace")
    check_sequence(edits_of(text, random.Random(path.name), 8))


def test_settings_change_and_ignore_file_are_not_reused():
    from cachemount.settings.model import Settings

    text = "FROM python:3.12\nRUN pip install x\nFROM node:22\nRUN npm ci\n"
    linter = IncrementalLinter()
    assert len(linter.lint(text)) == 2
    assert linter.lint(text, Settings(ignore=frozenset({"CM101"}))) == []
    with_ignore = "# cachemount: ignore-file=CM101\n" + text
    assert linter.lint(with_ignore) == []
    assert same(linter.lint(text), lint(text))


STEPS = st.lists(st.sampled_from([
    "FROM python:3.12 AS a", "FROM a", "FROM node:22 AS b", "FROM b AS c", "USER node", "USER root",
    "RUN pip install x", "RUN npm ci", "COPY . .", "ENV PIP_NO_CACHE_DIR=1", "ARG X=1",
    "RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir x", "WORKDIR /app",
    "RUN apt-get update && apt-get install -y curl", "# cachemount: ignore=CM101", "",
]), min_size=1, max_size=14).map("\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STEPS, st.integers(min_value=0, max_value=10_000), st.sampled_from(["", " ", "x", "\n", "FROM a\n", "z z"]),
       st.integers(min_value=0, max_value=8))
def test_property_one_edit(text, where, insert, cut):
    pos = where % (len(text) + 1)
    edited = text[:pos] + insert + text[pos + cut:]
    check_sequence([text, edited, text])

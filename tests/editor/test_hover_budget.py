"""Every hover fits VS Code's hover widget without scrolling, with this RUN's facts under one heading.

The widget is about 500 px wide and shows about 20-25 lines before it scrolls. The budget is
BUDGET_LINES rendered lines at WIDTH columns: markdown is reduced to what the reader sees (links as
their label, no backticks or stars), each paragraph and list item is word-wrapped at WIDTH, and the
gap between blocks counts as a whole line (VS Code draws about half a line; counting a whole one
keeps a margin). Hovers on rule codes in suppression comments show the rule's documentation and
are left out: they are the one place where a long hover is the point.
"""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from cachemount.document.mounts import mount_of
from cachemount.document.scanner import parse
from cachemount.editor.hover import hover_at
from cachemount.lint import apply_all

WIDTH = 80
BUDGET_LINES = 18
REPO = Path(__file__).resolve().parents[2]

_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def _display(line: str) -> str:
    line = _LINK.sub(r"\1", line)
    line = re.sub(r"^#{1,6}\s+", "", line)
    line = re.sub(r"\*\*(.+?)\*\*", r"\1", line)
    return re.sub(r"``\s?(.+?)\s?``|`([^`]*)`", lambda m: m.group(1) or m.group(2) or "", line)


def rendered_lines(markdown: str, width: int = WIDTH) -> int:
    """Lines the hover takes on screen at `width` columns (see the module docstring)."""
    blocks = [b for b in re.split(r"\n\s*\n", markdown.strip()) if b.strip()]
    total = max(len(blocks) - 1, 0)   # the gaps
    for block in blocks:
        items: list[str] = []
        for line in block.split("\n"):
            if re.match(r"\s*([-*]|\d+\.)\s", line) or not items or line.startswith("#"):
                items.append(line)
            else:   # a soft line break: the same paragraph
                items[-1] += " " + line
        for item in items:
            total += len(textwrap.wrap(_display(item), width, subsequent_indent="  ")) or 1
    return total


def hover_points(text: str) -> list[tuple[str, int]]:
    """(kind, offset) of every place on a RUN flag a hover can be asked for: each flag's name, and for
    `--mount` each option's key and value. `kind` names it: '--mount', 'sharing', 'sharing=',
    '--network='."""
    points = []
    for instr in parse(text).instructions:
        if instr.keyword != "RUN":
            continue
        for flag in instr.flags:
            points.append((f"--{flag.name}", flag.start + 2))
            if flag.name != "mount":
                if flag.value:
                    points.append((f"--{flag.name}=", flag.value_start))
                continue
            for opt in mount_of(flag).options:
                points.append((opt.canonical, opt.start))
                if opt.value:
                    points.append((f"{opt.canonical}=", opt.value_start))
    return points


def hovers_of(text: str):
    """(kind, offset, markdown) of every hover in `text`."""
    from cachemount.semantics.pipeline import analyze
    analysis = analyze(text)
    for kind, offset in hover_points(text):
        r = hover_at(text, offset, analysis=analysis)
        if r is not None:
            yield kind, offset, r.markdown


def problems(text: str) -> list[str]:
    """Hovers over the budget, or with more than one "In this RUN" section."""
    out = []
    for kind, offset, markdown in hovers_of(text):
        n = rendered_lines(markdown)
        line = text.count("\n", 0, offset) + 1
        if n > BUDGET_LINES:
            out.append(f"{kind} at line {line}: {n} lines\n{markdown}")
        if markdown.count("In this RUN") > 1:
            out.append(f"{kind} at line {line}: 'In this RUN' twice\n{markdown}")
    return out


# -- the measure itself -----------------------------------------------------------------------------

def test_rendered_lines_counts_wrapping_gaps_and_items():
    assert rendered_lines("one") == 1
    assert rendered_lines("a\n\nb") == 3
    assert rendered_lines("x " * 50) == 2           # 100 chars wrap once at 80
    assert rendered_lines("**In this RUN**:\n- a\n- b") == 3
    assert rendered_lines("soft\nbreak") == 1
    assert rendered_lines("[Dockerfile reference](" + "u" * 200 + ")") == 1   # only the label shows
    assert rendered_lines("`" + "x" * 81 + "`") == 2


def test_hover_points_cover_flags_keys_and_values():
    text = "FROM alpine\nRUN --network=none --mount=type=cache,target=/x,ro true\n"
    kinds = [k for k, _ in hover_points(text)]
    assert kinds == ["--network", "--network=", "--mount", "type", "type=", "target", "target=", "ro"]


# -- realistic files ----------------------------------------------------------------------------------

NONROOT_PIP = (
    "# syntax=docker/dockerfile:1\n"
    "FROM python:3.12-slim\n"
    "ENV PIP_DISABLE_PIP_VERSION_CHECK=1\n"
    "RUN useradd --create-home --uid 1001 app\n"
    "USER app\n"
    "WORKDIR /home/app/src\n"
    "RUN --mount=type=cache,target=/root/.cache/pip,sharing=private,mode=0755,id=pip \\\n"
    "    --mount=type=bind,source=requirements.txt,target=requirements.txt \\\n"
    "    pip install --user -r requirements.txt\n"
    "RUN --mount=type=cache,target=.cache/pip,uid=1000,gid=1000 pip install --user x\n"
)
APT_AND_NPM = (
    "FROM node:22\n"
    "RUN --mount=type=cache,target=/var/cache/apt,sharing=shared "
    "--mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y curl\n"
    "USER node\n"
    "RUN --mount=type=cache,target=/home/node/.npm,uid=1000,gid=1000,sharing=locked npm ci\n"
)
USER_APP = (   # the example of test_hover.py and tests/lsp
    "FROM python:3.12-slim AS deps\n"
    "FROM python:3.12-slim\n"
    "RUN useradd -m -u 1001 app\n"
    "USER app\n"
    "# cachemount: ignore=CM103, CM102\n"
    "RUN --mount=type=cache,target=/root/.cache/pip,uid=1000,gid=1000,sharing=locked,mode=0755,id=pip "
    "--network=none pip install requests\n"
)


def _examples() -> dict[str, str]:
    files = {"typical": (REPO / "bench" / "data" / "typical.Dockerfile").read_text(),
             "nonroot-pip": NONROOT_PIP, "apt-and-npm": APT_AND_NPM}
    for path in sorted((REPO / "tests" / "client" / "fixtures").glob("*.Dockerfile")):
        files[path.name] = path.read_text()
    files["user-app"] = USER_APP
    return files


@pytest.mark.parametrize("name", sorted(_examples()))
def test_hovers_of_realistic_files_fit(name):
    text = _examples()[name]
    seen = 0
    for variant in (text, apply_all(text)[0]):   # as written, and after the fixes add mounts
        seen += sum(1 for _ in hover_points(variant))
        bad = problems(variant)
        assert not bad, "\n\n".join(bad)
    assert seen, name


@pytest.mark.slow
@pytest.mark.corpus
def test_every_corpus_hover_fits(corpus):
    bad = []
    seen = 0
    for path in corpus:
        text = path.read_text(errors="replace")
        for variant in (text, apply_all(text)[0]):
            seen += sum(1 for _ in hover_points(variant))
            bad.extend(f"{path.name}: {b}" for b in problems(variant))
    assert seen > 500
    assert not bad, f"{len(bad)} hovers too long or with 'In this RUN' twice:\n\n" + "\n\n".join(bad[:5])

"""CM201 on layouts the real-build matrix found (tests/buildkit/test_node_and_layout_scenarios.py):
a COPY of one project directory (`COPY app/ .`), and a WORKDIR between the broad COPY and the
install. Each fixed text here was built for real: it builds and the install is CACHED after a
source edit."""
from __future__ import annotations

import pytest

from cachemount.build_context.discover import given
from cachemount.findings import SAFE, UNSAFE
from cachemount.lint import apply_all, lint

PACKAGE = '{"name": "a", "version": "1.0.0", "dependencies": {"ms": "2.1.3"}}\n'


@pytest.fixture
def context(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "package.json").write_text(PACKAGE)
    (tmp_path / "app" / "package-lock.json").write_text("{}\n")
    (tmp_path / "app" / "index.js").write_text("console.log('ok')\n")
    (tmp_path / "README.md").write_text("readme\n")
    return given(str(tmp_path), None, "test")


def cm201(text, context):
    return [f for f in lint(text, build_context=context) if f.code == "CM201"]


def test_copy_of_a_project_dir_copies_its_manifests_first(context):
    before = "FROM node:18\nWORKDIR /srv/app\nCOPY app/ .\nRUN npm ci\n"
    [finding] = cm201(before, context)
    assert "copies all of app/ first" in finding.message
    assert finding.fixes[0].applicability == SAFE, finding.fixes[0].title
    after, _ = apply_all(before, build_context=context)
    assert after == ("FROM node:18\nWORKDIR /srv/app\nCOPY app/package*.json ./\n"
                     "RUN --mount=type=cache,target=/root/.npm npm ci\nCOPY app/ .\n")
    assert apply_all(after, build_context=context) == (after, 0)
    assert cm201(after, context) == []


def test_a_dir_copy_is_found_from_the_text_alone_and_the_context_decides_the_fix(context):
    # the editor's diagnostics have no build context: the finding must not depend on it
    before = "FROM node:18\nWORKDIR /srv/app\nCOPY app/ .\nRUN npm ci\n"
    [unknown] = cm201(before, None)
    assert unknown.fixes[0].applicability == UNSAFE and "build context unknown" in unknown.fixes[0].title
    [missing] = cm201("FROM node:18\nWORKDIR /srv/app\nCOPY docs/ .\nRUN npm ci\n", context)
    assert all(f.applicability == UNSAFE for f in missing.fixes), [f.title for f in missing.fixes]
    # `COPY app .` may be a file; a copy to a dir the install does not run in is not its input
    assert cm201("FROM node:18\nWORKDIR /srv/app\nCOPY app .\nRUN npm ci\n", context) == []
    assert cm201("FROM node:18\nWORKDIR /srv/app\nCOPY app/ ./web/\nRUN npm ci\n", context) == []


def test_a_workdir_between_writes_the_moved_copy_destination_absolute(context):
    before = "FROM node:18\nWORKDIR /srv\nCOPY . .\nWORKDIR /srv/app\nRUN npm ci\n"
    [finding] = cm201(before, context)
    assert finding.fixes and finding.fixes[0].applicability == SAFE, [f.title for f in finding.fixes]
    after, _ = apply_all(before, build_context=context)
    assert after == ("FROM node:18\nWORKDIR /srv\nWORKDIR /srv/app\nCOPY app/package*.json ./\n"
                     "RUN --mount=type=cache,target=/root/.npm npm ci\nCOPY . /srv/\n")
    assert apply_all(after, build_context=context) == (after, 0)


def test_a_workdir_inside_a_chowned_copy_destination_makes_the_move_unsafe(context):
    # the WORKDIR would now make /srv/app before the COPY --chown, owned by root
    before = "FROM node:18\nWORKDIR /srv\nCOPY --chown=node . .\nWORKDIR /srv/app\nRUN npm ci\n"
    [finding] = cm201(before, context)
    assert finding.fixes[0].applicability == UNSAFE and "owned by root" in finding.fixes[0].title


@pytest.mark.parametrize("copy", ['COPY [".", "."]', "COPY . $DEST"])
def test_a_destination_that_cannot_be_written_absolute_gets_no_move(context, copy):
    before = f"FROM node:18\nARG DEST=.\nWORKDIR /srv\n{copy}\nWORKDIR /srv/app\nRUN npm ci\n"
    for finding in cm201(before, context):
        assert not any(f.title.startswith("Copy") for f in finding.fixes), [f.title for f in finding.fixes]

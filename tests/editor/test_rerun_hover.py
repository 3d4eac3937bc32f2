"""The layer-cache hover on an instruction's keyword, the code lens above installs that re-run on
every source edit, and the builder-only note on cache mounts (editor/rerun.py, editor/hover.py)."""
from __future__ import annotations

from cachemount.editor.hover import hover_at
from cachemount.editor.rerun import code_lenses
from cachemount.semantics.pipeline import analyze

BROAD = (
    "FROM node:20\n"            # 1
    "WORKDIR /app\n"            # 2
    "COPY . .\n"                # 3
    "RUN npm ci\n"              # 4
    "RUN npm run build\n"       # 5
)
GOOD = (
    "FROM node:20\n"
    "ARG NODE_ENV=production\n"
    "WORKDIR /app\n"
    "COPY package.json package-lock.json ./\n"
    "RUN npm ci\n"
    "COPY . .\n"
)


def hover(text: str, needle: str):
    return hover_at(text, text.index(needle) + 1)


def test_an_install_after_a_broad_copy_says_any_source_edit_reruns_it_and_links_cm201():
    md = hover(BROAD, "RUN npm ci").markdown
    assert md.startswith("**Layer cache** · RUN line 4")
    assert "- any file of the build context changes (less .dockerignore; line 3)" in md
    assert "- the base image `node:20` is rebuilt upstream" in md
    assert "`COPY . .` (line 3) copies the whole context first" in md and "CM201.md" in md


def test_the_broad_copy_names_the_installs_that_follow_it():
    md = hover(BROAD, "COPY . .").markdown
    assert "**Then re-runs** 1 install: line 4 (npm)" in md


def test_a_well_ordered_install_lists_its_manifests_and_args_and_no_cm201():
    md = hover(GOOD, "RUN npm ci").markdown
    assert "- `package.json`, `package-lock.json` change in the build context" in md
    assert "- build arg `NODE_ENV` changes" in md
    assert "CM201" not in md and "any file of the build context" not in md


def test_arg_and_env_say_they_are_not_steps_and_which_runs_read_them():
    md = hover(GOOD, "ARG").markdown
    assert "ARG is not a build step" in md and "re-runs every later RUN of this stage from line 5" in md


def test_no_layer_hover_off_the_keyword_nor_on_comments():
    assert hover(GOOD, "package-lock") is None
    assert hover_at("# FROM x\nFROM alpine\n", 3) is None


def test_code_lens_only_above_installs_that_rerun_on_any_context_change():
    lenses = code_lenses(analyze(BROAD))
    assert [(BROAD[lens.start:lens.end], lens.title) for lens in lenses] == [
        ("RUN", "re-runs on any change to the build context (COPY . . line 3)")]
    assert code_lenses(analyze(GOOD)) == []


def test_a_cache_mount_hover_says_it_lives_on_the_builder_only():
    text = "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n"
    md = hover(text, "-mount").markdown
    assert "On this builder only" in md and "buildkit/issues/1512" in md and "fresh CI runner starts empty" in md

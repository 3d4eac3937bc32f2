"""The layer-cache model (semantics/cache_keys.py): which steps a change re-runs, and why. The same
predictions are checked against real BuildKit builds in tests/buildkit/test_explain_agreement.py."""
from __future__ import annotations

import pytest

from cachemount.semantics.cache_keys import build_model, changed_for_context, covers
from cachemount.semantics.pipeline import analyze


def model(text: str, target=None):
    return build_model(analyze(text), target)


def reruns(text: str, paths=(), args=(), target=None) -> dict[int, list[str]]:
    """1-based line -> reason kinds, for the built steps the change re-runs."""
    m = model(text, target)
    got = m.predict(paths, args)
    return {m.steps[p].instr.line + 1: [r.kind for r in rs] for p, rs in got.items() if m.steps[p].built}


APP = (
    "FROM python:3.12-slim\n"          # 1
    "WORKDIR /app\n"                   # 2
    "COPY requirements.txt ./\n"       # 3
    "RUN pip install -r requirements.txt\n"   # 4
    "COPY . .\n"                       # 5
    "RUN python -m compileall .\n"     # 6
)


def test_a_source_edit_reruns_the_broad_copy_and_what_follows_not_the_install():
    assert reruns(APP, ["src/app.py"]) == {5: ["files"], 6: ["earlier-step"]}


def test_a_manifest_edit_reruns_the_install_and_everything_after():
    assert reruns(APP, ["requirements.txt"]) == {3: ["files"], 4: ["earlier-step"], 5: ["earlier-step", "files"],
                                                 6: ["earlier-step"]}


def test_no_change_reruns_nothing():
    assert reruns(APP) == {}


def test_the_install_is_marked_with_its_manager():
    m = model(APP)
    assert [s.managers for s in m.steps if s.install] == [("pip",)]
    assert [s.instr.keyword for s in m.steps] == ["FROM", "WORKDIR", "COPY", "RUN", "COPY", "RUN"]


def test_dockerignored_paths_are_not_changes_buildkit_sees():
    seen, ignored = changed_for_context(["src/a.py", "docs/x.md", "./README.md"],
                                        lambda p: p.startswith("docs/") or p == "README.md")
    assert seen == ["src/a.py"] and ignored == ["docs/x.md", "README.md"]


@pytest.mark.parametrize("pattern, path, expected", [
    (".", "anything/at/all", True),
    ("requirements.txt", "requirements.txt", True),
    ("requirements.txt", "requirements.txt.bak", False),
    ("src", "src/pkg/mod.py", True),
    ("src", "srcfoo/x", False),
    ("*.json", "package.json", True),
    ("*.json", "sub/package.json", False),      # Go's filepath.Match: `*` stays in one component
    ("packages/*/package.json", "packages/a/package.json", True),
    ("packages/*/package.json", "packages/a/b/package.json", False),
    ("pkg*", "pkg-a/file", True),               # a matched directory brings its content
    ("**/go.mod", "a/b/go.mod", True),
    ("req[0-9].txt", "req1.txt", True),
])
def test_copy_sources_cover_paths_like_buildkit(pattern, path, expected):
    assert covers(pattern, path) is expected


def test_an_arg_reruns_every_run_after_its_declaration_but_not_copies_that_do_not_use_it():
    text = ("FROM alpine\n"            # 1
            "RUN echo before\n"        # 2
            "ARG V=1\n"                # 3
            "COPY a.txt /a\n"          # 4
            "RUN echo after\n"         # 5
            "COPY b-$V.txt /b\n")      # 6
    m = model(text)
    assert [i.kind for i in m.steps[2].own] == ["files"]       # COPY a.txt reads no arg
    assert reruns(text, args=["V"]) == {5: ["build-arg"], 6: ["earlier-step", "build-arg"]}


def test_a_global_arg_reruns_the_stages_whose_from_uses_it_only():
    text = ("ARG TAG=3.19\n"
            "FROM alpine:${TAG} AS a\n"    # 2
            "RUN echo a\n"                 # 3
            "FROM debian AS b\n"           # 4
            "RUN echo b\n"                 # 5
            "COPY --from=a /etc/os-release /x\n")   # 6
    got = reruns(text, args=["TAG"])
    assert got[2] == ["build-arg"] and got[3] == ["earlier-step"]
    assert 4 not in got and 5 not in got
    assert got[6] == ["stage-output"]     # a RUN re-ran there: only maybe (see the next test)


def test_a_global_arg_not_redeclared_is_not_in_a_run_environment():
    text = "ARG V=1\nFROM alpine\nRUN echo $V\n"
    assert reruns(text, args=["V"]) == {}


def test_an_env_derived_from_an_arg_carries_it_to_the_copy_that_uses_the_env():
    text = "FROM alpine\nARG V=1\nENV DIR=/opt/$V\nCOPY x $DIR/\n"
    assert reruns(text, args=["V"]) == {4: ["build-arg"]}


def test_a_relative_workdir_carries_the_arg_of_an_earlier_workdir():
    text = "FROM alpine\nARG V=1\nWORKDIR /srv/$V\nWORKDIR sub\nCOPY x .\n"
    got = reruns(text, args=["V"])
    assert got[3] == ["build-arg"] and "build-arg" in got[4] and "build-arg" in got[5]


def test_undeclared_proxy_args_change_nothing():
    assert reruns("FROM alpine\nRUN apk add curl\n", args=["HTTP_PROXY"]) == {}


def test_copy_from_a_stage_is_certain_when_a_copy_there_writes_what_it_copies():
    text = ("FROM node:20 AS build\n"     # 1
            "WORKDIR /app\n"              # 2
            "COPY src/ ./src/\n"          # 3
            "RUN echo build\n"            # 4
            "FROM nginx\n"                # 5
            "COPY --from=build /app/src /usr/share/nginx/html\n")   # 6
    m = model(text)
    got = m.predict(["src/index.html"])
    last = next(p for p, s in enumerate(m.steps) if s.instr.line == 5)
    assert [r.certain for r in got[last]] == [True]


def test_copy_from_a_stage_where_only_a_run_reran_is_uncertain():
    text = ("FROM python:3.12 AS deps\n"
            "ARG INDEX\n"
            "WORKDIR /app\n"
            "COPY app.py .\n"
            "RUN pip install flask\n"       # 5: re-runs on INDEX, writes site-packages (not /app)
            "FROM python:3.12-slim\n"
            "COPY --from=deps /app /app\n")  # 7
    m = model(text)
    got = m.predict([], ["INDEX"])
    last = next(p for p, s in enumerate(m.steps) if s.instr.line == 6)
    assert [(r.kind, r.certain) for r in got[last]] == [("stage-output", False)]


def test_stages_the_target_does_not_need_are_not_built():
    text = ("FROM alpine AS unused\nRUN echo u\n"
            "FROM alpine AS deps\nRUN echo d\n"
            "FROM deps AS test\nRUN echo t\n"
            "FROM alpine\nCOPY --from=deps /x /x\n")
    m = model(text)
    built = {s.instr.line + 1 for s in m.steps if s.built}
    assert built == {3, 4, 7, 8}
    assert {s.instr.line + 1 for s in model(text, "test").steps if s.built} == {3, 4, 6}
    with pytest.raises(ValueError, match="no stage named 'nope'"):
        model(text, "nope")


def test_a_stage_built_from_another_continues_its_chain_without_a_from_step():
    text = "FROM alpine AS base\nCOPY a /a\nFROM base\nRUN echo\n"
    m = model(text)
    assert [s.instr.line + 1 for s in m.steps] == [1, 2, 4]
    assert reruns(text, ["a"]) == {2: ["files"], 4: ["earlier-step"]}


def test_a_bind_mount_of_the_context_is_keyed_by_its_files_cache_and_secret_mounts_are_not():
    text = ("FROM python:3.12\n"
            "RUN --mount=type=bind,source=requirements.txt,target=/r.txt "
            "--mount=type=cache,target=/root/.cache/pip --mount=type=secret,id=tok pip install -r /r.txt\n"
            "RUN echo done\n")
    assert reruns(text, ["requirements.txt"]) == {2: ["bind-mount"], 3: ["earlier-step"]}
    assert reruns(text, ["other.txt"]) == {}
    m = model(text)
    assert [i.kind for i in m.steps[1].own] == ["bind-mount"]


def test_copy_link_is_not_rerun_by_the_steps_before_it_but_the_steps_after_are():
    text = ("FROM alpine\n"
            "COPY a /a\n"            # 2
            "COPY --link b /b\n"     # 3
            "RUN echo\n")            # 4
    assert reruns(text, ["a"]) == {2: ["files"], 4: ["earlier-step"]}
    assert reruns(text, ["b"]) == {3: ["files"], 4: ["earlier-step"]}


def test_copy_exclude_leaves_out_excluded_paths():
    text = "FROM alpine\nCOPY --exclude=*.md . /app\n"
    assert reruns(text, ["README.md"]) == {}
    assert reruns(text, ["main.go"]) == {2: ["files"]}


def test_remote_add_and_unpinned_base_images_are_inputs():
    text = "FROM alpine:3.19\nADD https://example.com/tool.tgz /opt/\nADD --checksum=sha256:ab https://e.com/x /x\n"
    m = model(text)
    kinds = [(i.kind, i.pinned) for s in m.steps for i in s.own]
    assert kinds == [("base-image", False), ("remote", False), ("remote", True)]
    pinned = model("FROM alpine@sha256:" + "0" * 64 + "\n").steps[0].own[0]
    assert pinned.pinned


def test_effective_inputs_collect_the_whole_chain_once_each():
    text = "FROM alpine\nARG V\nRUN echo 1\nRUN echo 2\nCOPY . .\nRUN echo 3\n"
    m = model(text)
    eff = m.effective(len(m.steps) - 1)
    assert [i.kind for i in eff] == ["base-image", "build-arg", "files"]   # V once, not once per RUN


def test_a_long_chain_is_handled_without_recursion():
    text = "FROM alpine\nCOPY . .\n" + "RUN echo x\n" * 4000
    m = model(text)
    assert len(m.effective(len(m.steps) - 1)) == 2
    got = m.predict(["a"])
    assert len(got) == 4001


def test_copy_from_a_stage_whose_copy_reran_only_because_of_its_base_is_uncertain():
    # BuildKit: the COPY in `deps` re-runs on a new base but copies the same bytes; the COPY
    # --from is then CACHED (its key is the content it copies)
    text = ("ARG BASE=alpine:3.19\n"
            "FROM ${BASE} AS deps\n"
            "COPY dep.txt /deps/\n"
            "FROM alpine:3.19\n"
            "COPY --from=deps /deps /deps\n")
    m = model(text)
    got = m.predict([], ["BASE"])
    last = next(p for p, s in enumerate(m.steps) if s.instr.line == 4)
    assert [(r.kind, r.certain) for r in got[last]] == [("stage-output", False)]


@pytest.mark.parametrize("dest, certain", [
    ("./", False),                 # writes /deps/requirements.txt: not under /deps/site
    ("./site/", True),             # writes /deps/site/requirements.txt
    ("site/requirements.txt", True),
    ("/elsewhere/", False),
])
def test_copy_from_is_certain_only_when_the_changed_copy_wrote_under_the_copied_path(dest, certain):
    # found by the real-build tier: a COPY into a parent dir of what is copied changes other files
    text = ("FROM python:3.12 AS deps\n"
            "WORKDIR /deps\n"
            f"COPY requirements.txt {dest}\n"
            "RUN pip install --target=/deps/site -r /deps/requirements.txt || true\n"
            "FROM python:3.12-slim\n"
            "COPY --from=deps /deps/site ./site\n")
    m = model(text)
    got = m.predict(["requirements.txt"])
    last = next(p for p, s in enumerate(m.steps) if s.instr.line == 5)
    assert [(r.kind, r.certain) for r in got[last]] == [("stage-output", certain)]

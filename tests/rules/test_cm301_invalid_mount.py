"""CM301 invalid-mount: mounts BuildKit rejects or silently ignores (reference §C.1), with fixes
where the intent is unambiguous."""
import re

import pytest

from cachemount.lint import lint
from cachemount.lint import apply_all
from cachemount.knowledge import mount_options as K
from cachemount.rules import BY_CODE
from cachemount.rules import invalid_mount as rule


def cm301(text):
    return [f for f in lint(text) if f.code == "CM301"]


def one(text, span_text=None, severity="error"):
    found = cm301(text)
    assert len(found) == 1, [(f.message, text[f.start:f.end]) for f in found]
    f = found[0]
    if span_text is not None:
        assert text[f.start:f.end] == span_text
    assert f.severity == severity
    assert f.rule == "invalid-mount"
    return f


def fixed(text):
    return apply_all(text)[0]


def run(mount, cmd="true", head="FROM alpine:3.20\n"):
    return f"{head}RUN --mount={mount} {cmd}\n"


def test_registered_with_docs_format():
    r = BY_CODE["CM301"]
    assert (r.name, r.severity) == ("invalid-mount", "error")
    doc = rule.__doc__
    assert doc.startswith("CM301 invalid-mount: ")
    for section in ("## Why", "## Example\n```dockerfile\n", "## Fixed\n```dockerfile\n", "## Fix"):
        assert section in doc


def _block(doc, title):
    return re.search(rf"## {title}\n```dockerfile\n(.*?)```", doc, re.S).group(1)


def test_docs_example_fires_and_fixed_does_not():
    example, good = _block(rule.__doc__, "Example"), _block(rule.__doc__, "Fixed")
    assert cm301(example)
    assert not cm301(good)
    assert lint(good) == [], "the fixed example is clean for every rule"
    assert fixed(example) == good


VALID = [
    "type=cache,target=/root/.cache/pip",
    "type=cache,target=/root/.cache/pip,sharing=locked,id=pip,uid=1000,gid=1000,mode=0775",
    "type=CACHE,TARGET=/x,Sharing=LOCKED",
    "type=cache,dst=/x,ro",
    "type=cache,destination=/x,readonly=true,from=build,source=/cache",
    "target=/src,source=.,rw",
    "type=bind,src=requirements.txt,dst=/tmp/requirements.txt",
    "type=bind,from=ghcr.io/astral-sh/uv,source=/uv,target=/bin/uv",
    "type=tmpfs,target=/tmp,size=64m",
    "type=tmpfs,target=/tmp,size=1.5GiB",
    "type=secret,id=npmrc,target=/root/.npmrc,required",
    "type=secret,id=token,env=TOKEN,required=true,mode=0400,uid=1000",
    "type=secret,source=aws",
    "type=secret,target=/run/secrets/x",
    "type=ssh",
    "type=ssh,id=default,required,mode=0600",
    '"type=cache,target=/root/.cache/pip"',
    "type=cache,target=relative/dir",
    "from=build",
]


@pytest.mark.parametrize("mount", VALID)
def test_valid_mounts_are_quiet(mount):
    assert cm301(run(mount)) == []


def test_variables_are_expanded_before_checking():
    text = "FROM alpine\nARG U=1000\nARG S=locked\nRUN --mount=type=cache,target=/x,uid=$U,sharing=${S} true\n"
    assert cm301(text) == []
    bad = "FROM alpine\nARG S=lock\nRUN --mount=type=cache,target=/x,sharing=$S true\n"
    f = one(bad, "$S")
    assert f.fixes == ()   # the text is a variable: no edit of `$S`
    unknown = "FROM alpine\nRUN --mount=type=cache,target=/x,uid=$UNSET true\n"
    assert cm301(unknown) == []


def test_unknown_key_with_near_miss_fix():
    text = run("type=cache,targt=/root/.cache/pip")
    f = one(text, "targt")
    assert "did you mean target" in f.message
    assert fixed(text) == run("type=cache,target=/root/.cache/pip")


def test_unknown_key_without_guess():
    f = one(run("type=cache,target=/x,colour=blue"), "colour")
    assert f.fixes == ()


def test_unknown_type():
    text = run("type=cahce,target=/x")
    f = one(text, "cahce")
    assert "bind, cache, tmpfs, secret, ssh" in f.message
    assert fixed(text) == run("type=cache,target=/x")
    assert one(run("type=volume,target=/x"), "volume").fixes == ()


@pytest.mark.parametrize("value,fix", [("lock", "locked"), ("share", "shared"), ("privat", "private"),
                                       ("exclusive", None)])
def test_bad_sharing(value, fix):
    text = run(f"type=cache,target=/x,sharing={value}")
    f = one(text, value)
    if fix:
        assert fixed(text) == run(f"type=cache,target=/x,sharing={fix}")
    else:
        assert f.fixes == ()


@pytest.mark.parametrize("mount,span,fix", [
    ("type=cache,target=/x,mode=0o755", "0o755", "type=cache,target=/x,mode=0755"),
    ("type=cache,target=/x,mode=rwx", "rwx", None),
    ("type=cache,target=/x,mode=0789", "0789", None),
    ("type=cache,target=/x,uid=-1", "-1", None),
    ("type=cache,target=/x,gid=99999999999", "99999999999", None),
    ("type=cache,target=/x,ro=yes", "yes", "type=cache,target=/x,ro=true"),
    ("type=cache,target=/x,rw=maybe", "maybe", None),
    ("type=tmpfs,target=/x,size=big", "big", None),
    ("type=secret,id=x,required=no", "no", "type=secret,id=x,required=false"),
])
def test_bad_values(mount, span, fix):
    text = run(mount)
    f = one(text, span)
    if fix:
        assert fixed(text) == run(fix)
    else:
        assert f.fixes == ()


def test_user_name_in_uid_is_replaced_by_its_uid():
    head = "FROM python:3.12-slim\nRUN useradd -m -u 1001 app\nUSER app\n"
    text = run("type=cache,target=/home/app/.cache/pip,uid=app,gid=1001", "pip install x", head)
    f = one(text, "app")
    assert "1001" in f.message
    assert fixed(text) == run("type=cache,target=/home/app/.cache/pip,uid=1001,gid=1001", "pip install x", head)


@pytest.mark.parametrize("mount,span", [
    ("type=bind,target=/x,uid=1000", "uid"),
    ("type=tmpfs,target=/x,mode=0700", "mode"),
    ("type=bind,target=/x,size=1g", "size"),
    ("type=cache,target=/x,required", "required"),
    ("target=/x,sharing=locked", "sharing"),
    ("type=secret,id=x,from=build", "from"),
    ("type=secret,id=x,sharing=shared", "sharing"),
    ("type=ssh,source=/x", "source"),
])
def test_keys_a_type_rejects(mount, span):
    f = one(run(mount), span)
    assert "BuildKit fails the build" in f.message
    assert f.fixes == ()


@pytest.mark.parametrize("mount,span,after", [
    ("type=bind,target=/x,id=foo", "id=foo", "type=bind,target=/x"),
    ("type=tmpfs,target=/x,from=build", "from=build", "type=tmpfs,target=/x"),
    ("type=cache,target=/x,env=FOO", "env=FOO", "type=cache,target=/x"),
    ("type=ssh,from=build", "from=build", "type=ssh"),
])
def test_keys_a_type_ignores(mount, span, after):
    text = run(mount)
    f = one(text, span, severity="warning")
    assert "ignores" in f.message and f.tags == ("unnecessary",)
    assert fixed(text) == run(after)


def test_duplicate_key_earlier_one_is_ignored():
    text = run("type=cache,target=/a,dst=/b")
    f = one(text, "target=/a", severity="warning")
    assert "/b" in f.message
    assert fixed(text) == run("type=cache,dst=/b")


@pytest.mark.parametrize("mount", ["type=cache", "type=tmpfs,size=1m", "type=cache,target="])
def test_cache_or_tmpfs_without_target_covers_the_workdir(mount):
    text = run(mount, head="FROM alpine\nWORKDIR /app\n")
    f = one(text, severity="warning")
    assert text[f.start:f.end] == f"--mount={mount}"
    assert "no target=" in f.message and "/app" in f.message
    f = one(run(mount), severity="warning")             # WORKDIR unknown: the base image may set one
    assert "unless the base image sets a WORKDIR" in f.message


def test_bind_without_target_mounts_over_the_workdir():
    # moby/buildkit's own Dockerfile: `WORKDIR /work` then `RUN --mount=from=binaries ...`
    assert cm301(run("from=binaries", head="FROM alpine AS binaries\nFROM alpine\nWORKDIR /work\n")) == []
    assert cm301(run("type=bind,source=.")) == []      # the base image's WORKDIR is not known
    f = one(run("type=bind,source=.", head="FROM alpine\nWORKDIR /\n"))
    assert "cannot mount over" in f.message


def apply_fix(text, fix):
    for e in sorted(fix.edits, key=lambda e: e.start, reverse=True):
        text = text[:e.start] + e.new_text + text[e.end:]
    return text


def test_bare_path_gets_target_key():
    text = run("type=cache,/root/.cache/pip", "pip install x", "FROM python:3.12-slim\n")
    f = one(text, "/root/.cache/pip")
    assert f.fixes[0].title == "Add target="
    assert apply_fix(text, f.fixes[0]) == run("type=cache,target=/root/.cache/pip", "pip install x",
                                              "FROM python:3.12-slim\n")


def test_bare_key_that_needs_a_value():
    one(run("type=cache,target=/x,sharing"), "sharing")


def test_target_resolving_to_root():
    one(run("type=cache,target=/"), "/")
    one("FROM alpine\nWORKDIR /app\nRUN --mount=type=cache,target=.. true\n", "..")


def test_secret_rules():
    one(run("type=secret,id=a,source=b"), "source=b")
    f = one(run("type=secret"))
    assert "id=, source= or target=" in f.message
    assert cm301(run("type=secret,env=TOKEN,id=tok")) == []


def test_variable_in_from():
    text = "FROM alpine\nARG IMG=ghcr.io/astral-sh/uv\nRUN --mount=from=$IMG,source=/uv,target=/bin/uv true\n"
    f = one(text, "$IMG")
    assert "alias stage" in f.message


def test_from_names_a_later_stage():
    text = "FROM alpine AS a\nRUN --mount=from=b,target=/x true\nFROM alpine AS b\nRUN --mount=from=a,target=/x true\n"
    f = one(text, "b")
    assert "later stage" in f.message


def test_frontend_version_pinned_too_old():
    text = "# syntax=docker/dockerfile:1.3\nFROM alpine\nRUN --mount=type=tmpfs,target=/x,size=1g true\n"
    f = one(text, "size")
    assert "1.4" in f.message
    assert cm301(text.replace(":1.3", ":1.4")) == []
    assert cm301(text.replace(":1.3", ":1")) == []
    env = "# syntax=docker/dockerfile:1.9.0\nFROM alpine\nRUN --mount=type=secret,id=t,env=T true\n"
    assert "1.10" in one(env, "env").message
    assert rule.frontend_version("docker.io/docker/dockerfile:1.7-labs@sha256:abc") == (1, 7, 0)
    assert rule.frontend_version("docker/dockerfile:1") is None
    assert rule.frontend_version("example.com/other:1.2") is None


def test_misspelled_mount_flag():
    text = run("type=cache,target=/x").replace("--mount", "--mout")
    one(text, "--mout")
    assert fixed(text) == run("type=cache,target=/x")


def test_empty_mount_flag():
    one("FROM alpine\nRUN --mount true\n", "--mount")
    one("FROM alpine\nRUN --mount= true\n", "--mount=")


def test_wholly_quoted_value_is_read_like_buildkit():
    text = run('"type=cache,targt=/x"')
    one(text, "targt")
    assert fixed(text) == run('"type=cache,target=/x"')


def test_spans_are_code_points():
    text = "FROM alpine\n# 😀 日本語\nRUN --mount=type=cache,target=/😀/x,sharing=lock true\n"
    f = one(text, "lock")
    assert f.start == text.index("=lock") + 1


def test_knowledge_partitions_every_option():
    for spec in K.MOUNT_OPTIONS:
        types = spec.accepted_by + spec.ignored_by + spec.rejected_by
        assert sorted(types) == sorted(K.MOUNT_TYPES), spec.key
        assert spec.url.startswith("https://docs.docker.com/reference/dockerfile/#run---mount")
        assert spec.doc and spec.kind in ("enum", "octal", "uint", "bool", "path", "size", "ref", "string")
    assert set(K.RUN_FLAGS) == {"mount", "network", "security", "device"}
    assert [v.value for v in K.RUN_FLAGS["network"].values] == ["default", "none", "host"]
    assert [v.value for v in K.OPTIONS_BY_KEY["sharing"].values] == ["shared", "private", "locked"]
    assert K.OPTIONS_BY_KEY["size"].since == "1.4" and K.OPTIONS_BY_KEY["env"].since == "1.10"

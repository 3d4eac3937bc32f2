"""hover_at: RUN flags, every --mount option key and value, context, suppression comments (pure)."""
import pytest

from cachemount.semantics.pipeline import analyze
from cachemount.editor.hover import hover_at, to_plain
from cachemount.knowledge import mount_options as K
from cachemount.settings.model import Settings

APP = (
    "FROM python:3.12-slim AS deps\n"
    "FROM python:3.12-slim\n"
    "RUN useradd -m -u 1001 app\n"
    "USER app\n"
    "# cachemount: ignore=CM103, CM102\n"
    "RUN --mount=type=cache,target=/root/.cache/pip,uid=1000,gid=1000,sharing=locked,mode=0755,id=pip "
    "--network=none pip install requests\n"
)


def hover(text, needle, delta=0, nth=0, **kw):
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    return hover_at(text, i + delta, **kw)


def span(text, result):
    return text[result.start:result.end]


def test_whole_mount_flag():
    r = hover(APP, "--mount")
    assert span(APP, r).startswith("--mount=type=cache,target=/root/.cache/pip")
    assert r.markdown.startswith("**`RUN --mount`** · a **cache** mount · Dockerfile 1.2")
    assert K.MOUNT_TYPE_DOCS["cache"].doc in r.markdown
    assert r.markdown.endswith(f"({K.TYPE_URLS['cache']})")   # links last


@pytest.mark.parametrize("key", ["type", "target", "uid", "gid", "sharing", "mode", "id"])
def test_every_key_in_the_line(key):
    r = hover(APP, f",{key}=" if key != "type" else "type=", 1 if key != "type" else 0)
    assert span(APP, r) == key
    assert f"**`{key}`** · `--mount` option" in r.markdown
    assert K.OPTIONS_BY_KEY[key].doc in r.markdown


@pytest.mark.parametrize("key", [o.key for o in K.MOUNT_OPTIONS])
def test_every_known_option_has_a_hover(key):
    spec = K.OPTIONS_BY_KEY[key]
    mtype = spec.accepted_by[0]
    value = "" if spec.bare else "=x"
    target = "" if key == "target" else ",target=/t"
    text = f"FROM alpine\nRUN --mount=type={mtype}{target},{key}{value} true\n" if key != "type" else \
        f"FROM alpine\nRUN --mount=type={mtype},target=/t true\n"
    r = hover(text, f",{key}", 1) if key != "type" else hover(text, "type")
    assert r is not None and span(text, r) == key
    assert spec.doc in r.markdown
    for alias in spec.aliases:
        t2 = text.replace(f",{key}", f",{alias}", 1)
        r2 = hover(t2, f",{alias}", 1)
        assert span(t2, r2) == alias and spec.doc in r2.markdown


def test_value_hovers_explain_the_value():
    r = hover(APP, "locked")
    assert span(APP, r) == "locked"
    assert r.markdown.startswith("**`sharing=locked`**")
    assert "second writer waits" in r.markdown
    r = hover(APP, "cache,")
    assert span(APP, r) == "cache" and "survives from one build to the next" in r.markdown
    r = hover(APP, "0755")
    assert "rwxr-xr-x" in r.markdown and "only the owner can write" in r.markdown
    r = hover(APP, "none")
    assert span(APP, r) == "none" and "No network access" in r.markdown


def test_target_context_mismatch_for_user():
    r = hover(APP, "/root/.cache/pip")
    assert span(APP, r) == "/root/.cache/pip"
    assert ("**In this RUN**: ✗ pip caches in `/home/app/.cache/pip` for USER app (uid 1001), not in "
            "`/root/.cache/pip`: pip never uses this mount") in r.markdown


def test_target_context_match():
    text = "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install requests\n"
    r = hover(text, "/root/.cache/pip")
    assert "✓ matches: pip caches in `/root/.cache/pip` for root" in r.markdown
    r = hover(text, "--mount")
    assert "✓ matches" in r.markdown
    r = hover(text, "target")
    assert "✓ matches" in r.markdown


def test_uid_context_after_user():
    r = hover(APP, "1000,gid")
    assert "✗ `uid=1000`, but this RUN runs as USER app (uid 1001" in r.markdown
    assert "Use `uid=1001`" in r.markdown
    good = APP.replace("uid=1000,gid=1000", "uid=1001,gid=1001").replace("/root/", "/home/app/")
    r = hover(good, "1001,gid")
    assert "✓ `uid=1001` is USER app (uid 1001" in r.markdown
    missing = "FROM python:3.12-slim\nRUN useradd -m -u 1001 app\nUSER app\n" \
              "RUN --mount=type=cache,target=/home/app/.cache/pip pip install x\n"
    r = hover(missing, "--mount")
    assert "Without `uid=`" in r.markdown and "uid=1001,gid=1001" in r.markdown
    root = "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip,uid=1000 pip install x\n"
    assert "runs as root" in hover(root, "1000").markdown


def test_uid_that_is_a_name():
    text = "FROM alpine\nRUN --mount=type=cache,target=/x,uid=node true\n"
    assert "Must be a number" in hover(text, "node").markdown


def test_variables_are_shown_expanded():
    text = "FROM alpine\nARG C=/root/.cache/x\nRUN --mount=type=cache,target=$C true\n"
    assert "Expands to `/root/.cache/x` here." in hover(text, "$C").markdown


def test_relative_target_and_id_notes():
    text = ("FROM node:22\nWORKDIR /app\nRUN --mount=type=cache,target=node_modules/.cache npm ci\n"
            "RUN --mount=type=cache,id=shared,target=/a true\nRUN --mount=type=cache,id=shared,target=/b true\n")
    r = hover(text, "node_modules/.cache")
    assert "Resolves to `/app/node_modules/.cache`" in r.markdown
    r = hover(text, "shared", 0)
    assert "line 5" in r.markdown


def test_size_from_and_other_types():
    text = ("FROM alpine AS tools\nFROM alpine\n"
            "RUN --mount=type=tmpfs,target=/t,size=64m --mount=type=bind,from=tools,target=/x "
            "--mount=from=ghcr.io/astral-sh/uv,source=/uv,target=/bin/uv true\n")
    assert "67,108,864 bytes" in hover(text, "64m").markdown
    assert "stage `tools` (line 1" in hover(text, "tools,").markdown
    assert "image" in hover(text, "ghcr.io").markdown
    r = hover(text, "--mount=from")
    assert "(the default type)" in r.markdown


def test_misplaced_and_unknown_keys():
    text = "FROM alpine\nRUN --mount=type=bind,target=/x,uid=1000,id=a,targt=/y true\n"
    assert "Not allowed on a **bind** mount" in hover(text, "uid").markdown
    assert "**Ignored** on a bind mount" in hover(text, ",id=", 1).markdown
    r = hover(text, "targt")
    assert "not a `--mount` option" in r.markdown and "`target`" in r.markdown


def test_security_device_and_bad_network_value():
    text = "FROM alpine\nRUN --security=insecure --device=nvidia.com/gpu=all --network=bridge true\n"
    assert "security.insecure" in hover(text, "insecure").markdown
    assert "CDI" in hover(text, "--device").markdown
    assert "not a valid value" in hover(text, "bridge").markdown


def test_suppression_comment_codes():
    r = hover(APP, "CM102")
    assert span(APP, r) == "CM102"
    assert r.markdown.startswith("**CM102 cache-mount-mismatch**")
    assert "## Example" in r.markdown and "docs/rules/CM102.md" in r.markdown
    r = hover(APP, "ignore=")
    assert "instruction right below" in r.markdown
    bogus = "FROM alpine\n# cachemount: ignore=CM999\nRUN true\n"
    assert "no such cachemount rule" in hover(bogus, "CM999").markdown
    disabled = hover(APP, "CM103", settings=Settings(ignore=frozenset({"CM103"})))
    assert "disabled in the settings" in disabled.markdown
    assert hover("FROM alpine\n# just a comment CM101\n", "CM101") is None


def test_nothing_outside_flags_and_keywords():
    assert hover(APP, "pip install") is None
    assert hover(APP, "useradd") is None
    assert hover(APP, "python:3.12-slim AS") is None
    assert hover(APP, "FROM").markdown.startswith("**Layer cache** · FROM line 1")   # tests/editor/test_rerun_hover.py
    assert hover_at("", 0) is None
    assert hover_at("RUN --mount", 100) is None


def test_plain_text_variant():
    r = hover(APP, "/root/.cache/pip")
    assert "`" not in r.plain and "**" not in r.plain
    assert "pip caches in /home/app/.cache/pip for USER app (uid 1001)" in r.plain
    assert "Dockerfile reference <https://docs.docker.com/reference/dockerfile/#run---mounttypecache>" in r.plain
    assert to_plain("## Why\n```dockerfile\nRUN x\n```\n_note_ [a](b)") == "WHY\n    RUN x\nnote a <b>"


def test_reuses_a_given_analysis():
    analysis = analyze(APP)
    i = APP.index("locked")
    assert hover_at(APP, i, analysis=analysis) == hover_at(APP, i)


def test_never_raises_on_junk():
    for text in ["RUN --mount=", "RUN --mount=,,,=,", "RUN --mount=type=cache,target=$(", "\x00RUN --mount=ro",
                 "RUN --mount=\"unterminated", "RUN --network", "FROM x\nRUN --mount=type=cache,uid=,gid"]:
        for i in range(len(text) + 1):
            hover_at(text, i)


HOME_USER = "FROM python:3.12\nRUN useradd -m -u 1001 app\nUSER app\n"
HOME_MOUNT = "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1001 pip install --user x\n"


def test_target_hover_under_a_non_root_home_says_who_owns_the_mount_point():
    # BuildKit makes a missing target and its parents as root (moby/buildkit#3153)
    bare = hover(HOME_USER + HOME_MOUNT, "target=", 2).markdown
    assert "moby/buildkit#3153" in bare and "`RUN mkdir -p /home/app/.cache/pip`" in bare
    made = hover(HOME_USER + "RUN mkdir -p /home/app/.cache/pip\n" + HOME_MOUNT, "target=", 2).markdown
    assert "an earlier step makes `/home/app/.cache/pip` as this user" in made and "#3153" not in made
    root = hover("FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n", "target=", 2)
    assert "**Owner**" not in root.markdown


def test_whole_mount_hover_puts_every_fact_of_the_run_under_one_heading():
    text = ("FROM python:3.12-slim\nRUN useradd -m -u 1001 app\nUSER app\n"
            "RUN --mount=type=cache,target=/root/.cache/pip,uid=1000 pip install x\n")
    md = hover(text, "--mount").markdown
    assert md.count("In this RUN") == 1
    facts = md.split("**In this RUN**:\n", 1)[1].split("\n\n", 1)[0].split("\n")
    assert facts[0].startswith("- ✗ pip caches in `/home/app/.cache/pip`")
    assert facts[1].startswith("- ✗ `uid=1000`, but this RUN runs as USER app (uid 1001")
    # this RUN's facts come before the generic text, and the link last
    assert md.index("In this RUN") < md.index(K.MOUNT_TYPE_DOCS["cache"].doc) < md.index("[Dockerfile reference]")


def test_one_fact_is_inline_and_root_gets_no_owner_noise_on_the_mount():
    text = "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n"
    md = hover(text, "--mount").markdown
    assert "**In this RUN**: ✓ matches: pip caches in `/root/.cache/pip` for root" in md
    assert "uid" not in md.split("\n\n")[1]


def test_type_hover_lists_every_type_on_one_line():
    r = hover(APP, "type=")
    for t in K.MOUNT_TYPE_DOCS.values():
        assert t.short and f"- `{t.name}`: {t.short}\n" in r.markdown + "\n"
    assert K.OPTIONS_BY_KEY["type"].doc in r.markdown


SHARING = K.OPTIONS_BY_KEY["sharing"]


def test_sharing_hover_lists_the_three_choices_with_what_each_does():
    r = hover(APP, "sharing=")
    choices = [line for line in r.markdown.split("\n") if line.startswith("- ")]
    assert [c.split(":")[0] for c in choices] == ["- `shared` (default)", "- `private`", "- `locked`"]
    for choice, v in zip(choices, SHARING.values):
        assert choice.endswith(v.doc)
    docs = {v.value: v.doc for v in SHARING.values}
    assert "same time" in docs["shared"]
    assert "waits" in docs["locked"] and "apt" in docs["locked"]
    assert "new copy" in docs["private"] and "no waiting" in docs["private"]
    value = hover(APP, "locked")   # the value's hover shows the same choices, this one in bold
    assert "- **`locked`**: " + docs["locked"] in value.markdown and "- `shared` (default): " in value.markdown
    typo = "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt,sharing=lock apt-get update\n"
    bad = hover(typo, "lock ").markdown   # a wrong value: what is allowed, and what each one does
    assert bad.startswith("**`sharing=lock`**: ⚠ not a valid `sharing`") and "Did you mean `locked`?" in bad
    assert "- `locked`: " + docs["locked"] in bad


APT = "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt{} apt-get update && apt-get install -y curl\n"
PIP = "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip{} pip install x\n"


@pytest.mark.parametrize("text,expect", [
    (APT.format(",sharing=shared"), "**In this RUN**: ✗ apt-get needs exclusive access to this cache: use `sharing=locked`."),
    (APT.format(",sharing=locked"), "**In this RUN**: ✓ apt-get needs exclusive access to this cache, and `locked` gives it."),
    (APT.format(",sharing=private"), "apt-get needs exclusive access to this cache: `private` gives it"),
    (PIP.format(",sharing=shared"), "**In this RUN**: ✓ pip works with `shared`."),
    (PIP.format(",sharing=locked"), "pip works with `shared`, the default; `locked` only makes concurrent builds wait."),
    (PIP.format(",sharing=private"), "`private` only gives concurrent builds separate copies"),
])
def test_sharing_hover_says_what_this_runs_manager_needs(text, expect):
    assert expect in hover(text, "sharing").markdown
    assert expect in hover(text, "sharing=", len("sharing=")).markdown   # and on the value


def test_sharing_needs_come_from_the_tables():
    from cachemount.knowledge.managers import BY_KEY
    apt = BY_KEY["apt-get"]
    assert any(c.sharing == "locked" for c in apt.caches)
    assert not any(c.sharing for c in BY_KEY["pip"].caches)
    gradle = ("FROM gradle:8-jdk21\nRUN --mount=type=cache,target=/home/gradle/.gradle,sharing=shared "
              "gradle build\n")
    assert "✗ Gradle needs exclusive access" in hover(gradle, "sharing").markdown

"""CM401 apt-update-alone: an `apt-get update` RUN whose lists a later RUN installs from, and the
fix that moves the update into the install's RUN only where that keeps the build and the image."""
from collections import Counter

import dockerfile
import pytest

from cachemount.findings import SAFE, UNSAFE
from cachemount.lint import apply_all, lint
from cachemount.rules import BY_CODE
from cachemount.settings.model import Settings
from tests.rules.helpers import findings, line_of

ONLY = Settings(select=frozenset({"CM401"}))
LISTS = "--mount=type=cache,target=/var/lib/apt/lists,sharing=locked"
ARCHIVES = "--mount=type=cache,target=/var/cache/apt,sharing=locked"


def one(text):
    got = findings(text, "CM401")
    assert len(got) == 1, [f.message for f in got]
    return got[0]


def fixed(text, unsafe=False):
    return apply_all(text, ONLY, unsafe=unsafe)[0]


def test_registered():
    rule = BY_CODE["CM401"]
    assert (rule.name, rule.severity) == ("apt-update-alone", "warning")


FIRE = [
    # (id, text, line of the update, line of the install named in the message)
    ("apt-get", "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n", 2, 3),
    ("apt", "FROM ubuntu:24.04\nRUN apt update\nRUN apt install -y curl\n", 2, 3),
    ("options", "FROM debian:12\nRUN apt-get -qq update -y\nRUN apt-get install -y curl\n", 2, 3),
    ("mixed-front-ends", "FROM debian:12\nRUN apt update\nRUN apt-get install -y curl\n", 2, 3),
    ("upgrade-reads-lists-too", "FROM debian:12\nRUN apt-get update\nRUN apt-get dist-upgrade -y\n", 2, 3),
    ("install-later-in-the-stage", "FROM debian:12\nRUN apt-get update\nENV X=1\nWORKDIR /app\n"
                                   "RUN echo hi && apt-get install -y curl\n", 2, 5),
    ("update-with-other-commands", "FROM debian:12\nRUN apt-get update && apt-cache policy curl\n"
                                   "RUN apt-get install -y curl\n", 2, 3),
    ("continuation", "FROM debian:12\nRUN apt-get \\\n    update\nRUN apt-get install -y curl\n", 2, 4),
    ("heredoc", "FROM debian:12\nRUN <<EOF\nset -e\napt-get update\nEOF\nRUN apt-get install -y curl\n", 2, 6),
    ("exec-form", 'FROM debian:12\nRUN ["apt-get", "update"]\nRUN apt-get install -y curl\n', 2, 3),
    ("sh-c", "FROM debian:12\nRUN sh -c 'apt-get update'\nRUN apt-get install -y curl\n", 2, 3),
    ("install-updates-after-it-installs", "FROM debian:12\nRUN apt-get update\n"
                                          "RUN apt-get install -y curl && apt-get update\n", 2, 3),
]


@pytest.mark.parametrize("case_id, text, line, install_line", FIRE, ids=[c[0] for c in FIRE])
def test_fires_on_the_update(case_id, text, line, install_line):
    f = one(text)
    assert line_of(text, f) == line
    assert text[f.start:].startswith(("RUN", "run")), "the finding spans the update's whole RUN"
    assert f"on line {install_line}" in f.message and "404" in f.message
    assert "same RUN as the install" in f.message


def test_an_install_in_a_stage_built_from_it_gets_the_finding():
    """A stage's findings depend on its own and its ancestors' text only (the incremental linter
    relies on it): the update's stage cannot see the later stage, so the install is reported."""
    text = ("FROM debian:12 AS base\nRUN apt-get update\nFROM base AS a\nRUN apt-get install -y curl\n"
            "RUN apt-get install -y git\nFROM base\nRUN apt-get install -y make\n")
    got = findings(text, "CM401")
    assert [(line_of(text, f), text[f.start:f.end]) for f in got] == [(4, "apt-get install"), (7, "apt-get install")]
    assert all("line 2" in f.message and "earlier stage" in f.message and not f.fixes for f in got)
    assert "run `apt-get update` in this RUN" in got[0].message


def test_a_reader_in_its_own_stage_is_the_one_reported():
    text = "FROM debian:12 AS base\nRUN apt-get update\nRUN apt-get install -y a\nFROM base\nRUN apt-get install -y b\n"
    f = one(text)
    assert line_of(text, f) == 2 and "line 3" in f.message


def test_the_incremental_linter_agrees_when_a_later_stage_starts_installing():
    from tests.editor.test_incremental import check_sequence

    a = "FROM debian:12 AS a\nRUN apt-get update\nFROM a\nRUN echo\n"
    b = "FROM debian:12 AS a\nRUN apt-get update\nFROM a\nRUN apt-get install -y x\n"
    c = "FROM debian:12 AS a\nRUN apt-get update\nRUN apt-get install -y y\nFROM a\nRUN apt-get install -y x\n"
    check_sequence([a, b, c, b, a])


def test_span_runs_from_the_keyword_to_the_update():
    text = "FROM debian:12\nRUN apt-get -q update -y\nRUN apt-get install -y curl\n"
    f = one(text)
    assert text[f.start:f.end] == "RUN apt-get -q update"


def test_reported_once_for_several_installs_naming_the_first():
    text = "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y a\nRUN apt-get install -y b\n"
    assert "line 3" in one(text).message


def test_only_the_update_the_install_reads_is_reported():
    # the first update's lists are replaced by the second's before anything installs
    text = "FROM debian:12\nRUN apt-get update\nRUN apt-get update\nRUN apt-get install -y curl\n"
    assert line_of(text, one(text)) == 3


SILENT = [
    ("same-run", "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n"),
    ("same-run-heredoc", "FROM debian:12\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n"),
    ("nothing-installs-afterwards", "FROM debian:12\nRUN apt-get update\nCOPY . /app\n"),
    ("install-updates-first", "FROM debian:12\nRUN apt-get update\nRUN apt-get update && apt-get install -y x\n"),
    ("apt-3-install-update", "FROM debian:13\nRUN apt-get update\nRUN apt install --update -y curl\n"),
    ("install-before-the-update", "FROM debian:12\nRUN apt-get install -y x\nRUN apt-get update\n"),
    ("other-stage", "FROM debian:12 AS a\nRUN apt-get update\nFROM debian:12\nRUN apt-get install -y curl\n"),
    ("update-and-install-then-install", "FROM debian:12\nRUN apt-get update && apt-get install -y a\n"
                                        "RUN apt-get install -y b\n"),
    ("purge-reads-no-lists", "FROM debian:12\nRUN apt-get update\nRUN apt-get purge -y x\n"),
    # installs that refresh an old index themselves (knowledge/layer_traps.py)
    ("apk", "FROM alpine:3.20\nRUN apk update\nRUN apk add curl\n"),
    ("dnf", "FROM fedora:40\nRUN dnf makecache\nRUN dnf install -y curl\n"),
    ("yum", "FROM centos:7\nRUN yum makecache\nRUN yum install -y curl\n"),
    ("zypper", "FROM opensuse/leap:15.6\nRUN zypper refresh\nRUN zypper install -y curl\n"),
    ("suppressed", "FROM debian:12\n# cachemount: ignore=CM401\nRUN apt-get update\nRUN apt-get install -y x\n"),
    ("suppressed-file", "# cachemount: ignore-file=CM401\nFROM debian:12\nRUN apt-get update\n"
                        "RUN apt-get install -y x\n"),
]


@pytest.mark.parametrize("case_id, text", SILENT, ids=[c[0] for c in SILENT])
def test_silent(case_id, text):
    assert not findings(text, "CM401")


# --- mounts: where the update writes the lists and where the install reads them ----------------


def test_update_into_a_mount_the_install_does_not_have():
    text = f"FROM debian:12\nRUN {LISTS} apt-get update\nRUN apt-get install -y curl\n"
    f = one(text)
    assert "into its cache mount" in f.message and "does not mount" in f.message
    assert not f.fixes, "the update's RUN has flags: no fix"


def test_both_mount_the_lists():
    text = f"FROM debian:12\nRUN {LISTS} apt-get update\nRUN {LISTS} apt-get install -y curl\n"
    assert "404" in one(text).message


def test_install_mounts_the_lists_the_update_wrote_into_the_image():
    text = f"FROM debian:12\nRUN apt-get update\nRUN {LISTS} apt-get install -y curl\n"
    f = one(text)
    assert "mounts a cache over the package lists" in f.message
    (fix,) = f.fixes
    assert fix.applicability == UNSAFE and "not the image" in fix.title
    assert fixed(text) == text, "not applied by --fix"
    assert fixed(text, unsafe=True) == f"FROM debian:12\nRUN {LISTS} apt-get update && apt-get install -y curl\n"


# --- the fix ----------------------------------------------------------------------------------

FIXES = [
    ("plain", "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n",
     "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n"),
    ("options-and-prefix-kept", "FROM debian:12\nRUN DEBIAN_FRONTEND=noninteractive apt-get update -qq\n"
                                "RUN apt-get install -y curl\n",
     "FROM debian:12\nRUN DEBIAN_FRONTEND=noninteractive apt-get update -qq && apt-get install -y curl\n"),
    ("assignment-on-the-install", "FROM debian:12\nRUN apt update\nRUN DEBIAN_FRONTEND=noninteractive apt install -y x\n",
     "FROM debian:12\nRUN apt update && DEBIAN_FRONTEND=noninteractive apt install -y x\n"),
    ("comment-and-blank-between-stay", "FROM debian:12\n# refresh\nRUN apt-get update\n\n# tools\n"
                                       "RUN apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
     "FROM debian:12\n# refresh\n\n# tools\n"
     "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"),
    ("continuations", "FROM debian:12\nRUN apt-get \\\n    update\nRUN " + ARCHIVES + " \\\n    apt-get install -y \\\n"
                      "      curl \\\n    && rm -rf /var/lib/apt/lists/*\n",
     "FROM debian:12\nRUN " + ARCHIVES + " \\\n    apt-get update && apt-get install -y \\\n"
     "      curl \\\n    && rm -rf /var/lib/apt/lists/*\n"),
    ("pipeline", 'FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN apt-get update\n'
                 "RUN apt-get install -y curl | tee /tmp/log\n",
     'FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
     "RUN apt-get update && apt-get install -y curl | tee /tmp/log\n"),
    ("crlf", "FROM debian:12\r\nRUN apt-get update\r\nRUN apt-get install -y curl\r\n",
     "FROM debian:12\r\nRUN apt-get update && apt-get install -y curl\r\n"),
    ("escape-backtick", "# escape=`\nFROM debian:12\nRUN apt-get `\n    update\nRUN apt-get install -y `\n    curl\n",
     "# escape=`\nFROM debian:12\nRUN apt-get update && apt-get install -y `\n    curl\n"),
    ("other-suppression-above-the-install-stays", "FROM debian:12\nRUN apt-get update\n"
                                                  "# cachemount: ignore=CM101\nRUN apt-get install -y x\n",
     "FROM debian:12\n# cachemount: ignore=CM101\nRUN apt-get update && apt-get install -y x\n"),
]


@pytest.mark.parametrize("case_id, before, after", FIXES, ids=[c[0] for c in FIXES])
def test_fix(case_id, before, after):
    (fix,) = one(before).fixes
    assert fix.applicability == SAFE
    assert fixed(before) == after
    assert fixed(after) == after, "a second fix changes nothing"
    assert not findings(after, "CM401")
    parsed = [c for c in dockerfile.parse_string(after) if c.cmd.upper() == "RUN"]
    assert len(parsed) == len([c for c in dockerfile.parse_string(before) if c.cmd.upper() == "RUN"]) - 1


NO_FIX = [
    # the update's RUN is not exactly the update
    ("update-flags", f"FROM debian:12\nRUN {ARCHIVES} apt-get update\nRUN apt-get install -y curl\n"),
    ("update-network-flag", "FROM debian:12\nRUN --network=host apt-get update\nRUN apt-get install -y curl\n"),
    ("update-heredoc", "FROM debian:12\nRUN <<EOF\napt-get update\nEOF\nRUN apt-get install -y curl\n"),
    ("update-exec-form", 'FROM debian:12\nRUN ["apt-get", "update"]\nRUN apt-get install -y curl\n'),
    ("update-sh-c", "FROM debian:12\nRUN sh -c 'apt-get update'\nRUN apt-get install -y curl\n"),
    ("update-or-true", "FROM debian:12\nRUN apt-get update || true\nRUN apt-get install -y curl\n"),
    ("update-background", "FROM debian:12\nRUN apt-get update &\nRUN apt-get install -y curl\n"),
    ("update-trailing-semicolon", "FROM debian:12\nRUN apt-get update;\nRUN apt-get install -y curl\n"),
    ("update-shell-comment", "FROM debian:12\nRUN apt-get update # lists\nRUN apt-get install -y curl\n"),
    ("update-quoted-option", "FROM debian:12\nRUN apt-get update -o 'Acquire::Retries=3'\nRUN apt-get install -y x\n"),
    ("update-variable", "FROM debian:12\nRUN apt-get update $OPTS\nRUN apt-get install -y curl\n"),
    ("comment-inside-update", "FROM debian:12\nRUN apt-get \\\n# why\n    update\nRUN apt-get install -y curl\n"),
    ("suppression-above-update", "FROM debian:12\n# cachemount: ignore=CM101\nRUN apt-get update\n"
                                 "RUN apt-get install -y curl\n"),
    ("update-with-other-commands", "FROM debian:12\nRUN apt-get update && apt-cache policy curl\n"
                                   "RUN apt-get install -y curl\n"),
    # the next instruction is not an install RUN that can take it
    ("not-adjacent", "FROM debian:12\nRUN apt-get update\nENV X=1\nRUN apt-get install -y curl\n"),
    ("install-not-first", "FROM debian:12\nRUN apt-get update\nRUN echo hi && apt-get install -y curl\n"),
    ("semicolon-after-install", "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl; echo done\n"),
    ("or-after-install", "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl || true\n"),
    ("install-network-none", "FROM debian:12\nRUN apt-get update\nRUN --network=none apt-get install -y curl\n"),
    ("install-heredoc", "FROM debian:12\nRUN apt-get update\nRUN <<EOF\napt-get install -y curl\nEOF\n"),
    ("install-exec-form", 'FROM debian:12\nRUN apt-get update\nRUN ["apt-get", "install", "-y", "curl"]\n'),
    ("install-sh-c", "FROM debian:12\nRUN apt-get update\nRUN sh -c 'apt-get install -y curl'\n"),
    ("install-subshell", "FROM debian:12\nRUN apt-get update\nRUN (apt-get install -y curl)\n"),
    ("install-if", "FROM debian:12\nRUN apt-get update\nRUN if true; then apt-get install -y curl; fi\n"),
    ("install-updates-later", "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl && apt-get update\n"),
    ("non-posix-shell", 'FROM debian:12\nSHELL ["pwsh", "-Command"]\nRUN apt-get update\nRUN apt-get install -y x\n'),
]


@pytest.mark.parametrize("case_id, text", NO_FIX, ids=[c[0] for c in NO_FIX])
def test_no_fix(case_id, text):
    f = one(text)
    assert not f.fixes
    assert fixed(text, unsafe=True) == text


def test_fix_all_with_every_rule_merges_first_and_creates_nothing():
    """With all rules, CM401's fix comes before CM101's mounts on the update's RUN (which alone would
    send the lists into a mount the install does not have), and no finding appears that was not
    there."""
    before = "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n"
    after, _ = apply_all(before)
    runs = [c for c in dockerfile.parse_string(after) if c.cmd.upper() == "RUN"]
    merged = [c for c in runs if "apt-get update && apt-get install -y curl" in " ".join(c.value)]
    assert len(merged) == 1
    assert any("target=/var/lib/apt/lists" in fl for fl in merged[0].flags), after
    assert not Counter(f.code for f in lint(after)) - Counter(f.code for f in lint(before))
    assert apply_all(after) == (after, 0)


def test_fix_never_creates_a_finding_case_by_case():
    for _, before, _after in FIXES:
        had = Counter(f.code for f in lint(before))
        for unsafe in (False, True):
            out = apply_all(before, unsafe=unsafe)[0]
            assert not Counter(f.code for f in lint(out)) - had, (before, out)


def test_other_managers_are_quiet_because_the_table_says_their_installs_refresh(monkeypatch):
    """The apk/dnf/zypper cases are recognised; only `install_refreshes` keeps them quiet."""
    from cachemount.records import replace

    from cachemount.knowledge.layer_traps import INDEX_UPDATES
    from cachemount.rules import apt_update_alone

    assert [u.managers[0] for u in INDEX_UPDATES if not u.install_refreshes] == ["apt-get"]
    monkeypatch.setattr(apt_update_alone, "INDEX_UPDATES",
                        tuple(replace(u, install_refreshes=False) for u in INDEX_UPDATES))
    for case_id in ("apk", "dnf", "yum", "zypper"):
        text = dict(SILENT)[case_id]
        assert line_of(text, one(text)) == 2, case_id

"""Real builds of the fixes for `RUN apt-get update` in a RUN of its own (issue 13): CM401 moves the
update into the install's RUN; with CM401 turned off, CM101 must leave the update's lists in the
layer (a lists cache mount on the update alone hid them from the install: "Unable to locate
package jq"). Both fixed files build, run, and reuse downloaded packages on the rebuild."""
from __future__ import annotations

import pytest

from tests.buildkit.harness import fix
from tests.buildkit.test_seed_scenarios import (_common_asserts, _must_build, _smoke, apt_fetched, apt_need_to_get,
                                                run_edit_scenario)

pytestmark = pytest.mark.buildkit

ALONE = (
    "FROM debian:bookworm\n"
    "RUN apt-get update\n"
    "RUN apt-get install -y --no-install-recommends jq\n"
    'CMD ["jq", "--version"]\n'
)
ALONE_MORE = ALONE.replace("install -y --no-install-recommends jq", "install -y --no-install-recommends jq file")
NO_CM401 = {".cachemount.toml": 'ignore = ["CM401"]\n'}


def test_cm401_moves_the_update_into_the_install_run(bk, bk_report):
    fixed = fix(ALONE)
    assert "RUN apt-get update\n" not in fixed and "apt-get update && apt-get install" in fixed, fixed
    s = run_edit_scenario(bk, "apt-alone", ALONE, ALONE_MORE, ("jq --version", "jq-"),
                          ("jq --version && file --version", "file-"))
    b = s.fixed.second.step("apt-get install").text
    first = apt_fetched(s.fixed.first.step("apt-get install").text)
    assert "jq" in first, f"first build fetched {first}"
    again = apt_fetched(b) & first
    assert not again, f"fixed rebuild downloaded again {sorted(again)}:\n{s.fixed.dockerfile}\n{b}"
    a = s.unfixed.second.step("apt-get install").text
    evidence = {v.name: f"rebuild fetched {sorted(apt_fetched(t))}, Need to get {apt_need_to_get(t)}"
                for v, t in ((s.unfixed, a), (s.fixed, b))}
    bk_report(s.line("(u1) CM401: `RUN apt-get update` alone, moved into the install's RUN", evidence))
    _common_asserts(s)


def test_with_cm401_off_cm101_leaves_the_lists_of_a_lone_update_in_the_layer(bk, bk_report):
    fixed = fix(ALONE, NO_CM401)
    update_line = next(line for line in fixed.splitlines() if "apt-get update" in line)
    assert update_line == "RUN apt-get update", fixed   # no lists mount: the install reads them from the layer
    assert "--mount=type=cache,target=/var/cache/apt" in fixed, fixed
    bk.prune()
    tag = "apt-alone-no-cm401"
    first = _must_build(bk.build(fixed, NO_CM401, tag))
    _smoke(bk, first.tag, "jq --version", "jq-")
    more = fix(ALONE_MORE, NO_CM401)
    second = _must_build(bk.build(more, NO_CM401, tag))
    _smoke(bk, second.tag, "jq --version && file --version", "file-")
    again = apt_fetched(second.step("apt-get install").text) & apt_fetched(first.step("apt-get install").text)
    assert not again, f"rebuild downloaded again {sorted(again)}"
    bk_report(f"(u2) CM101 with CM401 off, `RUN apt-get update` alone: fixed file built twice and ran; "
              f"rebuild fetched {sorted(apt_fetched(second.step('apt-get install').text))}")

"""More of issue 11's scenario matrix, built for real before and after `cachemount check --fix`:
apt's `apt` front end (it keeps downloaded packages only with Keep-Downloaded-Packages).

Heredoc RUNs cannot be built here: this dockerd's built-in Dockerfile frontend predates heredocs,
and `# syntax=docker/dockerfile:1` would pull a frontend image (no registry is reachable)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from cachemount.build_context.discover import given
from cachemount.findings import SAFE
from cachemount.fixing.apply import apply_fix
from cachemount.lint import lint
from tests.buildkit.editor_fix import editor_quick_fix
from tests.buildkit.harness import fix
from tests.buildkit.test_seed_scenarios import (APP_PY, REQS_1, SIZE_TOLERANCE, _common_asserts, apt_fetched,
                                                apt_need_to_get, run_edit_scenario)


def test_apt_front_end_on_debian_with_docker_clean(bk, bk_report):
    dockerfile = (
        "FROM debian:bookworm\n"
        "RUN apt update && apt install -y --no-install-recommends jq\n"
        'CMD ["jq", "--version"]\n'
    )
    second = dockerfile.replace("install -y --no-install-recommends jq", "install -y --no-install-recommends jq file")
    fixed_text = fix(dockerfile)
    assert "Keep-Downloaded-Packages" in fixed_text, fixed_text
    s = run_edit_scenario(bk, "apt-front", dockerfile, second, ("jq --version", "jq-"),
                          ("jq --version && file --version", "file-"))
    a = s.unfixed.second.step("apt install").text
    b = s.fixed.second.step("apt install").text
    first_fetch = apt_fetched(s.fixed.first.step("apt install").text)
    assert "jq" in first_fetch, f"first build fetched {first_fetch}"
    assert "jq" in apt_fetched(a), f"control: unfixed rebuild should download jq again:\n{a}"
    again = apt_fetched(b) & first_fetch
    assert not again, f"fixed rebuild downloaded again {sorted(again)}:\n{s.fixed.dockerfile}\n{b}"
    evidence = {v.name: f"rebuild fetched {sorted(apt_fetched(t))}, Need to get {apt_need_to_get(t)}"
                for v, t in ((s.unfixed, a), (s.fixed, b))}
    bk_report(s.line("(h) `apt` (not apt-get) with docker-clean", evidence))
    _common_asserts(s)



def test_apt_in_two_stages_built_in_parallel_on_locked_mounts(bk, bk_report):
    # BuildKit builds stages a and b at the same time; both lock the same apt cache mounts
    dockerfile = (
        "FROM debian:bookworm AS a\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends jq\n"
        "FROM debian:bookworm AS b\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends file\n"
        "COPY --from=a /usr/bin/jq /tmp/jq\n"
        'CMD ["file", "--version"]\n'
    )
    second = dockerfile.replace("--no-install-recommends jq", "--no-install-recommends jq bc").replace(
        "--no-install-recommends file", "--no-install-recommends file less")
    fixed_text = fix(dockerfile)
    assert fixed_text.count("sharing=locked") == 4, fixed_text
    s = run_edit_scenario(bk, "apt-stages", dockerfile, second,
                          ("file --version && test -x /tmp/jq && echo ok", "ok"),
                          ("less --version && test -x /tmp/jq && echo ok", "ok"))
    fetched = {v.name: apt_fetched(v.second.step("jq bc").text) | apt_fetched(v.second.step("file less").text)
               for v in (s.unfixed, s.fixed)}
    assert {"jq", "file"} <= fetched["unfixed"], f"control: unfixed rebuild should download again: {fetched}"
    assert not {"jq", "file"} & fetched["fixed"], f"fixed rebuild downloaded again: {fetched['fixed']}"
    assert {"bc", "less"} <= fetched["fixed"]
    evidence = {name: f"rebuild fetched {sorted(f)}" for name, f in fetched.items()}
    bk_report(s.line("(j) apt-get in two stages built in parallel, sharing=locked", evidence))
    _common_asserts(s)


def _bind_variant(dockerfile: str, files: dict[str, str]) -> str:
    """CM201's second quick fix (bind-mount the manifests, move the broad COPY after the install),
    as the library applies it and as the editor's quick fix applies it: the same text."""
    with tempfile.TemporaryDirectory(prefix="cm-bind-ctx-") as ctx:
        for rel, content in files.items():
            Path(ctx, rel).write_text(content)
        context = given(ctx, None, "test")
        [finding] = [f for f in lint(dockerfile, build_context=context) if f.code == "CM201"]
        [bind] = [fx for fx in finding.fixes if fx.title.startswith("Bind-mount")]
        assert bind.applicability == SAFE, bind.title
        text = apply_fix(dockerfile, bind)
    assert editor_quick_fix(dockerfile, files, "Bind-mount") == text
    return text


def test_copy_all_before_pip_install_bind_mount_variant(bk, bk_report):
    dockerfile = (
        "FROM python:3.11-slim\n"
        "WORKDIR /app\n"
        "COPY . .\n"
        "RUN pip install -r requirements.txt\n"
        'CMD ["python", "app.py"]\n'
    )
    files = {"requirements.txt": REQS_1, "app.py": APP_PY}
    variant = _bind_variant(dockerfile, files)
    assert "--mount=type=bind,source=requirements.txt,target=requirements.txt" in variant, variant
    assert variant.index("pip install") < variant.index("COPY . .")
    edited = {**files, "app.py": APP_PY.replace("print('ok')", "print('ok v2')")}
    bk.prune()
    results = {}
    for name, text in (("unfixed", dockerfile), ("bind-mounted", variant)):
        first = bk.build(text, files, f"bind-{name}")
        assert first.ok, f"{name} build failed:\n{text}\n" + "\n".join(first.log.splitlines()[-40:])
        second = bk.build(text, edited, f"bind-{name}")
        assert second.ok, f"{name} rebuild failed:\n" + "\n".join(second.log.splitlines()[-40:])
        rc, out = bk.run(second.tag, "python app.py")
        assert rc == 0 and "ok v2" in out, out
        results[name] = (second.step("pip install"), bk.image_size(second.tag))
    assert not results["unfixed"][0].cached, "control: with COPY . . first, a source edit must rerun pip install"
    assert results["bind-mounted"][0].cached, f"bind-mounted: a source-only edit reran pip install:\n{variant}"
    size_a, size_b = results["unfixed"][1], results["bind-mounted"][1]
    assert size_b <= size_a + max(SIZE_TOLERANCE, size_a // 100), f"{size_b} B > {size_a} B"
    bk_report("(k) COPY . . before pip install, CM201's bind-mount quick fix\n"
              f"    unfixed: pip install after an app.py edit: rerun, {size_a / 1e6:.1f} MB\n"
              f"    bind-mounted: pip install after the same edit: CACHED, {size_b / 1e6:.1f} MB")

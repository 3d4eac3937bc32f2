"""Fixes: exact before/after texts, checked against BuildKit's own parser; idempotence; nothing
outside the fixed instructions changes; the corpus after --fix; generated Dockerfiles."""
from collections import Counter

import dockerfile
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cachemount.findings import SAFE, UNSAFE
from cachemount.lint import lint
from cachemount.fixing.apply import apply_fix
from cachemount.lint import apply_all
from tests.conftest import corpus_files
from tests.fixing.fix_table import CASES, UNSAFE as UNSAFE_CASES

FIXED_CODES = {"CM101", "CM102", "CM103", "CM201"}


def instructions(text):
    return [(c.cmd.upper(), c.original, c.flags) for c in dockerfile.parse_string(text)]


def check_fixed(before, after, unsafe=False):
    """The properties every fixed text must have (fixed with `--unsafe-fixes` when `unsafe`)."""
    parsed_after = instructions(after)  # BuildKit's parser accepts it
    assert apply_all(after, unsafe=unsafe) == (after, 0), "a second --fix must change nothing"
    # what fix-all applied is gone; unsafe fixes (CM201 without a build context, ...) may stay after --fix
    allowed = (SAFE, UNSAFE) if unsafe else (SAFE,)
    left = [f for f in lint(after) if f.code in FIXED_CODES and f.fix_for(allowed)]
    assert not left, [(f.code, f.message) for f in left]
    # Every instruction without a finding is byte-identical (possibly moved).
    flagged_lines = set()
    for f in lint(before):
        flagged_lines.add(before.count("\n", 0, f.start) + 1)
    after_originals = {orig for _, orig, _ in parsed_after}
    after_runs = [(c.value, set(c.flags)) for c in dockerfile.parse_string(after) if c.cmd.upper() == "RUN"]
    for c in dockerfile.parse_string(before):
        lines = set(range(c.start_line, c.end_line + 1))
        if lines & flagged_lines:
            continue
        if c.cmd.upper() in ("COPY", "ADD", "ENV"):
            continue  # moved or trimmed by a CM201/CM103 fix of another instruction
        if c.original in after_originals:
            continue
        # A later RUN reading what an earlier fix now keeps in a cache mount gets the same mount:
        # same command, the same flags plus cache mounts.
        assert c.cmd.upper() == "RUN" and any(
            value == c.value and flags > set(c.flags) and all(f.startswith("--mount=type=cache")
                                                              for f in flags - set(c.flags))
            for value, flags in after_runs), f"unflagged instruction changed: {c.original!r}"
    return parsed_after


@pytest.mark.parametrize("name", sorted(CASES))
def test_fix_table(name):
    before, expected = CASES[name]
    after, applied = apply_all(before, unsafe=True)
    assert after == expected
    assert applied >= 1
    parsed = check_fixed(before, after, unsafe=True)
    # `--fix` alone writes the same, unless one of the fixes is unsafe
    assert (apply_all(before)[0] == expected) == (name not in UNSAFE_CASES)
    # BuildKit sees a cache mount on as many RUNs as there were fixable CM101 findings (at least)
    fixed_runs = {f.start for f in lint(before) if f.code == "CM101" and f.fixes}
    mounted = [flags for kw, _, flags in parsed if kw == "RUN" and any(fl.startswith("--mount=type=cache") for fl in flags)]
    assert len(mounted) >= len(fixed_runs)


def test_single_quick_fix_equals_fix_all_for_one_finding():
    before = "FROM python:3.12\nRUN useradd -m -u 1001 app\nUSER app\nRUN pip install -r requirements.txt\n"
    (finding,) = [f for f in lint(before) if f.code == "CM101"]
    assert apply_fix(before, finding.fix) == apply_all(before)[0]
    assert finding.fix.title == "Add cache mount for pip (/home/app/.cache/pip, uid=1001)"
    assert finding.fix.applicability == SAFE


def test_cm201_bind_mount_alternative():
    before = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
    (finding,) = [f for f in lint(before) if f.code == "CM201"]
    copy_fix, bind_fix = finding.fixes
    assert copy_fix.preferred and not bind_fix.preferred
    assert apply_fix(before, bind_fix) == ("FROM python:3.12\nWORKDIR /app\n"
                                           "RUN --mount=type=bind,source=requirements.txt,target=requirements.txt "
                                           "pip install -r requirements.txt\nCOPY . .\n")
    instructions(apply_fix(before, bind_fix))


@pytest.mark.slow
@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_fix_parses_and_converges(path):
    before = path.read_bytes().decode("utf-8", errors="replace")
    try:
        dockerfile.parse_string(before)
    except Exception:
        pytest.skip("BuildKit's parser rejects the original")
    after, _ = apply_all(before)
    check_fixed(before, after)
    left = [f for f in lint(after) if f.code in ("CM101", "CM102", "CM103") and f.fix_for((SAFE,))]
    assert not left
    unsafe_after, _ = apply_all(before, unsafe=True)
    check_fixed(before, unsafe_after, unsafe=True)
    # no finding appears after a fix that was not there before it (by rule, with and without unsafe fixes)
    had = Counter(f.code for f in lint(before))
    for fixed in (after, unsafe_after):
        new = Counter(f.code for f in lint(fixed)) - had
        assert not new, f"findings the fix created: {[(f.code, f.message) for f in lint(fixed) if f.code in new]}"


USERS = st.sampled_from(["", "USER node\n", "RUN useradd -m -u 1234 app\nUSER app\n", "USER 1001\n"])
BASES = st.sampled_from(["python:3.12", "node:22", "debian:12", "alpine:3.20", "golang:1.23", "fedora:40"])
INSTALLS = st.lists(st.sampled_from([
    "RUN pip install -r requirements.txt", "RUN pip install --no-cache-dir flask", "RUN npm ci",
    "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*", "RUN apk add --no-cache git",
    "RUN go mod download", "RUN go build ./...", "RUN uv sync", "RUN dnf install -y gcc && dnf clean all",
    "RUN yarn install && yarn cache clean", "COPY . .", "ENV PIP_CACHE_DIR=/pc", "ENV XDG_CACHE_HOME=/xdg",
    "RUN --mount=type=cache,target=/root/.cache/pip pip install x", "WORKDIR /app",
    "RUN <<EOF\npip install x\nEOF", "RUN pip install \\\n    flask",
]), min_size=1, max_size=8)


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BASES, USERS, INSTALLS)
def test_generated_dockerfiles_fix_parses_and_is_idempotent(base, user, steps):
    before = f"FROM {base}\n{user}" + "\n".join(steps) + "\n"
    after, _ = apply_all(before)
    instructions(after)
    assert apply_all(after) == (after, 0)

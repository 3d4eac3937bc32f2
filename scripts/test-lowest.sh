#!/usr/bin/env bash
# The fast test suite (the bare `pytest`) on the LOWEST versions pyproject.toml allows for the
# runtime dependencies (`uv pip install --resolution lowest-direct`; the pinned dev tools stay as
# pinned), on the lowest Python it supports (3.10: the tomli fallback too), in a throwaway venv.
# The ranges in [project] dependencies are promises to users; this keeps them. uv.lock is neither
# read nor written. Exits non-zero, saying why, if no Python 3.10 is found, if resolving or
# installing fails, if a dependency is not installed at its declared lower bound, or if a test fails.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
want=3.10

find_python() {
  # uv's own discovery (PATH, uv-managed); then a pyenv install, whose shim uv cannot use when 3.10
  # is not pyenv's selected version; then a uv-managed download.
  uv python find --no-project "$want" 2>/dev/null && return 0
  local root
  root=$(pyenv root 2>/dev/null) || root="$HOME/.pyenv"
  for p in "$root"/versions/"$want".*/bin/python"$want"; do
    [ -x "$p" ] && { echo "$p"; return 0; }
  done
  uv python install --quiet "$want" >&2 && uv python find --no-project "$want"
}

if ! python=$(find_python); then
  echo "test-lowest: FAILED: no Python $want found or installable (uv python find/install $want)" >&2
  exit 1
fi

venv=$(mktemp -d "${TMPDIR:-/tmp}/cachemount-lowest.XXXXXX")
trap 'rm -rf "$venv"' EXIT
echo "test-lowest: Python $("$python" -c 'import platform; print(platform.python_version())') ($python), venv $venv"
uv venv --quiet --python "$python" "$venv"
# -r pyproject.toml makes the runtime dependencies the direct ones that lowest-direct lowers.
if ! uv pip install --quiet --python "$venv/bin/python" --resolution lowest-direct \
     -r pyproject.toml --group dev -e .; then
  echo "test-lowest: FAILED: the lowest allowed versions do not resolve or install" >&2
  exit 1
fi

# Each runtime dependency must be installed at exactly its `>=` bound: a bound that uv had to raise
# (another requirement excludes it, no wheel for this Python) is a bound nothing tests.
"$venv/bin/python" - <<'PY'
import sys
from importlib.metadata import version

from packaging.requirements import Requirement

try:
    import tomllib
except ImportError:   # Python 3.10: tomli is one of the dependencies checked here
    import tomli as tomllib

with open("pyproject.toml", "rb") as f:
    declared = tomllib.load(f)["project"]["dependencies"]
bad = 0
for line in declared:
    req = Requirement(line)
    if req.marker is not None and not req.marker.evaluate():
        continue
    lower = [s.version for s in req.specifier if s.operator in (">=", "~=", "==")]
    got = version(req.name)
    ok = len(lower) == 1 and got == lower[0]
    bad += not ok
    print(f"test-lowest: {req.name} {got} (pyproject.toml: {req.specifier}){'' if ok else '  <- not the lower bound'}")
if bad:
    print("test-lowest: FAILED: a dependency is not installed at its lower bound", file=sys.stderr)
sys.exit(1 if bad else 0)
PY

if ! "$venv/bin/python" -m pytest -p no:cacheprovider -q "$@"; then
  echo "test-lowest: FAILED: the fast suite fails on the lowest allowed versions" >&2
  exit 1
fi
echo "test-lowest: passed on the lowest allowed versions"

#!/usr/bin/env bash
# Sets up everything from the project's own files and runs every test: static checks (ruff, mypy,
# generated files), the client unit tests (they install client/node_modules), the Python suite (all
# of it but the `soak` fuzzing: document, shell, semantics, rules, fixing, editor, CLI, language
# server, bounded fuzzers, Neovim and Emacs), the real BuildKit build tier, and the VS Code extension's
# end-to-end tests. The closing lines sum every tier's counts (`total: N passed, M failed`).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null 2>&1 || [ "$(uv --version 2>/dev/null | cut -d' ' -f2)" != "0.13.8" ]; then
  python3 -m pip install --quiet "uv==0.13.8"
fi
uv sync --locked --quiet

status=0
# Every tier's counts go to $TALLY and the closing lines sum them (scripts/tally.py); a tier that
# crashed or printed no count counts as one failure, with the reason. Output still streams.
TALLY=$(mktemp "${TMPDIR:-/tmp}/cachemount-tally.XXXXXX")
trap 'rm -f "$TALLY" "$TALLY".*' EXIT
tally() { python3 scripts/tally.py "$TALLY" "$@"; }
# static NAME CMD...: one pass/fail check
static() {
  local rc=0
  "${@:2}" || rc=$?
  [ $rc -eq 0 ] || status=$rc
  tally check "static checks" $rc "$1" || status=1
}
# run_pytest TIER CMD...: pytest, or a script that hands its arguments to pytest; counted from JUnit XML
run_pytest() {
  local rc=0 xml="$TALLY.$RANDOM.xml"
  "${@:2}" --junitxml="$xml" || rc=$?
  [ $rc -eq 0 ] || status=$rc
  tally junit "$1" "$xml" $rc || status=1
}
# counted TIER CMD...: a script whose last `N passed, M failed` line is its count
counted() {
  local rc log="$TALLY.$RANDOM.log"
  set +e; "${@:2}" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]}; set -e
  [ $rc -eq 0 ] || status=$rc
  tally line "$1" "$log" $rc || status=1
}
# Static checks first (seconds): ruff and mypy at the versions uv.lock pins, and the generated
# files (rule pages, README tables, the extension's settings schema) are current.
static ruff uv run --locked ruff check .
static mypy uv run --locked mypy
static "generated files" uv run --locked python scripts/generate.py --check
# The client's unit tests first: they install client/node_modules, which a pytest check needs.
if [ -d client ] && [ -f tests/client/run-unit.sh ]; then
  counted "client unit" bash tests/client/run-unit.sh
fi
# Every Python test but the soak fuzzing: the `slow` ones too, which the bare `pytest` leaves out.
run_pytest pytest env CACHEMOUNT_REQUIRE_CLIENT=1 uv run --locked pytest -m 'not soak' "$@"

# Lowest dependency versions: the fast suite again, in a throwaway Python 3.10 venv holding the
# lowest versions pyproject.toml's ranges allow (uv.lock untouched).
run_pytest "lowest versions" bash scripts/test-lowest.sh

# Real BuildKit builds: a private dockerd (scripts/buildkit/), base images kept in
# /tmp/cachemount-buildkit between runs; skips loudly, and counted, only where dockerd cannot run.
run_pytest buildkit uv run --locked pytest -p no:cacheprovider -m buildkit tests/buildkit

if [ -d client ] && [ -f tests/client/run-e2e.sh ]; then
  counted "client e2e" bash tests/client/run-e2e.sh
fi
tally summary || { [ $status -ne 0 ] || status=1; }
exit $status

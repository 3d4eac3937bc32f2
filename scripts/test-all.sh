#!/usr/bin/env bash
# Sets up everything from the project's own files and runs every test: static checks (ruff, mypy,
# generated files), the client unit tests (they install client/node_modules), the Python suite (all
# of it but the `soak` fuzzing: document, shell, semantics, rules, fixing, editor, CLI, language
# server, bounded fuzzers, Neovim), the real BuildKit build tier, and the VS Code extension's
# end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null 2>&1 || [ "$(uv --version 2>/dev/null | cut -d' ' -f2)" != "0.13.8" ]; then
  python3 -m pip install --quiet "uv==0.13.8"
fi
uv sync --locked --quiet

status=0
# Static checks first (seconds): ruff and mypy at the versions uv.lock pins, and the generated
# files (rule pages, README tables, the extension's settings schema) are current.
uv run --locked ruff check . || status=$?
uv run --locked mypy || status=$?
uv run --locked python scripts/generate.py --check || status=$?
# The client's unit tests first: they install client/node_modules, which a pytest check needs.
if [ -d client ] && [ -f tests/client/run-unit.sh ]; then
  bash tests/client/run-unit.sh || status=$?
fi
# Every Python test but the soak fuzzing: the `slow` ones too, which the bare `pytest` leaves out.
CACHEMOUNT_REQUIRE_CLIENT=1 uv run --locked pytest -m 'not soak' "$@" || status=$?

# Real BuildKit builds: a private dockerd (scripts/buildkit/), base images kept in
# /tmp/cachemount-buildkit between runs; skips loudly, and counted, only where dockerd cannot run.
uv run --locked pytest -p no:cacheprovider -m buildkit tests/buildkit || status=$?

if [ -d client ] && [ -f tests/client/run-e2e.sh ]; then
  bash tests/client/run-e2e.sh || status=$?
fi
exit $status

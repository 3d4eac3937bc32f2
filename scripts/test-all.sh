#!/usr/bin/env bash
# Sets up everything from the project's own files and runs every test: the client unit tests (they
# install client/node_modules), the Python suite (engine, rules, fixes, CLI, language server, fuzzers,
# Neovim), the real BuildKit build tier, and the VS Code extension's end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null 2>&1 || [ "$(uv --version 2>/dev/null | cut -d' ' -f2)" != "0.13.8" ]; then
  python3 -m pip install --quiet "uv==0.13.8"
fi
uv sync --locked --quiet

status=0
# The client's unit tests first: they install client/node_modules, which a pytest check needs.
if [ -d client ] && [ -f tests/client/run-unit.sh ]; then
  bash tests/client/run-unit.sh || status=$?
fi
CACHEMOUNT_REQUIRE_CLIENT=1 uv run --locked pytest "$@" || status=$?

# Real BuildKit builds: a private dockerd (scripts/buildkit/), base images kept in
# /tmp/cachemount-buildkit between runs; skips loudly, and counted, only where dockerd cannot run.
uv run --locked pytest -p no:cacheprovider -m buildkit tests/buildkit || status=$?

if [ -d client ] && [ -f tests/client/run-e2e.sh ]; then
  bash tests/client/run-e2e.sh || status=$?
fi
exit $status

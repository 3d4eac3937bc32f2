#!/usr/bin/env bash
# Sets up everything from the project's own files and runs every test: the Python suite (engine,
# rules, fixes, CLI, language server, Neovim) and the VS Code extension's unit and end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v uv >/dev/null 2>&1 || [ "$(uv --version 2>/dev/null | cut -d' ' -f2)" != "0.13.8" ]; then
  python3 -m pip install --quiet "uv==0.13.8"
fi
uv sync --locked --quiet

status=0
uv run --locked pytest "$@" || status=$?

# Real BuildKit builds: a private dockerd (scripts/buildkit/), base images kept in
# /tmp/cachemount-buildkit between runs; skips loudly, and counted, only where dockerd cannot run.
uv run --locked pytest -p no:cacheprovider -m buildkit tests/buildkit || status=$?

if [ -d client ] && [ -f tests/client/run-unit.sh ]; then
  bash tests/client/run-unit.sh || status=$?
  bash tests/client/run-e2e.sh || status=$?
fi
exit $status

#!/bin/bash
# Unit tests of the VS Code extension's own logic (server discovery order, workspace trust, settings,
# the Python extension API, validation, package.json promises) in plain node with `vscode` mocked,
# plus a type check. Installs client/node_modules (npm ci) when needed.
# Last line: `client unit: N passed, M failed`.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
command -v node >/dev/null || { echo "node is missing"; echo "client unit: 0 passed, 1 failed"; exit 1; }
ensure_node_modules || { echo "client unit: 0 passed, 1 failed"; exit 1; }
cd "$CLIENT"
failed=0
npx tsc --noEmit -p . || { say "type check failed"; failed=1; }
node esbuild.mjs --tests || { echo "client unit: 0 passed, 1 failed"; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
node --test --test-reporter=spec out/test/unit/*.test.js 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# node's spec reporter ends with "ℹ pass N" / "ℹ fail M"
pass=$(grep -Eo '^ℹ pass [0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
fail=$(grep -Eo '^ℹ fail [0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
[ "$failed" -ne 0 ] && fail=$((fail + 1))
echo "client unit: ${pass:-0} passed, ${fail:-0} failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ] && [ "${pass:-0}" -gt 0 ]

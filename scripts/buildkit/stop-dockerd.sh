#!/usr/bin/env bash
# Stop the private dockerd that start-dockerd.sh started: by its pid file, never by name.
set -uo pipefail
source "$(dirname "$0")/env.sh"
pid=$(cat "$BK_PIDFILE" 2>/dev/null) || { bk_say "no dockerd pid file in $BK_DIR: nothing to stop"; exit 0; }
# Only our daemon: the pid must still be a dockerd whose data root is in our state dir.
if ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--data-root=$BK_DIR/docker-data"; then
  bk_say "pid $pid is not our dockerd any more: removing the stale pid file"; rm -f "$BK_PIDFILE"; exit 0
fi
bk_say "stopping dockerd pid $pid"
kill -TERM "$pid"
for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
if kill -0 "$pid" 2>/dev/null; then bk_say "dockerd $pid still up after 30 s: SIGKILL"; kill -KILL "$pid"; sleep 1; fi
rm -f "$BK_PIDFILE" "$BK_SOCK"
mountpoint -q "$BK_DIR/docker-exec/netns/default" 2>/dev/null && umount "$BK_DIR/docker-exec/netns/default"
left=$(awk -v d="$BK_DIR/" 'index($2, d) == 1 {print $2}' /proc/mounts)
[[ -z $left ]] || { bk_say "mounts left under $BK_DIR:"; echo "$left"; }
bk_say "stopped"

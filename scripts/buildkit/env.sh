# Shared settings for the private BuildKit daemon (sourced by the other scripts here).
# Everything lives under one state dir so a run never touches the machine's own docker.
BK_DIR=${CACHEMOUNT_BK_DIR:-/tmp/cachemount-buildkit}
BK_SOCK=$BK_DIR/docker.sock
BK_PIDFILE=$BK_DIR/dockerd.pid
# Debian's client (20.10, BuildKit built in); a newer docker CLI elsewhere on PATH needs buildx.
BK_DOCKER=/usr/bin/docker
export DOCKER_HOST=unix://$BK_SOCK DOCKER_BUILDKIT=1
bk_say() { echo "[buildkit] $*"; }

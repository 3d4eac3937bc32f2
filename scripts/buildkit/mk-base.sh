#!/usr/bin/env bash
# Make the local base images the build tests use, without any image registry (none is reachable):
#   local/debian:bookworm   debootstrap minbase + what the official image adds (docker-clean, ...)
#   local/python:3.11-slim  Debian's python3 3.11 + pip
#   local/node:18           Debian's nodejs 18 + npm, and a `node` user (uid 1000) like the official one
# Idempotent: an image is rebuilt only when missing or made by another version of this script;
# the debootstrap rootfs is kept in the state dir, so even an emptied docker store is quick to refill.
# Needs the daemon of start-dockerd.sh.
set -euo pipefail
source "$(dirname "$0")/env.sh"
D=$BK_DOCKER
R=$BK_DIR/rootfs
VERSION=$(sha256sum "$0" | cut -c1-16)
t0=$SECONDS

current() {  # is image $1 present and made by this version of the script?
  [[ $($D image inspect -f '{{index .Config.Labels "cachemount.base"}}' "$1" 2>/dev/null) == "$VERSION" ]]
}

if ! current local/debian:bookworm; then
  if [[ ! -e $R/.complete ]]; then
    # the Debian mirror apt already uses on this machine
    mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    [[ -n $mirror ]] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    [[ -n $mirror ]] || mirror=http://deb.debian.org/debian
    bk_say "debootstrap bookworm from $mirror (one time, about 1-2 min; log $BK_DIR/debootstrap.log)"
    rm -rf "$R" "$R.tmp"
    if ! timeout 900 debootstrap --variant=minbase bookworm "$R.tmp" "$mirror" >"$BK_DIR/debootstrap.log" 2>&1; then
      tail -n 20 "$BK_DIR/debootstrap.log" >&2; echo "debootstrap failed" >&2; exit 1
    fi
    mv "$R.tmp" "$R" && touch "$R/.complete"
  fi
  bk_say "importing local/debian:bookworm"
  # Same apt sources (and extra CA certificates) as the host, so builds reach the same indexes.
  rm -f "$R/etc/apt/sources.list"
  cp /etc/apt/sources.list.d/*.sources "$R/etc/apt/sources.list.d/" 2>/dev/null \
    || { [[ -f /etc/apt/sources.list ]] && cp /etc/apt/sources.list "$R/etc/apt/sources.list"; }
  # What the official debian image ships in apt.conf.d; docker-clean is what makes the apt fixes matter.
  cat >"$R/etc/apt/apt.conf.d/docker-clean" <<'EOC'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOC
  echo 'Acquire::Languages "none";' >"$R/etc/apt/apt.conf.d/docker-no-languages"
  printf 'Acquire::GzipIndexes "true";\nAcquire::CompressionTypes::Order:: "gz";\n' >"$R/etc/apt/apt.conf.d/docker-gzip-indexes"
  rm -rf "$R"/var/lib/apt/lists/*; mkdir -p "$R/var/lib/apt/lists/partial"
  rm -f "$R"/var/cache/apt/archives/*.deb "$R"/var/cache/apt/*.bin
  mkdir -p "$R/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$R/usr/local/share/ca-certificates/" 2>/dev/null || true
  tar -C "$R" --exclude=./.complete -c . | $D import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'ENV LANG=C.UTF-8' \
    -c "LABEL cachemount.base=$VERSION" -c 'CMD ["bash"]' - local/debian:bookworm >/dev/null
fi

derive() {  # derive TAG, with the Dockerfile body on stdin
  local tag=$1 ctx
  current "$tag" && return 0
  ctx=$(mktemp -d)
  { echo "FROM local/debian:bookworm"; echo "LABEL cachemount.base=$VERSION"; cat; } >"$ctx/Dockerfile"
  bk_say "building $tag (apt-get inside the build, about 1 min)"
  if ! $D build --network=host --progress=plain -t "$tag" "$ctx" >"$BK_DIR/build-$(tr -c 'a-z0-9\n' - <<<"$tag").log" 2>&1; then
    tail -n 20 "$BK_DIR/build-$(tr -c 'a-z0-9\n' - <<<"$tag").log" >&2; rm -rf "$ctx"; echo "building $tag failed" >&2; exit 1
  fi
  rm -rf "$ctx"
}

derive local/python:3.11-slim <<'EOC'
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates python3 python3-pip python3-venv \
    && update-ca-certificates && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED \
    && ln -s /usr/bin/python3 /usr/local/bin/python && rm -rf /var/lib/apt/lists/*
CMD ["python3"]
EOC

derive local/node:18 <<'EOC'
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates nodejs npm \
    && update-ca-certificates && rm -rf /var/lib/apt/lists/* \
    && groupadd -g 1000 node && useradd -m -u 1000 -g node -s /bin/bash node
CMD ["node"]
EOC

# Images of an older version of this script are now untagged: drop them (our daemon only).
$D image prune -f >/dev/null
bk_say "base images ready ($((SECONDS - t0)) s):"
$D images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^local/' | sort | sed 's/^/  /'

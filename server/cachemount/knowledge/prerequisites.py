"""What an image must have for a cache mount to keep anything between builds. DATA only.

`satisfied_by` are regexes searched (re.search) in the shell text of the RUNs of the stage
lineage (the RUN itself included); any match satisfies the prerequisite. `applies_to_bases` are
os families (from cachemount.semantics.base_images) or image name patterns; empty means every base.
Sources: ../shared/reference/cache-knowledge.md §A.12-§A.15.
"""
from __future__ import annotations

from .schema import Prerequisite

_DOCKER_CLEAN = r"/etc/apt/apt\.conf\.d/docker-clean"

# The BuildKit reference's apt example (https://docs.docker.com/reference/dockerfile/): removes
# docker-clean (whose DPkg::Post-Invoke deletes downloaded .debs after every apt-get AND apt run)
# and keeps downloaded packages for the `apt` front end too. Used as the fix for both prerequisites
# below, so one inserted line satisfies both.
APT_FIX = ("rm -f /etc/apt/apt.conf.d/docker-clean; "
           "echo 'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' > /etc/apt/apt.conf.d/keep-cache")

PREREQUISITES: dict[str, Prerequisite] = {p.key: p for p in (
    Prerequisite(
        key="apt-docker-clean",
        description=("/etc/apt/apt.conf.d/docker-clean (shipped by Debian and Ubuntu images) deletes every "
                     "downloaded .deb after each apt-get/apt run"),
        applies_to_bases=("debian", "ubuntu"),
        satisfied_by=(
            # removed or moved away: `rm -f /etc/apt/apt.conf.d/docker-clean`, `rm /etc/apt/apt.conf.d/*`
            r"\brm\b[^;&|\n]*/etc/apt/apt\.conf\.d/(docker-clean|\*)",
            r"\bmv\b[^;&|\n]*" + _DOCKER_CLEAN,
            # rewritten or edited in place (docker-library's ROS "cacher" stage rewrites it)
            r">\s*" + _DOCKER_CLEAN,
            r"\bsed\b[^;&|\n]*-i[^;&|\n]*" + _DOCKER_CLEAN,
            r"\btee\b[^;&|\n]*" + _DOCKER_CLEAN,
            r"\btruncate\b[^;&|\n]*" + _DOCKER_CLEAN,
        ),
        fix_command=APT_FIX,
        source="https://docs.docker.com/reference/dockerfile/#example-cache-apt-packages",
    ),
    Prerequisite(
        # Since apt 1.2 the `apt` front end (not apt-get) deletes downloaded .debs after a successful
        # install unless this is true. Needed on every base, docker-clean or not.
        key="apt-keep-downloaded",
        description=("the `apt` front end deletes downloaded .debs after each install unless "
                     "Binary::apt::APT::Keep-Downloaded-Packages is true"),
        applies_to_bases=(),
        satisfied_by=(
            r"Keep-Downloaded-Packages\W+(\"|')?(true|1|yes|on)",
        ),
        fix_command=APT_FIX,
        source="https://docs.docker.com/reference/dockerfile/#example-cache-apt-packages",
    ),
    Prerequisite(
        key="apk-cache-link",
        description=("apk keeps downloaded packages only when /etc/apk/cache exists (normally a symlink to "
                     "/var/cache/apk); without it only the indexes are cached"),
        applies_to_bases=(),
        satisfied_by=(
            r"\bln\s+(-\w+\s+)*\S+\s+/etc/apk/cache/?(\s|$|;|&|\|)",
            r"\bmkdir\b[^;&|\n]*/etc/apk/cache",
            r"--cache-dir[=\s]",
            r"\bsetup-apkcache\b",
        ),
        fix_command="ln -s /var/cache/apk /etc/apk/cache",
        source="https://wiki.alpinelinux.org/wiki/Local_APK_cache",
    ),
    Prerequisite(
        key="dnf-keepcache",
        description="dnf deletes downloaded RPMs after each transaction unless keepcache is on",
        applies_to_bases=(),
        satisfied_by=(
            # --setopt=keepcache=1, keepcache=True in dnf.conf, `echo keepcache=1 >> /etc/dnf/dnf.conf`,
            # `dnf config-manager setopt keepcache=1`, sed edits that write keepcache=1
            r"keepcache\s*=\s*(\"|')?(1|[Tt]rue|TRUE|[Yy]es|on)\b",
        ),
        fix_command="echo keepcache=1 >> /etc/dnf/dnf.conf",
        source="https://dnf.readthedocs.io/en/latest/conf_ref.html",
    ),
    Prerequisite(
        # On EL8+ /etc/yum.conf is a symlink to /etc/dnf/dnf.conf, so the same line works there.
        key="yum-keepcache",
        description="yum deletes downloaded RPMs after each transaction unless keepcache is on",
        applies_to_bases=(),
        satisfied_by=(r"keepcache\s*=\s*(\"|')?(1|[Tt]rue|TRUE|[Yy]es|on)\b",),
        fix_command="echo keepcache=1 >> /etc/yum.conf",
        source="https://docs.redhat.com/en/documentation/red_hat_enterprise_linux/6/html/deployment_guide/sec-working_with_yum_cache",
    ),
    Prerequisite(
        # tdnf reads /etc/tdnf/tdnf.conf, whose only section is [main] (upstream and Photon's copies), so an
        # appended line lands there; `--setopt=keepcache=1` on the command works too (tdnf's own tests).
        key="tdnf-keepcache",
        description="tdnf deletes downloaded RPMs after each transaction unless keepcache is on (off by default)",
        applies_to_bases=(),
        satisfied_by=(r"keepcache\s*=\s*(\"|')?(1|[Tt]rue|TRUE)\b",),
        fix_command="echo keepcache=1 >> /etc/tdnf/tdnf.conf",
        source="https://github.com/vmware/tdnf/blob/dev/client/config.c",
    ),
    Prerequisite(
        # [unverified] flag spelling of `zypper modifyrepo --keep-packages --all` (short: `mr -k -a`).
        key="zypper-keeppackages",
        description="zypper keeps downloaded RPMs only for repositories with keeppackages on (off by default)",
        applies_to_bases=(),
        satisfied_by=(
            r"\b(mr|modifyrepo|ar|addrepo)\b[^;&|\n]*\s(--keep-packages|-[a-zA-Z]*k[a-zA-Z]*)\b",
            r"keeppackages\s*=\s*(1|[Tt]rue|[Yy]es|on)\b",
        ),
        fix_command="zypper modifyrepo --keep-packages --all",
        source="https://doc.opensuse.org/documentation/leap/reference/html/book-reference/cha-sw-cl.html",
    ),
)}

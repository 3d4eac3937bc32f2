"""Which spelling the author meant: the one valid word a near miss is close to. Shared by CM301,
which repairs a misspelt `--mount`, and the cache-mount planner, which must not add a second
cache mount where a misspelt one is meant (`--mount=type=cahce,...`, `--mout=type=cache,...`)."""
from __future__ import annotations

from ..document.model import Instruction
from ..document.mounts import Mount, mount_of
from ..knowledge import mount_options as K


def closest(word: str, candidates: list[str] | tuple[str, ...], cutoff: float = 0.6) -> str | None:
    """The one candidate `word` is a near miss of; None when none or several are about as close."""
    import difflib   # here: most Dockerfiles never need it, and `cachemount check` starts without it

    got = difflib.get_close_matches(word, candidates, n=2, cutoff=cutoff)
    if not got:
        return None
    if len(got) == 2:
        ratio = [difflib.SequenceMatcher(None, word, g).ratio() for g in got]
        if ratio[0] - ratio[1] < 0.1:
            return None
    return got[0]


def misspelt_mount_flag(name: str) -> bool:
    """`--mout`, `--mounts`: not a RUN flag, close to `mount` (BuildKit fails the build)."""
    if name == "mount" or name in K.RUN_FLAGS:
        return False
    import difflib
    return bool(difflib.get_close_matches(name, ["mount"], 1, 0.7))


def meant_cache_mounts(instr: Instruction) -> list[Mount]:
    """The RUN's misspelt cache mounts: a `--mount` whose type is a near miss of `cache` (or whose
    misspelt `type` key says cache), or a near miss of `--mount` whose type is cache. BuildKit
    fails on each; once CM301 repairs it, it is the cache mount the author meant."""
    out = []
    for flag in instr.flags:
        if not flag.value or flag.name != "mount" and not misspelt_mount_flag(flag.name):
            continue
        mount = mount_of(flag)
        types = [o.value.strip().lower() for o in mount.options if o.value is not None and (
            o.canonical == "type" or o.key not in K.OPTIONS_BY_SPELLING and closest(o.key, K.ALL_KEYS) == "type")]
        if not types:
            continue
        written = types[-1]
        if flag.name == "mount" and mount.get("type") is not None and written in K.MOUNT_TYPES:
            continue   # a well-formed mount: a cache mount is one already, any other is not meant as one
        if (written if written in K.MOUNT_TYPES else closest(written, K.MOUNT_TYPES)) == "cache":
            out.append(mount)
    return out

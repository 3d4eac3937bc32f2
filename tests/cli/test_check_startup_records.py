"""`cachemount check` does not pay at every start for what it does not use (issue 12: within 1.5x of
hadolint on a typical file). Counted, not timed: each `@dataclass` compiles its generated methods
when its module is imported (about a millisecond per class; the engine's value classes are
`cachemount.records.Record`s instead); hashlib (OpenSSL) and tempfile (random, hashlib) are loaded
only by a check that writes; tree-sitter's parser is built without threading and importlib.util."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

from tests.conftest import REPO

# Every value class on the path of a check is a Record (none is left to `dataclasses.replace`).
STILL_DATACLASSES: set[str] = set()

_PROBE = """
import json, sys
from cachemount.__main__ import main
rc = main(["check", sys.argv[1]])
classes = sorted(f"{m.__name__}.{v.__qualname__}" for m in list(sys.modules.values())
                 if m is not None and m.__name__.startswith("cachemount")
                 for v in vars(m).values() if isinstance(v, type) and v.__module__ == m.__name__
                 and "__dataclass_fields__" in vars(v))
print(json.dumps({"rc": rc, "dataclasses": classes,
                  "loaded": [n for n in ("hashlib", "_hashlib", "tempfile", "random", "threading", "importlib.util",
                                       "dataclasses", "inspect")
                             if n in sys.modules]}))
"""


def _probe(tmp_path) -> dict:
    dockerfile = tmp_path / "Dockerfile"
    shutil.copy(REPO / "bench" / "data" / "typical.Dockerfile", dockerfile)
    proc = subprocess.run([sys.executable, "-c", _PROBE, str(dockerfile)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def test_a_check_creates_no_dataclass_but_the_ones_replaced_from_outside(tmp_path):
    got = _probe(tmp_path)
    assert got["rc"] == 1
    assert set(got["dataclasses"]) <= STILL_DATACLASSES, sorted(set(got["dataclasses"]) - STILL_DATACLASSES)


def test_a_check_that_writes_nothing_loads_no_module_it_does_not_use(tmp_path):
    assert _probe(tmp_path)["loaded"] == []

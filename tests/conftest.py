import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CACHEMOUNT_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus" / "files"


def corpus_files():
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.iterdir())


@pytest.fixture(scope="session")
def corpus():
    files = corpus_files()
    if not files:
        pytest.skip(f"no corpus at {CORPUS}")
    return files

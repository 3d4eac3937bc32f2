"""For every corpus file, the server's diagnostics are exactly `cachemount check --format json`'s
findings (code, message, start and end line/column). LSP ranges (UTF-16, LSP line breaks) are
converted back to the CLI's 1-based code-point lines and columns independently of the server."""
from __future__ import annotations

import bisect
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as T
from lsp_helpers import config, initialize, open_doc, published
from pytest_lsp import LanguageClient

from cachemount.textio import TextError, read


def _corpus() -> list[Path]:
    """The corpus files, located by tests/conftest.py (`CORPUS`)."""
    spec = importlib.util.spec_from_file_location("_cachemount_tests_conftest",
                                                  Path(__file__).resolve().parents[1] / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    corpus = Path(module.CORPUS)
    return sorted(p for p in corpus.iterdir() if p.is_file()) if corpus.is_dir() else []


pytestmark = pytest.mark.asyncio(loop_scope="module")
FILES = _corpus()


@pytest_lsp.fixture(scope="module", config=config())
async def server(lsp_client: LanguageClient):
    await initialize(lsp_client, "visual-studio-code")
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="module")
def cli_findings():
    if not FILES:
        pytest.skip("no corpus")
    proc = subprocess.run([sys.executable, "-m", "cachemount", "check", "--format", "json", *map(str, FILES)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 1, 2) and "Traceback" not in proc.stderr, proc.stderr
    out: dict[str, list] = {}
    for f in json.loads(proc.stdout or "[]"):
        out.setdefault(f["path"], []).append(
            (f["code"], f["message"], f["line"], f["column"], f["end_line"], f["end_column"]))
    return out


_BREAK = re.compile(r"\r\n|\r|\n")


def _cli_location(text: str, lsp_starts: list[int], nl_starts: list[int], pos: T.Position) -> tuple[int, int]:
    """LSP (line, UTF-16 character) -> the CLI's (1-based line, 1-based code-point column)."""
    start = lsp_starts[min(pos.line, len(lsp_starts) - 1)]
    offset, units = start, 0
    while units < pos.character and offset < len(text) and text[offset] not in "\r\n":
        units += 2 if ord(text[offset]) > 0xFFFF else 1
        offset += 1
    line = bisect.bisect_right(nl_starts, offset) - 1
    return line + 1, offset - nl_starts[line] + 1


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
async def test_server_agrees_with_cli(server, cli_findings, path):
    try:
        text = read(str(path)).text
    except TextError:
        pytest.skip("the CLI cannot read it either")
    open_doc(server, path.as_uri(), text)
    params = await published(server, path.as_uri(), 1, timeout=60)
    server.text_document_did_close(T.DidCloseTextDocumentParams(text_document=T.TextDocumentIdentifier(uri=path.as_uri())))
    lsp_starts = [0] + [m.end() for m in _BREAK.finditer(text)]
    nl_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    got = []
    for d in params.diagnostics:
        line, col = _cli_location(text, lsp_starts, nl_starts, d.range.start)
        end_line, end_col = _cli_location(text, lsp_starts, nl_starts, d.range.end)
        got.append((d.code, d.message, line, col, end_line, end_col))
    assert sorted(got) == sorted(cli_findings.get(str(path), []))

"""End-to-end fixtures: the real server (`python -m cachemount serve`) as a subprocess, driven by
pytest-lsp with the capabilities of real clients. LSP specification warnings fail the tests."""
from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsp_helpers import config, initialize
from pytest_lsp import LanguageClient

HERE = Path(__file__).resolve().parent
CLIENTS = ["visual-studio-code", "neovim"]


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"))


@pytest_lsp.fixture(config=config(), params=CLIENTS)
async def client(lsp_client: LanguageClient, request, tmp_path):
    """A fresh server per test, once with VS Code's and once with Neovim's capabilities."""
    await initialize(lsp_client, request.param, tmp_path)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=config())
async def vscode(lsp_client: LanguageClient, tmp_path):
    """A fresh server per test, with VS Code's capabilities."""
    await initialize(lsp_client, "visual-studio-code", tmp_path)
    yield
    await lsp_client.shutdown_session()

"""`initializationOptions` as a settings source: the only one a client without
`workspace/configuration` has (Neovim 0.7 with `vim.lsp.start_client`, Helix's `config`, eglot's
`:initializationOptions`), the same keys as the `cachemount` section; what the client answers to
`workspace/configuration` (or pushes, when it cannot be asked) wins key by key. Capabilities are the
real clients' (pytest-lsp's recorded Neovim 0.7.0 and 0.11.0)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types as T
from pytest_lsp import LanguageClient
from lsp_helpers import config, initialize, open_doc, published, write

from cachemount.lint import lint

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "editors"))
from snippets import snippet  # noqa: E402  (README.md's editor snippets, as tests/editors runs them)

SEVERITY = {"error": 1, "warning": 2, "information": 3, "hint": 4}
NVIM_07 = "neovim@v0.7.0"     # declares no workspace.configuration: never asked
NVIM_011 = "neovim@v0.11.0"   # answers workspace/configuration from `settings`

# CM301 (`sharing=lock`) and CM101 (pip without a cache mount), at their default severities
TEXT = ("FROM python:3.12-slim\n"
        "RUN --mount=type=cache,target=/root/.cache/pip,sharing=lock pip install requests\n"
        "RUN pip install flask\n")


def severities(params: T.PublishDiagnosticsParams) -> dict[str, int]:
    return {str(d.code): int(d.severity) for d in params.diagnostics if d.severity is not None}


def test_the_defaults_differ_from_what_these_tests_set():
    defaults = {f.code: SEVERITY[f.severity] for f in lint(TEXT)}
    assert defaults == {"CM301": SEVERITY["error"], "CM101": SEVERITY["warning"]}


@pytest_lsp.fixture(config=config())
async def server(lsp_client: LanguageClient):
    """The real server, not initialized yet: each test initializes it as its client would."""
    yield
    await lsp_client.shutdown_session()


async def _open(client: LanguageClient, tmp_path) -> T.PublishDiagnosticsParams:
    uri = write(tmp_path, "Dockerfile", TEXT)
    open_doc(client, uri, TEXT)
    return await published(client, uri, 1)


async def test_a_client_without_configuration_gets_its_settings_from_initialization_options(server, tmp_path):
    client = server
    await initialize(client, NVIM_07, tmp_path,
                     options={"cachemount": {"severity": {"CM101": "error"}, "rules": {"CM301": False}}})
    assert severities(await _open(client, tmp_path)) == {"CM101": SEVERITY["error"]}
    assert client.configuration_requests == []   # nothing asked of a client that cannot answer


async def test_the_bare_section_works_too(server, tmp_path):
    """Helix's `config` table or eglot's `:initializationOptions` without the `cachemount` wrapper."""
    client = server
    await initialize(client, NVIM_07, tmp_path, options={"severity": {"CM101": "hint", "CM301": "information"}})
    assert severities(await _open(client, tmp_path)) == {"CM101": SEVERITY["hint"], "CM301": SEVERITY["information"]}


async def test_pulled_configuration_wins_key_by_key(server, tmp_path):
    client = server
    client.set_configuration({"severity": {"CM101": "hint"}}, section="cachemount")
    await initialize(client, NVIM_011, tmp_path,
                     options={"cachemount": {"severity": {"CM101": "error", "CM301": "information"}}})
    # CM101: the pulled value; CM301: set only in initializationOptions, which stays in force
    assert severities(await _open(client, tmp_path)) == {"CM101": SEVERITY["hint"], "CM301": SEVERITY["information"]}
    assert client.configuration_requests, "a client that declares workspace.configuration is asked"


async def test_a_client_that_answers_null_keeps_the_initialization_options(server, tmp_path):
    """Neovim 0.8+ with `init_options` but no `settings` answers the pull with null."""
    client = server
    await initialize(client, NVIM_011, tmp_path, options={"cachemount": {"severity": {"CM101": "error"}}})
    assert severities(await _open(client, tmp_path))["CM101"] == SEVERITY["error"]
    assert client.configuration_requests


async def test_readme_helix_snippet(server, tmp_path):
    """README.md's Helix `languages.toml` (Helix itself is not installable here): its language server
    runs `cachemount serve`, Helix's dockerfile language lists it, and its `config` reaches the real
    server as Helix sends it: as initializationOptions, and as the answer to a pull (the section's
    value for the global scope, null for a folder scope: Helix looks folders up as documents)."""
    helix = tomllib.loads(snippet("helix"))
    server_entry = helix["language-server"]["cachemount"]
    assert [server_entry["command"], *server_entry["args"]] == ["cachemount", "serve"]
    dockerfile = next(lang for lang in helix["language"] if lang["name"] == "dockerfile")
    assert "cachemount" in dockerfile["language-servers"]
    client = server
    client.set_configuration(server_entry["config"])
    client.set_configuration(None, scope_uri=tmp_path.as_uri())
    await initialize(client, NVIM_011, tmp_path, options=server_entry["config"])
    assert severities(await _open(client, tmp_path))["CM101"] == SEVERITY["error"]
    assert [m.message for m in client.log_messages if m.type == T.MessageType.Warning] == []


async def test_pushed_settings_override_initialization_options_where_the_client_cannot_be_asked(server, tmp_path):
    """nvim-lspconfig on Neovim 0.7 pushes `settings` with workspace/didChangeConfiguration."""
    client = server
    await initialize(client, NVIM_07, tmp_path,
                     options={"cachemount": {"severity": {"CM101": "error"}, "rules": {"CM301": False}}})
    uri = write(tmp_path, "Dockerfile", TEXT)
    open_doc(client, uri, TEXT)
    await published(client, uri, 1)
    mark = len(client.published)
    client.workspace_did_change_configuration(T.DidChangeConfigurationParams(
        settings={"cachemount": {"severity": {"CM101": "information"}}}))
    p = await published(client, uri, 1, start=mark)
    assert severities(p) == {"CM101": SEVERITY["information"]}   # CM301 stays off: initializationOptions
    assert client.configuration_requests == []


async def test_invalid_initialization_options_are_reported_once_by_source_and_key(server, tmp_path):
    client = server
    await initialize(client, NVIM_07, tmp_path,
                     options={"cachemount": {"severity": {"CM101": "loud", "CM301": "information"}}})
    uri = write(tmp_path, "Dockerfile", TEXT)
    open_doc(client, uri, TEXT)
    p = await published(client, uri, 1)
    # the valid rest applies; the bad value leaves the default in force
    assert severities(p) == {"CM101": SEVERITY["warning"], "CM301": SEVERITY["information"]}
    warnings = [m for m in client.log_messages if m.type == T.MessageType.Warning]
    assert len(warnings) == 1, [m.message for m in client.log_messages]
    assert "initializationOptions" in warnings[0].message and "severity.CM101" in warnings[0].message


async def test_initialization_options_that_are_not_an_object_are_reported(server, tmp_path):
    client = server
    await initialize(client, NVIM_07, tmp_path, options=["severity", "CM101"])
    p = await _open(client, tmp_path)
    assert severities(p) == {"CM101": SEVERITY["warning"], "CM301": SEVERITY["error"]}
    warnings = [m.message for m in client.log_messages if m.type == T.MessageType.Warning]
    assert len(warnings) == 1 and "initializationOptions: expected an object, got list" in warnings[0]

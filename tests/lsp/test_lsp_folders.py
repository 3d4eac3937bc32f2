"""Settings per workspace folder: the client declares the cachemount settings with scope "resource",
so the server asks `workspace/configuration` once per folder (`scopeUri`) and once without a scope,
and lints each document with the section of the folder that contains it."""
from __future__ import annotations

import pytest_lsp
from lsprotocol import types as T
from lsp_helpers import config, initialize, open_doc, published, write
from pytest_lsp import LanguageClient

TEXT = "FROM x\nRUN --mount=type=cache,targt=/root/.cache/pip pip install y\n"


def _cm301(params: T.PublishDiagnosticsParams) -> list[int]:
    """The severities of the CM301 diagnostics (the misspelt `targt`)."""
    return [int(d.severity) for d in params.diagnostics if d.code == "CM301"]


def _scopes(client) -> list[list[str | None]]:
    return [[item.scope_uri for item in p.items] for p in client.configuration_requests]


@pytest_lsp.fixture(config=config(), params=["visual-studio-code", "neovim"])
async def two_folders(lsp_client: LanguageClient, request, tmp_path):
    alpha, beta = tmp_path / "alpha", tmp_path / "beta"
    alpha.mkdir()
    beta.mkdir()
    lsp_client.set_configuration({"rules": {"CM301": False}}, section="cachemount", scope_uri=alpha.as_uri())
    lsp_client.set_configuration({"severity": {"CM301": "hint"}}, section="cachemount", scope_uri=beta.as_uri())
    await initialize(lsp_client, request.param, tmp_path, folders=[alpha, beta])
    yield
    await lsp_client.shutdown_session()


async def test_each_folder_lints_with_its_own_settings(two_folders, tmp_path):
    client = two_folders
    alpha = write(tmp_path, "alpha/Dockerfile", TEXT)
    beta = write(tmp_path, "beta/sub/Dockerfile", TEXT)
    outside = write(tmp_path, "elsewhere/Dockerfile", TEXT)     # in no folder: the global section
    for uri in (alpha, beta, outside):
        open_doc(client, uri, TEXT)
    assert _cm301(await published(client, alpha, 1)) == []               # rules: CM301 off
    assert _cm301(await published(client, beta, 1)) == [4]               # severity: hint
    assert _cm301(await published(client, outside, 1)) == [1]            # the default: error
    folders = [(tmp_path / "alpha").as_uri(), (tmp_path / "beta").as_uri()]
    assert _scopes(client) == [[None, *folders]]

    # didChangeConfiguration: every section is asked again
    client.set_configuration({"severity": {"CM301": "information"}}, section="cachemount",
                             scope_uri=(tmp_path / "alpha").as_uri())
    mark = len(client.published)
    client.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings=None))
    assert _cm301(await published(client, alpha, 1, start=mark)) == [3]
    assert _cm301(await published(client, beta, 1, start=mark)) == [4]
    assert _scopes(client)[-1] == [None, *folders]


async def test_a_folder_added_later_gets_its_own_settings(two_folders, tmp_path):
    client = two_folders
    gamma = tmp_path / "gamma"
    client.set_configuration({"severity": {"CM301": "warning"}}, section="cachemount", scope_uri=gamma.as_uri())
    early = write(tmp_path, "gamma/Dockerfile", TEXT)
    open_doc(client, early, TEXT)
    assert _cm301(await published(client, early, 1)) == [1]     # not a folder yet: the global section

    mark = len(client.published)
    client.workspace_did_change_workspace_folders(T.DidChangeWorkspaceFoldersParams(event=T.WorkspaceFoldersChangeEvent(
        added=[T.WorkspaceFolder(uri=gamma.as_uri(), name="gamma")], removed=[])))
    assert _cm301(await published(client, early, 1, start=mark)) == [2]    # re-linted with gamma's section
    assert _scopes(client)[-1] == [gamma.as_uri()]                          # only the new folder is asked
    late = write(tmp_path, "gamma/api/Dockerfile", TEXT)
    open_doc(client, late, TEXT)
    assert _cm301(await published(client, late, 1)) == [2]

    # a removed folder's section is dropped: its documents fall back to the global section
    mark = len(client.published)
    client.workspace_did_change_workspace_folders(T.DidChangeWorkspaceFoldersParams(event=T.WorkspaceFoldersChangeEvent(
        added=[], removed=[T.WorkspaceFolder(uri=gamma.as_uri(), name="gamma")])))
    assert _cm301(await published(client, late, 1, start=mark)) == [1]

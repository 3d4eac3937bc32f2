""""Fix all cachemount problems" in the quick-fix menu (editors hide source actions there): offered
next to a finding's own quick fixes when at least two findings have a safe fix, a `quickfix`, never
preferred, and it applies exactly what `source.fixAll.cachemount` applies (safe fixes only),
resolved lazily for clients that resolve edits and sent at once for those that cannot."""
from __future__ import annotations

import pytest_lsp
from lsp_helpers import apply_edits, config, edits_of, encoding_of, lsp_range, open_doc, published, write
from lsprotocol import types as T
from pytest_lsp import LanguageClient, client_capabilities

from cachemount.document.scanner import parse
from cachemount.findings import SAFE, UNSAFE, Edit, Finding, Fix
from cachemount.lint import apply_all, lint
from cachemount.lsp import actions

TITLE = "Fix all cachemount problems"

# two uncached pip installs under a non-root USER: two findings, each with a safe fix; fix-all also
# creates the cache directory once (not what applying the two quick fixes one by one gives)
TWO = (
    "FROM python:3.12-slim\n"
    "RUN useradd -m -u 1001 app\n"
    "USER app\n"
    "WORKDIR /home/app\n"
    "COPY requirements.txt .\n"
    "RUN pip install -r requirements.txt\n"
    "RUN pip install gunicorn\n"
)
ONE = (
    "FROM python:3.12-slim\n"
    "RUN pip install flask\n"
)


def _kind(action: T.CodeAction) -> str:
    return str(getattr(action.kind, "value", action.kind))


async def _open(client, tmp_path, text, name):
    uri = write(tmp_path / name, "Dockerfile", text)
    open_doc(client, uri, text)
    diagnostics = (await published(client, uri, 1)).diagnostics
    return uri, diagnostics


async def _actions(client, uri, rng, only=None, diagnostics=()):
    return await client.text_document_code_action_async(T.CodeActionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), range=rng,
        context=T.CodeActionContext(diagnostics=list(diagnostics), only=only)))


async def _edit_of(client, action: T.CodeAction) -> T.WorkspaceEdit:
    if action.edit is None:
        action = await client.code_action_resolve_async(action)
    assert action.edit is not None
    return action.edit


async def test_the_quick_fix_menu_offers_fix_all_and_it_applies_what_fix_all_applies(client, tmp_path):
    enc = encoding_of(client)
    uri, diagnostics = await _open(client, tmp_path, TWO, "two")
    assert [d.code for d in diagnostics] == ["CM101", "CM101"]
    first = diagnostics[0]
    # the lightbulb / Ctrl+. (no `only`), and a menu filtered to quick fixes
    for only in (None, [T.CodeActionKind.QuickFix]):
        got = await _actions(client, uri, first.range, only, [first])
        mine = [a for a in got if a.title == TITLE]
        assert len(mine) == 1, [a.title for a in got]
        action = mine[0]
        assert _kind(action) == "quickfix" and not action.is_preferred
        # after the finding's own fixes: its own quick fix stays the first, preferred one
        assert got[0].is_preferred and got[0].title.startswith("Add cache mount for pip")
        fixed = apply_edits(TWO, edits_of(await _edit_of(client, action), uri), enc)
        assert fixed == apply_all(TWO)[0]
        assert "RUN mkdir -p /home/app/.cache/pip\n" in fixed and lint(fixed) == []

    # the same edit as source.fixAll (one home: actions.fix_all_edit)
    [source] = await _actions(client, uri, lsp_range(TWO, 0, 0, enc), [T.CodeActionKind.SourceFixAll])
    assert apply_edits(TWO, edits_of(source.edit, uri), enc) == apply_all(TWO)[0]


async def test_not_offered_for_a_single_fixable_finding_nor_away_from_findings_nor_for_source_kinds(client, tmp_path):
    enc = encoding_of(client)
    uri, [only_one] = await _open(client, tmp_path, ONE, "one")
    got = await _actions(client, uri, only_one.range, None, [only_one])
    assert got and TITLE not in [a.title for a in got]   # fix-all would do what the quick fix does

    uri, diagnostics = await _open(client, tmp_path, TWO, "two")
    from_line = lsp_range(TWO, 0, len("FROM"), enc)   # no finding there: no quick fix menu to join
    assert TITLE not in [a.title for a in await _actions(client, uri, from_line)]
    for only in ([T.CodeActionKind.SourceFixAll], [T.CodeActionKind.Source], ["source.fixAll.cachemount"]):
        got = await _actions(client, uri, diagnostics[0].range, only, diagnostics[:1])
        assert TITLE not in [a.title for a in got], only


async def test_resolved_lazily_by_clients_that_resolve_edits(client, tmp_path):
    uri, diagnostics = await _open(client, tmp_path, TWO, "two")
    [action] = [a for a in await _actions(client, uri, diagnostics[1].range, None, diagnostics[1:]) if a.title == TITLE]
    support = client_capabilities(client.client_name).text_document.code_action.resolve_support
    resolves = support is not None and "edit" in support.properties
    assert (action.edit is None) == resolves
    if resolves:
        assert action.data == {"uri": uri, "version": 1}


@pytest_lsp.fixture(config=config())
async def plain_client(lsp_client: LanguageClient, tmp_path):
    """A client that cannot resolve a code action's edit."""
    caps = client_capabilities("neovim@0.7")
    caps.text_document.code_action.resolve_support = None
    lsp_client.init_result = await lsp_client.initialize_session(T.InitializeParams(capabilities=caps,
                                                                                     root_uri=tmp_path.as_uri()))
    lsp_client.client_name = "plain"
    yield
    await lsp_client.shutdown_session()


async def test_sent_with_its_edit_to_clients_that_cannot_resolve(plain_client, tmp_path):
    client = plain_client
    enc = encoding_of(client)
    uri, diagnostics = await _open(client, tmp_path, TWO, "two")
    got = await _actions(client, uri, diagnostics[0].range, None, diagnostics[:1])
    [action] = [a for a in got if a.title == TITLE]
    assert action.edit is not None
    assert apply_edits(TWO, edits_of(action.edit, uri), enc) == apply_all(TWO)[0]


# -- which findings count (made by hand: the rules' unsafe fixes need particular files) -------------

TEXT = "FROM x\nRUN --mount=type=cache,targt=/root/.cache/pip pip install y\n"
START = TEXT.index("targt")
TYPO = Edit(START, START + len("targt"), "target")


def _finding(*fixes: Fix) -> Finding:
    return Finding("CM301", "mount-options", "error", "targt is not an option", START, START + 5, fix_source=fixes)


def _offers(findings, only=()):
    found = actions.offers(findings, 0, len(TEXT), list(only), TEXT, parse(TEXT))
    return actions.offers_fix_all_quick_fix(findings, found, list(only))


def test_only_safe_fixes_count_and_the_range_needs_a_fix_of_its_own():
    safe, unsafe = Fix("Change", (TYPO,), applicability=SAFE), Fix("Rewrite", (TYPO,), applicability=UNSAFE)
    assert _offers([_finding(safe), _finding(safe)])
    assert not _offers([_finding(safe), _finding(unsafe)])       # fix-all would fix one finding
    assert not _offers([_finding(safe)])
    assert _offers([_finding(unsafe, safe), _finding(safe)])     # a finding's first safe fix counts
    assert not _offers([_finding(safe), _finding(safe)], only=["source.fixAll"])
    assert _offers([_finding(safe), _finding(safe)], only=["quickfix"])
    # a range whose finding has no fix (only "Ignore ...") gets no fix-all either
    no_fix = Finding("CM301", "mount-options", "error", "x", START, START + 5)
    found = actions.offers([no_fix], 0, len(TEXT), [], TEXT, parse(TEXT))
    assert [o.title for o in found] == ["Ignore CM301 for this instruction"]
    assert not actions.offers_fix_all_quick_fix([no_fix, _finding(safe), _finding(safe)], found, [])

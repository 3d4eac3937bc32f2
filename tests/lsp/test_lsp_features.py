"""Code actions (each kind, applied to the text), hover on every option key and a value, completion."""
from __future__ import annotations

import pytest_lsp
from lsprotocol import types as T
from lsp_helpers import (apply_edits, at, change_full, config, edits_of, encoding_of, lsp_position, lsp_range,
                         open_doc, published, write)
from pytest_lsp import LanguageClient, client_capabilities

from cachemount.lint import lint
from cachemount.lint import apply_all

BROKEN = (
    "FROM python:3.12-slim\n"
    "COPY requirements.txt .\n"
    "RUN --mount=type=cache,targt=/root/.cache/pip,sharing=lock pip install -r requirements.txt\n"
    'CMD ["python"]\n'
)

USER_APP = (
    "FROM python:3.12-slim AS deps\n"
    "FROM python:3.12-slim\n"
    "RUN useradd -m -u 1001 app\n"
    "USER app\n"
    "# cachemount: ignore=CM103\n"
    "RUN --mount=type=cache,target=/root/.cache/pip,uid=1000,gid=1000,sharing=locked,mode=0755 --network=none "
    "pip install requests\n"
)


def _doc(client, tmp_path, text, name="Dockerfile"):
    uri = write(tmp_path, name, text)
    open_doc(client, uri, text)
    return uri


async def _actions(client, uri, rng, only=None, diagnostics=()):
    return await client.text_document_code_action_async(T.CodeActionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), range=rng,
        context=T.CodeActionContext(diagnostics=list(diagnostics), only=only)))


async def _relint(client, uri, text, version):
    change_full(client, uri, text, version)
    return await published(client, uri, version)


async def test_quickfix_and_ignore_actions_apply(client, tmp_path):
    enc = encoding_of(client)
    uri = _doc(client, tmp_path, BROKEN)
    diags = (await published(client, uri, 1)).diagnostics
    targt = next(d for d in diags if d.code == "CM301" and "targt" in d.message)
    actions = await _actions(client, uri, targt.range, diagnostics=[targt])
    titles = [a.title for a in actions]
    fix = next(a for a in actions if a.title == "Change targt to target")
    assert str(getattr(fix.kind, "value", fix.kind)) == "quickfix" and fix.is_preferred
    assert fix.diagnostics[0].code == "CM301" and fix.diagnostics[0].range == targt.range
    assert "Ignore CM301 for this instruction" in titles
    edits = edits_of(fix.edit, uri)
    assert len(edits) == 1 and edits[0].range == targt.range and edits[0].new_text == "target"
    fixed = apply_edits(BROKEN, edits, enc)
    assert "target=/root/.cache/pip" in fixed
    after = await _relint(client, uri, fixed, 2)
    assert not any("targt" in d.message for d in after.diagnostics)

    ignore = next(a for a in actions if a.title == "Ignore CM301 for this instruction")
    assert not ignore.is_preferred
    ignored = apply_edits(BROKEN, edits_of(ignore.edit, uri), enc)
    assert "COPY requirements.txt .\n# cachemount: ignore=CM301\nRUN --mount" in ignored
    after = await _relint(client, uri, ignored, 3)
    assert not any(d.code == "CM301" for d in after.diagnostics)


async def test_every_fix_of_every_finding_is_an_action(client, tmp_path):
    enc = encoding_of(client)
    uri = _doc(client, tmp_path, BROKEN)
    diags = (await published(client, uri, 1)).diagnostics
    whole = lsp_range(BROKEN, 0, len(BROKEN), enc)
    actions = await _actions(client, uri, whole, only=[T.CodeActionKind.QuickFix], diagnostics=diags)
    expected = [fix.title for f in lint(BROKEN) for fix in f.fixes if fix.edits]
    titles = [a.title for a in actions]
    for title in expected:
        assert title in titles
    assert not any(str(getattr(a.kind, "value", a.kind)) == "source.fixAll.cachemount" for a in actions)
    for a in actions:
        if a.title.startswith("Ignore"):
            continue
        edit = a.edit or (await client.code_action_resolve_async(a)).edit   # "Fix all ...": resolved
        new = apply_edits(BROKEN, edits_of(edit, uri), enc)
        assert new != BROKEN
        assert lint(new) != lint(BROKEN)


async def test_fix_all_is_minimal_and_matches_cli_fix(client, tmp_path):
    enc = encoding_of(client)
    uri = _doc(client, tmp_path, BROKEN)
    await published(client, uri, 1)
    actions = await _actions(client, uri, lsp_range(BROKEN, 0, 0, enc), only=[T.CodeActionKind.SourceFixAll])
    assert [str(getattr(a.kind, "value", a.kind)) for a in actions] == ["source.fixAll.cachemount"]
    action = actions[0]
    # asked for by kind (as on save), fix-all comes with its edit: nothing left to resolve when the
    # editor's save goes ahead (VS Code skipped the resolve of a cancelled save participant)
    assert action.edit is not None
    edits = edits_of(action.edit, uri)
    new = apply_edits(BROKEN, edits, enc)
    assert new == apply_all(BROKEN)[0]
    lines = BROKEN.count("\n")
    for e in edits:   # never a whole-document replacement
        assert not (e.range.start.line == 0 and e.range.end.line >= lines)
    assert all(e.range.start.line >= 1 for e in edits), "the unchanged FROM line is not rewritten"
    after = await _relint(client, uri, new, 2)
    assert [d.code for d in after.diagnostics] == [f.code for f in lint(new)]


async def test_fix_all_in_the_source_action_menu_is_resolved_on_demand(client, tmp_path):
    """The menu lists fix-all among every source action: its edit is computed only when chosen
    (by clients that resolve edits), the same text as when asked for by kind."""
    enc = encoding_of(client)
    uri = _doc(client, tmp_path, BROKEN)
    await published(client, uri, 1)
    actions = await _actions(client, uri, lsp_range(BROKEN, 0, 0, enc), only=[T.CodeActionKind.Source])
    [action] = [a for a in actions if str(getattr(a.kind, "value", a.kind)) == "source.fixAll.cachemount"]
    support = client_capabilities(client.client_name).text_document.code_action.resolve_support
    resolves = support is not None and "edit" in support.properties
    assert (action.edit is None) == resolves
    if action.edit is None:
        action = await client.code_action_resolve_async(action)
    assert apply_edits(BROKEN, edits_of(action.edit, uri), enc) == apply_all(BROKEN)[0]


async def test_no_actions_where_nothing_is_wrong(client, tmp_path):
    enc = encoding_of(client)
    uri = _doc(client, tmp_path, BROKEN)
    await published(client, uri, 1)
    assert list(await _actions(client, uri, lsp_range(BROKEN, 0, 4, enc))) == []


# -- hover ------------------------------------------------------------------------------------------

async def _hover(client, uri, text, needle, delta=0, nth=0):
    enc = encoding_of(client)
    return await client.text_document_hover_async(T.HoverParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=at(text, needle, enc, delta, nth)))


async def test_hover_on_every_option_key_and_values(client, tmp_path):
    enc = encoding_of(client)
    uri = _doc(client, tmp_path, USER_APP)
    await published(client, uri, 1)
    run = USER_APP.index("RUN --mount")
    cases = [
        ("--mount", 0, "RUN --mount", "--mount=type=cache,target=/root/.cache/pip,uid=1000,gid=1000,sharing=locked,mode=0755"),
        ("type=", 0, "mount type", "type"),
        ("cache,", 0, "survives", "cache"),
        ("target=", 0, "Mount path", "target"),
        ("/root/.cache/pip", 0, "/home/app/.cache/pip", "/root/.cache/pip"),
        ("uid=", 0, "uid=1001", "uid"),
        ("1000,gid", 0, "USER app", "1000"),
        ("gid=", 0, "group", "gid"),
        ("sharing=", 0, "concurrent", "sharing"),
        ("locked", 0, "second writer waits", "locked"),
        ("mode=", 0, "Octal", "mode"),
        ("0755", 0, "rwxr-xr-x", "0755"),
        ("--network", 0, "RUN --network", "--network=none"),
        ("none", 0, "No network access", "none"),
        ("CM103", 0, "cache-defeated", "CM103"),
    ]
    markdown = client.client_name in ("visual-studio-code", "neovim")
    for needle, delta, expect, span in cases:
        hover = await _hover(client, uri, USER_APP, needle, delta)
        assert hover is not None, needle
        assert hover.contents.kind == (T.MarkupKind.Markdown if markdown else T.MarkupKind.PlainText)
        assert expect in hover.contents.value, (needle, hover.contents.value)
        start = USER_APP.index(span, run if needle != "CM103" else 0)
        assert hover.range == lsp_range(USER_APP, start, start + len(span), enc), needle
    # context: the target is root's, but pip runs as app
    target = await _hover(client, uri, USER_APP, "/root/.cache/pip")
    assert "pip caches in `/home/app/.cache/pip`" in target.contents.value
    assert "✗" in target.contents.value
    owner = await _hover(client, uri, USER_APP, "1000,gid")
    assert "USER app" in owner.contents.value and "not writable" in owner.contents.value


async def test_hover_matching_cache_and_other_keys(vscode, tmp_path):
    client = vscode
    text = ("FROM python:3.12-slim\nARG UV=ghcr.io/astral-sh/uv\nFROM alpine AS tools\n"
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,id=pip,target=/root/.cache/pip,ro "
            "--mount=type=bind,from=tools,source=/bin,target=/x,rw "
            "--mount=type=tmpfs,target=/tmp,size=64m "
            "--mount=type=secret,id=npmrc,env=NPM_TOKEN,required "
            "--mount=type=ssh,dst=/ssh --security=insecure --device=gpu pip install requests\n")
    uri = _doc(client, tmp_path, text)
    await published(client, uri, 1)
    checks = [("/root/.cache/pip", "✓ matches"), ("id=pip", "Identity"), ("ro ", "Read-only"),
              ("from=tools", "stage"), ("tools,source", "`tools`"), ("source=/bin", "inside `from`"),
              ("rw ", "discarded"), ("size=", "tmpfs size"), ("64m", "67,108,864 bytes"),
              ("env=", "environment variable"), ("required", "Fail the build"), ("dst=", "Mount path"),
              ("--security", "sandbox"), ("--device", "CDI")]
    for needle, expect in checks:
        hover = await _hover(client, uri, text, needle)
        assert hover is not None and expect in hover.contents.value, (needle, hover and hover.contents.value)


async def test_hover_outside_flags_is_empty(client, tmp_path):
    uri = _doc(client, tmp_path, USER_APP)
    await published(client, uri, 1)
    assert await _hover(client, uri, USER_APP, "requests") is None
    assert await _hover(client, uri, USER_APP, "useradd") is None


# -- completion --------------------------------------------------------------------------------------

async def _complete(client, uri, text, offset):
    enc = encoding_of(client)
    return await client.text_document_completion_async(T.CompletionParams(
        text_document=T.TextDocumentIdentifier(uri=uri), position=lsp_position(text, offset, enc),
        context=T.CompletionContext(trigger_kind=T.CompletionTriggerKind.Invoked)))


PREFIX = "FROM python:3.12-slim AS deps\nFROM python:3.12-slim\nRUN useradd -m -u 1001 app\nUSER app\n"


async def _complete_line(client, tmp_path, line: str, name="Dockerfile"):
    """Complete at `|` in `line` (the last line of the document)."""
    text = PREFIX + line.replace("|", "") + "\n"
    offset = len(PREFIX) + line.index("|")
    uri = _doc(client, tmp_path, text, name)
    result = await _complete(client, uri, text, offset)
    return text, offset, result.items


async def test_completion_keys_values_targets_snippets_flags(client, tmp_path):
    enc = encoding_of(client)
    snippets = client.client_name in ("visual-studio-code", "neovim")   # both declare snippetSupport

    text, offset, items = await _complete_line(client, tmp_path, "RUN --mount=type=cache,| pip install x", "D1")
    labels = [i.label for i in items]
    assert {"target", "id", "sharing", "uid", "gid", "mode", "from", "source", "ro", "rw"} <= set(labels)
    assert "type" not in labels and "size" not in labels and "required" not in labels
    target = next(i for i in items if i.label == "target")
    assert target.text_edit.new_text == "target=" and target.kind == T.CompletionItemKind.Property
    assert target.text_edit.range == lsp_range(text, offset, offset, enc)

    _, _, items = await _complete_line(client, tmp_path, "RUN --mount=type=| pip install x", "D2")
    assert [i.label for i in items] == ["bind", "cache", "tmpfs", "secret", "ssh"]

    _, _, items = await _complete_line(client, tmp_path, "RUN --mount=type=cache,target=/x,sharing=| pip install x", "D3")
    assert [i.label for i in items] == ["shared", "private", "locked"]

    text, offset, items = await _complete_line(client, tmp_path, "RUN --mount=type=cache,target=/ro| pip install x", "D4")
    assert [i.label for i in items] == ["/home/app/.cache/pip"]
    start = offset - len("/ro")
    assert items[0].text_edit.range == lsp_range(text, start, offset, enc)

    _, _, items = await _complete_line(client, tmp_path, "RUN --mount=type=cache,target=/x,uid=| pip install x", "D5")
    assert [i.label for i in items] == ["1001"]

    _, _, items = await _complete_line(client, tmp_path, "RUN --mount=type=bind,target=/x,from=| pip install x", "D6")
    assert [i.label for i in items] == ["deps"]

    text, offset, items = await _complete_line(client, tmp_path, "RUN --mount=| pip install x", "D7")
    snippet = next(i for i in items if i.kind == T.CompletionItemKind.Snippet)
    plain = "type=cache,target=/home/app/.cache/pip,uid=1001,gid=1001"
    if snippets:
        assert snippet.insert_text_format == T.InsertTextFormat.Snippet
        assert snippet.text_edit.new_text == "type=cache,target=${1:/home/app/.cache/pip},uid=1001,gid=1001$0"
    else:
        assert snippet.text_edit.new_text == plain
    assert [i.label for i in items if i.preselect] == ["type"]

    text, offset, items = await _complete_line(client, tmp_path, "RUN --| pip install x", "D8")
    flags = [i.label for i in items if i.kind == T.CompletionItemKind.Keyword]
    assert flags == ["--mount", "--network", "--security", "--device"]
    mount = next(i for i in items if i.label == "--mount")
    assert mount.text_edit.new_text == "--mount=" and mount.text_edit.range == lsp_range(text, offset - 2, offset, enc)
    assert any(i.kind == T.CompletionItemKind.Snippet and "pip" in i.label for i in items)

    _, _, items = await _complete_line(client, tmp_path, "RUN --network=| pip install x", "D9")
    assert [i.label for i in items] == ["default", "none", "host"]

    _, _, items = await _complete_line(client, tmp_path, "RUN pip install -| x", "D10")
    assert list(items) == []


async def test_completion_with_non_ascii_before_cursor(client, tmp_path):
    enc = encoding_of(client)
    text, offset, items = await _complete_line(
        client, tmp_path, "RUN --mount=type=cache,target=/😀/日本,sharing=| pip install x", "D11")
    assert [i.label for i in items] == ["shared", "private", "locked"]
    assert items[0].text_edit.range == lsp_range(text, offset, offset, enc)


@pytest_lsp.fixture(config=config())
async def plain_client(lsp_client: LanguageClient, tmp_path):
    """A client without markdown, snippets, resolve support or versioned workspace edits."""
    caps = client_capabilities("neovim@0.7")
    caps.text_document.hover.content_format = [T.MarkupKind.PlainText]
    caps.text_document.completion.completion_item.snippet_support = False
    caps.text_document.completion.completion_item.documentation_format = [T.MarkupKind.PlainText]
    caps.text_document.code_action.resolve_support = None
    params = T.InitializeParams(capabilities=caps, root_uri=tmp_path.as_uri())
    lsp_client.init_result = await lsp_client.initialize_session(params)
    lsp_client.client_name = "plain"
    yield
    await lsp_client.shutdown_session()


async def test_plain_text_client(plain_client, tmp_path):
    client = plain_client
    assert encoding_of(client) == "utf-16"
    uri = _doc(client, tmp_path, USER_APP)
    await published(client, uri, 1)
    hover = await _hover(client, uri, USER_APP, "/root/.cache/pip")
    assert hover.contents.kind == T.MarkupKind.PlainText
    assert "`" not in hover.contents.value and "pip caches in /home/app/.cache/pip" in hover.contents.value
    text, offset, items = await _complete_line(client, tmp_path, "RUN --mount=| pip install x", "P1")
    snippet = next(i for i in items if i.kind == T.CompletionItemKind.Snippet)
    assert snippet.insert_text_format == T.InsertTextFormat.PlainText
    assert snippet.text_edit.new_text == "type=cache,target=/home/app/.cache/pip,uid=1001,gid=1001"
    assert all(isinstance(i.documentation, (str, type(None))) for i in items)
    enc = encoding_of(client)
    uri2 = _doc(client, tmp_path, BROKEN, "P2")
    await published(client, uri2, 1)
    actions = await _actions(client, uri2, lsp_range(BROKEN, 0, 0, enc), only=[T.CodeActionKind.SourceFixAll])
    assert len(actions) == 1 and actions[0].edit is not None   # no resolve support: computed eagerly
    assert apply_edits(BROKEN, edits_of(actions[0].edit, uri2), enc) == apply_all(BROKEN)[0]

"""Settings-file mistakes in the editor (issue 12): bad TOML, a `.cachemount.toml` written with a
`[tool.cachemount]` header, an unknown rule code or severity appear as one window/showMessage
warning per settings file and content (not one per keystroke or per Dockerfile), naming the file
and the key, and the server goes on with the valid rest of the file (or the defaults)."""
from __future__ import annotations

from lsprotocol import types as T
from lsp_helpers import change_full, open_doc, published, quiet, write

MOUNT_TYPO = "FROM x\nRUN --mount=type=cache,targt=/root/.cache/pip pip install y\n"   # CM301, an error


def warnings_about(client, path) -> list[str]:
    return [m.message for m in client.messages
            if int(m.type) == int(T.MessageType.Warning) and str(path) in m.message]


def severities(params: T.PublishDiagnosticsParams) -> dict[str, int]:
    return {str(d.code): int(d.severity) for d in params.diagnostics}


def settings_changed(client, path) -> None:
    client.workspace_did_change_watched_files(T.DidChangeWatchedFilesParams(changes=[
        T.FileEvent(uri=path.as_uri(), type=T.FileChangeType.Changed)]))


async def test_bad_toml_is_one_warning_for_every_keystroke_and_dockerfile(client, tmp_path):
    settings = tmp_path / ".cachemount.toml"
    settings.write_text("rules = { CM301 = false\n", encoding="utf-8")
    uri = write(tmp_path, "Dockerfile", MOUNT_TYPO)
    other = write(tmp_path, "sub/api.Dockerfile", MOUNT_TYPO)
    open_doc(client, uri, MOUNT_TYPO)
    assert "CM301" in severities(await published(client, uri, 1))      # the defaults apply
    for version in (2, 3, 4):
        change_full(client, uri, MOUNT_TYPO + "\n" * version, version)
        await published(client, uri, version)
    open_doc(client, other, MOUNT_TYPO)
    await published(client, other, 1)
    await quiet()
    (message,) = warnings_about(client, settings)
    assert "cannot read settings" in message and "line 1" in message and "using defaults" in message


async def test_pyproject_header_in_cachemount_toml(client, tmp_path):
    settings = tmp_path / ".cachemount.toml"
    settings.write_text("[tool.cachemount]\nrules = { CM301 = false }\n", encoding="utf-8")
    uri = write(tmp_path, "Dockerfile", MOUNT_TYPO)
    open_doc(client, uri, MOUNT_TYPO)
    assert "CM301" in severities(await published(client, uri, 1))      # the header's settings are ignored
    await quiet()
    (message,) = warnings_about(client, settings)
    assert "tool.cachemount" in message and "remove the [tool.cachemount] header" in message


async def test_unknown_code_and_severity_are_shown_and_the_valid_rest_applies(client, tmp_path):
    settings = tmp_path / "pyproject.toml"
    settings.write_text('[tool.cachemount]\nseverity = { CM301 = "hint", CM999 = "error", CM101 = "loud" }\n',
                        encoding="utf-8")
    text = MOUNT_TYPO + "RUN pip install z\n"
    uri = write(tmp_path, "Dockerfile", text)
    open_doc(client, uri, text)
    got = severities(await published(client, uri, 1))
    assert got["CM301"] == 4 and got["CM101"] == 2      # CM301's severity applies; CM101 keeps its default
    await quiet()
    (message,) = warnings_about(client, settings)
    assert "tool.cachemount.severity.CM999: unknown rule code" in message
    assert "tool.cachemount.severity.CM101: expected one of error, warning, information, hint" in message
    assert "the rest of the file applies" in message


async def test_shown_again_only_when_the_problems_change(vscode, tmp_path):
    client = vscode
    settings = tmp_path / ".cachemount.toml"
    settings.write_text('severity = { CM999 = "error" }\n', encoding="utf-8")
    uri = write(tmp_path, "Dockerfile", MOUNT_TYPO)
    open_doc(client, uri, MOUNT_TYPO)
    await published(client, uri, 1)
    await quiet()
    assert len(warnings_about(client, settings)) == 1
    # another mistake: shown
    settings.write_text('severity = { CM999 = "error" }\nselct = ["CM1"]\n', encoding="utf-8")
    mark = len(client.published)
    settings_changed(client, settings)
    await published(client, uri, 1, start=mark)
    await quiet()
    shown = warnings_about(client, settings)
    assert len(shown) == 2 and "selct: unknown setting" in shown[1] and "CM999" not in shown[1]
    # fixed, then the first mistake again: shown again
    settings.write_text('severity = { CM301 = "hint" }\n', encoding="utf-8")
    mark = len(client.published)
    settings_changed(client, settings)
    assert severities(await published(client, uri, 1, start=mark))["CM301"] == 4
    settings.write_text('severity = { CM999 = "error", CM301 = "hint" }\n', encoding="utf-8")
    mark = len(client.published)
    settings_changed(client, settings)
    assert severities(await published(client, uri, 1, start=mark))["CM301"] == 4
    await quiet()
    shown = warnings_about(client, settings)
    assert len(shown) == 3 and "severity.CM999: unknown rule code" in shown[2]


def test_problem_messages_once_per_file_and_content():
    from cachemount.lsp.settings_problems import ProblemMessages
    from cachemount.settings.model import Settings

    shown: list[str] = []
    messages = ProblemMessages(shown.append)
    a = Settings(problems=("/p/.cachemount.toml: selct: unknown setting",), source="/p/.cachemount.toml")
    b = Settings(problems=("/q/pyproject.toml: cannot read settings (x); using defaults",),
                 source="/q/pyproject.toml", unreadable=True)
    for _ in range(3):
        messages.report(a)
        messages.report(b)
    assert shown == ["cachemount: settings file /p/.cachemount.toml: selct: unknown setting "
                     "(the rest of the file applies)",
                     "cachemount: settings file /q/pyproject.toml: cannot read settings (x); using defaults"]
    messages.report(Settings(source="/p/.cachemount.toml"))          # fixed
    messages.report(Settings())                                      # no settings file: nothing to say
    messages.report(a)                                               # broken again
    assert len(shown) == 3 and shown[2] == shown[0]
    ProblemMessages(None).report(a)                                  # a store without a window: no error

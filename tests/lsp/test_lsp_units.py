"""Pure parts of the server: settings merging, document sync, input cap, minimal diff edits."""
from types import SimpleNamespace as NS

from cachemount.fixing.apply import apply_edits
from cachemount.lsp.convert import line_diff
from cachemount.lsp.documents import Documents, is_dockerfile, uri_to_path
from cachemount.lsp.analysis import cut_text, prepare
from cachemount.lsp.settings import SettingsStore, section_of


def _change(sl, sc, el, ec, text):
    return NS(range=NS(start=NS(line=sl, character=sc), end=NS(line=el, character=ec)), text=text)


def test_settings_merge_and_single_log(tmp_path):
    (tmp_path / ".cachemount.toml").write_text('severity = { CM101 = "error" }\nrules = { CM201 = false }\n')
    path = str(tmp_path / "Dockerfile")
    logs = []
    store = SettingsStore(logs.append)
    assert store.for_path(path).severity_of("CM101", "warning") == "error"      # the project file
    store.set_init_options({"cachemount": {"severity": {"CM101": "hint"}}})
    assert store.for_path(path).severity_of("CM101", "warning") == "hint"       # client over file
    assert not store.for_path(path).enabled("CM201")                             # file kept where not overridden
    store.set_client({"severity": {"CM102": "information"}, "rules": {"CM201": True}})
    s = store.for_path(path)
    assert s.severity_of("CM101", "warning") == "hint" and s.severity_of("CM102", "warning") == "information"
    assert s.enabled("CM201")
    store.set_client({"severity": {"CM101": "loud"}, "select": "x"})
    for _ in range(3):
        s = store.for_path(path)
    assert s.severity_of("CM101", "warning") == "hint"    # the invalid value falls back
    assert len(logs) == 1 and "severity.CM101" in logs[0] and "select" in logs[0]
    assert section_of({"cachemount": {"a": 1}}) == {"a": 1} and section_of({"a": 1}) == {"a": 1}
    assert section_of(None) is None and section_of({"cachemount": 3}) is None


def test_documents_apply_incremental_changes():
    docs = Documents()
    assert docs.open("file:///w/notes.txt", "plaintext", 1, "x") is None
    assert docs.open("file:///w/Dockerfile.prod", "plaintext", 1, "x") is not None
    doc = docs.open("file:///w/a/Dockerfile", "dockerfile", 1, "FROM x\r\n# 😀 é\r\nRUN pip install y\r\n")
    assert doc.path == "/w/a/Dockerfile"
    # utf-16: the emoji is 2 units; replace `é` (line 1, units 5..6)
    doc.apply([_change(1, 5, 1, 6, "e")], 2, "utf-16")
    assert doc.text == "FROM x\r\n# 😀 e\r\nRUN pip install y\r\n" and doc.version == 2
    # several changes, each relative to the previous result; past-the-end positions clamp
    doc.apply([_change(2, 4, 2, 7, "uv pip"), _change(0, 99, 0, 99, " AS base")], 3, "utf-16")
    assert doc.text == "FROM x AS base\r\n# 😀 e\r\nRUN uv pip install y\r\n"
    doc.apply([NS(range=None, text="FROM z\n")], 4)
    assert doc.text == "FROM z\n"
    assert docs.close("file:///w/a/Dockerfile") is doc and docs.get("file:///w/a/Dockerfile") is None


def test_dockerfile_detection():
    assert is_dockerfile("dockerfile", None) and is_dockerfile("Containerfile", None)
    assert is_dockerfile("plaintext", "/x/Dockerfile") and is_dockerfile(None, "/x/api.dockerfile")
    assert not is_dockerfile("plaintext", "/x/notes.md")
    assert uri_to_path("file:///a%20b/Dockerfile") == "/a b/Dockerfile"
    assert uri_to_path("untitled:Untitled-1") is None


def test_cut_text_at_an_instruction_boundary():
    text = "FROM x\n" + "RUN a \\\n    && b\n" * 1000
    cut = cut_text(text, 500)
    assert len(cut) <= 500 and cut.endswith("&& b\n") and text.startswith(cut)
    assert cut_text("short", 500) == "short"
    assert prepare("FROM x\n\x00\x01").analysis is None
    big = prepare(text, 500)
    assert big.analysis is not None and "only the first" in big.note


def test_line_diff_is_minimal_and_exact():
    old = "FROM x\nRUN a\nRUN b\nCMD c"
    new = "FROM x\nRUN --mount=type=cache,target=/y a\nRUN b\nENV Z=1\nCMD c"
    edits = line_diff(old, new)
    assert apply_edits(old, edits) == new
    assert all(e.start >= len("FROM x\n") for e in edits)
    assert line_diff(old, old) == []
    assert apply_edits("a\r\nb", line_diff("a\r\nb", "a\r\nc\r\n")) == "a\r\nc\r\n"


def test_settings_per_workspace_folder():
    logs = []
    store = SettingsStore(logs.append)
    store.add_folders(["file:///w", "file:///w/inner", "file:///w2", "untitled:x"])
    assert store.folder_of("/w/inner/Dockerfile") == "file:///w/inner"      # the innermost folder
    assert store.folder_of("/w/innerx/Dockerfile") == "file:///w"           # a path prefix is no folder
    assert store.folder_of("/w2/a/b/Dockerfile") == "file:///w2" and store.folder_of("/elsewhere/Dockerfile") is None
    assert store.folder_of(None) is None
    store.set_client({"severity": {"CM101": "hint"}})                             # the global section
    store.set_client({"severity": {"CM101": "error"}}, "file:///w/inner")
    store.set_client(None, "file:///w")                                          # no answer for this folder
    assert store.for_path("/w/inner/Dockerfile").severity_of("CM101", "warning") == "error"
    assert store.for_path("/w/Dockerfile").severity_of("CM101", "warning") == "hint"
    assert store.for_path("/elsewhere/Dockerfile").severity_of("CM101", "warning") == "hint"
    assert not store.set_client({"severity": {"CM101": "error"}}, "file:///w/inner")   # unchanged
    store.set_client({"severity": {"CM101": "loud"}}, "file:///w2")
    for _ in range(3):   # the folder's section replaces the global one; its invalid value is ignored, once
        assert store.for_path("/w2/Dockerfile").severity_of("CM101", "warning") == "warning"
    assert len(logs) == 1 and "severity.CM101" in logs[0]
    store.remove_folders(["file:///w/inner"])
    assert store.for_path("/w/inner/Dockerfile").severity_of("CM101", "warning") == "hint"
    assert not store.set_client({"rules": {"CM101": False}}, "file:///w/inner")   # an answer for a removed folder
    assert store.for_path("/w/inner/Dockerfile").enabled("CM101")

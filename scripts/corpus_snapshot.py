"""Everything a user can see of cachemount on a set of Dockerfiles, as one JSON file, so a refactor
can be checked byte for byte: run it before and after and `cmp` the two files.

    uv run python scripts/corpus_snapshot.py OUT.json [DIR]    # DIR defaults to ../shared/corpus/files

Recorded per file: `cachemount check` in text, json and github formats with its exit code, `check
--fix -` (the fixed text), and from a real `cachemount serve` over stdio: the published diagnostics,
the code actions for every diagnostic, source.fixAll for the document, hover at every diagnostic's
start and at every `--mount` option, and completion after `--mount=`.
"""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from lsprotocol import types as T
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parents[1]
SERVE = [sys.executable, "-m", "cachemount", "serve"]


def cli(args: list[str], stdin: str | None = None) -> dict:
    proc = subprocess.run([sys.executable, "-m", "cachemount", *args], input=stdin, capture_output=True,
                          text=True, timeout=600)
    return {"rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}


def position(text: str, offset: int) -> T.Position:
    """Code-point offset -> UTF-16 LSP position (the corpus uses \\n line ends)."""
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return T.Position(line=line, character=len(text[start:offset].encode("utf-16-le")) // 2)


async def lsp(files: list[Path]) -> dict:
    client = LanguageClient("snapshot", "1")
    published: dict[str, asyncio.Future] = {}

    @client.feature(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _diagnostics(params: T.PublishDiagnosticsParams) -> None:
        future = published.get(params.uri)
        if future is not None and not future.done():
            future.set_result(params.diagnostics)

    @client.feature(T.WINDOW_LOG_MESSAGE)
    def _log(params: T.LogMessageParams) -> None:
        pass   # server logs are for people; not part of the comparison

    @client.feature(T.WORKSPACE_CONFIGURATION)
    def _configuration(params: T.ConfigurationParams):
        return [None for _ in params.items]

    await client.start_io(*SERVE)
    caps = T.ClientCapabilities(
        text_document=T.TextDocumentClientCapabilities(
            hover=T.HoverClientCapabilities(content_format=[T.MarkupKind.Markdown]),
            code_action=T.CodeActionClientCapabilities(code_action_literal_support=T.ClientCodeActionLiteralOptions(
                code_action_kind=T.ClientCodeActionKindOptions(value_set=[k for k in T.CodeActionKind])))),
        workspace=T.WorkspaceClientCapabilities(configuration=True))
    await client.initialize_async(T.InitializeParams(capabilities=caps))
    client.initialized(T.InitializedParams())
    conv = client.protocol._converter
    out: dict = {}
    for i, path in enumerate(files):
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        uri = f"file:///snapshot/{i}/{path.name}"
        published[uri] = asyncio.get_running_loop().create_future()
        client.text_document_did_open(T.DidOpenTextDocumentParams(
            T.TextDocumentItem(uri=uri, language_id="dockerfile", version=1, text=text)))
        diagnostics = await asyncio.wait_for(published[uri], 60)
        doc = T.TextDocumentIdentifier(uri=uri)
        record: dict = {"diagnostics": conv.unstructure(diagnostics), "actions": [], "hovers": {}}
        for d in diagnostics:
            actions = await client.text_document_code_action_async(T.CodeActionParams(
                doc, d.range, T.CodeActionContext(diagnostics=[d])))
            record["actions"].append(conv.unstructure(actions))
        end = position(text, len(text))
        fix_all = await client.text_document_code_action_async(T.CodeActionParams(
            doc, T.Range(T.Position(0, 0), end),
            T.CodeActionContext(diagnostics=[], only=[T.CodeActionKind.SourceFixAll])))
        record["fix_all"] = conv.unstructure(fix_all)
        positions = [T.Position(0, 0)] + [d.range.start for d in diagnostics]
        at = 0
        while (at := text.find("--mount=", at)) >= 0:
            stops = [j for j in (text.find(" ", at), text.find("\n", at)) if j >= 0]
            flag_end = min(stops or [len(text)])
            positions.extend(position(text, o) for o in range(at, flag_end, 3))
            at = flag_end
        for pos in positions:
            hover = await client.text_document_hover_async(T.HoverParams(doc, pos))
            record["hovers"][f"{pos.line}:{pos.character}"] = conv.unstructure(hover)
        at = text.find("--mount=")
        if at >= 0:
            completion = await client.text_document_completion_async(T.CompletionParams(doc, position(text, at + 8)))
            record["completion"] = conv.unstructure(completion)
        client.text_document_did_close(T.DidCloseTextDocumentParams(doc))
        out[path.name] = record
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return out


def main() -> None:
    target = Path(sys.argv[1])
    corpus = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT.parent / "shared" / "corpus" / "files"
    files = sorted(p for p in corpus.iterdir() if p.is_file() and not p.name.endswith((".tsv", ".md", ".json")))
    snapshot: dict = {"cli": {}, "lsp": {}}
    names = [str(p) for p in files]
    for fmt in ("text", "json", "github"):
        snapshot["cli"][fmt] = cli(["check", "--format", fmt, *names])
    for p in files:
        snapshot["cli"]["fix:" + p.name] = cli(["check", "--fix", "-"], stdin=p.read_text(encoding="utf-8",
                                                                                           errors="surrogateescape"))
    snapshot["lsp"] = asyncio.run(lsp(files))
    target.write_text(json.dumps(snapshot, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{target}: {len(files)} files, {target.stat().st_size} bytes")


if __name__ == "__main__":
    main()

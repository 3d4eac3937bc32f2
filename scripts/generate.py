"""Regenerate every file derived from the code, like ruff's `generate-all`:

- client/package.json: `contributes.configuration.properties` and the untrusted-workspace
  `restrictedConfigurations`, from the settings table (cachemount.settings.model.SETTINGS), with
  the rule codes enumerated from the rule registry;
- README.md: the rules table and the settings-file table;
- client/README.md: the settings table and the rules list;
- docs/rules/<CODE>.md: one page per rule, from its documentation (cachemount.cli.ruledocs).

In the READMEs only the text between `<!-- begin: NAME ... -->` and `<!-- end: NAME -->` is
generated; everything else is hand-written.

    .venv/bin/python scripts/generate.py            # rewrite what is stale
    .venv/bin/python scripts/generate.py --check    # write nothing; exit 1 naming every stale file

`--root DIR` reads and writes the generated files under DIR instead of the repository (the code
they are generated from is always this checkout's)."""
from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "server"))

from cachemount.cli.ruledocs import render as render_rule_page  # noqa: E402
from cachemount.rules import RULES  # noqa: E402
from cachemount.settings.model import SETTINGS, SettingSpec  # noqa: E402

PREFIX = "cachemount."
PAGES = "docs/rules"
_PAGE = re.compile(r"^CM[0-9]+\.md$")


class GenerateError(Exception):
    """A file the generator cannot update (missing markers, invalid JSON): one line for the user."""


# -- pieces -----------------------------------------------------------------------------------------

def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def rules_table() -> str:
    rows = ["| code | name | fires when | fix |", "|---|---|---|---|"]
    for r in RULES:
        d = r.documentation
        rows.append(f"| [{r.code}]({PAGES}/{r.code}.md) | {r.name} | {_cell(d.fires_when)} | {_cell(d.fix_summary)} |")
    return "\n".join(rows) + "\n"


def rules_list() -> str:
    line = "Rules: " + ", ".join(f"`{r.code}` {r.name}" for r in RULES) + "."
    return textwrap.fill(line, 99, break_long_words=False, break_on_hyphens=False) + "\n"


def file_settings_table() -> str:
    rows = ["| key | what it does |", "|---|---|"]
    rows += [f"| `{s.key}` | {_cell(s.summary)} |" for s in SETTINGS if not s.client_only]
    return "\n".join(rows) + "\n"


def editor_settings_table() -> str:
    rows = ["| setting | default | read by | what it does |", "|---|---|---|---|"]
    for s in SETTINGS:
        default = json.dumps(s.default, ensure_ascii=False)
        reader = "the extension" if s.client_only else "the server"
        rows.append(f"| `{PREFIX}{s.key}` | `{default}` | {reader} | {_cell(s.summary)} |")
    return "\n".join(rows) + "\n"


def schema_property(s: SettingSpec) -> dict:
    """One `contributes.configuration.properties` entry (VS Code's JSON Schema dialect)."""
    prop: dict = {"type": list(s.type) if isinstance(s.type, tuple) else s.type}
    first = ("items", "enum")                      # read next to the type
    prop.update((k, v) for k, v in s.schema.items() if k in first)
    prop.update(default=s.default, scope=s.scope, markdownDescription=s.description)
    prop.update((k, v) for k, v in s.schema.items() if k not in first)
    codes = [r.code for r in RULES]
    if s.per_rule == "enum":
        prop["items"] = {**prop.get("items", {}), "enum": codes}
    elif s.per_rule:
        prop["properties"] = {r.code: {"type": s.per_rule, "description": f"{r.name}: {r.documentation.lead}"}
                              for r in RULES}
    return prop


def package_json(text: str) -> str:
    try:
        pkg = json.loads(text)
        configuration = pkg["contributes"]["configuration"]
        untrusted = pkg["capabilities"]["untrustedWorkspaces"]
    except (ValueError, KeyError, TypeError) as exc:
        raise GenerateError(f"not a VS Code extension manifest ({type(exc).__name__}: {exc})") from None
    configuration["properties"] = {PREFIX + s.key: schema_property(s) for s in SETTINGS}
    untrusted["restrictedConfigurations"] = [PREFIX + s.key for s in SETTINGS if s.restricted]
    return json.dumps(pkg, indent=2, ensure_ascii=False) + "\n"


def replace_region(text: str, name: str, content: str) -> str:
    """`text` with the lines between the `name` markers replaced by `content`."""
    pattern = re.compile(rf"(<!-- begin: {re.escape(name)}\b[^>]*-->\n)(.*?)(<!-- end: {re.escape(name)} -->)", re.S)
    found = list(pattern.finditer(text))
    if len(found) != 1:
        raise GenerateError(f"expected one `<!-- begin: {name} -->` ... `<!-- end: {name} -->` region, "
                            f"found {len(found)}")
    m = found[0]
    return text[:m.start(2)] + content + text[m.end(2):]


# -- files ------------------------------------------------------------------------------------------

def _regions(**regions):
    def update(text: str) -> str:
        for name, make in regions.items():
            text = replace_region(text, name, make())
        return text
    return update


# path -> function from the current text to the wanted text
UPDATES = {
    "README.md": _regions(rules=rules_table, settings=file_settings_table),
    "client/README.md": _regions(settings=editor_settings_table, rules=rules_list),
    "client/package.json": package_json,
}


def wanted(root: Path) -> dict[Path, str | None]:
    """Every generated file under `root` and the text it should have (None: it should not exist)."""
    out: dict[Path, str | None] = {}
    for rel, update in UPDATES.items():
        path = root / rel
        try:
            current = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise GenerateError(f"{rel}: cannot read ({exc.__class__.__name__}: {exc})") from None
        try:
            out[path] = update(current)
        except GenerateError as exc:
            raise GenerateError(f"{rel}: {exc}") from None
    pages = root / PAGES
    for r in RULES:
        out[pages / f"{r.code}.md"] = render_rule_page(r)
    if pages.is_dir():   # a page left behind by a removed or renamed rule
        for stale in sorted(p for p in pages.iterdir() if _PAGE.match(p.name)):
            out.setdefault(stale, None)
    return out


def _current(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if a generated file is stale")
    ap.add_argument("--root", type=Path, default=REPO,
                    help="directory holding the generated files (default: the repository)")
    args = ap.parse_args(argv)
    root = args.root.resolve()
    try:
        targets = wanted(root)
        stale = [(p, text) for p, text in targets.items() if _current(p) != text]
    except (GenerateError, OSError, UnicodeDecodeError) as exc:
        print(f"generate: {exc}", file=sys.stderr)
        return 2
    for path, text in stale:
        rel = path.relative_to(root)
        if args.check:
            print(f"stale: {rel}" + (" (no such rule: delete it)" if text is None else ""))
        elif text is None:
            path.unlink()
            print(f"deleted: {rel}")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
            print(f"wrote: {rel}")
    if args.check and stale:
        print(f"{len(stale)} generated file(s) are stale: run `python scripts/generate.py`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

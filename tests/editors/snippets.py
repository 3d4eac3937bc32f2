"""The editor set-up snippets of README.md, as the editor tests run them: the fenced block after a
`<!-- editor-snippet: NAME -->` line. Run as a script: `python snippets.py NAME` prints it."""
from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def snippet(name: str, readme: Path = README) -> str:
    text = readme.read_text(encoding="utf-8")
    found = re.search(rf"^<!-- editor-snippet: {re.escape(name)} -->\n```[\w-]*\n(.*?)^```$", text, re.M | re.S)
    if found is None:
        raise LookupError(f"{readme}: no `<!-- editor-snippet: {name} -->` followed by a fenced block")
    return found.group(1)


if __name__ == "__main__":
    try:
        sys.stdout.write(snippet(sys.argv[1]))
    except (IndexError, LookupError) as exc:
        sys.exit(f"snippets.py: {exc or 'usage: snippets.py NAME'}")

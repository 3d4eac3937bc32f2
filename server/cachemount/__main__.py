"""The entry point (`cachemount`, `python -m cachemount`): the command line, which serves LSP
through the language server face when asked to."""
from __future__ import annotations

import sys


def _serve(tcp: str | None) -> int:
    from .lsp.server import serve
    return serve(tcp)


def main(argv: list[str] | None = None) -> int:
    from .cli import main as cli_main
    return cli_main(argv, serve=_serve)


if __name__ == "__main__":
    sys.exit(main())

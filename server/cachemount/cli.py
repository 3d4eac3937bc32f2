"""Command line: `cachemount check [--fix] ...` and `cachemount serve`. Argument parsing and I/O
only; the work is in `analysis`. Never imports pygls/lsprotocol unless serving."""
from __future__ import annotations

import argparse
import fnmatch
import os
import sys
from dataclasses import replace

from . import __version__

DOCKERFILE_PATTERNS = ("Dockerfile", "Containerfile", "*.Dockerfile", "*.dockerfile", "Dockerfile.*",
                       "Containerfile.*", "*.Containerfile")
_SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".hg", ".svn"})


class UsageError(Exception):
    pass


def is_dockerfile_name(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in DOCKERFILE_PATTERNS)


def discover(paths: list[str]) -> tuple[list[str], list[str]]:
    """Files to check and one-line errors for paths that cannot be used."""
    files: list[str] = []
    errors: list[str] = []
    for path in paths:
        if path == "-":
            files.append(path)
        elif os.path.isdir(path):
            found = []
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
                found.extend(os.path.join(root, n) for n in sorted(names) if is_dockerfile_name(n))
            if not found:
                errors.append(f"{path}: no Dockerfiles found (looked for {', '.join(DOCKERFILE_PATTERNS)})")
            files.extend(found)
        elif os.path.exists(path):
            files.append(path)
        else:
            errors.append(f"{path}: no such file or directory")
    return files, errors


def _codes(value: str | None) -> frozenset[str] | None:
    if value is None:
        return None
    from .rules import BY_CODE, BY_NAME
    out = set()
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        if part in BY_NAME:
            part = BY_NAME[part].code
        part = part.upper()
        if not any(code.startswith(part) for code in BY_CODE):
            raise UsageError(f"unknown rule code {part!r} (known: {', '.join(BY_CODE)})")
        out.add(part)
    return frozenset(out)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cachemount", description="Make Docker builds fast: BuildKit cache mounts "
                                     "and layer order for Dockerfiles.")
    parser.add_argument("--version", action="version", version=f"cachemount {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{check,serve}")
    check = sub.add_parser("check", help="lint Dockerfiles (and fix them with --fix)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories ('-' for stdin; default: .)")
    check.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text")
    check.add_argument("--fix", action="store_true", help="apply every available fix in place")
    check.add_argument("--diff", action="store_true", help="with --fix: print a unified diff instead of writing")
    check.add_argument("--select", metavar="CODES", help="only these rules (comma-separated codes or prefixes)")
    check.add_argument("--ignore", metavar="CODES", help="skip these rules")
    check.add_argument("--stdin-filename", metavar="PATH", help="path to report (and find settings) for '-'")
    serve = sub.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (default)")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead (for debugging)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else 2
    if args.command == "serve":
        from .lsp.server import serve
        return serve(args.tcp)
    if args.command != "check":
        parser.print_help(sys.stderr)
        return 2
    try:
        return _check(args)
    except UsageError as exc:
        print(f"cachemount: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1


def _check(args) -> int:
    from . import config, output
    from .analysis import lint
    from .document.scanner import line_starts
    from .textio import TextError, decode, read

    select = _codes(args.select)
    ignore = _codes(args.ignore) or frozenset()
    if args.diff and not args.fix:
        raise UsageError("--diff needs --fix")
    files, errors = discover(args.paths or ["."])
    status = 0
    located = []
    fixed_files = 0
    for path in files:
        shown = args.stdin_filename or "<stdin>" if path == "-" else path
        try:
            decoded = decode(sys.stdin.buffer.read()) if path == "-" else read(path)
        except TextError as exc:
            errors.append(f"{shown}: {exc}")
            continue
        settings = config.settings_for(None if path == "-" and not args.stdin_filename else shown)
        for problem in settings.problems:
            print(f"cachemount: {problem}", file=sys.stderr)
        settings = replace(settings, select=select if select is not None else settings.select,
                           ignore=settings.ignore | ignore)
        text = decoded.text
        findings = lint(text, settings)
        if args.fix and findings:
            from .fixes import apply_all
            new_text, applied = apply_all(text, settings)
            if new_text != text:
                if args.diff:
                    _print_diff(shown, text, new_text)
                elif path == "-":
                    sys.stdout.write(new_text)
                else:
                    from .textio import write_atomic
                    try:
                        write_atomic(path, new_text, decoded.encoding)
                    except OSError as exc:
                        errors.append(f"{shown}: cannot write fixed file ({exc.strerror or exc})")
                        continue
                    print(f"{shown}: fixed {applied} finding{'s' if applied != 1 else ''}", file=sys.stderr)
                fixed_files += 1
                if not args.diff:
                    text = new_text
                    findings = lint(text, settings)
        starts = line_starts(text)
        located.extend(output.locate(shown, text, starts, f) for f in findings)
    if not (args.fix and args.diff) and not (args.fix and "-" in files):
        sys.stdout.write(output.FORMATS[args.format](located))
    for line in errors:
        print(f"cachemount: {line}", file=sys.stderr)
    if errors:
        status = 2
    elif located:
        status = 1
    return status


def _print_diff(path: str, old: str, new: str) -> None:
    import difflib
    sys.stdout.writelines(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                               f"a/{path.lstrip('/')}", f"b/{path.lstrip('/')}"))


if __name__ == "__main__":
    sys.exit(main())

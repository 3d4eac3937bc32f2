"""Command line: `cachemount check [--fix] ...`, `cachemount explain` and `cachemount serve`. Argument parsing and I/O
only; the work is in `analysis`. Never imports pygls/lsprotocol unless serving."""
from __future__ import annotations

import argparse
import os
import sys
from typing import Callable

from .. import __version__
from ..document.names import DOCKERFILE_PATTERNS, is_dockerfile_name
from ..limits import LimitExceeded

_SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".hg", ".svn"})


class UsageError(Exception):
    pass


def discover(paths: list[str]) -> tuple[list[str], list[str]]:
    """Files to check and one-line errors for paths that cannot be used. Never opens a file: FIFOs,
    devices and sockets are refused from a stat, so a FIFO named `Dockerfile` cannot hang the run.
    An unreadable directory, given or met while walking, is an error: the check is incomplete."""
    from ..textio import TextError, check_regular

    files: list[str] = []
    errors: list[str] = []
    for path in paths:
        if path == "-":
            files.append(path)
        elif os.path.isdir(path):
            found = []
            walk_errors: list[str] = []

            def unreadable(exc: OSError, top: str = path, walk_errors: list[str] = walk_errors) -> None:
                walk_errors.append(f"{exc.filename or top}: cannot read directory ({exc.strerror or exc})")

            for root, dirs, names in os.walk(path, onerror=unreadable):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
                for name in sorted(names):
                    if not is_dockerfile_name(name):
                        continue
                    full = os.path.join(root, name)
                    try:
                        check_regular(full)
                    except TextError as exc:
                        walk_errors.append(f"{full}: {exc}; skipped")
                    else:
                        found.append(full)
            if not found and not walk_errors:
                errors.append(f"{path}: no Dockerfiles found (looked for {', '.join(DOCKERFILE_PATTERNS)})")
            errors.extend(walk_errors)
            files.extend(found)
        elif os.path.exists(path):
            files.append(path)   # `read` refuses special files with a clear message
        else:
            errors.append(f"{path}: no such file or directory")
    return files, errors


def _codes(value: str | None, option: str) -> frozenset[str] | None:
    if value is None:
        return None
    from ..rules import BY_CODE, BY_NAME
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
    if not out and option == "--select":   # selecting nothing would silently pass every file
        raise UsageError("--select needs at least one rule code, prefix or name")
    return frozenset(out)


def build_parser() -> argparse.ArgumentParser:
    return _parsers()[0]


def _parsers() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The top-level parser and each command's (which reports a mistake in that command's options)."""
    parser = argparse.ArgumentParser(prog="cachemount", description="Make Docker builds fast: BuildKit cache mounts "
                                     "and layer order for Dockerfiles.")
    parser.add_argument("--version", action="version", version=f"cachemount {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="{check,explain,serve}")
    check = sub.add_parser("check", help="lint Dockerfiles (and fix them with --fix)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories ('-' for stdin; default: .)")
    check.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text")
    check.add_argument("--fix", action="store_true", help="apply every safe fix in place")
    check.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix: also apply the unsafe fixes (they may change what is built; review them)")
    check.add_argument("--diff", action="store_true", help="with --fix: print a unified diff instead of writing")
    check.add_argument("--select", metavar="CODES", help="only these rules (comma-separated codes or prefixes)")
    check.add_argument("--ignore", metavar="CODES", help="skip these rules")
    check.add_argument("--stdin-filename", metavar="PATH",
                       help="path to report (and find settings and the build context) for '-'")
    check.add_argument("--context", metavar="DIR",
                       help="the build context of every Dockerfile checked (default: a compose/bake file's "
                            "context for it, else its directory; unknown for '-' without --stdin-filename)")
    from . import explain
    explain_parser = explain.add_parser(sub)
    serve = sub.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (default)")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead (for debugging)")
    return parser, {"check": check, "explain": explain_parser, "serve": serve}


def main(argv: list[str] | None = None, serve: Callable[[str | None], int] | None = None) -> int:
    """`serve` runs the language server (given by the entry point, `cachemount.__main__`: the CLI
    does not import the other face)."""
    parser, commands = _parsers()
    try:
        args, unknown = parser.parse_known_args(argv)
        if unknown:   # argparse blames the top level (and prints its usage) even for `check --frobnicate`
            _blamed(parser, commands, args.command, argv, unknown).error(
                f"unrecognized arguments: {' '.join(unknown)}")
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else 2
    if args.command == "serve":
        if serve is None:
            print("cachemount: this entry point cannot serve; run `cachemount serve`", file=sys.stderr)
            return 2
        return serve(args.tcp)
    if args.command == "explain":
        return _explain(args)
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


def _blamed(parser: argparse.ArgumentParser, commands: dict[str, argparse.ArgumentParser], command: str | None,
            argv: list[str] | None, unknown: list[str]) -> argparse.ArgumentParser:
    """The parser whose usage explains `unknown`: the command's, unless they come before the command
    word (the first word that is not an option: the top level takes no option values)."""
    words = sys.argv[1:] if argv is None else argv
    at = next((i for i, word in enumerate(words) if not word.startswith("-")), len(words))
    if command not in commands or any(word in unknown for word in words[:at]):
        return parser
    return commands[command]


def _check(args) -> int:
    _import_engine()
    from . import output
    from ..textio import MAX_FILE_BYTES, TextError, read, read_stream

    select = _codes(args.select, "--select")
    ignore = _codes(args.ignore, "--ignore") or frozenset()
    if args.diff and not args.fix:
        raise UsageError("--diff needs --fix")
    if args.unsafe_fixes and not args.fix:
        raise UsageError("--unsafe-fixes needs --fix")
    if args.context is not None:
        from ..build_context import ContextError, given
        try:
            given(args.context, None, "--context")
        except ContextError as exc:
            raise UsageError(f"--context {exc}") from None
    files, errors = discover(args.paths or ["."])
    located = []
    for path in files:
        shown = args.stdin_filename or "<stdin>" if path == "-" else path
        try:
            decoded = read_stream(sys.stdin.buffer, MAX_FILE_BYTES) if path == "-" else read(path)
        except TextError as exc:
            errors.append(f"{shown}: {exc}")
            continue
        # One file's failure is reported for that file; the others are still checked (and files
        # already fixed stay fixed). Never a traceback.
        try:
            located.extend(_check_one(args, path, shown, decoded, select, ignore, errors))
        except LimitExceeded as exc:
            errors.append(f"{shown}: {exc}")
        except RecursionError:
            errors.append(f"{shown}: internal error analysing this file: nested too deeply (recursion limit)")
        except MemoryError:
            errors.append(f"{shown}: internal error analysing this file: out of memory")
        except BrokenPipeError:
            raise
        except Exception as exc:  # last safety net: a bug on one file must not hide the others
            errors.append(f"{shown}: internal error analysing this file: {_one_line(exc)}")
    if not (args.fix and args.diff) and not (args.fix and "-" in files):
        sys.stdout.write(output.FORMATS[args.format](located))
    for line in errors:
        print(f"cachemount: {output.escape_controls(line)}", file=sys.stderr)
    status = 2 if errors else 1 if located else 0
    if args.format == "text" and located and not (args.fix and (args.diff or "-" in files)):
        sys.stdout.flush()   # the findings first, then the summary for the person reading them
        print(output.summary([i.finding for i in located], status), file=sys.stderr)
    return status


def _explain(args) -> int:
    from .explain import ExplainError, run
    try:
        return run(args)
    except (ExplainError, ValueError) as exc:   # ValueError: an unknown --target
        print(f"cachemount explain: {exc}", file=sys.stderr)
        return 2
    except LimitExceeded as exc:
        print(f"cachemount explain: {args.dockerfile}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1


def _import_engine() -> None:
    """Import the engine (once per process) with the cyclic garbage collector off: the import makes
    thousands of objects and no garbage, and the collections it triggered were a few percent of a
    run on one small file. They are frozen after it (later collections need not walk them)."""
    if "cachemount.lint" in sys.modules:
        return
    import gc
    gc.disable()
    try:
        from . import output  # noqa: F401
        from .. import lint  # noqa: F401
    finally:
        gc.freeze()
        gc.enable()


def _check_one(args, path: str, shown: str, decoded, select, ignore, errors: list[str]) -> list:
    """Lint (and with --fix, fix) one decoded file; returns its located findings."""
    from ..records import replace

    from ..settings import files as config
    from . import output
    from ..lint import lint
    from ..document.scanner import line_starts
    from ..textio import TextError

    settings = config.settings_for(None if path == "-" and not args.stdin_filename else shown, _rule_spellings)
    for problem in settings.problems:
        if problem not in errors:   # once per settings file, not once per Dockerfile it governs
            errors.append(problem)
    settings = replace(settings, select=select if select is not None else settings.select,
                       ignore=settings.ignore | ignore)
    text = decoded.text
    build_context = _build_context(args, None if path == "-" and not args.stdin_filename else shown)
    findings = lint(text, settings, build_context)
    new_text = text
    if args.fix and findings and settings.unreadable:
        # which rules and fixes the user wants is unknown: fixing with the defaults could apply
        # fixes they turned off
        errors.append(f"{shown}: not fixed, because its settings file cannot be read")
    elif args.fix and findings:
        from ..lint import apply_all
        new_text, _ = apply_all(text, settings, unsafe=args.unsafe_fixes, build_context=build_context)
        if new_text != text:
            if args.diff:
                _print_diff(shown, text, new_text)
            elif path == "-":
                pass   # written below, like an unchanged input
            else:
                from ..textio import write_atomic
                try:
                    write_atomic(path, new_text, decoded)
                except TextError as exc:
                    errors.append(f"{shown}: {exc}")
                    return [output.locate(shown, text, line_starts(text), f) for f in findings]
                except OSError as exc:
                    errors.append(f"{shown}: cannot write fixed file ({exc.strerror or exc})")
                    return [output.locate(shown, text, line_starts(text), f) for f in findings]
            if not args.diff:
                text, before = new_text, findings
                findings = lint(text, settings, build_context)
                if path != "-":
                    fixed = _fixed(before, findings)
                    print(f"{output.escape_controls(shown)}: fixed {fixed} finding{'s' if fixed != 1 else ''}",
                          file=sys.stderr)
    if args.fix and not args.diff and path == "-":
        # a filter echoes its input even when there is nothing to fix
        sys.stdout.flush()
        sys.stdout.buffer.write(decoded.encode(new_text))   # same encoding and BOM as the input
        sys.stdout.buffer.flush()
    starts = line_starts(text)
    return [output.locate(shown, text, starts, f) for f in findings]


def _fixed(before: list, after: list) -> int:
    """How many of the findings `before` the fixes are gone `after`, counted per rule: one fix may
    settle several findings (one apt prerequisite for every apt RUN of a stage), and fix-all may
    apply a fix in one round that a later round's fix supersedes, so the number of fixes applied
    says neither."""
    from collections import Counter
    left = Counter(f.code for f in after)
    return sum(max(0, n - left[code]) for code, n in Counter(f.code for f in before).items())


def _rule_spellings() -> dict[str, str]:
    """Every rule's code and name -> its code: the settings files are read as the command line is."""
    from ..rules import BY_CODE, BY_NAME
    return {**{code: code for code in BY_CODE}, **{name: rule.code for name, rule in BY_NAME.items()}}


def _build_context(args, dockerfile: str | None):
    """The build context of the Dockerfile at `dockerfile` (None: stdin without a file name):
    `--context` when given (checked once in `_check`), else the one `discover` finds; None when
    unknown (then the fixes that need it are unsafe)."""
    from ..build_context import discover, given
    if args.context is not None:
        return given(args.context, dockerfile, "--context")
    return discover(dockerfile)


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    detail = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return detail if len(detail) <= 200 else detail[:199] + "…"


def _print_diff(path: str, old: str, new: str) -> None:
    import difflib

    from .output import escape_controls
    path = escape_controls(path)
    sys.stdout.writelines(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                               f"a/{path.lstrip('/')}", f"b/{path.lstrip('/')}"))


if __name__ == "__main__":
    sys.exit(main())

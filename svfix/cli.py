"""The `svfix` command: a thin shell over the library (parse, call, print)."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Callable, Sequence

from svfix._version import __version__
from svfix.errors import ExitCode, SvfixError

# Subcommand modules each expose `register(subparsers) -> None`; the parser they add sets
# `func=handler(args) -> int`. Importing them lazily keeps `svfix --help` fast.
_SUBCOMMANDS = ("svfix.cli_fix", "svfix.batch_cli", "svfix.ocr.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="svfix",
        description="Restore OCR-damaged Swedish text (å, ä, ö and friends).",
    )
    parser.add_argument("--version", action="version", version=f"svfix {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")

    for name in _SUBCOMMANDS:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    try:
        return int(handler(args))
    except SvfixError as exc:
        print(f"svfix: error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("svfix: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())

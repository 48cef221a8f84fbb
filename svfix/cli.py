"""The `svfix` command: a thin shell over the library (parse, call, print)."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Callable, Sequence

from svfix._version import __version__
from svfix.errors import ExitCode, SvfixError

# Each subcommand and its module, which exposes `register(subparsers) -> None`; the parser it
# adds sets `func=handler(args) -> int`. Only the module of the command being run is imported:
# `svfix fix` and `svfix batch` need not load the OCR stack (PIL, PDFium), about 50 ms.
_SUBCOMMANDS = {"fix": "svfix.cli_fix", "batch": "svfix.batch_cli", "ocr": "svfix.ocr.cli"}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser for `command`, or for every subcommand (for ``--help`` and usage errors)."""
    parser = argparse.ArgumentParser(
        prog="svfix",
        description="Restore OCR-damaged Swedish text (å, ä, ö and friends).",
    )
    parser.add_argument("--version", action="version", version=f"svfix {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")

    for name in [command] if command in _SUBCOMMANDS else _SUBCOMMANDS:
        importlib.import_module(_SUBCOMMANDS[name]).register(subparsers)
    return parser


def _command(argv: Sequence[str]) -> str | None:
    """The subcommand named in `argv`: its first word that is not an option (svfix's own
    options, --version and --help, take no value)."""
    return next((arg for arg in argv if not arg.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command(argv))
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

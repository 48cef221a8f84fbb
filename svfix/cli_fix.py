"""`svfix fix [FILE|-]`: restore one text, print it, optionally log the changes or a word diff."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path

from svfix.chunking import chunks
from svfix.errors import BadInputError, CannotWriteError, UsageError, reported_as
from svfix.pipeline import DEFAULT_OPTIONS, correct
from svfix.textio import decode
from svfix.types import Change


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "fix",
        help="restore one text (a file or stdin) and print it",
        description="Restore the damaged Swedish words of one text and print the result.",
    )
    parser.add_argument("file", nargs="?", default="-", help="text file to fix ('-' or nothing: stdin)")
    parser.add_argument("--changes", metavar="FILE", help="write the changes as JSON Lines to FILE ('-': stderr)")
    parser.add_argument("--diff", action="store_true", help="print a readable word diff instead of the text")
    parser.add_argument("--suggestions", action="store_true",
                        help="with --diff or --changes, include suggestions that were not applied")
    parser.add_argument("--threshold", type=float, default=DEFAULT_OPTIONS.apply_threshold,
                        help="confidence needed to apply a change (default %(default)s)")
    parser.add_argument("--no-normalize", action="store_true", help="skip the normalize stage (NFC, mojibake, ...)")
    parser.add_argument("--normalize-on", metavar="STEPS", default="",
                        help="comma-separated normalize steps to add, e.g. dehyphenate,typography,nbsp,join_lines")
    parser.add_argument("--normalize-off", metavar="STEPS", default="",
                        help="comma-separated default normalize steps to skip (mojibake, nfc, ligatures, invisibles)")
    parser.set_defaults(func=run)


def _read(path: str) -> tuple[str, str]:
    if path == "-":
        data = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise BadInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
        name = path
    return name, decode(data, name).text


def _writing_changes(path: str) -> AbstractContextManager[None]:
    """An OSError while writing the changes file, as one line naming it."""
    return reported_as(CannotWriteError, f"{path}: cannot write the changes")


def _shifted(change: Change, offset: int) -> Change:
    return replace(change, start=change.start + offset, end=change.end + offset) if offset else change


def format_diff(text: str, changes: tuple[Change, ...], *, color: bool) -> str:
    """The text with each change shown inline as [-old-]{+new+} (like `git diff --word-diff`)."""
    out = []
    pos = 0
    for change in sorted(changes, key=lambda c: c.start):
        out.append(text[pos:change.start])
        old, new = change.original, change.replacement
        mark = "" if change.applied else "?"
        if color:
            out.append(f"\x1b[31m[-{old}-]\x1b[0m\x1b[32m{{+{mark}{new}+}}\x1b[0m")
        else:
            out.append(f"[-{old}-]{{+{mark}{new}+}}")
        pos = change.end
    out.append(text[pos:])
    return "".join(out)


def run(args: argparse.Namespace) -> int:
    name, text = _read(args.file)
    options = replace(DEFAULT_OPTIONS, apply_threshold=args.threshold)
    if args.no_normalize:
        options = replace(options, normalize=None)
    elif args.normalize_on or args.normalize_off:
        from svfix import normalize

        names = lambda value: [n.strip() for n in value.split(",") if n.strip()]  # noqa: E731
        try:
            chosen = normalize.DEFAULT.with_steps(on=names(args.normalize_on), off=names(args.normalize_off))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        options = replace(options, normalize=chosen)
    changes_file = None
    if args.changes and args.changes != "-":
        with _writing_changes(args.changes):  # first: nothing is printed if its changes cannot be kept
            changes_file = open(args.changes, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        # past chunking.CHUNK_CHARS the text is corrected in the batch's pieces (one piece otherwise)
        for offset, piece in chunks(text):
            result = correct(piece, options)
            shown = result.changes if args.suggestions else result.applied
            if args.diff:
                sys.stdout.write(format_diff(piece, shown, color=sys.stdout.isatty()))
            else:
                sys.stdout.write(result.text)
            if args.changes:
                lines = "".join(json.dumps({"file": name, **c.to_dict()}, ensure_ascii=False) + "\n"
                                for c in (_shifted(c, offset) for c in shown))
                with _writing_changes(args.changes):
                    (changes_file or sys.stderr).write(lines)
        if changes_file is not None:
            with _writing_changes(args.changes):
                changes_file.close()  # (its last lines reach the disk here)
    finally:
        if changes_file is not None and not changes_file.closed:
            try:
                changes_file.close()
            except OSError:
                pass  # the error being raised says more
    sys.stdout.flush()
    return 0

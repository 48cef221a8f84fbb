"""`svfix batch IN OUT`: the command around `svfix.batch.run`, plus its progress displays.

Progress goes to stderr only: a one-line bar redrawn in place on a terminal, a plain line every
few seconds otherwise, nothing with --quiet or --json. The summary goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from typing import TextIO

from svfix.errors import ExitCode

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}


def size(text: str) -> int:
    """A byte count: ``64M``, ``64MB``, ``500k``, ``1G`` or plain bytes.

    >>> size("64M"), size("1.5k"), size("100")
    (67108864, 1536, 100)
    """
    match = _SIZE_RE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 64M)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


DEFAULT_MAX_BYTES = 32 * 2**20  # svfix.batch.DEFAULT_MAX_BYTES, not imported: keeps --help fast


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "batch",
        help="fix every text of a folder tree or .zip into a mirrored OUT folder",
        description=(
            "Mirror IN (a folder or .zip) into OUT with every text (.txt, .text, .md) fixed, "
            "written as UTF-8 whatever encoding it had. Beside the texts: svfix-changes.jsonl "
            "(every change), svfix-files.jsonl (every file: encoding, counts, skip or error "
            "reason; also the manifest of --resume) and svfix-summary.json."
        ),
        epilog=(
            "Exit status: 0 all files fixed, 1 some files failed (each named on stderr), "
            "2 usage, 4 missing dependency, 130 interrupted (rerun with --resume)."
        ),
    )
    parser.add_argument("input", metavar="IN", help="a folder tree or a .zip archive")
    parser.add_argument("output", metavar="OUT", nargs="?",
                        help="the folder to write (not inside IN); omit with --in-place")
    work = parser.add_argument_group("work")
    work.add_argument("-j", "--jobs", type=positive, metavar="N",
                      help="worker processes (default: all cores; with --scheduler: the "
                           "cluster's threads)")
    work.add_argument("--resume", action="store_true",
                      help="continue an interrupted run into the same OUT: only files not yet "
                           "done (by content hash and svfix version) are processed")
    work.add_argument("--in-place", action="store_true",
                      help="rewrite the texts of IN itself, keeping every original under "
                           "IN/.svfix/backup/RUN/")
    work.add_argument("--ocr", action="store_true",
                      help="also read .pdf/.png/.tif/.tiff/.jpg through OCR (written as "
                           "NAME.pdf.txt); without it they are listed as skipped")
    work.add_argument("--max-bytes", type=size, default=DEFAULT_MAX_BYTES, metavar="SIZE",
                      help="refuse text files larger than this (default: %(default)s bytes = "
                           f"{DEFAULT_MAX_BYTES // 2**20}M)")
    work.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                      help="run on a Dask cluster (needs svfix[dask]; IN and OUT must be on a "
                           "file system all workers see)")
    show = parser.add_argument_group("display")
    show.add_argument("-q", "--quiet", action="store_true",
                      help="no progress and no summary; bad files are still named on stderr")
    show.add_argument("--json", action="store_true", help="print the summary as JSON")
    show.add_argument("-v", "--verbose", action="store_true",
                      help="one line per file (encoding, changes) and per skipped file")
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from svfix import batch

    progress: batch.ProgressBar | None = None
    if not (args.quiet or args.json):
        progress = TerminalProgress() if sys.stderr.isatty() else LineProgress()
    handler = batch.configure_logging(
        progress.write if progress is not None else _stderr,
        logging.INFO if args.verbose else logging.WARNING,
    )
    try:
        summary = batch.run(
            args.input, args.output, jobs=args.jobs, resume=args.resume,
            in_place=args.in_place, ocr=args.ocr, max_bytes=args.max_bytes,
            scheduler=args.scheduler, progress=progress,
        )
    except KeyboardInterrupt:
        _stderr("svfix: interrupted; what is done is kept: rerun with --resume to finish")
        return ExitCode.INTERRUPTED
    finally:
        batch.log.removeHandler(handler)
    if args.json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    elif not args.quiet:
        print(summary.format())
    return ExitCode.OK if summary.ok else ExitCode.SOME_FILES_FAILED


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class _Counts:
    def __init__(self) -> None:
        self.files = self.total_files = 0
        self.nbytes = self.total_bytes = 0
        self.worked = 0  # bytes processed this run (not found done by --resume): the rate
        self.worked_files = 0
        self.known = False
        self.started = time.monotonic()

    def set_total(self, files: int, nbytes: int) -> None:
        self.total_files, self.total_bytes, self.known = files, nbytes, True

    def advance(self, nbytes: int, *, worked: bool) -> None:
        self.files += 1
        self.nbytes += nbytes
        if worked:
            self.worked += nbytes
            self.worked_files += 1

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.worked / elapsed
        mb, total_mb = self.nbytes / 1e6, self.total_bytes / 1e6
        if self.known:
            eta = self.eta(elapsed)
            eta_s = _clock(eta) if eta is not None else "?"
            return (f"{self.files}/{self.total_files} files  {mb:.1f}/{total_mb:.1f} MB  "
                    f"{rate / 1e6:.2f} MB/s  ETA {eta_s}")
        return f"{self.files} files  {mb:.1f} MB  {rate / 1e6:.2f} MB/s"

    def eta(self, elapsed: float) -> float | None:
        """Seconds left, from the share of this run's work done, in bytes and in files alike.

        Bytes alone mislead when scans are read: a scan's seconds of OCR do not follow its
        bytes, and three small files done of seventeen said "27 minutes" for a batch of
        seconds. In a text archive both shares agree, and so does this.
        """
        done = (_share(self.worked, self.total_bytes - self.nbytes)
                + _share(self.worked_files, self.total_files - self.files)) / 2
        return elapsed * (1 - done) / done if done > 0 else None


def _share(done: int, left: int) -> float:
    """The part of this run's work that is done (all of it when there was none)."""
    return done / (done + left) if done + left > 0 else 1.0


def _clock(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class TerminalProgress(_Counts):
    """A bar redrawn in place on a terminal (at most 10 times a second)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__()
        self.stream = stream or sys.stderr
        self._drawn = 0.0

    def advance(self, nbytes: int, *, worked: bool) -> None:
        super().advance(nbytes, worked=worked)
        if time.monotonic() - self._drawn > 0.1 or self.files == self.total_files:
            self._draw()

    def _draw(self) -> None:
        self.stream.write(f"\r\x1b[Ksvfix batch  {self.line()}")
        self.stream.flush()
        self._drawn = time.monotonic()

    def write(self, line: str) -> None:
        self.stream.write(f"\r\x1b[K{line}\n")
        self._draw()

    def close(self) -> None:
        self._draw()
        self.stream.write("\n")
        self.stream.flush()


class LineProgress(_Counts):
    """Plain lines (for logs and pipes), one every `interval` seconds."""

    def __init__(self, stream: TextIO | None = None, interval: float = 2.0) -> None:
        super().__init__()
        self.stream = stream or sys.stderr
        self.interval = interval
        self._last = time.monotonic()

    def advance(self, nbytes: int, *, worked: bool) -> None:
        super().advance(nbytes, worked=worked)
        if time.monotonic() - self._last >= self.interval:
            self.write(f"svfix: progress: {self.line()}")
            self._last = time.monotonic()

    def write(self, line: str) -> None:
        print(line, file=self.stream, flush=True)

    def close(self) -> None:
        pass

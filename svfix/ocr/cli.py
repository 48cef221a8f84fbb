"""`svfix ocr FILE...`: re-read scans with Tesseract's Swedish model and print the restored text."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from svfix.errors import ExitCode
from svfix.ocr import preprocess
from svfix.ocr.pages import OcrOptions, Source, default_jobs, output_name, read_files


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _steps(text: str) -> tuple[str, ...]:
    if text in ("", "none"):
        return ()
    steps = tuple(s.strip() for s in text.split(",") if s.strip())
    unknown = [s for s in steps if s not in preprocess.STEPS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown step {unknown[0]!r}; choose from {', '.join(preprocess.STEPS)} or none")
    return steps


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ocr",
        help="re-OCR scanned PDFs and images with Tesseract (Swedish) and restore the text",
        description=(
            "Read PDF, PNG, TIFF (multi-page too) and JPEG files with Tesseract's Swedish model "
            "and restore the text with svfix. PDF pages with a good text layer keep it; pages "
            "whose layer is missing or damaged are read again and merged with the old layer "
            "word by word. Pages are separated by form feeds. Needs the Debian packages "
            "tesseract-ocr and tesseract-ocr-swe."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="PDF or image files")
    parser.add_argument("--out", metavar="DIR", type=Path,
                        help="write one DIR/NAME.txt per input instead of printing to stdout")
    parser.add_argument("--lang", default="swe",
                        help="Tesseract languages, e.g. swe (default) or swe+eng")
    parser.add_argument("--dpi", type=_positive, default=None,
                        help="resolution for rasterizing PDF pages (default: 300, or a scanned "
                             "page's own resolution)")
    parser.add_argument("--force-ocr", action="store_true",
                        help="OCR every page, even those with a good text layer")
    parser.add_argument("--no-merge", dest="merge", action="store_false",
                        help="do not merge the OCR with an existing text layer: use the OCR alone")
    parser.add_argument("--no-fix", dest="fix", action="store_false",
                        help="print Tesseract's text without svfix restoration")
    parser.add_argument("--preprocess", type=_steps, default=preprocess.DEFAULT_STEPS,
                        metavar="STEPS",
                        help=f"comma-separated image steps from {', '.join(preprocess.STEPS)}, "
                             f"or none (default {','.join(preprocess.DEFAULT_STEPS) or 'none'})")
    parser.add_argument("--psm", type=int, default=3, help="Tesseract page segmentation mode (3)")
    parser.add_argument("-j", "--jobs", type=_positive, default=None,
                        help=f"pages read in parallel (default: number of cores, {default_jobs()})")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="do not report on stderr which path each page took")
    parser.set_defaults(func=run)


def _write_atomic(target: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    options = OcrOptions(lang=args.lang, dpi=args.dpi, force_ocr=args.force_ocr,
                         merge=args.merge, fix=args.fix, preprocess=args.preprocess, psm=args.psm)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
    report = (lambda line: None) if args.quiet else (
        lambda line: print(f"svfix ocr: {line}", file=sys.stderr, flush=True))
    failed = False
    taken: set[str] = set()
    first = True
    for result in read_files(args.files, options, jobs=args.jobs):
        if result.error is not None:
            failed = True
            print(f"svfix ocr: error: {result.path}: {result.error}", file=sys.stderr, flush=True)
            continue
        for page in result.pages:
            where = f"{result.path} page {page.number}/{len(result.pages)}"
            if page.source is not Source.FAILED:
                report(f"{where}: {page.source}: {page.note}")
            if page.failed:
                failed = True
                print(f"svfix ocr: error: {where}: {page.error}", file=sys.stderr, flush=True)
        text = result.text
        if args.out is not None:
            target = args.out / output_name(result.path, taken)
            _write_atomic(target, text + "\n")
            report(f"{result.path}: wrote {target}")
        else:
            sys.stdout.write(("" if first else "\f") + text + "\n")
            sys.stdout.flush()
        first = False
    return ExitCode.SOME_FILES_FAILED if failed else ExitCode.OK

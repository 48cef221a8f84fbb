"""Re-OCR scanned PDFs and images with Tesseract's Swedish model, then restore the text.

>>> from svfix import ocr
>>> pages = ocr.read("samples/scans/s02-clean-image-only.pdf")  # doctest: +SKIP
>>> pages[0][:13]                                               # doctest: +SKIP
'HÄRNÖSANDS KOMMUN'

`read` returns the pages' texts and raises when a page fails; `read_pages` returns the full
`Page` records (which path each page took, confidences, errors) and never raises for a page.
PDF pages with a good text layer keep it; pages whose layer is missing or damaged are
rasterized with PDFium, read by Tesseract, merged word by word with the old layer and
restored with `svfix.fix`.
"""

from __future__ import annotations

import os

from svfix.errors import BadInputError
from svfix.ocr.damage import LayerProfile, assess_layer
from svfix.ocr.merge import MergeResult
from svfix.ocr.pages import FileResult, OcrOptions, Page, Source, read_files
from svfix.ocr.tesseract import TesseractPageError, check

__all__ = [
    "FileResult",
    "LayerProfile",
    "MergeResult",
    "OcrOptions",
    "OcrPageError",
    "Page",
    "Source",
    "TesseractPageError",
    "assess_layer",
    "check",
    "read",
    "read_files",
    "read_pages",
]


class OcrPageError(BadInputError):
    """Some pages of a file could not be read; `.pages` holds every page, failed ones too."""

    def __init__(self, message: str, pages: tuple[Page, ...]) -> None:
        super().__init__(message)
        self.pages = pages


def _options(options: OcrOptions | None, kwargs: dict[str, object]) -> OcrOptions:
    if options is None:
        return OcrOptions(**kwargs)  # type: ignore[arg-type]
    if kwargs:
        from dataclasses import replace

        return replace(options, **kwargs)  # type: ignore[arg-type]
    return options


def read_pages(path: str | os.PathLike[str], options: OcrOptions | None = None, *,
               jobs: int | None = None, **kwargs: object) -> tuple[Page, ...]:
    """Every page of one PDF or image file as a `Page` record, in order.

    Keyword arguments override `options` (``lang="swe+eng"``, ``dpi=400``,
    ``force_ocr=True``, ``merge=False``, ``fix=False``, ``preprocess=("deskew",)``).
    Raises `BadInputError` when the file cannot be opened and `MissingDependencyError`
    when Tesseract or its language data is missing; a page that fails is returned with
    ``source == Source.FAILED`` and its `error`.
    """
    (result,) = read_files([path], _options(options, kwargs), jobs=jobs)
    if result.error is not None:
        raise BadInputError(f"{result.path}: {result.error}")
    return result.pages


def read(path: str | os.PathLike[str], options: OcrOptions | None = None, *,
         jobs: int | None = None, **kwargs: object) -> list[str]:
    """The restored text of each page of a PDF or image file (see `read_pages`).

    Raises `OcrPageError` naming the file and pages when any page failed.
    """
    pages = read_pages(path, options, jobs=jobs, **kwargs)
    failed = [p for p in pages if p.failed]
    if failed:
        detail = "; ".join(f"page {p.number}: {p.error}" for p in failed)
        raise OcrPageError(f"{os.fspath(path)}: {detail}", pages)
    return [page.text for page in pages]

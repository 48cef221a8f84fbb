"""One page at a time: text layer triage, rasterize, preprocess, Tesseract, merge, fix.

`process_page` is the unit of work: module-level and picklable, it gets a small `PageJob`
(path, page number, options) and opens the file itself, so a process pool can run pages of
many files side by side. `read_files` schedules them and yields each file's pages in order.
"""

from __future__ import annotations

import concurrent.futures
import enum
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from svfix.errors import BadInputError, MissingDependencyError, SvfixError
from svfix.ocr import images, pdf, preprocess, tesseract
from svfix.ocr.damage import LayerProfile, assess_layer, default_validity
from svfix.ocr.merge import drop_noise, merge
from svfix.ocr.symbols import repair_symbols


class Source(str, enum.Enum):
    """Which path a page took; the value is what the per-page report says."""

    LAYER = "text layer"
    OCR = "ocr"
    MERGED = "text layer + ocr"
    EMPTY = "empty"
    FAILED = "failed"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class OcrOptions:
    """How to read scans. `lang` is a Tesseract `-l` value (``swe``, ``swe+eng``).

    `dpi` is the resolution PDF pages are rasterized at; None (the default) means 300 dpi,
    except for a page that is one scanned image, which is rendered at that image's own
    resolution (see `svfix.ocr.pdf.rasterize`).
    """

    lang: str = "swe"
    dpi: int | None = None
    force_ocr: bool = False
    merge: bool = True
    fix: bool = True
    preprocess: tuple[str, ...] = preprocess.DEFAULT_STEPS
    psm: int = 3
    timeout: float = 300.0

    def __post_init__(self) -> None:
        if self.dpi is not None and not 50 <= self.dpi <= 1200:
            raise ValueError(f"dpi must be between 50 and 1200, not {self.dpi}")
        unknown = set(self.preprocess) - preprocess.STEPS.keys()
        if unknown:
            raise ValueError(f"unknown preprocessing step(s) {sorted(unknown)}; "
                             f"choose from {', '.join(preprocess.STEPS)}")


@dataclass(frozen=True, slots=True)
class Page:
    """One page's outcome. `number` counts from 1; `text` is the final (fixed) text.

    `raw` is the text before `svfix.fix`; `layer` the text layer's profile (PDFs only);
    `error` says why a FAILED page failed (or why a read page's text is left unrestored);
    `note` is the one-line report of what was done.
    """

    path: str
    number: int
    text: str
    source: Source
    note: str = ""
    raw: str = ""
    layer_text: str | None = None
    ocr_text: str | None = None
    layer: LayerProfile | None = None
    ocr_conf: float | None = None
    error: str | None = None
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        """True when the page could not be read, or was read but not restored (see `error`)."""
        return self.source is Source.FAILED or self.error is not None


@dataclass(frozen=True, slots=True)
class FileResult:
    """A file's pages in order, or the error that kept it from being read at all."""

    path: str
    pages: tuple[Page, ...] = field(default_factory=tuple)
    error: str | None = None

    @property
    def text(self) -> str:
        """The pages' texts separated by form feeds."""
        return "\f".join(page.text for page in self.pages)

    @property
    def failed(self) -> bool:
        return self.error is not None or any(page.failed for page in self.pages)


@dataclass(frozen=True, slots=True)
class PageJob:
    path: str
    kind: str  # "pdf" or "image"
    index: int
    options: OcrOptions


def file_kind(path: str | os.PathLike[str]) -> str:
    """"pdf" when the file starts like a PDF (or is named .pdf), else "image"."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise BadInputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if b"%PDF-" in head or name.lower().endswith(".pdf"):
        return "pdf"
    return "image"


def count_pages(path: str | os.PathLike[str]) -> tuple[str, int]:
    """The file's kind and number of pages; `BadInputError` when it cannot be opened."""
    kind = file_kind(path)
    return kind, (pdf.page_count(path) if kind == "pdf" else images.frame_count(path))


def _fix(text: str) -> str:
    import svfix

    return svfix.fix(text)


def _ocr(job: PageJob) -> tesseract.Reading:
    opts = job.options
    if job.kind == "pdf":
        image = pdf.rasterize(job.path, job.index, opts.dpi)
    else:
        image = images.load_frame(job.path, job.index)
    dpi = image.info.get("dpi", (300,))[0]
    image = preprocess.prepare(image, opts.preprocess)
    dpi = image.info.get("dpi", (dpi,))[0]
    return tesseract.read_image(image, lang=opts.lang, dpi=int(dpi), psm=opts.psm,
                                timeout=opts.timeout)


def process_page(job: PageJob) -> Page:
    """Read one page (see the module doc); errors become a FAILED page, never an exception."""
    start = time.perf_counter()
    opts = job.options
    number = job.index + 1
    try:
        layer_text: str | None = None
        profile: LayerProfile | None = None
        if job.kind == "pdf":
            layer_text = pdf.text_layer(job.path, job.index)
            profile = assess_layer(layer_text)
        if profile is not None and not profile.damaged and not opts.force_ocr:
            raw = layer_text or ""
            source, note, reading = Source.LAYER, f"text layer kept ({profile.summary()})", None
        else:
            reading = drop_noise(_ocr(job), is_valid=default_validity())
            why = ""
            if profile is not None:
                why = "forced" if opts.force_ocr and not profile.damaged else profile.summary()
            has_layer = profile is not None and not profile.missing and layer_text
            if has_layer and opts.merge and reading.words:
                merged = merge(layer_text or "", reading, is_valid=default_validity())
                raw = repair_symbols(merged.text)
                source = Source.MERGED
                note = f"re-read with OCR, merged with the text layer ({why}; {merged.summary()})"
            elif reading.words:
                raw = repair_symbols(reading.text)
                source = Source.OCR
                note = "OCR" + (f" ({why})" if why else "")
            elif has_layer:
                raw, source = layer_text or "", Source.LAYER
                note = f"OCR found nothing; text layer kept ({why})"
            else:
                raw, source = "", Source.EMPTY
                note = reading.warning or "no text"
            if reading.words:
                note += f", mean word confidence {reading.mean_conf:.0f}"
        text, error = raw, None
        if opts.fix and raw:
            try:
                text = _fix(raw)
            except MissingDependencyError:
                raise
            except Exception as exc:  # noqa: BLE001 - keep the page's text, unrestored
                error = f"svfix.fix failed, text left unrestored ({type(exc).__name__}: {exc})"
        return Page(
            path=job.path, number=number, text=text, source=source, note=note, raw=raw,
            layer_text=layer_text, ocr_text=reading.text if reading else None, layer=profile,
            ocr_conf=reading.mean_conf if reading and reading.words else None, error=error,
            seconds=time.perf_counter() - start,
        )
    except MissingDependencyError:
        raise
    except SvfixError as exc:
        message = str(exc).removeprefix(f"{job.path}: ")
        return Page(path=job.path, number=number, text="", source=Source.FAILED,
                    note=f"failed: {message}", error=message,
                    seconds=time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - one broken page must not stop the others
        message = f"{type(exc).__name__}: {exc}"
        return Page(path=job.path, number=number, text="", source=Source.FAILED,
                    note=f"failed: {message}", error=message,
                    seconds=time.perf_counter() - start)


def _init_worker() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def read_files(
    paths: Iterable[str | os.PathLike[str]], options: OcrOptions = OcrOptions(), *,
    jobs: int | None = None,
) -> Iterator[FileResult]:
    """Read every page of every file, `jobs` pages at a time; yield each file's result in order.

    Files that cannot be opened (corrupt or encrypted PDF, empty image) are yielded with
    `error` set; pages that fail are yielded as FAILED pages; everything else goes on.
    Checks first that Tesseract and `options.lang` are installed (`MissingDependencyError`).
    """
    tesseract.check(options.lang)
    jobs = default_jobs() if jobs is None else max(1, jobs)
    plan: list[tuple[str, str | None, list[PageJob]]] = []
    for path in paths:
        name = os.fspath(path)
        try:
            kind, count = count_pages(name)
        except SvfixError as exc:
            plan.append((name, str(exc).removeprefix(f"{name}: "), []))
            continue
        plan.append((name, None, [PageJob(name, kind, i, options) for i in range(count)]))
    total = sum(len(page_jobs) for _, _, page_jobs in plan)
    if jobs == 1 or total <= 1:
        for name, error, page_jobs in plan:
            yield FileResult(name, tuple(process_page(job) for job in page_jobs), error)
        return
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=min(jobs, total), initializer=_init_worker
    ) as pool:
        futures = [(name, error, [pool.submit(process_page, job) for job in page_jobs])
                   for name, error, page_jobs in plan]
        try:
            for name, error, page_futures in futures:
                yield FileResult(name, tuple(f.result() for f in page_futures), error)
        except BaseException:
            for _, _, page_futures in futures:
                for f in page_futures:
                    f.cancel()
            raise


def output_name(path: str, taken: set[str]) -> str:
    """The .txt name for `path` in an output folder: ``scan.txt``, or ``scan.pdf.txt`` if taken.

    >>> taken = set()
    >>> output_name("a/scan.pdf", taken), output_name("b/scan.png", taken)
    ('scan.txt', 'scan.png.txt')
    """
    base = Path(path)
    for candidate in (base.stem + ".txt", base.name + ".txt"):
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    n = 2
    while f"{base.name}.{n}.txt" in taken:
        n += 1
    taken.add(f"{base.name}.{n}.txt")
    return f"{base.name}.{n}.txt"

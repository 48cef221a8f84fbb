"""PDF pages through PDFium (pypdfium2): page count, the existing text layer, and rasterizing.

pypdfium2 ships PDFium inside its wheel, so no poppler or Ghostscript binary is needed. PDFium
is not thread-safe; the OCR pipeline uses processes, and every function here opens the file
itself so that a worker needs only the path and a page number.
"""

from __future__ import annotations

import os
import unicodedata

from PIL import Image

from svfix.errors import BadInputError

#: Largest page we rasterize, in pixels (about A0 at 300 dpi); bigger pages get a lower dpi.
MAX_PIXELS = 150_000_000


def _open(path: str | os.PathLike[str]):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(os.fspath(path))
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise BadInputError(
                f"{os.fspath(path)}: the PDF is encrypted with a password; decrypt it first "
                "(for example `qpdf --decrypt --password=PASSWORD in.pdf out.pdf`)"
            ) from None
        raise BadInputError(f"{os.fspath(path)}: not a readable PDF ({message})") from None
    except OSError as exc:
        raise BadInputError(f"{os.fspath(path)}: cannot read ({exc.strerror or exc})") from None


def page_count(path: str | os.PathLike[str]) -> int:
    """Number of pages; raises `BadInputError` for a corrupt or encrypted PDF."""
    doc = _open(path)
    try:
        count = len(doc)
    finally:
        doc.close()
    if count == 0:
        raise BadInputError(f"{os.fspath(path)}: the PDF has no pages")
    return count


def clean_layer_text(text: str) -> str:
    """Normalize PDFium's extracted text: NFC, ``\\n`` line ends, no trailing blanks.

    >>> clean_layer_text("Beslut \\r\\nOmr\\u0061\\u030ade\\r\\n\\r\\n")
    'Beslut\\nOmråde'
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\x00", "").replace("\ufffe", "").replace("\x02", "")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def text_layer(path: str | os.PathLike[str], index: int) -> str:
    """The text layer of page `index` (0-based) as PDFium extracts it; "" when there is none."""
    doc = _open(path)
    try:
        page = doc[index]
        textpage = page.get_textpage()
        try:
            return clean_layer_text(textpage.get_text_range())
        finally:
            textpage.close()
            page.close()
    finally:
        doc.close()


#: Resolution for pages that are not a scan (vector text, drawings) when none is asked for.
DEFAULT_DPI = 300
#: A scan's own resolution is used only within these bounds.
NATIVE_DPI_RANGE = (150, 600)


def scan_dpi(page) -> int | None:
    """The resolution of the image that makes up a scanned page, or None if it is no scan.

    A page counts as a scan when one image object covers at least half of it.
    """
    import pypdfium2 as pdfium

    width_pt, height_pt = page.get_size()
    best: tuple[float, int] | None = None
    for obj in page.get_objects(filter=(pdfium.raw.FPDF_PAGEOBJ_IMAGE,), max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        area = (right - left) * (top - bottom)
        px_width, _ = obj.get_px_size()
        if area <= 0 or right <= left:
            continue
        dpi = px_width / ((right - left) / 72)
        if best is None or area > best[0]:
            best = (area, round(dpi))
    if best is None or best[0] < 0.5 * width_pt * height_pt:
        return None
    return best[1]


def _choose_dpi(page, dpi: int | None) -> int:
    if dpi is not None:
        return dpi
    native = scan_dpi(page)
    low, high = NATIVE_DPI_RANGE
    return native if native is not None and low <= native <= high else DEFAULT_DPI


def render_dpi(path: str | os.PathLike[str], index: int, dpi: int | None = None) -> int:
    """The resolution `rasterize` uses for page `index` (before the huge-page limit)."""
    doc = _open(path)
    try:
        page = doc[index]
        try:
            return _choose_dpi(page, dpi)
        finally:
            page.close()
    finally:
        doc.close()


def rasterize(path: str | os.PathLike[str], index: int, dpi: int | None = None) -> Image.Image:
    """Render page `index` (0-based) to a greyscale image (lower resolution for huge pages).

    `dpi` None renders a scanned page at its image's own resolution (within
    `NATIVE_DPI_RANGE`: enlarging a 200 dpi scan to 300 made Tesseract read noise as
    letters, see benchmarks/RESULTS.md) and any other page at `DEFAULT_DPI`. The returned
    image's ``info["dpi"]`` is the resolution actually used.
    """
    doc = _open(path)
    try:
        page = doc[index]
        try:
            dpi = _choose_dpi(page, dpi)
            width_pt, height_pt = page.get_size()
            pixels = (width_pt * dpi / 72) * (height_pt * dpi / 72)
            if pixels > MAX_PIXELS:
                dpi = max(72, int(dpi * (MAX_PIXELS / pixels) ** 0.5))
            bitmap = page.render(scale=dpi / 72, grayscale=True, may_draw_forms=False)
            image = bitmap.to_pil().convert("L")
        finally:
            page.close()
    finally:
        doc.close()
    image.info["dpi"] = (dpi, dpi)
    return image

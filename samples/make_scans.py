"""Make the scanned-looking sample files in samples/scans/ and their ground truth.

    .venv/bin/python samples/make_scans.py            # rewrites samples/scans/

Text: the held-out evaluation letters in benchmarks/corpus/clean/ (never used for training),
cut into pages. Rendering and scan degradation: training/ocrsim.py (Pillow, the held-out EVAL
fonts). English-model text layers: Tesseract itself (``tesseract pages.txt out -l eng pdf``
writes a searchable PDF whose invisible text layer is its English reading, as a scanner's
OCR would). The born-digital and the encrypted PDF are written by hand below (a few PDF
objects with the standard Times-Roman font), so no PDF library is needed. Every random
choice is seeded: a rerun gives the same pixels (and, Tesseract being deterministic, the
same English layers).

Needs: tesseract-ocr with tesseract-ocr-eng, and the fonts listed in training/ocrsim.py.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from training import ocrsim  # noqa: E402
from training.ocrsim import ScanParams  # noqa: E402

OUT = ROOT / "samples" / "scans"
#: Broken inputs for the error paths; apart from the scans so that `make demo` runs clean.
FAULTY = ROOT / "samples" / "faulty"
CORPUS = ROOT / "benchmarks" / "corpus" / "clean"
LINES_PER_PAGE = 46
SIZE_PT = 11.0

# Scan degradations (ocrsim.ScanParams): what each sample went through.
CLEAN = None
NOISY_PDF = ScanParams(dpi=200, blur=0.7, ink=30, paper=228, noise=12, salt_pepper=0.001,
                       speckles=30, rotation=1.2, jpeg=60)
NOISY_JPEG = ScanParams(dpi=200, blur=0.8, ink=40, paper=218, noise=14, salt_pepper=0.0015,
                        speckles=40, rotation=-1.6, jpeg=55)
BW_200 = ScanParams(dpi=200, blur=0.6, ink=20, paper=235, noise=8, salt_pepper=0.001,
                    speckles=25, rotation=0.8, threshold=0.55)
BW_300 = ScanParams(dpi=300, blur=0.5, ink=10, paper=240, noise=6, speckles=15, rotation=-0.6,
                    threshold=0.5)


def paged_lines(text: str, font: str, dpi: int) -> list[list[str]]:
    """Wrap every source line (headings and list items keep their own lines); cut into pages."""
    font_path = ocrsim._font_path(font)
    hi = ocrsim.load_font(font_path, SIZE_PT, dpi * 2)
    width = ocrsim.text_width_px(dpi * 2)
    lines: list[str] = []
    for source_line in text.strip().splitlines():
        if source_line.strip():
            lines.extend(ocrsim.wrap(source_line, hi, width))
        elif lines and lines[-1] != "":
            lines.append("")
    pages: list[list[str]] = []
    while lines:
        cut = min(LINES_PER_PAGE, len(lines))
        if cut < len(lines):  # end the page at a paragraph break when there is one near
            blank = max((i for i in range(cut - 12, cut) if lines[i] == ""), default=None)
            cut = blank if blank else cut
        page = lines[:cut]
        lines = lines[cut:]
        while lines and lines[0] == "":
            lines.pop(0)
        while page and page[-1] == "":
            page.pop()
        pages.append(page)
    return pages


def render(lines: list[str], font: str, params: ScanParams | None, seed: int, dpi: int = 300):
    dpi = params.dpi if params else dpi
    img = ocrsim.render_page(lines, ocrsim._font_path(font), SIZE_PT, dpi)
    if params is not None:
        img = ocrsim.degrade(img, params, seed)
    img.info["dpi"] = (dpi, dpi)
    return img


def truth_of(pages: list[list[str]]) -> str:
    return "\f".join("\n".join(page) for page in pages) + "\n"


def write_truth(name: str, pages: list[list[str]]) -> None:
    (OUT / f"{Path(name).stem}.truth.txt").write_text(truth_of(pages), encoding="utf-8")


def english_layer_pdf(images: list[Image.Image], target: Path, fmt: str = "PNG") -> None:
    """A searchable PDF of the page images with Tesseract's English reading as its text layer."""
    with tempfile.TemporaryDirectory() as tmp:
        names = []
        for i, img in enumerate(images):
            name = Path(tmp) / f"page{i}.{'jpg' if fmt == 'JPEG' else 'png'}"
            kwargs = {"quality": 50} if fmt == "JPEG" else {"optimize": True}
            img.save(name, format=fmt, dpi=img.info["dpi"], **kwargs)
            names.append(str(name))
        listing = Path(tmp) / "pages.txt"
        listing.write_text("\n".join(names) + "\n")
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        subprocess.run(["tesseract", str(listing), str(Path(tmp) / "out"), "-l", "eng", "pdf"],
                       check=True, env=env, capture_output=True)
        target.write_bytes((Path(tmp) / "out.pdf").read_bytes())


# ------------------------------------------------------------------ hand-written PDFs


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _content_stream(lines: list[str], size: float = 10.0, leading: float = 13.0) -> bytes:
    out = [b"BT", f"/F1 {size:g} Tf {leading:g} TL 72 770 Td".encode()]
    for line in lines:
        out.append(_pdf_string(line) + b" Tj T*" if line else b"T*")
    out.append(b"ET")
    return b"\n".join(out)


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    i = j = 0
    out = bytearray()
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def born_digital_pdf(pages: list[list[str]], *, user_password: str | None = None) -> bytes:
    """A text PDF (Times-Roman, WinAnsi) of the given lines; RC4-40 encrypted with a password.

    The encryption is the PDF 1.4 Standard Security Handler, revision 2 (Algorithms 2-4 of
    ISO 32000-1 §7.6.3), enough for any reader to ask for the password.
    """
    file_id = hashlib.md5(repr(pages).encode()).digest()
    n_pages = len(pages)
    # objects: 1 catalog, 2 pages, 3 font, then page/content pairs, then the encrypt dict
    objects: dict[int, bytes] = {}
    kids = []
    for i, lines in enumerate(pages):
        page_obj, content_obj = 4 + 2 * i, 5 + 2 * i
        kids.append(f"{page_obj} 0 R")
        objects[page_obj] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                             f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_obj} 0 R >>").encode()
        objects[content_obj] = _content_stream(lines)  # stream body, wrapped below
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {n_pages} >>".encode()
    objects[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding /WinAnsiEncoding >>"
    streams = {5 + 2 * i for i in range(n_pages)}
    key = None
    encrypt_obj = None
    if user_password is not None:
        owner = hashlib.md5((user_password + "-owner").encode()).digest()[:5]
        padded_user = (user_password.encode("latin-1") + _PAD)[:32]
        o_entry = _rc4(owner, padded_user)
        permissions = -44
        key = hashlib.md5(padded_user + o_entry + struct.pack("<i", permissions) + file_id).digest()[:5]
        u_entry = _rc4(key, _PAD)
        encrypt_obj = 4 + 2 * n_pages
        objects[encrypt_obj] = (f"<< /Filter /Standard /V 1 /R 2 /O <{o_entry.hex()}> "
                                f"/U <{u_entry.hex()}> /P {permissions} >>").encode()
    body = io.BytesIO()
    body.write(b"%PDF-1.4\n%\xe5\xe4\xf6\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = body.tell()
        data = objects[num]
        if num in streams:
            payload = zlib.compress(data)
            if key is not None:
                obj_key = hashlib.md5(key + struct.pack("<I", num)[:3] + b"\0\0").digest()[:10]
                payload = _rc4(obj_key, payload)
            data = (f"<< /Length {len(payload)} /Filter /FlateDecode >>\nstream\n".encode()
                    + payload + b"\nendstream")
        body.write(f"{num} 0 obj\n".encode() + data + b"\nendobj\n")
    xref = body.tell()
    size = max(objects) + 1
    body.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode())
    for num in range(1, size):
        body.write(f"{offsets[num]:010d} 00000 n \n".encode())
    trailer = f"<< /Size {size} /Root 1 0 R /ID [<{file_id.hex()}> <{file_id.hex()}>]"
    if encrypt_obj is not None:
        trailer += f" /Encrypt {encrypt_obj} 0 R"
    body.write(f"trailer\n{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return body.getvalue()


def born_digital_lines(text: str) -> list[list[str]]:
    """Wrap for Times-Roman 10 pt (Liberation Serif has the same metrics) on A4, 1 in margins."""
    font = ocrsim.load_font(ocrsim._font_path("LiberationSerif"), 10, 72)
    lines: list[str] = []
    for source_line in text.strip().splitlines():
        if source_line.strip():
            lines.extend(ocrsim.wrap(source_line, font, 451))
        elif lines and lines[-1] != "":
            lines.append("")
    pages, max_lines = [], 54
    while lines:
        page, lines = lines[:max_lines], lines[max_lines:]
        while page and page[-1] == "":
            page.pop()
        while lines and lines[0] == "":
            lines.pop(0)
        pages.append(page)
    return pages


def zero_size_png() -> bytes:
    """A PNG whose header says 0×0 pixels (what a broken export leaves behind)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 0, 0, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b""))
            + chunk(b"IEND", b""))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        if old.name != "README.md":
            old.unlink()
    text = {p.stem[:3]: p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))}

    # s01: clean 300 dpi, two pages, English-model text layer
    pages = paged_lines(text["e01"], "NotoSerif", 300)
    imgs = [render(p, "NotoSerif", CLEAN, 101 + i) for i, p in enumerate(pages)]
    english_layer_pdf(imgs, OUT / "s01-clean-eng-layer.pdf")
    write_truth("s01-clean-eng-layer", pages)

    # s02: clean 300 dpi, two pages, image only (no text layer), saved by Pillow
    pages = paged_lines(text["e02"], "Caladea", 300)
    imgs = [render(p, "Caladea", CLEAN, 201 + i) for i, p in enumerate(pages)]
    imgs[0].save(OUT / "s02-clean-image-only.pdf", save_all=True, append_images=imgs[1:],
                 resolution=300.0)
    write_truth("s02-clean-image-only", pages)

    # s03: noisy 200 dpi (blur, grain, specks, 1.2° skew, JPEG), two pages, English layer
    pages = paged_lines(text["e03"], "TeXGyrePagella", 200)
    imgs = [render(p, "TeXGyrePagella", NOISY_PDF, 301 + i) for i, p in enumerate(pages)]
    english_layer_pdf(imgs, OUT / "s03-noisy-eng-layer.pdf", fmt="JPEG")
    write_truth("s03-noisy-eng-layer", pages)

    # s04 / s05: the two pages of e04 as a noisy JPEG and as a black-and-white 200 dpi PNG
    pages = paged_lines(text["e04"], "LinuxLibertine", 200)
    img = render(pages[0], "LinuxLibertine", NOISY_JPEG, 401)
    img.save(OUT / "s04-noisy-200dpi.jpg", quality=55, dpi=(200, 200))
    write_truth("s04-noisy-200dpi", pages[:1])
    pages = paged_lines(text["e04"], "URWBookman", 200)
    img = render(pages[1], "URWBookman", BW_200, 501)
    img.convert("1").save(OUT / "s05-bw-200dpi.png", dpi=(200, 200), optimize=True)
    write_truth("s05-bw-200dpi", pages[1:2])

    # s06: three-page black-and-white 300 dpi TIFF (CCITT G4), one page of e01, e02, e03 each
    tif_pages, imgs = [], []
    for i, (key, font) in enumerate([("e01", "Caladea"), ("e02", "NotoSans"), ("e03", "NimbusSansNarrow")]):
        lines = paged_lines(text[key], font, 300)[1]
        tif_pages.append(lines)
        imgs.append(render(lines, font, BW_300, 601 + i).convert("1"))
    imgs[0].save(OUT / "s06-bw-multipage.tif", save_all=True, append_images=imgs[1:],
                 compression="group4", dpi=(300, 300))
    write_truth("s06-bw-multipage", tif_pages)

    # s07: born-digital PDF with a correct text layer (kept as it is by `svfix ocr`)
    born = born_digital_lines(text["e02"])
    (OUT / "s07-born-digital.pdf").write_bytes(born_digital_pdf(born))
    write_truth("s07-born-digital", born)

    # s08: mixed: a born-digital page, a black-and-white 300 dpi scan with an English layer,
    # and the same kind of scan without any layer (image only)
    import pypdfium2 as pdfium

    scan_pages = paged_lines(text["e04"], "NotoSerif", 300)
    scans = [render(p, "NotoSerif", BW_300, 801 + i).convert("1") for i, p in enumerate(scan_pages)]
    with tempfile.TemporaryDirectory() as tmp:
        english_layer_pdf(scans[:1], Path(tmp) / "layer.pdf")
        scans[1].save(Path(tmp) / "image.pdf", resolution=300.0)
        mixed = pdfium.PdfDocument.new()
        for source in (OUT / "s07-born-digital.pdf", Path(tmp) / "layer.pdf", Path(tmp) / "image.pdf"):
            mixed.import_pages(pdfium.PdfDocument(str(source)), [0])
        mixed.save(str(OUT / "s08-mixed-layers.pdf"))
    write_truth("s08-mixed-layers", [born[0], scan_pages[0], scan_pages[1]])

    # faults
    FAULTY.mkdir(parents=True, exist_ok=True)
    good = (OUT / "s01-clean-eng-layer.pdf").read_bytes()
    (FAULTY / "f01-truncated.pdf").write_bytes(good[:1500])
    (FAULTY / "f02-encrypted.pdf").write_bytes(born_digital_pdf(born[:1], user_password="svfix"))
    (FAULTY / "f03-zero-size.png").write_bytes(zero_size_png())
    Image.new("L", (1, 1), 255).save(FAULTY / "f04-one-pixel.png")
    # f05: page 2 of 3 is a 40000-pixel-wide sliver, which Tesseract refuses ("Image too large")
    small = paged_lines(text["e01"], "NotoSans", 200)[0][:8]
    first = render(small, "NotoSans", None, 0, dpi=200).convert("1")
    third = render(paged_lines(text["e03"], "NotoSans", 200)[0][:8], "NotoSans", None, 0, dpi=200).convert("1")
    sliver = Image.new("1", (40000, 40), 1)
    first.save(FAULTY / "f05-bad-page.tif", save_all=True, append_images=[sliver, third],
               compression="group4", dpi=(200, 200))
    (FAULTY / "f05-bad-page.truth.txt").write_text(
        "\f".join(["\n".join(small), "", "\n".join(paged_lines(text["e03"], "NotoSans", 200)[0][:8])]) + "\n",
        encoding="utf-8")

    total = sum(p.stat().st_size for p in OUT.iterdir())
    for p in sorted(OUT.iterdir()):
        print(f"{p.stat().st_size:>9,}  {p.name}")
    print(f"{total:>9,}  total")


if __name__ == "__main__":
    main()

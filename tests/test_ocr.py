"""`svfix ocr` on the real sample scans in samples/scans/ with the real Tesseract.

These tests need the Debian packages tesseract-ocr and tesseract-ocr-swe (the README's test
command installs them); without them they fail with that advice rather than skip. The
missing-dependency tests take them away for real: PATH without tesseract, TESSDATA_PREFIX
pointing at an empty folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from svfix.errors import BadInputError, ExitCode
from svfix.ocr import OcrOptions, Source, assess_layer, read, read_pages
from svfix.ocr import images, pdf, preprocess, tesseract
from svfix.ocr.merge import choose, fold, merge
from svfix.ocr.pages import read_files
from svfix.ocr.tesseract import Reading, Word

ROOT = Path(__file__).resolve().parents[1]
SCANS = ROOT / "samples" / "scans"
FAULTY = ROOT / "samples" / "faulty"
sys.path.insert(0, str(ROOT))
from benchmarks.metrics import cer  # noqa: E402

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", autouse=True)
def _tesseract_installed():
    try:
        tesseract.check("swe")
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"{exc} (the OCR tests run the real Tesseract)")


def truth(name: str) -> list[str]:
    folder = FAULTY if name.startswith("f") else SCANS
    return (folder / f"{Path(name).stem}.truth.txt").read_text(encoding="utf-8").rstrip("\n").split("\f")


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "svfix", "ocr", *args], capture_output=True,
                          text=True, cwd=ROOT, env=full_env, timeout=300)


# ------------------------------------------------------------------ missing dependencies


def test_missing_tesseract_says_what_to_install(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    assert shutil.which("tesseract", path=str(bin_dir)) is None
    proc = run_cli(str(SCANS / "s05-bw-200dpi.png"), env={"PATH": str(bin_dir)})
    assert proc.returncode == ExitCode.MISSING_DEPENDENCY
    assert "tesseract is not installed" in proc.stderr
    assert "apt-get install tesseract-ocr tesseract-ocr-swe" in proc.stderr
    assert proc.stdout == ""


def test_missing_language_data_says_which_package(tmp_path):
    proc = run_cli(str(SCANS / "s05-bw-200dpi.png"), "--lang", "swe+eng",
                   env={"TESSDATA_PREFIX": str(tmp_path)})
    assert proc.returncode == ExitCode.MISSING_DEPENDENCY
    assert "swe+eng is not installed" in proc.stderr
    assert "apt-get install tesseract-ocr-swe tesseract-ocr-eng" in proc.stderr


# ------------------------------------------------------------------ the three page paths


def test_clean_image_only_pdf_is_read_with_ocr():
    pages = read_pages(SCANS / "s02-clean-image-only.pdf")
    assert [p.source for p in pages] == [Source.OCR, Source.OCR]
    assert all("no text layer" in p.note for p in pages)
    for page, expected in zip(pages, truth("s02-clean-image-only.pdf")):
        assert cer(expected, page.text) < 0.01


def test_good_text_layer_is_kept_without_ocr():
    pages = read_pages(SCANS / "s07-born-digital.pdf")
    assert [p.source for p in pages] == [Source.LAYER, Source.LAYER]
    assert all(p.ocr_text is None and not p.layer.damaged for p in pages)
    for page, expected in zip(pages, truth("s07-born-digital.pdf")):
        assert cer(expected, page.text) < 0.005


def test_mixed_pdf_takes_the_right_path_per_page():
    pages = read_pages(SCANS / "s08-mixed-layers.pdf")
    assert [p.source for p in pages] == [Source.LAYER, Source.MERGED, Source.OCR]
    assert "undotted" in pages[1].note or "å/ä/ö" in pages[1].note
    assert pages[1].layer.damaged and pages[2].layer.missing
    for page, expected in zip(pages, truth("s08-mixed-layers.pdf")):
        assert cer(expected, page.text) < 0.02
    # the merged page is better than the English-model layer it replaced
    assert cer(truth("s08-mixed-layers.pdf")[1], pages[1].text) < cer(
        truth("s08-mixed-layers.pdf")[1], pages[1].layer_text) / 4


def test_force_ocr_rereads_a_good_layer():
    pages = read_pages(SCANS / "s07-born-digital.pdf", force_ocr=True, fix=False)
    assert [p.source for p in pages] == [Source.MERGED, Source.MERGED]
    assert all("forced" in p.note for p in pages)


def test_multipage_tiff_pages_in_order_and_noisy_jpeg():
    results = list(read_files([SCANS / "s06-bw-multipage.tif", SCANS / "s04-noisy-200dpi.jpg"],
                              OcrOptions(), jobs=2))
    assert [len(r.pages) for r in results] == [3, 1]
    for page, expected in zip(results[0].pages, truth("s06-bw-multipage.tif")):
        assert page.source is Source.OCR
        assert cer(expected, page.text) < 0.01, page.number
    assert cer(truth("s04-noisy-200dpi.jpg")[0], results[1].pages[0].text) < 0.03


# ------------------------------------------------------------------ errors and output


def test_bad_files_are_reported_with_file_and_page_and_the_rest_goes_on(tmp_path):
    names = ["f01-truncated.pdf", "f02-encrypted.pdf", "f03-zero-size.png", "f04-one-pixel.png",
             "f05-bad-page.tif", "s05-bw-200dpi.png"]
    proc = run_cli(*[str((FAULTY if n.startswith("f") else SCANS) / n) for n in names],
                   "--out", str(tmp_path), "--jobs", "2")
    assert proc.returncode == ExitCode.SOME_FILES_FAILED, proc.stderr
    err = proc.stderr
    assert "f01-truncated.pdf: not a readable PDF" in err
    assert "f02-encrypted.pdf: the PDF is encrypted with a password" in err
    assert "f03-zero-size.png: the image is empty (0×0 pixels)" in err
    assert "f04-one-pixel.png page 1/1: empty" in err
    assert "f05-bad-page.tif page 2/3: tesseract failed: Image too large" in err
    assert "f05-bad-page.tif page 1/3: ocr" in err and "f05-bad-page.tif page 3/3: ocr" in err
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["f04-one-pixel.txt", "f05-bad-page.txt", "s05-bw-200dpi.txt"]
    tif_pages = (tmp_path / "f05-bad-page.txt").read_text(encoding="utf-8").split("\f")
    expected = truth("f05-bad-page.tif")
    assert len(tif_pages) == 3 and tif_pages[1] == ""
    assert cer(expected[0], tif_pages[0]) < 0.02 and cer(expected[2], tif_pages[2]) < 0.02
    png = (tmp_path / "s05-bw-200dpi.txt").read_text(encoding="utf-8")
    assert cer(truth("s05-bw-200dpi.png")[0], png) < 0.03


def test_library_errors_name_the_file():
    with pytest.raises(BadInputError, match="f02-encrypted.pdf: the PDF is encrypted"):
        read(FAULTY / "f02-encrypted.pdf")
    with pytest.raises(BadInputError, match=r"f03-zero-size.png: the image is empty \(0×0"):
        read(FAULTY / "f03-zero-size.png")
    assert read(FAULTY / "f04-one-pixel.png") == [""]


# ------------------------------------------------------------------ the parts, on real data


def test_text_layer_damage_profile():
    layer = pdf.text_layer(SCANS / "s01-clean-eng-layer.pdf", 0)
    profile = assess_layer(layer)
    assert profile.damaged and profile.dotted < 10
    for page in truth("s01-clean-eng-layer.pdf") + truth("s06-bw-multipage.tif"):
        assert not assess_layer(page).damaged, assess_layer(page).reasons
    assert assess_layer("").missing


def test_merge_prefers_agreement_dots_and_confidence():
    layer = "Beslutande: Asa Lindstrom (S), ordforande § 45 Hakan"
    words = [("Beslutande:", 96), ("Åsa", 95), ("Lindström", 96), ("(S),", 90),
             ("ordförande", 96), ("$", 66), ("45", 95), ("Håkan", 96)]
    reading = Reading(tuple(Word(t, c, (1, 1, 1)) for t, c in words))
    result = merge(layer, reading)
    assert result.text == "Beslutande: Åsa Lindström (S), ordförande § 45 Håkan"
    assert (result.agreed, result.from_ocr, result.from_layer) == (3, 4, 1)
    assert choose("atgärder", Word("åtgärder", 50, (1, 1, 1)))[0] == "åtgärder"
    assert choose("åtgärder", Word("atgärder", 90, (1, 1, 1)))[0] == "åtgärder"
    assert fold("Ärende:") == "arende"


def test_deskew_finds_the_scan_rotation():
    with Image.open(SCANS / "s06-bw-multipage.tif") as tif:
        page = tif.convert("L")
        page.info["dpi"] = (300, 300)
    assert abs(preprocess.estimate_skew(page) - 0.6) <= 0.2  # rendered at -0.6°
    level = page.rotate(-2.0, resample=Image.Resampling.BICUBIC, fillcolor=255)
    level.info["dpi"] = (300, 300)
    assert abs(preprocess.estimate_skew(level) - 2.6) <= 0.2


def test_images_and_pdf_helpers():
    assert images.frame_count(SCANS / "s06-bw-multipage.tif") == 3
    frame = images.load_frame(SCANS / "s04-noisy-200dpi.jpg", 0)
    assert frame.info["dpi"] == (200, 200)
    assert pdf.page_count(SCANS / "s08-mixed-layers.pdf") == 3
    assert pdf.text_layer(SCANS / "s02-clean-image-only.pdf", 0) == ""
    image = pdf.rasterize(SCANS / "s07-born-digital.pdf", 1, dpi=100)
    assert image.width == 827 and abs(image.height - 1169) <= 1 and image.info["dpi"] == (100, 100)
    assert pdf.render_dpi(SCANS / "s03-noisy-eng-layer.pdf", 0) == 200  # the scan's own
    assert pdf.render_dpi(SCANS / "s07-born-digital.pdf", 0) == 300  # no scan: default
    with pytest.raises(ValueError, match="unknown preprocessing step"):
        OcrOptions(preprocess=("sharpen",))


def test_doctests_of_the_ocr_modules():
    import doctest

    from svfix.ocr import damage, merge as merge_module, pages, symbols
    from svfix.ocr import tesseract as tesseract_module

    for module in (damage, merge_module, pages, preprocess, pdf, symbols, tesseract_module):
        failures, _ = doctest.testmod(module)
        assert failures == 0, module.__name__

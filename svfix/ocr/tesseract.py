"""The `tesseract` binary: a probe for the program and its language data, and one page runner.

Everything that talks to Tesseract lives here (OCRmyPDF's `_exec/tesseract.py` layout): the
probe answers "is it installed, which version, which languages" and raises
`MissingDependencyError` naming the Debian packages to install; `read_image` runs one page
through pytesseract's `image_to_data` and returns the words with their confidences. Work
functions are module-level and picklable so that a process pool can run them.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from PIL import Image

from svfix.errors import MissingDependencyError, SvfixError

#: Oldest Tesseract with the LSTM engine, whose `swe` model this module is written for.
MIN_VERSION = (4, 0)

_INSTALL_HINT = "install it with: apt-get install tesseract-ocr tesseract-ocr-swe"


class TesseractPageError(SvfixError):
    """Tesseract failed on one page (crash, timeout, unreadable image); the message says why."""


@dataclass(frozen=True, slots=True)
class Word:
    """One word Tesseract read: its text, confidence (0..100) and where it sits in the layout.

    `line` is a `(block, paragraph, line)` key: words with the same key share a text line.
    """

    text: str
    conf: float
    line: tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Reading:
    """Tesseract's reading of one page: the words in reading order and a warning, if any."""

    words: tuple[Word, ...]
    warning: str = ""

    @property
    def text(self) -> str:
        """The words laid out as Tesseract's text output: lines, blank line between paragraphs."""
        return words_to_text(self.words)

    @property
    def mean_conf(self) -> float:
        """Mean word confidence (0..100), 0.0 for an empty page."""
        if not self.words:
            return 0.0
        return sum(w.conf for w in self.words) / len(self.words)


def words_to_text(words: tuple[Word, ...] | list[Word]) -> str:
    """Join words into lines (same `line` key) and paragraphs (blank line between them).

    >>> words_to_text([Word("Hej", 95, (1, 1, 1)), Word("då", 90, (1, 1, 1)),
    ...                Word("Nästa", 91, (1, 2, 1))])
    'Hej då\\n\\nNästa'
    """
    out: list[str] = []
    prev: tuple[int, int, int] | None = None
    for word in words:
        if prev is None:
            pass
        elif word.line == prev:
            out.append(" ")
        elif word.line[:2] == prev[:2]:
            out.append("\n")
        else:
            out.append("\n\n")
        out.append(word.text)
        prev = word.line
    return "".join(out)


def debian_package(lang: str) -> str:
    """The Debian package that ships the traineddata for a Tesseract language code.

    >>> debian_package("swe"), debian_package("chi_sim")
    ('tesseract-ocr-swe', 'tesseract-ocr-chi-sim')
    """
    return "tesseract-ocr-" + lang.lower().replace("_", "-")


def split_langs(lang: str) -> list[str]:
    """The language codes of a Tesseract `-l` value such as ``swe+eng``.

    >>> split_langs("swe+eng")
    ['swe', 'eng']
    """
    return [part for part in lang.split("+") if part]


def _run_probe(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("tesseract")
    if exe is None:
        raise MissingDependencyError(f"tesseract is not installed (not found on PATH); {_INSTALL_HINT}")
    try:
        return subprocess.run([exe, *args], capture_output=True, text=True, timeout=60, check=False)
    except OSError as exc:
        raise MissingDependencyError(f"tesseract cannot be run ({exc}); {_INSTALL_HINT}") from None


@functools.lru_cache(maxsize=None)
def version() -> tuple[int, ...]:
    """The installed Tesseract's version as a tuple, e.g. ``(5, 3, 0)``."""
    proc = _run_probe("--version")
    match = re.search(r"tesseract v?(\d+)\.(\d+)(?:\.(\d+))?", proc.stdout + proc.stderr)
    if match is None:
        raise MissingDependencyError(f"`tesseract --version` printed no version; {_INSTALL_HINT}")
    return tuple(int(g) for g in match.groups() if g is not None)


def languages() -> tuple[set[str], str]:
    """The installed language codes and the tessdata folder Tesseract looked in.

    Not cached: `TESSDATA_PREFIX` may change between calls.
    """
    proc = _run_probe("--list-langs")
    text = proc.stdout + proc.stderr
    folder = re.search(r'languages in "([^"]*)"', text)
    langs = set()
    for line in proc.stdout.splitlines():
        line = line.strip()
        if line and not line.startswith("List of available") and " " not in line:
            langs.add(line)
    return langs, folder.group(1) if folder else "?"


def check(lang: str = "swe") -> tuple[int, ...]:
    """Make sure Tesseract and the language data for `lang` are installed; return the version.

    Raises `MissingDependencyError` with the exact Debian packages to install.
    """
    found = version()
    if found[:2] < MIN_VERSION:
        raise MissingDependencyError(
            f"tesseract {'.'.join(map(str, found))} is too old (need 4.0 or later with the LSTM "
            f"engine); {_INSTALL_HINT}"
        )
    installed, folder = languages()
    missing = [code for code in split_langs(lang) if code not in installed]
    if not split_langs(lang):
        raise MissingDependencyError("no OCR language given (use for example --lang swe)")
    if missing:
        packages = " ".join(debian_package(code) for code in missing)
        raise MissingDependencyError(
            f"tesseract language data {'+'.join(missing)!s} is not installed "
            f"(looked in {folder}); install it with: apt-get install {packages}"
        )
    return found


@contextmanager
def _one_thread() -> Iterator[None]:
    # Tesseract's OpenMP threads fight each other (and our process pool): on a 2-core machine
    # one page took 22 s with them and 3.7 s with OMP_THREAD_LIMIT=1. pytesseract passes the
    # environment through, so set it for the duration of the call.
    old = os.environ.get("OMP_THREAD_LIMIT")
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("OMP_THREAD_LIMIT", None)
        else:
            os.environ["OMP_THREAD_LIMIT"] = old


def build_config(*, dpi: int | None = None, psm: int = 3, user_words: str | None = None) -> str:
    """The option string passed to pytesseract (it splits it into argv itself).

    >>> build_config(dpi=300)
    '--psm 3 --oem 1 --dpi 300'
    """
    parts = ["--psm", str(psm), "--oem", "1"]
    if dpi:
        parts += ["--dpi", str(int(dpi))]
    if user_words:
        parts += ["--user-words", user_words]
    return " ".join(parts)


def read_image(
    image: Image.Image, *, lang: str = "swe", dpi: int | None = None, psm: int = 3,
    timeout: float = 300,
) -> Reading:
    """OCR one page image with Tesseract; the words in reading order with their confidences.

    An image Tesseract finds empty or too small comes back as an empty `Reading` with a
    `warning` (OCRmyPDF does the same); any other failure raises `TesseractPageError`.
    """
    import pytesseract

    width, height = image.size
    if width < 3 or height < 3:
        return Reading((), warning=f"image too small to read ({width}×{height} pixels)")
    # pytesseract hands the image over as a temporary file in `image.format`; uncompressed
    # PNM saves in 30 ms where PNG compression takes 0.6 s for an A4 page at 300 dpi.
    image = image.convert("L") if image.mode not in ("1", "L", "RGB") else image.copy()
    image.format = "PPM"
    try:
        with _one_thread():
            data = pytesseract.image_to_data(
                image, lang=lang, config=build_config(dpi=dpi, psm=psm),
                output_type=pytesseract.Output.DICT, timeout=timeout,
            )
    except pytesseract.TesseractNotFoundError:
        raise MissingDependencyError(f"tesseract is not installed; {_INSTALL_HINT}") from None
    except pytesseract.TesseractError as exc:
        message = " ".join(str(exc.message).split())
        if "Empty page" in message or "Image too small" in message:
            return Reading((), warning="Tesseract found no text (empty page)")
        raise TesseractPageError(f"tesseract failed: {message[-300:] or exc.status}") from None
    except RuntimeError as exc:  # pytesseract's timeout
        raise TesseractPageError(f"tesseract {exc}") from None
    words = []
    for i, level in enumerate(data["level"]):
        text = unicodedata.normalize("NFC", str(data["text"][i])).strip()
        if int(level) != 5 or not text:
            continue
        line = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        words.append(Word(text, max(0.0, float(data["conf"][i])), line))
    warning = "" if words else "Tesseract found no text (empty page)"
    return Reading(tuple(words), warning=warning)

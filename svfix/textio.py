"""Reading the text files of old Swedish archives: which files are text, and in which encoding.

An archive that grew over thirty years holds UTF-8 (with and without a byte-order mark),
UTF-16 from Windows tools, cp1252 / latin-1 from the Windows and Unix years and the odd
DOS (cp850) or classic Mac file. `decode` finds out which one a file is, from the bytes
alone, and says so; it never guesses silently and never replaces a byte it cannot place.

The order of the checks matters and each step is cheap:

1. an empty file is refused;
2. a byte-order mark decides (UTF-32, UTF-8, UTF-16), and bytes that contradict it are refused;
3. NUL bytes mean UTF-16 without a mark when they sit on every other byte, binary otherwise;
4. strict UTF-8 (``ascii`` when every byte is below 0x80);
5. mostly-UTF-8 with a few cp1252 bytes (files concatenated from both eras);
6. a single-byte code page: cp1252, unless its undefined bytes occur (then latin-1), unless
   the non-ASCII letters only make Swedish words as cp850 or mac_roman.

Decoded text with more than 1 % control characters is refused as binary.
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

import regex

from svfix.errors import BadInputError

#: Files decoded as text. CSV/TSV and markup are left out on purpose: their cells and tags
#: carry codes and identifiers that must not be "restored".
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})

#: Files that go through the OCR path (`svfix.ocr.read`) when asked to.
OCR_SUFFIXES = frozenset({".pdf", ".png", ".tif", ".tiff", ".jpg", ".jpeg"})

_SWEDISH_LETTERS = "åäöÅÄÖ"
_ALLOWED_CONTROLS = "\t\n\r\f\v\x1a"  # \x1a: the DOS end-of-file mark
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x9f]")  # re: faster scan
_SURROGATE_RE = regex.compile(r"[\udc80-\udcff]+")
_NON_ASCII_RE = regex.compile(r"[^\x00-\x7f]")
_ODD_INNER_RE = regex.compile(r"(?<=\p{L})[^\x00-\x7fåäöÅÄÖéÉüÜæøÆØáàèêëíïóôúÁÈÍÓÚ](?=\p{L})")
_SNIFF_BYTES = 1 << 20


class Decoded(NamedTuple):
    """A decoded text and the name of the encoding it was read with."""

    text: str
    encoding: str


class DecodeError(BadInputError):
    """Bytes that are not text in any encoding svfix reads. `reason` is the message sans file."""

    def __init__(self, reason: str, name: str | None = None) -> None:
        self.reason = reason
        self.name = name
        super().__init__(f"{name}: {reason}" if name else reason)


def decode(data: bytes, name: str | None = None) -> Decoded:
    """Decode the bytes of a text file, detecting the encoding; raise `DecodeError` if they are not text.

    `name` (the file's name) only goes into the error message.

    >>> decode("Tyresö kommun".encode("cp1252"))
    Decoded(text='Tyresö kommun', encoding='cp1252')
    >>> decode(codecs.BOM_UTF8 + "Här".encode("utf-8"))
    Decoded(text='Här', encoding='utf-8-sig')
    >>> decode("Här".encode("utf-16-le"))
    Decoded(text='Här', encoding='utf-16-le')
    >>> decode(b"PK\\x03\\x04\\x00\\x00\\x08\\x00")
    Traceback (most recent call last):
    svfix.textio.DecodeError: binary file (NUL bytes)
    """
    try:
        decoded = _decode(data)
    except DecodeError as exc:
        raise DecodeError(exc.reason, name) from None
    _check_controls(decoded.text, name)
    return decoded


def _decode(data: bytes) -> Decoded:
    if not data:
        raise DecodeError("empty file")
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return Decoded(_strict(data, encoding, "a byte-order mark"), encoding)
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise DecodeError("binary file (NUL bytes)")
        return Decoded(_strict(data, utf16, "its NUL-byte pattern"), utf16)
    if data.isascii():
        return Decoded(data.decode("ascii"), "ascii")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    mixed = _utf8_with_cp1252(data)
    if mixed is not None:
        return Decoded(mixed, "utf-8+cp1252")
    return _single_byte(data)


def _strict(data: bytes, encoding: str, evidence: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        label = encoding.replace("-sig", "").upper()
        raise DecodeError(
            f"undecodable: {label} by {evidence}, but bytes {exc.start}-{exc.end} are not "
            f"{label} ({exc.reason})"
        ) from None


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NULs sit on every other byte, as Latin-script UTF-16 has."""
    sample = data[:_SNIFF_BYTES]
    half = len(sample) // 2
    if half == 0:
        return None
    even = sample[0::2].count(0) / half
    odd = sample[1::2].count(0) / half
    if odd > 0.4 and even < 0.05:
        return "utf-16-le"
    if even > 0.4 and odd < 0.05:
        return "utf-16-be"
    return None


def _utf8_with_cp1252(data: bytes) -> str | None:
    """Text that is UTF-8 but for a few stray cp1252 bytes, or None when it is not mostly UTF-8."""
    text = data.decode("utf-8", errors="surrogateescape")
    bad = sum(len(m) for m in _SURROGATE_RE.findall(text))
    good = len(_NON_ASCII_RE.findall(text)) - bad
    if good < bad:
        return None
    return _SURROGATE_RE.sub(
        lambda m: _cp1252_or_latin1(m.group().encode("utf-8", errors="surrogateescape")), text
    )


def _cp1252_or_latin1(data: bytes) -> str:
    return data.decode("latin-1" if _has_cp1252_undefined(data) else "cp1252")


def _has_cp1252_undefined(data: bytes) -> bool:
    return any(b in data for b in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"))


def _single_byte(data: bytes) -> Decoded:
    encoding = "latin-1" if _has_cp1252_undefined(data) else "cp1252"
    text = data.decode(encoding)
    odd = _odd_inner(text)
    if odd:
        # DOS and classic-Mac files put å/ä/ö on bytes that cp1252 shows as † „ ” Š š Œ, which
        # then sit *inside* words; believe such a code page only when that oddity goes away.
        for other in ("cp850", "mac_roman"):
            candidate = data.decode(other)
            if _odd_inner(candidate) < odd / 4 and _swedish_share(candidate) >= 0.5:
                return Decoded(candidate, other)
    return Decoded(text, encoding)


def _swedish_share(text: str) -> float:
    non_ascii = _NON_ASCII_RE.findall(text)
    if not non_ascii:
        return 0.0
    return sum(c in _SWEDISH_LETTERS for c in non_ascii) / len(non_ascii)


def _odd_inner(text: str) -> int:
    """How many non-ASCII characters inside words are not letters Swedish text uses."""
    return len(_ODD_INNER_RE.findall(text))


def _check_controls(text: str, name: str | None) -> None:
    sample = text[:_SNIFF_BYTES]
    if _CONTROL_RE.search(sample) is None:
        return
    controls = len(_CONTROL_RE.findall(sample))
    if controls and controls > 0.01 * len(sample):
        raise DecodeError(
            f"binary file ({100 * controls / len(sample):.0f} % control characters)", name
        )


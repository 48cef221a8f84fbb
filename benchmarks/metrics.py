"""Character and word error rates, the way OCR evaluations compute them.

Both texts are NFC-normalized and their whitespace collapsed to single spaces (layout is
not what we measure); CER is the Levenshtein distance over Unicode characters divided by
the reference length, WER the same over whitespace-separated words.

>>> cer("Åtgärder för år 2024", "Atgärder for ar 2024")
0.15
>>> wer("Åtgärder för år 2024", "Atgärder for ar 2024")
0.75
"""

from __future__ import annotations

import unicodedata

from rapidfuzz.distance import Levenshtein


def normalize(text: str) -> str:
    """NFC, form feeds and all runs of whitespace as one space, no leading/trailing space.

    >>> normalize("Hej\\n\\n  då\\f")
    'Hej då'
    """
    return " ".join(unicodedata.normalize("NFC", text).split())


def char_errors(ref: str, hyp: str) -> tuple[int, int]:
    """(edit distance, reference length) in characters, after `normalize`."""
    r, h = normalize(ref), normalize(hyp)
    return Levenshtein.distance(r, h), len(r)


def word_errors(ref: str, hyp: str) -> tuple[int, int]:
    """(edit distance, reference length) in words, after `normalize`."""
    r, h = normalize(ref).split(), normalize(hyp).split()
    return Levenshtein.distance(r, h), len(r)


def cer(ref: str, hyp: str) -> float:
    """Character error rate of `hyp` against `ref` (0.0 for two empty texts)."""
    errors, length = char_errors(ref, hyp)
    return errors / length if length else float(errors > 0)


def wer(ref: str, hyp: str) -> float:
    """Word error rate of `hyp` against `ref` (0.0 for two empty texts)."""
    errors, length = word_errors(ref, hyp)
    return errors / length if length else float(errors > 0)

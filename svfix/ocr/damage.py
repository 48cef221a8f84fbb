"""Is a PDF's text layer good enough to keep, or should the page be read again?

`assess_layer` is the one decision the OCR pipeline needs from a text layer. Its main signal
is the restoration core's own damage profile, so a layer svfix would repair is a layer worth
reading again.

Signals, each with its own threshold (any one over it makes the layer "damaged"):

- too little text: an image-only page or an empty layer;
- words the Swedish lexicon does not know (only when ``svfix.lexicon`` has its data);
- missing å/ä/ö: Swedish prose has about 4 % of its letters among å, ä and ö, an
  English-model layer almost none;
- the restoration pipeline's own document profile (`svfix.document`): the share of å/ä/ö
  the page lost, from the letters that survived, the words that only make sense restored and
  the shortfall against ordinary Swedish letter frequencies;
- digits inside words ("Stré6m", "G6ran"), letters foreign to Swedish ("ordférande"),
  and OCR junk characters (``| ~ { } ¢ ©``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable

#: A word validity test: lowercase form -> is it a Swedish word?
Validity = Callable[[str], bool]

_TOKEN = re.compile(r"\S+")
_CORE = re.compile(r"^[\W_]+|[\W_]+$")
_LETTERS_ONLY = re.compile(r"^[^\W\d_]+(?:[-'’][^\W\d_]+)*$")
# a digit between letters (Stré6m, G6ran) or opening a lowercase run (6vriga, 1nom)
_DIGIT_IN_WORD = re.compile(r"[^\W\d_]\d+[^\W\d_]|^\d[a-zåäöé]{3,}")
_SWEDISH_DOTTED = set("åäöÅÄÖ")
# é occurs in Swedish (idé, Linnéa); the rest are letters an English model puts for å/ä/ö
_FOREIGN = set("èêëìíîïòóôõøùúûüýÿñçãâáàœæÈÉÊËÌÍÎÏÒÓÔÕØÙÚÛÜÝÑÇÃÂÁÀ")
_JUNK = set("|~{}¢©®°¥£€¦¬«»¶\\") - {"€"}

@dataclass(frozen=True, slots=True)
class Thresholds:
    """Where each signal starts to mean "damaged" (shares are of the layer's words/letters)."""

    min_chars: int = 40
    min_words: int = 5
    invalid_share: float = 0.12
    dotted_share_min: float = 0.01
    dotted_min_letters: int = 300
    damage_rate: float = 0.3  # the core's estimated share of å/ä/ö lost
    digit_word_share: float = 0.01
    digit_word_min: int = 2
    foreign_share: float = 0.01
    foreign_min: int = 3
    junk_share: float = 0.005


@dataclass(frozen=True, slots=True)
class LayerProfile:
    """What `assess_layer` measured on a text layer and what it concluded.

    `damaged` is the decision; `reasons` say why, in words fit for a per-page report.
    `invalid_share` is None when no lexicon was available.
    """

    chars: int
    words: int
    letters: int
    dotted: int
    lost_diacritics: float  # å/ä/ö the core's profile says the layer lost
    damage_rate: float  # the core's estimated share of å/ä/ö lost
    digit_words: int
    foreign_words: int
    junk_chars: int
    invalid_share: float | None
    damaged: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def missing(self) -> bool:
        """True when there is (next to) no text at all: an image-only page."""
        return self.words == 0 or (
            bool(self.reasons) and self.reasons[0].startswith(("no text layer", "no usable text layer")))

    def summary(self) -> str:
        """One line for the per-page report."""
        if self.reasons:
            return "; ".join(self.reasons)
        parts = [f"{self.words} words"]
        if self.invalid_share is not None:
            parts.append(f"{self.invalid_share:.0%} unknown")
        parts.append(f"{self.dotted} å/ä/ö")
        return ", ".join(parts)


@functools.lru_cache(maxsize=1)
def default_validity() -> Validity | None:
    """`svfix.lexicon`'s `is_valid`, or None when the lexicon (or its data) is not there yet."""
    try:
        from svfix.lexicon import default_lexicon

        lexicon = default_lexicon()
    except Exception:  # noqa: BLE001 - no lexicon module or no compiled data: heuristics only
        return None
    return lexicon.is_valid


def word_core(token: str) -> str:
    """A token without the punctuation around it.

    >>> word_core("(ordförande),")
    'ordförande'
    """
    return _CORE.sub("", token)


def assess_layer(
    text: str, *, is_valid: Validity | None = None, thresholds: Thresholds = Thresholds(),
) -> LayerProfile:
    """Measure a text layer's damage and decide whether to keep it or OCR the page again.

    `is_valid` tests lowercase word forms (default: the package lexicon, when installed).

    >>> assess_layer("Kommunstyrelsen beslutar att godkänna förslaget för år 2024 och "
    ...              "uppdrar åt förvaltningen att återkomma.", is_valid=None).damaged
    False
    >>> assess_layer("Kommunstyrelsen beslutar att godkanna forslaget for ar 2024 och "
    ...              "uppdrar at forvaltningen att aterkomma. Stré6m", is_valid=None).reasons[0]
    'svfix damage profile: 86% of å/ä/ö lost (5 lost, 0 intact)'
    """
    t = thresholds
    validity = is_valid if is_valid is not None else default_validity()
    tokens = _TOKEN.findall(text)
    chars = sum(len(tok) for tok in tokens)
    if chars < t.min_chars or len(tokens) < t.min_words:
        return LayerProfile(chars, len(tokens), 0, 0, 0.0, 0.0, 0, 0, 0, None, True,
                            ("no text layer" if chars == 0 else f"no usable text layer ({chars} characters)",))
    letters = sum(1 for ch in text if ch.isalpha())
    dotted = sum(1 for ch in text if ch in _SWEDISH_DOTTED)
    junk = sum(1 for ch in text if ch in _JUNK)
    digit_words = foreign_words = checked = invalid = 0
    for token in tokens:
        core = unicodedata.normalize("NFC", word_core(token))
        if not core:
            continue
        lower = core.lower()
        if _DIGIT_IN_WORD.search(core):
            digit_words += 1
        if any(ch in _FOREIGN for ch in core):
            foreign_words += 1
        if validity is not None and len(core) > 1 and _LETTERS_ONLY.match(core):
            checked += 1
            if not validity(lower):
                invalid += 1
    invalid_share = invalid / checked if validity is not None and checked else None
    words = len(tokens)
    reasons: list[str] = []
    from svfix.pipeline import analyse

    profile = analyse(unicodedata.normalize("NFC", text))[1].profile
    rate = sum(profile.rates.values()) / len(profile.rates)
    lost = sum(profile.damaged.values())
    if rate >= t.damage_rate:
        reasons.append(f"svfix damage profile: {rate:.0%} of å/ä/ö lost "
                       f"({lost:.0f} lost, {sum(profile.survived.values())} intact)")
    if letters >= t.dotted_min_letters and dotted / letters < t.dotted_share_min:
        reasons.append(f"only {dotted} å/ä/ö in {letters} letters")
    if invalid_share is not None and invalid_share > t.invalid_share:
        reasons.append(f"{invalid_share:.0%} of words not Swedish")
    if digit_words >= t.digit_word_min and digit_words / words > t.digit_word_share:
        reasons.append(f"{digit_words} words with digits inside")
    if foreign_words >= t.foreign_min and foreign_words / words > t.foreign_share:
        reasons.append(f"{foreign_words} words with letters foreign to Swedish")
    if junk / chars > t.junk_share:
        reasons.append(f"{junk} OCR junk characters")
    return LayerProfile(
        chars=chars, words=words, letters=letters, dotted=dotted,
        lost_diacritics=lost, damage_rate=rate, digit_words=digit_words,
        foreign_words=foreign_words, junk_chars=junk, invalid_share=invalid_share,
        damaged=bool(reasons), reasons=tuple(reasons),
    )

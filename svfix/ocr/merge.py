"""Combine an old text layer and a new Swedish OCR reading of the same page, word by word.

The two readings are aligned on a folded key (lowercase, no diacritics, no surrounding
punctuation), so that "Marta"/"Märta" and "ordforande;"/"ordförande;" line up as the same
word. Where they differ, `choose` decides from three kinds of evidence:

- agreement: words the two engines read alike are taken as they are;
- lexicon validity (when ``svfix.lexicon`` has its data): a valid word beats an invalid one;
- Tesseract's word confidence: the new reading keeps a word unless it was unsure of it
  (below `Weights.low_conf`) and the layer's word looks clean.

The new reading is the backbone: its line layout is kept, and only single words (or runs of
words) are taken from the layer. Figures on what this gains over either reading alone are in
`benchmarks/RESULTS.md` (``benchmarks/ocr_bench.py``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from svfix.ocr.damage import Validity, _DIGIT_IN_WORD, _FOREIGN, _JUNK, word_core
from svfix.ocr.tesseract import Reading, Word, words_to_text

_DOTTED = set("åäöÅÄÖ")


@dataclass(frozen=True, slots=True)
class Weights:
    """Tunable constants of the merge (tuned on pages rendered from training/corpus)."""

    #: OCR confidence under which a differing, clean layer word may replace the OCR word.
    low_conf: float = 85.0
    #: OCR confidence under which a word the layer does not have is dropped as noise
    #: (when it has no letters or is a short non-word, see `is_noise`).
    witness_conf: float = 70.0


@dataclass(frozen=True, slots=True)
class MergeResult:
    """The merged page text and where its words came from."""

    text: str
    agreed: int
    from_ocr: int
    from_layer: int

    def summary(self) -> str:
        return f"{self.agreed} words agree, {self.from_ocr} from OCR, {self.from_layer} from the layer"


def fold(token: str) -> str:
    """The alignment key of a word: lowercase, no diacritics, no surrounding punctuation.

    >>> fold("Ordförande;"), fold("ordforande")
    ('ordforande', 'ordforande')
    """
    core = word_core(token) or token
    decomposed = unicodedata.normalize("NFD", core.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def looks_clean(token: str) -> bool:
    """True when a word shows none of the marks of an English-model misreading.

    >>> looks_clean("§"), looks_clean("Stré6m"), looks_clean("ordf|rande")
    (True, False, False)
    """
    core = word_core(token) or token
    return not (
        _DIGIT_IN_WORD.search(core)
        or any(ch in _FOREIGN or ch in _JUNK for ch in token)
    )


def _validity(token: str, is_valid: Validity | None) -> bool | None:
    core = word_core(token)
    if is_valid is None or len(core) < 2 or not core.isalpha():
        return None
    return is_valid(core.lower())


#: Confidence under which Tesseract's reading of specks and rules is dropped (`is_noise`).
NOISE_CONF = 50.0


#: What specks, rules and page edges come out as. `$ § % & @ # +` are not in it: they are
#: misread or real symbols that `svfix.fix` or the reader needs to see.
NOISE_CHARS = frozenset("|=;:><~_—–-'\"`,.^*\\/!?()[]{}‘’“”„«»°·•¦")


def is_noise(word: Word, *, conf: float = NOISE_CONF, is_valid: Validity | None = None) -> bool:
    """True for what Tesseract reads into specks, rules and page edges: ``|``, ``=``, ``SR``.

    Only words under `conf` confidence can be noise: those made of `NOISE_CHARS` alone, and
    two or three capital letters (the lexicon knows "SR", "ES" and "SS" as abbreviations,
    but an unsure reading of them is nearly always a speck). A single letter or a short
    lowercase word ("med", "i") counts as noise only when the lexicon says it is no word.

    >>> is_noise(Word("|", 30, (1, 1, 1))), is_noise(Word("SR", 5, (1, 1, 1)))
    (True, True)
    >>> is_noise(Word("med", 19, (1, 1, 1))), is_noise(Word("$", 5, (1, 1, 1)))
    (False, False)
    """
    if word.conf >= conf:
        return False
    if all(ch in NOISE_CHARS for ch in word.text):
        return True
    core = word_core(word.text)
    if not core.isalpha() or len(core) > 3:
        return False
    if core.isupper() and len(core) > 1:
        return True
    if is_valid is None:
        return False
    return not is_valid(core.lower())


def drop_noise(reading: Reading, *, conf: float = NOISE_CONF,
               is_valid: Validity | None = None) -> Reading:
    """The reading without its `is_noise` words (see there)."""
    kept = tuple(w for w in reading.words if not is_noise(w, conf=conf, is_valid=is_valid))
    return Reading(kept, reading.warning)


def choose(layer: str, ocr: Word, *, is_valid: Validity | None = None,
           weights: Weights = Weights()) -> tuple[str, bool]:
    """Pick the layer's or the OCR's reading of one aligned word; True when the layer wins.

    >>> choose("ordforande", Word("ordförande", 96, (1, 1, 1)))
    ('ordförande', False)
    >>> choose("§", Word("$", 70, (1, 1, 1)))
    ('§', True)
    >>> choose("atgärder", Word("åtgärder", 60, (1, 1, 1)))
    ('åtgärder', False)
    """
    if layer == ocr.text:
        return ocr.text, False
    valid_layer = _validity(layer, is_valid)
    valid_ocr = _validity(ocr.text, is_valid)
    if valid_layer is not None and valid_ocr is not None and valid_layer != valid_ocr:
        return (layer, True) if valid_layer else (ocr.text, False)
    if fold(layer) == fold(ocr.text):
        # Only diacritics, case or punctuation differ. OCR engines drop Swedish dots far
        # more often than they invent them, so the reading with more å/ä/ö wins.
        dots_layer = sum(ch in _DOTTED for ch in layer)
        dots_ocr = sum(ch in _DOTTED for ch in ocr.text)
        if dots_layer > dots_ocr and looks_clean(layer):
            return layer, True
        return ocr.text, False
    if ocr.conf < weights.low_conf and looks_clean(layer) and (
        valid_layer is not False or valid_ocr is False
    ):
        return layer, True
    return ocr.text, False


def _blocks(layer_keys: list[str], ocr_keys: list[str]) -> list[tuple[bool, int, int, int, int]]:
    """Alignment as (equal?, a0, a1, b0, b1) runs; neighbouring differences are joined."""
    out: list[tuple[bool, int, int, int, int]] = []
    for op in Levenshtein.opcodes(layer_keys, ocr_keys):
        equal = op.tag == "equal"
        if out and not equal and not out[-1][0]:
            _, a0, _, b0, _ = out[-1]
            out[-1] = (False, a0, op.src_end, b0, op.dest_end)
        else:
            out.append((equal, op.src_start, op.src_end, op.dest_start, op.dest_end))
    return out


def _dots(words: list[str]) -> int:
    return sum(ch in _DOTTED for w in words for ch in w)


def merge(layer_text: str, reading: Reading, *, is_valid: Validity | None = None,
          weights: Weights = Weights()) -> MergeResult:
    """Merge a page's text layer with Tesseract's new reading of it (see the module doc)."""
    layer = layer_text.split()
    ocr = list(reading.words)
    if not ocr:
        return MergeResult(layer_text, 0, 0, len(layer))
    if not layer:
        return MergeResult(reading.text, 0, len(ocr), 0)
    out: list[Word] = []
    agreed = from_ocr = from_layer = 0
    for equal, a0, a1, b0, b1 in _blocks([fold(w) for w in layer], [fold(w.text) for w in ocr]):
        block_layer, block_ocr = layer[a0:a1], ocr[b0:b1]
        if equal or len(block_layer) == len(block_ocr):
            for a, b in zip(block_layer, block_ocr):
                text, took_layer = choose(a, b, is_valid=is_valid, weights=weights)
                out.append(Word(text, b.conf, b.line))
                if a == b.text:
                    agreed += 1
                elif took_layer:
                    from_layer += 1
                else:
                    from_ocr += 1
            continue
        # Runs of different lengths: words only one side saw, or split/joined words.
        # Words only the OCR saw, at low confidence, are noise the layer did not witness.
        block_ocr = [w for w in block_ocr
                     if not is_noise(w, conf=weights.witness_conf, is_valid=is_valid)]
        if not block_ocr:
            continue
        mean_conf = sum(w.conf for w in block_ocr) / len(block_ocr)
        invalid_layer = sum(_validity(a, is_valid) is False for a in block_layer)
        invalid_ocr = sum(_validity(w.text, is_valid) is False for w in block_ocr)
        if (block_layer and mean_conf < weights.low_conf
                and all(looks_clean(a) for a in block_layer)
                and _dots(block_layer) >= _dots([w.text for w in block_ocr])
                and invalid_layer <= invalid_ocr):
            line = block_ocr[0].line
            out.extend(Word(a, 0.0, line) for a in block_layer)
            from_layer += len(block_layer)
        else:
            out.extend(block_ocr)
            from_ocr += len(block_ocr)
    return MergeResult(words_to_text(out), agreed, from_ocr, from_layer)

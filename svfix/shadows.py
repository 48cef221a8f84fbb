"""Valid words that may hide a damaged one: "for" (för), "ar" (är, år), "lin" (län).

Most valid tokens need no thought. The exceptions are forms that a frequent word with å/ä/ö
turns into when the OCR loses or misreads its diacritics, and that happen to be words
themselves. `build_shadows` finds them all by running the learned channel *forwards* over
the lexicon's frequent diacritic words; the pipeline then looks harder only at tokens in that
set. Built once by `wordlists/build_shadows.py` into `svfix/data/shadows.txt`, because it
depends on both the lexicon and the confusion table.
"""

from __future__ import annotations

import itertools
from typing import Iterator

from svfix.channel import Channel
from svfix.lexicon import Lexicon, data_dir, read_lines

Shadows = frozenset
#: Only diacritic words at least this frequent (Zipf) can cast a shadow worth checking.
MIN_SOURCE_ZIPF = 2.0
#: A shadow this much more frequent than its source can't be overturned even by context.
MAX_GAP = 3.5
#: Rarer damage counts too: "air" for "är" (q ≈ 0.006) and "tv" for "två" are real OCR output.
MIN_Q = 0.002


def forward_confusions(channel: Channel, min_q: float = MIN_Q) -> dict[str, list[tuple[str, float]]]:
    """What each å/ä/ö may become under OCR: truth letter → [(observed, log10 Q), ...]."""
    forward: dict[str, list[tuple[str, float]]] = {}
    for observed, edits in channel.inverse.items():
        for edit in edits:
            if edit.adaptive and 10 ** edit.log10_q >= min_q:
                forward.setdefault(edit.truth.lower(), []).append((observed.lower(), edit.log10_q))
    return forward


def damaged_forms(word: str, forward: dict[str, list[tuple[str, float]]]) -> Iterator[tuple[str, float]]:
    """Spellings the OCR may make of `word` by breaking its å/ä/ö, with log10 Q of the path."""
    slots = [[(c, 0.0)] + forward.get(c, []) for c in word]
    for combo in itertools.product(*slots):
        text = "".join(o for o, _ in combo)
        if text != word:
            yield text, sum(q for _, q in combo)


def build_shadows(lexicon: Lexicon, channel: Channel) -> set[str]:
    """All valid words that a more frequent diacritic word can be damaged into."""
    found: set[str] = set()
    forward = forward_confusions(channel)
    for word in lexicon.keys():
        if not any(c in word for c in "åäö") or len(word) > 24:
            continue
        source = lexicon.prior(word)
        if source < MIN_SOURCE_ZIPF:
            continue
        for damaged, q in damaged_forms(word, forward):
            if lexicon.is_valid(damaged) and lexicon.prior(damaged) - (source + q) < MAX_GAP:
                found.add(damaged)
    return found


def default_shadows() -> Shadows:
    return read_lines(str(data_dir()), "shadows.txt", "wordlists/build_shadows.py")

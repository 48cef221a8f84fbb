"""How written prose weighs a word, beside wordfreq's web and film-subtitle counts.

wordfreq is svfix's frequency for every word, and it counts the web and subtitles: there
"åka" (Zipf 5.45) is four times as frequent as "öka" (4.83), and "får" is an everyday word.
Reports and manuals write "öka" 141 times to "åka"'s 40 in the context model's corpus
(1.2 million tokens of manuals and municipal prose, `wordlists/CONTEXT.md`). So a listed
word's prior moves towards the mean of the two frequencies:

    prior + REGISTER_WEIGHT · log10((corpus + wordfreq) / (2 · wordfreq))

where wordfreq is the lexicon's own frequency (its prior, as a share of all words) and the
corpus frequency is add-`REGISTER_K` smoothed: a word the corpus never wrote loses up to
0.15 (log10 ½, half-weighted), one it writes far more than the web gains. The counts are
`svfix/data/register.txt`, built by `wordlists/build_register.py` from the context corpus.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from svfix.errors import MissingDependencyError

#: How far a word's prior moves from wordfreq towards the mean of it and written prose.
#: (Training pages, fourteenth session, restored / broken of 82,004 damaged words: 0
#: 77,535 / 228, 0.25 77,574 / 213, 0.5 77,658 / 207, 0.75 77,638 / 211, 1.0 77,472 / 215;
#: municipal pages, of 13,044: 12,529 / 17, 12,538 / 17, 12,551 / 17, 12,560 / 17,
#: 12,522 / 21.)
REGISTER_WEIGHT = 0.5
#: Add-k for a word's corpus count.
REGISTER_K = 0.5


@dataclass(frozen=True)
class RegisterCounts:
    """How often written prose has each listed word, and how many tokens it has."""

    counts: dict[str, int]
    tokens: int


def correction(prior: float, count: int, tokens: int) -> float:
    """What written prose adds to a word's prior (Zipf scale, log10 per billion words).

    >>> round(correction(4.83, 141, 1_216_808) - correction(5.45, 40, 1_216_808), 2)  # öka, åka
    0.19
    """
    if not REGISTER_WEIGHT or tokens <= 0 or not math.isfinite(prior):
        return 0.0
    web = 10 ** (prior - 9)
    prose = (count + REGISTER_K) / tokens
    return REGISTER_WEIGHT * math.log10((prose + web) / (2 * web))


def default_register() -> RegisterCounts:
    """The counts shipped with the package."""
    from svfix.lexicon import data_dir

    return load_register(str(data_dir()))


@lru_cache(maxsize=None)
def load_register(directory: str) -> RegisterCounts:
    """The counts in `directory` (loaded once per process)."""
    path = Path(directory) / "register.txt"
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        raise MissingDependencyError(f"{path}: missing; run `python wordlists/build_register.py`") from None
    counts: dict[str, int] = {}
    tokens = 0
    for line in lines:
        if line.startswith("# tokens\t"):
            tokens = int(line.split("\t")[1])
        elif line and not line.startswith("#"):
            word, count = line.split("\t")
            counts[word] = int(count)
    return RegisterCounts(counts, tokens)

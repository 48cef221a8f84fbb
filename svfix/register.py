"""How written prose weighs a word, beside wordfreq's web and film-subtitle counts.

wordfreq is svfix's frequency for every word, and it counts the web and subtitles: there
"åka" (Zipf 5.45) is four times as frequent as "öka" (4.83), and "får" is an everyday word.
Reports and manuals write "öka" 141 times to "åka"'s 40 in the context model's corpus
(1.2 million tokens of manuals and municipal prose, `wordlists/CONTEXT.md`). So a listed
word's prior moves towards the mean of the two frequencies:

    prior + REGISTER_WEIGHT · log10((corpus + wordfreq) / (2 · wordfreq))

where wordfreq is the lexicon's own frequency (its prior, as a share of all words) and the
corpus frequency is smoothed towards it: (count + α·wordfreq) / (tokens + α), with α
`REGISTER_PSEUDO` times the corpus' size. Every word the corpus never wrote therefore loses
the same (0.11), whatever its frequency: a corpus of a million words says nothing about
rarer ones, and smoothing towards a flat floor instead would raise rare junk above real
words ("strak" above "stråk"). One the corpus writes far more than the web gains. The counts
are `svfix/data/register.txt`, built by `wordlists/build_register.py` from the context corpus.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from svfix.errors import MissingDependencyError

#: How far a word's prior moves from wordfreq towards the mean of it and written prose.
REGISTER_WEIGHT = 0.5
#: The pseudo-count behind the corpus frequency's smoothing, in units of the corpus' size.
#: (Training pages, fourteenth session, restored / broken, all 82,004 damaged words |
#: municipal 13,044: none 77,535 / 228 | 12,529 / 17; add-0.5 smoothing (the first form)
#: 77,658 / 207 | 12,551 / 17; this with 0.1: 77,731 / 202 | 12,558 / 17, 0.25: 77,713 /
#: 202 | 12,559 / 17, 1.0: 77,650 / 212 | 12,550 / 17; 0.25 with weight 0.75: 77,752 / 208
#: | 12,572 / 17, with 1.0: 77,714 / 208 | 12,555 / 21.)
REGISTER_PSEUDO = 0.25


@dataclass(frozen=True)
class RegisterCounts:
    """How often written prose has each listed word, and how many tokens it has."""

    counts: dict[str, int]
    tokens: int


def correction(prior: float, count: int, tokens: int) -> float:
    """What written prose adds to a word's prior (Zipf scale, log10 per billion words).

    >>> round(correction(4.83, 141, 1_216_808) - correction(5.45, 40, 1_216_808), 2)  # öka, åka
    0.15
    >>> round(correction(2.0, 0, 1_216_808), 2) == round(correction(5.0, 0, 1_216_808), 2)  # unseen
    True
    """
    if not REGISTER_WEIGHT or tokens <= 0 or not math.isfinite(prior):
        return 0.0
    web = 10 ** (prior - 9)
    pseudo = REGISTER_PSEUDO * tokens
    prose = (count + pseudo * web) / (tokens + pseudo)
    return REGISTER_WEIGHT * math.log10((prose + web) / (2 * web))


def default_register() -> RegisterCounts:
    """The counts shipped with the package."""
    from svfix.lexicon import data_dir

    return load_register(str(data_dir()))


def register_bytes(directory: str) -> bytes:
    """The counts file in `directory`, as it is (the engine parses it itself)."""
    path = Path(directory) / "register.txt"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise MissingDependencyError(f"{path}: missing; run `python wordlists/build_register.py`") from None


@lru_cache(maxsize=None)
def load_register(directory: str) -> RegisterCounts:
    """The counts in `directory` (loaded once per process)."""
    lines = register_bytes(directory).decode("utf-8").split("\n")
    counts: dict[str, int] = {}
    tokens = 0
    for line in lines:
        if line.startswith("# tokens\t"):
            tokens = int(line.split("\t")[1])
        elif line and not line.startswith("#"):
            word, count = line.split("\t")
            counts[word] = int(count)
    return RegisterCounts(counts, tokens)

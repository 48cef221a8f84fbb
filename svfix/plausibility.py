"""How plausible is a letter string as a Swedish word it has never seen?

A token no list knows is either a real word (a name, a new compound, a foreign word) or OCR
damage. Real words are made of letter sequences Swedish uses; damage makes ones it never
does ("fritidsndmnden", "informationstréff"). The letter trigrams of every listed word
(`svfix/data/trigrams.txt`, built by `wordlists/build_trigrams.py`) tell them apart: unknown
names such as "Olausson" or "Hollmark" contain no unseen trigram, garbled words usually do.
The ranker lowers its prior for "keep this token as an unknown word" by each unseen trigram.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from svfix.errors import MissingDependencyError
from svfix.lexicon import data_dir


@lru_cache(maxsize=None)
def load_trigrams(directory: str) -> frozenset[str]:
    path = Path(directory) / "trigrams.txt"
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        raise MissingDependencyError(
            f"{path}: trigram table missing; run `python wordlists/build_trigrams.py`"
        ) from None
    return frozenset(line for line in lines if len(line) == 3)


def unseen_trigrams(word: str) -> int:
    """How many letter trigrams of `word` (with ^ and $ at its ends) no listed word has.

    >>> unseen_trigrams("Olausson"), unseen_trigrams("fritidsndmnden")
    (0, 2)
    """
    seen = load_trigrams(str(data_dir()))
    padded = f"^{word.lower()}$"
    return sum(padded[i:i + 3] not in seen for i in range(len(padded) - 2))

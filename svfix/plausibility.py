"""How plausible is a letter string as a Swedish word it has never seen?

A token no list knows is either a real word (a name, a new compound, a foreign word) or OCR
damage. Real words are made of letter sequences Swedish uses; damage makes ones it never
does ("fritidsndmnden", "informationstréff"). The letter trigrams of every listed word
(`svfix/data/trigrams.txt`, built by `wordlists/build_trigrams.py`) tell them apart: unknown
names such as "Olausson" or "Hollmark" contain no unseen trigram, garbled words usually do.
The ranker lowers its prior for "keep this token as an unknown word" by each unseen trigram.
"""

from __future__ import annotations

from svfix.lexicon import data_dir, read_lines


_SEEN: list[frozenset[str]] = []  # the trigram list, loaded on first use (hot path: no lookups)


def unseen_trigrams(word: str) -> int:
    """How many letter trigrams of `word` (with ^ and $ at its ends) no listed word has.

    >>> unseen_trigrams("Olausson"), unseen_trigrams("fritidsndmnden")
    (0, 2)
    """
    if not _SEEN:
        _SEEN.append(read_lines(str(data_dir()), "trigrams.txt", "wordlists/build_trigrams.py"))
    seen = _SEEN[0]
    padded = f"^{word.lower()}$"
    return sum(padded[i:i + 3] not in seen for i in range(len(padded) - 2))

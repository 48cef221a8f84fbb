"""The baselines a user would reach for instead of svfix (shared by the speed and accuracy benchmarks).

``variant_fix``
    The obvious diacritic script: replace a word by its most frequent å/ä/ö variant in
    wordfreq's Swedish list when that variant is at least 10× more frequent than the word
    itself (an unknown word has frequency 0, so any known variant wins).
``symspell_fix``
    SymSpell (symspellpy) with wordfreq's 100,000 most frequent Swedish words as its
    dictionary: a word not in the dictionary becomes its closest suggestion (edit distance
    ≤ 2, most frequent first); words in it are left alone.

Both edit word by word and copy everything between words verbatim, keep the word's casing,
and cache their answer per distinct word (as svfix does), so the speed comparison is one of
method, not of memoization. Data: wordfreq (its data is CC-BY-SA 4.0).
"""

from __future__ import annotations

import functools
from typing import Callable

import regex

WORD = regex.compile(r"[\p{L}\d]+")
_STRIP = str.maketrans("åäöÅÄÖ", "aaoAAO")
SYMSPELL_WORDS = 100_000
VARIANT_RATIO = 10.0


def _transfer_case(source: str, word: str) -> str:
    if source.isupper() and len(source) > 1:
        return word.upper()
    if source[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _word_by_word(text: str, fix_lower: Callable[[str], str]) -> str:
    """Replace each word by `fix_lower` of its lowercase form, in the word's own casing."""

    def fix(match: regex.Match[str]) -> str:
        word = match.group()
        lower = word.lower()
        fixed = fix_lower(lower)
        return word if fixed == lower else _transfer_case(word, fixed)

    return WORD.sub(fix, text)


@functools.lru_cache(maxsize=1)
def _variants() -> tuple[dict[str, str], dict[str, float]]:
    """stripped form -> its most frequent spelling with å/ä/ö, and every word's frequency."""
    import wordfreq

    freqs = wordfreq.get_frequency_dict("sv")
    best: dict[str, tuple[float, str]] = {}
    for word, freq in freqs.items():
        if any(c in word for c in "åäö"):
            key = word.translate(_STRIP)
            if freq > best.get(key, (0.0, ""))[0]:
                best[key] = (freq, word)
    return {key: word for key, (_, word) in best.items()}, freqs


@functools.lru_cache(maxsize=None)
def _variant_word(lower: str) -> str:
    variants, freqs = _variants()
    candidate = variants.get(lower.translate(_STRIP))
    if candidate is None or candidate == lower:
        return lower
    if freqs[candidate] >= VARIANT_RATIO * freqs.get(lower, 0.0):
        return candidate
    return lower


def variant_fix(text: str) -> str:
    """Restore å/ä/ö where wordfreq knows a ≥10× more frequent spelling of the word.

    >>> variant_fix("Mote pa mandag i Tyreso.")
    'Möte på måndag i Tyresö.'
    """

    return _word_by_word(text, _variant_word)


@functools.lru_cache(maxsize=1)
def build_symspell():  # -> symspellpy.SymSpell
    """SymSpell over wordfreq's top Swedish words (built once per process; takes a few seconds)."""
    import wordfreq
    from symspellpy import SymSpell

    speller = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
    for word in wordfreq.top_n_list("sv", SYMSPELL_WORDS):
        if WORD.fullmatch(word):
            count = max(1, int(wordfreq.word_frequency(word, "sv") * 1e9))
            speller.create_dictionary_entry(word, count)
    return speller


@functools.lru_cache(maxsize=None)
def _symspell_word(lower: str) -> str:
    from symspellpy import Verbosity

    speller = build_symspell()
    if lower in speller.words or lower.isdigit():
        return lower
    suggestions = speller.lookup(lower, Verbosity.TOP, max_edit_distance=2)
    return suggestions[0].term if suggestions else lower


def symspell_fix(text: str) -> str:
    """Replace each word SymSpell does not know by its best suggestion.

    >>> symspell_fix("Kommunstyrelsen beslot")  # doctest: +SKIP
    'Kommunstyrelsen beslöt'
    """

    return _word_by_word(text, _symspell_word)


_HUNSPELL_CACHE: dict[str, str] = {}


def _hunspell_first_suggestions(words: list[str]) -> None:
    """Ask `hunspell -d sv_SE -a` (Debian's hunspell + hunspell-sv) about words not yet cached."""
    import subprocess

    todo = [w for w in dict.fromkeys(words) if w not in _HUNSPELL_CACHE]
    if not todo:
        return
    # "^" makes hunspell read each line as text, never as one of its pipe-mode commands.
    answer = subprocess.run(
        ["hunspell", "-d", "sv_SE", "-a", "-i", "utf-8"],
        input="".join(f"^{w}\n" for w in todo), capture_output=True, text=True, check=True,
    ).stdout.split("\n")[1:]  # first line is the version banner
    results = iter(line for line in answer)
    for word in todo:
        verdict = word
        for line in results:
            if not line:
                break  # each input line's answer ends with an empty line
            if line.startswith("&"):  # "& word n offset: first, second, ..."
                first = line.split(": ", 1)[1].split(", ")[0]
                verdict = first
        _HUNSPELL_CACHE[word] = verdict


def hunspell_fix(text: str) -> str:
    """Replace each word hunspell sv_SE rejects by hunspell's first suggestion.

    >>> hunspell_fix("Tyreso kommun")  # doctest: +SKIP
    'Tyresö kommun'
    """
    words = [m.group() for m in WORD.finditer(text) if not m.group().isdigit()]
    _hunspell_first_suggestions(words)

    def fix(match: regex.Match[str]) -> str:
        word = match.group()
        return _HUNSPELL_CACHE.get(word, word)

    return WORD.sub(fix, text)

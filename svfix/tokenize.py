"""Layout-preserving tokens and the spans that must never change.

`split_words` cuts a text into alternating separators and words, so that
``"".join(parts) == text`` always holds: the pipeline only ever replaces odd-indexed parts,
which is how whitespace, line breaks and punctuation survive byte for byte. A regex split
(one C-level pass) rather than a token object per word, because a 5 MB report has 700,000
words and the pipeline must look at almost none of them.

Protection is decided per occurrence, and only for occurrences the ranker wants to change:
a word inside a URL, a bare domain or an e-mail address, an acronym, or a run of English.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate
from typing import Iterable

#: A word: letters and digits (OCR writes ö as 6 or 0 inside words: "Tyres6", "f0r"), and an
#: "&" right after a lowercase letter, which is how OCR often writes å ("p&", "fr&n", "ocks&").
#: After a capital or a space it stays a separator: "R&D", "H&M", "Svensson & Co".
WORD = re.compile(r"([^\W_]+(?:(?<=[a-zåäö])&[^\W_]*)*)")

#: Top-level domains a Swedish municipal text names. A bare "word.word" is an address only when
#: it ends in one of these (or has a path after it): OCR glues words with a stray dot
#: ("anvanda.den", "hander.med", "faststalld.ay"), and those words still need restoring.
TOP_LEVEL_DOMAINS = frozenset({
    "se", "nu", "com", "org", "net", "eu", "info", "io", "fi", "no", "dk", "is", "ax", "de",
    "uk", "gov", "edu", "int", "biz", "app", "dev",
})
_URLISH = re.compile(
    r"""(?ix)
    (?:[a-z][a-z0-9+.-]*://\S+)            # scheme://...
    | (?:www\.\S+)                          # www.kommun.se/...
    | (?:\S+@\S+\.\S+)                      # e-mail
    | (?:[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}[/:?#]\S*)  # a domain with a path (kommun.se/sida)
    | (?:[\w-]+(?:\.[\w-]+)*\.(?:%s))        # a bare domain (kommun.se)
    """ % "|".join(sorted(TOP_LEVEL_DOMAINS))
)
_ADDRESS_HINT = re.compile(
    r"(?i)https?:|www|@|\.(?:se|nu|com|org|net|eu|info)(?:\b|/)|^(?:se|nu|com|org|net|eu)/|^/\w")
_TRAILING_PUNCT = ".,;:!?)]}\"'»”’"
_LEADING_PUNCT = "([{\"'«“‘"


def split_words(text: str) -> list[str]:
    """Split into ``[sep, word, sep, word, ..., sep]``; words are at odd indexes.

    >>> split_words("Har kan du lasa, sa han.")
    ['', 'Har', ' ', 'kan', ' ', 'du', ' ', 'lasa', ', ', 'sa', ' ', 'han', '.']
    """
    return WORD.split(text)


def _chunk(text: str, start: int, end: int) -> str:
    """The whitespace-delimited chunk of `text` around [start, end)."""
    left = start
    while left > 0 and not text[left - 1].isspace():
        left -= 1
    right = end
    size = len(text)
    while right < size and not text[right].isspace():
        right += 1
    return text[left:right].strip(_LEADING_PUNCT).rstrip(_TRAILING_PUNCT)


def _plain_side(left_sep: str, right_sep: str) -> bool:
    """True when a word stands alone between whitespace and ordinary punctuation.

    This is the quick test that spares almost every occurrence the URL regex. A separator
    without whitespace ("." in "kommun.se", "@", "/") glues the word to its neighbour, so it is
    not plain and the whole chunk gets the real test.
    """
    return _plain_before(left_sep) and _plain_after(right_sep)


@lru_cache(maxsize=4096)
def _plain_before(left_sep: str) -> bool:
    """The left half of `_plain_side` (memoised: a text has few distinct separators)."""
    if left_sep and not left_sep[-1].isspace():
        head = left_sep.rstrip(_LEADING_PUNCT)
        if head == left_sep or head and not head[-1].isspace():
            return False
    return True


@lru_cache(maxsize=4096)
def _plain_after(right_sep: str) -> bool:
    """The right half of `_plain_side` (memoised like `_plain_before`)."""
    if not right_sep:
        return True
    tail = right_sep.lstrip(_TRAILING_PUNCT)
    return bool(tail) and tail[0].isspace()


def in_protected_span(text: str, start: int, end: int, left_sep: str, right_sep: str) -> bool:
    """True when the word at [start, end) is part of a URL, a bare domain or an e-mail address.

    >>> t = "Se www.kommun.se/sa-jobbar-vi och skriv till asa.lund@kommun.se."
    >>> in_protected_span(t, 20, 22, "/", "-")
    True
    >>> in_protected_span(t, 31, 35, " ", " ")
    False
    """
    if _plain_side(left_sep, right_sep):
        return False
    return is_address_chunk(_chunk(text, start, end))


def is_address_chunk(chunk: str) -> bool:
    """Is this whitespace-delimited chunk (punctuation around it stripped) an address?

    >>> is_address_chunk("www.kommun.se/sa-jobbar-vi"), is_address_chunk("2019/123")
    (True, False)
    """
    if _URLISH.fullmatch(chunk) is not None:
        return True
    # What OCR leaves of an address: ".almhult.se/bygga-bo-och-miljo/", "se/forskola-och-skola/"
    return ("/" in chunk or "@" in chunk) and _ADDRESS_HINT.search(chunk) is not None


_WWW = re.compile(r"(?i)w{2,4}[a-z]?w?")


def in_damaged_address(words: list[str], separators: list[str], j: int) -> bool:
    """True when word `j` belongs to a web or e-mail address the OCR broke apart.

    OCR splits addresses with spaces and misreads their dots ("www skelleftea se/plan",
    "arkivet @osthammar: se"); the regex for intact addresses misses those, but their
    skeleton is still plain: a word next to an "@", a word after "www", or a word right
    before a top-level domain that is joined to it by a dot, a colon or a slash.
    `separators[j]` stands before `words[j]`.
    """
    before, after = separators[j], separators[j + 1] if j + 1 < len(separators) else ""
    if "@" in before or "@" in after or _in_local_part(separators, j):
        return True
    if j > 0 and _WWW.fullmatch(words[j - 1]) and not before.strip(" .,:"):
        return True
    if j + 1 < len(words) and words[j + 1].lower() in TOP_LEVEL_DOMAINS and after.strip() in (".", ":", ",", "/") \
            and (j + 2 >= len(separators) or separators[j + 2][:1] in ("/", "", " ", "\n", ".")) \
            and not (after != after.strip() and words[j + 1].istitle()):
        # (but a full stop, a space and "Se" open the next sentence: "kan 6verklagas. Se bifogad")
        return True
    return False


#: What joins the words of an e-mail address's local part: "asa.lund", "per-olof", "k_berg".
_LOCAL_PART_JOINS = frozenset({".", "-", "_"})
#: How many joined words a local part may have before the "@" ("anna.maria.lund" has three).
_LOCAL_PART_WORDS = 4


def _in_local_part(separators: list[str], j: int) -> bool:
    """True when word `j` is joined by dots, hyphens or underscores to a word next to an "@".

    OCR often sets the "@" apart ("ake.sjodin @soderhamn.se"), so the intact-address regex
    misses the address, and only the word beside the "@" shows it; "ake" is part of it too.
    """
    k = j + 1
    while k < len(separators) - 1 and k - j < _LOCAL_PART_WORDS and separators[k] in _LOCAL_PART_JOINS:
        k += 1
    if k > j + 1 and k < len(separators) and "@" in separators[k]:
        return True
    k = j
    while k > 0 and j - k < _LOCAL_PART_WORDS and separators[k] in _LOCAL_PART_JOINS:
        k -= 1
    return k < j and "@" in separators[k]


def is_colon_suffix(words: list[str], separators: list[str], j: int) -> bool:
    """True when word `j` is an ending joined by a colon to a number or an abbreviation.

    Swedish inflects digits and acronyms with a colon: "C64:an", "PAD:ar", "SKR:s", "1990:s".
    The ending is no word of its own, so "an" is not a damaged "än".

    >>> is_colon_suffix(["avancerade", "C64", "an"], [" ", " ", ":", ""], 2)
    True
    >>> is_colon_suffix(["Frågan", "ar"], ["", ": ", ""], 1)
    False
    """
    if j == 0 or separators[j] != ":":
        return False
    last = words[j - 1][-1:]
    return last.isdigit() or last.isupper()


#: A word that may anchor a broken address: a "www" or a top-level domain. Only a first sieve
#: (case-insensitive matching accepts every spelling whose `lower()` is a domain), run over a
#: text's distinct words at C speed; `in_damaged_address` makes the exact tests.
_ANCHOR = re.compile(_WWW.pattern + "|" + "|".join(sorted(TOP_LEVEL_DOMAINS)))


def sheltered_words(text: str, parts: list[str], indexes: Iterable[int]) -> set[int]:
    """The words among `indexes` (positions in ``parts[1::2]``) that `in_protected_span` or
    `in_damaged_address` protects.

    Asked for every occurrence of every suspicious word of a document, so its separators and
    distinct words are sorted out once: a word between plain separators, with no "@" beside it
    and no "www" or domain next to it, cannot be in an address, and only the rest (a few in a
    hundred) get the real tests.
    """
    words, separators = parts[1::2], parts[0::2]
    distinct = set(separators)
    glued_before = {sep for sep in distinct if "@" in sep or not _plain_before(sep)}
    glued_after = {sep for sep in distinct if "@" in sep or not _plain_after(sep)}
    anchors = set(filter(_ANCHOR.fullmatch, set(words)))
    ends = list(accumulate(map(len, parts)))
    last = len(words) - 1
    found = set()
    for j in indexes:
        if (separators[j] in glued_before or separators[j + 1] in glued_after
                or j > 0 and words[j - 1] in anchors or j < last and words[j + 1] in anchors) \
                and (in_protected_span(text, ends[2 * j], ends[2 * j + 1], separators[j], separators[j + 1])
                     or in_damaged_address(words, separators, j)):
            found.add(j)
    return found


#: A lowercase ending this long after a word in capitals is the word's ending ("SAPOs"), and
#: the capitals before it must number at least CAPITALS_MIN to make a word in capitals.
CAPITALS_ENDING_MAX = 2
CAPITALS_MIN = 3


@lru_cache(maxsize=65536)
def transfer_case(token: str, word: str) -> str:
    """Write the lowercase `word` in the case pattern of the OCR `token`.

    A capital inside the word is kept where the word has the same letter there and a lowercase
    letter follows, as where a part of the word starts ("eHälsa"), and dropped where it was the
    damage itself ("gAta" → "gåta"). A capital with no lowercase letter after it (at the end,
    or before another capital) is read as damage too: kept, the restoration "åhS" of "3hS"
    would read as "åhå" on a second run.

    >>> transfer_case("Ovrigt", "övrigt"), transfer_case("OVRIGT", "övrigt"), transfer_case("ar", "är")
    ('Övrigt', 'ÖVRIGT', 'är')
    >>> transfer_case("eHalsa", "ehälsa"), transfer_case("gAta", "gåta"), transfer_case("3hS", "åhs")
    ('eHälsa', 'gåta', 'åhs')

    A word in capitals with a short lowercase ending ("SAPOs", "SODERTORNs", a genitive or a
    plural) is written in capitals up to the ending; a capital run of two ("HAllstrom") is
    no such word, its second capital is the damage:

    >>> transfer_case("SAPOs", "säpos"), transfer_case("SODERTORNs", "södertörns")
    ('SÄPOs', 'SÖDERTÖRNs')
    >>> transfer_case("HAllstrom", "hällström")
    'Hällström'
    """
    letters = [c for c in token if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return word.upper()
    ending = next((k for k, c in enumerate(reversed(letters)) if not c.islower()), len(letters))
    if 0 < ending <= CAPITALS_ENDING_MAX and len(letters) - ending >= CAPITALS_MIN \
            and all(c.isupper() for c in letters[:-ending]) and word[-ending:] == token[-ending:]:
        return word[:-ending].upper() + word[-ending:]
    if token[:1].isupper() or (not token[:1].isalpha() and letters and letters[0].isupper()):
        word = word[:1].upper() + word[1:]
    if len(token) == len(word) and not token[1:].islower():
        word = word[:1] + "".join(w.upper() if t.isupper() and t.lower() == w and after.islower() else w
                                  for t, w, after in zip(token[1:], word[1:], token[2:] + " "))
    return word


def is_acronym(token: str) -> bool:
    """Short all-capital tokens (EU, MSB, KS, LSS) are names of things, not damaged words."""
    return 1 < len(token) <= 4 and token.isupper()

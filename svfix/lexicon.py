"""The Swedish lexicon: which word forms exist, how frequent they are, and what kind they are.

The data is compiled by `wordlists/build_lexicon.py` into `svfix/data/`: every lowercase NFC
word form in sorted order, front-coded (`encode_words`), plus two arrays indexed by a form's
position in that order (a Zipf byte and a uint16 of flags). svfix's engine (`svfix._native`)
builds a trie from the list when it loads (about 0.1 s for a million forms): one structure
answers the two questions candidate generation asks on every step, "is this a word?" and
"does any word start with this?", and the engine's own search walks it letter by letter.

Frequencies come from wordfreq and contain web junk ("lage", "hir"); membership alone never
decides anything. `Lexicon.prior` turns the sources a form is attested in into the one number
the ranker uses.
"""

from __future__ import annotations

import array
import enum
import json
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable

from svfix import _native
from svfix.errors import MissingDependencyError
from svfix.register import register_bytes

FORMAT = "svfix-lexicon"
FORMAT_VERSION = 2
#: The first line of a word-list file (see `encode_words`).
WORDS_MAGIC = b"SVFIXWORDS1\n"


class Flag(enum.IntFlag):
    """Where a form is attested (bit layout shared with wordlists/build_lexicon.py)."""

    WORDFREQ = 1 << 0
    HUNSPELL = 1 << 1
    SAOL = 1 << 2
    GIVEN_NAME = 1 << 3
    SURNAME = 1 << 4
    PLACE = 1 << 5
    MUNICIPAL = 1 << 6
    PROPER = 1 << 7
    COMPOUND_FIRST = 1 << 8
    COMPOUND_MIDDLE = 1 << 9
    COMPOUND_LAST = 1 << 10
    ONLY_IN_COMPOUND = 1 << 11
    KOMMUN_OR_LAN = 1 << 12
    SAOL_FORM = 1 << 13
    ACRONYM = 1 << 14
    ABBREVIATION = 1 << 15


#: Attested by a curated or edited source, not only by web frequency counts.
CURATED = Flag.HUNSPELL | Flag.SAOL | Flag.MUNICIPAL | Flag.ABBREVIATION
NAMES = Flag.GIVEN_NAME | Flag.SURNAME | Flag.PLACE | Flag.KOMMUN_OR_LAN

# Plain ints for the hot path: IntFlag arithmetic is two orders of magnitude slower.
_CURATED = int(CURATED)
_NAMES = int(NAMES)
_ONLY_IN_COMPOUND = int(Flag.ONLY_IN_COMPOUND)
_STANDALONE = int(Flag.WORDFREQ | NAMES | Flag.SAOL | Flag.ABBREVIATION)

def _stands_alone(flags: int) -> bool:
    return not (flags & _ONLY_IN_COMPOUND and not flags & _STANDALONE)


#: Zipf a name or place gets when wordfreq never saw it (about once in ten million words).
NAME_FLOOR_ZIPF = 2.5
#: Zipf a curated word gets when wordfreq never saw it.
CURATED_FLOOR_ZIPF = 2.0
#: How much less we believe a form attested only by web frequencies ("lage", "hir").
WEB_ONLY_PENALTY = 1.5


@lru_cache(maxsize=None)
def data_dir() -> Path:
    """Where the compiled data lives; ``SVFIX_DATA_DIR`` overrides it (read once per process)."""
    override = os.environ.get("SVFIX_DATA_DIR")
    if override:
        return Path(override)
    return Path(str(resources.files("svfix") / "data"))


def encode_words(keys: Iterable[str]) -> bytes:
    """The word-list format the engine reads: sorted, unique forms, front-coded.

    ``WORDS_MAGIC``, the alphabet (every character used, sorted) as UTF-8 and a newline, the
    number of forms as uint32 little-endian, then per form: one byte with the length it shares
    with the form before, one byte per remaining letter (its place in the alphabet, from 1),
    and a 0 byte. A million forms take about 4 MB.

    >>> blob = encode_words(["ära", "ärade", "år"])  # (code point order: ä before å)
    >>> blob[len(WORDS_MAGIC):].split(b"\\n")[0].decode()  # the alphabet
    'aderäå'
    >>> list(blob[-13:])  # "ära"; 3 letters shared, then "de"; none shared, then "år"
    [0, 5, 4, 1, 0, 3, 2, 3, 0, 0, 6, 4, 0]
    """
    keys = list(keys)
    if any(a >= b for a, b in zip(keys, keys[1:])):
        raise ValueError("encode_words needs sorted, unique forms")
    alphabet = sorted(set("".join(keys)))
    if len(alphabet) > 255:
        raise ValueError(f"{len(alphabet)} different letters; the format allows 255")
    symbol = {c: i + 1 for i, c in enumerate(alphabet)}
    out = bytearray(WORDS_MAGIC + "".join(alphabet).encode("utf-8") + b"\n")
    out += len(keys).to_bytes(4, "little")
    previous = ""
    for key in keys:
        shared = 0
        limit = min(len(previous), len(key), 255)
        while shared < limit and previous[shared] == key[shared]:
            shared += 1
        out.append(shared)
        out += bytes(symbol[c] for c in key[shared:])
        out.append(0)
        previous = key
    return bytes(out)


@dataclass(frozen=True)
class Lexicon:
    """Read-only view of the compiled word lists. Build it with `default_lexicon()`."""

    words: _native.Lexicon  # the forms as the engine's trie (Swedish and English)
    zipf_bytes: bytes
    flag_array: array.array
    english_zipf_bytes: bytes
    header: dict

    def __contains__(self, word: str) -> bool:
        return self.key_id(word) >= 0

    def __len__(self) -> int:
        return len(self.words)

    def keys(self) -> list[str]:
        """Every listed form, in id order (the sorted order)."""
        return self.words.keys()

    def key_id(self, word: str) -> int:
        """The id of a lowercase form, or -1 when it is not a word.

        Cached: scoring asks prior, flags and validity of the same few thousand forms again
        and again, and a dict lookup is cheaper than a call into the engine.
        """
        i = _KEY_ID_CACHE.get(word)
        if i is None:
            i = remember(_KEY_ID_CACHE, word, self.words.key_id(word), _MAX_CACHED)
        return i

    def zipf(self, word: str) -> float:
        """wordfreq's Zipf frequency of a lowercase form (0.0 when unknown)."""
        i = self.key_id(word)
        return self.zipf_bytes[i] / 10 if i >= 0 else 0.0

    def flags(self, word: str) -> int:
        """The `Flag` bits of a lowercase form as a plain int (0 when unknown)."""
        i = self.key_id(word)
        return self.flag_array[i] if i >= 0 else 0

    def stands_alone(self, word: str) -> bool:
        """True when a lowercase form is listed and may stand as a word by itself.

        Hunspell's compound-only forms ("skol", "nämnds") are listed but exist only inside
        compounds, unless another source also has them alone.
        """
        i = self.key_id(word)
        return i >= 0 and _stands_alone(self.flag_array[i])

    def is_valid(self, word: str) -> bool:
        """True when a lowercase form is a standalone Swedish word by a curated source or names.

        A form only wordfreq knows (web junk such as "lage") is not valid by itself.
        """
        i = self.key_id(word)
        if i < 0:
            return False
        flags = self.flag_array[i]
        if not _stands_alone(flags):
            return False
        return bool(flags & (_CURATED | _NAMES)) or self.zipf_bytes[i] >= 30

    def prior(self, word: str) -> float:
        """log10-scale prior of a lowercase form standing alone (Zipf units), or -inf.

        Curated words keep their frequency (floored), names and places get a floor so that an
        unseen "Håkan" or "Tyresö" still beats its undotted copy, and web-only forms are
        discounted so that "lage" loses to "läge" in a damaged document.
        """
        i = self.key_id(word)
        if i < 0:
            return float("-inf")
        zipf = self.zipf_bytes[i] / 10
        flags = self.flag_array[i]
        if not _stands_alone(flags):
            return float("-inf")
        if flags & _NAMES:
            zipf = max(zipf, NAME_FLOOR_ZIPF)
        if flags & _CURATED:
            return max(zipf, CURATED_FLOOR_ZIPF)
        if flags & _NAMES:
            return zipf
        return zipf - WEB_ONLY_PENALTY

    def has_prefix(self, prefix: str) -> bool:
        """Does any word start with `prefix`? (Cached: asked again and again by the search.)"""
        found = _PREFIX_CACHE.get(prefix)
        if found is None:  # (not try/except: the search asks only after a miss, and raising costs)
            found = remember(_PREFIX_CACHE, prefix, self.words.has_prefix(prefix), _MAX_CACHED)
        return found

    def known_prefixes(self) -> Callable[[str], bool | None]:
        """The `get` of `has_prefix`'s cache: True/False for a prefix asked before, else None.

        The candidate search asks two or three prefixes per node; a dict lookup inline is
        much cheaper than a method call per question, and almost every question is a repeat.
        """
        return _PREFIX_CACHE.get

    def english_zipf(self, word: str) -> float:
        """Zipf frequency of a lowercase form in English (0.0 when not in the English list)."""
        i = self.words.english_key_id(word)
        return self.english_zipf_bytes[i] / 10 if i >= 0 else 0.0


# The one lexicon per process is shared, so are its caches (see `Lexicon.has_prefix`, `key_id`).
_PREFIX_CACHE: dict[str, bool] = {}
_KEY_ID_CACHE: dict[str, int] = {}
#: Entries each of these caches may hold before `remember` drops its older half.
_MAX_CACHED = 200_000


def forget_older_half(cache: dict) -> None:
    """Make room in a full cache by dropping the older half of its entries (insertion order).

    Starting over would make a long batch recompute its commonest words after every
    overflow; the newer half holds what the last files needed.

    >>> cache = {word: len(word) for word in ("är", "år", "för", "på")}
    >>> forget_older_half(cache); list(cache)
    ['för', 'på']
    """
    for key in list(islice(cache, len(cache) // 2)):
        del cache[key]


def remember(cache: dict, key, value, limit: int):
    """Store `value` under `key` in a cache bounded at `limit` entries, and return it.

    Every per-process cache of svfix is bounded this way (`forget_older_half` when full): a
    batch worker keeps several, and two workers must stay within the memory the speed
    benchmark allows.

    >>> cache = {}
    >>> remember(cache, "ar", "är", limit=10), cache
    ('är', {'ar': 'är'})
    """
    if len(cache) > limit:
        forget_older_half(cache)
    cache[key] = value
    return value


@lru_cache(maxsize=None)
def read_lines(directory: str, name: str, builder: str) -> frozenset[str]:
    """The non-comment lines of a compiled line-list file in `directory` (loaded once).

    `builder` names the script that makes the file, for the error when it is missing.
    """
    path = Path(directory) / name
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        raise MissingDependencyError(f"{path}: missing; run `python {builder}`") from None
    return frozenset(line for line in lines if line and not line.startswith("#"))


@lru_cache(maxsize=None)
def load_lexicon(directory: str) -> Lexicon:
    """Load the compiled lexicon from `directory` (once per process)."""
    root = Path(directory)
    header_path = root / "lexicon.json"
    if not header_path.exists():
        raise MissingDependencyError(
            f"{header_path}: compiled lexicon missing; run `python wordlists/build_lexicon.py`"
        )
    header = json.loads(header_path.read_text(encoding="utf-8"))
    if header.get("format") != FORMAT or header.get("version") != FORMAT_VERSION:
        raise MissingDependencyError(
            f"{header_path}: unexpected lexicon format {header.get('format')!r} "
            f"version {header.get('version')!r}; rebuild with wordlists/build_lexicon.py"
        )
    flags = (root / "lexicon.flags").read_bytes()
    zipf_bytes = (root / "lexicon.zipf").read_bytes()
    english_zipf = (root / "english.zipf").read_bytes()
    try:
        words = _native.Lexicon((root / "lexicon.words").read_bytes(), zipf_bytes, flags,
                                (root / "english.words").read_bytes(), english_zipf)
    except (OSError, RuntimeError) as exc:
        raise MissingDependencyError(f"{root}: cannot load the lexicon ({exc}); rebuild it") from None
    words.set_constants(NAME_FLOOR_ZIPF, CURATED_FLOOR_ZIPF, WEB_ONLY_PENALTY)
    words.set_register(register_bytes(directory))  # written prose's counts (svfix.register)
    flag_array = array.array("H")
    flag_array.frombytes(flags)
    if sys.byteorder != "little":
        flag_array.byteswap()
    return Lexicon(words=words, zipf_bytes=zipf_bytes, flag_array=flag_array,
                   english_zipf_bytes=english_zipf, header=header)


def default_lexicon() -> Lexicon:
    """The lexicon shipped with the package (loaded once per process)."""
    return load_lexicon(str(data_dir()))

"""Context for words that become the same word without their dots: är/år/ar, här/har, för/for,
or through a misread of one å, ä or ö: sätt/sitt, ställa/stilla.

Frequency alone says "ar" is "är"; the neighbours say "2 ar" is "2 år" and "Har kan" is
"Här kan". The model (`svfix/data/context.json.gz`, built by `wordlists/build_context.py`
from general Swedish prose in Debian packages, never from our test texts) keeps, for each
member of such a set, how often each word stands one and two places to its left and right.
The score of a member is how much more likely the observed neighbours are next to it than
in general text:

    context(w) = w1·[log P(L1|w)/B(L1) + log P(R1|w)/B(R1)] + w2·[same for L2, R2]

with Witten-Bell smoothing towards the background B, so a member seen rarely in the corpus
gets little evidence either way. A next-door neighbour no member was seen beside backs off
to its ending (`suffix_class`). The frequency prior is *not* part of this score: the ranker
adds the lexicon's own prior.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from svfix.lexicon import data_dir, remember

W1 = 1.0
W2 = 0.5
BETA = 1.0
#: Scale of the context evidence next to the lexicon prior (tuned on training pairs).
WEIGHT = 1.0
#: Cap on the context term (log10): context tips close calls, it does not overrule evidence.
MAX_BONUS = 2.0
#: A neighbour no candidate was ever seen beside says nothing about which one fits: skip it.
#: (Smoothing would otherwise favour the member with the fewer observations: a word seen 20
#: times, mostly in English snippets, looks no worse than background next to anything.)
SKIP_UNSEEN = True
#: A member never seen in the corpus is scored as background against members seen this often.
UNSEEN_AGAINST_N = 20  # (fewer: a dozen sightings of "låda" overruled "lada" on training)
_SENTENCE_END = re.compile(r"[.!?:]\s|\n\s*\n|[.!?:]$")
LN10 = math.log(10)


@dataclass(frozen=True)
class ContextModel:
    words: dict
    neighbour_totals: dict
    background_denominator: int


@lru_cache(maxsize=None)
def load_context(directory: str) -> ContextModel | None:
    """The model in `directory`, read once per process (the Python pipeline's copy)."""
    return read_context(directory)


def read_context(directory: str) -> ContextModel | None:
    """The model in `directory`, read anew: the engine converts it and lets it go."""
    path = Path(directory) / "context.json.gz"
    if not path.exists():
        return None
    with gzip.open(path, "rt", encoding="utf-8") as f:
        model = json.load(f)
    if model.get("format") != "svfix-context":
        return None
    return ContextModel(model["words"], model["neighbour_totals"],
                        model["tokens_total"] + model["vocab_size"])


_DEFAULT: list[ContextModel | None] = []


def default_context() -> ContextModel | None:
    """The shipped model, loaded on first use (a plain list cache: this is on the hot path)."""
    if not _DEFAULT:
        _DEFAULT.append(load_context(str(data_dir())))
    return _DEFAULT[0]


def starts_sentence(separator: str) -> bool:
    """Does the separator before a word end a sentence (or a paragraph, or the text start)?"""
    return not separator or ends_sentence(separator) or "\n" in separator


def covers(words: Iterable[str]) -> bool:
    """True when the model knows at least two of `words` (so it can compare them)."""
    model = default_context()
    if model is None:
        return False
    return sum(1 for w in set(words) if w in model.words) >= 2


_YEAR = re.compile(r"(?:1[89]|20)\d\d")


def _token(word: str) -> str:
    """A neighbour as the model counts it: years and other numbers become classes."""
    if any(c.isdigit() for c in word):
        return "<YEAR>" if _YEAR.fullmatch(word) else "<NUM>"
    return word.lower()


#: Words at least this long stand for their ending too, when the word itself says nothing.
SUFFIX_MIN_LEN = 5
SUFFIX_LEN = 3
#: Weight of a neighbour's ending against the word's own, used only for a neighbour no member
#: was seen beside.
W_SUFFIX = 0.5


#: Closed classes of Swedish function words (general grammar, not counted from any text). A
#: neighbour no member was seen beside stands for its class: the corpus saw "den fortsatta"
#: but never "det fortsatta", and "det" says the same as "den" here: a determiner or a
#: possessive is followed by a noun or an adjective, a modal verb by an infinitive.
WORD_CLASSES: dict[str, tuple[str, ...]] = {
    "<DET>": ("den", "det", "de", "denna", "detta", "dessa", "min", "mitt", "mina", "din", "ditt",
              "dina", "sin", "sitt", "sina", "hans", "hennes", "dess", "deras", "vår", "vårt",
              "våra", "er", "ert", "era"),
    "<MODAL>": ("ska", "skall", "kan", "vill", "måste", "bör", "får", "skulle", "kunde", "ville",
                "borde", "fick", "måtte", "att"),
    "<PREP>": ("i", "på", "av", "för", "med", "till", "från", "om", "under", "över", "vid", "mot",
               "efter", "hos", "genom", "utan", "inom", "enligt", "mellan", "bland", "kring"),
    "<SUBJ>": ("jag", "du", "han", "hon", "vi", "ni", "man"),
}
_CLASS_OF = {word: name for name, words in WORD_CLASSES.items() for word in words}
#: Weight of a neighbour's class against the word's own (as `W_SUFFIX` for endings).
W_CLASS = 1.0


def suffix_class(token: str) -> str | None:
    """A neighbour's ending as a class ("~dor" for "skador"), or None for short words.

    One million tokens of prose have seen few of the content words a report puts next to
    "svara"/"svåra", but their endings carry the grammar: "svåra skador", "svåra frågor"
    (a plural noun follows an adjective), "svara på" (a verb takes a preposition). The
    ending also survives OCR damage inside the word ("behériga" still ends in "iga").
    Shared with `wordlists/build_context.py`, which counts the classes.
    """
    if len(token) < SUFFIX_MIN_LEN or not token.isalpha():
        return None
    return "~" + token[-SUFFIX_LEN:]


#: `_token` and "does this separator end a sentence?" per distinct string: a document asks
#: them of the same few hundred words and separators (" ", ", ", ".\n") over and over.
_TOKENS: dict[str, str] = {}
_ENDS: dict[str, bool] = {}
_MAX_MEMO = 200_000


def _memo_token(word: str) -> str:
    token = _TOKENS.get(word)
    return token if token is not None else remember(_TOKENS, word, _token(word), _MAX_MEMO)


def ends_sentence(separator: str) -> bool:
    """Does the separator end a sentence or paragraph (a line break alone does not)?"""
    ends = _ENDS.get(separator)
    if ends is None:
        ends = remember(_ENDS, separator, _SENTENCE_END.search(separator) is not None, _MAX_MEMO)
    return ends


def neighbours(words: Sequence[str], separators: Sequence[str], j: int,
               restored: dict[str, str] | None = None) -> tuple[str | None, ...]:
    """(left2, left1, right1, right2) of word `j`, with "<S>"/"</S>" at sentence edges.

    `separators[j]` stands before `words[j]`. `restored` maps damaged neighbours to the word
    the pipeline has already decided they are, so "ar for" is read as "är för".
    """
    restored = restored or {}

    def word_at(k: int) -> str:
        w = words[k]
        return _memo_token(restored.get(w, w))

    last = len(words) - 1
    if j == 0 or ends_sentence(separators[j]):
        left1 = left2 = "<S>"
    else:
        left1 = word_at(j - 1)
        left2 = "<S>" if j == 1 or ends_sentence(separators[j - 1]) else word_at(j - 2)
    if j >= last or ends_sentence(separators[j + 1]):
        right1 = right2 = "</S>"
    else:
        right1 = word_at(j + 1)
        right2 = "</S>" if j + 1 >= last or ends_sentence(separators[j + 2]) else word_at(j + 2)
    return left2, left1, right1, right2


def _suffix_slots(model: ContextModel, entries: dict, neighbours: tuple[tuple[str, str | None, float], ...],
                  used: set[str]) -> list[tuple[str, tuple[str, ...], float, float]]:
    """Back-off slots for the neighbours no member was seen beside: their endings, each
    counting `W_SUFFIX` times what the word itself would."""
    slots = []
    for pos, neighbour, weight in neighbours:
        if pos in used or neighbour is None:
            continue
        ending = suffix_class(neighbour)
        where = pos + "s"
        if ending is not None and any(ending in e.get(where, ()) for e in entries.values()):
            background = (model.neighbour_totals.get(ending, 0) + 1) / model.background_denominator
            slots.append((where, (ending,), W_SUFFIX * weight, background))
    return slots


def _class_slots(model: ContextModel, entries: dict, neighbours: tuple[tuple[str, str | None, float], ...],
                 used: set[str]) -> list[tuple[str, tuple[str, ...], float, float]]:
    """Back-off slots for the neighbours no member was seen beside that belong to a word class
    (`WORD_CLASSES`): the class counts as the sum of its words, `W_CLASS` times the weight."""
    slots = []
    for pos, neighbour, weight in neighbours:
        name = _CLASS_OF.get(neighbour) if neighbour is not None and pos not in used else None
        if name is None:
            continue
        members = WORD_CLASSES[name]
        if any(m in e.get(pos, ()) for e in entries.values() for m in members):
            background = (sum(model.neighbour_totals.get(m, 0) for m in members) + 1) / model.background_denominator
            slots.append((pos, members, W_CLASS * weight, background))
    return slots


def score(candidates: Iterable[str], left2: str | None, left1: str | None,
          right1: str | None, right2: str | None) -> dict[str, float]:
    """log10 context evidence for each candidate the model knows, centred on their mean."""
    model = default_context()
    if model is None:
        return {}
    entries = {}
    unseen: list[str] = []
    for word in sorted(set(candidates)):  # (a fixed order: the mean must not depend on the hash seed)
        entry = model.words.get(word)
        if entry is not None and entry.get("n"):
            entries[word] = entry
        elif entry is not None:
            unseen.append(word)
    # A slot: a position, the neighbours counted there (one word, one ending, or the words of
    # a class), its weight and its background probability, the same for every candidate.
    word_slots = (("L1", left1, W1), ("R1", right1, W1), ("L2", left2, W2), ("R2", right2, W2))
    slots = [(pos, (neighbour,), weight,
              (model.neighbour_totals.get(neighbour, 0) + 1) / model.background_denominator)
             for pos, neighbour, weight in word_slots
             if neighbour is not None
             and (not SKIP_UNSEEN or any(neighbour in e[pos] for e in entries.values()))]
    used = {pos for pos, *_ in slots}
    if W_SUFFIX:
        slots += _suffix_slots(model, entries, word_slots, used)
    if W_CLASS:
        slots += _class_slots(model, entries, word_slots, used)
    # A member the corpus holds but never saw ("galla" beside "gälla") has the background's
    # neighbours: evidence 0 before centring, so the seen member is judged against it.
    against = unseen and all(e["n"] >= UNSEEN_AGAINST_N for e in entries.values())
    raw: dict[str, float] = dict.fromkeys(unseen, 0.0) if against else {}
    for word, entry in entries.items():
        n = entry["n"]
        total = 0.0
        for pos, counted, weight, background in slots:
            k = BETA * (entry["T"].get(pos) or 1)  # (a member may have no long neighbour at all)
            seen = entry.get(pos, {})
            p = (sum(seen.get(m, 0) for m in counted) + k * background) / (n + k)
            total += weight * math.log(p / background)
        raw[word] = total / LN10
    if len(raw) < 2:
        return {}
    mean = sum(raw.values()) / len(raw)
    return {w: max(-MAX_BONUS, min(MAX_BONUS, WEIGHT * (s - mean))) for w, s in raw.items()}

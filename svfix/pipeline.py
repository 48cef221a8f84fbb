"""Orchestration only: split → look at suspicious distinct words → profile → decide → changes.

Work is done once per *distinct* word, not per occurrence: a report of 700,000 words has a
few tens of thousands of distinct ones and nearly all are plainly valid, which one trie
lookup (cached across the documents of a batch) settles. Only occurrences of words that may
change are visited one by one, to check protection (URLs, acronyms, English runs) and, for
words that collapse onto another word without their dots (är/år/ar, för/for), the context.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import accumulate, chain
from typing import TYPE_CHECKING, Callable, Iterable

from svfix import context as context_model
from svfix import native
from svfix.casing import continues_sentence, restore_case
from svfix.candidates import Reading, dot_readings, name_tail_readings, readings as lexical_readings
from svfix.channel import Channel, default_channel
from svfix.document import (
    NEUTRAL,
    SHAPE_MAX_BOOST,
    DocumentVocabulary,
    Profile,
    build_fuzzy_index,
    count_survivors,
    damage_forms,
    document_readings,
    document_vocabulary,
    fuzzy_document_readings,
    fuzzy_lexicon_readings,
    lost_letters,
    measure_profile,
    measure_shape,
    noise_log10,
    shape_evidence,
    with_spellings,
)
from svfix.lexicon import Flag, Lexicon, default_lexicon, remember
from svfix.rank import APPLY_AT, Decision, Scored, decide, posteriors, score_readings, with_context
from svfix.shadows import Shadows, default_shadows
from svfix.tokenize import (is_acronym, is_colon_suffix, sheltered_words, split_words,
                             transfer_case)
from svfix.types import Change, Reason, Result, apply_changes

if TYPE_CHECKING:
    from svfix.normalize import NormalizeOptions

#: English-looking neighbours (of six) that make a word part of an English passage.
ENGLISH_NEIGHBOURS = 2
ENGLISH_ZIPF = 3.0
#: A context-sensitive word is decided per occurrence when its runner-up is at least this likely.
CONTEXT_MARGIN = 0.01
MAX_CACHE = 100_000
#: A word whose evidence is more than 1/LEAVE_OUT_SHARE of the document's is judged without it.
LEAVE_OUT_SHARE = 10
#: Judge damage forms (ä→i, ä→ii, ö→é) by the shares this document shows, not the table's alone.
SHAPE_ADAPTS = True
#: A reading of a word rarer than this (lexicon prior, log10) does not explain a lowercase
#: token away (`_only_rare`). Training pages, the page's noise pricing the match either way:
#: all 77,825 → 77,841 restored, broken 354 → 356, other OCR noise 20.2 → 21.8 %; municipal
#: 12,584 → 12,590, other noise 16.8 → 18.3 %, broken 4. At 1.0 about the same; at 3.0 fewer
#: restored (a misread "dret" lost "året" to "det"); asked for every such token, 77,751
#: restored and other noise 24.8 %.
READING_EXPLAINS_PRIOR = 2.0
#: Otherwise a match is weighed beside the readings when its edit costs at least this (log10
#: of the table's price; the floor for an edit the table never saw is -3). Training pages: all
#: 77,841 → 77,847 restored, broken 356, other OCR noise 21.8 → 23.9 %; municipal 12,590 →
#: 12,591, 18.3 → 19.9 %. At -2.95, 77,844 restored and 357 broken; at -2.5, other noise 22.8 %.
EXPLAINED_FUZZY_MIN_LOG10 = -2.8


@dataclass(frozen=True)
class Options:
    """How `correct` behaves. Frozen: derive variants with `dataclasses.replace`.

    `apply_threshold` is the confidence a change needs, on top of the ranker's own test, to be
    applied rather than only reported. `normalize` is a `svfix.normalize.NormalizeOptions`,
    ``"default"`` (its DEFAULT steps) or None (no normalize stage).
    """

    apply_threshold: float = APPLY_AT
    compounds: bool = True
    use_context: bool = True
    use_document: bool = True
    normalize: NormalizeOptions | str | None = "default"


DEFAULT_OPTIONS = Options()


@dataclass
class _Resources:
    lexicon: Lexicon
    channel: Channel
    shadows: Shadows
    confusable_digits: frozenset[str]
    look_cache: dict[str, bool] = field(default_factory=dict)
    reading_cache: dict[tuple[str, bool], tuple[Reading, ...]] = field(default_factory=dict)
    english_cache: dict[str, bool] = field(default_factory=dict)
    maybe_english_cache: dict[str, bool] = field(default_factory=dict)
    evidence_cache: dict[tuple[str, bool], Reading | None] = field(default_factory=dict)
    decision_cache: dict[tuple, tuple[Decision, list | None, frozenset]] = field(default_factory=dict)
    context_cache: dict[tuple, Decision] = field(default_factory=dict)
    noise_cache: dict[str, bool] = field(default_factory=dict)


_RESOURCES: _Resources | None = None


def _resources() -> _Resources:
    global _RESOURCES
    if _RESOURCES is None:
        channel = default_channel()
        digits = frozenset(  # digits and "&" the channel reads as letters ("f6r", "p&")
            c for observed in channel.inverse for c in observed if c.isdigit() or c == "&"
        )
        _RESOURCES = _Resources(default_lexicon(), channel, default_shadows(), digits)
    return _RESOURCES


def warm_up(fuzzy_index: bool = False) -> None:
    """Load the lexicon, channel and shadow index, and build the engine, now: a batch does it
    once in the parent, whose workers then share them (they are forked). With `fuzzy_index`,
    the fuzzy match's index too (0.3 s and 17 MB, which a short CLI run would rather not wait
    for: it is otherwise made on first use, and batch workers would each make their own)."""
    if native.wanted():
        native.engine()
    res = _resources()
    if fuzzy_index:
        build_fuzzy_index(res.lexicon)


def _needs_look(word: str, res: _Resources) -> bool:
    """Could this distinct word be damaged? False for the vast majority (valid words)."""
    cached = res.look_cache.get(word)
    if cached is not None:
        return cached
    letters = sum(c.isalpha() for c in word)
    if letters == 0:
        verdict = False
    elif letters < len(word):
        # digits or "&" inside a word: only OCR's ö→6, å→& kind, and only with real letters around
        verdict = len(word) >= 2 and all(c.isalpha() or c in res.confusable_digits for c in word)
    else:
        lower = word.lower()
        verdict = not res.lexicon.is_valid(lower) or lower in res.shadows
    return remember(res.look_cache, word, verdict, MAX_CACHE)


def _passing(words: Iterable[str], cache: dict[str, bool], judge: Callable[[str], bool]) -> list[str]:
    """The words whose verdict is True, in order: almost every word was judged in an earlier
    document, so its cached verdict is read inline and `judge` runs only for new ones."""
    known = cache.get
    found = []
    for word in words:
        verdict = known(word)
        if verdict is None:
            verdict = judge(word)
        if verdict:
            found.append(word)
    return found


def _suspicious(counts: Counter, res: _Resources) -> list[str]:
    """The distinct words of a text that could be damaged, in first-seen order."""
    return _passing(counts, res.look_cache, lambda word: _needs_look(word, res))


def _lexical(words: list[str], res: _Resources, compounds: bool) -> dict[str, tuple[Reading, ...]]:
    """The lexicon readings of each word (cached across documents; read inline when cached)."""
    known = res.reading_cache.get
    found = {}
    for word in words:
        cached = known((word, compounds))
        found[word] = cached if cached is not None else _readings(word, res, compounds)
    return found


def _readings(word: str, res: _Resources, compounds: bool) -> tuple[Reading, ...]:
    key = (word, compounds)
    cached = res.reading_cache.get(key)
    if cached is None:
        quick = () if res.lexicon.key_id(word.lower()) >= 0 else dot_readings(word, res.lexicon, res.channel)
        cached = tuple(quick or lexical_readings(word, res.lexicon, res.channel, compounds=compounds)
                       or (name_tail_readings(word, res.lexicon, res.channel) if compounds else ()))
        remember(res.reading_cache, key, cached, MAX_CACHE)
    return cached


def _lexicon_fuzzy(word: str, res: _Resources, one_letter_off: bool = False) -> tuple[Reading, ...]:
    """A token nothing else reads, matched to a frequent word (`fuzzy_lexicon_readings`); with
    `one_letter_off`, only to a word one letter from it."""
    key = (word, "one letter off" if one_letter_off else None)
    cached = res.reading_cache.get(key)
    if cached is None:
        found = fuzzy_lexicon_readings(word, res.lexicon, res.channel, two_edits=not one_letter_off)
        cached = remember(res.reading_cache, key, tuple(found), MAX_CACHE)
    return cached


def _noise(counts: Counter, suspicious: list[str], lexical: dict[str, tuple[Reading, ...]],
           res: _Resources) -> float:
    """The document's general OCR noise (`noise_log10`): how many of its lowercase tokens of
    letters are no word as they stand, no compound, and no word that only lost its dots.
    Lost dots are the profile's business; what is left is what a fuzzy match repairs, and a
    page that shows none of it is clean prose, where an unlisted word is a term, not a misread.
    """
    tokens = sum(c for w, c in counts.items() if len(w) > 1 and w.isalpha() and w.islower())
    unexplained = 0
    for word in suspicious:
        if len(word) < 2 or not word.isalpha() or not word.islower():
            continue
        unlisted = res.noise_cache.get(word)  # (no word, with or without its dots)
        if unlisted is None:
            unlisted = remember(res.noise_cache, word, not res.lexicon.is_valid(word)
                                and not dot_readings(word, res.lexicon, res.channel), MAX_CACHE)
        if unlisted and not any(len(r.parts) > 1 and not r.edits for r in lexical[word]):
            unexplained += counts[word]
    return noise_log10(unexplained, tokens)


def _restores_no_listed_word(reading: Reading) -> bool:
    """A compound, or the token as it stands."""
    return len(reading.parts) > 1 or not reading.edits


def _only_compounds(found: Iterable[Reading]) -> bool:
    """No reading restores the token as one listed word: each is a compound or the token as it
    stands ("vatinet" read as "våt+lånet", "skotan" as itself). The fuzzy match to the lexicon
    is asked then too, and the ranker weighs its frequent word against them ("vattnet",
    "skolan"); once it was asked only for tokens with no reading at all."""
    return all(map(_restores_no_listed_word, found))


def _plain_unlisted(word: str, found: Iterable[Reading], res: _Resources, name_like: bool = True) -> bool:
    """A lowercase token of letters, or one capitalised only where it opens a sentence ("Entigt"
    read as the rare "enögt", not "Enligt"), that no list has, or that a list has but scans make
    of a frequent word (a shadow: "til" of "till"), and no spelling the page itself shows with
    its dots ("planåren" vouches for itself). Its readings do not keep the fuzzy match to the
    lexicon away (`_only_rare`); the ranker weighs the match against them, its edits priced by
    the page's noise (`Profile.noise`), so that on clean prose an unlisted word stays."""
    lower = word.lower()
    opener = not name_like and word.istitle() and not word.isupper()
    return (word.isalpha() and (word.islower() or opener)
            and (not res.lexicon.is_valid(lower) or lower in res.shadows)
            and not any(r.fuzzy and r.word == lower for r in found))


def _only_rare(found: Iterable[Reading], res: _Resources) -> bool:
    """The readings only make the token a rare word ("ach" and "uch" read as the web form
    "öch"): any fuzzy match to the lexicon ("och") is weighed beside them. A token a reading
    makes a common word ("tll" read as "tål", "ait" as "åt") is weighed only against a match
    one letter off whose edit the scans make often (EXPLAINED_FUZZY_MIN_LOG10: "till", "att"),
    not against one at the floor price of an edit they never showed ("dret" is "året", not
    "det")."""
    return all(_restores_no_listed_word(r) or res.lexicon.prior(r.word) < READING_EXPLAINS_PRIOR for r in found)


def _joined(found: Iterable[Reading], more: Iterable[Reading]) -> list[Reading]:
    """`found`, then the readings of `more` that restore a word none of `found` does."""
    found = list(found)
    known = {r.word for r in found}
    return [*found, *(r for r in more if r.word not in known)]


def _englishish(word: str, res: _Resources) -> bool:
    """A word that reads as English rather than Swedish (for spotting English passages)."""
    cached = res.english_cache.get(word)
    if cached is None:
        lower = word.lower()
        english = res.lexicon.english_zipf(lower)
        cached = english >= ENGLISH_ZIPF and (
            not res.lexicon.is_valid(lower) or english - 1.0 > res.lexicon.prior(lower)
        )
        remember(res.english_cache, word, cached, MAX_CACHE)
    return cached


def _english_words(counts: Counter, res: _Resources) -> set[str]:
    """The document's English-looking words (the cache answers for almost every word)."""
    return set(_passing((w for w in counts if w.isalpha()), res.english_cache,
                        lambda word: _englishish(word, res)))


def _in_english_run(words: list[str], separators: list[str], j: int, english: set[str],
                    could_be_english: Callable[[str], bool],
                    speaks_swedish: Callable[[str], bool]) -> bool:
    """Is word `j` inside a run of English (at least two English-looking words of six around,
    a next-door word that could be English, and none that speaks Swedish)?

    `english` holds the document's English-looking words, found once per distinct word; the
    caller has checked that word `j` itself may be English (`_maybe_english`). The six stay
    inside the word's sentence: an English sentence next door says nothing about it. A name
    in the window is no passage around the word: in "Zyklon fran gruppen Legions of the
    Underground" both neighbours of "fran" are Swedish, so it is "från"; in "Code for
    information" the neighbour "Code" keeps "for". A listed Swedish word next door that
    English does not share ends the passage: in "hölls pa Royal Institute of Technology" the
    word is "på", at the seam where a Swedish sentence names an English institution.
    """
    ends_sentence = context_model.ends_sentence
    lo, first = j, max(0, j - 3)
    while lo > first and not ends_sentence(separators[lo]):
        lo -= 1
    hi, last = j, min(len(words) - 1, j + 3)
    while hi < last and not ends_sentence(separators[hi + 1]):
        hi += 1
    # the English words of the window, counted at C speed, less word j itself
    hits = sum(map(english.__contains__, words[lo:hi + 1])) - (words[j] in english)
    if (hits >= ENGLISH_NEIGHBOURS
            and (lo < j and could_be_english(words[j - 1]) or j < hi and could_be_english(words[j + 1]))
            and not (lo < j and speaks_swedish(words[j - 1]) or j < hi and speaks_swedish(words[j + 1]))):
        return True
    return _in_english_title(words, separators, j, english)


def _in_english_title(words: list[str], separators: list[str], j: int, english: set[str]) -> bool:
    """Is a capitalised word `j` part of an English name ("Star Trek", "Paradise Lost")?

    A title or name is too short for the six-word test, but its words are capitalised
    together: a capitalised neighbour joined by a space that reads as English makes word `j`
    English too. Only inside a sentence, where a capital means a name ("Manga" after a full
    stop is "Många"), and Swedish names are no English words ("Ostra Bettorp" is restored).
    """
    if not words[j].istitle():
        return False
    before = j > 0 and separators[j] == " " and words[j - 1].istitle() and words[j - 1] in english
    if before:
        return True
    return (j + 1 < len(words) and separators[j + 1] in (" ", "\n") and words[j + 1].istitle()
            and words[j + 1] in english and continues_sentence(separators[j], words[j - 1] if j else None))


def _maybe_english(word: str, res: _Resources) -> bool:
    cached = res.maybe_english_cache.get(word)
    if cached is None:
        cached = remember(res.maybe_english_cache, word, res.lexicon.english_zipf(word.lower()) >= 2.0,
                          MAX_CACHE)
    return cached


def _lost_dots_only(token: str, decision: Decision, res: _Resources) -> bool:
    """Is an all-caps token no acronym but a word that lost only its dots ("SAPO" for SÄPO)?

    Acronyms are left alone because they spell words by accident: "FRG" is no damaged
    "färg". But a token that is no word itself, and becomes a listed word by putting dots on
    its A and O alone, lost them: the letters are all there. ("MAS" and "SAS" are listed
    themselves, so they stay.)
    """
    restored = decision.word
    if not (decision.apply and restored) or res.lexicon.is_valid(token.lower()):
        return False
    return _dots_on_a_and_o(token, restored)


def _dots_on_a_and_o(token: str, restored: str) -> bool:
    """Is `restored` the all-caps `token` with dots or rings put on some of its A and O?"""
    return len(restored) == len(token) and all(a.lower() == b or (a in "AO" and b in "åäö")
                                               for a, b in zip(token, restored))


def _opens_a_lowercase_sentence(words: list[str], separators: list[str], j: int) -> bool:
    """Does a short all-caps token open a sentence that goes on in lowercase ("PA detta vis")?

    There it is no acronym but a capitalised word whose å the OCR read as a capital A:
    the ring makes "å" as tall as the "P" beside it. ("EU har" stays: "EU" restores to nothing.)
    """
    return (len(words[j]) <= 3 and j + 1 < len(words) and words[j + 1][:1].islower()
            and not continues_sentence(separators[j], words[j - 1] if j else None)
            and separators[j + 1].strip() == "")


def _in_caps_heading(words: list[str], j: int) -> bool:
    """An all-caps word among other all-caps words is a heading, not an acronym."""
    neighbours = [words[k] for k in (j - 2, j - 1, j + 1, j + 2) if 0 <= k < len(words)]
    return any(len(w) >= 4 and w.isupper() and w.isalpha() for w in neighbours)


#: A word's decision, its scored readings when context must decide, and the damage forms of
#: the readings within reach of winning.
Judged = tuple[Decision, "list[Scored] | None", frozenset[tuple[str, str]]]


@dataclass(frozen=True)
class Analysis:
    """What the pipeline learned about one text: its profile and per-word decisions."""

    profile: Profile
    decisions: dict[str, Decision]
    occurrences: dict[str, list[int]]
    scored: dict[str, list[Scored]]  # the words context decides, with their readings before it
    counts: Counter  # every distinct word of the text
    #: For each word in `scored`: the cross-document key its readings were judged under, or
    #: None when they depend on this document's own spellings (then nothing is shared).
    scored_keys: dict[str, tuple | None] = field(default_factory=dict)
    #: Indexes of the occurrences (of suspicious words) that stand in an address: never changed.
    sheltered: frozenset[int] = frozenset()


def _occurrences(words: list[str], wanted: list[str]) -> dict[str, list[int]]:
    """Indexes of each wanted word in `words` (one pass; the wanted words are few)."""
    found: dict[str, list[int]] = {w: [] for w in wanted}
    if found:
        for j, word in enumerate(words):
            if word in found:
                found[word].append(j)
    return found


def _evidence(word: str, found: tuple[Reading, ...], res: _Resources, compounds: bool) -> Reading | None:
    """The restoration an invalid token proves under neutral rates, or None (cached per word
    and compounds option, which decides `found`).

    Only lexicon readings count, so the answer is the same in every document. An acronym
    ("FRG", "SKR") is no damaged word, whatever it could spell ("färg"): it proves nothing.
    """
    cached = res.evidence_cache.get((word, compounds), False)
    if cached is not False:
        return cached
    lower = word.lower()
    proof = None
    if found and not is_acronym(word) and not any(r.word == lower and (len(r.parts) > 1 or res.lexicon.is_valid(lower))
                         for r in found):  # a word (or a valid compound) as it stands proves nothing
        scored = score_readings(word, list(found), res.lexicon, NEUTRAL, None, name_like=False)
        best = scored[0]
        if (best.reading is not None and posteriors(scored)[0] >= 0.5
                and any(e.adaptive for e in best.reading.edits)):
            proof = best.reading
    return remember(res.evidence_cache, (word, compounds), proof, MAX_CACHE)


def _proofs(words: list[str], lexical: dict[str, tuple[Reading, ...]],
            res: _Resources, compounds: bool) -> dict[str, Reading]:
    """The restorations the words prove (see `_evidence`), by word."""
    known = res.evidence_cache.get
    found = {}
    for word in words:
        proof = known((word, compounds), False)
        if proof is False:
            proof = _evidence(word, lexical[word], res, compounds)
        if proof is not None:
            found[word] = proof
    return found


def _judge(word: str, found: list[Reading], profile: Profile, vocab: DocumentVocabulary | None,
           name_like: bool, options: Options, res: _Resources, before_surname: bool = False) -> Judged:
    """Decide one distinct word; also return its scored readings when context must decide,
    and the damage forms of the readings within reach of winning."""
    scored = score_readings(word, found, res.lexicon, profile, vocab, name_like=name_like,
                            before_surname=before_surname)
    decision = decide(word, scored, res.lexicon, vocab)
    reach = _within_reach(scored)
    if options.use_context and len(scored) > 1:
        probs = posteriors(scored)
        contenders = [s.word or word.lower() for s, p in zip(scored, probs) if p >= CONTEXT_MARGIN]
        if len(contenders) > 1 and context_model.covers(contenders):
            return decision, scored, reach
    return decision, None, reach


#: A decision this sure without the page's shape is not judged again with it: the shape raises
#: each misread by at most SHAPE_MAX_BOOST, which seldom overturns it (the training figures are
#: the same with every decision judged again; this spares a tenth of the cache).
SHAPE_SETTLED = 0.99

#: A reading this far (log10) below the best, after the largest boost the page's shape could
#: give each of its misreads, has no say in the decision.
REACH = 3.0
#: One shared copy of each set of damage forms (see `_within_reach`).
_FORMS: dict[frozenset[tuple[str, str]], frozenset[tuple[str, str]]] = {}


def _within_reach(scored: list[Scored]) -> frozenset[tuple[str, str]]:
    """The damage forms of the readings a page's shape could bring into the decision."""
    if not scored:
        return frozenset()
    floor = scored[0].total - REACH
    forms = damage_forms(s.reading for s in scored if s.reading is not None and s.total
                         + SHAPE_MAX_BOOST * sum(1 for e in s.reading.edits if e.adaptive) >= floor)
    # one shared copy of each set: the decision cache holds one per entry, and a few thousand
    # distinct sets stand for its hundred thousand entries
    return _FORMS.setdefault(forms, forms) if len(_FORMS) < MAX_CACHE else forms


def _outside_addresses(proofs: dict[str, Reading], occurrences: dict[str, list[int]],
                       sheltered: frozenset[int]) -> tuple[dict[str, Reading], dict[str, int]]:
    """Keep the proofs of damage that occur in running text, with how often they do there.

    "gavle" in "marta.ahlen@gavle.se" is an address, not a lost ä.
    """
    kept: dict[str, Reading] = {}
    shown: dict[str, int] = {}
    for word, proof in proofs.items():
        n = sum(1 for j in occurrences[word] if j not in sheltered)
        if n:
            kept[word], shown[word] = proof, n
    return kept, shown


def _without_own_evidence(profile: Profile, survivors: dict[str, int], lost: dict[str, float],
                          lost_total: float, letters: int, noise: float, proof: Reading, count: int,
                          shapes: dict[tuple[str, str], tuple[float, float]]) -> Profile:
    """The profile a word is judged by: the document's, less the evidence the word gave itself.

    A word must not vouch for its own restoration: in a clean page, "Gavlefastigheter" (a
    company that writes its name undotted) would otherwise prove that ä gets lost, and then be
    restored on that proof. Where the word is a small part of the evidence nothing changes,
    which the count of letters it restores settles before any profile is built.
    `lost_total` is ``sum(lost.values())``.
    """
    if count * sum(1 for edit in proof.edits if edit.adaptive) * LEAVE_OUT_SHARE < lost_total:
        return profile
    own_shapes = shape_evidence([(proof, count)])
    own = lost_letters(own_shapes)
    rest = {c: lost.get(c, 0.0) - own.get(c, 0.0) for c in lost}
    rest_shapes = {k: (n - own_shapes.get(k, (0.0, q))[0], q) for k, (n, q) in shapes.items()}
    return _shaped(measure_profile(survivors, rest, letters, noise), rest_shapes)


def _shaped(profile: Profile, shapes: dict[tuple[str, str], tuple[float, float]]) -> Profile:
    """The profile with the document's own damage forms (see `measure_shape`)."""
    if not SHAPE_ADAPTS:
        return profile
    shape = measure_shape(shapes)
    return replace(profile, shape=shape) if shape else profile


def _proved_spellings(proofs: dict[str, Reading], in_text: dict[str, int]) -> Counter:
    """The å/ä/ö words the page's proofs restore, counted as often as the proofs stand in its
    running text (first-proved order)."""
    proved: Counter = Counter()
    for word, proof in proofs.items():
        if any(c in proof.word for c in "åäö"):
            proved[proof.word] += in_text[word]
    return proved


def analyse(text: str, options: Options = DEFAULT_OPTIONS) -> tuple[list[str], Analysis]:
    """Split `text` and decide, per distinct suspicious word, what it should become.

    Decisions that do not depend on the document's own spellings are cached across documents
    by (word, damage profile, capitalisation), the profile being quantised for that purpose:
    in a batch the same damaged words recur in file after file.
    """
    res = _resources()
    parts = split_words(text)
    words = parts[1::2]
    counts = Counter(words)
    suspicious = _suspicious(counts, res)
    occurrences = _occurrences(words, suspicious)
    # Occurrences in a URL, an e-mail address or an address OCR broke apart, found once: the
    # evidence counts only the others, and the changes skip them.
    sheltered = frozenset(sheltered_words(text, parts, chain.from_iterable(occurrences.values())))
    separators = parts[0::2]
    # A capitalised word mid-sentence may be a name; one that only opens sentences, or an
    # ALL-CAPS heading word, is an ordinary word.
    name_like = {w: not w.isupper() and any(not context_model.starts_sentence(separators[j])
                                            for j in occurrences[w])
                 for w in suspicious if w[:1].isupper()}
    survivors = count_survivors(text)
    vocab = (document_vocabulary(counts, res.channel)
             if options.use_document and any(survivors.values()) else None)
    lexical = _lexical(suspicious, res, options.compounds)
    before_surname = _before_surname(words, separators, occurrences, lexical, res.lexicon)
    proofs: dict[str, Reading] = {}
    in_text: dict[str, int] = {}
    if options.use_document:
        proofs, in_text = _outside_addresses(_proofs(suspicious, lexical, res, options.compounds), occurrences,
                                             sheltered)
        letters = sum(map(len, filter(str.isalpha, words)))  # in words of letters only
        shapes = shape_evidence((proof, in_text[w]) for w, proof in proofs.items())
        lost = lost_letters(shapes)
        noise = _noise(counts, suspicious, lexical, res)
        profile = _shaped(measure_profile(survivors, lost, letters, noise), shapes)
        lost_total = sum(lost.values())
    else:
        profile = NEUTRAL
    # What the fuzzy match reaches: the page's spellings and the words its proofs restore. A
    # second run would find those on the restored page; the first uses them too.
    fuzzy_vocab = (with_spellings(vocab, _proved_spellings(proofs, in_text), sum(counts.values()), res.channel)
                   if options.use_document else None)
    decisions: dict[str, Decision] = {}
    context_scored: dict[str, list[Scored]] = {}
    scored_keys: dict[str, tuple | None] = {}
    cache = res.decision_cache
    spelled = vocab.counts if vocab is not None else {}  # the document's own å/ä/ö spellings
    for word in suspicious:
        found = lexical[word]
        if spelled:
            shown = document_readings(word, vocab, res.channel)
            if shown:
                found = _joined(found, shown)
        judge_vocab = vocab  # the spellings the word is judged by
        if not found and fuzzy_vocab is not None:
            found = fuzzy_document_readings(word, fuzzy_vocab)
            if found:
                judge_vocab = fuzzy_vocab
        word_name_like = name_like.get(word, True)
        word_before_surname = word in before_surname
        # (a capitalised word no list has, mid-sentence or before a surname, is a name sooner
        # than a misread)
        may_be_name = word_name_like or word_before_surname
        if _only_compounds(found) and not (may_be_name and word[:1].isupper() and not word.isupper()):
            found = _joined(found, _lexicon_fuzzy(word, res))
        elif _plain_unlisted(word, found, res, may_be_name):
            explained = not _only_rare(found, res)
            matched = _lexicon_fuzzy(word, res, one_letter_off=explained)
            if explained:
                matched = tuple(r for r in matched if r.edits[0].log10_q >= EXPLAINED_FUZZY_MIN_LOG10)
            found = _joined(found, matched)
        uses_document = judge_vocab is not None and any(r.word in judge_vocab.counts for r in found)
        word_profile = (_without_own_evidence(profile, survivors, lost, lost_total, letters, noise, proofs[word],
                                              in_text[word], shapes)
                        if word in proofs else profile)
        # Judged first without the page's shape; again with the part of it that touches the
        # readings within reach of winning, if any (see `_within_reach`).
        # (the page's noise prices fuzzy readings only: words without one share decisions across it)
        profile_key = word_profile.key if any(r.fuzzy for r in found) else word_profile.key[:-1]
        key = (word, profile_key, word_name_like, word_before_surname, options.compounds, options.use_context)

        def judged_under(key: tuple, profile: Profile) -> Judged:
            """The word judged under `profile`, shared across documents by `key` unless the
            readings depend on this document's own spellings."""
            judged = None if uses_document else cache.get(key)
            if judged is None:
                judged = _judge(word, list(found), profile, judge_vocab, word_name_like, options, res,
                                word_before_surname)
                if not uses_document:
                    remember(cache, key, judged, MAX_CACHE)
            return judged

        judged = judged_under(key, word_profile.plain)
        shape = (word_profile.shape_for(judged[2])
                 if word_profile.shape and judged[0].confidence < SHAPE_SETTLED else ())
        if shape:
            # judged under exactly the part of the shape its key names, so that the decision a
            # later document takes from the cache is the one it would have made itself
            key = (*key, shape)
            judged = judged_under(key, replace(word_profile, shape=dict(shape)))
        decision, scored, _ = judged
        if scored is not None:
            context_scored[word] = scored
            scored_keys[word] = None if uses_document else key
        if decision.word is not None or scored is not None:
            decisions[word] = decision
    return parts, Analysis(profile, decisions, occurrences, context_scored, counts, scored_keys, sheltered)


def _before_surname(words: list[str], separators: list[str], occurrences: dict[str, list[int]],
                    lexical: dict[str, tuple[Reading, ...]], lexicon: Lexicon) -> set[str]:
    """The capitalised suspicious words that stand, somewhere on the page, just before a
    surname, after a space or a line break: the place of a given name ("Par Jonsson" is Pär).
    The next word is a surname when the lists say so, or when one of its own readings is one
    ("Sjogren" reads sjögren).

    >>> from svfix.lexicon import default_lexicon
    >>> words = ["motion", "Par", "Jonsson", "ett", "par"]
    >>> _before_surname(words, ["", " ", " ", " ", " ", ""], {"Par": [1], "par": [4]}, {},
    ...                 default_lexicon())
    {'Par'}
    """
    surname = int(Flag.SURNAME)

    def capitalised(word: str) -> bool:
        return word[:1].isupper() and not word.isupper()

    def may_be_surname(word: str) -> bool:
        if not capitalised(word):
            return False
        if lexicon.flags(word.lower()) & surname:
            return True
        return any(lexicon.flags(r.word) & surname for r in lexical.get(word, ()))

    return {
        word for word, places in occurrences.items() if capitalised(word)
        and any(j + 1 < len(words) and separators[j + 1] in (" ", "\n") and may_be_surname(words[j + 1])
                for j in places)
    }


def _context_decision(word: str, analysis: Analysis, words: list[str], j: int,
                      separators: list[str], res: _Resources, restored: dict[str, str]) -> Decision:
    neighbours = context_model.neighbours(words, separators, j, restored)
    # Shared across documents only when the readings were judged without this document's own
    # spellings: the same key then means the same readings, so the order of files is irrelevant.
    judged_as = analysis.scored_keys.get(word)
    key = None if judged_as is None else (judged_as, neighbours)
    decision = res.context_cache.get(key) if key is not None else None
    if decision is None:
        base = analysis.scored[word]
        bonus = context_model.score([s.word or word.lower() for s in base], *neighbours)
        decision = decide(word, with_context(base, bonus, word), res.lexicon)
        if key is not None:
            remember(res.context_cache, key, decision, MAX_CACHE)
    return decision


_LINE_END_HYPHEN = re.compile(r"[ \t]*-[ \t]*\r?\n[ \t]*")


def _split_word_changes(words: list[str], separators: list[str], ends: list[int],
                        analysis: Analysis, options: Options,
                        res: _Resources) -> tuple[list[Change], set[int]]:
    """Restore words a line-end hyphen split ("atgar-\nder" → "åtgär-\nder").

    The two halves are read as one token; a restoration that keeps the length is cut back at
    the same place, so the hyphen and the line break stay where they were. Returns the
    changes and the indexes of the words they decided (neither half is then read alone).
    """
    changes: list[Change] = []
    decided: set[int] = set()
    # only a separator with a hyphen and a line break can match (a quick test for the few)
    broken = [j for j, sep in enumerate(separators[1:len(words)]) if "\n" in sep and "-" in sep]
    for j in broken:
        if j in decided:  # "miljo-\nnamnd-\nens": "namnd" belongs to the join before
            continue
        head, tail = words[j], words[j + 1]
        if not (_LINE_END_HYPHEN.fullmatch(separators[j + 1]) and head.isalpha() and tail.isalpha()
                and (tail[:1].islower() or head.isupper() and tail.isupper())):
            continue
        joined = head + tail
        if res.lexicon.is_valid(joined.lower()):
            continue
        scored = score_readings(joined, list(_readings(joined, res, options.compounds)), res.lexicon,
                                analysis.profile, name_like=False)
        decision = decide(joined, scored, res.lexicon)
        if decision.word is None or len(decision.word) != len(joined):
            continue
        whole = transfer_case(joined, decision.word)
        applied = decision.apply and decision.confidence >= options.apply_threshold
        decided.update((j, j + 1))
        for index, old, new in ((j, head, whole[:len(head)]), (j + 1, tail, whole[len(head):])):
            if old != new:
                start = ends[2 * index]
                changes.append(Change(start, start + len(old), old, new, decision.confidence,
                                      decision.reason, applied))
    return changes, decided


def restore(text: str, options: Options = DEFAULT_OPTIONS) -> tuple[Change, ...]:
    """Changes (applied and suggested) that restore the damaged words of `text`.

    Done by the compiled engine (`svfix.native`), which gives exactly what `restore_reference`
    gives; ``SVFIX_IMPLEMENTATION=python`` uses the reference itself.
    """
    if not native.wanted():
        return restore_reference(text, options)
    found = native.engine().restore(text, options.compounds, options.use_context, options.use_document,
                                    options.apply_threshold)
    return tuple(Change(start, end, original, replacement, confidence, _REASONS[reason], applied)
                 for start, end, original, replacement, confidence, reason, applied in found)


#: `Reason` by the engine's number for it.
_REASONS = (Reason.CONFUSION, Reason.CONTEXT, Reason.DOCUMENT, Reason.COMPOUND, Reason.NAME, Reason.FUZZY)


def restore_reference(text: str, options: Options = DEFAULT_OPTIONS) -> tuple[Change, ...]:
    """`restore`, in Python: the reference the engine is held to (see `svfix.native`)."""
    res = _resources()
    parts, analysis = analyse(text, options)
    words = parts[1::2]
    separators = parts[0::2]
    ends = list(accumulate(map(len, parts)))
    split, taken = (_split_word_changes(words, separators, ends, analysis, options, res)
                    if _LINE_END_HYPHEN.search(text) else ([], set()))  # one C pass spares most texts
    if not analysis.decisions:
        return tuple(split)
    changes: list[Change] = []
    interesting = analysis.decisions
    # Neighbours are read restored: "Det har ar" is scored as "det [har] är". A neighbour that
    # context decides itself is read as its best guess without context.
    restored = {w: d.word for w, d in interesting.items() if d.apply and d.word}
    english: set[str] | None = None  # found when an occurrence first needs it
    could_be_english = partial(_maybe_english, res=res)

    def speaks_swedish(neighbour: str) -> bool:
        return (neighbour.isalpha() and not could_be_english(neighbour)
                and res.lexicon.is_valid(neighbour.lower()))

    skipped = analysis.sheltered | taken
    # Word by word, so what holds for every occurrence of a word is found once; the changes
    # are sorted by offset at the end, which is the order they had in the text.
    for word, decision in interesting.items():
        contextual = word in analysis.scored
        if not contextual and (decision.word is None or decision.word == word.lower()):
            continue  # nothing to change wherever it stands
        if decision.reason is Reason.COMPOUND and not contextual and _englishish(word, res):
            continue  # an English word ("Surrounding") is no damaged Swedish compound ("Surroundäng")
        acronym = is_acronym(word) and not _lost_dots_only(word, decision, res)
        maybe_english = _maybe_english(word, res)
        for j in analysis.occurrences[word]:
            title = acronym and _opens_a_lowercase_sentence(words, separators, j)
            if (j in skipped or acronym and not title and not _in_caps_heading(words, j)
                    or is_colon_suffix(words, separators, j)):
                continue
            if maybe_english:
                if english is None:
                    english = _english_evidence(analysis, res)
                if english and _in_english_run(words, separators, j, english,
                                               could_be_english, speaks_swedish):
                    continue
            chosen = (_context_decision(word, analysis, words, j, separators, res, restored)
                      if contextual else decision)
            if (chosen.word is None or chosen.word == word.lower()
                    or title and not _dots_on_a_and_o(word, chosen.word)):
                continue
            mid_sentence = continues_sentence(separators[j], words[j - 1] if j else None)
            written = (chosen.word[:1].upper() + chosen.word[1:] if title
                       else restore_case(word, chosen.word, mid_sentence, res.lexicon, res.channel))
            changes.append(Change(ends[2 * j], ends[2 * j + 1], word, written, chosen.confidence,
                                  chosen.reason, chosen.apply and chosen.confidence >= options.apply_threshold))
    return tuple(sorted(changes + split, key=lambda c: c.start))


def _english_evidence(analysis: Analysis, res: _Resources) -> set[str]:
    """The document's English-looking words that count towards an English passage.

    Undotted Swedish ("for", "pa", "ar") looks English too: a word the analysis would restore
    is no evidence of an English passage.
    """
    interesting = analysis.decisions
    return {w for w in _english_words(analysis.counts, res)
            if not (w in interesting and (interesting[w].apply or w in analysis.scored))}


def _normalize(text: str, options: Options) -> tuple[str, tuple[Change, ...]]:
    if options.normalize is None:
        return text, ()
    from svfix import normalize as normalize_module  # imported late: it pulls in ftfy lazily too

    chosen = normalize_module.DEFAULT if options.normalize == "default" else options.normalize
    return normalize_module.normalize(text, chosen, is_word=is_swedish_word)


def is_swedish_word(word: str) -> bool:
    """A lowercase form the lexicon lists, or a compound hunspell's rules accept.

    Dehyphenation asks this of "kommun" + "styrelsen": inflected compounds are often in no
    list, so the compound analysis has to answer.
    """
    res = _resources()
    if res.lexicon.is_valid(word):
        return True
    return any(r.word == word and len(r.parts) > 1 and not r.edits for r in _readings(word, res, True))


def compose(original: str, first: tuple[Change, ...], middle: str,
            second: tuple[Change, ...]) -> tuple[Change, ...]:
    """Express `second` (changes of `middle`) as changes of `original`, merged with `first`.

    `first` turns `original` into `middle`. Changes of the two stages that touch each other
    become one change covering both, so replaying the result on `original` gives the final
    text and every offset points into `original`.

    >>> first = (Change(0, 4, "fÃ¶r", "för", 1.0, Reason.NORMALIZE, step="mojibake"),)
    >>> second = (Change(4, 6, "ar", "är", 0.9, Reason.CONTEXT),)
    >>> [(c.start, c.original, c.replacement) for c in compose("fÃ¶r ar", first, "för ar", second)]
    [(0, 'fÃ¶r', 'för'), (5, 'ar', 'är')]
    """
    applied_first = sorted((c for c in first if c.applied), key=lambda c: c.start)
    if not applied_first:
        return tuple(sorted(first + second, key=lambda c: (c.start, c.end)))
    # first-stage regions in `middle` coordinates: (mid_start, mid_end, change)
    regions = []
    shift = 0
    for c in applied_first:
        mid_start = c.start + shift
        regions.append((mid_start, mid_start + len(c.replacement), c))
        shift += len(c.replacement) - (c.end - c.start)
    mid_starts = [r[0] for r in regions]
    shifts = list(accumulate(len(c.replacement) - (c.end - c.start) for c in applied_first))

    def to_original(pos: int) -> int:
        """Map a `middle` offset that lies outside every first-stage region."""
        i = bisect_right(mid_starts, pos) - 1
        while i >= 0 and regions[i][1] > pos:  # pos is a region's start: nothing before it
            i -= 1
        return pos - (shifts[i] if i >= 0 else 0)

    out: list[Change] = [c for c in first if not c.applied]
    used: set[int] = set()
    for change in second:
        touching = [i for i, (lo, hi, _) in enumerate(regions)
                    if lo < change.end and change.start < hi
                    or lo == hi and change.start <= lo <= change.end
                    or change.start == change.end and lo <= change.start <= hi]
        if not touching:
            start = to_original(change.start)
            out.append(replace(change, start=start, end=start + change.end - change.start))
            continue
        if not change.applied or any(i in used for i in touching):
            continue  # a suggestion inside normalized text has no place in the original
        lo_mid = min(change.start, regions[touching[0]][0])
        hi_mid = max(change.end, regions[touching[-1]][1])
        lo = applied_first[touching[0]].start if lo_mid == regions[touching[0]][0] else to_original(lo_mid)
        hi = applied_first[touching[-1]].end if hi_mid == regions[touching[-1]][1] else to_original(hi_mid)
        used.update(touching)
        text = middle[lo_mid:change.start] + change.replacement + middle[change.end:hi_mid]
        steps = "+".join(dict.fromkeys([regions[i][2].step for i in touching] + [change.step]))
        out.append(Change(lo, hi, original[lo:hi], text, change.confidence, change.reason, True, steps))
    out += [c for i, c in enumerate(applied_first) if i not in used]
    return tuple(sorted(out, key=lambda c: (c.start, c.end)))


def correct(text: str, options: Options = DEFAULT_OPTIONS) -> Result:
    """Restore the damaged Swedish words of `text`; everything else stays byte for byte.

    Returns the fixed text and every change (with offsets into `text`), including
    suggestions that scored below the apply threshold.

    >>> correct("Tyres6 kommun").text
    'Tyresö kommun'
    """
    if not isinstance(text, str):
        raise TypeError(f"correct() takes str, not {type(text).__name__}; decode bytes first")
    normalized, first = _normalize(text, options)
    second = restore(normalized, options)
    changes = compose(text, first, normalized, second)
    return Result(apply_changes(text, changes), changes)


@dataclass(frozen=True)
class Logged:
    """A text corrected for an archive: the fixed text and its change-log lines (UTF-8 bytes,
    `svfix.changelog`), with how many changes were applied and how many only suggested, and
    the input's words as the batch counts them (``len(text.split())``)."""

    text: str
    log: bytes
    applied: int
    suggested: int
    words: int


def correct_logged(text: str, file_json: str, offset: int = 0, options: Options = DEFAULT_OPTIONS) -> Logged:
    """`correct`, for the batch: the fixed text and the change log, without a `Change` per change.

    When normalizing changes nothing (almost always), the engine applies its changes and writes
    their log lines itself: a damaged archive has a change every few words, and a Python object
    and a formatted line per change would cost more than finding them. Otherwise the changes
    are composed as in `correct` and formatted by `svfix.changelog`. Either way the text is
    ``correct(text).text`` and the log is `changelog.lines` of its changes.
    """
    from svfix import changelog

    normalized, first = _normalize(text, options)
    if not first and native.wanted():
        fixed, log, applied, suggested, words = native.engine().fix_logged(
            normalized, options.compounds, options.use_context, options.use_document, options.apply_threshold,
            file_json, offset)
        return Logged(fixed, log, applied, suggested, words)
    changes = compose(text, first, normalized, restore(normalized, options))
    applied = sum(1 for c in changes if c.applied)
    return Logged(apply_changes(text, changes), changelog.lines(file_json, offset, changes), applied,
                  len(changes) - applied, len(text.split()))


def fix(text: str, options: Options = DEFAULT_OPTIONS) -> str:
    """`correct(text).text`: the restored text.

    >>> fix("Har kan du lasa om atgarder i Tyres6.")
    'Här kan du läsa om åtgärder i Tyresö.'
    """
    return correct(text, options).text

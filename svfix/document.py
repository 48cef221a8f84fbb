"""The document as evidence: how damaged is it, and which spellings does it show correctly?

Two documents can contain the same token "ar": in an OCR page where no ä survived it is
"är"; in a clean page full of correct å/ä/ö it is probably a name or an abbreviation. So the
damage rate of å, ä and ö is measured per document: correct letters on the page count as
evidence that the letter survives, tokens that only make sense restored count as evidence
that it does not, and so does a shortfall against ordinary Swedish letter frequencies. Pages
are bimodal (the OCR kept the letters, or an English model lost most of them), so a
two-component mixture decides which kind of page this is from the pooled evidence, and each
letter's rate is then pulled towards the pooled one. A short clean snippet is recognised as
clean after a handful of intact letters.

A spelling with å/ä/ö that the document itself contains ("Granängsringen", "Håkan") is also
a candidate for its damaged copies elsewhere in it, even when no lexicon lists it.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Iterable, Mapping

from svfix.candidates import Reading
from svfix.channel import ADAPTIVE, Channel, Edit
from svfix.lexicon import Lexicon

LETTERS = ("å", "ä", "ö")
#: Documents are bimodal: either the OCR kept å/ä/ö (a clean page, or a Swedish model) or it
#: lost most of them (an English model). A two-component mixture decides which kind this is:
CLEAN_RATE = 0.002  # what "clean" means: one å/ä/ö in five hundred lost
DAMAGED_PRIOR_RATE = 0.8  # a damaged page's rate before its own evidence
DAMAGED_PRIOR_WEIGHT = 10.0  # pseudo-observations behind DAMAGED_PRIOR_RATE
CLEAN_SHARE = 0.5  # prior probability that a document is clean
LETTER_WEIGHT = 6.0  # how strongly each letter's rate is pulled towards the pooled rate
#: Share of letters that are å, ä, ö in ordinary Swedish text (published letter frequencies).
EXPECTED_SHARE = {"å": 0.0134, "ä": 0.0180, "ö": 0.0131}
#: How much a shortfall of expected å/ä/ö counts, next to words that prove the damage.
SHORTFALL_WEIGHT = 0.5
#: Share of the expected å/ä/ö a clean text may lack by topic alone (a report on a "vattenplan"
#: has few ä): only a shortfall beyond it is evidence of damage.
SHORTFALL_TOLERANCE = 0.5
MIN_RATE = 1e-4
MAX_RATE = 0.995
#: General OCR noise, apart from å/ä/ö: the share of a document's lowercase tokens of letters
#: that are no word, no compound and no word with lost dots (`noise_log10`). A fuzzy match's
#: edits are as likely as the page is noisy, each letter it changes beyond the diacritics on
#: its own (`Reading.fuzzy_letters`: two letters off pay the noise twice; training pages, other
#: OCR noise 28.4 → 29.1 %, municipal 24.3 → 25.5 %, broken 363 → 367). On the training pages
#: that share is 2-5 % on good scans and 10-50 % on poor ones (median near NOISE_REFERENCE_RATE
#: over all); in the clean prose of wordlists/context_texts it is 0.15 % (median), at most
#: 1.7 %: a typo, a term no list has ("konteras", which the match would make "monteras").
#: With this pricing the training pages gain 5 restorations and lose 14 of 368 broken words,
#: other OCR noise 19.3 → 20.2 %, and the clean prose, where the match changed 4 words, keeps
#: them all.
NOISE_REFERENCE_RATE = 0.05
NOISE_PRIOR_RATE = 0.005  # a document's rate before its own tokens
NOISE_PRIOR_WEIGHT = 50.0  # pseudo-tokens behind NOISE_PRIOR_RATE
NOISE_MIN_LOG10 = -2.0
NOISE_MAX_LOG10 = 1.0


@dataclass(frozen=True)
class Profile:  # not slots: `key` is a cached_property
    """A document's damage profile: per-letter damage rates and the evidence behind them."""

    rates: Mapping[str, float]
    survived: Mapping[str, int]  # å/ä/ö letters found intact
    damaged: Mapping[str, float]  # å/ä/ö letters that restorations say were lost
    #: Misreads this document makes more often than the table says: log10 boost by (letter,
    #: form), e.g. ("ä", "ii"): 0.3 (see `measure_shape`). Empty: the table as it is.
    shape: Mapping[tuple[str, str], float] = field(default_factory=dict)
    #: log10 of how much likelier this document makes a fuzzy match's edits than the table
    #: does (`noise_log10`): below 0 on clean prose, above on a poor scan.
    noise: float = 0.0

    @cached_property
    def key(self) -> tuple[float, ...]:
        """The (quantised) rates and noise: with `shape_for`, equal keys give equal decisions."""
        return (*(self.rates[c] for c in LETTERS), self.noise)

    def shape_for(self, forms: frozenset[tuple[str, str]]) -> tuple:
        """The part of the shape that touches these damage forms (see `damage_forms`), as a
        key: a word whose competitive readings use none of them is judged as on a page with
        no shape, so pages with different misreads keep sharing its decision."""
        return tuple(sorted(item for item in self.shape.items() if item[0] in forms))

    @cached_property
    def plain(self) -> Profile:
        """The same rates without the shape."""
        return replace(self, shape={}) if self.shape else self

    @cached_property
    def _log10_rates(self) -> dict[str, float]:
        """log10 of each letter's rate, by the letter in either case (scoring asks per edit)."""
        return {c: math.log10(self.rates[c.lower()]) for c in self.rates.keys() | {c.upper() for c in self.rates}}

    def log10_rate(self, letter: str) -> float:
        rate = self._log10_rates.get(letter)
        return rate if rate is not None else math.log10(self.rates[letter.lower()])

    def log10_shape(self, edit: Edit) -> float:
        """How much likelier this document makes the damage form `edit` than the table does."""
        return self.shape.get((edit.truth.lower(), edit.observed.lower()), 0.0)

    def to_dict(self) -> dict[str, object]:
        return {
            "rates": {k: round(v, 4) for k, v in self.rates.items()},
            "survived": dict(self.survived),
            "damaged": {k: round(v, 2) for k, v in self.damaged.items()},
            "shape": {f"{t}→{o}": v for (t, o), v in sorted(self.shape.items())},
            "noise": self.noise,
        }


def quantise(rate: float) -> float:
    """Round a rate to a tenth of a decade: finer differences never change a decision much,
    and equal rates let documents share decisions.

    >>> round(quantise(0.5), 3), quantise(0.93), quantise(6e-5) > 0
    (0.501, 1.0, True)
    """
    return 10 ** (round(math.log10(rate) * 10) / 10)


#: The rate assumed when nothing is known (used to find evidence before the profile exists).
NEUTRAL_RATE = 0.3
NEUTRAL = Profile(rates={c: quantise(NEUTRAL_RATE) for c in LETTERS}, survived={}, damaged={})


def count_survivors(text: str) -> dict[str, int]:
    """Intact å/ä/ö letters in `text` (case-folded), counted at C speed.

    >>> count_survivors("Åsa läser på Öland")
    {'å': 2, 'ä': 1, 'ö': 1}
    """
    return {c: text.count(c) + text.count(c.upper()) for c in LETTERS}


def noise_log10(unexplained: int, tokens: int) -> float:
    """log10 of the document's noise rate against the table's, in steps of a quarter decade.

    `tokens` counts the lowercase tokens of letters, `unexplained` those of them that are no
    word, no compound and no word with its dots lost (`pipeline._noise`).

    >>> noise_log10(0, 2000), noise_log10(3, 10), noise_log10(200, 1000)
    (-2.0, 0.0, 0.5)
    """
    rate = (unexplained + NOISE_PRIOR_WEIGHT * NOISE_PRIOR_RATE) / (tokens + NOISE_PRIOR_WEIGHT)
    ratio = math.log10(rate / NOISE_REFERENCE_RATE)
    return min(NOISE_MAX_LOG10, max(NOISE_MIN_LOG10, round(ratio * 4) / 4))


def measure_profile(
    survived: Mapping[str, int], damaged: Mapping[str, float], letters: int = 0, noise: float = 0.0,
) -> Profile:
    """Estimate per-letter damage rates from survivors and restoration evidence.

    `letters` (the number of letters in the text) adds a second, weaker kind of evidence:
    Swedish prose has about one å/ä/ö in 22 letters, so a long text with none at all has
    lost them even when every damaged word happens to be a word ("har", "for", "ar").

    >>> clean = measure_profile({"å": 40, "ä": 80, "ö": 50}, {})
    >>> clean.rates["ä"] < 0.01
    True
    >>> measure_profile({"å": 2, "ä": 2, "ö": 3}, {}).rates["å"] < 0.02  # a short clean text
    True
    >>> broken = measure_profile({}, {"å": 12, "ä": 30, "ö": 20})
    >>> broken.rates["ö"] > 0.9
    True
    """
    damaged = dict(damaged)
    for c in LETTERS:
        expected = (1.0 - SHORTFALL_TOLERANCE) * EXPECTED_SHARE[c] * letters
        shortfall = expected - survived.get(c, 0) - damaged.get(c, 0.0)
        if shortfall > 0:
            damaged[c] = damaged.get(c, 0.0) + SHORTFALL_WEIGHT * shortfall
    total_ok = sum(survived.get(c, 0) for c in LETTERS)
    total_bad = sum(damaged.get(c, 0.0) for c in LETTERS)
    damaged_rate = (total_bad + DAMAGED_PRIOR_WEIGHT * DAMAGED_PRIOR_RATE) / (
        total_ok + total_bad + DAMAGED_PRIOR_WEIGHT)
    log_clean = math.log(CLEAN_SHARE) + total_bad * math.log(CLEAN_RATE) + total_ok * math.log1p(-CLEAN_RATE)
    log_damaged = (math.log1p(-CLEAN_SHARE) + total_bad * math.log(damaged_rate)
                   + total_ok * math.log1p(-damaged_rate))
    clean = 1.0 / (1.0 + math.exp(min(700.0, log_damaged - log_clean)))
    pooled = clean * CLEAN_RATE + (1.0 - clean) * damaged_rate
    rates = {}
    for c in LETTERS:
        ok, bad = survived.get(c, 0), damaged.get(c, 0.0)
        rate = (bad + LETTER_WEIGHT * pooled) / (ok + bad + LETTER_WEIGHT)
        rates[c] = quantise(min(MAX_RATE, max(MIN_RATE, rate)))
    return Profile(rates=rates, survived=dict(survived), damaged=dict(damaged), noise=noise)


def channel_log10(reading: Reading, profile: Profile) -> float:
    """log10 P(token | reading) under the document's damage rates."""
    total = 0.0
    shaped = bool(profile.shape)
    for edit in reading.edits:
        if edit.adaptive:
            total += profile.log10_rate(edit.truth) + edit.log10_q
            if shaped:
                total += profile.log10_shape(edit)
        else:
            total += edit.log10_q
            if reading.fuzzy and edit.truth != edit.observed:  # (not the page's spelling of the token itself)
                total += profile.noise * reading.fuzzy_letters
    return total


@dataclass
class DocumentVocabulary:
    """Words the document spells with å/ä/ö, indexed so damaged copies find them fast."""

    counts: Counter = field(default_factory=Counter)
    total: int = 0
    _by_key: dict[str, list[str]] = field(default_factory=dict)
    _wild: dict[int, str] = field(default_factory=dict)  # str.translate table: wild letter → "*"
    _skeletons: dict[str, str] | None = None  # undotted spellings for the fuzzy match, made once

    def key(self, word: str) -> str:
        return word.translate(self._wild)

    def lookup(self, token_lower: str) -> list[str]:
        return self._by_key.get(token_lower.translate(self._wild), [])


#: The wild-letter table of each channel seen, by id (the channel is kept, so ids stay unique).
_WILD_TABLES: dict[int, tuple[Channel, dict[int, str]]] = {}


def _wild_table(channel: Channel) -> dict[int, str]:
    """Letters a damaged copy may show where the page had å/ä/ö, as a `str.translate` table
    that writes each of them as "*" (built once per channel: the inverse table is large)."""
    entry = _WILD_TABLES.get(id(channel))
    if entry is None or entry[0] is not channel:
        wild = set(ADAPTIVE) | {c.lower() for c in ADAPTIVE}
        for edits in channel.inverse.values():
            for edit in edits:
                if edit.adaptive and len(edit.observed) == 1:
                    wild.add(edit.observed.lower())
        # a letter whose lowercase is two characters never matches one character of a word
        entry = _WILD_TABLES[id(channel)] = (channel, {ord(c): "*" for c in wild if len(c) == 1})
    return entry[1]


def document_vocabulary(word_counts: Mapping[str, int], channel: Channel) -> DocumentVocabulary:
    """Collect the document's own correct spellings (words containing å, ä or ö).

    Undotted words are not evidence of a correct spelling (they may be damage), so only
    words with a surviving diacritic count.
    """
    counts: Counter = Counter()
    for word, n in word_counts.items():
        if not word.isascii() and any(c in word for c in "åäöÅÄÖ"):
            counts[word.lower()] += n
    vocab = DocumentVocabulary(counts=counts, total=sum(word_counts.values()), _wild=_wild_table(channel))
    for word in counts:
        vocab._by_key.setdefault(vocab.key(word), []).append(word)
    return vocab


def with_spellings(vocab: DocumentVocabulary | None, spellings: Mapping[str, int], total: int,
                   channel: Channel) -> DocumentVocabulary | None:
    """`vocab` with `spellings` it lacks added after its own, for the fuzzy match to the page
    and the judging of what it matches (`document_readings` still asks `vocab` alone).

    A scan that loses every dot leaves a page no spelling of its own to match "Radieamatirerna"
    to, but "Radioamatérerna" elsewhere on it proves "radioamatörerna". `total` is the page's
    word count, for a page that has no vocabulary of its own.
    """
    base = vocab.counts if vocab is not None else Counter()
    added = Counter({word: n for word, n in spellings.items() if n > 0 and word not in base})
    if not added:
        return vocab
    return DocumentVocabulary(counts=base + added, total=vocab.total if vocab is not None else total,
                              _wild=_wild_table(channel))


def document_readings(token: str, vocab: DocumentVocabulary, channel: Channel) -> list[Reading]:
    """Readings of `token` as a spelling the document shows elsewhere (one-to-one edits only)."""
    lower = token.lower()
    found = []
    for word in vocab.lookup(lower):
        if word == lower or len(word) != len(lower):
            continue
        edits: list[Edit] = []
        for seen, truth, shown in zip(lower, word, token):
            if seen == truth:
                continue
            edit = next((e for e in channel.explanations(shown) if e.truth.lower() == truth), None)
            if edit is None:
                edit = next((e for e in channel.explanations(seen) if e.truth.lower() == truth), None)
            if edit is None:
                break
            edits.append(edit)
        else:
            found.append(Reading(word, (word,), tuple(edits)))
    return found


#: rapidfuzz ratio (0–100) a token needs to a spelling of the document's own to be read as it.
FUZZY_MIN_RATIO = 85.0
#: log10 probability charged per character edit the channel cannot explain.
FUZZY_EDIT_LOG10 = -1.5
FUZZY_MIN_LENGTH = 6


_SKELETON = str.maketrans("åäöé60", "aaoeoo")
#: log10 cost of a lost diacritic inside a fuzzy match (the channel's usual dropped dots).
FUZZY_DIACRITIC_LOG10 = -0.3


def fuzzy_document_readings(token: str, vocab: DocumentVocabulary) -> list[Reading]:
    """The document's own å/ä/ö spelling closest to `token`, when the channel found nothing.

    OCR damage is not only diacritics: "Oneslinds" for "Öneslunds" needs a u→i the channel
    does not trust on its own. If the page spells the word right elsewhere, rapidfuzz finds it
    by comparing undotted skeletons; each edit beyond the dots costs `FUZZY_EDIT_LOG10`, so
    such readings need strong document evidence to be applied.
    """
    lower = token.lower()
    if len(lower) < FUZZY_MIN_LENGTH or not vocab.counts:
        return []
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import Levenshtein

    skeleton = lower.translate(_SKELETON)
    if vocab._skeletons is None:
        vocab._skeletons = {word: word.translate(_SKELETON) for word in vocab.counts}
    choices = vocab._skeletons
    hit = process.extractOne(skeleton, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_RATIO)
    if hit is None:
        return []
    word = hit[2]
    other = Levenshtein.distance(skeleton, choices[word])
    dots = Levenshtein.distance(lower, word) - other
    cost = FUZZY_EDIT_LOG10 * other + FUZZY_DIACRITIC_LOG10 * max(0, dots)
    return [Reading(word, (word,), (Edit(word, lower, cost, False),), fuzzy=True)]


#: A lowercase token of letters only is matched to the lexicon from this length on; others
#: (capitalised, or with digits: "Jöran", "mp3") from `FUZZY_MIN_LENGTH`. Short lowercase
#: tokens no reading makes a listed word are mostly scan damage ("sholan", "hue" for "hur").
#: From 3 (against 6) on the training pages: municipal WER 15.74 → 15.52 %, their other
#: OCR noise restored 11.7 → 15.2 %, broken 4 as before; the hacker book lost a few English
#: words ("lamer", "dub") and more of its misspellings. Capitalised short tokens are names too
#: often ("Jöran" became "Göran" in clean text); with digits they are codes ("mp3").
#: From 2 (eighteenth session, with the page's noise pricing the match): "ay" → "av", "cn" →
#: "en"; training pages 77,847 → 77,852 restored, other OCR noise 23.9 → 24.8 %, broken 356.
FUZZY_LEXICON_MIN_LENGTH = 2
#: Such a token (lowercase, letters only) this long or longer, with no word one letter from
#: it, is matched to the words two letters from it ("sirskitt" → "särskilt", "méjigheten" →
#: "möjligheten"), both edits priced by the table. Training pages: all 77,805 → 77,820
#: restored, broken 371 → 368, å/ä/ö plus other damage 17.0 → 19.2 % (municipal 12.8 →
#: 14.0 %). Capitalised tokens and tokens with digits took footnote numbers off the words
#: they were glued to ("44Exempel") and made names words ("Bethke" → "Bete"). From 5 (against
#: 6) since a slip of a letter group is priced as one edit ("bilr", "itite"): training pages
#: å/ä/ö plus other damage 23.8 → 24.5 % (municipal 18.7 → 19.0 %), other OCR noise 28.2 →
#: 28.4 %, restored and broken as before. (4 gave the same: the two-edit keys need 4 letters.)
FUZZY_LEXICON_TWO_EDITS_MIN_LENGTH = 5
#: A capitalised token of letters ("Detia", "Elier") is matched from this length on (one
#: letter off; others with a capital or digits from `FUZZY_MIN_LENGTH`). The pipeline asks the
#: match for one only where it opens a sentence and stands before no surname (mid-sentence, or
#: as "Jöran Östlund", it is a name sooner than a misread). From 5 (against 6): training pages
#: other OCR noise 29.1 → 29.4 %, broken 367 → 368 ("Jucke" → "Jocke", a nickname); from 4,
#: 29.5 % but broken 374 and two restorations fewer.
FUZZY_LEXICON_TITLE_MIN_LENGTH = 5
#: The lexicon's words a token with no other reading may be fuzzily matched to: frequent ones
#: with å, ä or ö (7,970 at Zipf 3.0, 14,931 at 2.5). Rarer targets gained a few words on the
#: training pages and broke more at a flat edit price (fifteenth session); since the scans and
#: the page's noise price the match, 2.5 restores more å/ä/ö words with other damage (training
#: pages 22.1 → 22.7 %, municipal 16.8 → 17.9 %) and breaks none, for 7,000 more targets
#: (0.06 s and a few MB). 2.0 changed a word of the clean prose.
FUZZY_LEXICON_MIN_ZIPF = 2.5
#: Words without å, ä or ö are targets too, from this Zipf frequency on (6,869 at 3.0): a scan
#: breaks other letters of words that have no å/ä/ö ("meltan" for "mellan"). At a flat edit
#: cost 4.5 was the bound (fifteenth session); priced by the table, 3.0 restores two and a half
#: times as many such words on the municipal training pages and breaks none there (what it
#: breaks elsewhere is the hacker book's own misspellings, "kontruktion"); 99 turns them off.
FUZZY_LEXICON_PLAIN_MIN_ZIPF = 3.0
#: log10 cost of the one edit beyond the diacritics that a lexicon match may take, when the
#: scans never made it (its floor): twice the cost of a match to the page's own spelling
#: (`FUZZY_EDIT_LOG10`), which the page vouches for. An edit the scans did make costs what they
#: made it cost (`Channel.letters`), up to `FUZZY_LEXICON_MAX_EDIT_LOG10`.
FUZZY_LEXICON_EDIT_LOG10 = -3.0
#: The least a lexicon match's one edit costs (log10), however often the scans made it: the
#: match has none of the page's or the channel's evidence behind it. The only pair above -2 is
#: l read as i, at -1.86; since the page's noise prices the match (eighteenth session) it keeps
#: that price: training pages 77,850 → 77,853 restored, å/ä/ö plus other damage 21.3 → 22.0 %,
#: broken 356 as before. (-2.5 and -2.0 gave the same figures before.)
FUZZY_LEXICON_MAX_EDIT_LOG10 = -1.5


def fuzzy_lexicon_readings(token: str, lexicon: Lexicon, channel: Channel, two_edits: bool = True) -> list[Reading]:
    """The frequent word one letter from `token` beyond its diacritics, when neither the channel
    nor the page's own spellings read it as one listed word ("samballe" → "samhälle", "meltan"
    → "mellan": a scan damages other letters too, and the channel allows one such edit only
    where it has learned it).

    The edit costs what the scans made it cost (`Channel.letters`: h read as b is likelier
    than a lost s), between `FUZZY_LEXICON_EDIT_LOG10` and `FUZZY_LEXICON_MAX_EDIT_LOG10`, so a
    match is applied only when the token is unlikely as it stands (`rank.unknown_prior`) and
    the word is common. A lowercase token of letters is matched from `FUZZY_LEXICON_MIN_LENGTH`
    letters on, and from `FUZZY_LEXICON_TWO_EDITS_MIN_LENGTH` on also to the words two letters
    from it when none is one letter from it ("sirskitt" → "särskilt"), unless `two_edits` is
    False. The token itself is no match; when the best differs from it in diacritics only ("åt"
    for "at", which the channel reads already), the best word that differs in another letter
    follows it ("att"), so that the ranker and the context weigh the likelier word too. The index and the match are the
    engine's (`native/fuzzy.hpp`), shared with the reference as the trie is.
    """
    lower = token.lower()
    plain = token == lower and token.isalpha()
    title = not plain and token.isalpha() and token.istitle()
    if len(lower) < (FUZZY_LEXICON_MIN_LENGTH if plain else FUZZY_LEXICON_TITLE_MIN_LENGTH if title
                     else FUZZY_MIN_LENGTH):
        return []
    found = lexicon.words.fuzzy_match(lower, FUZZY_LEXICON_MIN_ZIPF, FUZZY_LEXICON_PLAIN_MIN_ZIPF,
                                      FUZZY_LEXICON_MIN_LENGTH, letter_costs(channel), FUZZY_DIACRITIC_LOG10,
                                      two_edits and plain and len(lower) >= FUZZY_LEXICON_TWO_EDITS_MIN_LENGTH)
    return [Reading(word, (word,), (Edit(word, lower, cost, False),), fuzzy=True, fuzzy_letters=max(1, other))
            for word, other, _, cost in found]


def build_fuzzy_index(lexicon: Lexicon) -> int:
    """Make the index `fuzzy_lexicon_readings` asks now, with its two-edit keys, not on first
    use (0.3 s, 17 MB): a batch's parent does, so that its forked workers share one. Returns
    how many words it holds."""
    return lexicon.words.fuzzy_targets(FUZZY_LEXICON_MIN_ZIPF, FUZZY_LEXICON_PLAIN_MIN_ZIPF, FUZZY_LEXICON_MIN_LENGTH,
                                       two_edits=True)


_LETTER_COSTS: dict[int, tuple[Channel, object]] = {}


def letter_costs(channel: Channel):  # -> _native.LetterCosts
    """`channel`'s one-letter edits as the engine's fuzzy match prices them, made once."""
    made = _LETTER_COSTS.get(id(channel))
    if made is None or made[0] is not channel:
        from svfix import _native

        made = (channel, _native.LetterCosts(channel.letters + channel.letter_groups, FUZZY_LEXICON_EDIT_LOG10,
                                             FUZZY_LEXICON_MAX_EDIT_LOG10))
        _LETTER_COSTS[id(channel)] = made
    return made[1]


def lost_letters(evidence: Mapping[tuple[str, str], tuple[float, float]]) -> dict[str, float]:
    """Sum, per letter, the å/ä/ö that confident restorations put back (from `shape_evidence`).

    >>> lost_letters({("ä", "a"): (3.0, -0.1), ("ä", "i"): (2.0, -1.1), ("ö", "6"): (1.0, -1.2)})
    {'ä': 5.0, 'ö': 1.0}
    """
    lost: dict[str, float] = {}
    for (letter, _), (n, _) in evidence.items():
        lost[letter] = lost.get(letter, 0.0) + n
    return lost


#: Pseudo-observations behind the table's own shares of damage forms: a document's forms
#: count against these. (10–30 gave the same training figures.)
SHAPE_PRIOR = 20.0
#: Most a page's own evidence may raise a damage form (log10).
SHAPE_MAX_BOOST = 0.5
#: Only misreads are adapted: forms the table gives less than this (log10 share; 10^-0.6 is
#: 25 %). Raising the plain lost dots (ä→a, ö→o) or ö→é only made more shadows flip.
SHAPE_MAX_LOG10_Q = -0.6


def damage_forms(readings: Iterable[Reading]) -> frozenset[tuple[str, str]]:
    """The (letter, form) pairs of å/ä/ö damage the readings explain the token with."""
    return frozenset((edit.truth.lower(), edit.observed.lower())
                     for reading in readings for edit in reading.edits if edit.adaptive)


def shape_evidence(damaged_readings: Iterable[tuple[Reading, int]]) -> dict[tuple[str, str], tuple[float, float]]:
    """Count, per (letter, damage form), the å/ä/ö that confident restorations of invalid
    tokens put back, with the table's log10 share of that form: {("ä", "ii"): (count, log10_q)}.
    `lost_letters` sums it per letter for the rates, `measure_shape` reads the forms."""
    seen: dict[tuple[str, str], tuple[float, float]] = {}
    for reading, count in damaged_readings:
        for edit in reading.edits:
            if edit.adaptive:
                key = (edit.truth.lower(), edit.observed.lower())
                n, _ = seen.get(key, (0.0, edit.log10_q))
                seen[key] = (n + count, edit.log10_q)
    return seen


def measure_shape(evidence: Mapping[tuple[str, str], tuple[float, float]]) -> dict[tuple[str, str], float]:
    """How much likelier this page makes each misread of å/ä/ö than the table does (log10).

    Fonts and scans break å/ä/ö in their own ways: a clean DejaVu page drops the dots, a
    small Palatino page writes "ii" and "i" for ä. The table holds the average over all of
    them; the restorations a page proves show which forms *this* page makes. Each letter's
    forms get a Dirichlet posterior with the table's shares as its mean and `SHAPE_PRIOR`
    pseudo-observations behind them; a misread the page shows more often than the table
    expects is raised by the ratio, at most `SHAPE_MAX_BOOST`, quantised like the rates so
    that similar pages share decisions.

    Forms are only raised, never lowered: the proofs lean towards the forms the table already
    trusts (an unusual form seldom proves itself under the table), so lowering the forms a
    page did not show cost more restorations on the training pages than it saved.

    >>> measure_shape({("ä", "i"): (20.0, math.log10(0.05)), ("ä", "a"): (10.0, math.log10(0.8))})
    {('ä', 'i'): 0.5}
    """
    totals = lost_letters(evidence)
    shape = {}
    for (truth, observed), (n, log10_q) in evidence.items():
        if log10_q >= SHAPE_MAX_LOG10_Q or n <= 0:
            continue
        q = 10 ** log10_q
        ratio = math.log10((n + SHAPE_PRIOR * q) / ((totals[truth] + SHAPE_PRIOR) * q))
        boost = round(min(SHAPE_MAX_BOOST, ratio) * 10) / 10
        if boost > 0:
            shape[(truth, observed)] = boost
    return shape

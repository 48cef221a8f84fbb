"""Orchestration only: split → look at suspicious distinct words → profile → decide → changes.

Work is done once per *distinct* word, not per occurrence: a report of 700,000 words has a
few tens of thousands of distinct ones and nearly all are plainly valid, which one trie
lookup (cached across the documents of a batch) settles. Only occurrences of words that may
change are visited one by one, to check protection (URLs, acronyms, English runs) and, for
words that collapse onto another word without their dots (är/år/ar, för/for), the context.
"""

from __future__ import annotations

from collections import Counter
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from itertools import accumulate

from svfix import context as context_model
from svfix.candidates import Reading, readings as lexical_readings
from svfix.channel import ADAPTIVE, Channel, default_channel
from svfix.document import (
    NEUTRAL,
    DocumentVocabulary,
    Profile,
    count_survivors,
    damage_evidence,
    document_readings,
    document_vocabulary,
    measure_profile,
)
from svfix.lexicon import Lexicon, default_lexicon
from svfix.rank import APPLY_AT, Decision, decide, posteriors, score_readings
from svfix.shadows import Shadows, default_shadows
from svfix.tokenize import in_protected_span, is_acronym, split_words, transfer_case
from svfix.types import Change, Reason, Result, apply_changes

#: English-looking neighbours (of six) that make a word part of an English passage.
ENGLISH_NEIGHBOURS = 2
ENGLISH_ZIPF = 3.0
#: A context-sensitive word is decided per occurrence when its runner-up is at least this likely.
CONTEXT_MARGIN = 0.01
MAX_CACHE = 200_000


@dataclass(frozen=True)
class Options:
    """How `correct` behaves. Frozen: derive variants with `dataclasses.replace`."""

    apply_threshold: float = APPLY_AT
    compounds: bool = True
    use_context: bool = True
    use_document: bool = True
    normalize: object | None = field(default="default")  # a NormalizeOptions, "default" or None


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


_RESOURCES: _Resources | None = None


def _resources() -> _Resources:
    global _RESOURCES
    if _RESOURCES is None:
        channel = default_channel()
        digits = frozenset(
            c for observed in channel.inverse for c in observed if c.isdigit()
        )
        _RESOURCES = _Resources(default_lexicon(), channel, default_shadows(), digits)
    return _RESOURCES


def warm_up() -> None:
    """Load the lexicon, channel and shadow index now (batch workers call this once)."""
    _resources()


def _needs_look(word: str, res: _Resources) -> bool:
    """Could this distinct word be damaged? False for the vast majority (valid words)."""
    cached = res.look_cache.get(word)
    if cached is not None:
        return cached
    letters = sum(c.isalpha() for c in word)
    if letters == 0:
        verdict = False
    elif letters < len(word):
        # digits inside a word: only OCR's ö→6/0 kind, and only with real letters around
        verdict = letters >= 2 and all(c.isalpha() or c in res.confusable_digits for c in word)
    else:
        lower = word.lower()
        verdict = not res.lexicon.is_valid(lower) or lower in res.shadows
    if len(res.look_cache) > MAX_CACHE:
        res.look_cache.clear()
    res.look_cache[word] = verdict
    return verdict


def _readings(word: str, res: _Resources, compounds: bool) -> tuple[Reading, ...]:
    key = (word, compounds)
    cached = res.reading_cache.get(key)
    if cached is None:
        cached = tuple(lexical_readings(word, res.lexicon, res.channel, compounds=compounds))
        if len(res.reading_cache) > MAX_CACHE:
            res.reading_cache.clear()
        res.reading_cache[key] = cached
    return cached


def _englishish(word: str, res: _Resources) -> bool:
    """A word that reads as English rather than Swedish (for spotting English passages)."""
    cached = res.english_cache.get(word)
    if cached is None:
        lower = word.lower()
        english = res.lexicon.english_zipf(lower)
        cached = english >= ENGLISH_ZIPF and (
            not res.lexicon.is_valid(lower) or english - 1.0 > res.lexicon.prior(lower)
        )
        res.english_cache[word] = cached
    return cached


def _in_english_run(words: list[str], j: int, res: _Resources) -> bool:
    if res.lexicon.english_zipf(words[j].lower()) < 2.0:
        return False
    hits = 0
    for k in range(max(0, j - 3), min(len(words), j + 4)):
        if k != j and words[k].isalpha() and _englishish(words[k], res):
            hits += 1
    return hits >= ENGLISH_NEIGHBOURS


def _in_caps_heading(words: list[str], j: int) -> bool:
    """An all-caps word among other all-caps words is a heading, not an acronym."""
    neighbours = [words[k] for k in (j - 2, j - 1, j + 1, j + 2) if 0 <= k < len(words)]
    return any(len(w) >= 4 and w.isupper() and w.isalpha() for w in neighbours)


@dataclass(frozen=True)
class Analysis:
    """What the pipeline learned about one text: its profile and per-word decisions."""

    profile: Profile
    decisions: dict[str, Decision]
    context_words: frozenset[str]


def analyse(text: str, options: Options = DEFAULT_OPTIONS) -> tuple[list[str], Analysis, dict]:
    """Split `text` and decide, per distinct suspicious word, what it should become."""
    res = _resources()
    parts = split_words(text)
    words = parts[1::2]
    counts = Counter(words)
    suspicious = [w for w in counts if _needs_look(w, res)]
    vocab: DocumentVocabulary | None = (
        document_vocabulary(counts, res.channel) if options.use_document else None
    )
    all_readings: dict[str, list[Reading]] = {}
    for word in suspicious:
        found = list(_readings(word, res, options.compounds))
        if vocab is not None and vocab.counts:
            known = {r.word for r in found}
            found += [r for r in document_readings(word, vocab, res.channel) if r.word not in known]
        all_readings[word] = found
    # Damage evidence: invalid tokens whose best neutral reading restores å/ä/ö.
    evidence = []
    for word, found in all_readings.items():
        lower = word.lower()
        if not found or any(r.word == lower for r in found):
            continue
        scored = score_readings(word, found, res.lexicon, NEUTRAL, vocab)
        probs = posteriors(scored)
        best = scored[0]
        if best.reading is not None and probs[0] >= 0.5 and any(e.adaptive for e in best.reading.edits):
            evidence.append((best.reading, counts[word]))
    digits = sum(counts[w] for w in suspicious if not w.isalpha())
    letters = sum(len(w) * n for w, n in counts.items() if w.isalpha())
    profile = measure_profile(count_survivors(text), damage_evidence(evidence), digits, letters) \
        if options.use_document else NEUTRAL
    decisions: dict[str, Decision] = {}
    context_words = set()
    for word, found in all_readings.items():
        scored = score_readings(word, found, res.lexicon, profile, vocab)
        decision = decide(word, scored, res.lexicon, vocab)
        if options.use_context and len(scored) > 1:
            probs = posteriors(scored)
            contenders = [s.word or word.lower() for s, p in zip(scored, probs) if p >= CONTEXT_MARGIN]
            if len(contenders) > 1 and context_model.covers(contenders):
                context_words.add(word)
        if decision.word is not None or word in context_words:
            decisions[word] = decision
    return parts, Analysis(profile, decisions, frozenset(context_words)), all_readings


def _context_decision(
    word: str, found: list[Reading], analysis: Analysis, words: list[str], j: int,
    separators: list[str], res: _Resources, restored: dict[str, str],
) -> Decision:
    vocab = None  # document evidence is already part of the per-word decision's prior
    neighbours = context_model.neighbours(words, separators, j, restored)
    base = score_readings(word, found, res.lexicon, analysis.profile, vocab)
    candidates = [s.word or word.lower() for s in base]
    bonus = context_model.score(candidates, *neighbours)
    scored = score_readings(word, found, res.lexicon, analysis.profile, vocab, bonus)
    return decide(word, scored, res.lexicon, vocab)


def restore(text: str, options: Options = DEFAULT_OPTIONS) -> tuple[Change, ...]:
    """Changes (applied and suggested) that restore the damaged words of `text`."""
    res = _resources()
    parts, analysis, all_readings = analyse(text, options)
    if not analysis.decisions:
        return ()
    words = parts[1::2]
    separators = parts[0::2]
    ends = list(accumulate(map(len, parts)))
    changes: list[Change] = []
    interesting = analysis.decisions
    restored = {w: d.word for w, d in interesting.items()
                if d.apply and d.word and w not in analysis.context_words}
    for j, word in enumerate(words):
        if word not in interesting:
            continue
        k = 2 * j + 1
        start = ends[k - 1]
        end = ends[k]
        if is_acronym(word) and not _in_caps_heading(words, j):
            continue
        if in_protected_span(text, start, end, separators[j], separators[j + 1]):
            continue
        if _in_english_run(words, j, res):
            continue
        decision = interesting[word]
        if word in analysis.context_words:
            decision = _context_decision(word, all_readings[word], analysis, words, j, separators, res,
                                          restored)
        if decision.word is None or decision.word == word.lower():
            continue
        applied = decision.apply and decision.confidence >= options.apply_threshold
        changes.append(
            Change(start, end, word, transfer_case(word, decision.word), decision.confidence,
                   decision.reason, applied)
        )
    return tuple(changes)


def _normalize(text: str, options: Options) -> tuple[str, tuple[Change, ...]]:
    if options.normalize is None:
        return text, ()
    try:
        from svfix import normalize as normalize_module
    except ImportError:  # pragma: no cover - normalize stage not installed
        return text, ()
    chosen = normalize_module.DEFAULT if options.normalize == "default" else options.normalize
    return normalize_module.normalize(text, chosen)


def compose(original: str, first: tuple[Change, ...], middle: str,
            second: tuple[Change, ...]) -> tuple[Change, ...]:
    """Express `second` (changes of `middle`) as changes of `original`, merged with `first`.

    `first` turns `original` into `middle`. Changes of the two stages that touch each other
    become one change covering both, so replaying the result on `original` gives the final
    text and every offset points into `original`.

    >>> first = (Change(0, 6, "fÃ¶r", "för", 1.0, Reason.NORMALIZE, step="mojibake"),)
    >>> second = (Change(4, 6, "ar", "är", 0.9, Reason.CONTEXT),)
    >>> [(c.start, c.original, c.replacement) for c in compose("fÃ¶r ar", first, "för ar", second)]
    [(0, 'fÃ¶r', 'för'), (6, 'ar', 'är')]
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


def fix(text: str, options: Options = DEFAULT_OPTIONS) -> str:
    """`correct(text).text`: the restored text.

    >>> fix("Har kan du lasa om atgarder i Tyres6.")
    'Här kan du läsa om åtgärder i Tyresö.'
    """
    return correct(text, options).text

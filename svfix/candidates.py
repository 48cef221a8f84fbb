"""Candidate generation: which lexicon words (or compounds of them) could an OCR token have been?

The search inverts the learned channel over the token, left to right, walking the lexicon trie
at the same time: a path survives only while some word starts with what it has built, so the
combinatorics of "every a might be ä or å, every 6 might be ö" collapse to the few spellings
that lead somewhere. When the built prefix is a complete word that may begin a compound, the
search can also start a new part, directly or re-reading a doubled consonant that Swedish
drops (stopp+punkt = stoppunkt). Linking letters need no rule of their own: hunspell-sv lists
the joining forms ("byggnads", "skol", "äldre") as compound openers. The same walk therefore restores
damaged simple words, damaged compounds no lexicon lists, and recognises correct unseen
compounds (the path that restores nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

from svfix.channel import Channel, Edit
from svfix.lexicon import Flag, Lexicon, data_dir, read_lines, remember

MIN_PART = 3  # shorter parts make almost any letter string "a compound"
MAX_PARTS = 4
MAX_EDITS = 5
MAX_OTHER_EDITS = 1  # non-diacritic confusions (l→I ...) per token
#: Such a confusion is believed without a lost å/ä/ö beside it when the scans make it this
#: often (log10 q): rn read as m (-1.47), the commonest, so "kommunema" is "kommunerna" and
#: "skoloma" "skolorna". Training pages: other OCR noise 25.9 → 26.7 %, å/ä/ö plus other damage
#: 22.0 → 22.1 %, restored and broken as before, clean prose unchanged.
OTHER_ALONE_MIN_LOG10 = -1.5
MAX_INSERTIONS = 1  # letters the OCR dropped entirely
MAX_NODES = 600  # search budget per token; keeps pathological tokens cheap (300 missed välfärds+teknik)
#: Paths whose channel events are jointly less likely than this (log10) are not followed.
MIN_PATH_LOG10 = -4.5
VOWELS = set("aeiouyåäöé")
_FIRST = int(Flag.COMPOUND_FIRST)
_FIRST_OR_MIDDLE = int(Flag.COMPOUND_FIRST | Flag.COMPOUND_MIDDLE)
_LAST = int(Flag.COMPOUND_LAST)
_LEMMA = int(Flag.SAOL)
#: Places name streets, schools and waters by compounding: Ydre+vägen, Tyresö+ån, Frösö+bron.
#: A capitalised token may therefore open with a place name, which no hunspell flag allows.
PLACE_OPENS = int(Flag.PLACE | Flag.KOMMUN_OR_LAN)
#: A place-name element ("ån", "ön", "by") may end a capitalised token though it is this short.
MIN_ELEMENT = 2


def place_elements() -> frozenset[str]:
    """The endings and joints Swedish place names are built of ("ängs", "änget", "ån", "ryd").

    Names compound freely from ordinary words: Gran+ängs+ringen, Gull+änget, Tyresö+ån. No
    hunspell flag says that "gran" may open a compound or that "änget" and "ån" may end one,
    so in a capitalised token an element may end the name, and any word may open it when an
    element follows (`wordlists/place_elements.txt`, general knowledge).
    """
    return read_lines(str(data_dir()), "place_elements.txt", "wordlists/build_lexicon.py")


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read an OCR token: the word it restores to and how the channel got there."""

    word: str  # lowercase, NFC
    parts: tuple[str, ...]  # compound parts as written in `word` (one part for a simple word)
    edits: tuple[Edit, ...]  # channel events used (empty: the token read as it stands)
    fuzzy: bool = False  # found by string similarity, not by the channel (see document.py)
    unknown_head: bool = False  # parts[0] is a name no list has, kept as written (`name_tail_readings`)
    # a fuzzy match to the lexicon: the letters beyond the diacritics it changes (at least 1);
    # the page's noise is charged once for each (`document.channel_log10`)
    fuzzy_letters: int = 1


#: What an English model most often writes for å, ä, ö: a, o, A, O (dots dropped), é and 6 (ö).
_QUICK = frozenset("aoAOé6")
MAX_DOT_POSITIONS = 5
#: The rarest reading of such a letter the quick lookup tries. Its readings replace the general
#: search, so one it leaves out is never weighed: at 0.05 "é" was only ever ö (0.33), never å
#: or ä (about 0.01 each), and "frén" became "frön", not "från". (Training pages, tenth
#: session: 77,444 → 77,463 of 82,004 restored, broken 228 both ways; 0.005 gained less.)
MIN_DOT_Q = 0.01


_Step = tuple[int, str, float, bool, Edit]


@dataclass(frozen=True)
class _ChannelMemo:
    """What the search asks of the channel per observed string, worked out once per process.

    `steps`: observed → (len(observed), lowercase truth, log10 q, adaptive, edit) per
    explanation, in the channel's order. `dots`: character → (lowercase truth, edit) for the
    dropped dots `dot_readings` tries. Both are asked for the same few dozen strings in
    every token.
    """

    channel: Channel
    steps: dict[str, tuple[_Step, ...]]
    dots: dict[str, tuple[tuple[str, Edit], ...]]


_MEMOS: dict[int, _ChannelMemo] = {}


def _memo(channel: Channel) -> _ChannelMemo:
    memo = _MEMOS.get(id(channel))
    if memo is None or memo.channel is not channel:
        memo = _MEMOS[id(channel)] = _ChannelMemo(channel, {}, {})
    return memo


def _dot_options(memo: _ChannelMemo, char: str) -> tuple[tuple[str, Edit], ...]:
    options = memo.dots.get(char)
    if options is None:
        options = memo.dots[char] = tuple(
            (edit.truth.lower(), edit) for edit in memo.channel.explanations(char)
            if edit.adaptive and 10 ** edit.log10_q >= MIN_DOT_Q)
    return options


def dot_readings(token: str, lexicon: Lexicon, channel: Channel) -> list[Reading]:
    """Readings that only put back dropped dots, found by direct lookup (no search).

    Most damage is exactly this ("atgarder", "Ovrigt"), and trying the few dotted spellings
    of a token is a hundred times cheaper than the general search; `readings` uses it first
    for tokens that are no word as they stand.
    """
    positions = [i for i, c in enumerate(token) if c in _QUICK]
    if not positions or len(positions) > MAX_DOT_POSITIONS:
        return []
    lower = token.lower()
    memo = _memo(channel)
    slots = [((lower[i], None),) + _dot_options(memo, token[i]) for i in positions]
    # The word is lower[:p0] + letter + gap + letter + ... + gap; a spelling no word starts
    # with ends the branch early (the order of the readings is itertools.product's).
    lead = lower[:positions[0]]
    gaps = [lower[i + 1:j] for i, j in zip(positions, positions[1:])] + [lower[positions[-1] + 1:]]
    last = len(slots) - 1
    has_prefix = lexicon.has_prefix
    found: list[Reading] = []

    def fill(s: int, head: str, edits: tuple[Edit, ...]) -> None:
        gap = gaps[s]
        for letter, edit in slots[s]:
            spelled = head + letter + gap
            more = edits if edit is None else edits + (edit,)
            if s == last:
                if more and lexicon.is_valid(spelled):
                    found.append(Reading(spelled, (spelled,), more))
            elif has_prefix(spelled):
                fill(s + 1, spelled, more)

    fill(0, lead, ())
    return found


#: Letters an element's first two may show as when their dots are lost or misread.
_UNDOTTED = str.maketrans("åäöé6", "aaooo")
_HEADS: dict[frozenset[str], frozenset[str]] = {}


def _element_heads(elements: frozenset[str]) -> frozenset[str]:
    """The first two letters of each element, undotted: a word opens a name only where one
    of them follows it in the token, which spares the search most of those tries."""
    heads = _HEADS.get(elements)
    if heads is None:
        heads = _HEADS[elements] = frozenset(e[:2].translate(_UNDOTTED) for e in elements)
    return heads


#: A name's unknown head ("Plymoth", "Follbrinks") and the common word ending it.
MIN_HEAD = 5
MIN_TAIL = 6
#: The tail is a common word (Zipf): a rare one ends foreign words by chance ("Phrea"+"kärnas").
MIN_TAIL_ZIPF = 3.0


def name_tail_readings(token: str, lexicon: Lexicon, channel: Channel) -> list[Reading]:
    """Readings of a capitalised token as a name no list has that ends in a damaged word:
    "Follbrinksstrommen" → Follbrinks+strömmen, "Plymothbréderna" → Plymoth+bröderna.

    Names of companies, streams and congregations are often a name plus a common word; the
    head cannot be checked, but the tail can, and a tail that is no word until its dots come
    back is damage. Only the dots are put back (`dot_readings`), in the longest such tail;
    the head is kept as written. For a token that has no other reading.

    >>> from svfix.lexicon import default_lexicon
    >>> from svfix.channel import default_channel
    >>> [r.parts for r in name_tail_readings("Ekwallbroderna", default_lexicon(), default_channel())]
    [('ekwall', 'bröderna')]
    >>> name_tail_readings("ekwallbroderna", default_lexicon(), default_channel())
    []
    """
    if not (token[:1].isupper() and token[1:].islower()):
        return []
    for k in range(MIN_HEAD, len(token) - MIN_TAIL + 1):
        head, tail = token[:k], token[k:]
        if not head.isalpha():
            return []
        found = [r for r in dot_readings(tail, lexicon, channel) if lexicon.zipf(r.word) >= MIN_TAIL_ZIPF]
        if found:
            lead = head.lower()
            return [Reading(lead + r.word, (lead,) + r.parts, r.edits, unknown_head=True) for r in found]
    return []


def _steps(memo: _ChannelMemo, observed: str) -> tuple[_Step, ...]:
    steps = memo.steps.get(observed)
    if steps is None:
        steps = memo.steps[observed] = tuple(
            (len(observed), edit.truth.lower(), edit.log10_q, edit.adaptive, edit)
            for edit in memo.channel.explanations(observed))
    return steps


def _confusions(token: str, channel: Channel) -> list[tuple[_Step, ...]]:
    """Per position i: (k, lowercase truth, log10 q, adaptive, edit) for each edit explaining
    token[i:i+k], k = 1 then 2, in the channel's order.

    The search visits a position many times; looking the confusions up once per token and
    lowercasing their truths once keeps that work out of its inner loop.
    """
    n = len(token)
    memo = _memo(channel)
    return [_steps(memo, token[i]) + _steps(memo, token[i:i + 2]) if i + 2 <= n else _steps(memo, token[i])
            for i in range(n)]


#: Flag bits of each compound part the search has tried (0 when not listed): the same
#: few thousand parts ("kommun", "styrelse") come up in token after token, and a trie lookup
#: costs more than a dict's. One lexicon per process, as for `Lexicon.has_prefix`'s cache.
_PART_FLAGS: dict[str, int] = {}


def _part_flags(lexicon: Lexicon, part: str) -> int:
    """The lexicon flags of a compound part: hunspell's compound rules decide which forms
    open (or continue, or end) a compound.

    sv_SE marks forms like "byggnads", "skol", "äldre" as COMPOUNDBEGIN and "nämnds" as
    COMPOUNDMIDDLE, so the linking -s- usually comes with the form; function words such as
    "den" carry no compound flag, which is what keeps "namnden" from reading as namn+den.
    """
    flags = _PART_FLAGS.get(part)
    if flags is None:
        flags = remember(_PART_FLAGS, part, lexicon.flags(part), 100_000)
    return flags


def _may_end(part: str, parts: tuple[str, ...], loose: bool, elements: frozenset[str],
             lexicon: Lexicon) -> bool:
    """May `part` end a compound whose earlier parts are `parts`?

    An ordinary compound end does (hunspell's flag), and in a capitalised token a place-name
    element, even a short one after a single opener (Tyresö+ån); after a word that opened
    only as a name (`loose`) nothing else does. A place or a plain word opens a name of two
    parts (Ydre+vägen, Gull+änget), or of more when an element follows it (Gran+ängs+ringen):
    not Åsa+sko+lån or Blå+klock+ån.
    """
    if not (len(parts) == 1 or _part_flags(lexicon, parts[0]) & _FIRST or parts[1] in elements):
        return False
    if part in elements and (len(part) >= MIN_PART or len(parts) == 1 and len(part) >= MIN_ELEMENT):
        return True
    return not loose and len(part) >= MIN_PART and bool(_part_flags(lexicon, part) & _LAST)


def _inserted_at_edge(inserted: tuple[int, ...], built: str, part: str) -> bool:
    """Does a letter the OCR is said to have dropped open or close `part` (which ends `built`)?

    A dropped å/ä/ö leaves its neighbours in the same word, so a compound part that begins or
    ends with the supposed lost letter is one the search made up rather than found: without
    this, a spare vowel at a joint turns almost any foreign word into a compound
    ("Tormentor" as torö+mentor, "brottsmalsadvokater" as brotts+åmåls+advokater).
    """
    if not inserted:
        return False
    end = len(built)
    return any(at == end - len(part) or at == end - 1 for at in inserted)


def readings(token: str, lexicon: Lexicon, channel: Channel, *, compounds: bool = True) -> list[Reading]:
    """All readings of `token` (in its original case) found within the search budget.

    The identity reading is included when the token itself is a word or a valid compound.
    Readings are unique by word; for each word the path with the fewest edits is kept.

    >>> from svfix.lexicon import default_lexicon
    >>> from svfix.channel import default_channel
    >>> sorted(r.word for r in readings("Tyres6", default_lexicon(), default_channel()))
    ['tyresö']

    Only a capitalised token may be a place name that a plain word opens before a place-name
    element, or that a short element ends:

    >>> ('tall', 'ängs', 'ringen') in [r.parts for r in readings("Tallangsringen", default_lexicon(), default_channel())]
    True
    >>> readings("tallangsringen", default_lexicon(), default_channel())
    []
    >>> sorted(r.word for r in readings("Sigtunaan", default_lexicon(), default_channel()))
    ['sigtunaån', 'sigtunaön']
    """
    n = len(token)
    found: dict[str, Reading] = {}
    budget = MAX_NODES
    lower = token.lower()
    capital = token[:1].isupper()
    opens = _FIRST | PLACE_OPENS if capital else _FIRST
    elements = place_elements() if capital else frozenset()
    heads = _element_heads(elements) if capital else frozenset()

    def rank(word: str, parts: tuple[str, ...], edits: tuple[Edit, ...]) -> tuple[int, int]:
        # Fewest edits first; on a tie a valid standalone word beats its compound analysis,
        # and a compound analysis beats a form only web counts know ("äldreomsorgsförvaltningen").
        if len(parts) > 1:
            return len(edits), 1
        return len(edits), 0 if lexicon.is_valid(word) else 2

    def finish(word: str, parts: tuple[str, ...], edits: tuple[Edit, ...]) -> None:
        best = found.get(word)
        if best is None or rank(word, parts, edits) < rank(best.word, best.parts, best.edits):
            found[word] = Reading(word, parts, edits)

    has_prefix = lexicon.has_prefix
    known = lexicon.known_prefixes()
    part_flags = _PART_FLAGS.get
    confusions = _confusions(token, channel)
    dropped = tuple((e.truth.lower(), e.log10_q, e) for e in channel.explanations("") if e.adaptive)
    # Cheapest path cost seen for a search state; a dearer path to the same state adds nothing.
    seen: dict[tuple[int, str, int, int, bool], float] = {}

    def walk(i: int, built: str, part: str, parts: tuple[str, ...], edits: tuple[Edit, ...],
             cost: float, others: int, inserted: tuple[int, ...], loose: bool = False) -> None:
        # `loose`: the last part opened a name only because it is a word (see `place_elements`),
        # so this part must be a place-name element.
        nonlocal budget
        budget -= 1
        if budget < 0:
            return
        state = (i, built, len(part), len(parts), loose)
        if seen.get(state, -1e9) >= cost:
            return
        seen[state] = cost
        if i == n:
            if others and not any(e.adaptive or e.log10_q >= OTHER_ALONE_MIN_LOG10 for e in edits):
                return  # other OCR slips are only believed next to a lost å/ä/ö, or if common
            if not parts:
                if lexicon.stands_alone(part):
                    finish(built, (part,), edits)
                if len(inserted) < MAX_INSERTIONS and len(edits) < MAX_EDITS:
                    # an å/ä/ö the OCR dropped at the very end ("ocks" for "också")
                    for truth, q, edit in dropped:
                        if cost + q >= MIN_PATH_LOG10 and lexicon.stands_alone(part + truth):
                            finish(built + truth, (part + truth,), edits + (edit,))
            elif _may_end(part, parts, loose, elements, lexicon) and not _inserted_at_edge(inserted, built, part):
                finish(built, parts + (part,), edits)
            return
        if compounds and len(parts) < MAX_PARTS - 1 and len(part) >= MIN_PART \
                and not _inserted_at_edge(inserted, built, part):
            flags = part_flags(part)
            if flags is None:
                flags = _part_flags(lexicon, part)
            if loose:
                if part in elements:
                    walk(i, built, "", parts + (part,), edits, cost, others, inserted)
            elif flags & (_FIRST_OR_MIDDLE if parts else opens):
                new_parts = parts + (part,)
                walk(i, built, "", new_parts, edits, cost, others, inserted)
                if len(part) >= 2 and part[-1] == part[-2] and part[-1] not in VOWELS:
                    # stopp + punkt is written "stoppunkt": the next part re-reads the last consonant.
                    walk(i, built, part[-1], new_parts, edits, cost, others, inserted)
        # The observed character read as itself.
        letter = lower[i]
        step = part + letter
        extends = known(step)
        if extends is None:
            extends = has_prefix(step)
        if extends:
            walk(i + 1, built + letter, step, parts, edits, cost, others, inserted, loose)
        if len(edits) >= MAX_EDITS:
            return
        # The observed substring token[i:i+k] explained as a confusion of some truth.
        for k, truth, q, adaptive, edit in confusions[i]:
            if not adaptive and others >= MAX_OTHER_EDITS:
                continue
            if cost + q < MIN_PATH_LOG10:
                continue
            step = part + truth
            extends = known(step)
            if extends is None:
                extends = has_prefix(step)
            if extends:
                walk(i + k, built + truth, step, parts, edits + (edit,),
                     cost + q, others + (not adaptive), inserted, loose)
        # An å/ä/ö the OCR dropped altogether.
        if len(inserted) < MAX_INSERTIONS:
            for truth, q, edit in dropped:
                if cost + q < MIN_PATH_LOG10:
                    continue
                step = part + truth
                extends = known(step)
                if extends is None:
                    extends = has_prefix(step)
                if extends:
                    walk(i, built + truth, step, parts, edits + (edit,),
                         cost + q, others, inserted + (len(built),), loose)
        if (elements and not parts and compounds and len(part) >= MIN_PART
                and not _inserted_at_edge(inserted, built, part)
                and lower[i:i + 2].translate(_UNDOTTED) in heads
                and _part_flags(lexicon, part) & _LEMMA and not _part_flags(lexicon, part) & opens
                and lexicon.is_valid(part)):
            # A word (a SAOL headword, not a verb form like "höll") opens a name when an
            # element follows; searched after the ordinary readings, which keep their budget.
            later.append((i, built, "", (part,), edits, cost, others, inserted, True))

    later: list[tuple] = []
    walk(0, "", "", (), (), 0.0, 0, ())
    budget = max(budget, 0) + MAX_NODES // 3 if later else budget
    for start in later:
        walk(*start)
    return list(found.values())

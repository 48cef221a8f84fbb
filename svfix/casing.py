"""Which case a restored word takes: the token's own, unless OCR invented its capital.

An English OCR model often reads a lowercase å, ä or ö at the start of a word as a capital
("åtgärder" → "Atgarder", "över" → "Over" or "Gver", "år" → "Ar"): the ring or the dots make
the letter as tall as a capital. Copying the token's case then writes "Åtgärder" in the middle
of a sentence. Mid-sentence, a common word is capitalised only about once in a hundred times
in Swedish prose (headings without a full stop, titles), so when the channel makes a
lowercase first letter a plausible source of the capital, the lowercase reading wins. Names
keep their capital: "Åsa", "Örebro", "Ängelholms".
"""

from __future__ import annotations

import math
import re

from svfix.candidates import MIN_ELEMENT, MIN_PART, PLACE_OPENS, place_elements
from svfix.channel import Channel
from svfix.lexicon import NAMES, Flag, Lexicon
from svfix.tokenize import transfer_case

#: log10 of how much rarer a capitalised common word is mid-sentence than its lowercase form
#: (about 1 in 100 in Swedish municipal prose; tuned with `training.calibrate`).
MID_SENTENCE_CAPITAL_COST = 2.0
#: Frequent words are rarer still: a page names a place "Ängen" or a preschool "Ängsblomman",
#: but never writes "Är" or "Över" mid-sentence. The cost grows by this much per Zipf unit
#: above COMMON_WORD_ZIPF (tuned with `training.calibrate`; COMMON_WORD_ZIPF was 5.0 until the
#: seventh session: an ä read as "A" mid-sentence, "inom Aldreomsorgen", sits on the edge
#: between the two costs, and words as common as "ärendet" or "ändras" go lowercase now, while
#: a name-like "Älven" (3.6) keeps its capital).
FREQUENT_WORD_CAPITAL_COST = 0.5
COMMON_WORD_ZIPF = 3.75
_DIACRITICS = frozenset("åäö")
_KEEPS_CAPITAL = int(NAMES | Flag.PROPER)
_LAST = int(Flag.COMPOUND_LAST)
_LEMMA = int(Flag.SAOL)
_OPENS = int(Flag.COMPOUND_FIRST) | PLACE_OPENS
_BREAK = re.compile(r"[.!?:;•*·]|\n[ \t]*\n|(?:^|\n)[ \t]*[-–—]")


def continues_sentence(separator: str, previous: str | None) -> bool:
    """Is a word inside a running sentence, line wraps included?

    OCR keeps the page's line breaks, so a newline alone says nothing: after a lowercase word
    and no punctuation the sentence goes on. A blank line, a list dash or a full stop ends it.

    >>> continues_sentence(" ", "enligt"), continues_sentence("\\n", "om"), continues_sentence(". ", "slut")
    (True, True, False)
    >>> continues_sentence("\\n\\n", "rubrik"), continues_sentence("\\n- ", "punkt"), continues_sentence(" ", None)
    (False, False, False)
    """
    return bool(previous) and previous[-1:].islower() and _BREAK.search(separator) is None


def _log10_q(channel: Channel, observed: str, truth: str) -> float:
    for edit in channel.explanations(observed):
        if edit.truth == truth:
            return edit.log10_q
    return 0.0 if observed == truth else -math.inf  # read as itself: log10 1


def _names_a_place(word: str, lexicon: Lexicon) -> bool:
    """Is `word` a place name compounded with a common end ("Örnäsvägen", "Öneslundsskolan"),
    or a name no list has that a plain word opens before a place-name element ("Ångaryd",
    "Älgängsvägen")?

    The second kind is the reading `candidates` makes of a capitalised token only (a word that
    opens no ordinary compound, then an element), so its capital was the page's.
    """
    if any(lexicon.flags(word[:k]) & PLACE_OPENS and lexicon.flags(word[k:]) & _LAST
           for k in range(MIN_PART, len(word) - MIN_PART + 1)):
        return True
    if lexicon.key_id(word) >= 0:
        return False  # a listed word ("ödemark") is what its sources say it is
    elements = place_elements()
    return any(lexicon.flags(word[:k]) & _LEMMA and not lexicon.flags(word[:k]) & _OPENS
               and any(word[k:j] in elements for j in range(k + MIN_ELEMENT, len(word) + 1))
               for k in range(MIN_PART, len(word) - MIN_ELEMENT + 1))


def restore_case(token: str, word: str, mid_sentence: bool, lexicon: Lexicon,
                 channel: Channel) -> str:
    """Write the lowercase restoration `word` in the case the page most likely had.

    >>> from svfix.channel import default_channel
    >>> from svfix.lexicon import default_lexicon
    >>> lex, ch = default_lexicon(), default_channel()
    >>> restore_case("Atgarder", "åtgärder", True, lex, ch), restore_case("Atgarder", "åtgärder", False, lex, ch)
    ('åtgärder', 'Åtgärder')
    >>> restore_case("Orebro", "örebro", True, lex, ch)
    'Örebro'
    >>> restore_case("Angahult", "ångahult", True, lex, ch), restore_case("Atervandsgatan", "återvändsgatan", True, lex, ch)
    ('Ångahult', 'återvändsgatan')
    """
    cased = transfer_case(token, word)
    if (not mid_sentence or word[:1] not in _DIACRITICS or len(token) < 2
            or not token[0].isupper() or not token[1:].islower()
            or lexicon.flags(word) & _KEEPS_CAPITAL or _names_a_place(word, lexicon)):
        return cased
    as_lower = _log10_q(channel, token[0], word[0])
    cost = MID_SENTENCE_CAPITAL_COST + FREQUENT_WORD_CAPITAL_COST * max(
        0.0, lexicon.zipf(word) - COMMON_WORD_ZIPF)
    as_capital = _log10_q(channel, token[0], word[0].upper()) - cost
    return word if as_lower > as_capital else cased

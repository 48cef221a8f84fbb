"""Normalize text before restoring it: Unicode, mojibake, ligatures, invisibles, hyphenation.

Archived Swedish text is damaged in more ways than OCR misreads. This module has one pure
``str -> str`` function per repair, named in the registry `STEPS` in pipeline order:

=============  =======  ==============================================================
step           default  what it does
=============  =======  ==============================================================
mojibake       on       UTF-8 read as cp1252/latin-1/MacRoman/cp437 (also doubly), C1
                        controls from cp1252, cp1252 bytes read as UTF-8 with
                        ``surrogateescape``, UTF-16 surrogate pairs (ftfy + a Swedish
                        supplement for ``Ã¥`` and ``Ã…``, which ftfy deliberately leaves)
nfc            on       Unicode NFC: ``a`` + U+0308 becomes ``ä``
ligatures      on       PDF ligatures (``ﬁ ﬂ ﬀ ﬃ ﬄ ﬅ ﬆ``), fullwidth ASCII, math letters
invisibles     on       soft hyphens, zero-width characters, BOMs, bidi controls in Latin
                        text, stray C0/C1 controls (``\\t \\n \\r \\f`` are kept)
nbsp           off      U+00A0 and U+202F become a plain space
dehyphenate    off      ``kommun-\\nstyrelsen`` becomes ``kommunstyrelsen`` (lexicon-checked)
typography     off      quotes become ``" '``, hyphen variants ``-``, dashes ``–``
=============  =======  ==============================================================

`normalize` runs the steps an `NormalizeOptions` switches on and explains the result as
`Change` records in the coordinates of the *input*, so ``apply_changes(text, changes)``
rebuilds the output. The defaults are safe: correct NFC text passes through unchanged, no
step changes the number of lines (``"\\n"``) unless `NormalizeOptions.join_lines` says so,
and `normalize` is idempotent.

>>> text, changes = normalize("Kommunstyrelsen beslutar om tjÃ¤nsten fo\\u0308r ﬁnansiering.")
>>> text
'Kommunstyrelsen beslutar om tjänsten för finansiering.'
>>> [(c.start, c.end, c.replacement, c.step) for c in changes]
[(28, 37, 'tjänsten', 'mojibake'), (38, 42, 'för', 'nfc'), (43, 54, 'finansiering', 'ligatures')]

What ftfy cannot do, and what this module does about it:

* Single-byte mix-ups that never involved UTF-8, e.g. a DOS cp437/cp850 file read as cp1252
  (``f”r`` for ``för``) or MacRoman read as latin-1 (``fšr``). ftfy leaves them alone on
  purpose: they are ambiguous without knowing the language. So do we (not fixed).
* Bytes already lost: ``f�r`` (cp1252 decoded as UTF-8 with ``errors="replace"``) or ``f?r``
  (encoded with ``errors="replace"``). Not fixed: only the restoration stage can guess
  ``för`` there.
* ``Ã¥`` (å) and ``Ã…`` (Å) in a line that also contains correct text, or standing alone:
  ftfy's badness heuristic considers them plausible text. Swedish text never does, so
  `fix_mojibake` adds a narrow supplement for the Nordic letters (see `_NORDIC_MOJIBAKE`).
  On the benchmark's half-mojibake lines ftfy alone fixes 5 of 12, with it 12 of 12.
* cp1252 bytes decoded as UTF-8 with ``errors="surrogateescape"`` (``f\udcf6r``): ftfy
  does not look at lone surrogates; `fix_mojibake` decodes them as cp1252.
* The other way round, ftfy's heuristic sometimes fires on odd but correct Swedish: ``Ä§``
  reads as UTF-8 for ``ħ``, ``”Ä`` (MacRoman) for ``Ӏ``. A repair made only of characters
  ordinary Swedish text has anyway, or conjuring one lone non-Latin letter, is therefore
  kept only when its line has a sure repair too (`_is_suspicious`); the price is that a
  lone ``WÄ…sowski`` or ``Ä°lhan`` (Polish ą, Turkish İ) on an otherwise clean line stays.
* Mojibake of U+201D in strict cp1252 (byte 0x9D is undefined there, so a strict decoder
  dropped or replaced it) is not fixed; the sloppy/WHATWG variant (``â€\\x9d``) is.

ftfy does the rest: cp1252, latin-1, MacRoman, cp437 and the other single-byte readings of
UTF-8, doubly and triply encoded text, C1 controls, lost no-break spaces (``Ã `` for ``à``).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from svfix.types import Change, Reason

__all__ = [
    "ALL",
    "CONJUNCTIONS",
    "DEFAULT",
    "NONE",
    "STEPS",
    "NormalizeOptions",
    "dehyphenate",
    "fix_ligatures",
    "fix_mojibake",
    "fix_nfc",
    "normalize",
    "remove_invisibles",
    "replace_nbsp",
    "unify_typography",
]

#: An edit of a step's input: ``text[start:end]`` becomes ``replacement``.
_Edit = tuple[int, int, str]


# ---------------------------------------------------------------------------------------------
# Options


@dataclass(frozen=True)
class NormalizeOptions:
    """Which normalize steps run. Field names are the `STEPS` names (plus `join_lines`).

    >>> NormalizeOptions().enabled_steps()
    ('mojibake', 'nfc', 'ligatures', 'invisibles')
    >>> DEFAULT.replace(dehyphenate=True, nfc=False).enabled_steps()
    ('mojibake', 'ligatures', 'invisibles', 'dehyphenate')
    """

    nfc: bool = True
    """Compose to Unicode NFC (decomposed text comes from PDFs and macOS)."""
    mojibake: bool = True
    """Repair UTF-8 decoded in the wrong encoding, also doubly (ftfy + Swedish supplement)."""
    ligatures: bool = True
    """Expand ligatures (ﬁ, ﬂ, ﬀ …), fullwidth ASCII and math alphanumerics from PDFs."""
    invisibles: bool = True
    """Drop soft hyphens, zero-width characters, BOMs and stray C0/C1 control characters."""
    nbsp: bool = False
    """Replace no-break spaces (U+00A0, U+202F) by plain spaces; they are legitimate."""
    dehyphenate: bool = False
    """Join words hyphenated at a line end when the joined word is Swedish."""
    join_lines: bool = False
    """With `dehyphenate`: remove the line break too (changes the line count)."""
    typography: bool = False
    """Unify quotes to ``" '``, hyphen variants to ``-`` and dashes to ``–``."""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, bool):
                raise TypeError(
                    f"NormalizeOptions.{f.name} must be True or False, not {value!r}"
                )

    def replace(self, **changes: bool) -> NormalizeOptions:
        """A copy with some fields changed (like ftfy's ``config._replace``)."""
        return dataclasses.replace(self, **changes)

    def with_steps(self, on: Iterable[str] = (), off: Iterable[str] = ()) -> NormalizeOptions:
        """A copy with the named steps (or ``join_lines``) switched on and off, for CLI flags.

        >>> DEFAULT.with_steps(on=["dehyphenate"], off=["nfc"]).enabled_steps()
        ('mojibake', 'ligatures', 'invisibles', 'dehyphenate')
        >>> DEFAULT.with_steps(on=["hyphens"])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: unknown normalize step 'hyphens'; known: mojibake, nfc, ...
        """
        known = [*STEPS, "join_lines"]
        changes: dict[str, bool] = {}
        for value, names in ((True, on), (False, off)):
            for name in names:
                if name not in known:
                    raise ValueError(
                        f"unknown normalize step {name!r}; known: {', '.join(known)}"
                    )
                changes[name] = value
        return self.replace(**changes)

    def enabled_steps(self) -> tuple[str, ...]:
        """The names of the steps these options run, in pipeline order."""
        return tuple(name for name in STEPS if getattr(self, name))


DEFAULT = NormalizeOptions()
"""What ``fix`` and ``batch`` use: mojibake, NFC, ligatures and invisibles."""
NONE = NormalizeOptions(nfc=False, mojibake=False, ligatures=False, invisibles=False)
"""Every step off: `normalize` returns its input."""
ALL = NormalizeOptions(nbsp=True, dehyphenate=True, join_lines=True, typography=True)
"""Every step on, including `join_lines` (so the line count may change)."""


# ---------------------------------------------------------------------------------------------
# Small helpers shared by the steps


def _apply(text: str, edits: Sequence[_Edit]) -> str:
    """Apply sorted, non-overlapping `edits` to `text`."""
    if not edits:
        return text
    out: list[str] = []
    pos = 0
    for start, end, replacement in edits:
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _trimmed_edit(old: str, new: str, offset: int) -> _Edit:
    """One edit turning `old` (at `offset`) into `new`, without their common ends."""
    if old[:1] != new[:1] and old[-1:] != new[-1:]:
        return (offset, offset + len(old), new)
    limit = min(len(old), len(new))
    p = 0
    while p < limit and old[p] == new[p]:
        p += 1
    s = 0
    while s < limit - p and old[-1 - s] == new[-1 - s]:
        s += 1
    return (offset + p, offset + len(old) - s, new[p : len(new) - s])


_SEQUENCE_MATCHER_LIMIT = 20_000


def _diff_segment(old: str, new: str, offset: int) -> list[_Edit]:
    """Character-level edits turning `old` into `new` (one line, at `offset` in the text).

    Words are compared pairwise when both sides have the same number of spaces (the normal
    case for mojibake and NFC, which never touch ASCII), so each damaged word becomes one
    edit; otherwise difflib aligns the line.
    """
    if old == new:
        return []
    old_words = old.split(" ")
    new_words = new.split(" ")
    edits: list[_Edit] = []
    if len(old_words) == len(new_words):
        pos = offset
        for a, b in zip(old_words, new_words):
            if a != b:
                edits.append(_trimmed_edit(a, b, pos))
            pos += len(a) + 1
        return edits
    if len(old) + len(new) > _SEQUENCE_MATCHER_LIMIT:
        return [_trimmed_edit(old, new, offset)]
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            edits.append((offset + i1, offset + i2, new[j1:j2]))
    return edits


def _iter_lines(text: str) -> Iterable[tuple[int, str]]:
    """``(offset, line)`` for each line of `text`, without the ``"\\n"``."""
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


_PLAIN_BYTES = b"\t\n\r\x0c" + bytes(range(0x20, 0x7F))


def _rare_chars(text: str) -> frozenset[str]:
    """The distinct characters of `text` other than printable ASCII, tab and line breaks.

    Every step first intersects this small set with the characters it cares about, which is
    what makes clean text cheap: Python's ``re`` scans a character class at ~20 ns a
    character, while encoding and ``bytes.translate`` run at memory speed.
    """
    raw = text.encode("utf-8", "surrogatepass").translate(None, _PLAIN_BYTES)
    return frozenset(raw.decode("utf-8", "surrogatepass"))


def _find_all(text: str, chars: Iterable[str]) -> list[int]:
    """Sorted positions of every occurrence of the single characters `chars`."""
    positions: list[int] = []
    for ch in chars:
        pos = text.find(ch)
        while pos != -1:
            positions.append(pos)
            pos = text.find(ch, pos + 1)
    positions.sort()
    return positions


# ---------------------------------------------------------------------------------------------
# Step: mojibake

# Everything the encoding fixer cares about goes through ftfy; these tables only decide
# cheaply which lines are worth handing to it (ftfy's own badness regex runs at ~2 MB/s).

@functools.lru_cache(maxsize=1)
def _ftfy_fix_encoding() -> Callable[[str], str]:
    """ftfy's encoding fixer with only the encoding options on (imported on first use)."""
    import ftfy

    config = ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_encoding=True,
        restore_byte_a0=True,
        replace_lossy_sequences=True,
        decode_inconsistent_utf8=True,
        fix_c1_controls=True,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=False,
        remove_control_chars=False,
        normalization=None,
        explain=False,
    )
    return functools.partial(ftfy.fix_encoding, config=config)


# The single-byte encodings ftfy tries (ftfy.chardata.CHARMAP_ENCODINGS), by stdlib names;
# a test checks the two lists agree.
_FTFY_ENCODINGS = (
    "latin-1", "cp1252", "cp1251", "cp1250", "cp1253", "cp1254", "cp1257", "iso-8859-2",
    "mac-roman", "cp437",
)


def _sloppy_decode(raw: bytes, encoding: str) -> str:
    """Decode like ftfy's ``sloppy-*`` codecs: bytes the encoding leaves undefined are latin-1."""
    return "".join(bytes([b]).decode(encoding, errors="ignore") or chr(b) for b in raw)


# For each encoding: the characters UTF-8 lead bytes (0xC0-0xFF) and continuation bytes
# (0x80-0xBF, or what a lossy decode left: U+FFFD, 0x1A) look like. Mojibake needs a lead
# followed by a continuation character of the same encoding. The sets leave out what
# `_rare_chars` leaves out, so a text's rare characters meet them exactly where they would meet
# the full sets, and a neighbour pattern built from a whole set serves every document (built
# from `rare & cont`, nine documents in ten needed a pattern of their own).
_PLAIN_CHARS = frozenset(_PLAIN_BYTES.decode("ascii"))
_LEAD_CONT = tuple(
    (
        frozenset(_sloppy_decode(bytes(range(0xC0, 0x100)), encoding)) - _PLAIN_CHARS,
        frozenset(_sloppy_decode(bytes(range(0x80, 0xC0)), encoding) + "\ufffd\x1a") - _PLAIN_CHARS,
    )
    for encoding in _FTFY_ENCODINGS
)
# Characters that send their line to the fixer on their own: C1 controls (cp1252 read as
# latin-1) and surrogates (surrogateescape, UTF-16 read as UCS-2).
_C1_AND_SURROGATES = frozenset(
    [chr(cp) for cp in range(0x80, 0xA0)] + [chr(cp) for cp in range(0xD800, 0xE000)]
)

# The Nordic (and a few common European) letters whose UTF-8 starts with 0xC3, keyed by how
# the whole UTF-8 sequence looks when read as cp1252 (sloppy) or as latin-1.
_NORDIC_LETTERS = "åäöÅÄÖéÉèüÜæÆøØ"
_NORDIC_MOJIBAKE: dict[str, str] = {
    _sloppy_decode(letter.encode("utf-8"), encoding): letter
    for letter in _NORDIC_LETTERS
    for encoding in ("cp1252", "latin-1")
}
_NORDIC_MOJIBAKE_RE = re.compile(
    "|".join(re.escape(k) for k in sorted(_NORDIC_MOJIBAKE, key=len, reverse=True))
)

_SURROGATE_ESCAPE_RE = re.compile(r"(?<![\ud800-\udbff])[\udc80-\udcff]+")
_SURROGATE_PAIR_RE = re.compile(r"[\ud800-\udbff][\udc00-\udfff]")
_LONE_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


def _fix_nordic_mojibake(line: str) -> str:
    """Fix ``Ã¥``-style pairs of the Nordic letters, which ftfy's heuristic lets through.

    ftfy's heuristic is language-neutral and considers ``Ã¥`` and ``Ã…`` plausible; in
    Swedish text they never are (a Portuguese word ending in ``Ã`` directly followed by
    ``…``, ``–``, ``©`` or ``¥`` would be the false positive).
    """
    return _NORDIC_MOJIBAKE_RE.sub(lambda m: _NORDIC_MOJIBAKE[m.group()], line)


def _fix_surrogates(line: str) -> str:
    """Decode ``surrogateescape`` bytes as cp1252, join UTF-16 pairs, replace the rest."""
    line = _SURROGATE_ESCAPE_RE.sub(
        lambda m: _sloppy_decode(bytes(ord(c) - 0xDC00 for c in m.group()), "cp1252"),
        line,
    )
    line = _SURROGATE_PAIR_RE.sub(
        lambda m: m.group().encode("utf-16", "surrogatepass").decode("utf-16"), line
    )
    return _LONE_SURROGATE_RE.sub("\ufffd", line)


def _fix_mojibake_line(line: str) -> str:
    if _LONE_SURROGATE_RE.search(line):
        line = _fix_surrogates(line)
    fix_encoding = _ftfy_fix_encoding()
    for _ in range(4):
        fixed = _fix_nordic_mojibake(fix_encoding(line))
        if fixed == line:
            break
        line = fixed
    return line


def _non_latin_letters(text: str) -> int:
    return sum(
        1
        for ch in text
        if ord(ch) >= 0x250 and ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN")
    )


# Characters of ordinary Swedish text. UTF-8 mojibake of a Polish, Czech or Turkish letter
# can consist of these alone (ą is "Ä…", İ is "Ä°"), but so can odd correct text ("Ä§" is
# ħ, "Å”" is Ŕ), so such a repair needs other evidence on its line.
_SWEDISH_PLAIN = frozenset(
    map(chr, range(0x20, 0x7F))
) | frozenset("\tåäöÅÄÖéÉüÜàè§–—”“’‘»«…°½€\u00a0±·×²³´")


def _is_suspicious(original: str, replacement: str) -> bool:
    """Could this repair be a false positive? (Then it needs a sure repair on its line.)

    Suspicious: the "mojibake" is made of characters ordinary Swedish text has anyway, or
    the repair conjures a single Cyrillic, Greek, Hebrew … letter (MacRoman reads "”Ä" as
    U+04C0; a real word in another script has more than one letter).
    """
    return all(ch in _SWEDISH_PLAIN for ch in original) or _non_latin_letters(replacement) == 1


@functools.lru_cache(maxsize=1024)
def _neighbour_re(ch: str, neighbours: frozenset[str], before: bool) -> re.Pattern[str]:
    """`ch` with one of `neighbours` just before (or after) it.

    The pattern starts with the literal `ch`, which ``re`` finds at memory speed, instead of
    with a character class, which it tests at every position.
    """
    cls = "".join(sorted(map(re.escape, neighbours)))
    literal = re.escape(ch)
    if before:
        return re.compile(f"{literal}(?<=[{cls}]{literal})")
    return re.compile(f"{literal}(?=[{cls}])")


def _mojibake_hits(text: str, rare: frozenset[str]) -> list[int]:
    """Positions where mojibake may start (a superset of what ftfy would fix)."""
    hits = _find_all(text, rare & _C1_AND_SURROGATES)
    for pair in ("\u00c3 ", "\u00c2 "):  # a no-break space that became a space
        pos = text.find(pair) if pair[0] in rare else -1
        while pos != -1:
            hits.append(pos)
            pos = text.find(pair, pos + 1)

    counts: dict[str, int] = {}

    def frequency(chars: frozenset[str]) -> int:  # estimated on the first 64 K characters
        for ch in chars - counts.keys():
            counts[ch] = text.count(ch, 0, 1 << 16)
        return sum(counts[ch] for ch in chars)

    # Scan for the rarer side of each encoding's lead/continuation pairs: in Swedish text
    # å ä ö are frequent, and they are leads in latin-1 but continuations in MacRoman.
    leads_before: dict[str, set[str]] = {}
    conts_after: dict[str, set[str]] = {}
    for lead, cont in _LEAD_CONT:
        leads, conts = rare & lead, rare & cont
        if not leads or not conts:
            continue
        if frequency(leads) <= frequency(conts):
            for ch in leads:
                conts_after.setdefault(ch, set()).update(cont)
        else:
            for ch in conts:
                leads_before.setdefault(ch, set()).update(lead)
    for ch, neighbours in leads_before.items():
        pattern = _neighbour_re(ch, frozenset(neighbours), True)
        hits.extend(m.start() - 1 for m in pattern.finditer(text))
    for ch, neighbours in conts_after.items():
        pattern = _neighbour_re(ch, frozenset(neighbours), False)
        hits.extend(m.start() for m in pattern.finditer(text))
    hits.sort()
    return hits


def _keeps_spaces(before: str, after: str) -> bool:
    """A repair may consume whitespace that was a byte of the mojibake ("Ã\u00a0" is "à"),
    but never turn one space into another: "Â " with a plain space is no proof of a lost
    no-break space. So the repair's whitespace must be a subsequence of the original's."""
    remaining = iter(ch for ch in before if ch.isspace())
    return all(any(ch == old for old in remaining) for ch in after if ch.isspace())


def _mojibake_edits(text: str, rare: frozenset[str]) -> list[_Edit]:
    if not rare:
        return []
    edits: list[_Edit] = []
    done_until = -1
    for hit in _mojibake_hits(text, rare):
        if hit < done_until:
            continue
        start = text.rfind("\n", 0, hit) + 1
        end = text.find("\n", hit)
        if end == -1:
            end = len(text)
        done_until = end
        line = text[start:end]
        line_edits = [(s, e, r) for s, e, r in _diff_segment(line, _fix_mojibake_line(line), start)
                      if _keeps_spaces(text[s:e], r)]
        suspicious = [_is_suspicious(text[s:e], r) for s, e, r in line_edits]
        if not all(suspicious):
            edits.extend(line_edits)
    return edits


def fix_mojibake(text: str) -> str:
    r"""Repair text whose UTF-8 bytes were decoded in the wrong encoding (also repeatedly).

    Line by line, through ftfy's encoding fixer (``ftfy.fix_encoding`` with only the encoding
    options on), plus: ``Ã¥``, ``Ã…`` and the other Nordic letters' mojibake (ftfy's
    heuristic lets these through), cp1252 bytes that were decoded as UTF-8 with
    ``errors="surrogateescape"``, and UTF-16 surrogate pairs. Lone surrogates left over
    become U+FFFD, so the result can always be written as UTF-8. A repair that could be a
    false positive (``Ä§`` is UTF-8 for ``ħ``) needs a sure repair on the same line.

    >>> fix_mojibake("tjÃ¤nst fÃ¶r Ã…ke")            # UTF-8 read as cp1252
    'tjänst för Åke'
    >>> fix_mojibake("Ã\x85ke i Ã\x96rebro")            # UTF-8 read as latin-1
    'Åke i Örebro'
    >>> fix_mojibake("fÃƒÂ¶rslaget")                    # doubly encoded
    'förslaget'
    >>> fix_mojibake("Västerås: gÃ¥ till MÃ¥ndag")       # mixed with correct text
    'Västerås: gå till Måndag'
    >>> fix_mojibake("kl. 13.00\x9616.45")                # cp1252 read as latin-1
    'kl. 13.00–16.45'
    >>> fix_mojibake("f\udcf6r")                           # cp1252 read as UTF-8
    'för'
    >>> fix_mojibake("SÃO PAULO och Ärlig är Åsa")      # correct text stays
    'SÃO PAULO och Ärlig är Åsa'
    >>> fix_mojibake("Ä§ 4")                              # odd, but no evidence of mojibake
    'Ä§ 4'
    """
    return _apply(text, _mojibake_edits(text, _rare_chars(text)))


# ---------------------------------------------------------------------------------------------
# Step: NFC


def _nfc_inert(ch: str) -> bool:
    """Can NFC never change `ch` or its surroundings? (Checked for all of U+0000-U+02FF in
    the tests; above that, for symbols and punctuation that have no decomposition.)"""
    cp = ord(ch)
    if cp < 0x300:
        return True
    return (
        0x2000 <= cp < 0x2C00
        and not unicodedata.decomposition(ch)
        and not unicodedata.combining(ch)
    )


def _nfc_edits(text: str, rare: frozenset[str]) -> list[_Edit]:
    if all(map(_nfc_inert, rare)) or unicodedata.is_normalized("NFC", text):
        return []
    edits: list[_Edit] = []
    for offset, line in _iter_lines(text):
        if not unicodedata.is_normalized("NFC", line):
            edits.extend(_diff_segment(line, unicodedata.normalize("NFC", line), offset))
    return edits


def fix_nfc(text: str) -> str:
    """Compose to Unicode NFC, so a letter plus a combining mark becomes one character.

    >>> fix_nfc("ha\\u0308r pa\\u030a A\\u030ammarna")
    'här på Åmmarna'
    """
    return _apply(text, _nfc_edits(text, _rare_chars(text)))


# ---------------------------------------------------------------------------------------------
# Step: ligatures and look-alikes

def _is_ligature(ch: str) -> bool:
    cp = ord(ch)
    return 0xFB00 <= cp <= 0xFB06 or 0xFF01 <= cp <= 0xFF5E or 0x1D400 <= cp <= 0x1D7FF


def _ligature_edits(text: str, rare: frozenset[str]) -> list[_Edit]:
    edits: list[_Edit] = []
    present = [ch for ch in rare if _is_ligature(ch)]
    for pos in _find_all(text, present):
        replacement = unicodedata.normalize("NFKC", text[pos])
        if replacement != text[pos]:
            edits.append((pos, pos + 1, replacement))
    return edits


def fix_ligatures(text: str) -> str:
    """Expand Latin ligatures and map fullwidth ASCII and math alphanumerics to ASCII.

    PDFs set ``fi`` as one glyph and text extraction keeps it; the restorer and the lexicon
    want letters. Long s (``ſ``) and other historical letters are left alone.

    >>> fix_ligatures("ﬁnansiering, ﬂyktingar, eﬀekt, ＫＳ 2021/45, 𝐁𝐞𝐬𝐥𝐮𝐭")
    'finansiering, flyktingar, effekt, KS 2021/45, Beslut'
    """
    return _apply(text, _ligature_edits(text, _rare_chars(text)))


# ---------------------------------------------------------------------------------------------
# Step: invisibles

# Always removed: C0 controls except \t \n \r \f (and the whitespace-like ones below), DEL,
# C1 controls, soft hyphen, Mongolian vowel separator, word joiner and invisible operators,
# BOM / zero-width no-break space.
_ALWAYS_INVISIBLE = "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u180e\u2060-\u2064\ufeff"
# Control characters that Python counts as whitespace or line breaks (vertical tab from Word,
# information separators, NEL) are layout: svfix never changes layout, so they stay.
_SPACE_LIKE = ""
# Zero-width space/joiners and bidi controls: junk in Latin text, meaningful in emoji
# sequences, Persian, Arabic, Indic and Thai, so removed only between Latin-ish neighbours.
_CONTEXTUAL_INVISIBLE = "\u200b-\u200f\u202a-\u202e\u2066-\u2069"


def _expand(ranges: str) -> frozenset[str]:
    return frozenset(ch for m in re.finditer(r"(.)-(.)|(.)", ranges, re.S)
                     for ch in (map(chr, range(ord(m[1]), ord(m[2]) + 1)) if m[1] else m[3]))


_ALWAYS_SET = _expand(_ALWAYS_INVISIBLE)
_SPACE_LIKE_SET = _expand(_SPACE_LIKE)
_CONTEXTUAL_SET = _expand(_CONTEXTUAL_INVISIBLE)
_INVISIBLE_SET = _ALWAYS_SET | _SPACE_LIKE_SET | _CONTEXTUAL_SET
_SHY_AT_LINE_END_RE = re.compile(r"[ \t]*\r?\n")


def _latinish(ch: str) -> bool:
    """Latin letters, ASCII, general punctuation and currency, or no character at all."""
    if not ch:
        return True
    cp = ord(ch)
    return cp < 0x250 or 0x1E00 <= cp < 0x1F00 or 0x2000 <= cp < 0x20D0


def _invisible_edits(text: str, rare: frozenset[str]) -> list[_Edit]:
    edits: list[_Edit] = []
    n = len(text)
    for i in _find_all(text, rare & _INVISIBLE_SET):
        ch = text[i]
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < n else ""
        if ch == "\u00ad":
            # A soft hyphen at a line end is where the word was visibly broken.
            if before.isalpha() and _SHY_AT_LINE_END_RE.match(text, i + 1):
                edits.append((i, i + 1, "-"))
            else:
                edits.append((i, i + 1, ""))
        elif ch in _SPACE_LIKE_SET:
            # The first of a run becomes one space if it stands between two words.
            j = i + 1
            while j < n and text[j] in _SPACE_LIKE_SET:
                j += 1
            after = text[j] if j < n else ""
            spaced = (
                before and after and before not in _SPACE_LIKE_SET
                and not before.isspace() and not after.isspace()
            )
            edits.append((i, i + 1, " " if spaced else ""))
        elif ch in _CONTEXTUAL_SET:
            if _latinish(before) and _latinish(after):
                edits.append((i, i + 1, ""))
        else:
            edits.append((i, i + 1, ""))
    return edits


def remove_invisibles(text: str) -> str:
    """Remove soft hyphens, zero-width characters, BOMs and stray control characters.

    Tab, newline, carriage return and form feed stay. A soft hyphen at the end of a line
    becomes ``-`` (that is how it was rendered). Vertical tabs, NEL and the information
    separators are whitespace, so they stay like all layout. Zero-width joiners and bidi controls are
    kept next to non-Latin letters and emoji, where they mean something.

    >>> remove_invisibles("\\ufeffför\\u200bslag om kom\\u00admunens bud\\x00get")
    'förslag om kommunens budget'
    >>> remove_invisibles("kommun\\u00ad\\nstyrelsen")
    'kommun-\\nstyrelsen'
    >>> remove_invisibles("rad ett\\x0brad två\\tkolumn\\fsida")
    'rad ett\\x0brad två\\tkolumn\\x0csida'
    """
    return _apply(text, _invisible_edits(text, _rare_chars(text)))


# ---------------------------------------------------------------------------------------------
# Step: no-break spaces

_NBSP_SET = frozenset("\u00a0\u202f")


def _nbsp_edits(text: str, rare: frozenset[str]) -> list[_Edit]:
    return [(pos, pos + 1, " ") for pos in _find_all(text, rare & _NBSP_SET)]


def replace_nbsp(text: str) -> str:
    """Replace no-break spaces (U+00A0, U+202F narrow) by plain spaces.

    >>> replace_nbsp("10\\u00a0000 kr och 5\\u202f%")
    '10 000 kr och 5 %'
    """
    return _apply(text, _nbsp_edits(text, _rare_chars(text)))


# ---------------------------------------------------------------------------------------------
# Step: dehyphenation

#: Words after a line-end hyphen that show the hyphen belongs to an elliptic compound
#: ("kultur- och fritidsnämnden", "för- eller nackdelar").
CONJUNCTIONS = frozenset(
    {"och", "eller", "samt", "respektive", "resp", "som", "liksom", "alternativt", "alt",
     "el", "o", "men", "utan", "plus"}
)

_HYPHENS = "-\u2010\u00ad\u00ac"  # hyphen, Unicode hyphen, soft hyphen, OCR's "¬"
# A hyphen at a line end (the literal first character lets ``re`` search fast).
_LINE_END_HYPHEN_RES = {
    hyphen: re.compile(re.escape(hyphen) + r"[ \t]*(\r?\n)([ \t]*)") for hyphen in _HYPHENS
}
_LETTERS_TO_END_RE = re.compile(r"[^\W\d_]+\Z")  # X: the letters before the hyphen
_WHOLE_LETTER_WORD_RE = re.compile(r"[^\W\d_]+(?![\w\-\u2010\u00ad\u00ac])")  # Y
_CLOSING_PUNCT = r"[.,;:!?)\]}\"'»”’]*"
_REST_OF_LINE_RE = re.compile(_CLOSING_PUNCT + r"[ \t]+(?=[^\s])")
_TEXT_BEFORE_RE = re.compile(r"[^\s][ \t]+$")

_NO_LEXICON_TEXT = (
    "Dehyphenation needs a lexicon to check that the joined word is Swedish, and "
    "svfix.lexicon could not be loaded ({error}). Pass your own predicate, e.g. "
    "normalize(text, options, is_word=my_words.__contains__), or leave dehyphenation off."
)


def _default_is_word() -> Callable[[str], bool]:
    try:
        from svfix.lexicon import default_lexicon
    except ImportError as exc:
        raise RuntimeError(_NO_LEXICON_TEXT.format(error=exc)) from exc
    return default_lexicon().is_valid


def _dehyphenate_edits(
    text: str, rare: frozenset[str], is_word: Callable[[str], bool], join_lines: bool
) -> list[_Edit]:
    if "\n" not in text:
        return []
    breaks = [
        match
        for hyphen in _HYPHENS
        if hyphen == "-" or hyphen in rare
        for match in _LINE_END_HYPHEN_RES[hyphen].finditer(text)
    ]
    breaks.sort(key=lambda m: m.start())
    edits: list[_Edit] = []
    last_end = 0
    for match in breaks:
        hyphen_at = match.start()
        line_start = text.rfind("\n", 0, hyphen_at) + 1
        x_match = _LETTERS_TO_END_RE.search(text, line_start, hyphen_at)
        y_match = _WHOLE_LETTER_WORD_RE.match(text, match.end())
        if not x_match or not y_match:
            continue
        x_start = x_match.start()
        if x_start and (text[x_start - 1].isalnum() or text[x_start - 1] in "_" + _HYPHENS):
            continue  # X is the tail of a hyphenated compound, or not letters only
        x, y = x_match.group(), y_match.group()
        if not y[0].islower() or y.lower() in CONJUNCTIONS:
            continue
        if is_word(f"{x}-{y}".lower()) or not is_word((x + y).lower()):
            continue
        newline, indent = match.group(1), match.group(2)
        if join_lines:
            edit = (hyphen_at, match.end(), "")
        else:
            after = _REST_OF_LINE_RE.match(text, y_match.end())
            before = _TEXT_BEFORE_RE.search(text, line_start, x_start)
            if after:
                # Move the rest of the word (and its punctuation) up to the first line.
                moved = text[y_match.end() : after.end()].rstrip(" \t")
                edit = (hyphen_at, after.end(), y + moved + newline + indent)
            elif before:
                # Nothing after it on the second line: move the first part down instead.
                edit = (before.start() + 1, y_match.end(), newline + indent + x + y)
            else:
                continue  # both parts are alone on their lines: joining would leave one empty
        if edit[0] < last_end:
            continue
        edits.append(edit)
        last_end = edit[1]
    return edits


def dehyphenate(
    text: str,
    is_word: Callable[[str], bool] | None = None,
    *,
    join_lines: bool = False,
) -> str:
    """Join words hyphenated at a line end, keeping the number of lines unless asked.

    ``X-\\nY`` is joined when X and Y are letters only, Y starts in lower case and is not a
    conjunction (``kultur-\\noch fritidsnämnden`` is an elliptic compound), ``is_word`` accepts
    ``xy`` and does not accept ``x-y`` (``e-\\npost`` stays). Without `join_lines` the rest of
    the word moves up to the first line (or, when it is alone on its line, the first part
    moves down); with it, the line break goes. `is_word` gets lower-case words and defaults
    to ``svfix.lexicon.default_lexicon().is_valid``.

    >>> words = {"kommunstyrelsen", "beslutade", "budget"}.__contains__
    >>> dehyphenate("kommun-\\nstyrelsen beslutade", words)
    'kommunstyrelsen\\nbeslutade'
    >>> dehyphenate("Beslut av kommun-\\nstyrelsen.\\nSlut", words)
    'Beslut av\\nkommunstyrelsen.\\nSlut'
    >>> dehyphenate("kommun-\\nstyrelsen beslutade", words, join_lines=True)
    'kommunstyrelsen beslutade'
    >>> dehyphenate("Anna-\\nKarin och kultur-\\noch fritidsnämnden", words)
    'Anna-\\nKarin och kultur-\\noch fritidsnämnden'
    """
    if is_word is None:
        is_word = _default_is_word()
    return _apply(text, _dehyphenate_edits(text, _rare_chars(text), is_word, join_lines))


# ---------------------------------------------------------------------------------------------
# Step: typography

_TYPOGRAPHY = str.maketrans(
    {
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u275d\u275e\u301d\u301e", '"'),
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2039\u203a\u02bc\u00b4", "'"),
        **dict.fromkeys("\u2010\u2011\u2043\u2212", "-"),
        **dict.fromkeys("\u2012\u2014\u2015", "\u2013"),
    }
)
_TYPOGRAPHY_SET = frozenset(map(chr, _TYPOGRAPHY))


def _typography_edits(text: str, rare: frozenset[str]) -> list[_Edit]:
    return [
        (pos, pos + 1, text[pos].translate(_TYPOGRAPHY))
        for pos in _find_all(text, rare & _TYPOGRAPHY_SET)
    ]


def unify_typography(text: str) -> str:
    """Unify quotation marks to ``"`` and ``'``, hyphen variants to ``-``, dashes to ``–``.

    Swedish and imported typography mix ``”…”``, ``»…»``, ``„…“`` and ``’``; the en dash is
    the Swedish dash, so em dashes and bars become en dashes.

    >>> unify_typography("”Budget” och »plan» – Åsa’s förslag — 2019‐2020")
    '"Budget" och "plan" – Åsa\\'s förslag – 2019-2020'
    """
    return _apply(text, _typography_edits(text, _rare_chars(text)))


# ---------------------------------------------------------------------------------------------
# Registry and orchestration

STEPS: dict[str, Callable[[str], str]] = {
    "mojibake": fix_mojibake,
    "nfc": fix_nfc,
    "ligatures": fix_ligatures,
    "invisibles": remove_invisibles,
    "nbsp": replace_nbsp,
    "dehyphenate": dehyphenate,
    "typography": unify_typography,
}
"""Every normalize step by name, in pipeline order (mojibake first: soft hyphens and
no-break spaces are also UTF-8 continuation bytes)."""

_Editor = Callable[[str, frozenset[str]], list[_Edit]]
_EDITORS: dict[str, _Editor] = {
    "mojibake": _mojibake_edits,
    "nfc": _nfc_edits,
    "ligatures": _ligature_edits,
    "invisibles": _invisible_edits,
    "nbsp": _nbsp_edits,
    "typography": _typography_edits,
}
_STEP_BITS = {name: 1 << i for i, name in enumerate(STEPS)}

# Steps can enable each other (removing a zero-width space between a letter and a combining
# mark makes NFC apply again), so `normalize` repeats until nothing changes.
_MAX_ROUNDS = 8
_MAX_WORD_EXPANSION = 64

# A composed change: original[os:oe] became current[cs:ce]; mask = the steps involved.
_Span = tuple[int, int, int, int, int]


def _compose(spans: list[_Span], edits: list[_Edit], bit: int) -> list[_Span]:
    """Compose the changes so far (original -> current) with `edits` (current -> next)."""
    out: list[_Span] = []
    i = j = 0
    delta = 0  # current - original, left of the sweep position
    shift = 0  # next - current, left of the sweep position
    n_spans, n_edits = len(spans), len(edits)
    while i < n_spans or j < n_edits:
        if j >= n_edits or (i < n_spans and spans[i][2] <= edits[j][0]):
            a = b = spans[i][2]
        else:
            a = b = edits[j][0]
        delta_before, shift_before, mask = delta, shift, 0
        while True:
            if i < n_spans and spans[i][2] <= b:
                os_, oe, cs, ce, m = spans[i]
                b = max(b, ce)
                mask |= m
                delta += (ce - cs) - (oe - os_)
                i += 1
            elif j < n_edits and edits[j][0] <= b:
                s, e, r = edits[j]
                b = max(b, e)
                mask |= bit
                shift += len(r) - (e - s)
                j += 1
            else:
                break
        out.append((a - delta_before, b - delta, a + shift_before, b + shift, mask))
    return out


def _is_wordish(ch: str) -> bool:
    return ch.isalnum() or (ch >= "\u0300" and unicodedata.category(ch)[0] == "M")


def _any_wordish(chars: Iterable[str]) -> bool:
    return any(ch and _is_wordish(ch) for ch in chars)


def _to_changes(original: str, final: str, spans: list[_Span]) -> tuple[Change, ...]:
    """Turn composed spans into minimal, word-sized, non-overlapping `Change` records."""
    trimmed: list[_Span] = []
    for os_, oe, ns, ne, mask in spans:
        old, new = original[os_:oe], final[ns:ne]
        if old == new:
            continue
        s, e, _ = _trimmed_edit(old, new, os_)
        trimmed.append((s, e, ns + (s - os_), ne - (oe - e), mask))

    expanded: list[_Span] = []
    for k, (os_, oe, ns, ne, mask) in enumerate(trimmed):
        low = trimmed[k - 1][1] if k else 0
        high = trimmed[k + 1][0] if k + 1 < len(trimmed) else len(original)
        # Grow to whole words when the edit boundary falls inside a word.
        old, new = original[os_:oe], final[ns:ne]
        inner_first = (old[:1], new[:1])
        inner_last = (old[-1:], new[-1:])
        if os_ > low and _is_wordish(original[os_ - 1]) and _any_wordish(inner_first):
            stop = max(low, os_ - _MAX_WORD_EXPANSION)
            grow = os_
            while grow > stop and _is_wordish(original[grow - 1]):
                grow -= 1
            ns -= os_ - grow
            os_ = grow
        if oe < high and _is_wordish(original[oe]) and _any_wordish(inner_last):
            stop = min(high, oe + _MAX_WORD_EXPANSION)
            grow = oe
            while grow < stop and _is_wordish(original[grow]):
                grow += 1
            ne += grow - oe
            oe = grow
        if expanded and expanded[-1][1] >= os_:
            pos_, _, pns, _, pmask = expanded[-1]
            expanded[-1] = (pos_, oe, pns, ne, pmask | mask)
        else:
            expanded.append((os_, oe, ns, ne, mask))

    return tuple(
        Change(
            os_, oe, original[os_:oe], final[ns:ne], 1.0, Reason.NORMALIZE, True, _step_names(mask)
        )
        for os_, oe, ns, ne, mask in expanded
    )


@functools.lru_cache(maxsize=None)
def _step_names(mask: int) -> str:
    return "+".join(name for name, bit in _STEP_BITS.items() if mask & bit)


def normalize(
    text: str,
    options: NormalizeOptions = DEFAULT,
    *,
    is_word: Callable[[str], bool] | None = None,
) -> tuple[str, tuple[Change, ...]]:
    """Run the steps `options` enables; return the new text and the changes that explain it.

    Each `Change` is in the coordinates of `text`, has ``reason=Reason.NORMALIZE`` and
    ``step`` = the step that made it (several joined by ``+`` when steps touched the same
    word); changes are sorted, do not overlap, and ``apply_changes(text, changes)`` gives the
    new text. A change covers the damaged word (``tjÃ¤nst`` -> ``tjänst``) or, for
    punctuation and invisibles, just the characters. `is_word` (lower-case word -> is it
    Swedish) is used by dehyphenation; it defaults to ``svfix.lexicon``.

    >>> text, changes = normalize("Ã…rsredovisning fÃ¶r 2019\\n")
    >>> text
    'Årsredovisning för 2019\\n'
    >>> [(c.start, c.end, c.original, c.replacement, c.step) for c in changes]
    [(0, 15, 'Ã…rsredovisning', 'Årsredovisning', 'mojibake'), (16, 20, 'fÃ¶r', 'för', 'mojibake')]
    >>> normalize("Redan korrekt text på svenska.")
    ('Redan korrekt text på svenska.', ())
    """
    if not isinstance(text, str):
        raise TypeError(
            f"normalize() takes str, not {type(text).__name__}; decode bytes first "
            "(svfix reads files as UTF-8 and repairs mojibake afterwards)"
        )
    editors: list[tuple[str, _Editor]] = []
    for name in options.enabled_steps():
        if name == "dehyphenate":
            predicate = is_word if is_word is not None else _default_is_word()
            join = options.join_lines

            def dehyphenate_editor(t: str, rare: frozenset[str]) -> list[_Edit]:
                return _dehyphenate_edits(t, rare, predicate, join)

            editors.append((name, dehyphenate_editor))
        else:
            editors.append((name, _EDITORS[name]))

    current = text
    spans: list[_Span] = []
    for _ in range(_MAX_ROUNDS):
        changed = False
        rare = _rare_chars(current)
        for name, editor in editors:
            edits = editor(current, rare)
            if edits:
                spans = _compose(spans, edits, _STEP_BITS[name])
                current = _apply(current, edits)
                rare = _rare_chars(current)
                changed = True
        if not changed:
            break
    if current == text:
        return text, ()
    return current, _to_changes(text, current, spans)

"""Align ground truth with OCR output and extract character confusion events.

The alignment is a character-level Levenshtein alignment (rapidfuzz) of NFC
text. When truth and OCR have the same number of non-empty lines the lines are
aligned pairwise (robust against Tesseract reading blocks in another order);
otherwise the whole texts are aligned with line breaks read as spaces.

Consecutive non-matching edit operations between two matching characters form
one *run* ``truth[i:j] -> ocr[k:l]``. A run becomes

* one group event when both sides have at most ``max_group`` (3) characters:
  ``ä -> a``, ``ä -> ai``, ``ö -> 6``, ``m -> rn``, ``rn -> m``, ``ä -> ""``
  (deletion) or ``"" -> ,`` (insertion; truth side empty);
* one-to-one events, position by position, when both sides have the same
  length up to ``max_split`` (6): ``äö -> ao`` gives ``ä -> a`` and ``ö -> o``;
* otherwise garbage (a lost line, a misread smudge): no event, and its truth
  characters are left out of the counts, since no character-level statement
  can be made about them.

Every truth character inside aligned text is counted in ``truth_counts``, and
correctly read ones in ``identity_counts``, so that
``P(ocr | truth) = count(truth -> ocr) / truth_counts[truth]``.

CLI (debugging)::

    .venv/bin/python -m training.align training/work/pairs/<id>
"""

from __future__ import annotations

import dataclasses
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from rapidfuzz.distance import Levenshtein

MAX_GROUP = 3
MAX_SPLIT = 6
MAX_EXAMPLES = 3


@dataclasses.dataclass
class Alignment:
    """Result of aligning one truth text with its OCR text."""

    mode: str = "lines"  # "lines" or "text"
    events: Counter = dataclasses.field(default_factory=Counter)  # (truth, ocr) -> n
    truth_counts: Counter = dataclasses.field(default_factory=Counter)  # char -> n (aligned)
    identity_counts: Counter = dataclasses.field(default_factory=Counter)  # char -> n read right
    examples: dict = dataclasses.field(default_factory=lambda: defaultdict(list))
    aligned_truth: list = dataclasses.field(default_factory=list)  # truth segments aligned
    garbage_truth_chars: int = 0
    garbage_ocr_chars: int = 0
    distance: int = 0

    def merge(self, other: "Alignment") -> None:
        """Add *other*'s counts into this one (examples kept up to MAX_EXAMPLES)."""
        self.events.update(other.events)
        self.truth_counts.update(other.truth_counts)
        self.identity_counts.update(other.identity_counts)
        for k, ex in other.examples.items():
            mine = self.examples[k]
            for e in ex:
                if len(mine) >= MAX_EXAMPLES:
                    break
                if e not in mine:
                    mine.append(e)
        self.aligned_truth.extend(other.aligned_truth)
        self.garbage_truth_chars += other.garbage_truth_chars
        self.garbage_ocr_chars += other.garbage_ocr_chars
        self.distance += other.distance


def normalize(text: str) -> str:
    """NFC, no form feeds, no trailing spaces, ``\\n`` line ends."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\f", "")
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _nonempty_lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def _word_at(s: str, i: int, j: int) -> str:
    a = i
    while a > 0 and not s[a - 1].isspace():
        a -= 1
    b = j
    while b < len(s) and not s[b].isspace():
        b += 1
    return s[a:b]


def _runs(t: str, o: str):
    """Yield (kind, ts, te, os, oe): kind 'equal' or 'diff', diffs merged."""
    cur = None
    for op in Levenshtein.opcodes(t, o):
        if op.tag == "equal":
            if cur is not None:
                yield ("diff", *cur)
                cur = None
            yield ("equal", op.src_start, op.src_end, op.dest_start, op.dest_end)
        else:
            if cur is None:
                cur = [op.src_start, op.src_end, op.dest_start, op.dest_end]
            else:
                cur[1], cur[3] = op.src_end, op.dest_end
    if cur is not None:
        yield ("diff", *cur)


def align_strings(t: str, o: str, max_group: int = MAX_GROUP, max_split: int = MAX_SPLIT) -> Alignment:
    """Align one truth string with one OCR string (no line logic)."""
    al = Alignment()
    al.distance = Levenshtein.distance(t, o)
    seg_start = None
    segs = []
    for kind, ts, te, os_, oe in _runs(t, o):
        if kind == "equal":
            for c in t[ts:te]:
                al.truth_counts[c] += 1
                al.identity_counts[c] += 1
            if seg_start is None:
                seg_start = ts
            continue
        T, O = t[ts:te], o[os_:oe]
        if len(T) <= max_group and len(O) <= max_group:
            pairs = [(T, O)]
        elif len(T) == len(O) and len(T) <= max_split:
            pairs = list(zip(T, O))
        else:
            al.garbage_truth_chars += len(T)
            al.garbage_ocr_chars += len(O)
            if seg_start is not None and seg_start < ts:
                segs.append(t[seg_start:ts])
            seg_start = None
            continue
        if seg_start is None:
            seg_start = ts
        for c in T:
            al.truth_counts[c] += 1
        for pt, po in pairs:
            al.events[(pt, po)] += 1
            ex = al.examples[(pt, po)]
            if len(ex) < MAX_EXAMPLES:
                e = (_word_at(t, ts, te), _word_at(o, os_, oe))
                if e not in ex:
                    ex.append(e)
    if seg_start is not None and seg_start < len(t):
        segs.append(t[seg_start:])
    al.aligned_truth = segs
    return al


def align_texts(truth: str, ocr: str, min_line_similarity: float = 0.35) -> Alignment:
    """Align a page's truth with its OCR text; see the module docstring."""
    truth, ocr = normalize(truth), normalize(ocr)
    tl, ol = _nonempty_lines(truth), _nonempty_lines(ocr)
    if tl and len(tl) == len(ol):
        sims = [Levenshtein.normalized_similarity(a, b) for a, b in zip(tl, ol)]
        if min(sims) >= min_line_similarity:
            total = Alignment(mode="lines")
            for a, b in zip(tl, ol):
                total.merge(align_strings(a, b))
            total.mode = "lines"
            return total
    al = align_strings(" ".join(tl), " ".join(ol))
    al.mode = "text"
    return al


def load_pair(stem: str | Path) -> tuple[str, str]:
    """Read ``<stem>.truth.txt`` and ``<stem>.ocr.txt``."""
    stem = str(stem)
    for suf in (".truth.txt", ".ocr.txt", ".json"):
        if stem.endswith(suf):
            stem = stem[: -len(suf)]
    t = Path(stem + ".truth.txt").read_text(encoding="utf-8")
    o = Path(stem + ".ocr.txt").read_text(encoding="utf-8")
    return t, o


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print(__doc__)
        return 2
    for stem in argv:
        t, o = load_pair(stem)
        al = align_texts(t, o)
        n = sum(al.truth_counts.values())
        print(f"== {stem}: mode={al.mode} chars={n} distance={al.distance} "
              f"garbage={al.garbage_truth_chars}/{al.garbage_ocr_chars}")
        for (a, b), c in al.events.most_common(40):
            ex = "; ".join(f"{x}->{y}" for x, y in al.examples[(a, b)])
            print(f"{c:5d}  {a!r:>8} -> {b!r:<8} {ex}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The OCR channel: how likely an English-model OCR writes `observed` where the page said `truth`.

The table is learned by `training/learn_confusions.py` from real `tesseract -l eng` output on
rendered Swedish pages and shipped as `svfix/data/confusions.json`. Two kinds of truth
characters are treated differently:

* å, ä, ö (and capitals): whether they survive depends on the scan, the font and above all
  the OCR model, so their damage *rate* is measured per document (`svfix.document`), and the
  table only says *how* they break when they do: Q(observed | truth, damaged), e.g. ä→a, ä→i,
  ä→ai, ö→6, ö→é.
* every other character: the table's absolute P(observed | truth) (l→I, rn for m, é→e ...),
  the same for every document.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from svfix.errors import MissingDependencyError
from svfix.lexicon import data_dir

#: Truth letters whose damage rate is measured per document (by their lowercase form).
ADAPTIVE = frozenset("åäöÅÄÖ")
#: Ignore confusions rarer than this; they cost search time and almost never win.
MIN_ADAPTIVE_Q = 0.0002
MIN_OTHER_P = 0.01
MAX_OBSERVED_LEN = 2
MAX_TRUTH_LEN = 2


@dataclass(frozen=True, slots=True)
class Edit:
    """One channel event on a restoration path: the page had `truth`, the OCR wrote `observed`."""

    truth: str
    observed: str
    log10_q: float  # log10 Q(observed | truth, damaged) or log10 P(observed | truth)
    adaptive: bool  # True when `truth` is å/ä/ö: scored with the document's damage rate


@dataclass(frozen=True)
class Channel:
    """The inverted confusion table: observed substring → the edits that could explain it."""

    inverse: dict[str, tuple[Edit, ...]]
    header: dict
    #: Every one-letter edit the table saw, unfiltered: (truth, observed, log10 P(observed |
    #: truth)), lowercase, "" for the side that has no letter (a letter the OCR added or lost).
    #: The search above keeps only the likely ones; the fuzzy match prices its one edit with
    #: these (`document.fuzzy_lexicon_readings`).
    letters: tuple[tuple[str, str, float], ...] = ()
    #: The table's edits of letter groups, as `letters` but with a side of two letters: m read
    #: as "in", "rn" as m, "ll" lost. A word two letters from a token is often one such slip
    #: ("inaskiner" for "maskiner"); the fuzzy match prices it as one edit.
    letter_groups: tuple[tuple[str, str, float], ...] = ()

    def explanations(self, observed: str) -> tuple[Edit, ...]:
        return self.inverse.get(observed, ())


def build_channel(table: dict) -> Channel:
    """Invert a confusions.json table into a `Channel` (pure; used by loader and tests)."""
    truth_counts: dict[str, int] = table["truth_counts"]
    wrong_totals: dict[str, int] = {}
    for event in table["events"]:
        if event["truth"] != event["ocr"]:
            wrong_totals[event["truth"]] = wrong_totals.get(event["truth"], 0) + event["count"]
    inverse: dict[str, list[Edit]] = {}
    for event in table["events"]:
        truth, observed, count = event["truth"], event["ocr"], event["count"]
        if truth == observed or not truth or len(truth) > MAX_TRUTH_LEN:
            continue
        if len(observed) > MAX_OBSERVED_LEN or not truth.strip() or observed != observed.strip():
            continue
        adaptive = len(truth) == 1 and truth in ADAPTIVE
        if not observed and not adaptive:
            continue  # a dropped comma or l is not what we restore; only lost å/ä/ö
        if adaptive:
            q = count / wrong_totals[truth]
            if q < MIN_ADAPTIVE_Q:
                continue
        else:
            total = truth_counts.get(truth) or table.get("ngram_counts", {}).get(truth, 0)
            if total <= 0 or not any(c in ADAPTIVE or c == "é" for c in truth) and count < 3:
                continue
            q = count / total
            if q < MIN_OTHER_P:
                continue
        inverse.setdefault(observed, []).append(Edit(truth, observed, math.log10(q), adaptive))
    return Channel(
        inverse={k: tuple(sorted(v, key=lambda e: -e.log10_q)) for k, v in inverse.items()},
        header={k: v for k, v in table.items() if k not in ("events", "by_quality")},
        letters=letter_edits(table),
        letter_groups=letter_edits(table, groups=True),
    )


def letter_edits(table: dict, groups: bool = False) -> tuple[tuple[str, str, float], ...]:
    """The table's one-letter edits between lowercase letters or digits, with their log10
    probability ("" for a missing side), in the table's order; with `groups`, its edits with a
    side of two letters instead (the truth never empty).

    >>> table = {"events": [{"truth": "l", "ocr": "i", "p": 0.01}, {"truth": "rn", "ocr": "m", "p": 0.1},
    ...                     {"truth": "t", "ocr": "", "p": 0.001}, {"truth": "I", "ocr": "l", "p": 0.02}]}
    >>> letter_edits(table)
    (('l', 'i', -2.0), ('t', '', -3.0))
    >>> letter_edits(table, groups=True)
    (('rn', 'm', -1.0),)
    """
    letters = []
    for event in table["events"]:
        truth, observed, p = event["truth"], event["ocr"], event["p"]
        if truth == observed or p <= 0 or (groups and not truth):
            continue
        if (max(len(truth), len(observed)) != 2) if groups else (len(truth) > 1 or len(observed) > 1):
            continue
        if not all(c.isalnum() and c == c.lower() for c in truth + observed):
            continue
        letters.append((truth, observed, math.log10(p)))
    return tuple(letters)


@lru_cache(maxsize=None)
def load_channel(directory: str) -> Channel:
    path = Path(directory) / "confusions.json"
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MissingDependencyError(
            f"{path}: confusion table missing; run `python -m training.learn_confusions`"
        ) from None
    if table.get("format") != "svfix-confusions":
        raise MissingDependencyError(f"{path}: not an svfix confusion table")
    return build_channel(table)


def default_channel() -> Channel:
    return load_channel(str(data_dir()))

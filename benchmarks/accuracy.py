"""Accuracy of svfix against the baselines a user would otherwise reach for, in one run.

Usage (from the repository root)::

    .venv/bin/python -m benchmarks.accuracy [--record] [--systems svfix,variant,symspell,hunspell]

Input: the held-out pairs in `benchmarks/corpus/ocr/` (made by `benchmarks.make_eval_pairs`
from `benchmarks/corpus/clean/` with fonts the confusion model never saw) and the clean pages
themselves. For every system it reports CER and WER against the truth, the share of damaged
words restored per damage class, the correct words it broke, the words it changed in clean
text, and the words a second run on its own output changes (a fixer's output should be a
fixed point of it; the second run is not timed). `--record` appends the table, the date and the command to
`benchmarks/RESULTS.md`.

Word-level scoring: truth and OCR words are aligned with a word-level Levenshtein alignment;
only one-to-one aligned words are classified (split or merged words count in CER/WER only).
Every system edits the OCR text word by word, so its words line up with the OCR words.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import regex
from rapidfuzz.distance import Levenshtein

from benchmarks import normalize_cases
from benchmarks.metrics import cer, wer

ROOT = Path(__file__).resolve().parent
PAIRS = ROOT / "corpus" / "ocr"
CLEAN = ROOT / "corpus" / "clean"
RESULTS = ROOT / "RESULTS.md"
EXAMPLE_LIMIT = 40  # missed words kept per class for --examples; calibrate raises it
WORD = regex.compile(r"[^\W_]+")
DIACRITICS = set("åäöÅÄÖ")

CLASSES = (
    "1 dropped diacritics",
    "2 misread diacritics",
    "3 ambiguous words",
    "4 unlisted compounds",
    "5 proper nouns",
    "6 capitals/headings",
)
OTHER = "other OCR noise (no å/ä/ö)"
MIXED = "å/ä/ö plus other OCR damage"


def strip_diacritics(word: str) -> str:
    return word.translate(str.maketrans("åäöÅÄÖ", "aaoAAO"))


def diacritic_damage_only(truth: str, ocr: str) -> bool:
    """True when every difference between `truth` and `ocr` touches an å, ä or ö of the truth.

    "läge"→"lage", "för"→"f6r", "här"→"hiir" qualify; "användas"→"anviinda" does not (the OCR
    also lost an "s"): such words are counted apart, as damage beyond what svfix restores.
    """
    for op in Levenshtein.opcodes(truth, ocr):
        if op.tag == "equal":
            continue
        if op.src_end > op.src_start:
            touched = truth[op.src_start:op.src_end]
        else:  # an insertion: it must sit next to a diacritic ("ä" → "ii")
            touched = truth[max(0, op.src_start - 1):op.src_start + 1]
            if not DIACRITICS & set(touched):
                return False
            continue
        if not set(touched) <= DIACRITICS:
            return False
    return True


def classify(truth: str, ocr: str, lexicon) -> str:
    """Damage class of a one-to-one aligned word pair (truth != ocr)."""
    if not DIACRITICS & set(truth):
        return OTHER
    if not diacritic_damage_only(truth, ocr):
        return MIXED
    lower = truth.lower()
    if len(truth) > 1 and truth.isupper():
        return CLASSES[5]
    flags = lexicon.flags(lower)
    from svfix.lexicon import CURATED, NAMES
    if truth[:1].isupper() and (flags & NAMES or not lexicon.is_valid(lower)) and not flags & CURATED:
        return CLASSES[4]
    if not lexicon.is_valid(lower):
        return CLASSES[3]
    if lexicon.is_valid(ocr.lower()):
        return CLASSES[2]
    if strip_diacritics(truth) == ocr:
        return CLASSES[0]
    return CLASSES[1]


@dataclass
class Tally:
    damaged: Counter = field(default_factory=Counter)
    fixed: Counter = field(default_factory=Counter)
    correct_words: int = 0
    broken: int = 0
    broken_examples: list = field(default_factory=list)
    missed_examples: dict = field(default_factory=dict)
    cer_num: float = 0.0
    wer_num: float = 0.0
    chars: int = 0
    words: int = 0
    clean_changed: int = 0
    clean_words: int = 0
    rerun_changed: int = 0  # words a second run on the system's own output changes
    output_words: int = 0
    seconds: float = 0.0
    encoding_fixed: Counter = field(default_factory=Counter)  # per damage kind of normalize_cases
    encoding_total: Counter = field(default_factory=Counter)


def align_words(truth_words: list[str], ocr_words: list[str]) -> list[tuple[int, int]]:
    """Index pairs (truth, ocr) of one-to-one aligned words."""
    pairs = []
    for op in Levenshtein.opcodes(truth_words, ocr_words):
        if op.tag in ("equal", "replace") and op.src_end - op.src_start == op.dest_end - op.dest_start:
            pairs += list(zip(range(op.src_start, op.src_end), range(op.dest_start, op.dest_end)))
    return pairs


def score_pair(truth: str, ocr: str, output: str, tally: Tally, lexicon) -> None:
    t_words = WORD.findall(truth)
    o_words = WORD.findall(ocr)
    s_words = WORD.findall(output)
    if len(s_words) != len(o_words):  # a system that re-segmented: align it to the OCR
        mapping = dict(align_words(o_words, s_words))
        s_words = [s_words[mapping[i]] if i in mapping else "\0" for i in range(len(o_words))]
    for ti, oi in align_words(t_words, o_words):
        t, o, s = t_words[ti], o_words[oi], s_words[oi]
        if t == o:
            tally.correct_words += 1
            if s != t:
                tally.broken += 1
                if len(tally.broken_examples) < EXAMPLE_LIMIT:
                    tally.broken_examples.append(f"{t}→{s}")
            continue
        cls = classify(t, o, lexicon)
        tally.damaged[cls] += 1
        if s == t:
            tally.fixed[cls] += 1
        elif cls not in (OTHER, MIXED):
            tally.missed_examples.setdefault(cls, [])
            if len(tally.missed_examples[cls]) < EXAMPLE_LIMIT:
                tally.missed_examples[cls].append(f"{o}→{s} (want {t})")
    tally.cer_num += cer(truth, output) * len(truth)
    tally.chars += len(truth)
    tally.wer_num += wer(truth, output) * len(t_words)
    tally.words += len(t_words)


def score_clean(page: str, output: str, tally: Tally) -> None:
    """Count the words a system changed in a page that needed no change."""
    tally.clean_changed += changed_words(page, output)
    tally.clean_words += len(WORD.findall(page))


def changed_words(before: str, after: str) -> int:
    a, b = WORD.findall(before), WORD.findall(after)
    if len(a) != len(b):
        return sum(1 for op in Levenshtein.opcodes(a, b) if op.tag != "equal")
    return sum(x != y for x, y in zip(a, b))


def load_pairs() -> list[tuple[str, str, dict]]:
    out = []
    for meta_path in sorted(PAIRS.glob("*.json")):
        stem = meta_path.name[: -len(".json")]
        truth = unicodedata.normalize("NFC", (PAIRS / f"{stem}.truth.txt").read_text(encoding="utf-8"))
        ocr = unicodedata.normalize("NFC", (PAIRS / f"{stem}.ocr.txt").read_text(encoding="utf-8"))
        out.append((truth, ocr, json.loads(meta_path.read_text(encoding="utf-8"))))
    return out


def systems(names: list[str]) -> dict[str, Callable[[str], str]]:
    import svfix
    from benchmarks import baselines

    table: dict[str, Callable[[str], str]] = {
        "svfix": svfix.fix,
        "variant ≥10×": baselines.variant_fix,
        "symspell": baselines.symspell_fix,
        "hunspell": baselines.hunspell_fix,
        "no change (OCR)": lambda text: text,
    }
    keys = {"svfix": "svfix", "variant": "variant ≥10×", "symspell": "symspell",
            "hunspell": "hunspell", "ocr": "no change (OCR)"}
    return {keys[n]: table[keys[n]] for n in names}


def run(names: list[str]) -> tuple[dict[str, Tally], dict[str, dict[str, Tally]], int]:
    from svfix.lexicon import default_lexicon

    lexicon = default_lexicon()
    pairs = load_pairs()
    clean_pages = [unicodedata.normalize("NFC", p.read_text(encoding="utf-8")) for p in sorted(CLEAN.glob("*.txt"))]
    tallies: dict[str, Tally] = {}
    by_quality: dict[str, dict[str, Tally]] = {}
    for name, fn in systems(names).items():
        tally = Tally()
        start = time.perf_counter()
        outputs = []
        for truth, ocr, meta in pairs:
            output = fn(ocr)
            outputs.append(output)
            score_pair(truth, ocr, output, tally, lexicon)
            q = by_quality.setdefault(meta["quality"], {}).setdefault(name, Tally())
            score_pair(truth, ocr, output, q, lexicon)
        for page in clean_pages:
            score_clean(page, fn(page), tally)
        for label, damaged, clean in normalize_cases.cases():
            kind = label.split("/")[0]
            tally.encoding_total[kind] += 1
            tally.encoding_fixed[kind] += fn(damaged) == clean
        tally.seconds = time.perf_counter() - start
        for output in outputs:  # (not timed) is the system's output a fixed point of it?
            tally.rerun_changed += changed_words(output, fn(output))
            tally.output_words += len(WORD.findall(output))
        tallies[name] = tally
    return tallies, by_quality, len(pairs)


def pct(num: float, den: float) -> str:
    return f"{100 * num / den:.1f} %" if den else "–"


def report(tallies: dict[str, Tally], by_quality: dict[str, dict[str, Tally]], n_pairs: int,
           n_clean: int | None = None) -> str:
    names = list(tallies)
    first = next(iter(tallies.values()))
    lines = [f"{n_pairs} OCR pages ({first.words} truth words), {n_clean if n_clean is not None else len(list(CLEAN.glob('*.txt')))} clean pages "
             f"({first.clean_words} words)", ""]
    lines.append("| figure | " + " | ".join(names) + " |")
    lines.append("|---|" + "---|" * len(names))

    def row(label: str, fn) -> None:
        lines.append(f"| {label} | " + " | ".join(fn(tallies[n]) for n in names) + " |")

    row("CER", lambda t: f"{100 * t.cer_num / t.chars:.2f} %")
    row("WER", lambda t: f"{100 * t.wer_num / t.words:.2f} %")
    all_damaged = lambda t: sum(v for k, v in t.damaged.items() if k not in (OTHER, MIXED))
    all_fixed = lambda t: sum(v for k, v in t.fixed.items() if k not in (OTHER, MIXED))
    row("damaged words restored (classes 1–6)", lambda t: f"{pct(all_fixed(t), all_damaged(t))} of {all_damaged(t)}")
    for cls in CLASSES:
        row(f"  class {cls}", lambda t, c=cls: f"{pct(t.fixed[c], t.damaged[c])} of {t.damaged[c]}")
    row(f"  ({MIXED})", lambda t: f"{pct(t.fixed[MIXED], t.damaged[MIXED])} of {t.damaged[MIXED]}")
    row(f"  ({OTHER})", lambda t: f"{pct(t.fixed[OTHER], t.damaged[OTHER])} of {t.damaged[OTHER]}")
    row("correct words broken", lambda t: f"{t.broken} of {t.correct_words} (1 in {t.correct_words // t.broken if t.broken else '∞'})")
    row("words changed in clean text", lambda t: f"{t.clean_changed} of {t.clean_words}")
    row("words a second run changes (OCR pages)", lambda t: f"{t.rerun_changed} of {t.output_words}")
    row("encoding damage repaired (exact sentences)",
        lambda t: f"{sum(t.encoding_fixed.values())} of {sum(t.encoding_total.values())}")
    for kind in first.encoding_total:
        row(f"  {kind}", lambda t, k=kind: f"{t.encoding_fixed[k]} of {t.encoding_total[k]}")
    row("seconds (whole run)", lambda t: f"{t.seconds:.1f}")
    lines.append("")
    lines.append("Restored share by scan quality (classes 1–6):")
    lines.append("")
    lines.append("| quality | " + " | ".join(names) + " |")
    lines.append("|---|" + "---|" * len(names))
    for quality in sorted(by_quality):
        cells = []
        for n in names:
            t = by_quality[quality][n]
            cells.append(f"{pct(all_fixed(t), all_damaged(t))} (CER {100 * t.cer_num / t.chars:.2f} %)")
        lines.append(f"| {quality} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", default="svfix,variant,symspell,hunspell,ocr")
    parser.add_argument("--record", action="store_true", help="append the figures to RESULTS.md")
    parser.add_argument("--examples", action="store_true", help="print missed and broken words")
    args = parser.parse_args(argv)
    tallies, by_quality, n = run(args.systems.split(","))
    table = report(tallies, by_quality, n)
    print(table)
    if args.examples:
        for name, t in tallies.items():
            print(f"\n## {name}\nbroken: {', '.join(t.broken_examples)}")
            for cls, ex in t.missed_examples.items():
                print(f"missed {cls}: {', '.join(ex)}")
    if args.record:
        command = "python -m benchmarks.accuracy " + " ".join(argv if argv is not None else sys.argv[1:])
        with RESULTS.open("a", encoding="utf-8") as f:
            f.write(f"\n### Accuracy, {dt.date.today()} (`{command.strip()}`)\n\n{table}\n")


if __name__ == "__main__":
    main()

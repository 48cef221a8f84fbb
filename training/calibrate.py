"""Measure svfix on the *training* pairs, to tune its constants without touching held-out data.

Usage (from the repository root)::

    .venv/bin/python -m training.calibrate [--pairs training/work/pairs] [--limit N] [--examples]

Uses the same word-level scoring as `benchmarks/accuracy.py`, but on pages rendered from the
training texts in the training fonts. Constants in `svfix/rank.py` and `svfix/document.py`
(apply threshold, unknown-word priors, compound costs) were chosen by looking at these
figures; the benchmark then measures them once on the held-out pages.
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from pathlib import Path

import svfix
from benchmarks import accuracy
from benchmarks.accuracy import MIXED, OTHER, Tally, report, score_clean, score_pair


def load(pairs_dir: Path, limit: int | None) -> list[tuple[str, str, dict]]:
    out = []
    for meta_path in sorted(pairs_dir.glob("*.json"))[:limit]:
        stem = meta_path.name[: -len(".json")]
        truth_path = pairs_dir / f"{stem}.truth.txt"
        ocr_path = pairs_dir / f"{stem}.ocr.txt"
        if not truth_path.exists() or not ocr_path.exists():
            continue
        truth = unicodedata.normalize("NFC", truth_path.read_text(encoding="utf-8"))
        ocr = unicodedata.normalize("NFC", ocr_path.read_text(encoding="utf-8"))
        out.append((truth, ocr, json.loads(meta_path.read_text(encoding="utf-8"))))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=Path("training/work/pairs"))
    parser.add_argument("--limit", type=int)
    parser.add_argument("--examples", action="store_true")
    parser.add_argument("--set", action="append", default=[], metavar="MODULE.NAME=VALUE",
                        help="override a constant, e.g. rank.UNKNOWN_PRIOR=1.2 (for tuning)")
    parser.add_argument("--exclude", default="", help="skip pairs whose id contains this text")
    parser.add_argument("--natural-case", action="store_true",
                        help="skip pages whose truth got random capitals (training.texts.augment):"
                             " their mid-sentence 'Åtgärder' is not how Swedish is written")
    args = parser.parse_args()
    import importlib

    from svfix.lexicon import default_lexicon

    for assignment in args.set:
        name, value = assignment.split("=")
        module, attr = name.rsplit(".", 1)
        setattr(importlib.import_module(f"svfix.{module}"), attr, float(value))

    if args.examples:
        accuracy.EXAMPLE_LIMIT = 10**6  # training pages: every miss may be looked at
    lexicon = default_lexicon()
    pairs = [p for p in load(args.pairs, args.limit)
             if not args.exclude or args.exclude not in p[2].get("id", p[2].get("source", ""))]
    if args.natural_case:
        pairs = [p for p in pairs if not p[2].get("augment", {}).get("capitalized")]
    tally = Tally()
    by_quality: dict[str, dict[str, Tally]] = {}
    for truth, ocr, meta in pairs:
        out = svfix.fix(ocr)
        score_pair(truth, ocr, out, tally, lexicon)
        q = by_quality.setdefault(meta.get("quality", "?"), {}).setdefault("svfix", Tally())
        score_pair(truth, ocr, out, q, lexicon)
    # The training texts themselves are the clean pages: restoring must leave them as they are.
    clean_paths = sorted(Path("training/corpus").glob("t*.txt"))
    for path in clean_paths:
        page = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
        out = svfix.fix(page)
        score_clean(page, out, tally)
        if args.examples and out != page:
            print(f"clean page changed: {path.name}")
    print(report({"svfix": tally}, by_quality, len(pairs), len(clean_paths)))
    # More clean prose from the learning side: the context model's municipal texts. Its context
    # decisions have seen them, so this is a check on everything else (the fuzzy match above all).
    prose = Tally()
    for path in sorted(Path("wordlists/context_texts").glob("*.txt")):
        page = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
        out = svfix.fix(page)
        score_clean(page, out, prose)
        if args.examples and out != page:
            print(f"clean prose changed: {path.name}")
    scored = [c for c in tally.damaged if c not in (OTHER, MIXED)]
    print(f"exact: restored {sum(tally.fixed[c] for c in scored)} of {sum(tally.damaged[c] for c in scored)}, "
          f"broken {tally.broken}, clean words changed {tally.clean_changed}, "
          f"clean prose words changed {prose.clean_changed} of {prose.clean_words}")
    if args.examples:
        print("broken:", ", ".join(tally.broken_examples))
        for cls, examples in tally.missed_examples.items():
            if cls not in (OTHER, MIXED):
                print(f"missed {cls}:", ", ".join(examples))


if __name__ == "__main__":
    main()

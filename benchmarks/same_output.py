"""Does `svfix.correct` give exactly the output it gave before? (A guard for speed work.)

Usage (from the repository root)::

    python -m benchmarks.same_output --save REF.pickle      # record the reference
    python -m benchmarks.same_output REF.pickle [--order reverse|shuffle]

Runs `correct()` on the OCR pages of `benchmarks/corpus/ocr/`, the first 200 training OCR
pages, the first 300 files of the speed archive and `samples/text/`, and compares the text
and every change (offsets, replacement, reason, applied; confidence to 1e-9) with the
reference. `--order` runs the files in another order, because the pipeline keeps caches
across documents and their contents must never change an answer.
"""

from __future__ import annotations

import argparse
import dataclasses
import pickle
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def files() -> list[Path]:
    """The checked files, in their reference order."""
    corpus = sorted((ROOT / "benchmarks" / "corpus" / "ocr").glob("*.ocr.txt"))
    pairs = sorted((ROOT / "training" / "work" / "pairs").glob("*.ocr.txt"))[:200]
    archive = sorted((ROOT / "benchmarks" / "work" / "speed" / "archive").glob("**/*.txt"))[:300]
    samples = sorted((ROOT / "samples" / "text").glob("*"))
    return corpus + pairs + archive + samples


def run(paths: list[Path]) -> dict[str, tuple]:
    import svfix

    out = {}
    for path in paths:
        result = svfix.correct(path.read_text(encoding="utf-8"))
        out[str(path.relative_to(ROOT))] = (result.text, [dataclasses.asdict(c) for c in result.changes])
    return out


def differences(ref: dict[str, tuple], got: dict[str, tuple]) -> list[str]:
    problems = []
    for name, (text, changes) in ref.items():
        if name not in got:
            problems.append(f"{name}: missing")
            continue
        new_text, new_changes = got[name]
        if new_text != text:
            problems.append(f"{name}: text differs")
        if len(new_changes) != len(changes):
            problems.append(f"{name}: {len(changes)} changes before, {len(new_changes)} now")
            continue
        for old, new in zip(changes, new_changes):
            if {k: v for k, v in old.items() if k != "confidence"} != \
                    {k: v for k, v in new.items() if k != "confidence"} \
                    or abs(old["confidence"] - new["confidence"]) > 1e-9:
                problems.append(f"{name}: {old} became {new}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference", nargs="?")
    parser.add_argument("--save")
    parser.add_argument("--order", choices=("same", "reverse", "shuffle"), default="same")
    args = parser.parse_args()
    import svfix

    print(f"svfix from {svfix.__file__}", file=sys.stderr)
    paths = files()
    if args.order == "reverse":
        paths = paths[::-1]
    elif args.order == "shuffle":
        random.Random(1).shuffle(paths)
    started = time.perf_counter()
    got = run(paths)
    print(f"{len(paths)} files in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if args.save:
        Path(args.save).write_bytes(pickle.dumps(got))
        return
    ref = pickle.loads(Path(args.reference).read_bytes())
    problems = differences(ref, got)
    if len(ref) != len(got):
        problems.append(f"{len(ref)} files in the reference, {len(got)} now")
    for line in problems[:30]:
        print(line)
    print(f"{'DIFFERENT' if problems else 'IDENTICAL'}: {len(problems)} problems over {len(got)} files")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

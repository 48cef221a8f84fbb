"""Make the held-out accuracy corpus: clean pages → rendered scans → `tesseract -l eng` output.

Usage (from the repository root)::

    .venv/bin/python -m benchmarks.make_eval_pairs [--workers 2]

Each page of `benchmarks/corpus/clean/` is rendered in two configurations drawn from the
EVAL fonts (design families the confusion model never saw: Palatino-, Cambria-, Bookman-,
Libertine-, Noto- and narrow-sans faces) and all four scan qualities, degraded and OCR'd with
the real English Tesseract model, like `training/make_pairs.py` does for the training pages.
The results are committed in `benchmarks/corpus/ocr/` (`<id>.truth.txt`, `<id>.ocr.txt`,
`<id>.json`) so that the accuracy benchmark is reproducible without rerunning Tesseract;
existing pairs are kept.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import zlib
from pathlib import Path

from training import ocrsim

ROOT = Path(__file__).resolve().parent
CLEAN = ROOT / "corpus" / "clean"
OUT = ROOT / "corpus" / "ocr"
QUALITIES = ("clean", "office", "noisy", "poor")
SIZES = (9, 10, 10.5, 11, 12)


def plan() -> list[dict]:
    fonts = sorted(ocrsim.FONTS_EVAL)
    jobs = []
    for n, path in enumerate(sorted(CLEAN.glob("*.txt"))):
        seed = zlib.crc32(path.name.encode())
        for k in range(2):
            jobs.append({
                "id": f"{path.stem}--{k}",
                "source": path.name,
                "font": fonts[(n * 2 + k) % len(fonts)],
                "quality": QUALITIES[(n + k * 2) % len(QUALITIES)],
                "size": SIZES[(seed + k) % len(SIZES)],
                "seed": seed + k,
            })
    return jobs


def run_job(job: dict) -> str:
    text = (CLEAN / job["source"]).read_text(encoding="utf-8")
    pair = ocrsim.simulate(text, job["font"], job["size"], job["quality"], job["seed"], "eng")
    (OUT / f"{job['id']}.truth.txt").write_text(pair.truth + "\n", encoding="utf-8")
    (OUT / f"{job['id']}.ocr.txt").write_text(pair.ocr + "\n", encoding="utf-8")
    meta = {"source": job["source"], **pair.meta(), "tesseract": ocrsim.tesseract_version()}
    (OUT / f"{job['id']}.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return job["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    todo = [j for j in plan() if not (OUT / f"{j['id']}.json").exists()]
    print(f"{len(todo)} pages to make")
    with cf.ProcessPoolExecutor(args.workers) as pool:
        for done in pool.map(run_job, todo):
            print(done, flush=True)


if __name__ == "__main__":
    main()

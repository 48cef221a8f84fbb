"""Make (truth, OCR) page pairs for learning the OCR confusion model.

Usage (from the repository root)::

    .venv/bin/python -m training.make_pairs                       # default inputs
    .venv/bin/python -m training.make_pairs /work/shared/data training/corpus cfi-sv \\
        --out training/work/pairs --configs-per-chunk 3 --workers 2 --max-pages 1000

Every ``.txt`` file in the input directories (or given as files) is cut into
page-sized chunks of 250-400 words (``training.texts.chunk_text``); the special
input ``cfi-sv`` stands for the prose of the Debian package cfi-sv (public
domain). Each chunk is rendered in ``--configs-per-chunk`` configurations drawn
deterministically from the grid TRAIN font x size (9-12 pt) x quality preset,
with distinct fonts, then degraded and read by ``tesseract -l eng``. For each
page ``<id>.truth.txt``, ``<id>.ocr.txt`` and ``<id>.json`` are written to the
output directory. Existing pages are skipped, so the command can be re-run to
pick up new input files. Held-out texts (anything under ``benchmarks/``) are
refused.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import random
import re
import sys
import time
import zlib
from pathlib import Path

from training import ocrsim, texts

DEFAULT_INPUTS = ["/work/shared/data", "training/corpus", "cfi-sv"]
DEFAULT_OUT = "training/work/pairs"
SIZES = (9, 10, 11, 12)


def _slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", s).strip("-")[:40] or "x"


def collect_sources(inputs: list[str], cache_dir: Path) -> list[tuple[str, str]]:
    """Return ``[(source_name, text)]`` for the inputs; refuses held-out paths."""
    out: list[tuple[str, str]] = []
    for inp in inputs:
        if inp == "cfi-sv":
            cache = cache_dir / "cfi-sv.txt"
            if not cache.exists():
                cache.parent.mkdir(parents=True, exist_ok=True)
                cache.write_text(texts.extract_cfi(), encoding="utf-8")
            out.append(("cfi-sv", cache.read_text(encoding="utf-8")))
            continue
        p = Path(inp)
        if texts.is_held_out(p):
            raise SystemExit(f"refusing held-out evaluation data: {p}")
        files = sorted(p.glob("*.txt")) if p.is_dir() else [p]
        for f in files:
            if texts.is_held_out(f):
                raise SystemExit(f"refusing held-out evaluation data: {f}")
            if f.is_file():
                out.append((_slug(f.stem), texts.read_text(f)))
    return out


def plan(sources, configs_per_chunk: int, fonts: list[str], qualities: list[str],
         sizes=SIZES, augment: bool = True, corpus_configs: int | None = None) -> list[dict]:
    """All page jobs, each a dict with id, text, font, size, quality, seed.

    Chunks of ``cfi-sv`` get *configs_per_chunk* renderings; chunks of the other
    (municipal) sources get *corpus_configs* (default: the same).
    """
    jobs = []
    for name, text in sources:
        n_cfg = configs_per_chunk if name == "cfi-sv" or corpus_configs is None else corpus_configs
        for ci, chunk in enumerate(texts.chunk_text(text, name)):
            h = zlib.crc32(f"{name}:{ci}:{chunk[:200]}".encode())
            rng = random.Random(h)
            chosen = rng.sample(fonts, min(n_cfg, len(fonts)))
            for k, font in enumerate(chosen):
                size = rng.choice(sizes)
                quality = rng.choice(qualities)
                seed = (h * 31 + k * 7919) & 0x7FFFFFFF
                aug = {}
                page_text = chunk
                if augment:
                    page_text, aug = texts.augment(chunk, seed)
                pid = f"{name}_{ci:03d}_{k}_{font}_{size}_{quality}"
                jobs.append(dict(id=pid, source=name, chunk=ci, text=page_text, font=font,
                                 size=size, quality=quality, seed=seed, augment=aug))
    # stable pseudo-random order so that --max-pages takes a mix of everything
    jobs.sort(key=lambda j: zlib.crc32(j["id"].encode()))
    return jobs


def _coverage(truth: str, ocr: str) -> float:
    t = len("".join(truth.split()))
    return len("".join(ocr.split())) / t if t else 1.0


def run_job(job: dict, out_dir: str, lang: str = "eng", psm: int = 3,
            fallback_psm: int | None = 6, save_images: bool = False) -> dict:
    """Make one page pair and write its three files; returns the metadata."""
    t0 = time.time()
    r = ocrsim.simulate(job["text"], job["font"], job["size"], job["quality"], job["seed"],
                        lang=lang, psm=psm)
    used_psm, ocr_text, cov = psm, r.ocr, _coverage(r.truth, r.ocr)
    if fallback_psm is not None and cov < 0.8:
        # page segmentation lost blocks of text (treated noise as picture); a
        # uniform-block read still shows the character confusions we want
        alt = ocrsim.ocr(r.image, lang=lang, psm=fallback_psm)
        if _coverage(r.truth, alt) > cov:
            used_psm, ocr_text, cov = fallback_psm, alt, _coverage(r.truth, alt)
    meta = r.meta()
    meta.update(id=job["id"], source=job["source"], chunk=job["chunk"], lang=lang, psm=used_psm,
                coverage=round(cov, 3), augment=job["augment"], requested_size_pt=job["size"],
                tesseract=ocrsim.tesseract_version(), seconds=round(time.time() - t0, 2))
    out = Path(out_dir)
    (out / f"{job['id']}.truth.txt").write_text(r.truth + "\n", encoding="utf-8")
    (out / f"{job['id']}.ocr.txt").write_text(ocr_text + "\n", encoding="utf-8")
    if save_images:
        r.image.save(out / f"{job['id']}.png", dpi=r.image.info.get("dpi", (300, 300)))
    # the .json is written last: its presence marks the pair as complete
    (out / f"{job['id']}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1),
                                           encoding="utf-8")
    return meta


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("inputs", nargs="*", default=DEFAULT_INPUTS,
                    help="directories of .txt files, .txt files, or 'cfi-sv'")
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--cache", default="training/work/texts", help="where extracted texts go")
    ap.add_argument("--configs-per-chunk", type=int, default=3, help="renderings per cfi-sv chunk")
    ap.add_argument("--corpus-configs", type=int, default=5,
                    help="renderings per chunk of the other (municipal) sources")
    ap.add_argument("--fonts", default=",".join(ocrsim.FONTS_TRAIN),
                    help="comma-separated FONTS_TRAIN keys")
    ap.add_argument("--qualities", default=",".join(ocrsim.QUALITIES))
    ap.add_argument("--max-pages", type=int, default=0, help="stop after this many new pages")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--lang", default="eng")
    ap.add_argument("--psm", type=int, default=3)
    ap.add_argument("--no-augment", action="store_true")
    ap.add_argument("--save-images", action="store_true")
    ap.add_argument("--dry-run", action="store_true", help="only print the plan")
    args = ap.parse_args(argv)

    fonts = [f for f in args.fonts.split(",") if f]
    for f in fonts:
        if f in ocrsim.FONTS_EVAL or f not in ocrsim.FONTS_TRAIN:
            raise SystemExit(f"not a training font: {f}")
    qualities = [q for q in args.qualities.split(",") if q]
    sources = collect_sources(args.inputs, Path(args.cache))
    jobs = plan(sources, args.configs_per_chunk, fonts, qualities, augment=not args.no_augment,
                corpus_configs=args.corpus_configs)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    todo = [j for j in jobs if not (out / f"{j['id']}.json").exists()]
    n_missing = len(todo)
    if args.max_pages:
        todo = todo[: args.max_pages]
    print(f"{len(sources)} sources, {len(jobs)} planned pages, {len(jobs) - n_missing} already made, "
          f"making {len(todo)} now", file=sys.stderr)
    if args.dry_run:
        for j in todo[:20]:
            print(j["id"])
        return 0
    t0 = time.time()
    done = 0
    with cf.ProcessPoolExecutor(max_workers=args.workers) as ex:
        futs = {ex.submit(run_job, j, str(out), args.lang, args.psm, 6, args.save_images): j
                for j in todo}
        for fut in cf.as_completed(futs):
            j = futs[fut]
            try:
                meta = fut.result()
            except Exception as exc:  # keep going; report at the end
                print(f"FAILED {j['id']}: {exc}", file=sys.stderr)
                continue
            done += 1
            if done % 10 == 0 or done == len(todo):
                el = time.time() - t0
                print(f"{done}/{len(todo)} pages, {el:.0f}s, {el / done:.2f}s/page wall "
                      f"(last {meta['seconds']}s cpu-side, psm {meta['psm']}, cov {meta['coverage']})",
                      file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""OCR benchmark on samples/scans: text layer vs Tesseract swe vs swe + svfix, merge, speed.

    .venv/bin/python -m benchmarks.ocr_bench                 # main table
    .venv/bin/python -m benchmarks.ocr_bench --preprocess    # + preprocessing study
    .venv/bin/python -m benchmarks.ocr_bench --tune-merge    # merge constants on training pages

Each sample page is read by Tesseract once per preprocessing setting; every reading is then
scored as it is (b), after `svfix.fix` (c), merged with the PDF's old English-model layer (m)
and merged then fixed (m+c); (a) is the old layer itself. Figures are CER/WER from
benchmarks/metrics.py against the `<name>.truth.txt` next to each sample. Speed is the whole
`svfix ocr` pipeline (`svfix.ocr.read_files`, default options) in pages per second per core,
and pages per CPU-second of Tesseract (less sensitive to other load on the machine).

Word validity (for the noise filter and the merge) is what the package uses: `svfix.lexicon`
when its data is built, else none. ``--validity wordfreq`` swaps in wordfreq's Swedish list,
in this benchmark only, to see what a (web-frequency) word list does to the merge.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import inspect
import os
import pickle
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

from benchmarks.metrics import char_errors, word_errors  # noqa: E402
from svfix.ocr import images, pdf, preprocess, tesseract  # noqa: E402
import svfix.ocr.merge as merge_mod  # noqa: E402
from svfix.ocr.symbols import repair_symbols  # noqa: E402
from svfix.ocr.pages import OcrOptions, count_pages, default_jobs, read_files  # noqa: E402

SAMPLES = ROOT / "samples" / "scans"
CLEAN = {"s01-clean-eng-layer.pdf", "s02-clean-image-only.pdf", "s07-born-digital.pdf"}

PREPROCESS_CONFIGS: dict[str, tuple[str, ...]] = {
    "none": (),
    "grayscale": ("grayscale",),
    "binarize": ("grayscale", "binarize"),
    "deskew": ("grayscale", "deskew"),
    "upscale": ("grayscale", "upscale"),
    "denoise": ("grayscale", "denoise"),
    "denoise+deskew": ("grayscale", "deskew", "denoise"),
    "denoise+binarize": ("grayscale", "denoise", "binarize"),
}


def validity(name: str):
    if name == "none":
        return None
    if name == "lexicon":
        from svfix.ocr.damage import default_validity

        return default_validity()
    from wordfreq import zipf_frequency

    return lambda word: zipf_frequency(word, "sv") >= 1.5


def sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("s*.*") if not p.name.endswith(".truth.txt"))


def truth_pages(path: Path) -> list[str]:
    text = (path.parent / f"{path.stem}.truth.txt").read_text(encoding="utf-8")
    return text.rstrip("\n").split("\f")


@dataclass
class PageRun:
    layer: str | None
    reading: tesseract.Reading
    cpu: float


def ocr_page(path: str, kind: str, index: int, steps: tuple[str, ...], lang: str, dpi: int):
    """(layer text, Reading, CPU seconds) of one page; a plain tuple so that it pickles."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    layer = pdf.text_layer(path, index) if kind == "pdf" else None
    image = pdf.rasterize(path, index, dpi) if kind == "pdf" else images.load_frame(path, index)
    image = preprocess.prepare(image, steps)
    reading = tesseract.read_image(image, lang=lang, dpi=int(image.info["dpi"][0]))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return layer, reading, cpu


@dataclass
class Score:
    ce: int = 0
    cn: int = 0
    we: int = 0
    wn: int = 0
    pages: int = 0

    def add(self, ref: str, hyp: str) -> None:
        e, n = char_errors(ref, hyp)
        self.ce, self.cn = self.ce + e, self.cn + n
        e, n = word_errors(ref, hyp)
        self.we, self.wn = self.we + e, self.wn + n
        self.pages += 1

    def __iadd__(self, other: "Score") -> "Score":
        self.ce += other.ce
        self.cn += other.cn
        self.we += other.we
        self.wn += other.wn
        self.pages += other.pages
        return self

    @property
    def cer(self) -> float:
        return self.ce / self.cn if self.cn else 0.0

    @property
    def wer(self) -> float:
        return self.we / self.wn if self.wn else 0.0

    def cell(self) -> str:
        return f"{100 * self.cer:.2f} / {100 * self.wer:.1f}" if self.pages else "—"


@dataclass
class SampleScores:
    layer: Score = field(default_factory=Score)
    swe: Score = field(default_factory=Score)
    swe_clean: Score = field(default_factory=Score)
    swe_fix: Score = field(default_factory=Score)
    layer_pages_swe: Score = field(default_factory=Score)
    merged: Score = field(default_factory=Score)
    merged_fix: Score = field(default_factory=Score)
    cpu: float = 0.0

    def __iadd__(self, other: "SampleScores") -> "SampleScores":
        for name in ("layer", "swe", "swe_clean", "swe_fix", "layer_pages_swe", "merged",
                     "merged_fix"):
            getattr(self, name).__iadd__(getattr(other, name))
        self.cpu += other.cpu
        return self


CACHE = ROOT / "benchmarks" / "work" / "ocr_cache"


def _cache_key(path: str, index: int, steps: tuple[str, ...], lang: str, dpi: int) -> Path:
    data = Path(path).read_bytes()
    code = [inspect.getsource(preprocess.STEPS[name]) for name in steps]
    if "deskew" in steps:
        code += [inspect.getsource(preprocess.estimate_skew), inspect.getsource(preprocess._profile_score)]
    parts = (hashlib.sha1(data).hexdigest(), index, steps, lang, tesseract.version(), code)
    blob = repr(parts if dpi == 300 else parts + (dpi,))
    return CACHE / (hashlib.sha1(blob.encode()).hexdigest() + ".pickle")


def run_ocr(files: list[Path], steps: tuple[str, ...], jobs: int, lang: str = "swe",
            max_pages: int | None = None, dpi: int | None = None):
    """OCR every page of `files` once (in parallel); {file: [PageRun per page]}.

    Readings are cached in benchmarks/work/ocr_cache (keyed by file content, page, steps,
    language, Tesseract version and the preprocessing code).
    """
    tasks = []
    for path in files:
        kind, count = count_pages(path)
        for i in range(min(count, max_pages or count)):
            # images are read at their own resolution; the dpi only matters for PDF pages
            page_dpi = pdf.render_dpi(path, i, dpi) if kind == "pdf" else 300
            tasks.append((str(path), kind, i, page_dpi))
    CACHE.mkdir(parents=True, exist_ok=True)
    keys = [_cache_key(p, i, steps, lang, d) for p, _, i, d in tasks]
    runs: list[PageRun | None] = [
        PageRun(*pickle.loads(k.read_bytes())) if k.exists() else None for k in keys]
    todo = [n for n, r in enumerate(runs) if r is None]
    if todo:
        with concurrent.futures.ProcessPoolExecutor(jobs) as pool:
            futures = {n: pool.submit(ocr_page, *tasks[n][:3], steps, lang, tasks[n][3])
                       for n in todo}
            for n, future in futures.items():
                result = future.result()
                keys[n].write_bytes(pickle.dumps(result))
                runs[n] = PageRun(*result)
    out: dict[str, list[PageRun]] = {}
    for (path, _, _, _), run in zip(tasks, runs):
        out.setdefault(path, []).append(run)
    return out


def score_runs(files, runs, is_valid, fix) -> dict[str, SampleScores]:
    """Score every reading as (b) raw, (b') cleaned up (noise words dropped, "§"/"@"
    repaired), (c) cleaned up and fixed, (m) cleaned up and merged with the layer, (m+c)."""
    result = {}
    for path in files:
        truths = truth_pages(path)
        pages = runs[str(path)]
        assert len(truths) >= len(pages), (path, len(truths), len(pages))
        s = SampleScores()
        for truth, run in zip(truths, pages):
            s.cpu += run.cpu
            clean = merge_mod.drop_noise(run.reading, is_valid=is_valid)
            clean_text = repair_symbols(clean.text)
            s.swe.add(truth, run.reading.text)
            s.swe_clean.add(truth, clean_text)
            s.swe_fix.add(truth, fix(clean_text))
            if run.layer and run.layer.strip():
                s.layer.add(truth, run.layer)
                s.layer_pages_swe.add(truth, clean_text)
                merged = repair_symbols(merge_mod.merge(run.layer, clean, is_valid=is_valid).text)
                s.merged.add(truth, merged)
                s.merged_fix.add(truth, fix(merged))
        result[path.name] = s
    return result


def pipeline_run(files: list[Path], jobs: int) -> tuple[dict[str, Score], int, float, float]:
    """`svfix ocr` with its default options (triage + merge + fix) on `files`:
    ({sample: Score}, pages, wall seconds, CPU seconds of the workers and Tesseract)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out, pages = {}, 0
    for result in read_files(files, OcrOptions(), jobs=jobs):
        s = Score()
        for truth, page in zip(truth_pages(Path(result.path)), result.pages):
            s.add(truth, page.text)
        out[Path(result.path).name] = s
        pages += len(result.pages)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return out, pages, wall, cpu


def main_table(args, fix) -> str:
    files = sample_files()
    is_valid = validity(args.validity)
    runs = run_ocr(files, preprocess.DEFAULT_STEPS, args.jobs)
    scores = score_runs(files, runs, is_valid, fix)
    pipeline, pages, wall, cpu = pipeline_run(files, args.jobs)
    lines = [
        "CER % / WER % against the ground truth (NFC, whitespace collapsed).",
        "",
        "| sample | pages | (a) old eng layer | (b) tesseract swe | (b') + OCR clean-up "
        "| (c) swe + svfix | `svfix ocr` output |",
        "|---|---|---|---|---|---|---|",
    ]
    clean_total, noisy_total, total = SampleScores(), SampleScores(), SampleScores()
    for name, s in scores.items():
        lines.append(
            f"| {name} | {s.swe.pages} | {s.layer.cell()} | {s.swe.cell()} | {s.swe_clean.cell()} "
            f"| {s.swe_fix.cell()} | {pipeline[name].cell()} |")
        (clean_total if name in CLEAN else noisy_total).__iadd__(s)
        total += s
    pipe_all = Score()
    for sc in pipeline.values():
        pipe_all += sc
    for label, s in (("clean 300 dpi", clean_total), ("noisy / 200 dpi", noisy_total),
                     ("**all**", total)):
        lines.append(f"| {label} | {s.swe.pages} | {s.layer.cell()} | {s.swe.cell()} | "
                     f"{s.swe_clean.cell()} | {s.swe_fix.cell()} | "
                     f"{pipe_all.cell() if label == '**all**' else ''} |")
    lines += ["", "Merge, on the pages that have an old text layer (CER % / WER %):", "",
              "| sample | pages | (a) layer alone | (b') swe alone | (m) merged | (m+c) merged + svfix |",
              "|---|---|---|---|---|---|"]
    merged_total = SampleScores()
    for name, s in scores.items():
        if s.layer.pages:
            merged_total += s
            lines.append(f"| {name} | {s.layer.pages} | {s.layer.cell()} | {s.layer_pages_swe.cell()} "
                         f"| {s.merged.cell()} | {s.merged_fix.cell()} |")
    m = merged_total
    lines.append(f"| **all** | {m.layer.pages} | {m.layer.cell()} | {m.layer_pages_swe.cell()} | "
                 f"{m.merged.cell()} | {m.merged_fix.cell()} |")
    ocr_cpu = sum(s.cpu for s in scores.values()) / max(1, total.swe.pages)
    lines += ["", f"Speed: the default pipeline read {pages} pages in {wall:.1f} s with "
              f"jobs={args.jobs} on {os.cpu_count()} cores: {pages / wall / args.jobs:.2f} pages/s "
              f"per core (wall clock); {pages / cpu:.2f} pages per CPU-second (user+sys of the "
              f"workers and Tesseract, which is what one free core delivers); rasterize + "
              f"Tesseract alone: {ocr_cpu:.2f} CPU-s per page."]
    return "\n".join(lines)


def preprocess_table(args) -> str:
    """CER % of Tesseract swe (raw) on the first page of each sample, per preprocessing."""
    files = sample_files()
    lines = ["| preprocessing | " + " | ".join(f.name.split("-", 1)[0] for f in files) +
             " | clean | noisy | all | CPU-s/page |",
             "|---|" + "---|" * (len(files) + 4)]
    for name, steps in PREPROCESS_CONFIGS.items():
        runs = run_ocr(files, steps, args.jobs, max_pages=1)
        scores = score_runs(files, runs, None, lambda t: t)
        clean, noisy, total = Score(), Score(), Score()
        for f in files:
            s = scores[f.name].swe
            (clean if f.name in CLEAN else noisy).__iadd__(s)
            total += s
        cpu = sum(s.cpu for s in scores.values()) / max(1, total.pages)
        lines.append(f"| {name} | " + " | ".join(f"{100 * scores[f.name].swe.cer:.2f}" for f in files)
                     + f" | {100 * clean.cer:.2f} | {100 * noisy.cer:.2f} | {100 * total.cer:.2f} | {cpu:.1f} |")
        print(lines[-1], file=sys.stderr, flush=True)
    return "\n".join(lines)


def tune_merge(args) -> str:
    """Merge constants on pages rendered from training/corpus (never from the samples' texts).

    Six pages (three clean at 300 dpi, three noisy at 200 dpi, TRAIN fonts) are read by
    Tesseract eng (the "old layer") and swe, once (cached in benchmarks/work/tune_pages.pickle);
    then the merge is scored for a grid of `Weights`.
    """
    from training.ocrsim import ScanParams

    cache = ROOT / "benchmarks" / "work" / "tune_pages.pickle"
    if cache.exists():
        pages = pickle.loads(cache.read_bytes())
    else:
        noisy = ScanParams(dpi=200, blur=0.8, ink=40, paper=220, noise=13, salt_pepper=0.001,
                           speckles=30, rotation=1.0, jpeg=55)
        texts = sorted((ROOT / "training" / "corpus").glob("*.txt"))[:6]
        fonts = ["LiberationSerif", "C059", "DejaVuSerif"]
        jobs_in = [(t.read_text(encoding="utf-8")[:2000], fonts[i % 3], noisy if i % 2 else None,
                    900 + i) for i, t in enumerate(texts)]
        with concurrent.futures.ProcessPoolExecutor(args.jobs) as pool:
            pages = list(pool.map(_tune_page, jobs_in))
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps(pages))
    is_valid = validity(args.validity)
    a, b, bn = Score(), Score(), Score()
    for truth, layer, reading in pages:
        a.add(truth, layer)
        b.add(truth, reading.text)
        bn.add(truth, merge_mod.drop_noise(reading, is_valid=is_valid).text)
    lines = [f"Training pages: {len(pages)}; (a) eng layer {a.cell()}, (b) swe {b.cell()}, "
             f"(b') swe + noise filter {bn.cell()} (CER % / WER %).", "",
             "| low_conf \\ witness_conf | " + " | ".join(str(w) for w in (35, 50, 70, 85)) + " |",
             "|---|---|---|---|---|"]
    for low in (0, 60, 75, 85, 90, 95):
        cells = []
        for witness in (35, 50, 70, 85):
            m = Score()
            weights = merge_mod.Weights(low_conf=low, witness_conf=witness)
            for truth, layer, reading in pages:
                clean = merge_mod.drop_noise(reading, is_valid=is_valid)
                m.add(truth, merge_mod.merge(layer, clean, is_valid=is_valid, weights=weights).text)
            cells.append(m.cell())
        lines.append(f"| {low} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _tune_page(job):
    from training import ocrsim

    text, font, params, seed = job
    font_path = ocrsim._font_path(font)
    dpi = params.dpi if params else 300
    lines = ocrsim.wrap(text, ocrsim.load_font(font_path, 11, dpi * 2), ocrsim.text_width_px(dpi * 2))
    img = ocrsim.render_page(lines, font_path, 11, dpi)
    if params:
        img = ocrsim.degrade(img, params, seed)
    layer = ocrsim.ocr(img, lang="eng")
    reading = tesseract.read_image(preprocess.prepare(img), lang="swe", dpi=dpi)
    return "\n".join(lines), layer, reading


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--validity", choices=("lexicon", "wordfreq", "none"), default="lexicon")
    parser.add_argument("--no-fix", action="store_true", help="score (c) with fix = identity")
    parser.add_argument("--preprocess", action="store_true", help="run the preprocessing study")
    parser.add_argument("--tune-merge", action="store_true", help="tune merge constants")
    parser.add_argument("--skip-main", action="store_true")
    parser.add_argument("--write", action="store_true",
                        help="also put the tables in benchmarks/RESULTS.md (its OCR section)")
    args = parser.parse_args()
    tesseract.check("swe")
    if args.no_fix:
        def fix(text: str) -> str:
            return text
    else:
        import svfix

        fix = svfix.fix
    out = []
    if not args.skip_main:
        out.append(main_table(args, fix))
    if args.preprocess:
        out.append(preprocess_table(args))
    if args.tune_merge:
        out.append(tune_merge(args))
    report = "\n\n".join(out)
    print(report)
    if args.write:
        write_results(report, args)


START, END = "<!-- ocr_bench:start -->", "<!-- ocr_bench:end -->"


def write_results(report: str, args) -> None:
    """Replace the OCR section of benchmarks/RESULTS.md (between its markers) by `report`."""
    import platform

    flags = " ".join(sys.argv[1:])
    header = (f"## OCR (benchmarks/ocr_bench.py)\n\nCommand: `python -m benchmarks.ocr_bench {flags}`  \n"
              f"Date: {time.strftime('%Y-%m-%d')}, tesseract {'.'.join(map(str, tesseract.version()))} "
              f"(swe, eng from Debian), Python {platform.python_version()}, {os.cpu_count()} cores.  \n"
              "Samples: samples/scans (see its README). Word validity: "
              f"{args.validity}.\n\n")
    section = f"{START}\n{header}{report}\n{END}"
    path = ROOT / "benchmarks" / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if START in text and END in text:
        text = text[:text.index(START)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

"""Speed of `svfix batch` on a large synthetic archive of damaged reports, against the baselines.

Usage (from the repository root)::

    .venv/bin/python -m benchmarks.speed [--files 2000] [--mb 20] [--record]

One run measures, on the same generated archive:

* MB/s and words/s of `svfix batch` with 1 and with 2 workers (whole command: start-up,
  walking, decoding, correcting, atomic writes, manifest and change log), and the speed-up;
  each run starts after `os.sync()`, so none pays for writing back an earlier run's output,
  and writes into a folder of its own that is deleted only after the last run (see
  `run_batch`: a deletion just before a run slowed its file creation on this disk).
  The runs alternate (1, 2, 1, 2, ... workers, `--rounds` of each) and the fastest of each is
  reported, every round's figure beside it: on a shared 2-core machine, a neighbour's load
  only ever slows a run down, and the same code measured 1.65× to 1.83× in single runs;
* start-up time: the whole `svfix batch` command on a one-file archive, and `warm_up()` alone;
* peak resident memory: the largest single process (VmHWM) and the whole process tree
  (sum of PSS, so pages the forked workers share are counted once);
* words/s of the two baselines of `benchmarks.baselines` (SymSpell and the ≥10× diacritic
  variant script), single process, dictionary building excluded (reported apart).

The archive (`benchmarks/work/speed/archive/`, not committed; regenerated when missing) is
built deterministically from the clean pages of `benchmarks/corpus/clean/` and
`shared/data/`: paragraphs are drawn at random into reports of about 10 kB, one word in ten is
swapped for a random word of wordfreq's Swedish top 100,000 (so the vocabulary has a real long
tail instead of repeating a hundred pages), and the text is damaged with the learned
confusion table `svfix/data/confusions.json` (each character c becomes OCR output o with
the table's P(o | c); its single-character substitutions and deletions are used, insertions
and multi-character events are left out); without that table, å/ä/ö lose their dots with
p = 0.6.

`--record` writes the figures, the command and the date to `benchmarks/RESULTS.md` under
"## Speed (benchmarks/speed.py)", replacing what an earlier run wrote there (up to the marker
`<!-- speed:end -->`; notes after the marker stay).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent
REPO = ROOT.parent
WORK = ROOT / "work" / "speed"
RESULTS = ROOT / "RESULTS.md"
CLEAN_DIRS = (ROOT / "corpus" / "clean", REPO.parent / "shared" / "data")
CONFUSIONS = REPO / "svfix" / "data" / "confusions.json"
HEADING = "## Speed (benchmarks/speed.py)"
TARGETS = {"mb_per_s_per_core": 5.0, "speedup": 1.8, "peak_mb": 500.0}
SEED = 20240601


# --- the archive ---------------------------------------------------------------------------


def clean_paragraphs() -> list[str]:
    paragraphs = []
    for folder in CLEAN_DIRS:
        for path in sorted(folder.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            paragraphs += [p.strip() for p in regex.split(r"\n\s*\n", text) if p.strip()]
    if not paragraphs:
        raise SystemExit(f"no clean text found in {', '.join(map(str, CLEAN_DIRS))}")
    return paragraphs


class Damage:
    """OCR damage drawn from the learned confusion table (or plain dot-dropping without it)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.table: dict[str, tuple[list[str], list[float]]] = {}
        if CONFUSIONS.exists():
            data = json.loads(CONFUSIONS.read_text(encoding="utf-8"))
            totals = data.get("truth_counts", {})
            for event in data["events"]:
                truth = event["truth"]
                # single-character substitutions and deletions; insertions and n-grams left out
                if len(truth) != 1 or truth == event["ocr"] or truth.isspace():
                    continue
                p = event.get("p") or event["count"] / totals.get(truth, float("inf"))
                if p > 0:
                    outs, probs = self.table.setdefault(truth, ([], []))
                    outs.append(event["ocr"])
                    probs.append(p)
            self.source = f"learned confusion table ({CONFUSIONS.relative_to(REPO)})"
        else:
            for truth, ocr in zip("åäöÅÄÖ", "aaoAAO"):
                self.table[truth] = ([ocr], [0.6])
            self.source = "å/ä/ö lose their dots with p = 0.6 (no confusion table yet)"
        self.pattern = regex.compile("[" + regex.escape("".join(self.table)) + "]")

    def _one(self, match: regex.Match[str]) -> str:
        char = match.group()
        outs, probs = self.table[char]
        r = self.rng.random()
        for out, p in zip(outs, probs):
            if r < p:
                return out
            r -= p
        return char

    def __call__(self, text: str) -> str:
        return self.pattern.sub(self._one, text)


def make_archive(target: Path, files: int, mb: float) -> dict[str, object]:
    """Write the archive; returns its description. Deterministic for given files/mb."""
    import wordfreq

    rng = random.Random(SEED)
    paragraphs = clean_paragraphs()
    pool = [w for w in wordfreq.top_n_list("sv", 100_000)[1000:] if w.isalpha()]
    damage = Damage(rng)
    word = regex.compile(r"\b\p{Ll}{4,}\b")
    if target.exists():
        shutil.rmtree(target)
    mean = mb * 1e6 / files
    total = count = 0
    while count < files or total < mb * 1e6:
        size = min(6 * mean, max(0.2 * mean, rng.lognormvariate(0, 0.5) * mean))
        parts: list[str] = [f"Rapport {count + 1}"]
        length = 0
        while length < size:
            paragraph = rng.choice(paragraphs)
            parts.append(paragraph)
            length += len(paragraph) + 2
        text = "\n\n".join(parts) + "\n"
        text = word.sub(lambda m: rng.choice(pool) if rng.random() < 0.1 else m.group(), text)
        raw = damage(text).encode("utf-8")
        year, board = 1990 + count % 30, ("ks", "bun", "sn", "tn", "mbn")[count % 5]
        path = target / str(year) / board / f"rapport-{count:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        total += len(raw)
        count += 1
    return {"files": count, "bytes": total, "damage": damage.source}


def archive(files: int, mb: float) -> tuple[Path, dict[str, object]]:
    target = WORK / "archive"
    stamp = WORK / "archive.json"
    want = {"files": files, "mb": mb, "seed": SEED, "confusions": CONFUSIONS.exists()}
    if stamp.exists() and target.exists():
        meta = json.loads(stamp.read_text())
        if meta.get("params") == want:
            return target, meta
    meta = {"params": want, **make_archive(target, files, mb)}
    stamp.write_text(json.dumps(meta))
    return target, meta


# --- measuring -----------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo += children.get(p, [])
    return tree


def _kb(path: str, field: str) -> int:
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemoryWatch:
    """Polls a process tree: peak VmHWM of any one process, peak sum of PSS over the tree.

    Four times a second: reading smaps_rollup makes the kernel walk a process's page tables
    (about 1 ms for a 300 MB worker), and on a 2-core machine a faster poll takes a tenth of a
    core from the workers it measures. The memory of a batch grows steadily, so the peak is
    not missed.
    """

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid, self.interval = pid, interval
        self.peak_process_kb = self.peak_tree_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.is_set():
            pss = 0
            for p in _tree(self.pid):
                self.peak_process_kb = max(self.peak_process_kb, _kb(f"/proc/{p}/status", "VmHWM:"))
                pss += _kb(f"/proc/{p}/smaps_rollup", "Pss:")
            self.peak_tree_kb = max(self.peak_tree_kb, pss)
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run_batch(src: Path, jobs: int, out: Path) -> dict[str, object]:
    """One `svfix batch` run into `out`, a folder no run used before.

    The output stays until every run is done (`main` deletes them all): this machine's disk is
    ext4 without a journal, where a new file skips every inode freed in the last minute (in
    the last six while its inode block is unwritten; the kernel's `recently_deleted`), so
    deleting one run's 2,000 outputs just before the next made that run scan past them on every
    file it created (5 % of a 2-worker run's CPU samples under perf; 0.02 % without).
    """
    os.sync()  # no run pays for writing back an earlier run's 190 MB of texts and change log
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "svfix", "batch", str(src), str(out), "-j", str(jobs), "--json",
         "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
    )
    watch = MemoryWatch(proc.pid)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    watch.stop()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"svfix batch -j {jobs} failed ({proc.returncode}):\n{stderr}")
    summary = json.loads(stdout)
    # Rates over the whole command's wall time: the interpreter's start and the last commit
    # to disk count too, not only the span `svfix batch` times itself.
    summary["batch_mb_per_s"] = summary["mb_per_s"]
    summary["mb_per_s"] = summary["bytes"] / 1e6 / wall
    summary["words_per_s"] = summary["words"] / wall
    return {"summary": summary, "wall": wall, "peak_process_mb": watch.peak_process_kb / 1024,
            "peak_tree_mb": watch.peak_tree_kb / 1024, "errors": summary["errors"]}


def fastest(done: list[dict]) -> dict[str, object]:
    """The fastest of a worker count's runs, with the peak memory of them all and every
    round's MB/s (in order) under "rounds"."""
    best = dict(max(done, key=lambda r: r["summary"]["mb_per_s"]))
    best["peak_tree_mb"] = max(r["peak_tree_mb"] for r in done)
    best["peak_process_mb"] = max(r["peak_process_mb"] for r in done)
    best["errors"] = max(r["errors"] for r in done)
    best["rounds"] = [r["summary"]["mb_per_s"] for r in done]
    return best


def file_creation_ms(n: int = 300) -> float:
    """What creating one file costs on this machine's disk (every output is one)."""
    folder = WORK / "creation"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    start = time.perf_counter()
    for i in range(n):
        with open(folder / f"{i}.tmp", "wb") as f:
            f.write(b"x" * 10_000)
    seconds = time.perf_counter() - start
    shutil.rmtree(folder)
    return 1000 * seconds / n


def startup() -> dict[str, float]:
    one = WORK / "one"
    shutil.rmtree(one, ignore_errors=True)
    (one / "in").mkdir(parents=True)
    (one / "in" / "rapport.txt").write_text("Kommunstyrelsen beslot att ga vidare.\n")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "svfix", "batch", str(one / "in"), str(one / "out"),
                    "-j", "1", "-q"], check=True, cwd=REPO)
    command = time.perf_counter() - start
    code = ("import time; t = time.perf_counter(); import svfix.pipeline as p; "
            "getattr(p, 'warm_up', lambda: None)(); print(time.perf_counter() - t)")
    load = float(subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO,
                                capture_output=True, text=True).stdout)
    shutil.rmtree(one, ignore_errors=True)
    return {"command_s": command, "import_and_warm_up_s": load}


def baseline(name: str, src: Path) -> dict[str, float]:
    from benchmarks import baselines

    fix = {"symspell": baselines.symspell_fix, "variant": baselines.variant_fix}[name]
    start = time.perf_counter()
    if name == "symspell":
        baselines.build_symspell()
    else:
        baselines._variants()
    build = time.perf_counter() - start
    words = nbytes = 0
    seconds = 0.0
    for path in sorted(src.rglob("*.txt")):
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        start = time.perf_counter()
        fix(text)
        seconds += time.perf_counter() - start
        words += len(text.split())
        nbytes += len(raw)
    return {"build_s": build, "seconds": seconds, "words_per_s": words / seconds,
            "mb_per_s": nbytes / 1e6 / seconds}


# --- report --------------------------------------------------------------------------------


def report(meta: dict[str, object], runs: dict[int, dict], start: dict[str, float],
           base: dict[str, dict[str, float]], command: str) -> str:
    one, two = runs[1]["summary"], runs[2]["summary"]
    speedup = two["mb_per_s"] / one["mb_per_s"] if one["mb_per_s"] else 0.0
    peak = max(r["peak_tree_mb"] for r in runs.values())
    peak_one = max(r["peak_process_mb"] for r in runs.values())
    fastest_base = max(b["words_per_s"] for b in base.values())

    def met(ok: bool) -> str:
        return "yes" if ok else "**no**"

    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    from svfix import __version__

    lines = [
        HEADING,
        "",
        f"Command: `{command}`  ",
        f"Date: {dt.date.today().isoformat()}, svfix {__version__}, {os.cpu_count()} cores "
        f"({cpu}), Python {sys.version.split()[0]}.  ",
        f"Archive: {meta['files']} report files, {int(meta['bytes']) / 1e6:.1f} MB of damaged "
        f"OCR text, {one['words']:,} words; damage: {meta['damage']}.",
        "",
        "| measure | value | target | met |",
        "| --- | --- | --- | --- |",
        f"| svfix batch, 1 worker | {one['mb_per_s']:.2f} MB/s, {one['words_per_s']:,.0f} words/s"
        f" | ≥ {TARGETS['mb_per_s_per_core']:g} MB/s per core "
        f"| {met(one['mb_per_s'] >= TARGETS['mb_per_s_per_core'])} |",
        f"| svfix batch, 2 workers | {two['mb_per_s']:.2f} MB/s, {two['words_per_s']:,.0f} words/s"
        f" | | |",
        f"| speed-up 1 → 2 workers | {speedup:.2f}× | ≥ {TARGETS['speedup']:g}× "
        f"| {met(speedup >= TARGETS['speedup'])} |",
        f"| start-up: `svfix batch` on one file | {start['command_s']:.2f} s | | |",
        f"| start-up: import + `warm_up()` | {start['import_and_warm_up_s']:.2f} s | | |",
        f"| peak memory, whole process tree (PSS) | {peak:.0f} MB | < {TARGETS['peak_mb']:g} MB "
        f"| {met(peak < TARGETS['peak_mb'])} |",
        f"| peak memory, largest process (RSS) | {peak_one:.0f} MB | | |",
    ]
    for name, label in (("symspell", "SymSpell baseline"), ("variant", "variant ≥10× baseline")):
        b = base[name]
        lines.append(
            f"| {label}, 1 process | {b['mb_per_s']:.2f} MB/s, {b['words_per_s']:,.0f} words/s "
            f"(+{b['build_s']:.1f} s to build) | slower than svfix "
            f"| {met(one['words_per_s'] > b['words_per_s'])} |"
        )
    lines += [
        "",
        f"svfix 1 worker vs the fastest baseline: {one['words_per_s'] / fastest_base:.2f}× its "
        "words/s. svfix figures are whole-command wall time (start-up included, "
        f"{runs[1]['wall']:.1f} s and {runs[2]['wall']:.1f} s), the fastest of "
        f"{len(runs[1]['rounds'])} alternating runs each (MB/s of every run: 1 worker "
        f"{', '.join(f'{x:.2f}' for x in runs[1]['rounds'])}; 2 workers "
        f"{', '.join(f'{x:.2f}' for x in runs[2]['rounds'])}; as `svfix batch` times itself, "
        f"{one['batch_mb_per_s']:.2f} and {two['batch_mb_per_s']:.2f} MB/s); baselines are timed on the fix "
        "calls alone. Files that failed: "
        f"{one['errors']} (1 worker), {two['errors']} (2 workers). Creating one 10 kB file "
        f"costs {start['creation_ms']:.2f} ms on this machine's disk (each output is one).",
        "",
    ]
    return "\n".join(lines)


#: What --record writes ends here; hand-written notes after the marker stay as they are.
END_MARKER = "<!-- speed:end -->"


def record(section: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    section = section.rstrip("\n") + "\n" + END_MARKER + "\n"
    start = text.find(HEADING)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        marker = text.find(END_MARKER, start)
        if marker >= 0:
            end = marker + len(END_MARKER) + 1
        else:
            found = text.find("\n## ", start + len(HEADING))
            end = len(text) if found < 0 else found + 1
        text = text[:start] + section + text[end:]
    RESULTS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000, help="report files (default 2000)")
    parser.add_argument("--mb", type=float, default=20.0, help="MB of text at least (default 20)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="runs of each worker count, alternating; the fastest counts "
                             "(default 2)")
    parser.add_argument("--record", action="store_true", help=f"write to {RESULTS.name}")
    args = parser.parse_args(argv)
    command = "python -m benchmarks.speed " + " ".join(argv if argv is not None else sys.argv[1:])
    WORK.mkdir(parents=True, exist_ok=True)
    src, meta = archive(args.files, args.mb)
    print(f"archive: {meta['files']} files, {int(meta['bytes']) / 1e6:.1f} MB", file=sys.stderr)
    start = startup()
    start["creation_ms"] = file_creation_ms()
    rounds: dict[int, list[dict]] = {1: [], 2: []}
    outputs = WORK / "out"
    shutil.rmtree(outputs, ignore_errors=True)
    for round_no in range(max(1, args.rounds)):
        for jobs in (1, 2):
            rounds[jobs].append(run_batch(src, jobs, outputs / f"j{jobs}-r{round_no}"))
            s = rounds[jobs][-1]["summary"]
            print(f"svfix -j {jobs}: {s['mb_per_s']:.2f} MB/s, {s['words_per_s']:,.0f} words/s",
                  file=sys.stderr)
    shutil.rmtree(outputs, ignore_errors=True)
    runs = {jobs: fastest(done) for jobs, done in rounds.items()}
    base = {}
    for name in ("variant", "symspell"):
        base[name] = baseline(name, src)
        print(f"{name}: {base[name]['words_per_s']:,.0f} words/s", file=sys.stderr)
    section = report(meta, runs, start, base, command.strip())
    print(section)
    if args.record:
        record(section)


if __name__ == "__main__":
    main()

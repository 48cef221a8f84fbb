"""Learn the OCR confusion (channel) model from page pairs.

Usage (from the repository root)::

    .venv/bin/python -m training.learn_confusions \\
        [--pairs training/work/pairs] [--out svfix/data/confusions.json] \\
        [--md training/CONFUSIONS.md] [--min-count 2]

Reads every ``<id>.json`` / ``<id>.truth.txt`` / ``<id>.ocr.txt`` made by
``training.make_pairs``, aligns truth and OCR (``training.align``) and writes

* ``svfix/data/confusions.json``::

    {"format": "svfix-confusions", "version": 1,
     "source": {...fonts, qualities, pages, characters, tesseract...},
     "truth_counts": {char: n},          # aligned truth characters
     "identity_counts": {char: n},       # of which read correctly
     "ngram_counts": {"rn": n, ...},     # truth strings of multi-char events
     "events": [{"truth": "ä", "ocr": "a", "count": n, "p": P(ocr|truth),
                 "examples": [["läge", "lage"], ...]}, ...],   # by count
     "by_quality": {"noisy": {"pages", "characters", "truth_counts",
                              "identity_counts", "ngram_counts", "events"}, ...},
     "by_font": {...same shape...}}

  ``p`` is ``count / truth_counts[truth]`` (``ngram_counts`` for multi-char
  truth; for insertions, truth ``""``, the denominator is all characters).
  Events with fewer than ``--min-count`` occurrences are left out, except that
  in ``by_quality``/``by_font`` the same threshold applies per slice.
* ``training/CONFUSIONS.md``: a readable summary.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from training import align, ocrsim

DIACRITICS = "åäöÅÄÖ"


class Stats:
    """Accumulated alignment counts for a set of pages."""

    def __init__(self) -> None:
        self.al = align.Alignment(mode="corpus")
        self.pages = 0
        self.modes = Counter()

    def add(self, a: align.Alignment) -> None:
        self.al.merge(a)
        self.pages += 1
        self.modes[a.mode] += 1

    @property
    def characters(self) -> int:
        return sum(self.al.truth_counts.values())

    def ngram_counts(self, keys) -> dict[str, int]:
        out = {}
        for k in keys:
            if len(k) > 1:
                out[k] = sum(seg.count(k) for seg in self.al.aligned_truth)
        return out

    def denominators(self, min_count: int):
        keys = {t for (t, o), n in self.al.events.items() if n >= min_count}
        ng = self.ngram_counts(keys)
        return ng

    def events(self, min_count: int, with_examples: bool = True) -> tuple[list[dict], dict]:
        ng = self.denominators(min_count)
        total = self.characters
        out = []
        for (t, o), n in self.al.events.most_common():
            if n < min_count:
                break
            if t == "":
                den = total
            elif len(t) == 1:
                den = self.al.truth_counts[t]
            else:
                den = ng.get(t) or n
            den = max(den, n)
            ev = {"truth": t, "ocr": o, "count": n, "p": round(n / den, 6) if den else 0.0}
            if with_examples:
                ev["examples"] = [list(e) for e in self.al.examples.get((t, o), [])]
            out.append(ev)
        out.sort(key=lambda e: (-e["count"], e["truth"], e["ocr"]))
        return out, ng

    def to_json(self, min_count: int, with_examples: bool = True) -> dict:
        events, ng = self.events(min_count, with_examples)
        return {
            "pages": self.pages,
            "characters": self.characters,
            "garbage_truth_chars": self.al.garbage_truth_chars,
            "truth_counts": dict(sorted(self.al.truth_counts.items(), key=lambda kv: -kv[1])),
            "identity_counts": dict(sorted(self.al.identity_counts.items(), key=lambda kv: -kv[1])),
            "ngram_counts": ng,
            "events": events,
        }


def iter_pairs(pairs_dir: Path):
    """Yield (meta, truth, ocr) for every complete pair in *pairs_dir*."""
    for jf in sorted(pairs_dir.glob("*.json")):
        stem = str(jf)[: -len(".json")]
        try:
            meta = json.loads(jf.read_text(encoding="utf-8"))
            t, o = align.load_pair(stem)
        except (OSError, ValueError):
            continue
        yield meta, t, o


def learn(pairs_dir: Path, min_count: int = 2, eval_fonts=None):
    """Align all pairs; return (overall Stats, {quality: Stats}, {font: Stats}, metas)."""
    eval_fonts = set(ocrsim.FONTS_EVAL) if eval_fonts is None else set(eval_fonts)
    overall, by_q, by_f = Stats(), {}, {}
    metas = []
    for meta, t, o in iter_pairs(pairs_dir):
        if meta.get("font") in eval_fonts:
            raise SystemExit(f"pair {meta.get('id')} uses held-out font {meta['font']}")
        a = align.align_texts(t, o)
        overall.add(a)
        by_q.setdefault(meta["quality"], Stats()).add(a)
        by_f.setdefault(meta["font"], Stats()).add(a)
        metas.append(meta)
    return overall, by_q, by_f, metas


def dumps(obj, indent: int = 0) -> str:
    """JSON with nested dicts indented but every list item / leaf dict on one line.

    Keeps the file diff-friendly (one event per line) and small.
    """
    pad = " " * indent
    if isinstance(obj, dict) and any(isinstance(v, (dict, list)) for v in obj.values()) \
            or isinstance(obj, dict) and len(obj) > 12 and indent < 2:
        items = [f'{pad} {json.dumps(k, ensure_ascii=False)}: {dumps(v, indent + 1).lstrip()}'
                 for k, v in obj.items()]
        if all(not isinstance(v, (dict, list)) for v in obj.values()):
            return json.dumps(obj, ensure_ascii=False)
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and obj and all(isinstance(v, dict) for v in obj):
        items = [f"{pad} {json.dumps(v, ensure_ascii=False)}" for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(obj, ensure_ascii=False)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _char_table(st: Stats, ch: str, top: int, min_count: int) -> list[str]:
    n = st.al.truth_counts[ch]
    if not n:
        return [f"*(no {ch} in these pages)*", ""]
    ok = st.al.identity_counts[ch]
    rows = [(o, c) for (t, o), c in st.al.events.items() if t == ch and c >= min_count]
    rows.sort(key=lambda r: -r[1])
    multi = sum(c for (t, o), c in st.al.events.items() if len(t) > 1 and ch in t)
    lines = [f"{n} occurrences, read correctly {_pct(ok / n)}."
             + (f" (Another {multi} errors are multi-character groups containing {ch}.)" if multi else ""),
             "", "| OCR | count | P(ocr|truth) | examples |", "|---|---:|---:|---|"]
    for o, c in rows[:top]:
        ex = ", ".join(f"{a}→{b}" for a, b in st.al.examples.get((ch, o), [])[:3])
        shown = f"`{o}`" if o else "(deleted)"
        lines.append(f"| {shown} | {c} | {c / n:.4f} | {ex.replace('|', '¦')} |")
    lines.append("")
    return lines


def write_markdown(path: Path, overall: Stats, by_q: dict, by_f: dict, source: dict,
                   min_count: int) -> None:
    L = ["# OCR confusions learned from real Tesseract output", "",
         "Generated by `python -m training.learn_confusions` (do not edit by hand). "
         "Channel model P(ocr | truth) for `tesseract -l eng` reading Swedish text, "
         "measured on synthetic scans (see `training/README.md`).", "",
         f"- pages: {source['pages']} ({', '.join(f'{k}: {v}' for k, v in source['pages_by_quality'].items())})",
         f"- aligned truth characters: {source['characters']} "
         f"(plus {source['garbage_truth_chars']} in unalignable garbage, not counted)",
         f"- fonts (TRAIN only): {', '.join(source['fonts'])}",
         f"- engine: {source['tesseract']}, `-l {source['lang']}`", ""]
    if all(overall.al.identity_counts[c] == 0 for c in DIACRITICS):
        L += ["The English model has none of `å ä ö Å Ä Ö` in its alphabet, so it never "
              "outputs them: P(correct) is 0 and every occurrence is one of the confusions below.", ""]
    L += ["## å ä ö Å Ä Ö, all qualities", ""]
    for ch in DIACRITICS:
        L += [f"### {ch}", ""] + _char_table(overall, ch, 12, min_count)
    L += ["## Per scan quality", "",
          "P(correct) and the five most frequent confusions (with P(ocr|truth)).", ""]
    qs = [q for q in ocrsim.QUALITIES if q in by_q] + [q for q in by_q if q not in ocrsim.QUALITIES]
    for ch in DIACRITICS:
        L += [f"### {ch}", "", "| quality | n | correct | top confusions |", "|---|---:|---:|---|"]
        for q in qs:
            st = by_q[q]
            n = st.al.truth_counts[ch]
            if not n:
                L.append(f"| {q} | 0 | | |")
                continue
            rows = sorted(((o, c) for (t, o), c in st.al.events.items() if t == ch), key=lambda r: -r[1])
            tops = ", ".join(f"`{o}` {c / n:.3f}" if o else f"(del) {c / n:.3f}" for o, c in rows[:5])
            L.append(f"| {q} | {n} | {_pct(st.al.identity_counts[ch] / n)} | {tops} |")
        L.append("")
    L += ["## Per font (ä and ö)", "", "| font | pages | ä correct | ä top | ö correct | ö top |",
          "|---|---:|---:|---|---:|---|"]
    for f in sorted(by_f):
        st = by_f[f]
        cells = []
        for ch in "äö":
            n = st.al.truth_counts[ch]
            rows = sorted(((o, c) for (t, o), c in st.al.events.items() if t == ch), key=lambda r: -r[1])
            cells.append(_pct(st.al.identity_counts[ch] / n) if n else "")
            cells.append(", ".join(f"`{o}` {c / n:.3f}" for o, c in rows[:3]) if n else "")
        L.append(f"| {f} | {st.pages} | " + " | ".join(cells) + " |")
    L += ["", "## Top confusions of other characters (all qualities)", "",
          "| truth | OCR | count | P(ocr|truth) | examples |", "|---|---|---:|---:|---|"]
    events, _ = overall.events(min_count)
    k = 0
    for e in events:
        if e["truth"] and all(c in DIACRITICS for c in e["truth"]):
            continue
        ex = ", ".join(f"{a}→{b}" for a, b in e.get("examples", [])[:2]).replace("|", "¦")
        t = f"`{e['truth']}`" if e["truth"].strip() else ("(space)" if e["truth"] else "(insert)")
        o = f"`{e['ocr']}`" if e["ocr"].strip() else ("(space)" if e["ocr"] else "(deleted)")
        L.append(f"| {t.replace('|', '¦')} | {o.replace('|', '¦')} | {e['count']} | {e['p']:.4f} | {ex} |")
        k += 1
        if k >= 60:
            break
    L.append("")
    path.write_text("\n".join(L), encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Learn svfix/data/confusions.json from page pairs.")
    ap.add_argument("--pairs", default="training/work/pairs")
    ap.add_argument("--out", default="svfix/data/confusions.json")
    ap.add_argument("--md", default="training/CONFUSIONS.md")
    ap.add_argument("--min-count", type=int, default=2)
    args = ap.parse_args(argv)

    overall, by_q, by_f, metas = learn(Path(args.pairs), args.min_count)
    if not metas:
        print(f"no pairs in {args.pairs}", file=sys.stderr)
        return 1
    qualities_used = sorted({m["quality"] for m in metas})
    fonts_used = sorted({m["font"] for m in metas})
    source = {
        "generator": "training.make_pairs + training.learn_confusions",
        "tesseract": metas[0].get("tesseract", ocrsim.tesseract_version()),
        "lang": metas[0].get("lang", "eng"),
        "fonts": {f: Path(ocrsim.FONTS_TRAIN.get(f, f)).name for f in fonts_used},
        "held_out_fonts": sorted(ocrsim.FONTS_EVAL),
        "qualities": {q: {k: v for k, v in vars(ocrsim.QUALITIES[q]).items() if k != "name"}
                      for q in qualities_used if q in ocrsim.QUALITIES},
        "sizes_pt": sorted({m["size_pt"] for m in metas}),
        "pages": len(metas),
        "pages_by_quality": {q: by_q[q].pages for q in qualities_used},
        "pages_by_font": {f: by_f[f].pages for f in fonts_used},
        "texts": sorted({m["source"] for m in metas}),
        "characters": overall.characters,
        "garbage_truth_chars": overall.al.garbage_truth_chars,
        "alignment_modes": dict(overall.modes),
        "min_count": args.min_count,
        "psm": dict(Counter(str(m.get("psm")) for m in metas)),
    }
    body = overall.to_json(args.min_count)
    data = {
        "format": "svfix-confusions",
        "version": 1,
        "source": source,
        "truth_counts": body["truth_counts"],
        "identity_counts": body["identity_counts"],
        "ngram_counts": body["ngram_counts"],
        "events": body["events"],
        "by_quality": {q: by_q[q].to_json(args.min_count, with_examples=False) for q in qualities_used},
        "by_font": {f: by_f[f].to_json(args.min_count, with_examples=False) for f in fonts_used},
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = dumps(data) + "\n"
    json.loads(text)  # sanity: the pretty printer must produce valid JSON
    out.write_text(text, encoding="utf-8")
    write_markdown(Path(args.md), overall, by_q, by_f, source, args.min_count)
    print(f"{len(metas)} pages, {overall.characters} characters, {len(body['events'])} events "
          f"-> {out}, {args.md}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

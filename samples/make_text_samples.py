"""Make the text samples: municipal pages rendered, degraded and read by `tesseract -l eng`.

Usage (from the repository root)::

    .venv/bin/python -m samples.make_text_samples

Writes `samples/text/<name>.ocr.txt` (what an English-model OCR made of the page) beside
`<name>.truth.txt` (what the page said), plus copies of two OCR texts in the encodings old
archives hold (cp1252, UTF-16), so that `make demo` shows encoding detection too. Sources are
the real Tyresö report in `../shared/data` and pages of the training corpus; the held-out
benchmark corpus is never used here. Fonts come from the TRAIN set of `training.ocrsim`.
"""

from __future__ import annotations

from pathlib import Path

from training import ocrsim

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "text"
SHARED = ROOT.parent.parent / "shared" / "data"
CORPUS = ROOT.parent / "training" / "corpus"

#: (sample name, source text, font, size pt, scan quality, seed)
SAMPLES = (
    ("tyreso-rapport", SHARED / "tyreso-kommundirektorens-rapport-2019-09.txt", "NimbusRoman", 10, "office", 11),
    ("kallelse-ocr", CORPUS / "t14-kallelse-kommunfullmaktige.txt", "LiberationSerif", 10, "clean", 12),
    ("avfall-info", CORPUS / "t08-info-avfall.txt", "Carlito", 11, "noisy", 13),
    ("hemtjanst-riktlinjer", CORPUS / "t07-riktlinjer-hemtjanst.txt", "DejaVuSerif", 10, "office", 14),
)
LEGACY_ENCODINGS = (("avfall-info", "cp1252"), ("hemtjanst-riktlinjer", "utf-16"))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, source, font, size, quality, seed in SAMPLES:
        pair = ocrsim.simulate(source.read_text(encoding="utf-8"), font, size, quality, seed, "eng")
        (OUT / f"{name}.truth.txt").write_text(pair.truth + "\n", encoding="utf-8")
        (OUT / f"{name}.ocr.txt").write_text(pair.ocr + "\n", encoding="utf-8")
        print(f"{name}: {font} {size} pt, {quality}")
    legacy = ROOT / "legacy"
    legacy.mkdir(exist_ok=True)
    for name, encoding in LEGACY_ENCODINGS:
        text = (OUT / f"{name}.ocr.txt").read_text(encoding="utf-8")
        (legacy / f"{name}.{encoding}.txt").write_bytes(text.encode(encoding, errors="replace"))
        print(f"legacy/{name}.{encoding}.txt")


if __name__ == "__main__":
    main()

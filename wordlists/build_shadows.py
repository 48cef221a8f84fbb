"""Build svfix/data/shadows.txt: valid words that a frequent å/ä/ö word turns into under OCR.

Run after build_lexicon.py and training/learn_confusions.py (it needs both):

    .venv/bin/python wordlists/build_shadows.py

See svfix/shadows.py for why the pipeline needs this index.
"""

from __future__ import annotations

import time

from svfix.channel import default_channel
from svfix.lexicon import data_dir, default_lexicon
from svfix.shadows import build_shadows


def main() -> None:
    start = time.perf_counter()
    shadows = build_shadows(default_lexicon(), default_channel())
    path = data_dir() / "shadows.txt"
    header = "# svfix shadow index: valid forms that OCR damage of a frequent å/ä/ö word produces\n"
    path.write_text(header + "\n".join(sorted(shadows)) + "\n", encoding="utf-8")
    print(f"{len(shadows)} shadows → {path} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()

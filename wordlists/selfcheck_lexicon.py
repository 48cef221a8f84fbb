#!/usr/bin/env python3
"""Load the built lexicon the way svfix does and print timings, memory and sample lookups.

Usage: .venv/bin/python wordlists/selfcheck_lexicon.py [WORD...]
"""
from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_WORDS = ["läge", "lage", "är", "ar", "år", "för", "for", "på", "pa", "tyresö",
                 "håkan", "hakan", "åtgärder", "atgarder", "övrigt", "ovrigt",
                 "byggnadsnämnd", "kommunstyrelsen", "upplands", "väsby", "upplands väsby",
                 "byggnads", "skol", "ström", "ale", "vara"]


def rss_mb() -> float:
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    words = argv or DEFAULT_WORDS
    from svfix import lexicon as lexicon_module  # imports the engine (svfix._native)

    rss0 = rss_mb()
    t = time.perf_counter()
    lexicon = lexicon_module.default_lexicon()
    dt = time.perf_counter() - t
    rss1 = rss_mb()
    bits = lexicon.header["flag_bits"]
    print(f"loaded lexicon ({len(lexicon)} keys) in {dt * 1000:.1f} ms; "
          f"RSS {rss0:.1f} -> {rss1:.1f} MB (+{rss1 - rss0:.1f})")

    def names(v: int) -> str:
        return ",".join(n for n, b in bits.items() if v & b) or "-"

    t = time.perf_counter()
    n = 0
    for _ in range(20):
        for w in words:
            i = lexicon.words.key_id(w)
            n += 1
            if i >= 0:
                _ = lexicon.zipf_bytes[i], lexicon.flag_array[i]
    per = (time.perf_counter() - t) / n
    print(f"lookup: {per * 1e6:.2f} µs per word (key_id + zipf + flags, uncached)")
    for w in words:
        i = lexicon.words.key_id(w)
        en = lexicon.english_zipf(w)
        en_text = f" en_zipf={en:.1f}" if en else ""
        if i < 0:
            print(f"  {w!r:20s} NOT IN LEXICON{en_text}")
            continue
        print(f"  {w!r:20s} id={i:<8d} zipf={lexicon.zipf(w):<4.1f} flags=0x{lexicon.flags(w):04x} "
              f"{names(lexicon.flags(w))}{en_text}")
    print("keys per flag:")
    counts = {name: 0 for name in bits}
    for v in lexicon.flag_array:
        for name, b in bits.items():
            if v & b:
                counts[name] += 1
    for name, c in counts.items():
        print(f"  {name:17s} {c}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

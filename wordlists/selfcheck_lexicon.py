#!/usr/bin/env python3
"""Load the built lexicon the way svfix would and print timings, memory and
sample lookups.  Usage: .venv/bin/python wordlists/selfcheck_lexicon.py [WORD...]"""
from __future__ import annotations

import array
import json
import resource
import sys
import time
from pathlib import Path

import marisa_trie

DATA = Path(__file__).resolve().parent.parent / "svfix" / "data"
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


def load(prefix: str):
    trie = marisa_trie.Trie()
    trie.mmap(str(DATA / f"{prefix}.marisa"))
    zipf = (DATA / f"{prefix}.zipf").read_bytes()
    assert len(zipf) == len(trie), (prefix, len(zipf), len(trie))
    return trie, zipf


def main(argv: list[str]) -> int:
    words = argv or DEFAULT_WORDS
    header = json.loads((DATA / "lexicon.json").read_text(encoding="utf-8"))
    bits = header["flag_bits"]
    rss0 = rss_mb()
    t = time.perf_counter()
    trie, zipf = load("lexicon")
    flags = array.array("H")
    flags.frombytes((DATA / "lexicon.flags").read_bytes())
    if sys.byteorder != "little":
        flags.byteswap()
    assert len(flags) == len(trie)
    en_trie, en_zipf = load("english")
    dt = time.perf_counter() - t
    rss1 = rss_mb()
    print(f"loaded lexicon ({len(trie)} keys) + english ({len(en_trie)} keys) in {dt*1000:.1f} ms; "
          f"RSS {rss0:.1f} -> {rss1:.1f} MB (+{rss1-rss0:.1f})")

    def names(v: int) -> str:
        return ",".join(n for n, b in bits.items() if v & b) or "-"

    t = time.perf_counter()
    n = 0
    for _ in range(20):
        for w in words:
            i = trie.get(w)
            n += 1
            if i is not None:
                _ = zipf[i], flags[i]
    per = (time.perf_counter() - t) / n
    print(f"lookup: {per*1e6:.2f} µs per word (key_id + zipf + flags)")
    for w in words:
        i = trie.get(w)
        if i is None:
            e = en_trie.get(w)
            en = f" en_zipf={en_zipf[e]/10:.1f}" if e is not None else ""
            print(f"  {w!r:20s} NOT IN LEXICON{en}")
            continue
        e = en_trie.get(w)
        en = f" en_zipf={en_zipf[e]/10:.1f}" if e is not None else ""
        print(f"  {w!r:20s} id={i:<8d} zipf={zipf[i]/10:<4.1f} flags=0x{flags[i]:04x} {names(flags[i])}{en}")
    print("keys per flag:")
    counts = {n: 0 for n in bits}
    for v in flags:
        for n, b in bits.items():
            if v & b:
                counts[n] += 1
    for n, c in counts.items():
        print(f"  {n:17s} {c}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

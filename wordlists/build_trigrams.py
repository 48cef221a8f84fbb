"""Build svfix/data/trigrams.txt: every letter trigram of the lexicon's attested words.

    .venv/bin/python wordlists/build_trigrams.py

Words count when a curated source or a name list has them, or wordfreq gives them a Zipf
frequency of at least 3 (so web junk adds no trigrams). Words are padded with ^ and $.
See svfix/plausibility.py for what the table is for.
"""

from __future__ import annotations

from svfix.lexicon import CURATED, NAMES, data_dir, default_lexicon


def attested_trigrams(lexicon) -> set[str]:
    """The letter trigrams (with ^ and $ at the edges) of the lexicon's attested words."""
    attested = int(CURATED | NAMES)
    trigrams: set[str] = set()
    for word in lexicon.keys():
        if not word.isalpha():
            continue
        i = lexicon.key_id(word)
        if not lexicon.flag_array[i] & attested and lexicon.zipf_bytes[i] < 30:
            continue
        padded = f"^{word}$"
        trigrams.update(padded[k:k + 3] for k in range(len(padded) - 2))
    return trigrams


def main() -> None:
    trigrams = attested_trigrams(default_lexicon())
    path = data_dir() / "trigrams.txt"
    path.write_text("\n".join(sorted(trigrams)) + "\n", encoding="utf-8")
    print(f"{len(trigrams)} trigrams → {path}")


if __name__ == "__main__":
    main()

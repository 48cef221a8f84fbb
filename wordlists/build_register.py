"""Build svfix/data/register.txt: how often the lexicon's words occur in written Swedish prose.

    .venv/bin/python wordlists/build_register.py

wordfreq's Swedish frequencies come from the web and film subtitles, where people "åka" and
"får" far more than reports and manuals do. The context model's corpus (`build_context.py`:
Swedish prose from Debian packages and the municipal-style texts of `context_texts/`, each
sentence counted as often as that script weighs its source) is written prose; this script
counts every word of it that the lexicon lists, and svfix mixes the two frequencies
(`svfix.register`). Same sources, same licences, same refusal of test texts as the context
model (wordlists/CONTEXT.md); the build needs the packages that script reads.

The output is a header (the corpus' weighted token count and its sources) and one
"word<TAB>count" line per word, sorted, so that the same packages give the same file.
"""

from __future__ import annotations

import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import build_context  # noqa: E402  (a sibling script, not a package)

from svfix.lexicon import data_dir, default_lexicon  # noqa: E402

OUT = os.path.join(str(data_dir()), "register.txt")


def count_words(corpus: build_context.Corpus) -> tuple[collections.Counter, int]:
    """Weighted count of every token, and the weighted number of tokens (as the context model's
    `tokens_total`)."""
    weights = [build_context.SOURCE_WEIGHTS.get(source[0], 1) for source in build_context.SOURCES]
    counts: collections.Counter = collections.Counter()
    total = 0
    for source, _, tokens in corpus.sents:
        weight = weights[source]
        total += weight * len(tokens)
        for token in tokens:
            counts[token] += weight
    return counts, total


def main() -> None:
    corpus = build_context.Corpus(verbose=False)
    counts, total = count_words(corpus)
    lexicon = default_lexicon()
    listed = sorted(w for w in counts if lexicon.key_id(w) >= 0)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write("# svfix register counts: built by wordlists/build_register.py from the context corpus\n")
        f.write(f"# tokens\t{total}\n")
        for source in corpus.sources:
            f.write(f"# source\t{source['package']}\t{source['version']}\t{source['licence']}\n")
        for word in listed:
            f.write(f"{word}\t{counts[word]}\n")
    print(f"wrote {OUT}: {len(listed)} listed words of {len(counts)}, {total} tokens", file=sys.stderr)


if __name__ == "__main__":
    main()

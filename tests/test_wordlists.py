"""The committed word lists are what their scripts make of their sources."""

from __future__ import annotations

import importlib.util
from pathlib import Path

WORDLISTS = Path(__file__).resolve().parent.parent / "wordlists"


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, WORDLISTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_geonames_extraction_keeps_swedish_populated_places_only() -> None:
    extract = _script("extract_geonames_places")
    rows = [
        "2666199\tÖverum\tOverum\t\t57.99\t16.32\tP\tPPL\tSE\t\t08",
        "3143244\tOslo\tOslo\tOslo\t59.91\t10.75\tP\tPPLC\tNO\t\t12",
        "2671000\tTollarp1\tTollarp1\t\t55.93\t13.99\tP\tPPL\tSE\t\t27",
        "2700000\tLilla  Edet\tLilla Edet\t\t58.13\t12.12\tP\tPPLA2\tSE\t\t28",
        "2711111\tVänern\tVanern\t\t58.9\t13.2\tH\tLK\tSE\t\t00",
        "short\trow",
    ]
    assert extract.swedish_places(rows) == ["Lilla Edet", "Överum"]


def test_the_shipped_geonames_list_is_sorted_unique_and_counted() -> None:
    lines = (WORDLISTS / "places_geonames.txt").read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line.startswith("#")]
    names = [line for line in lines if line and not line.startswith("#")]
    assert any("CC BY 4.0" in line for line in header)
    assert f"# {len(names)} names." in header
    assert names == sorted(set(names))
    assert not any(c.isdigit() for name in names for c in name)


def test_the_shipped_trigrams_are_those_of_the_shipped_lexicon() -> None:
    """trigrams.txt is derived from the lexicon: rebuilt with it, or it goes stale."""
    from svfix.lexicon import data_dir, default_lexicon

    shipped = set((data_dir() / "trigrams.txt").read_text(encoding="utf-8").split())
    assert shipped == _script("build_trigrams").attested_trigrams(default_lexicon())


def test_the_shipped_register_counts_come_from_the_context_model_s_corpus() -> None:
    """register.txt counts the words of the corpus context.json.gz was built from that the
    lexicon lists: rebuilt with it, or the two disagree."""
    import gzip
    import json

    from svfix.lexicon import data_dir, default_lexicon
    from svfix.register import load_register

    prose = load_register(str(data_dir()))
    with gzip.open(data_dir() / "context.json.gz", "rt", encoding="utf-8") as f:
        model = json.load(f)
    assert prose.tokens == model["tokens_total"]
    lexicon = default_lexicon()
    assert len(prose.counts) > 30_000 and all(lexicon.key_id(w) >= 0 for w in prose.counts)
    for word, entry in model["words"].items():  # the targets' counts are the corpus' counts
        if entry.get("n") and lexicon.key_id(word) >= 0:
            assert prose.counts[word] == entry["n"], word

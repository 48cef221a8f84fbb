"""svfix's engine: the restore stage of `svfix.pipeline`, compiled (C++ in `native/`).

The Python pipeline is the reference: readable, and what every rule is first written in. The
engine does the same work, rule for rule and to the same floating-point result, at the speed
a batch of archives needs: its candidate search walks the lexicon trie node by node instead of
asking a dict about string prefixes, and each document costs a pass over its words, not a
Python call per word. `tests/test_native.py` holds the two to the same output on real pages
and on arbitrary text; ``SVFIX_IMPLEMENTATION=python`` makes `svfix.correct` use the reference.

What the engine asks of Python: the regular expressions that judge separators, short words and
the chunks around glued words (a sentence end, a line-end hyphen, an address anchor, an
address) and `transfer_case` for words beyond Latin-1 (the engine cases the rest itself,
native/casing.cpp), each once per distinct string, answered by the same functions the
pipeline calls. Everything it needs is read
from the modules that define it when the engine is built, constants included, so that
``python -m training.calibrate --set rank.X=...`` reaches both implementations.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Callable

from svfix import _native

#: The tunable constants the engine reads, by module.
CONSTANTS = {
    "candidates": ("MIN_PART", "MAX_PARTS", "MAX_EDITS", "MAX_OTHER_EDITS", "OTHER_ALONE_MIN_LOG10", "MAX_INSERTIONS",
                   "MAX_NODES", "MIN_PATH_LOG10", "MIN_ELEMENT", "MAX_DOT_POSITIONS", "MIN_DOT_Q", "MIN_HEAD", "MIN_TAIL",
                   "MIN_TAIL_ZIPF"),
    "rank": ("APPLY_AT", "APPLY_VALID_AT", "SUGGEST_AT", "UNKNOWN_PRIOR", "UNSEEN_TRIGRAM_COST",
             "UNKNOWN_LENGTH_COST", "UNKNOWN_FREE_LENGTH", "UNKNOWN_WITH_DIGITS_PRIOR", "NAME_TAIL_BONUS",
             "COMPOUND_BASE_COST", "COMPOUND_COST", "COMPOUND_PART_FLOOR", "COMPOUND_HEAD_FLOOR", "COMPOUND_HEAD_WEIGHT",
             "LISTED_TOKEN_COMPOUND_COST", "LISTED_READING_MARGIN", "PROPER_IN_LOWERCASE_COST", "COMMON_CAPITALISED_COST",
             "INNER_CAPITAL_COST", "DOCUMENT_WEIGHT", "GIVEN_NAME_BEFORE_SURNAME_BONUS"),
    "document": ("CLEAN_RATE", "DAMAGED_PRIOR_RATE", "DAMAGED_PRIOR_WEIGHT", "CLEAN_SHARE", "LETTER_WEIGHT",
                 "SHORTFALL_WEIGHT", "SHORTFALL_TOLERANCE", "MIN_RATE", "MAX_RATE", "FUZZY_MIN_RATIO",
                 "FUZZY_EDIT_LOG10", "FUZZY_DIACRITIC_LOG10", "FUZZY_MIN_LENGTH", "FUZZY_LEXICON_MIN_ZIPF",
                 "FUZZY_LEXICON_PLAIN_MIN_ZIPF", "FUZZY_LEXICON_EDIT_LOG10", "FUZZY_LEXICON_MAX_EDIT_LOG10",
                 "FUZZY_LEXICON_MIN_LENGTH", "FUZZY_LEXICON_TWO_EDITS_MIN_LENGTH", "FUZZY_LEXICON_TITLE_MIN_LENGTH",
                 "SHAPE_PRIOR", "SHAPE_MAX_BOOST", "SHAPE_MAX_LOG10_Q", "NEUTRAL_RATE", "NOISE_REFERENCE_RATE", "NOISE_PRIOR_RATE",
                 "NOISE_PRIOR_WEIGHT", "NOISE_MIN_LOG10", "NOISE_MAX_LOG10"),
    "pipeline": ("ENGLISH_NEIGHBOURS", "ENGLISH_ZIPF", "CONTEXT_MARGIN", "LEAVE_OUT_SHARE", "SHAPE_ADAPTS",
                 "SHAPE_SETTLED", "REACH", "READING_EXPLAINS_PRIOR", "EXPLAINED_FUZZY_MIN_LOG10"),
    "context": ("W1", "W2", "BETA", "WEIGHT", "MAX_BONUS", "W_SUFFIX", "W_CLASS", "SKIP_UNSEEN", "UNSEEN_AGAINST_N",
                "SUFFIX_MIN_LEN", "SUFFIX_LEN"),
    "tokenize": ("CAPITALS_ENDING_MAX", "CAPITALS_MIN"),
    "register": ("REGISTER_WEIGHT", "REGISTER_PSEUDO"),
    "casing": ("MID_SENTENCE_CAPITAL_COST", "FREQUENT_WORD_CAPITAL_COST", "COMMON_WORD_ZIPF"),
}


def wanted() -> bool:
    """Use the engine unless ``SVFIX_IMPLEMENTATION=python`` asks for the reference pipeline."""
    return os.environ.get("SVFIX_IMPLEMENTATION", "native").lower() != "python"


def constants() -> dict[str, Any]:
    """The current value of every constant the engine reads."""
    import importlib

    values: dict[str, Any] = {}
    for module_name, names in CONSTANTS.items():
        module = importlib.import_module(f"svfix.{module_name}")
        for name in names:
            values[name] = getattr(module, name)
    from svfix import document

    values["EXPECTED_SHARE"] = [document.EXPECTED_SHARE[c] for c in document.LETTERS]
    return values


def callbacks() -> dict[str, Callable]:
    """The Python answers the engine asks for, once per distinct string."""
    from svfix import casing, context, pipeline, tokenize

    return {
        "ends_sentence": context.ends_sentence,
        "break_free": lambda separator: casing._BREAK.search(separator) is None,
        "plain_before": tokenize._plain_before,
        "plain_after": tokenize._plain_after,
        "line_end_hyphen": lambda separator: pipeline._LINE_END_HYPHEN.fullmatch(separator) is not None,
        "anchor": lambda word: tokenize._ANCHOR.fullmatch(word) is not None,
        "www": lambda word: tokenize._WWW.fullmatch(word) is not None,
        "address_chunk": tokenize.is_address_chunk,
        "transfer_case": tokenize.transfer_case,
    }


class Engine:
    """The compiled restore stage with the data it was built from.

    `edits` lists the channel's edits in the engine's numbering, so that the readings it
    returns can be turned back into `svfix.candidates.Reading` objects.
    """

    def __init__(self) -> None:
        from svfix import candidates, context, plausibility, tokenize
        from svfix.channel import default_channel
        from svfix.lexicon import data_dir, default_lexicon, read_lines
        from svfix.shadows import default_shadows

        # The lexicon's tries are built on a thread, which the engine lets run without the GIL,
        # while this one parses the context model (JSON, which needs the GIL): a fifth of the
        # start-up of every command. The model is converted, then dropped: the engine keeps its own.
        model = _beside(default_lexicon, lambda: context.read_context(str(data_dir())))
        channel = default_channel()
        self.edits = [edit for edits in channel.inverse.values() for edit in edits]
        plausibility.unseen_trigrams("")  # loads the trigram list
        self._engine = _native.Engine(
            default_lexicon().words,
            constants(),
            [(e.truth, e.observed, e.log10_q, e.adaptive) for e in self.edits],
            channel.letters + channel.letter_groups,
            default_shadows(),
            candidates.place_elements(),
            read_lines(str(data_dir()), "trigrams.txt", "wordlists/build_trigrams.py"),
            tokenize.TOP_LEVEL_DOMAINS,
            model,
            context.WORD_CLASSES,
            callbacks(),
        )

    def restore(self, text: str, compounds: bool, use_context: bool, use_document: bool,
                apply_threshold: float) -> list[tuple]:
        """(start, end, original, replacement, confidence, reason index, applied) per change."""
        return self._engine.restore(text, compounds, use_context, use_document, apply_threshold)

    def fix_logged(self, text: str, compounds: bool, use_context: bool, use_document: bool,
                   apply_threshold: float, file_json: str, offset: int) -> tuple[str, bytes, int, int, int]:
        """`restore` applied and logged: (text, change-log lines, applied, suggested, words), where
        words is ``len(text.split())`` of the input."""
        return self._engine.fix_logged(text, compounds, use_context, use_document, apply_threshold,
                                       file_json, offset)

    def share_readings(self, megabytes: int) -> None:
        """Share searched tokens' readings with the processes forked from now on: a batch's
        workers then search each damaged token once between them, not once each. The table
        lives in memory they all map; `megabytes` bounds it (untouched pages cost nothing)."""
        self._engine.share_readings(megabytes << 20)

    def unshare_readings(self) -> None:
        self._engine.unshare_readings()

    def forget(self) -> None:
        """Forget every answer the engine holds (as it does itself when its tables are full)."""
        self._engine.forget()

    def shared_readings_stats(self) -> dict[str, int] | None:
        """entries, hits, bytes_used and bytes of the shared table, or None when not sharing."""
        return self._engine.shared_readings_stats()

    def readings(self, token: str, compounds: bool = True) -> list:
        """`pipeline._readings` of the engine, as `Reading` objects."""
        return [self._reading(t) for t in self._engine.readings(token, compounds)]

    def search(self, token: str, compounds: bool = True) -> list:
        """`candidates.readings` of the engine, as `Reading` objects."""
        return [self._reading(t) for t in self._engine.search(token, compounds)]

    def dot_readings(self, token: str) -> list:
        return [self._reading(t) for t in self._engine.dot_readings(token)]

    def name_tail_readings(self, token: str) -> list:
        return [self._reading(t) for t in self._engine.name_tail_readings(token)]

    def context_score(self, candidates: list[str], left2: str | None, left1: str | None,
                      right1: str | None, right2: str | None) -> dict[str, float]:
        return self._engine.context_score(candidates, left2, left1, right1, right2)

    def _reading(self, t: tuple):
        """A reading of the search as `candidates.Reading` (the search makes no fuzzy ones)."""
        from svfix.candidates import Reading

        word, parts, edit_ids, fuzzy, _, unknown_head = t
        return Reading(word, parts, tuple(self.edits[i] for i in edit_ids), fuzzy=fuzzy,
                       unknown_head=unknown_head)


_ENGINE: list[Engine] = []


def engine() -> Engine:
    """The process's engine, built on first use (the lexicon and channel are loaded once)."""
    if not _ENGINE:
        _ENGINE.append(Engine())
    return _ENGINE[0]


def _beside(background: Callable[[], object], foreground: Callable[[], Any]) -> Any:
    """`foreground()`, while `background()` runs on a thread; raises what either raised."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            background()
        except BaseException as exc:  # raised below, in the caller's thread
            failed.append(exc)

    thread = threading.Thread(target=run, name="svfix-load")
    thread.start()
    try:
        result = foreground()
    finally:
        thread.join()
    if failed:
        raise failed[0]
    return result

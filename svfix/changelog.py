"""The change log's line format: one JSON object per change, written by hand.

A damaged archive has a change every few words, so the line is formatted directly rather than
with ``json.dumps`` (which costs ten times more), and svfix's engine writes the very same
bytes for the documents it fixes whole (`svfix.pipeline.correct_logged`).
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring as _json_str  # the C escaper json.dumps uses

from svfix.types import Change


def change_line(file_json: str, offset: int, change: Change) -> str:
    """One change-log line: ``{"file", "offset", "end"}`` + `Change.to_dict()` less start/end.

    `file_json` is the file's name already as JSON; `offset` is where the text the change
    was made in starts in the file.

    >>> from svfix.types import Reason
    >>> change_line('"a.txt"', 10, Change(3, 5, "ar", "är", 0.912345, Reason.CONTEXT))
    '{"file": "a.txt", "offset": 13, "end": 15, "old": "ar", "new": "är", "confidence": 0.9123, "reason": "context", "applied": true, "step": "restore"}\\n'
    """
    return (
        f'{{"file": {file_json}, "offset": {change.start + offset}, '
        f'"end": {change.end + offset}, "old": {_json_str(change.original)}, '
        f'"new": {_json_str(change.replacement)}, '
        f'"confidence": {_json_float(round(change.confidence, 4))}, '
        f'"reason": {_json_str(str(change.reason))}, '
        f'"applied": {"true" if change.applied else "false"}, "step": {_json_str(change.step)}}}\n'
    )


def lines(file_json: str, offset: int, changes: tuple[Change, ...]) -> bytes:
    """The log lines of `changes`, as the log file holds them (UTF-8; a lone surrogate, which
    only an undecodable input can leave, written as a backslash escape)."""
    text = "".join(change_line(file_json, offset, c) for c in changes)
    return text.encode("utf-8", errors="backslashreplace")


def _json_float(value: float) -> str:
    return repr(value) if math.isfinite(value) else json.dumps(value)

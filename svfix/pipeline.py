"""PLACEHOLDER until the restoration core lands: returns the text unchanged."""
from __future__ import annotations
from svfix.types import Result


def correct(text: str) -> Result:
    return Result(text=text, changes=())


def fix(text: str) -> str:
    return correct(text).text

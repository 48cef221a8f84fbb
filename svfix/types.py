"""Value types shared by every stage: a change, a result, and the reasons a change can have.

A `Change` is an edit of the *input* text: `text[start:end]` was `original` and becomes
`replacement`. Changes never overlap and are sorted by `start`; `apply_changes(text, changes)`
rebuilds the output from the input, which is what makes every result explainable and
replayable (the ftfy idea of an explanation that can be re-applied).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Iterable


class Reason(str, enum.Enum):
    """Why a change was made (or suggested). The value is what the JSON change log says."""

    CONFUSION = "confusion+lexicon"
    CONTEXT = "context"
    DOCUMENT = "document evidence"
    COMPOUND = "compound"
    NAME = "name list"
    FUZZY = "fuzzy match"
    NORMALIZE = "normalize"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Change:
    """One edit of the input: `original` at [start, end) becomes `replacement`.

    `applied` is False for a suggestion that scored below the apply threshold; such
    changes are reported but do not take part in building `Result.text`.
    `step` names the pipeline step that made it (``"restore"`` or a normalize step).
    """

    start: int
    end: int
    original: str
    replacement: str
    confidence: float
    reason: Reason
    applied: bool = True
    step: str = "restore"

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready mapping (the shape of one line of the change log)."""
        return {
            "start": self.start,
            "end": self.end,
            "old": self.original,
            "new": self.replacement,
            "confidence": round(self.confidence, 4),
            "reason": str(self.reason),
            "applied": self.applied,
            "step": self.step,
        }


@dataclass(frozen=True, slots=True)
class Result:
    """The corrected text and every change (applied or only suggested) that explains it."""

    text: str
    changes: tuple[Change, ...] = field(default_factory=tuple)

    @property
    def applied(self) -> tuple[Change, ...]:
        """The changes that were applied to build `text`."""
        return tuple(c for c in self.changes if c.applied)

    @property
    def suggestions(self) -> tuple[Change, ...]:
        """Changes that were considered but scored below the apply threshold."""
        return tuple(c for c in self.changes if not c.applied)


def apply_changes(text: str, changes: Iterable[Change]) -> str:
    """Replay the applied `changes` on `text` (the input they were computed on).

    >>> apply_changes("Har kan du lasa", [Change(0, 3, "Har", "Här", 0.9, Reason.CONTEXT)])
    'Här kan du lasa'
    """
    out: list[str] = []
    pos = 0
    for change in sorted((c for c in changes if c.applied), key=lambda c: c.start):
        if change.start < pos:
            raise ValueError(f"overlapping changes at offset {change.start}")
        if text[change.start:change.end] != change.original:
            raise ValueError(
                f"change at {change.start}:{change.end} expects {change.original!r} "
                f"but the text has {text[change.start:change.end]!r}"
            )
        out.append(text[pos:change.start])
        out.append(change.replacement)
        pos = change.end
    out.append(text[pos:])
    return "".join(out)

"""Long texts in pieces: how `svfix batch` and `svfix fix` bound what one document costs.

A document's evidence (its damage profile, its own spellings) and the engine's tables for it
grow with the document; a 16 MB text corrected whole took 0.7 GB. Past `CHUNK_CHARS` a text
is corrected in pieces cut at line breaks, each a document of its own: a million characters
is some 150 pages, evidence enough for any page in it.
"""

from __future__ import annotations

from typing import Iterator

#: Characters corrected as one document at most.
CHUNK_CHARS = 1_000_000


def chunks(text: str, limit: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """Cut `text` into pieces of at most `limit` characters, at a line break, else at a space.

    >>> list(chunks("ett två\\ntre fyra", 10))
    [(0, 'ett två\\n'), (8, 'tre fyra')]
    >>> list(chunks("abcdef", 4))
    [(0, 'abcd'), (4, 'ef')]
    """
    start, n = 0, len(text)
    while n - start > limit:
        stop = start + limit
        floor = start + limit // 2
        cut = text.rfind("\n", floor, stop)
        if cut < 0:
            cut = max(text.rfind(" ", floor, stop), text.rfind("\t", floor, stop))
        stop = cut + 1 if cut >= 0 else stop
        yield start, text[start:stop]
        start = stop
    if start < n or n == 0:
        yield start, text[start:]

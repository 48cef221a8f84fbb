"""svfix: restore OCR-damaged Swedish text.

The library is the product; the `svfix` command is a thin shell over it.

>>> import svfix
>>> svfix.fix("Har kan du lasa om atgarder i Tyres6.")
'Här kan du läsa om åtgärder i Tyresö.'

`correct` returns the text and every change with offsets into the input; `svfix.batch.run`
fixes whole archives and `svfix.ocr.read` re-reads scans with Tesseract's Swedish model.
"""

from svfix._version import __version__
from svfix.pipeline import DEFAULT_OPTIONS, Options, correct, fix
from svfix.types import Change, Reason, Result, apply_changes

__all__ = [
    "__version__",
    "correct",
    "fix",
    "Options",
    "DEFAULT_OPTIONS",
    "Change",
    "Reason",
    "Result",
    "apply_changes",
]

"""svfix: restore OCR-damaged Swedish text.

>>> import svfix
>>> svfix.fix("Tyres6 kommun")  # doctest: +SKIP
'Tyresö kommun'
"""

from svfix._version import __version__
from svfix.pipeline import correct, fix
from svfix.types import Change, Reason, Result, apply_changes

__all__ = ["__version__", "correct", "fix", "Change", "Reason", "Result", "apply_changes"]

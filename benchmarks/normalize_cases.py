"""Mojibake and decomposed-Unicode cases for the accuracy benchmark.

`cases()` returns ``(label, damaged, clean)`` triples. The damage is made the way it happens
in archives, from real bytes: the UTF-8 bytes of a sentence decoded as cp1252 (the WHATWG
"sloppy" variant, which keeps bytes cp1252 leaves undefined as C1 controls, like browsers and
most converters), as latin-1, as cp1252 twice (doubly encoded), as MacRoman, the cp1252
bytes decoded as UTF-8 with ``errors="surrogateescape"`` (the reverse direction), a sentence
whose second half alone is mojibake (text pasted together from two sources: ftfy alone
leaves ``Ã¥`` and ``Ã…`` in such lines), and the sentence in NFD (macOS, PDFs), alone and
then mojibaked.

Labels are ``<kind>/<nn>``; kinds: mojibake-cp1252, mojibake-latin1, mojibake-double,
mojibake-macroman, reverse-surrogateescape, mojibake-mixed, nfd, nfd-mojibake-cp1252.

    >>> triples = cases()
    >>> len(triples), triples[0][0]
    (96, 'mojibake-cp1252/01')
    >>> triples[0][1][:31]
    'Kommunstyrelsen fÃ¶reslÃ¥r att '
"""

from __future__ import annotations

import unicodedata
from typing import Callable

SENTENCES: tuple[str, ...] = (
    "Kommunstyrelsen föreslår att kommunfullmäktige godkänner årsredovisningen för 2019.",
    "Ärendet återremitteras till miljö- och byggnadsnämnden för kompletterande utredning.",
    "Åsa Öberg (S) och Märta Ärlig (M) reserverar sig mot beslutet till förmån för eget yrkande.",
    "Öppettiderna på Åkervägens återvinningscentral ändras från och med den 1 juli.",
    "Socialnämnden beviljar bistånd enligt 4 kap. 1 § socialtjänstlagen för perioden maj–augusti.",
    "Beslutet kan överklagas hos förvaltningsrätten i Härnösand inom tre veckor från delgivning.",
    "Sammanträdet ajournerades kl. 14.15–14.30 för överläggningar i gruppledarfrågan.",
    "Förskolan på Östra Ängsvägen får en ny gård med lekutrustning för 1,2 miljoner kronor.",
    "Barn- och utbildningsförvaltningen redovisar elevernas måluppfyllelse i årskurs 6 och 9.",
    "Motionen om ”fossilfria tjänsteresor” anses besvarad med hänvisning till klimatstrategin.",
    "Övriga närvarande: Åke Sjögren, kommundirektör, och René Lindén, ekonomichef.",
    "Tekniska nämnden återkommer med förslag på åtgärder för gång- och cykelvägar i Älvängen.",
)


def _sloppy(data: bytes, encoding: str) -> str:
    """Decode single-byte text; bytes the encoding leaves undefined become latin-1 (C1)."""
    return "".join(bytes([b]).decode(encoding, "ignore") or chr(b) for b in data)


def _utf8_as(encoding: str) -> Callable[[str], str]:
    return lambda s: _sloppy(s.encode("utf-8"), encoding)


def _double(s: str) -> str:
    once = _utf8_as("cp1252")(s)
    return _utf8_as("cp1252")(once)


def _reverse(s: str) -> str:
    return s.encode("cp1252").decode("utf-8", "surrogateescape")


def _mixed(s: str) -> str:
    """The second half (from the middle space on) mojibaked as cp1252, the first half intact."""
    middle = s.index(" ", len(s) // 2)
    return s[:middle] + _utf8_as("cp1252")(s[middle:])


def _nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


DAMAGE: dict[str, Callable[[str], str]] = {
    "mojibake-cp1252": _utf8_as("cp1252"),
    "mojibake-latin1": _utf8_as("latin-1"),
    "mojibake-double": _double,
    "mojibake-macroman": _utf8_as("mac-roman"),
    "reverse-surrogateescape": _reverse,
    "mojibake-mixed": _mixed,
    "nfd": _nfd,
    "nfd-mojibake-cp1252": lambda s: _utf8_as("cp1252")(_nfd(s)),
}


def cases() -> list[tuple[str, str, str]]:
    """Every sentence under every kind of damage, as ``(label, damaged, clean)``."""
    out: list[tuple[str, str, str]] = []
    for kind, damage in DAMAGE.items():
        for i, clean in enumerate(SENTENCES, 1):
            damaged = damage(clean)
            assert damaged != clean, (kind, clean)
            out.append((f"{kind}/{i:02d}", damaged, clean))
    return out


if __name__ == "__main__":
    # A quick score without the benchmark harness: python -m benchmarks.normalize_cases
    from collections import Counter

    from svfix.normalize import normalize

    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for label, damaged, clean in cases():
        kind = label.split("/")[0]
        total[kind] += 1
        fixed = normalize(damaged)[0]
        right[kind] += fixed == clean
        if fixed != clean:
            print(f"MISS {label}: {fixed!r}")
    for kind in DAMAGE:
        print(f"{kind:26} {right[kind]:3}/{total[kind]}")
    print(f"{'all':26} {sum(right.values()):3}/{sum(total.values())}")

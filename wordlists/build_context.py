#!/usr/bin/env python3
"""Build svfix/data/context.json.gz: a small neighbour-count model for
choosing between Swedish words that collapse to the same "skeleton" when an
OCR engine drops the diacritics (har/här/hår, ar/är/år, for/för, ...), and
between words that one of its misreads turns into one another (sätt/sitt,
ställa/stilla: `misread_sets`).

Usage (from the repository root):

    .venv/bin/python wordlists/build_context.py --fetch    # first time: get .debs
    .venv/bin/python wordlists/build_context.py            # build + evaluate
    .venv/bin/python wordlists/build_context.py --no-eval  # build only
    .venv/bin/python wordlists/build_context.py --loso-grid  # + slow param grid

The prose comes from Debian packages only (see wordlists/CONTEXT.md).  These
are installed:

    apt-get install -y cfi-sv gimp-help-sv manpages-sv libreoffice-help-sv \
        gnome-user-docs installation-guide-amd64 debian-edu-doc-legacy-sv \
        lifelines-doc-sv gettext

and these are only downloaded (`apt-get download`) and unpacked with
`dpkg-deb -x` into $SVFIX_CONTEXT_DEBS (default ~/.cache/svfix-context) by
`--fetch`: KDE_DOC_PKGS (Swedish KDE handbooks), emacs-common,
libreoffice-l10n-sv.

It never reads anything from benchmarks/, training/corpus/, samples/ or
shared/data.  Output is deterministic for a given set of installed package
versions (sorted file walk, sorted JSON keys, gzip mtime 0).

The reference scorer `score_members` (with `member_prior`, `fold_model` and
DEFAULT_PARAMS) is what the evaluation uses; svfix proper should mirror it.
"""
from __future__ import annotations

import argparse
import collections
import glob
import gzip
import html
import html.entities
import html.parser
import io
import json
import math
import os
import subprocess
import sys
import time
import unicodedata
import zlib

import regex
import wordfreq

from svfix.context import UNSEEN_AGAINST_N, suffix_class

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "svfix", "data", "context.json.gz")

# Paths we must never learn from (test / training material of this project).
FORBIDDEN = [os.path.join(ROOT, p) for p in ("benchmarks", "training/corpus", "samples")] + [
    "/work/shared/data"
]

S, E, NUM, YEAR = "<S>", "</S>", "<NUM>", "<YEAR>"
#: Neighbour positions counted: two words either side, and the endings of the next-door ones
#: (`svfix.context.suffix_class`, used when the word itself was never seen beside a member).
POSITIONS = ("L1", "R1", "L2", "R2", "L1s", "R1s", "L2s", "R2s")
SPECIAL = (S, E, NUM, YEAR)
# A year ("år 2030") is a better neighbour than a number in general ("är 0"); svfix/context.py
# maps tokens the same way.
_YEAR = regex.compile(r"(?:1[89]|20)\d\d")

MIN_ZIPF = 2.5          # wordfreq threshold for ambiguous-set members
MIN_NEIGHBOUR = 2       # drop neighbour counts below this (except SPECIAL)
N_BUCKETS = 10          # document split for evaluation: bucket 0 = test

# ---------------------------------------------------------------------------
# Skeletons and ambiguous sets
# ---------------------------------------------------------------------------

_SKEL = str.maketrans("åäöé", "aaoe")
_WILD = str.maketrans("åäö", "***")
_SV_WORD = regex.compile(r"[a-zåäöé]+")


def skeleton(word: str) -> str:
    """Lowercase and drop the diacritics an English OCR model loses."""
    return word.lower().translate(_SKEL)


def ambiguous_sets(min_zipf: float = MIN_ZIPF) -> dict[str, list[str]]:
    """Group wordfreq's Swedish 'large' list (zipf >= min_zipf, only letters
    a-z å ä ö é) by skeleton; keep groups of >= 2 members of which at least one
    carries å/ä/ö/é.  Members are ordered by descending wordfreq frequency."""
    freq = wordfreq.get_frequency_dict("sv", "large")
    groups: dict[str, list[tuple[float, str]]] = collections.defaultdict(list)
    for w, f in freq.items():
        if f <= 0 or math.log10(f) + 9 < min_zipf or not _SV_WORD.fullmatch(w):
            continue
        groups[skeleton(w)].append((f, w))
    # OCR also misreads one diacritic as another's base ("d" for ä, å and ö alike): words that
    # differ only in which of å/ä/ö they carry (öka/åka, stöd/stad) form sets of their own,
    # keyed by the skeleton with a "*" for each.
    for f, w in [m for mem in list(groups.values()) for m in mem]:
        if any(ch in "åäö" for ch in w):
            groups[w.translate(_WILD)].append((f, w))
    sets = {}
    for sk, mem in groups.items():
        if len(mem) >= 2 and any(ch in "åäöé" for _, w in mem for ch in w):
            sets[sk] = [w for _, w in sorted(mem, key=lambda t: (-t[0], t[1]))]
    return dict(sorted(sets.items()))


#: A misread (not a lost dot) that turns a word into another word ("sätt" read "sitt", "än"
#: read "din") puts both in one set when it can decide the reading: when the misread's
#: probability (log10, `svfix.channel`), times how much commoner the dotted word is, reaches
#: this. Below it the pipeline never weighs the dotted word, so context would never be asked.
MISREAD_REACH = -2.5
#: Sightings a word must have in the corpus to join the model through a misread alone (the
#: count svfix trusts against an unseen member, `svfix.context.UNSEEN_AGAINST_N`).
MISREAD_MIN_N = UNSEEN_AGAINST_N
#: Two letters are what OCR makes of anything ("sd", "dr", "fd" are abbreviations as often as
#: misreads): a word read as fewer letters than this forms no set.
MISREAD_MIN_LEN = 3
#: A dropped å/ä/ö turns a short word into a letter or two ("är" → "r"); only longer words are
#: grouped with what their deletion leaves ("även" → "ven").
MISREAD_DELETION_MIN_LEN = 4
#: How a misread set's key starts (the other sets are keyed by their skeleton).
MISREAD_KEY = "misread:"


def misread_sets(min_zipf: float = MIN_ZIPF) -> dict[str, list[str]]:
    """Sets of words that an OCR misread of one å, ä or ö turns into one another.

    The misreads are the learned channel's (`svfix.channel`: "ä" read as "i", "d", "di";
    "å" as "i"; a dropped letter), so the sets follow from the channel and wordfreq, not from
    any list of pairs. Keyed MISREAD_KEY + the word read; members as in `ambiguous_sets`.
    """
    from svfix.channel import default_channel

    misreads: dict[str, list[tuple[str, float]]] = collections.defaultdict(list)
    for observed, edits in default_channel().inverse.items():
        for edit in edits:
            if edit.truth in ("å", "ä", "ö") and (observed == "" or _SV_WORD.fullmatch(observed)) \
                    and observed != skeleton(edit.truth):
                misreads[edit.truth].append((observed, edit.log10_q))
    freq = wordfreq.get_frequency_dict("sv", "large")

    def zipf(word: str) -> float:
        f = freq.get(word, 0.0)
        return math.log10(f) + 9 if f > 0 else -math.inf

    groups: dict[str, set[str]] = collections.defaultdict(set)
    for word in sorted(freq):
        z = zipf(word)
        if z < min_zipf or not _SV_WORD.fullmatch(word):
            continue
        for i, letter in enumerate(word):
            for observed, log10_q in misreads.get(letter, ()):
                if not observed and len(word) < MISREAD_DELETION_MIN_LEN:
                    continue
                read = word[:i] + observed + word[i + 1:]
                if (len(read) >= MISREAD_MIN_LEN and zipf(read) >= min_zipf
                        and log10_q + z - zipf(read) >= MISREAD_REACH):
                    groups[read].update((read, word))
    return {f"{MISREAD_KEY}{read}": sorted(members, key=lambda w: (-freq[w], w))
            for read, members in sorted(groups.items())}


# ---------------------------------------------------------------------------
# Text extraction
# ---------------------------------------------------------------------------

BLOCK_TAGS = {
    # HTML
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "td", "th", "tr", "table", "br", "hr", "title", "caption", "blockquote", "section",
    "article", "header", "footer", "nav", "aside", "figure", "figcaption", "body", "head",
    "center", "form", "label", "option", "button",
    # Mallard (GNOME help)
    "page", "info", "desc", "item", "terms", "tree", "note", "list", "steps", "media",
    "links", "synopsis", "comment", "figure", "listing", "example", "quote", "cite",
    "subtitle", "credit", "revision", "license", "link", "input", "output",
}
SKIP_TAGS = {"script", "style", "pre", "code", "screen", "kbd", "samp", "tt", "var",
             "noscript", "credit", "revision", "license", "email", "name", "years",
             "mal:credit", "mal:name", "mal:email", "mal:years", "cmd", "sys", "file",
             "key", "keyseq"}
# Inline code-ish elements are dropped *with* their text but replaced by a
# placeholder word boundary so that the words on either side are not glued
# into a false bigram: we end the current sentence there instead.
VOID = {"br", "hr", "img", "input", "meta", "link", "base", "area", "col", "embed",
        "param", "source", "track", "wbr"}


class _TextParser(html.parser.HTMLParser):
    def __init__(self, block=None, skip=None, space_inline=False):
        super().__init__(convert_charrefs=True)
        self.space_inline = space_inline  # docbook: <guimenu>A</guimenu><guimenuitem>B
        self.block = BLOCK_TAGS if block is None else BLOCK_TAGS | block
        self.skiptags = SKIP_TAGS if skip is None else SKIP_TAGS | skip
        self.paras: list[str] = []
        self.buf: list[str] = []
        self.skip = 0
        self.skipstack: list[str] = []

    def _flush(self):
        t = " ".join("".join(self.buf).split())
        if t:
            self.paras.append(t)
        self.buf = []

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        if tag in self.skiptags and tag not in VOID:
            # code, kbd, menu paths ...: break the sentence, drop the text
            self._flush()
            self.skip += 1
            self.skipstack.append(tag)
            return
        if tag in self.block:
            self._flush()
        elif self.space_inline and not self.skip:
            self.buf.append(" ")

    def handle_startendtag(self, tag, attrs):
        if tag.lower() in self.block or tag.lower() in self.skiptags:
            self._flush()

    def handle_endtag(self, tag):
        tag = tag.lower()
        if self.skipstack and tag in self.skiptags:
            # pop to the matching tag (tolerate sloppy HTML)
            if tag in self.skipstack:
                while self.skipstack:
                    t = self.skipstack.pop()
                    self.skip -= 1
                    if t == tag:
                        break
            return
        if tag in self.block:
            self._flush()
        elif self.space_inline and not self.skip:
            self.buf.append(" ")

    def handle_data(self, data):
        if not self.skip:
            self.buf.append(data)

    def close(self):
        super().close()
        self._flush()


def _decode(raw: bytes) -> str:
    head = raw[:2000].lower()
    m = regex.search(rb"charset\s*=\s*[\"']?([a-z0-9_-]+)", head) or regex.search(
        rb"encoding\s*=\s*[\"']([a-z0-9_-]+)", head)
    enc = m.group(1).decode() if m else "utf-8"
    try:
        return raw.decode(enc)
    except (LookupError, UnicodeDecodeError):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def markup_paragraphs(path: str) -> list[str]:
    with open(path, "rb") as fh:
        text = _decode(fh.read())
    p = _TextParser()
    p.feed(text)
    p.close()
    return p.paras


DOCBOOK_BLOCK = {
    "para", "simpara", "formalpara", "title", "subtitle", "listitem", "term", "entry", "row",
    "step", "substeps", "varlistentry", "note", "tip", "warning", "caution", "important",
    "question", "answer", "qandaentry", "sect1", "sect2", "sect3", "sect4", "sect5",
    "section", "chapter", "appendix", "abstract", "glossentry", "glossdef", "glossterm",
    "example", "caption", "textobject", "mediaobject", "itemizedlist", "orderedlist",
    "variablelist", "procedure", "table", "tgroup", "tbody", "thead", "blockquote",
    "bookinfo", "articleinfo", "book", "article", "preface", "simplelist", "member",
}
DOCBOOK_SKIP = {
    "screen", "programlisting", "synopsis", "cmdsynopsis", "funcsynopsis", "command",
    "option", "parameter", "filename", "userinput", "computeroutput", "replaceable",
    "literal", "envar", "varname", "function", "systemitem", "keycombo", "keycap",
    "shortcut", "email", "author", "authorgroup", "othercredit", "affiliation", "copyright",
    "legalnotice", "date", "releaseinfo", "keywordset", "indexterm", "ulink", "url",
    "literallayout", "markup", "sgmltag", "classname", "methodname", "constant", "token",
    "prompt", "errorcode", "returnvalue", "type", "address", "contrib",
}
# KDE's docbook uses entities from kdoctools; the few that stand for words
# are mapped, app/product names become their name, people are dropped.
_DOCBOOK_ENTITY_WORDS = {"eg": "t.ex.", "ie": "dvs.", "etc": "etc.", "nbsp": " ",
                         "language": "sv"}
_ENTITY = regex.compile(r"&([A-Za-z][\w.-]*);")


def _docbook_entity(m):
    name = m.group(1)
    if name in _DOCBOOK_ENTITY_WORDS:
        return _DOCBOOK_ENTITY_WORDS[name]
    if name + ";" in html.entities.html5:
        return m.group(0)
    if "." in name or name.startswith(("under", "FDL", "GPL", "tra", "credits")):
        return "\x00"  # person / licence boiler-plate: sentence break
    return name.replace("-", " ")


def docbook_paragraphs(path: str) -> list[str]:
    with open(path, "rb") as fh:
        text = _decode(fh.read())
    text = regex.sub(r"<!DOCTYPE[^\[>]*(?:\[.*?\]\s*)?>", " ", text, flags=regex.S)
    text = regex.sub(r"<!--.*?-->", " ", text, flags=regex.S)
    text = _ENTITY.sub(_docbook_entity, text)
    p = _TextParser(DOCBOOK_BLOCK, DOCBOOK_SKIP, space_inline=True)
    p.feed(text)
    p.close()
    return [q.strip() for para in p.paras for q in para.split("\x00") if q.strip()]


def text_paragraphs(path: str) -> list[str]:
    """Plain text: paragraphs are separated by blank lines; lines starting with
    '>>' / ';;;' / '<<' (Emacs tutorial conventions) are their own paragraphs."""
    with open(path, "rb") as fh:
        text = _decode(fh.read())
    paras, buf = [], []
    for line in text.splitlines():
        st = line.strip()
        if not st or st.startswith((">>", ";;", "<<", "[")):
            if buf:
                paras.append(" ".join(" ".join(buf).split()))
                buf = []
            if st.startswith(">>"):
                paras.append(st[2:].strip())
            continue
        buf.append(st)
    if buf:
        paras.append(" ".join(" ".join(buf).split()))
    return paras


_GLYPHS = {
    ":a": "ä", ":A": "Ä", ":o": "ö", ":O": "Ö", "oa": "å", "oA": "Å", "'e": "é", "'E": "É",
    ":u": "ü", ":U": "Ü", "`e": "è", "^e": "ê", "'a": "á", "`a": "à", ":e": "ë", "/o": "ø",
    "/O": "Ø", "ae": "æ", "AE": "Æ", "ss": "ß", "~n": "ñ", ",c": "ç",
    "aq": "'", "cq": "'", "oq": "'", "dq": '"', "lq": '"', "rq": '"', "Fo": "«", "Fc": "»",
    "em": "-", "en": "-", "hy": "-", "mi": "-", "bu": " ", "co": "©", "rg": "®",
    "ti": "~", "ha": "^", "rs": "\\", "pl": "+", "eq": "=", "lh": " ", "rh": " ",
}


def _glyph(m):
    name = m.group(1) or m.group(2)
    if name.startswith("u") and len(name) in (5, 6) and regex.fullmatch(r"u[0-9A-F]{4,5}", name):
        return chr(int(name[1:], 16))
    return _GLYPHS.get(name, " ")


_ROFF_ESC = [
    (regex.compile(r"\\\((..)|\\\[([^\]]*)\]"), _glyph),             # special glyphs
    (regex.compile(r"\\f(?:\[[^\]]*\]|\(..|.)"), ""),          # font changes
    (regex.compile(r"\\s[+-]?\d+"), ""),                       # size changes
    (regex.compile(r"\\[/,&:%]"), ""),                         # italic corr., zero-width
    (regex.compile(r"\\\*(?:\(..|\[[^\]]*\]|.)"), ""),         # strings
    (regex.compile(r"\\[-e~0 ]"), lambda m: {"\\-": "-", "\\e": "\\"}.get(m.group(0), " ")),
    (regex.compile(r"\\."), ""),
]
_ROFF_TEXT_MACROS = {"B", "I", "BR", "IR", "RB", "BI", "IB", "RI", "SM", "SB", "SH", "SS",
                     "TQ", "UR", "MT", "OP"}
_ROFF_BREAK_TEXT = {"SH", "SS"}


def _roff_inline(s: str) -> str:
    for rx, rep in _ROFF_ESC:
        s = rx.sub(rep, s)
    return s


def roff_paragraphs(path: str) -> list[str]:
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as fh:
        raw = fh.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    paras, buf = [], []
    nofill = False

    def flush():
        t = " ".join(" ".join(buf).split())
        if t:
            paras.append(t)
        buf.clear()

    for line in text.splitlines():
        if line.startswith((".\\\"", "'\\\"", "\\\"")):
            continue
        if line.startswith((".", "'")):
            m = regex.match(r"[.'](\S+)\s*(.*)", line)
            if not m:
                flush()
                continue
            mac, arg = m.group(1), m.group(2)
            if mac in ("nf", "EX"):
                flush()
                nofill = True
                continue
            if mac in ("fi", "EE"):
                nofill = False
                continue
            if mac in _ROFF_TEXT_MACROS:
                if mac in _ROFF_BREAK_TEXT:
                    flush()
                args = regex.findall(r'"((?:[^"]|"")*)"|(\S+)', arg)
                words = [a or b for a, b in args]
                if mac in ("B", "I", "SM", "SB", "SH", "SS"):
                    buf.append(_roff_inline(" ".join(words)))
                else:  # alternating fonts: words are glued together
                    buf.append(_roff_inline("".join(words)))
                if mac in _ROFF_BREAK_TEXT:
                    flush()
                continue
            flush()  # .PP .TP .IP .br .sp .TH ... : paragraph break
            continue
        if nofill:
            continue  # examples / code
        if not line.strip():
            flush()
            continue
        buf.append(_roff_inline(line))
    flush()
    return paras


def mo_paragraphs(path: str) -> list[str]:
    """msgstr texts of a compiled gettext catalog (plural forms included)."""
    import gettext

    with open(path, "rb") as fh:
        cat = gettext.GNUTranslations(fh)
    out = []
    # _catalog maps msgid (or (msgid, n)) -> msgstr; header has msgid ''
    for key in sorted(cat._catalog, key=lambda k: (str(k),)):
        if key == "" or (isinstance(key, tuple) and key[0] == ""):
            continue
        s = cat._catalog[key]
        s = s.replace("_", "").replace("&", "")  # mnemonics
        s = regex.sub(r"%[-#0 +]*\d*(?:\.\d+)?[hlLqjzt]*[diouxXeEfFgGaAcspn%]|\{[^}]*\}|\$\{?\w+\}?",
                      "\n", s)  # placeholder = break, never glue its neighbours
        for part in s.split("\n"):
            part = " ".join(part.split())
            if part:
                out.append(part)
    return out


# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------

def _files(patterns):
    out = []
    for pat in patterns:
        out.extend(glob.glob(pat, recursive=True))
    out = sorted(set(os.path.realpath(p) for p in out if os.path.isfile(p)))
    for p in out:
        for bad in FORBIDDEN:
            if p.startswith(os.path.realpath(bad) + os.sep):
                raise SystemExit(f"refusing forbidden path {p}")
    return out


# KDE applications whose Debian package ships a Swedish handbook
# (usr/share/doc/HTML/sv/<app>/*.docbook).  They are not installed (that would
# pull in the whole KDE/PIM stack): `--fetch` runs `apt-get download` and
# unpacks each .deb with `dpkg-deb -x` under DEB_CACHE.
KDE_DOC_PKGS = [
    "akregator", "ark", "cantor", "dolphin", "filelight", "gwenview", "kaddressbook",
    "kamoso", "kbruch", "kcachegrind", "kcalc", "kcharselect", "kde-spectacle", "kdeconnect",
    "kdf", "kfind", "kfloppy", "kget", "kgpg", "khelpcenter", "kig", "kinfocenter",
    "kleopatra", "kmag", "kmail", "kmines", "kmousetool", "kmouth", "kmplot", "kolourpaint",
    "kompare", "konqueror", "konsole", "kontact", "korganizer", "kpat", "krdc", "krfb",
    "kruler", "ksudoku", "kteatime", "ktimer", "kturtle", "kwordquiz", "kwrite", "lokalize",
    "okular", "step", "sweeper", "systemsettings",
]
DEB_CACHE = os.environ.get("SVFIX_CONTEXT_DEBS",
                           os.path.join(os.path.expanduser("~"), ".cache", "svfix-context"))

#: Municipal-style Swedish written for svfix (wordlists/context_texts/): never used for tuning or
#: measuring, which use training/corpus and benchmarks/corpus.
MUNICIPAL_PROSE = "svfix municipal prose"

# name, licence, reader, glob patterns, packages unpacked from .deb (None = installed)
SOURCES = [
    ("cfi-sv", "public domain (Debian copyright file: 'provided without copyright')",
     markup_paragraphs, ["/usr/share/doc/cfi-sv/cfi.html"], None),
    ("gimp-help-sv", "GFDL-1.2+ (no invariant sections)",
     markup_paragraphs, ["/usr/share/gimp/2.0/help/sv/**/*.html"], None),
    ("libreoffice-help-sv", "MPL-2.0 (parts Apache-2.0)",
     markup_paragraphs, ["/usr/share/libreoffice/help/sv/**/*.html"], None),
    ("gnome-user-docs", "CC-BY-SA-3.0",
     markup_paragraphs, ["/usr/share/help/sv/gnome-help/*.page",
                         "/usr/share/help/sv/system-admin-guide/*.page"], None),
    ("installation-guide-amd64", "GPL-2",
     markup_paragraphs, ["/usr/share/doc/installation-guide-amd64/sv/*.html"], None),
    ("debian-edu-doc-legacy-sv", "GPL-2+",
     markup_paragraphs, ["/usr/share/doc/debian-edu-doc-legacy-sv/*.html"], None),
    ("lifelines-doc-sv", "MIT/X11-style (Lifelines licence)",
     markup_paragraphs, ["/usr/share/doc/lifelines-doc-sv/*.sv.html"], None),
    ("manpages-sv", "GPL-3+ (manpages-l10n translations; a few pages from dpkg, man-db, "
     "apt: GPL-2+)", roff_paragraphs, ["/usr/share/man/sv/**/*.gz"], None),
    ("gettext catalogs (sv)", "per owning package (GPL/LGPL family), see CONTEXT.md",
     mo_paragraphs, ["/usr/share/locale/sv/LC_MESSAGES/*.mo"], None),
    ("KDE handbooks (sv)", "GFDL-1.2+ (KDE documentation; per Debian copyright files)",
     docbook_paragraphs, ["usr/share/doc/HTML/sv/**/*.docbook"], KDE_DOC_PKGS),
    ("emacs-common", "GPL-3+ (etc/tutorials/TUTORIAL.sv)",
     text_paragraphs, ["usr/share/emacs/*/etc/tutorials/TUTORIAL.sv"], ["emacs-common"]),
    ("libreoffice-l10n-sv", "MPL-2.0 (parts Apache-2.0)",
     mo_paragraphs, ["usr/lib/libreoffice/program/resource/sv/LC_MESSAGES/*.mo"],
     ["libreoffice-l10n-sv"]),
    (MUNICIPAL_PROSE, "MIT (written for svfix, like the rest of the repository)",
     text_paragraphs, [os.path.join(ROOT, "wordlists", "context_texts", "*.txt")], None),
]
#: Every other source is software documentation; municipal prose is what svfix reads. Its
#: sentences are counted this many times, so that "Bor du i", "det fortsatta arbetet" and
#: "badrum och hall" weigh as much as the idioms of manuals (tuned with training.calibrate).
SOURCE_WEIGHTS = {MUNICIPAL_PROSE: 2}
# Catalogs that are name lists rather than language.
MO_EXCLUDE = regex.compile(r"/iso_[^/]*\.mo$")


def fetch_debs(pkgs: list[str]) -> None:
    """apt-get download + dpkg-deb -x into DEB_CACHE (idempotent)."""
    debdir = os.path.join(DEB_CACHE, "debs")
    os.makedirs(debdir, exist_ok=True)
    missing = [p for p in pkgs if not glob.glob(os.path.join(debdir, f"{p}_*.deb"))]
    if missing:
        subprocess.run(["apt-get", "download"] + missing, cwd=debdir, check=True)
    for p in pkgs:
        debs = sorted(glob.glob(os.path.join(debdir, f"{p}_*.deb")))
        root = os.path.join(DEB_CACHE, "root", p)
        if debs and not os.path.isdir(root):
            tmp = root + ".tmp"
            os.makedirs(tmp, exist_ok=True)
            subprocess.run(["dpkg-deb", "-x", debs[-1], tmp], check=True)
            os.rename(tmp, root)


def deb_version(pkg: str) -> str:
    debs = sorted(glob.glob(os.path.join(DEB_CACHE, "debs", f"{pkg}_*.deb")))
    if not debs:
        return ""
    return subprocess.run(["dpkg-deb", "-f", debs[-1], "Version"], capture_output=True,
                          text=True).stdout.strip()


def package_version(pkg: str) -> str:
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], check=True,
                              capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def owners(paths: list[str]) -> dict[str, str]:
    """path -> owning Debian package (dpkg -S), best effort."""
    res = {}
    for i in range(0, len(paths), 200):
        chunk = paths[i:i + 200]
        p = subprocess.run(["dpkg", "-S"] + chunk, capture_output=True, text=True)
        for line in p.stdout.splitlines():
            pkg, _, path = line.partition(": ")
            res[path.strip()] = pkg.split(",")[0].split(":")[0].strip()
    return res


# ---------------------------------------------------------------------------
# Sentences, language filter, tokens
# ---------------------------------------------------------------------------

_SENT_SPLIT = regex.compile(r"(?<=[.!?…])[\"'”»)\]]*\s+(?=[^\p{Ll}\s])")
_TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}]+(?::\p{L}{1,3}\b)?")
_HASDIGIT = regex.compile(r"\p{N}")


class LangFilter:
    """Keep sentences that look Swedish: compares wordfreq's Swedish and
    English zipf values per word type."""

    def __init__(self):
        self.sv = wordfreq.get_frequency_dict("sv", "large")
        self.en = wordfreq.get_frequency_dict("en", "large")
        self.cache: dict[str, int] = {}

    def vote(self, w: str) -> int:
        v = self.cache.get(w)
        if v is None:
            fs, fe = self.sv.get(w, 0.0), self.en.get(w, 0.0)
            if any(c in "åäö" for c in w):
                v = 1
            elif fs == 0 and fe == 0:
                v = 0
            elif fs > fe * 1.0:
                v = 1
            elif fe > fs * 3.0:
                v = -1
            else:
                v = 0
            self.cache[w] = v
        return v

    def is_swedish(self, words: list[str]) -> bool:
        if len(words) < 3:
            return False
        votes = [self.vote(w) for w in words]
        sv = sum(1 for v in votes if v > 0)
        en = sum(1 for v in votes if v < 0)
        return sv >= 2 and sv >= 0.5 * len(words) and sv >= 3 * en


def tokenize_sentence(s: str) -> list[str]:
    out = []
    for m in _TOKEN.finditer(s):
        t = m.group(0)
        if _YEAR.fullmatch(t):
            out.append(YEAR)
        elif _HASDIGIT.search(t):
            out.append(NUM)
        else:
            out.append(t.split(":")[0].lower())
    return out


def sentences(para: str):
    para = unicodedata.normalize("NFC", para.replace("\u00ad", ""))
    for s in _SENT_SPLIT.split(para):
        s = s.strip()
        if s:
            yield s


# ---------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------

class Corpus:
    """Deduplicated Swedish sentences, each tagged with (source index, doc id)."""

    def __init__(self, verbose=True):
        self.sources = []       # dicts for the JSON header
        self.sents: list[tuple[int, int, tuple[str, ...]]] = []  # (src, bucket, tokens)
        self.mo_owners: dict[str, str] = {}
        lf = LangFilter()
        seen: set[tuple[str, ...]] = set()
        for si, (pkg, lic, reader, pats, debs) in enumerate(SOURCES):
            if debs:
                pats = [os.path.join(DEB_CACHE, "root", d, pt) for d in debs for pt in pats]
            files = _files(pats)
            if reader is mo_paragraphs and not debs:
                files = [f for f in files if not MO_EXCLUDE.search(f)]
                self.mo_owners = owners(files)
            t0 = time.time()
            ntok = nsent = nraw = 0
            for path in files:
                paras = reader(path)
                # big single files (a book) are cut into 50-paragraph documents
                # so that the held-out split is not all-or-nothing
                for ci in range(0, max(len(paras), 1), 50):
                    doc_id = f"{path}#{ci}"
                    bucket = zlib.crc32(doc_id.encode()) % N_BUCKETS
                    for para in paras[ci:ci + 50]:
                        for s in sentences(para):
                            toks = tokenize_sentence(s)
                            nraw += 1
                            words = [t for t in toks if t != NUM]
                            if not lf.is_swedish(words):
                                continue
                            key = tuple(toks)
                            if key in seen:
                                continue
                            seen.add(key)
                            self.sents.append((si, bucket, key))
                            ntok += len(toks)
                            nsent += 1
            if not files:
                print(f"  WARNING: no files for {pkg}", file=sys.stderr)
            if debs:
                have = [d for d in debs if os.path.isdir(os.path.join(DEB_CACHE, "root", d))]
                version = (deb_version(debs[0]) if len(debs) == 1 else
                           ";".join(f"{d}={deb_version(d)}" for d in have))
            elif reader is mo_paragraphs:
                pkgs = sorted(set(self.mo_owners.values()))
                version = ";".join(f"{p}={package_version(p)}" for p in pkgs)
            elif pkg == MUNICIPAL_PROSE:
                version = f"{len(files)} texts"
            else:
                version = package_version(pkg)
            self.sources.append({"package": pkg, "version": version, "licence": lic,
                                 "files": len(files), "sentences": nsent, "tokens": ntok})
            if verbose:
                print(f"  {pkg:28s} files={len(files):5d} sentences={nsent:7d}/{nraw:7d} "
                      f"tokens={ntok:8d} ({time.time() - t0:.1f}s)", file=sys.stderr)


# ---------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------

def count(sents, targets: set[str]):
    """Return (unigram Counter, {target: {"n": int, "L1": Counter, ...}})."""
    uni = collections.Counter()
    ctx = {}
    for toks in sents:
        seq = (S, S) + toks + (E, E)
        uni[S] += 1
        uni[E] += 1
        uni.update(toks)
        for i in range(2, len(seq) - 2):
            w = seq[i]
            if w not in targets:
                continue
            d = ctx.get(w)
            if d is None:
                d = ctx[w] = {pos: collections.Counter() for pos in POSITIONS}
                d["n"] = 0
            d["n"] += 1
            d["L1"][seq[i - 1]] += 1
            d["R1"][seq[i + 1]] += 1
            d["L2"][seq[i - 2]] += 1
            d["R2"][seq[i + 2]] += 1
            for pos, neighbour in (("L1s", seq[i - 1]), ("R1s", seq[i + 1]),
                                   ("L2s", seq[i - 2]), ("R2s", seq[i + 2])):
                ending = suffix_class(neighbour)
                if ending is not None:
                    d[pos][ending] += 1
    return uni, ctx


def make_model(sents, sets, min_neighbour=MIN_NEIGHBOUR, sources=None):
    targets = {w for mem in sets.values() for w in mem}
    # A word that only a misread brings in must have been seen often enough for its neighbours
    # to say something: with ten sightings of "hinder", smoothing alone made "det finns hinder
    # för" look like "händer". Below that it is left out, and its set falls back on the prior.
    by_misread_only = targets - {w for key, mem in sets.items() if not key.startswith(MISREAD_KEY)
                                 for w in mem}
    wf = wordfreq.get_frequency_dict("sv", "large")
    sents = list(sents)
    uni, ctx = count(sents, targets)
    endings = collections.Counter()  # how often each ending class stands anywhere (its background)
    for token, k in uni.items():
        ending = suffix_class(token)
        if ending is not None:
            endings[ending] += k
    words = {}
    kept = set()
    for w in sorted(targets):
        d = ctx.get(w)
        if w in by_misread_only and (d is None or d["n"] < MISREAD_MIN_N):
            continue
        f = float(f"{wf.get(w, 0.0):.4g}")
        if d is None:
            words[w] = {"n": 0, "wf": f, "T": dict.fromkeys(POSITIONS, 0),
                        **{pos: {} for pos in POSITIONS}}
            continue
        e = {"n": d["n"], "wf": f,
             "T": {pos: len(d[pos]) for pos in POSITIONS}}
        for pos in POSITIONS:
            e[pos] = {c: k for c, k in sorted(d[pos].items())
                      if k >= min_neighbour or c in SPECIAL}
            kept.update(e[pos])
        words[w] = e
    model = {
        "format": "svfix-context",
        "version": 1,
        "sources": sources or [],
        "tokens_total": sum(uni.values()) - uni[S] - uni[E],
        "sentences_total": len(sents),
        "vocab_size": len(uni),
        "min_zipf": MIN_ZIPF,
        "min_neighbour": min_neighbour,
        # (a set keeps the members the model holds: the misread ones left out above go)
        "sets": {key: kept_members for key, members in sets.items()
                 if len(kept_members := [w for w in members if w in words]) >= 2},
        "words": words,
        "neighbour_totals": {c: (endings[c] if c.startswith("~") else uni[c]) for c in sorted(kept)},
        "params": DEFAULT_PARAMS,
    }
    return model


# ---------------------------------------------------------------------------
# Reference scorer (mirror this in svfix)
# ---------------------------------------------------------------------------

# Written to the model file as "params".  The default is the "mix" prior:
# in-domain the corpus prior is best, but the corpus is software documentation
# and on out-of-domain prose (cross-source test in CONTEXT.md) mix/wordfreq win.
# Chosen by the leave-one-source-out grid (`--loso-grid`, CONTEXT.md): best
# macro accuracy among the non-corpus priors, and near-best on the one held-out
# source that is general prose (cfi-sv) rather than software documentation.
DEFAULT_PARAMS = {
    "prior": "mix",     # P(w): "corpus" | "wordfreq" | "mix" (= average of both)
    "smoothing": "wb",  # "wb" = Witten-Bell, "dirichlet" = add-k spread by B(c)
    "beta": 4.0,        # wb: pseudo-count mass = beta * T_pos(w) (distinct neighbours)
    "alpha": 20.0,      # dirichlet: pseudo-count mass = alpha
    "w1": 1.0,          # weight of L1 and R1 log-probabilities
    "w2": 0.5,          # weight of L2 and R2 log-probabilities
    "prior_k": 0.5,     # add-k for the corpus prior P(w)
}
def member_prior(model, members, mode="mix", k=0.5):
    """P(w) over the members of one set.
    corpus:   (n_w + k) / sum(n_m + k)       (counts in this corpus)
    wordfreq: wf_w / sum(wf_m)               (wordfreq 'large' frequencies)
    mix:      0.5 * corpus + 0.5 * wordfreq"""
    words = model["words"]
    ns = [words.get(m, {}).get("n", 0) + k for m in members]
    wfs = [words.get(m, {}).get("wf", 0.0) for m in members]
    tn, tw = sum(ns), sum(wfs)
    pc = [x / tn for x in ns]
    pw = [x / tw for x in wfs] if tw > 0 else pc
    if mode == "corpus":
        out = pc
    elif mode == "wordfreq":
        out = pw
    else:
        out = [0.5 * a + 0.5 * b for a, b in zip(pc, pw)]
    return dict(zip(members, out))


def fold_model(model):
    """Return a view of `model` whose neighbour keys are skeletons (for use
    when the context words may themselves have lost their diacritics)."""
    f = model.get("_folded")
    if f is not None:
        return f
    words = {}
    for w, e in model["words"].items():
        ne = {"n": e["n"], "wf": e["wf"], "T": e["T"]}
        for pos in ("L1", "R1", "L2", "R2"):
            c = collections.Counter()
            for k, v in e[pos].items():
                c[k if k in SPECIAL else skeleton(k)] += v
            ne[pos] = dict(c)
        words[w] = ne
    nt = collections.Counter()
    for k, v in model["neighbour_totals"].items():
        nt[k if k in SPECIAL else skeleton(k)] += v
    f = dict(model, words=words, neighbour_totals=dict(nt))
    f.pop("_folded", None)
    model["_folded"] = f
    return f


def score_members(model, left2, left1, right1, right2, members, params=None, prior=None):
    """Log-score each candidate in `members` given its context.

    left2/left1/right1/right2 are lowercased tokens as produced by
    `tokenize_sentence` ("<S>"/"</S>" beyond the sentence edge - two of them
    when the word is first/last -, "<NUM>" for numbers, None = ignore).

        score(w) = log P(w)
                 + w1 * [log P(L1=left1 | w)/B(left1) + log P(R1=right1 | w)/B(right1)]
                 + w2 * [log P(L2=left2 | w)/B(left2) + log P(R2=right2 | w)/B(right2)]

    (dividing by the background B(c) does not change the argmax; it makes
    the context term of an unseen member exactly 0).  Parameters: `params`
    over model["params"] over DEFAULT_PARAMS.  Highest score wins; ties go to
    the earlier member (sets are ordered by wordfreq frequency).

        P(w)      = member_prior(model, members, params["prior"]), i.e.
                    corpus (n_w + prior_k) / sum_m (n_m + prior_k),
                    wordfreq wf_w / sum_m wf_m, or their average ("mix",
                    default); or the caller's `prior` {member: probability}
        P(c | w)  = (count_pos(w, c) + K_w * B(c)) / (n_w + K_w)
        B(c)      = (neighbour_totals[c] + 1) / (tokens_total + vocab_size)
        K_w       = beta * T_pos(w)   (Witten-Bell; T = distinct neighbours of
                                       w at that position before pruning)
                  | alpha             ("dirichlet": add-k spread over B)

    With n_w = 0 (member never seen in the corpus) P(c|w) = B(c): no context
    evidence either way.  Witten-Bell matters: a frequent word with many
    different neighbours (för, är, på) keeps a lot of mass for unseen
    neighbours, so one unseen neighbour does not hand the decision to a rare
    member that has simply been seen too little to have counts.
    Returns {member: score} (natural logs).
    """
    p = {**DEFAULT_PARAMS, **model.get("params", {}), **(params or {})}
    words, nt = model["words"], model["neighbour_totals"]
    denom_bg = model["tokens_total"] + model["vocab_size"]
    wb = p["smoothing"] == "wb"
    if prior is None:
        prior = member_prior(model, members, p["prior"], p["prior_k"])
    ctx = (("L1", left1, p["w1"]), ("R1", right1, p["w1"]),
           ("L2", left2, p["w2"]), ("R2", right2, p["w2"]))
    scores = {}
    for m in members:
        e = words.get(m)
        sc = math.log(max(prior.get(m, 0.0), 1e-12))
        if e is not None and e["n"] > 0:
            n = e["n"]
            for pos, c, wt in ctx:
                if c is None or wt == 0:
                    continue
                bg = (nt.get(c, 0) + 1) / denom_bg
                k = p["beta"] * e["T"][pos] if wb else p["alpha"]
                sc += wt * math.log((e[pos].get(c, 0) + k * bg) / (n + k) / bg)
        scores[m] = sc
    return scores


# ---------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------

PRIORS = ("corpus", "wordfreq", "mix")
XDOMAIN_HELD_OUT = ["cfi-sv", "KDE handbooks (sv)", "gnome-user-docs", "manpages-sv"]
REPORT_SETS = ["har", "ar", "for", "sa", "pa", "man", "nar", "da", "fa", "ga", "tva",
               "var", "mal", "star", "lan", "ater"]


def evaluate(model, sents, sets, params=None, prior_mode="corpus", folded=False,
             confusions=None):
    """Accuracy of restoring every target occurrence in `sents`.
    Returns {"all": (correct, total), skeleton: (correct, total), ...} for the
    context model and for the wordfreq-only baseline (key prefix 'base:')."""
    sets = model.get("sets", sets)  # the sets as this model holds them (`make_model`)
    sk_of = {w: sk for sk, mem in sets.items() for w in mem}
    m = fold_model(model) if folded else model
    res = collections.defaultdict(lambda: [0, 0])
    for toks in sents:
        seq = (S, S) + toks + (E, E)
        if folded:
            cseq = tuple(t if t in SPECIAL else skeleton(t) for t in seq)
        else:
            cseq = seq
        for i in range(2, len(seq) - 2):
            w = seq[i]
            sk = sk_of.get(w)
            if sk is None:
                continue
            mem = sets[sk]
            sc = score_members(m, cseq[i - 2], cseq[i - 1], cseq[i + 1], cseq[i + 2], mem,
                               dict(params or {}, prior=prior_mode))
            guess = max(mem, key=lambda x: (sc[x], -mem.index(x)))
            base = mem[0]  # members are sorted by wordfreq frequency
            cbase = max(mem, key=lambda x: (m["words"][x]["n"], -mem.index(x)))
            if confusions is not None and guess != w:
                confusions[(w, guess)] += 1
            split = "maj" if w == mem[0] else "min"
            for key in ("all", sk, split):
                r = res[key]
                r[0] += guess == w
                r[1] += 1
                b = res["base:" + key]
                b[0] += base == w
                b[1] += 1
                b = res["cbase:" + key]
                b[0] += cbase == w
                b[1] += 1
    return dict(res)


def run_eval(corpus, sets, out=sys.stderr):
    train_dev = [t for si, b, t in corpus.sents if b >= 2]
    dev = [t for si, b, t in corpus.sents if b == 1]
    train = [t for si, b, t in corpus.sents if b != 0]
    test = [t for si, b, t in corpus.sents if b == 0]
    print(f"eval: train={len(train)} sents, test={len(test)} sents "
          f"(tuning: {len(train_dev)} / dev {len(dev)})", file=out)

    # --- tune on dev (model built without buckets 0 and 1)
    mdev = make_model(train_dev, sets)
    smooth = [{"smoothing": "wb", "beta": b} for b in (0.25, 0.5, 1.0, 2.0, 4.0)] + \
             [{"smoothing": "dirichlet", "alpha": a} for a in (5.0, 20.0, 100.0, 500.0)]
    grid = []
    for sm in smooth:
        for w1 in (0.5, 1.0):
            for w2 in (0.0, 0.25, 0.5):
                for prior_mode in PRIORS:
                    params = dict(sm, w1=w1, w2=w2)
                    r = evaluate(mdev, dev, sets, params, prior_mode)["all"]
                    grid.append((r[0] / r[1], json.dumps(params, sort_keys=True), prior_mode))
    grid.sort(key=lambda g: (-g[0], g[1], g[2]))
    for g in grid[:10]:
        print(f"  dev acc={g[0]:.4f} {g[1]} prior={g[2]}", file=out)
    best = grid[0]
    # best setting per prior mode, so every mode can be reported on test
    best_by_prior = {}
    for g in grid:
        best_by_prior.setdefault(g[2], g)
    for pm, g in sorted(best_by_prior.items()):
        print(f"  best for prior={pm}: dev acc={g[0]:.4f} {g[1]}", file=out)

    # --- test (model built on buckets 1..9)
    mtrain = make_model(train, sets)
    configs = [(f"{pm} (dev-tuned)", json.loads(g[1]), pm, False)
               for pm, g in sorted(best_by_prior.items())]
    dflt = {k: v for k, v in DEFAULT_PARAMS.items() if k != "prior"}
    configs += [("default", dflt, DEFAULT_PARAMS["prior"], False),
                ("default, folded ctx", dflt, DEFAULT_PARAMS["prior"], True)]
    results = {}
    conf = collections.Counter()
    for name, params, pm, folded in configs:
        print(f"  test config {name}: prior={pm} {params}", file=out)
        results[name] = (params, evaluate(mtrain, test, sets, params, pm, folded,
                                          conf if name == "default" else None))
    print("top confusions on test (gold -> chosen), default params, clean context:", file=out)
    print("  " + ", ".join(f"{w}->{g} {c}" for (w, g), c in conf.most_common(25)), file=out)
    xconfigs = [(n, p, pm) for n, p, pm, f in configs if not f]
    xdom = run_xdomain(corpus, sets, xconfigs, out)
    return best, grid, results, xdom


def run_xdomain(corpus, sets, configs, out=sys.stderr, held_out=XDOMAIN_HELD_OUT):
    """Cross-source test: train on all other sources, test on one whole source.
    configs: [(name, params, prior_mode)]."""
    names = [src[0] for src in SOURCES]
    lines = ["| held-out source | n | wordfreq only | corpus freq only | "
             + " | ".join(f"ctx, {n}" for n, _, _ in configs) + " |",
             "|---" + "|---:" * (3 + len(configs)) + "|"]
    for held in held_out:
        hi = names.index(held)
        train = [t for si, _, t in corpus.sents if si != hi]
        test = [t for si, _, t in corpus.sents if si == hi]
        if not test:
            continue
        m = make_model(train, sets)
        row = [held]
        for _, params, pm in configs:
            r = evaluate(m, test, sets, params, pm)
            if len(row) == 1:
                row += [str(r["all"][1]), f"{100 * r['base:all'][0] / r['base:all'][1]:.2f}%",
                        f"{100 * r['cbase:all'][0] / r['cbase:all'][1]:.2f}%"]
            mn = r.get("min", [0, 0])
            row.append(f"{100 * r['all'][0] / r['all'][1]:.2f}% "
                       f"(minority {100 * mn[0] / max(mn[1], 1):.0f}%)")
        lines.append("| " + " | ".join(row) + " |")
        print("  " + lines[-1], file=out)
    return "\n".join(lines)


def run_loso_grid(corpus, sets, out=sys.stdout):
    """Leave-one-source-out grid over priors and weights (slow, ~10 min)."""
    import itertools
    names = [src[0] for src in SOURCES]
    folds = []
    for held in XDOMAIN_HELD_OUT:
        hi = names.index(held)
        folds.append((held, make_model([t for si, _, t in corpus.sents if si != hi], sets),
                      [t for si, _, t in corpus.sents if si == hi]))
    print("macro_acc prior beta w1 w2 | " + " ".join(XDOMAIN_HELD_OUT) + " | minority", file=out)
    for pm, beta, w1, w2 in itertools.product(PRIORS, (0.5, 1.0, 2.0, 4.0), (0.5, 1.0, 1.5),
                                              (0.25, 0.5)):
        params = {"smoothing": "wb", "beta": beta, "w1": w1, "w2": w2}
        accs, mins = [], []
        for _, m, test in folds:
            r = evaluate(m, test, sets, params, pm)
            accs.append(r["all"][0] / r["all"][1])
            mins.append(r["min"][0] / max(r["min"][1], 1))
        print(f"{sum(accs) / len(accs):.4f} {pm} {beta} {w1} {w2} | "
              + " ".join(f"{a:.4f}" for a in accs) + f" | {sum(mins) / len(mins):.3f}",
              file=out, flush=True)


def format_table(results, sets):
    keys = list(results)
    any_res = results[keys[0]][1]
    head = ["set", "n (test)", "wordfreq only", "corpus freq only"] + [f"ctx, {k}" for k in keys]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]

    def pct(r):
        return f"{100.0 * r[0] / r[1]:.1f}%" if r and r[1] else "-"

    for sk in ["all", "maj", "min"] + REPORT_SETS:
        if sk not in any_res:
            label = "/".join(sets[sk]) if sk in sets else sk
            lines.append(f"| {label} | 0 |" + " - |" * (len(head) - 2))
            continue
        label = {"all": "**all targets**",
                 "maj": "gold = wordfreq's top member",
                 "min": "gold = a less frequent member"}.get(sk) or "/".join(sets[sk])
        row = [label, str(any_res[sk][1]), pct(any_res["base:" + sk]),
               pct(any_res["cbase:" + sk])]
        for k in keys:
            row.append(pct(results[k][1].get(sk)))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------

def write_model(model, path=OUT):
    data = json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(data.encode("utf-8"))
    with open(path, "wb") as fh:
        fh.write(buf.getvalue())
    return len(data.encode("utf-8")), len(buf.getvalue())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-eval", action="store_true")
    ap.add_argument("--fetch", action="store_true",
                    help=f"apt-get download + unpack the .deb-only sources into {DEB_CACHE}")
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--table", default=None, help="write the evaluation table (markdown) here")
    ap.add_argument("--loso-grid", action="store_true",
                    help="also run the (slow) leave-one-source-out parameter grid")
    ap.add_argument("--no-misreads", action="store_true",
                    help="only the sets of lost dots, without `misread_sets` (the model before it)")
    ap.add_argument("--prose-weight", type=int, default=SOURCE_WEIGHTS[MUNICIPAL_PROSE],
                    help="how many times each sentence of the municipal prose counts")
    args = ap.parse_args(argv)
    SOURCE_WEIGHTS[MUNICIPAL_PROSE] = args.prose_weight

    t0 = time.time()
    if args.fetch:
        fetch_debs(sorted({d for *_, debs in SOURCES if debs for d in debs}))
    sets = ambiguous_sets()
    if not args.no_misreads:
        sets.update(misread_sets())
    print(f"ambiguous sets: {len(sets)}, target words: "
          f"{sum(len(v) for v in sets.values())}", file=sys.stderr)
    corpus = Corpus()
    print(f"corpus: {len(corpus.sents)} sentences, "
          f"{sum(s['tokens'] for s in corpus.sources)} tokens ({time.time() - t0:.0f}s)",
          file=sys.stderr)

    weights = [SOURCE_WEIGHTS.get(src[0], 1) for src in SOURCES]
    for source, weight in zip(corpus.sources, weights):
        source["weight"] = weight
    model = make_model((t for si, _, t in corpus.sents for _ in range(weights[si])), sets,
                       sources=corpus.sources)
    sets = model["sets"]  # what the model holds, for the evaluation below
    raw, comp = write_model(model, args.out)
    print(f"wrote {args.out}: {comp / 1e6:.2f} MB gz ({raw / 1e6:.2f} MB json)",
          file=sys.stderr)
    t1 = time.time()
    with gzip.open(args.out, "rt", encoding="utf-8") as fh:
        json.load(fh)
    print(f"load time: {time.time() - t1:.3f}s", file=sys.stderr)

    if corpus.mo_owners:
        pk = collections.Counter(corpus.mo_owners.values())
        print("gettext catalog owners: " + ", ".join(f"{k}({v})" for k, v in sorted(pk.items())),
              file=sys.stderr)

    if not args.no_eval:
        best, grid, results, xdom = run_eval(corpus, sets)
        table = format_table(results, sets) + "\n\nCross-source test:\n\n" + xdom
        print(table)
        if args.loso_grid:
            run_loso_grid(corpus, sets)
        if args.table:
            with open(args.table, "w") as fh:
                fh.write(table + "\n")


if __name__ == "__main__":
    main()

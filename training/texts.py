"""Training texts: discovery, the cfi-sv book, and page-sized chunks.

Sources used for learning the OCR channel (never the held-out benchmark texts
under ``benchmarks/``):

* ``/work/shared/data/*.txt`` -- real municipal text (Tyresö kommun report).
* ``training/corpus/*.txt`` -- the project's Swedish training corpus.
* the Debian package ``cfi-sv`` (``/usr/share/doc/cfi-sv/cfi.html``): Linus
  Walleij's book *Copyright finns inte* (v3.0), running Swedish prose. Its
  ``/usr/share/doc/cfi-sv/copyright`` says: "This book is provided without
  copyright (read the title), i.e. it's in the public domain." Install with
  ``apt-get install cfi-sv``.
"""

from __future__ import annotations

import html
import html.parser
import random
import re
import unicodedata
import zlib
from pathlib import Path

CFI_HTML = Path("/usr/share/doc/cfi-sv/cfi.html")
REPO = Path(__file__).resolve().parent.parent
HELD_OUT_DIRS = (REPO / "benchmarks",)


def is_held_out(path: Path) -> bool:
    """True if *path* lies under a held-out (evaluation) directory."""
    p = Path(path).resolve()
    return any(p == d or d in p.parents for d in HELD_OUT_DIRS)


class _CfiParser(html.parser.HTMLParser):
    BLOCK = {"p", "h1", "h2", "h3", "h4", "li", "blockquote", "dd", "dt"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paras: list[str] = []
        self.cur: list[str] | None = None
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "pre", "table"):
            self.skip += 1
        if tag in self.BLOCK:
            self._flush()
            self.cur = []
        elif tag == "br" and self.cur is not None:
            self.cur.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "pre", "table"):
            self.skip = max(0, self.skip - 1)
        if tag in self.BLOCK:
            self._flush()

    def handle_data(self, data):
        if self.cur is not None and not self.skip:
            self.cur.append(data)

    def _flush(self):
        if self.cur is not None:
            text = " ".join("".join(self.cur).split())
            if text:
                self.paras.append(text)
        self.cur = None


def extract_cfi(path: Path = CFI_HTML) -> str:
    """Return the prose of *Copyright finns inte* as paragraphs separated by blank lines.

    Keeps paragraphs and headings; drops the table of contents (list items made
    only of links are short, so any paragraph under 3 words that is not a
    heading-like line is dropped), URLs-only lines and very long non-prose lines.
    """
    raw = Path(path).read_text(encoding="latin-1")
    p = _CfiParser()
    p.feed(raw)
    out = []
    for para in p.paras:
        para = unicodedata.normalize("NFC", para.replace("\xa0", " "))
        if re.fullmatch(r"(https?://|www\.)\S+", para):
            continue
        if len(para.split()) < 2:
            continue
        out.append(para)
    # drop the table of contents: it is the run of short items before the first
    # paragraph of at least 40 words
    first_long = next((i for i, t in enumerate(out) if len(t.split()) >= 40), 0)
    out = out[max(0, first_long - 2):]
    return "\n\n".join(out) + "\n"


def read_text(path: Path) -> str:
    """Read a UTF-8 text file, NFC-normalised, with ``\\n`` line ends."""
    t = Path(path).read_text(encoding="utf-8", errors="replace")
    return unicodedata.normalize("NFC", t.replace("\r\n", "\n").replace("\r", "\n"))


def paragraphs(text: str) -> list[str]:
    """Split on blank lines; each paragraph's internal whitespace is collapsed."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


_SENT = re.compile(r"(?<=[.!?:;])\s+")


def chunk_text(text: str, key: str, min_words: int = 250, max_words: int = 400) -> list[str]:
    """Cut *text* into page-sized chunks of about min..max words.

    Whole paragraphs are kept together where possible; a paragraph longer than
    *max_words* is cut at sentence ends. The target size of each chunk is drawn
    deterministically from *key*. Chunks keep blank lines between paragraphs.
    A trailing remainder shorter than 80 words joins the previous chunk.
    """
    rng = random.Random(zlib.crc32(key.encode()))
    pieces: list[str] = []
    for para in paragraphs(text):
        if len(para.split()) <= max_words:
            pieces.append(para)
            continue
        cur: list[str] = []
        for sent in _SENT.split(para):
            cur.append(sent)
            if len(" ".join(cur).split()) >= min_words:
                pieces.append(" ".join(cur))
                cur = []
        if cur:
            pieces.append(" ".join(cur))
    chunks: list[list[str]] = []
    cur, n = [], 0
    target = rng.randint(min_words, max_words)
    for piece in pieces:
        w = len(piece.split())
        if cur and n + w > max_words and n >= min_words // 2:
            chunks.append(cur)
            cur, n = [], 0
            target = rng.randint(min_words, max_words)
        cur.append(piece)
        n += w
        if n >= target:
            chunks.append(cur)
            cur, n = [], 0
            target = rng.randint(min_words, max_words)
    if cur:
        if chunks and n < 80:
            chunks[-1].extend(cur)
        else:
            chunks.append(cur)
    return ["\n\n".join(c) for c in chunks]


_HEADING = re.compile(r"^[^.!?]{2,80}$")


def augment(text: str, seed: int, p_upper_heading: float = 0.4, p_cap_page: float = 0.15,
            p_cap_word: float = 0.5) -> tuple[str, dict]:
    """Add the capitals that running prose lacks but municipal papers have.

    * heading-like paragraphs (at most 8 words, no sentence punctuation) are put
      in UPPER CASE with probability *p_upper_heading* ("MILJÖPROGRAM");
    * on a fraction *p_cap_page* of pages, words that start with å/ä/ö get a
      capital initial with probability *p_cap_word* ("Även", "Åtgärder").

    Returns the new text and counts of what was changed. Deterministic in *seed*.
    """
    rng = random.Random(seed)
    stats = {"upper_headings": 0, "capitalized": 0}
    paras = paragraphs(text)
    out = []
    cap_page = rng.random() < p_cap_page
    for para in paras:
        if len(para.split()) <= 8 and _HEADING.match(para) and rng.random() < p_upper_heading:
            para = para.upper()
            stats["upper_headings"] += 1
        elif cap_page:
            def cap(m):
                if rng.random() < p_cap_word:
                    stats["capitalized"] += 1
                    return m.group(0)[0].upper() + m.group(0)[1:]
                return m.group(0)
            para = re.sub(r"(?<!\w)[åäö]\w*", cap, para)
        out.append(para)
    return "\n\n".join(out), stats

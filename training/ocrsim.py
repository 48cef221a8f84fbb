"""Simulate scanned pages and OCR them with real Tesseract.

This module turns clean text into *(truth, ocr)* pairs the way a municipal
document goes through a scanner and an English-model OCR engine: the text is
wrapped and rendered black-on-white on an A4-like page in a real font, the page
image is degraded like a scan (resolution, blur, noise, JPEG, skew,
binarisation) and then read by ``tesseract -l eng``.

It is shared by the training scripts (``training.make_pairs``) and may be used by
benchmarks and sample makers, so the API is small and deterministic: every random
choice is drawn from ``random.Random(seed)`` (no numpy, no global state), so the
same arguments give the same image and, Tesseract being deterministic with
``OMP_THREAD_LIMIT=1``, the same OCR text.

Public API
----------
``FONTS_TRAIN``, ``FONTS_EVAL``
    dict name -> font file, resolved through fontconfig. Disjoint design families;
    the EVAL fonts must never be used for learning.
``QUALITIES``
    dict name -> :class:`ScanQuality` preset ("clean", "office", "noisy", "poor").
``load_font(font_path, size_pt, dpi) -> ImageFont.FreeTypeFont``
``wrap(text, font, width_px) -> list[str]``
``render_page(lines, font_path, size_pt, dpi, *, supersample=2, ...) -> Image``
``degrade(img, quality, seed) -> Image``
``ocr(img, lang="eng", psm=3) -> str``
``make_pair(text, font, size, quality, seed, lang="eng") -> (truth, ocr)``
``simulate(text, font, size, quality, seed, lang="eng") -> PairResult``
    like ``make_pair`` but also returns the images and the sampled parameters.

Fonts
-----
All fonts come from Debian packages; install them with::

    apt-get install fonts-liberation fonts-urw-base35 fonts-crosextra-carlito \\
        fonts-crosextra-caladea fonts-dejavu-core fonts-freefont-ttf \\
        fonts-texgyre fonts-linuxlibertine fonts-noto-core

(``fonts-liberation``: Liberation Serif/Sans; ``fonts-urw-base35``: Nimbus Roman,
C059, URW Bookman, Nimbus Sans Narrow; ``fonts-crosextra-carlito``: Carlito;
``fonts-crosextra-caladea``: Caladea; ``fonts-dejavu-core``: DejaVu Serif/Sans;
``fonts-freefont-ttf``: FreeSerif; ``fonts-texgyre``: TeX Gyre Pagella;
``fonts-linuxlibertine``: Linux Libertine O; ``fonts-noto-core``: Noto Serif/Sans.)

TRAIN families: Times (Liberation Serif, Nimbus Roman, FreeSerif), Calibri
(Carlito), DejaVu Serif, DejaVu Sans (Verdana-like), Century Schoolbook (C059),
Arial (Liberation Sans).

EVAL families (held out): Palatino (TeX Gyre Pagella), Cambria (Caladea),
Libertine, Noto Serif, Bookman (URW Bookman), Helvetica Narrow (Nimbus Sans
Narrow), Noto Sans (humanist sans). TeX Gyre Schola is *not* used for EVAL
because it is Century Schoolbook, the same design as the TRAIN font C059.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import os
import random
import subprocess
import unicodedata
from typing import Iterable, Mapping

from PIL import Image, ImageDraw, ImageFilter, ImageFont

__all__ = [
    "FONTS_TRAIN",
    "FONTS_EVAL",
    "FONT_PACKAGES",
    "QUALITIES",
    "ScanQuality",
    "ScanParams",
    "PairResult",
    "resolve_font",
    "load_font",
    "wrap",
    "render_page",
    "degrade",
    "ocr",
    "tesseract_version",
    "make_pair",
    "simulate",
]

# --------------------------------------------------------------------------- fonts

#: Debian packages that provide the fonts below.
FONT_PACKAGES = (
    "fonts-liberation",
    "fonts-urw-base35",
    "fonts-crosextra-carlito",
    "fonts-crosextra-caladea",
    "fonts-dejavu-core",
    "fonts-freefont-ttf",
    "fonts-texgyre",
    "fonts-linuxlibertine",
    "fonts-noto-core",
)

_TRAIN_FAMILIES = {
    "LiberationSerif": "Liberation Serif",
    "NimbusRoman": "Nimbus Roman",
    "Carlito": "Carlito",
    "DejaVuSerif": "DejaVu Serif",
    "DejaVuSans": "DejaVu Sans",
    "C059": "C059",
    "LiberationSans": "Liberation Sans",
    "FreeSerif": "FreeSerif",
}

_EVAL_FAMILIES = {
    "TeXGyrePagella": "TeX Gyre Pagella",
    "Caladea": "Caladea",
    "LinuxLibertine": "Linux Libertine O",
    "NotoSerif": "Noto Serif",
    "URWBookman": "URW Bookman",
    "NimbusSansNarrow": "Nimbus Sans Narrow",
    "NotoSans": "Noto Sans",
}

_GOOD_EXT = (".ttf", ".otf")


def resolve_font(family: str) -> str | None:
    """Return the file of the regular (upright, normal weight) face of *family*.

    Uses ``fc-list`` to find a TrueType/OpenType file whose family matches exactly
    (Type 1 ``.pfb``/``.t1`` files are skipped when an OpenType one exists), and
    falls back to ``fc-match``. Returns ``None`` if the family is not installed.
    """
    try:
        out = subprocess.run(
            ["fc-list", f"{family}", "file", "style", "family"],
            capture_output=True, text=True, check=False,
        ).stdout
    except FileNotFoundError:  # no fontconfig
        return None
    best: tuple[int, str] | None = None
    for line in out.splitlines():
        path, _, rest = line.partition(": ")
        families = [f.strip() for f in rest.split(":style=")[0].split(",")]
        style = rest.split(":style=")[1] if ":style=" in rest else ""
        if family not in families:
            continue
        styles = {s.strip().lower() for s in style.split(",")}
        regular = bool(styles & {"regular", "roman", "book", "normal", "light"})
        score = (2 if regular else 0) + (1 if path.lower().endswith(_GOOD_EXT) else 0)
        if any(w in style.lower() for w in ("bold", "italic", "oblique", "condensed")):
            score -= 4
        if best is None or score > best[0]:
            best = (score, path)
    if best is not None and best[0] >= 2:
        return best[1]
    res = subprocess.run(
        ["fc-match", "-f", "%{family}\t%{file}", f"{family}:style=Regular"],
        capture_output=True, text=True, check=False,
    ).stdout
    fam, _, path = res.partition("\t")
    if family in [f.strip() for f in fam.split(",")] and path:
        return path
    return None


def _resolve_all(families: Mapping[str, str]) -> dict[str, str]:
    found = {}
    for key, fam in families.items():
        path = resolve_font(fam)
        if path:
            found[key] = path
    return found


#: Fonts used to learn the confusion model (name -> file).
FONTS_TRAIN: dict[str, str] = _resolve_all(_TRAIN_FAMILIES)
#: Held-out fonts for evaluation only (name -> file). Never train on these.
FONTS_EVAL: dict[str, str] = _resolve_all(_EVAL_FAMILIES)


def _font_path(font: str) -> str:
    """Accept a key of FONTS_TRAIN/FONTS_EVAL, a family name, or a file path."""
    if font in FONTS_TRAIN:
        return FONTS_TRAIN[font]
    if font in FONTS_EVAL:
        return FONTS_EVAL[font]
    if os.path.exists(font):
        return font
    path = resolve_font(font)
    if path is None:
        raise ValueError(f"font not found: {font!r}")
    return path


@functools.lru_cache(maxsize=64)
def load_font(font_path: str, size_pt: float, dpi: float) -> ImageFont.FreeTypeFont:
    """Load *font_path* at *size_pt* points for a canvas of *dpi* pixels per inch."""
    px = max(1, round(size_pt * dpi / 72.0))
    return ImageFont.truetype(_font_path(font_path), px)


# ------------------------------------------------------------------- scan quality


@dataclasses.dataclass(frozen=True)
class ScanParams:
    """Concrete, sampled scan parameters (what one page actually went through).

    ``dpi``: scan resolution. ``blur``: Gaussian sigma in pixels at that dpi.
    ``ink``/``paper``: grey levels of ink and paper (0..255).
    ``noise``: std-dev-like amplitude of additive grey noise.
    ``salt_pepper``: fraction of pixels flipped to white/black.
    ``speckles``: number of dust specks per page. ``rotation``: degrees.
    ``threshold``: binarisation cut as a fraction of the way from the page's ink
    level (1st percentile of grey) to its paper level (median); 0.5 = halfway,
    lower = thinner strokes and lost dots, higher = bolder strokes and filled
    counters. None = keep greyscale.
    ``jpeg``: JPEG quality (None = lossless). ``bleed``: +1 thickens strokes
    (ink bleed), -1 thins them (faint toner), 0 leaves them.
    ``size_pt``: font size override for this quality (None = use the caller's).
    """

    dpi: int = 300
    blur: float = 0.0
    ink: int = 0
    paper: int = 255
    noise: float = 0.0
    salt_pepper: float = 0.0
    speckles: int = 0
    rotation: float = 0.0
    threshold: float | None = None
    jpeg: int | None = None
    bleed: int = 0
    size_pt: float | None = None

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _uni(rng: random.Random, rng_pair: tuple[float, float]) -> float:
    lo, hi = rng_pair
    return lo if lo == hi else rng.uniform(lo, hi)


@dataclasses.dataclass(frozen=True)
class ScanQuality:
    """A named preset: ranges from which :class:`ScanParams` are drawn.

    Call :meth:`sample` with a ``random.Random`` to get concrete parameters.
    Ranges are ``(low, high)`` tuples; probabilities are in 0..1.
    """

    name: str
    dpi: tuple[int, ...] = (300,)
    blur: tuple[float, float] = (0.0, 0.0)
    ink: tuple[float, float] = (0, 0)
    paper: tuple[float, float] = (255, 255)
    noise: tuple[float, float] = (0.0, 0.0)
    salt_pepper: tuple[float, float] = (0.0, 0.0)
    speckles: tuple[int, int] = (0, 0)
    rotation: float = 0.0
    p_binarize: float = 0.0
    threshold: tuple[float, float] = (0.5, 0.5)
    p_jpeg: float = 0.0
    jpeg: tuple[int, int] = (75, 75)
    p_bleed: float = 0.0
    p_thin: float = 0.0
    size_pt: tuple[float, ...] | None = None

    def sample(self, rng: random.Random) -> ScanParams:
        """Draw concrete parameters (deterministic for a seeded *rng*)."""
        dpi = rng.choice(self.dpi)
        blur = _uni(rng, self.blur)
        ink = int(_uni(rng, self.ink))
        paper = int(_uni(rng, self.paper))
        noise = _uni(rng, self.noise)
        sp = _uni(rng, self.salt_pepper)
        speck = rng.randint(*self.speckles)
        rot = rng.uniform(-self.rotation, self.rotation) if self.rotation else 0.0
        thr = round(_uni(rng, self.threshold), 3) if rng.random() < self.p_binarize else None
        jpg = int(_uni(rng, self.jpeg)) if rng.random() < self.p_jpeg else None
        u = rng.random()
        bleed = 1 if u < self.p_bleed else (-1 if u < self.p_bleed + self.p_thin else 0)
        size = rng.choice(self.size_pt) if self.size_pt else None
        return ScanParams(dpi=dpi, blur=round(blur, 3), ink=ink, paper=paper,
                          noise=round(noise, 2), salt_pepper=round(sp, 5), speckles=speck,
                          rotation=round(rot, 3), threshold=thr, jpeg=jpg, bleed=bleed,
                          size_pt=size)


#: Scan quality presets. "clean": 300 dpi flatbed, perfect. "office": 200 dpi
#: multifunction-printer scan, slight blur and JPEG. "noisy": 150-200 dpi, blur,
#: noise, specks, skew up to 1 degree, often binarised (B/W mode) and JPEG'd.
#: "poor": small print (8-9 pt) at 150 dpi with more blur: a fax-like copy.
QUALITIES: dict[str, ScanQuality] = {
    "clean": ScanQuality(name="clean", dpi=(300,)),
    "office": ScanQuality(
        name="office", dpi=(200,), blur=(0.4, 0.8), ink=(0, 40), paper=(235, 252),
        noise=(2, 6), rotation=0.4, p_jpeg=0.7, jpeg=(70, 92),
        p_bleed=0.15, p_thin=0.1,
    ),
    "noisy": ScanQuality(
        name="noisy", dpi=(150, 200, 200), blur=(0.5, 1.1), ink=(0, 70), paper=(205, 245),
        noise=(6, 18), salt_pepper=(0.0005, 0.003), speckles=(5, 60), rotation=1.0,
        p_binarize=0.5, threshold=(0.3, 0.7), p_jpeg=0.7, jpeg=(40, 75),
        p_bleed=0.2, p_thin=0.2,
    ),
    "poor": ScanQuality(
        name="poor", dpi=(150,), blur=(0.5, 1.0), ink=(10, 70), paper=(200, 240),
        noise=(6, 15), salt_pepper=(0.001, 0.003), speckles=(20, 100), rotation=1.0,
        p_binarize=0.5, threshold=(0.3, 0.7), p_jpeg=0.8, jpeg=(40, 70),
        p_bleed=0.2, p_thin=0.2, size_pt=(8, 8.5, 9),
    ),
}


def _quality(q: "ScanQuality | ScanParams | str") -> "ScanQuality | ScanParams":
    if isinstance(q, str):
        return QUALITIES[q]
    return q


# ------------------------------------------------------------------ layout/render

A4_IN = (8.27, 11.69)


def wrap(text: str, font: ImageFont.FreeTypeFont, width_px: float) -> list[str]:
    """Greedy word wrap of *text* so that every line fits in *width_px* with *font*.

    Paragraphs are separated by blank lines in the input (single newlines inside
    a paragraph are treated as spaces); the output keeps exactly one empty string
    between paragraphs. Runs of whitespace become single spaces. A word wider than
    the line is broken by characters. The rendered page's ground truth is
    ``"\\n".join(wrap(...))``.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    paras = [" ".join(p.split()) for p in text.split("\n\n")]
    paras = [p for p in paras if p]
    out: list[str] = []
    for pi, para in enumerate(paras):
        if pi:
            out.append("")
        line = ""
        for word in para.split(" "):
            cand = f"{line} {word}" if line else word
            if font.getlength(cand) <= width_px:
                line = cand
                continue
            if line:
                out.append(line)
                line = ""
            # word alone; break it if it is too wide
            while font.getlength(word) > width_px and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and font.getlength(word[:cut]) > width_px:
                    cut -= 1
                out.append(word[:cut])
                word = word[cut:]
            line = word
        if line:
            out.append(line)
    return out


def _layout(size_pt: float, dpi: float, margin_in: float, line_spacing: float):
    page_w = round(A4_IN[0] * dpi)
    margin = round(margin_in * dpi)
    line_h = round(size_pt * line_spacing * dpi / 72.0)
    return page_w, margin, line_h


def text_width_px(dpi: float, margin_in: float = 1.0) -> float:
    """Width of the text column of an A4 page at *dpi* with *margin_in* margins."""
    return A4_IN[0] * dpi - 2 * round(margin_in * dpi)


def render_page(
    lines: list[str],
    font_path: str,
    size_pt: float,
    dpi: int,
    *,
    supersample: int = 2,
    margin_in: float = 1.0,
    line_spacing: float = 1.25,
    min_height_in: float = A4_IN[1],
) -> Image.Image:
    """Render already-wrapped *lines* black on white as an A4-wide page.

    The page is drawn at ``dpi * supersample`` and reduced to *dpi* with a box
    filter, which imitates the light integration of a scanner's sensor (grey,
    anti-aliased edges rather than crisp font rasterisation). Empty strings are
    blank lines. The page is at least ``min_height_in`` inches high and grows if
    the text needs more. Returns a greyscale ("L") image whose ``info["dpi"]`` is
    set.
    """
    hi = dpi * supersample
    font = load_font(font_path, size_pt, hi)
    page_w, margin, line_h = _layout(size_pt, hi, margin_in, line_spacing)
    height = max(round(min_height_in * hi), 2 * margin + line_h * len(lines))
    img = Image.new("L", (page_w, height), 255)
    draw = ImageDraw.Draw(img)
    ascent, _ = font.getmetrics()
    y = margin
    for line in lines:
        if line:
            # baseline-anchored so every line sits on the same grid
            draw.text((margin, y + ascent), line, font=font, fill=0, anchor="ls")
        y += line_h
    if supersample > 1:
        img = img.resize((page_w // supersample, height // supersample), Image.Resampling.BOX)
    img.info["dpi"] = (dpi, dpi)
    return img


# ----------------------------------------------------------------------- degrade


def _noise_image(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """Uniform 0..255 noise from *rng* (deterministic; no global RNG)."""
    w, h = size
    return Image.frombytes("L", size, rng.randbytes(w * h))


def _lut(fn) -> list[int]:
    return [max(0, min(255, int(round(fn(v))))) for v in range(256)]


def _percentile(hist: list[int], q: float) -> int:
    total = sum(hist)
    acc = 0
    for v, n in enumerate(hist):
        acc += n
        if acc >= q * total:
            return v
    return 255


def _relative_threshold(img: Image.Image, frac: float) -> float:
    """Grey level *frac* of the way from the ink level to the paper level.

    The ink level is taken among the darkest pixels (text covers only a few per
    cent of a page), like a scanner's automatic exposure would see it.
    """
    hist = img.histogram()
    ink = _percentile(hist, 0.01)
    paper = _percentile(hist, 0.5)
    return ink + frac * (paper - ink)


def degrade(img: Image.Image, quality: "ScanQuality | ScanParams | str", seed: int) -> Image.Image:
    """Degrade a rendered page like a scan; deterministic given *seed*.

    *quality* is a preset name, a :class:`ScanQuality` (its parameters are then
    drawn from ``random.Random(seed)``; its ``dpi`` is ignored since the page is
    already rendered) or concrete :class:`ScanParams`. Steps, in order: stroke
    bleed/thinning, skew, optical blur, ink/paper contrast, grey noise,
    binarisation, salt-and-pepper and dust specks, JPEG compression.
    """
    q = _quality(quality)
    rng = random.Random(seed)
    p = q.sample(rng) if isinstance(q, ScanQuality) else q
    dpi = img.info.get("dpi", (p.dpi, p.dpi))
    img = img.convert("L")

    if p.bleed:
        # sub-pixel stroke weight change: soften, then push grey towards ink
        # (bleed, gamma > 1) or towards paper (faint toner, gamma < 1)
        gamma = 1.8 if p.bleed > 0 else 0.6
        img = img.filter(ImageFilter.GaussianBlur(0.5)).point(_lut(lambda v: 255 * (v / 255) ** gamma))
    if p.rotation:
        img = img.rotate(p.rotation, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if p.blur > 0:
        img = img.filter(ImageFilter.GaussianBlur(p.blur))
    if p.ink or p.paper != 255:
        lo, hi = p.ink, p.paper
        img = img.point(_lut(lambda v: lo + (hi - lo) * v / 255))
    if p.noise > 0:
        # sum of two uniforms ~ triangular, centred: cheap Gaussian-like grain
        n1 = _noise_image(img.size, rng)
        n2 = _noise_image(img.size, rng)
        from PIL import ImageChops

        tri = ImageChops.add(n1.point(_lut(lambda v: v / 2)), n2.point(_lut(lambda v: v / 2)))
        amp = p.noise / 52.0  # std of the triangular (0..255) is ~52
        # img + amp*(tri-128): done as add/subtract of two clipped halves
        pos = tri.point(_lut(lambda v: max(0.0, v - 128) * amp))
        neg = tri.point(_lut(lambda v: max(0.0, 128 - v) * amp))
        img = ImageChops.subtract(ImageChops.add(img, pos), neg)
        img = img.filter(ImageFilter.GaussianBlur(0.4))
    if p.threshold is not None:
        t = _relative_threshold(img, p.threshold)
        img = img.point(lambda v: 255 if v > t else 0)
    if p.salt_pepper > 0:
        from PIL import ImageChops

        # two bytes per decision give a resolution of 1/65536
        a = _noise_image(img.size, rng)
        b = _noise_image(img.size, rng)
        k = max(1, round((p.salt_pepper / 2) ** 0.5 * 256))
        pepper = ImageChops.lighter(a.point(lambda v: 0 if v < k else 255),
                                    b.point(lambda v: 0 if v < k else 255))
        salt = ImageChops.darker(a.point(lambda v: 255 if v > 255 - k else 0),
                                 b.point(lambda v: 255 if v > 255 - k else 0))
        img = ImageChops.lighter(ImageChops.darker(img, pepper), salt)
    if p.speckles:
        draw = ImageDraw.Draw(img)
        w, h = img.size
        r_max = max(1, round(dpi[0] / 150))
        for _ in range(p.speckles):
            x, y = rng.randrange(w), rng.randrange(h)
            r = rng.uniform(0.5, r_max + 0.5)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=rng.randint(0, 90))
    if p.jpeg is not None:
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=p.jpeg)
        buf.seek(0)
        img = Image.open(buf).convert("L")
    img.info["dpi"] = dpi
    return img


# --------------------------------------------------------------------------- OCR


def _tess_env() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


@functools.lru_cache(maxsize=1)
def tesseract_version() -> str:
    """First line of ``tesseract --version`` (e.g. ``"tesseract 5.3.0"``)."""
    out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, check=False)
    return (out.stdout or out.stderr).splitlines()[0].strip()


def ocr(img: Image.Image, lang: str = "eng", psm: int = 3, *, timeout: float = 300) -> str:
    """OCR *img* with the ``tesseract`` command (``OMP_THREAD_LIMIT=1``).

    The image is passed as PNG on stdin with its dpi, so Tesseract knows the
    scale. *psm* 3 is Tesseract's default full-page layout analysis, i.e. what a
    plain ``tesseract scan.png out -l eng`` does. Returns the text with the final
    form feed and trailing whitespace removed; lines keep Tesseract's breaks.
    """
    buf = io.BytesIO()
    dpi = img.info.get("dpi", (300, 300))
    img.save(buf, format="PNG", dpi=tuple(int(round(d)) for d in dpi))
    res = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", lang, "--psm", str(psm),
         "--dpi", str(int(round(dpi[0])))],
        input=buf.getvalue(), capture_output=True, env=_tess_env(), timeout=timeout,
        check=False,
    )
    if res.returncode != 0:
        raise RuntimeError(f"tesseract failed ({res.returncode}): {res.stderr.decode(errors='replace')[-500:]}")
    text = res.stdout.decode("utf-8", errors="replace")
    text = unicodedata.normalize("NFC", text).replace("\f", "")
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines())


# ---------------------------------------------------------------------- pairs


@dataclasses.dataclass
class PairResult:
    """Everything :func:`simulate` produced for one page."""

    truth: str
    ocr: str
    font: str
    font_path: str
    size_pt: float
    quality: str
    seed: int
    params: ScanParams
    clean_image: Image.Image
    image: Image.Image

    def meta(self) -> dict:
        """JSON-able description (no images)."""
        return {
            "font": self.font,
            "font_file": os.path.basename(self.font_path),
            "size_pt": self.size_pt,
            "quality": self.quality,
            "seed": self.seed,
            "params": self.params.to_dict(),
        }


def simulate(
    text: str,
    font: str,
    size: float,
    quality: "ScanQuality | str",
    seed: int,
    lang: str = "eng",
    *,
    psm: int = 3,
    margin_in: float = 1.0,
    supersample: int = 2,
) -> PairResult:
    """Render, degrade and OCR *text*; return truth, OCR, images and parameters.

    *font* is a key of FONTS_TRAIN / FONTS_EVAL, a family name or a file path.
    *quality* is a preset name or :class:`ScanQuality`; its sampled ``size_pt``
    (for "poor") overrides *size*. Deterministic given *seed*.
    """
    q = _quality(quality)
    rng = random.Random(seed)
    params = q.sample(rng) if isinstance(q, ScanQuality) else q
    size_pt = params.size_pt or size
    path = _font_path(font)
    dpi = params.dpi
    hi_font = load_font(path, size_pt, dpi * supersample)
    lines = wrap(text, hi_font, text_width_px(dpi * supersample, margin_in))
    truth = "\n".join(lines)
    clean = render_page(lines, path, size_pt, dpi, supersample=supersample, margin_in=margin_in)
    noisy = degrade(clean, params, seed ^ 0x5EED)
    out = ocr(noisy, lang=lang, psm=psm)
    qname = q.name if isinstance(q, ScanQuality) else "custom"
    return PairResult(truth=truth, ocr=out, font=font, font_path=path, size_pt=size_pt,
                      quality=qname, seed=seed, params=params, clean_image=clean, image=noisy)


def make_pair(
    text: str,
    font: str,
    size: float,
    quality: "ScanQuality | str",
    seed: int,
    lang: str = "eng",
) -> tuple[str, str]:
    """Return ``(truth, ocr)`` for *text* rendered in *font* at *size* pt.

    ``truth`` is the wrapped text exactly as drawn (lines joined by ``"\\n"``,
    blank line between paragraphs); ``ocr`` is what ``tesseract -l lang`` read
    from the degraded page. See :func:`simulate` for details.
    """
    r = simulate(text, font, size, quality, seed, lang)
    return r.truth, r.ocr


def iter_grid(fonts: Iterable[str], sizes: Iterable[float], qualities: Iterable[str]):
    """All (font, size, quality) combinations, in a stable order."""
    for f in fonts:
        for s in sizes:
            for q in qualities:
                yield f, s, q

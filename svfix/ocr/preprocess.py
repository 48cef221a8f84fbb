"""Image clean-up before Tesseract: pure ``Image -> Image`` steps in a named registry.

Each step is kept only where it measurably lowers the character error rate; the figures
behind `DEFAULT_STEPS` are in `benchmarks/RESULTS.md` (made by ``benchmarks/ocr_bench.py
--preprocess``). Everything is done with Pillow (no numpy): projections and histograms are
computed by Pillow's C resampling and `histogram()`.
"""

from __future__ import annotations

from typing import Callable, Iterable

from PIL import Image, ImageChops, ImageFilter

#: Resolution Tesseract's models read best; lower-resolution scans are enlarged to it.
TARGET_DPI = 300


def _dpi(image: Image.Image) -> int:
    dpi = image.info.get("dpi", (TARGET_DPI, TARGET_DPI))
    return int(round(float(dpi[0]))) or TARGET_DPI


def _keep_dpi(out: Image.Image, dpi: int) -> Image.Image:
    out.info["dpi"] = (dpi, dpi)
    return out


def grayscale(image: Image.Image) -> Image.Image:
    """One 8-bit grey channel (colour, palette and 1-bit images alike); alpha goes on white.

    >>> grayscale(Image.new("RGB", (4, 4), (255, 0, 0))).mode
    'L'
    """
    dpi = _dpi(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        background.alpha_composite(rgba)
        image = background
    return _keep_dpi(image.convert("L"), dpi)


def otsu_threshold(histogram: list[int]) -> int:
    """The grey level that best separates a 256-bin histogram into two classes (Otsu 1979).

    >>> otsu_threshold([100 if i in (20, 230) else 0 for i in range(256)])
    20
    """
    total = sum(histogram)
    if total == 0:
        return 127
    sum_all = sum(i * h for i, h in enumerate(histogram))
    weight_bg = 0
    sum_bg = 0.0
    best, best_var = 127, -1.0
    for level, count in enumerate(histogram):
        weight_bg += count
        if weight_bg == 0:
            continue
        weight_fg = total - weight_bg
        if weight_fg == 0:
            break
        sum_bg += level * count
        mean_bg = sum_bg / weight_bg
        mean_fg = (sum_all - sum_bg) / weight_fg
        between = weight_bg * weight_fg * (mean_bg - mean_fg) ** 2
        if between > best_var:
            best, best_var = level, between
    return best


def binarize(image: Image.Image) -> Image.Image:
    """Black text on white by one global Otsu threshold (kept as mode "L", 0 or 255)."""
    grey = grayscale(image)
    threshold = otsu_threshold(grey.histogram())
    return _keep_dpi(grey.point(lambda v: 255 if v > threshold else 0), _dpi(grey))


#: Mean grey-level change a 3×3 median makes (`grain`), above which a scan counts as grainy.
#: The clean samples measure 1.6-1.8, the grainy ones 4.9-5.7 (benchmarks/RESULTS.md).
GRAIN_LEVEL = 3.0


def grain(image: Image.Image) -> float:
    """How grainy a page is: the mean change a 3×3 median makes, on its central quarter.

    0 for a flat page; anti-aliased text alone gives well under 1.
    """
    grey = grayscale(image)
    w, h = grey.size
    crop = grey.crop((w // 4, h // 4, w - w // 4, h - h // 4))
    diff = ImageChops.difference(crop, crop.filter(ImageFilter.MedianFilter(3))).histogram()
    total = sum(diff)
    return sum(level * count for level, count in enumerate(diff)) / total if total else 0.0


def denoise(image: Image.Image) -> Image.Image:
    """A 3×3 median filter on grainy greyscale scans (`grain` over `GRAIN_LEVEL`).

    Black-and-white scans and clean pages are returned as they are: there the median ate
    thin strokes and cost more than it saved (see benchmarks/RESULTS.md).
    """
    if image.mode == "1":
        return image
    grey = grayscale(image)
    if len([c for c in grey.histogram() if c]) <= 2 or grain(grey) < GRAIN_LEVEL:
        return image
    return _keep_dpi(grey.filter(ImageFilter.MedianFilter(3)), _dpi(grey))


def upscale(image: Image.Image) -> Image.Image:
    """Enlarge a scan below `TARGET_DPI` to it (Lanczos); others are returned unchanged."""
    dpi = _dpi(image)
    if dpi >= TARGET_DPI - 20:
        return image
    factor = TARGET_DPI / dpi
    size = (round(image.width * factor), round(image.height * factor))
    return _keep_dpi(grayscale(image).resize(size, Image.Resampling.LANCZOS), TARGET_DPI)


def _profile_score(ink: Image.Image, angle: float) -> float:
    rotated = ink.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0)
    # mean ink per row, via Pillow's box resampling; aligned text lines give sharp steps
    rows = rotated.resize((1, rotated.height), Image.Resampling.BOX).tobytes()
    return float(sum((b - a) ** 2 for a, b in zip(rows, rows[1:])))


def estimate_skew(image: Image.Image, *, max_angle: float = 5.0) -> float:
    """The rotation (degrees, counter-clockwise) that levels the text lines of a page.

    Projection-profile search: the page is shrunk to about 75 dpi, inverted so that ink is
    bright, and rotated over ``±max_angle`` (coarse 0.5° steps, then 0.1° around the best);
    the angle whose row profile has the sharpest steps wins. Pass the result to
    ``image.rotate``.
    """
    grey = grayscale(image)
    factor = max(1, round(_dpi(grey) / 75))
    small = grey.reduce(factor) if factor > 1 else grey
    threshold = otsu_threshold(small.histogram())
    ink = small.point(lambda v: 255 if v <= threshold else 0)
    steps = int(max_angle / 0.5)
    coarse = [i * 0.5 for i in range(-steps, steps + 1)]
    best = max(coarse, key=lambda a: _profile_score(ink, a))
    fine = [best + i * 0.1 for i in range(-5, 6)]
    return round(max(fine, key=lambda a: _profile_score(ink, a)), 2)


def deskew(image: Image.Image, *, min_angle: float = 0.3) -> Image.Image:
    """Rotate the page so its text lines are level (skews under `min_angle`° are left alone)."""
    angle = estimate_skew(image)
    if abs(angle) < min_angle:
        return image
    grey = grayscale(image)
    histogram = grey.histogram()
    paper = max(range(256), key=histogram.__getitem__)  # corners get the paper's grey
    # bilinear: bicubic's ringing on a grainy scan cost Tesseract more (s04: 4.6 % vs 3.2 % CER)
    rotated = grey.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=paper)
    return _keep_dpi(rotated, _dpi(grey))


#: Every step by name, in the order `prepare` applies them.
STEPS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "grayscale": grayscale,
    "upscale": upscale,
    "deskew": deskew,
    "denoise": denoise,
    "binarize": binarize,
}

#: What `svfix ocr` does by default: only steps that lowered CER on the sample scans
#: (see benchmarks/RESULTS.md, "Preprocessing"). Binarizing, deskewing (of 0.6-1.6°) and
#: enlarging 200 dpi scans to 300 dpi all made Tesseract 5 read worse.
DEFAULT_STEPS: tuple[str, ...] = ("grayscale", "denoise")


def prepare(image: Image.Image, steps: Iterable[str] = DEFAULT_STEPS) -> Image.Image:
    """Apply the named steps in the registry's order; unknown names raise `ValueError`.

    >>> prepare(Image.new("RGB", (8, 8), "white"), ["grayscale", "binarize"]).mode
    'L'
    """
    wanted = set(steps)
    unknown = wanted - STEPS.keys()
    if unknown:
        raise ValueError(f"unknown preprocessing step(s) {sorted(unknown)}; choose from {list(STEPS)}")
    for name, step in STEPS.items():
        if name in wanted:
            image = step(image)
    return image

"""Image inputs (PNG, TIFF with any number of pages, JPEG, ...): frame count and one frame.

Every function opens the file itself so that a pool worker needs only the path and a frame
number. A file Pillow cannot decode, or one with no pixels, raises `BadInputError` naming it.
"""

from __future__ import annotations

import os
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from svfix.errors import BadInputError

#: Resolution assumed when the file does not record one (typical office scan).
DEFAULT_DPI = 300


def _png_header_size(name: str) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR chunk (Pillow refuses to open a 0×0 PNG at all)."""
    try:
        with open(name, "rb") as handle:
            head = handle.read(24)
    except OSError:
        return None
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _open(path: str | os.PathLike[str]) -> Image.Image:
    name = os.fspath(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(name)
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError,
            SyntaxError, ValueError) as exc:
        size = _png_header_size(name)
        if size is not None and 0 in size:
            raise BadInputError(f"{name}: the image is empty ({size[0]}×{size[1]} pixels)") from None
        raise BadInputError(f"{name}: not a readable image ({exc})") from None
    except OSError as exc:
        raise BadInputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    width, height = image.size
    if width == 0 or height == 0:
        image.close()
        raise BadInputError(f"{name}: the image is empty ({width}×{height} pixels)")
    return image


def frame_count(path: str | os.PathLike[str]) -> int:
    """Number of pages (frames) in an image file; 1 for PNG and JPEG."""
    with _open(path) as image:
        return int(getattr(image, "n_frames", 1))


def load_frame(path: str | os.PathLike[str], index: int) -> Image.Image:
    """Page `index` (0-based) of an image file, upright (EXIF orientation applied), decoded.

    The image's ``info["dpi"]`` is the file's resolution, or `DEFAULT_DPI` when it has none.
    """
    name = os.fspath(path)
    with _open(name) as image:
        try:
            image.seek(index)
            dpi = image.info.get("dpi")
            frame = ImageOps.exif_transpose(image)
            frame.load()
        except (OSError, ValueError, EOFError) as exc:
            raise BadInputError(f"{name}: page {index + 1} cannot be decoded ({exc})") from None
    if frame.width == 0 or frame.height == 0:
        raise BadInputError(f"{name}: page {index + 1} is empty ({frame.width}×{frame.height} pixels)")
    try:
        x_dpi = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        x_dpi = 0.0
    # JPEGs from some scanners say 1 or 72 dpi; trust only plausible scan resolutions.
    resolution = round(x_dpi) if 70 < x_dpi < 2400 and round(x_dpi) != 72 else DEFAULT_DPI
    frame.info["dpi"] = (resolution, resolution)
    return frame

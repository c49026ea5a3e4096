"""Image files read safely: bytes read by Python, size checked before decoding, damage is an error.

No path string reaches OpenCV's file API (a file name that is not UTF-8
crashed it), an image bomb is refused from its header before any pixel is
decoded, and a truncated JPEG or PNG is an error for that file instead of a
silently half-grey picture.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import warnings
from pathlib import Path

import cv2
import numpy as np

from edge.native import native_stderr_captured

# 50 megapixels: a 48-MP phone photo passes; a decoded 50-MP BGR image is 150 MB.
DEFAULT_MAX_PIXELS = 50_000_000
MAX_FILE_BYTES = 200 * 1024 * 1024

OPENCV_LOG_LEVEL_ERROR = 2  # in every OpenCV: SILENT 0, FATAL 1, ERROR 2, WARNING 3


def quiet_opencv(cv) -> None:
    """OpenCV's own warnings (libpng, libjpeg) name no file; the reader's errors do: errors only.

    OpenCV 5 has cv2.utils.logging; the 4.x wheels the tflite-runtime fallback installs on a Pi
    have only cv2.setLogLevel.
    """
    logging = getattr(getattr(cv, "utils", None), "logging", None)
    if logging is not None:
        logging.setLogLevel(logging.LOG_LEVEL_ERROR)
    elif hasattr(cv, "setLogLevel"):
        cv.setLogLevel(OPENCV_LOG_LEVEL_ERROR)


quiet_opencv(cv2)


# What libjpeg and libpng print (straight to the process's stderr, past OpenCV's log level)
# that means the pixels are damaged; their other warnings (a bad ancillary chunk's CRC, extra
# bytes between markers) are noise about a picture that decoded whole.
DAMAGE_WARNINGS = ("Premature end", "premature end", "Truncated", "Not enough image data", "Read Error",
                   "bad Huffman code")


class ImageError(ValueError):
    """The file is not an image the reader can use; the message names the file."""


def utf8_name(path: str | os.PathLike) -> str:
    """A file name as text with its bytes that are not UTF-8 written as escapes (a strict JSON parser
    takes no lone surrogate)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def display_name(path: str | os.PathLike) -> str:
    """A file name for one output line: utf8_name, its unprintable characters (a newline would split
    the line) written as escapes too."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in utf8_name(path))


def read_bytes(path: str | os.PathLike) -> bytes:
    """The file's bytes, with a clear error for what is not a readable regular file."""
    path = Path(path)
    name = display_name(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise FileNotFoundError(f"{name}: no such file") from None
    except OSError as exc:
        raise ImageError(f"{name}: cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise ImageError(f"{name}: is a folder, not an image")
    if not stat.S_ISREG(info.st_mode):
        raise ImageError(f"{name}: is not a regular file (a pipe or a device), not an image")
    if info.st_size == 0:
        raise ImageError(f"{name}: is empty (0 bytes)")
    if info.st_size > MAX_FILE_BYTES:
        raise ImageError(f"{name}: {info.st_size:,} bytes, more than the {MAX_FILE_BYTES // 2**20} MB "
                         "an image may be")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImageError(f"{name}: cannot be read ({exc.strerror})") from None


def truncation(data: bytes) -> str | None:
    """Why an encoded JPEG or PNG is cut short, or None when it is whole (or another format)."""
    if data[:3] == b"\xff\xd8\xff":
        # The end-of-image marker closes a whole JPEG; a few bytes of padding may follow it.
        if data.rfind(b"\xff\xd9", max(0, len(data) - 1024)) < 0:
            return "the JPEG data is truncated (no end-of-image marker)"
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        if b"IEND" not in data[-32:]:
            return "the PNG data is truncated (no IEND chunk)"
    return None


def _to_bgr8(image: np.ndarray) -> np.ndarray:
    """Any decoded image (grey, BGR, BGRA; 8-bit, 16-bit or float) -> (H, W, 3) uint8 BGR.

    A transparent ground is composited on white: a canvas export draws opaque
    ink on transparent pixels that are black underneath.
    """
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype != np.uint8:
        finite = np.nan_to_num(image.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
        top = float(finite.max()) if finite.size else 0.0
        scale = 255.0 if top <= 1.0 else 255.0 / top
        image = np.clip(finite * scale, 0, 255).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        alpha = image[:, :, 3:4].astype(np.float32) / 255.0
        white = np.full_like(image[:, :, :3], 255, dtype=np.float32)
        return (image[:, :, :3] * alpha + white * (1 - alpha)).astype(np.uint8)
    if image.shape[2] == 1:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return image[:, :, :3]


# EXIF orientation (1 to 8) -> how to turn the stored pixels upright, as numpy views.
ORIENTATIONS = {
    2: lambda a: a[:, ::-1], 3: lambda a: a[::-1, ::-1], 4: lambda a: a[::-1],
    5: lambda a: a.swapaxes(0, 1), 6: lambda a: np.rot90(a, -1),
    7: lambda a: a.swapaxes(0, 1)[::-1, ::-1], 8: lambda a: np.rot90(a, 1),
}


def _header(data: bytes):
    """(width, height, needs_unchanged_decode, EXIF orientation) from the header alone, or None
    where Pillow cannot tell."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow is in edge/requirements.txt
        return None
    # This module enforces its own, lower pixel limit from the header; Pillow's bomb
    # check would raise before the size could be reported.
    Image.MAX_IMAGE_PIXELS = None
    try:
        with _pillow_quiet(), Image.open(io.BytesIO(data)) as pil:
            unusual = pil.mode in ("RGBA", "LA", "PA", "I;16", "I;16B", "I;16L", "I", "F") or (
                pil.mode == "P" and "transparency" in pil.info)
            orientation = pil.getexif().get(0x0112, 1) if unusual else 1
            return pil.size[0], pil.size[1], unusual, orientation
    except Exception:  # noqa: BLE001 - not a format Pillow knows: OpenCV may still decode it
        return None


def decode_image(data: bytes, name: str = "image", max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Encoded image bytes -> (H, W, 3) BGR uint8, EXIF orientation applied.

    Raises:
      ImageError: too many pixels (checked from the header, before decoding), truncated, or not an image.
    """
    header = _header(data)
    if header is not None:
        width, height, unusual, orientation = header
        if width * height > max_pixels:
            raise ImageError(f"{name}: {width}x{height} is {width * height / 1e6:.0f} megapixels, over the "
                             f"limit of {max_pixels / 1e6:g} (--max-pixels)")
    else:
        unusual, orientation = False, 1
    reason = truncation(data)
    if reason:
        raise ImageError(f"{name}: {reason}")
    buffer = np.frombuffer(data, np.uint8)
    # IMREAD_COLOR applies the EXIF orientation; alpha and deep pixels need the raw decode.
    try:
        with native_stderr_captured() as printed:
            image = cv2.imdecode(buffer, cv2.IMREAD_UNCHANGED if unusual else cv2.IMREAD_COLOR)
    except cv2.error as exc:
        raise ImageError(f"{name}: OpenCV cannot decode it ({exc.err})") from None
    damage = [w for w in printed if any(d in w for d in DAMAGE_WARNINGS)]
    if damage:
        raise ImageError(f"{name}: the image data is damaged ({damage[0].strip()})")
    if image is not None and unusual and orientation in ORIENTATIONS:
        # OpenCV's raw decode does not apply the EXIF orientation (IMREAD_COLOR and Pillow's do).
        image = np.ascontiguousarray(ORIENTATIONS[orientation](image))
    if image is None and header is not None:
        image = _decode_with_pillow(data)
    if image is None or image.size == 0:
        raise ImageError(f"{name}: not a readable image (neither OpenCV nor Pillow can decode it)")
    if image.shape[0] * image.shape[1] > max_pixels:
        raise ImageError(f"{name}: {image.shape[1]}x{image.shape[0]} is over the limit of "
                         f"{max_pixels / 1e6:g} megapixels (--max-pixels)")
    return _to_bgr8(image)


@contextlib.contextmanager
def _pillow_quiet():
    """Pillow warns of a corrupt EXIF block in a line that names no file (the pixels decode)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _decode_with_pillow(data: bytes) -> np.ndarray | None:
    """Formats OpenCV lacks (GIF, some TIFF variants), EXIF orientation applied."""
    from PIL import Image, ImageOps
    try:
        with _pillow_quiet(), Image.open(io.BytesIO(data)) as pil:
            upright = ImageOps.exif_transpose(pil)
            # Kept with its alpha, so that a transparent ground is composited on white (_to_bgr8).
            transparent = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
            pixels = np.asarray(upright.convert("RGBA" if transparent else "RGB"))
    except Exception:  # noqa: BLE001 - any decoder failure is "not an image" for this file
        return None
    return cv2.cvtColor(pixels, cv2.COLOR_RGBA2BGRA if transparent else cv2.COLOR_RGB2BGR)


def load_image(path: str | os.PathLike, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Reads an image file as (H, W, 3) BGR uint8, EXIF orientation applied.

    Raises:
      FileNotFoundError: no such file.
      ImageError (a ValueError): not a readable image file, too large, truncated.
    """
    return decode_image(read_bytes(path), display_name(Path(path)), max_pixels)

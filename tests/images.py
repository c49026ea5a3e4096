"""Images the tests make at run time (a bomb's header, rows of digits, a sheet with lines), never a
committed binary."""

from __future__ import annotations

import struct
import zlib

import cv2
import numpy as np


def png_claiming(width: int, height: int) -> bytes:
    """A PNG that claims width x height: an image bomb's header, without its pixels."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)  # a few rows; a decoder would want them all
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def synthetic_rows(images: np.ndarray, labels: np.ndarray, count: int, seed: int = 0,
                   per_frame: int = 10) -> tuple[list[np.ndarray], list[str]]:
    """`count` frames, each a row of `per_frame` of the (N, 28, 28) digits on paper, and their texts."""
    from edge.synth import PaperStyle, draw_digits
    rng = np.random.default_rng(seed)
    frames, texts = [], []
    for k in range(count):
        idx = rng.choice(len(images), per_frame, replace=False)
        frames.append(draw_digits(images[idx], seed=seed + k, style=PaperStyle(), layout="row"))
        texts.append("".join(str(d) for d in labels[idx]))
    return frames, texts


def sheet_with_lines(size: tuple[int, int] = (700, 500)) -> np.ndarray:
    """A (h, w, 3) float32 sheet of paper with five bold lines of stand-in writing on it."""
    sheet = np.full((*size, 3), 235, np.float32)
    for y in range(120, 520, 80):
        cv2.line(sheet, (60, y), (420, y), (30, 30, 30), 3)  # bold "writing", a stand-in
    return sheet

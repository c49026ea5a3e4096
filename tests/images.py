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


def faint_grid_page(seed: int = 0, degrees: float = 0.0, strength: float = 0.8, seen: np.ndarray | None = None
                    ) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """A 640x480 photo of squared paper: a faint pale-blue grid a pixel wide, 24 px apart, of `strength`,
    with a photo's noise, and four digits written across it in a pale pen (a pencil): the threshold is
    low, and breaks the grid into dashes. The page is turned `degrees` about the frame's centre, and then
    seen through the homography `seen` (a camera tilted). And the digits' centres."""
    rng = np.random.default_rng(seed)
    turn = cv2.getRotationMatrix2D((320, 240), degrees, 1.0)
    paper = np.full((480, 640, 3), (215, 222, 226), np.float32)
    lines = [((k, -240), (k, 479 + 240)) for k in range(10 - 240, 640 + 240, 24)]
    lines += [((-240, k), (639 + 240, k)) for k in range(14 - 240, 480 + 240, 24)]
    grid = np.zeros((480, 640), np.float32)
    if seen is None:
        for a, b in lines:
            cv2.line(grid, a, b, 1.0, 1, cv2.LINE_AA)
        grid = cv2.warpAffine(grid, turn, (640, 480))
    else:  # each line drawn where the tilted camera sees it: a pixel wide, as sharp, over all the frame
        seen_turned = seen @ np.vstack([turn, [0, 0, 1]])
        ends = cv2.perspectiveTransform(np.float32([lines]).reshape(1, -1, 2), seen_turned)
        for a, b in np.rint(ends.reshape(-1, 2, 2)).astype(int):
            cv2.line(grid, tuple(map(int, a)), tuple(map(int, b)), 1.0, 1, cv2.LINE_AA)
    paper *= 1 - strength * grid[..., np.newaxis] * (1 - np.float32([235, 190, 150]) / 255)
    ink = np.zeros((480, 640), np.uint8)
    centres = []
    for k, digit in enumerate("4725"):
        x, y = 150 + 100 * k, 250
        cv2.putText(ink, digit, (x - 18, y + 22), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 255, 4, cv2.LINE_AA)
        centre = turn @ (x, y, 1) if seen is None else cv2.perspectiveTransform(
            np.float32([[turn @ (x, y, 1)]]), seen)[0, 0]
        centres.append(tuple(np.rint(centre).astype(int)))
    ink = cv2.warpAffine(ink, turn, (640, 480)) if seen is None else \
        cv2.warpPerspective(ink, seen_turned, (640, 480))
    paper *= 1 - 0.4 * (ink[..., np.newaxis] / 255.0)
    noisy = paper + rng.normal(0, 3, paper.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8), centres

"""Synthetic camera frames: MNIST-style digits drawn as ink on uneven paper, for tests and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class PaperStyle:
    """How hostile the frame is: light gradient, a hard shadow, blur and sensor noise."""

    paper_range: tuple[int, int] = (150, 225)  # brightness from the dark to the light corner
    ink_darkness: float = 0.7  # ink reflects (1 - this) of the paper's light
    shadow_strength: float = 0.45  # light lost under the shadow, 0 for none
    blur_px: int = 3
    noise_sigma: float = 4.0


def draw_digits(digits: np.ndarray, size: tuple[int, int] = (480, 640), digit_height_px: int = 52,
                layout: str = "row", style: PaperStyle = PaperStyle(), seed: int = 0) -> np.ndarray:
    """Draws white-on-black (N, 28, 28) digits as dark ink on paper: (H, W, 3) BGR uint8.

    Digits go left to right in one line ("row") or top to bottom ("column"),
    spread evenly, with a little random jitter that keeps the reading order.
    """
    rng = np.random.default_rng(seed)
    h, w = size
    n = len(digits)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    lo, hi = style.paper_range
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xx / w + np.sin(angle) * yy / h + 1) / 2
    paper = lo + (hi - lo) * ramp
    if style.shadow_strength > 0:
        # A hard-edged shadow over the lower part of the page, slanted.
        edge = h * rng.uniform(0.6, 0.75) + (xx - w / 2) * rng.uniform(-0.15, 0.15)
        paper = np.where(yy > edge, paper * (1 - style.shadow_strength), paper)
    ink = np.zeros((h, w), np.float32)
    scale = digit_height_px / 28
    tile = int(round(28 * scale))
    for k, digit in enumerate(digits):
        big = cv2.resize(digit, (tile, tile), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255
        if layout == "row":
            cx = int((k + 0.5) * w / n + rng.uniform(-0.04, 0.04) * w / n)
            cy = int(h * 0.4 + rng.uniform(-0.03, 0.03) * h)
        elif layout == "column":
            cx = int(w * 0.4 + rng.uniform(-0.03, 0.03) * w)
            cy = int((k + 0.5) * h / n)
        else:
            raise ValueError(f"layout is 'row' or 'column', got {layout!r}")
        x0, y0 = cx - tile // 2, cy - tile // 2
        if x0 < 0 or y0 < 0 or x0 + tile > w or y0 + tile > h:
            raise ValueError(f"{n} digits of {digit_height_px} px do not fit a {w}x{h} frame")
        ink[y0:y0 + tile, x0:x0 + tile] = np.maximum(ink[y0:y0 + tile, x0:x0 + tile], big)
    frame = paper * (1 - style.ink_darkness * ink)
    if style.blur_px > 1:
        frame = cv2.GaussianBlur(frame, (style.blur_px | 1, style.blur_px | 1), 0)
    frame = frame + rng.normal(0, style.noise_sigma, frame.shape)
    gray = np.clip(frame, 0, 255).astype(np.uint8)
    return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)


def write_video(frames: list[np.ndarray], path: str, fps: float = 10.0) -> None:
    """Writes BGR frames as an MJPG .avi, the codec every OpenCV build can read back."""
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write {path}")
    try:
        for frame in frames:
            writer.write(frame)
    finally:
        writer.release()

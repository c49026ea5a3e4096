"""Hand styles MNIST holds few of: the continental 1 and the crossed 7.

MNIST's writers were American: a 1 is a bare stroke and a 7 has no bar. Much of
Europe, Latin America and Asia writes the 1 with a long flag from its top (often
with a foot) and crosses the 7 at mid-height. Trained on MNIST alone, the model
read such 1s as 7s and such 7s as 2s and 4s (`python -m benchmarks.styles`). A share
of the training 1s and 7s is drawn in those styles, on MNIST's own grey digits, so
that every later step (train.views, the augmentation) applies to them too.
"""

from __future__ import annotations

import cv2
import numpy as np

# Of the training 1s and 7s, this share is drawn in the other style.
SHARE = 0.3
INK = 127  # MNIST grey at or above which a pixel is the digit's ink


def _ink_rows(digit: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    ys, xs = np.nonzero(digit >= INK)
    return (ys, xs) if ys.size else None


def _stroke(digit: np.ndarray, start: tuple[float, float], end: tuple[float, float]) -> None:
    """A pen stroke of MNIST's width (about 2 px, its edge antialiased) drawn into `digit`."""
    shift = 4  # sub-pixel ends: cv2's fixed-point coordinates
    a = tuple(int(round(v * (1 << shift))) for v in start)
    b = tuple(int(round(v * (1 << shift))) for v in end)
    pen = np.zeros_like(digit)
    cv2.line(pen, a, b, 255, 2, cv2.LINE_AA, shift)
    np.maximum(digit, pen, out=digit)


def continental_one(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A (28, 28) MNIST 1 with a flag from its top down to the left, 25-45 % of its height long
    and 25-60 degrees below the horizontal, and a foot under a third of them."""
    rows = _ink_rows(digit)
    if rows is None:
        return digit
    ys, xs = rows
    out = digit.copy()
    top, bottom = ys.min(), ys.max()
    height = bottom - top + 1
    x_top = xs[ys <= top + 1].mean()
    length = height * rng.uniform(0.25, 0.45)
    angle = np.radians(rng.uniform(25.0, 60.0))
    _stroke(out, (x_top, top + 0.5), (x_top - length * np.cos(angle), top + 0.5 + length * np.sin(angle)))
    if rng.random() < 1 / 3:
        x_bottom = xs[ys >= bottom - 1].mean()
        half = height * rng.uniform(0.12, 0.25)
        _stroke(out, (x_bottom - half, bottom), (x_bottom + half, bottom + rng.uniform(-0.7, 0.7)))
    return out


def crossed_seven(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A (28, 28) MNIST 7 with a bar across its stem 45-65 % of the way down, 30-55 % of its height
    long, a little off the horizontal."""
    rows = _ink_rows(digit)
    if rows is None:
        return digit
    ys, xs = rows
    top, bottom = ys.min(), ys.max()
    height = bottom - top + 1
    y = int(round(top + height * rng.uniform(0.45, 0.65)))
    stem = xs[np.abs(ys - y) <= 1]
    if stem.size == 0:  # the stem's gap at that height: no bar to cross it
        return digit
    out = digit.copy()
    half = height * rng.uniform(0.15, 0.275)
    x = stem.mean()
    tilt = rng.uniform(-1.5, 1.5)
    _stroke(out, (x - half, y + tilt), (x + half, y - tilt))
    return out


def some_styled(images: np.ndarray, labels: np.ndarray, seed: int, share: float = SHARE) -> np.ndarray:
    """(N, 28, 28) uint8 digits -> a copy with `share` of its 1s and 7s, picked at random, drawn as a
    continental 1 or a crossed 7."""
    rng = np.random.default_rng(seed)
    out = images.copy()
    for label, style in ((1, continental_one), (7, crossed_seven)):
        for k in np.flatnonzero((labels == label) & (rng.random(len(images)) < share)):
            out[k] = style(images[k], rng)
    return out

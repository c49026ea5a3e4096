"""MNIST digits as the reader hands them to the model: binarized, in a pen of another width, prepared.

The reader never shows the model a grey MNIST scan: it cuts a 0/255 mask out of the page, thickens
a thin pen's strokes to MNIST's width (edge.preprocess.normalize_stroke; a bold pen stays bold) and
fits it into MNIST's 20-px box. A digit written in a marker comes out of that with its strokes heavy
and some of its loops closed, a shape MNIST holds few of. Training on a share of the digits prepared
that way, from masks cut at other thresholds and in bolder pens, shows the model what it is shown on
a page.
"""

from __future__ import annotations

import cv2
import numpy as np

from edge.detect import DetectorOptions, mnist_crop
from edge.preprocess import tight_crop

SCALE = 3  # the digit's mask is cut at three times MNIST's size, as from a camera's larger crop
# Where the mask is cut in MNIST's grey (its strokes fade out over a pixel or two), drawn from 70 to
# 169: a lighter or a heavier hand.
THRESHOLDS = (70, 170)
# How much bolder the pen, as the diameter of the disc the mask is grown by (at SCALE): none half of
# the time, up to a marker (a review counted, over 2,000 training digits, every loop closed in 28 % of
# the looped digits in pens of 5 and 7 px, 4 % with none).
BOLDER_PX = (0, 0, 0, 3, 5, 7)


def binary(digit: np.ndarray, threshold: int = 100, scale: int = SCALE) -> np.ndarray:
    """A (28, 28) MNIST digit as a larger 0/255 mask, the kind the detector hands over."""
    big = cv2.resize(digit, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    return np.where(big > threshold, 255, 0).astype(np.uint8)


def as_read(digit: np.ndarray, rng: np.random.Generator,
            opts: DetectorOptions = DetectorOptions()) -> np.ndarray:
    """One (28, 28) MNIST digit -> the (28, 28) crop the reader would make of it written in a random
    pen; the digit as it was when no ink is left of it."""
    mask = binary(digit, int(rng.integers(*THRESHOLDS)))
    bolder = BOLDER_PX[int(rng.integers(len(BOLDER_PX)))]
    if bolder:
        mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (bolder, bolder)))
    mask = tight_crop(mask)
    return digit if mask is None else mnist_crop(mask, opts)


def some_as_read(images: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """(N, 28, 28) uint8 digits -> a copy with `fraction` of them, picked at random, as_read()."""
    rng = np.random.default_rng(seed)
    out = images.copy()
    for k in np.flatnonzero(rng.random(len(images)) < fraction):
        out[k] = as_read(images[k], rng)
    return out

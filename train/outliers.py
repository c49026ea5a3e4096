"""Non-digit crops for outlier exposure: the model learns to be unsure of what is not one digit.

What reaches the classifier on a real page is not always a digit: a letter,
two touching digits read as one, a smudge. Trained towards a uniform output on
such crops, the same 10-output model gives them a low confidence, so that the reader drops them or shows "?",
and so that recognition-based cutting of touching digits can tell a good cut
from a bad one. The crops go through the device's own crop preparation
(stroke normalisation, fit into 20 px, centring by mass).
"""

from __future__ import annotations

import cv2
import numpy as np

from edge import spec
from edge.detect import DetectorOptions, mnist_crop
from edge.preprocess import tight_crop
from train.views import binary

# Letters that cannot pass for a digit in some hand (no O, I, l, S, Z, B, G, b, g, q, T, J, A...).
LETTERS = "CEFHKMNPRUVWXYacefhkmnprtuvwxy"
FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX,
         cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX)
# Letters twice as often: they are the commonest non-digit on a page. Vertical slices of
# digits (a cut in the wrong place) were tried too and dropped: half an 8 is a 3, and trained
# towards uniform they made the model unsure of real digits (a run with them read 58 of the 60
# shared photo digits and 94 % of the synthetic desk sheets, against 59 and 97 % without).
KINDS = ("letter", "pair", "letter", "blob")
CANVAS_PX = 96


def letter(rng: np.random.Generator) -> np.ndarray:
    canvas = np.zeros((CANVAS_PX, CANVAS_PX), np.uint8)
    font = FONTS[int(rng.integers(len(FONTS)))]
    thickness = int(rng.integers(2, 7))
    scale = cv2.getFontScaleFromHeight(font, int(rng.integers(40, 60)), thickness)
    cv2.putText(canvas, LETTERS[int(rng.integers(len(LETTERS)))], (15, 72), font, scale, 255, thickness,
                cv2.LINE_AA)
    turn = cv2.getRotationMatrix2D((CANVAS_PX / 2, CANVAS_PX / 2), rng.uniform(-15, 15), 1.0)
    return cv2.warpAffine(canvas, turn, (CANVAS_PX, CANVAS_PX))


def pair(a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """Two digits touching or overlapping slightly, as one blob."""
    left, right = tight_crop(binary(a)), tight_crop(binary(b))
    if left is None or right is None:
        return None
    h = max(left.shape[0], right.shape[0])
    overlap = int(rng.integers(0, 6))
    canvas = np.zeros((h, left.shape[1] + right.shape[1]), np.uint8)
    canvas[h - left.shape[0]:, :left.shape[1]] = left
    x = max(0, left.shape[1] - overlap)
    window = canvas[h - right.shape[0]:, x:x + right.shape[1]]
    np.maximum(window, right[:, :window.shape[1]], out=window)
    return canvas


def blob(rng: np.random.Generator) -> np.ndarray:
    """A smudge, a scribble or a mark: filled shapes and random strokes."""
    canvas = np.zeros((CANVAS_PX, CANVAS_PX), np.uint8)
    for _ in range(int(rng.integers(1, 4))):
        if rng.random() < 0.5:
            centre = tuple(int(v) for v in rng.integers(25, 70, 2))
            axes = tuple(int(v) for v in rng.integers(6, 30, 2))
            cv2.ellipse(canvas, centre, axes, float(rng.uniform(0, 180)), 0, 360, 255, -1)
        else:
            points = rng.integers(10, 85, (int(rng.integers(3, 7)), 1, 2)).astype(np.int32)
            cv2.polylines(canvas, [points], False, 255, int(rng.integers(3, 9)))
    return canvas


def make_outliers(images: np.ndarray, count: int, seed: int = 0,
                  opts: DetectorOptions = DetectorOptions()) -> np.ndarray:
    """(count, 28, 28) uint8 non-digit crops, prepared as the device prepares a detected blob.

    Args:
      images: (N, 28, 28) MNIST digits to make touching pairs from.
    """
    rng = np.random.default_rng(seed)
    out = np.zeros((count, spec.INPUT_HEIGHT_PX, spec.INPUT_WIDTH_PX), np.uint8)
    k = 0
    while k < count:
        kind = KINDS[k % len(KINDS)]
        if kind == "letter":
            mask = letter(rng)
        elif kind == "pair":
            a, b = rng.integers(len(images), size=2)
            mask = pair(images[a], images[b], rng)
        else:
            mask = blob(rng)
        mask = tight_crop(np.where(mask > 100, 255, 0).astype(np.uint8)) if mask is not None else None
        if mask is None or min(mask.shape) < 2:
            continue
        out[k] = mnist_crop(mask, opts)
        k += 1
    return out

"""Light writing on a dark ground: a digit drawn white on black (a drawing app's canvas, an MNIST digit
at any size), chalk on a blackboard, a light pen on black paper. The reader looks for dark ink on light
paper, and reads such a frame as nothing, or as a few of the dark gaps between its strokes. Where no
sheet was found in a frame and its ground is dark with light marks on it, and no comparably dark ones
(light_on_dark), it is read inverted too, and the inverted reading kept where it wins (inverted_wins)."""

from __future__ import annotations

import cv2
import numpy as np

# The frame is looked at sampled to about this many pixels on its longer side (every n-th pixel: a
# thin pen's strokes keep some of theirs), its median first on a sample a quarter of that.
SAMPLE_SIDE_PX = 320
# The ground is the median grey: darker than this, it may be a blackboard or a canvas. Most frames are
# paper, and their mean grey over every eighth row says so first (0.007 ms for a 640x480 frame against
# 0.045 for the whole look, AMD EPYC, one thread): a sparse light writing leaves the mean dark too.
DARK_GROUND = 128
MEAN_ROWS = 8
# The light marks (the sample's 99th percentile) stand this far above the ground at least, and
# LIGHT_OVER_DARK times as far as its darkest pixels (the 1st percentile) stand below it: measured
# against the median (a ground of one shade: a canvas) or against the ground smoothed over a third of the
# frame (a board lit unevenly). A desk's grain, as dark as it is light, does neither.
MIN_LIGHT_CONTRAST = 40
LIGHT_OVER_DARK = 2
GROUND_SPAN = 3
TAIL = 0.5  # the smoothing's box is the sample's shorter side over this


def _grey_sample(frame: np.ndarray, step: int) -> np.ndarray:
    sample = frame[::step, ::step]
    if sample.ndim == 2:
        return sample
    if sample.shape[2] == 1:
        return sample[:, :, 0]
    return cv2.cvtColor(np.ascontiguousarray(sample[:, :, :3]), cv2.COLOR_BGR2GRAY)


def _tails(values: np.ndarray) -> tuple[float, float]:
    """How far the darkest and lightest values (TAIL percent of them) stand from the median."""
    low, middle, high = np.percentile(values, [TAIL, 50, 100 - TAIL])
    return float(middle - low), float(high - middle)


def _light_marks(dark_tail: float, light_tail: float) -> bool:
    return light_tail >= max(MIN_LIGHT_CONTRAST, LIGHT_OVER_DARK * dark_tail)


def _mean_grey(frame: np.ndarray) -> float:
    means = cv2.mean(frame[::MEAN_ROWS])
    if frame.ndim == 2 or frame.shape[2] == 1:
        return means[0]
    return 0.114 * means[0] + 0.587 * means[1] + 0.299 * means[2]  # BGR as cv2.COLOR_BGR2GRAY weighs it


def light_on_dark(frame: np.ndarray) -> bool:
    """Whether a (H, W[, C]) uint8 frame may hold light writing on a dark ground."""
    if _mean_grey(frame) >= DARK_GROUND:
        return False
    step = max(1, max(frame.shape[:2]) // SAMPLE_SIDE_PX)
    if np.median(_grey_sample(frame, 4 * step)) >= DARK_GROUND:
        return False
    grey = _grey_sample(frame, step)
    if _light_marks(*_tails(grey)):
        return True
    k = max(3, min(grey.shape) // GROUND_SPAN)
    residual = grey.astype(np.int16) - cv2.blur(grey, (k, k)).astype(np.int16)
    return _light_marks(*_tails(residual))


def inverted_wins(sure_inverted: int, sure: int, writing_inverted: bool) -> bool:
    """Whether the frame read inverted (its sure digits, and whether it reads as writing: most of its
    digits sure) beats the frame read as it is (its sure digits): as many sure digits or more. The dark
    gaps between light strokes (a 0's hole, the space inside a 4) read as a sure digit now and then, as
    many as the strokes read inverted on a canvas of one digit."""
    return writing_inverted and sure_inverted >= max(sure, 1)

"""Light writing on a dark ground: a digit drawn white on black (a drawing app's canvas, an MNIST digit
at any size), chalk on a blackboard, a light pen on black paper. The reader looks for dark ink on light
paper, and reads such a frame as nothing, or as a few of the dark gaps between its strokes. Where the
frame (or its --roi box) reads no writing as it stands and its ground is dark with light strokes on it,
and no comparably dark marks (light_on_dark), it is read inverted too, and the inverted reading kept
where it wins (inverted_wins)."""

from __future__ import annotations

import cv2
import numpy as np

from edge import preprocess

# The frame is looked at sampled to about this many pixels on its longer side (every n-th pixel: a
# thin pen's strokes keep some of theirs).
SAMPLE_SIDE_PX = 320
# Grey levels (of 255). The ground is the median grey: darker than DARK_GROUND, it may be a blackboard
# or a canvas. Most frames are paper, and their mean grey over every MEAN_ROWS-th row says so first
# (0.011 ms for a 640x480 frame of paper, AMD EPYC, 2 cores, one thread): sparse light writing leaves the mean
# dark too.
DARK_GROUND = 128
MEAN_ROWS = 8
# The lightest TAIL percent of the sample stand MIN_LIGHT_CONTRAST grey levels or more above the ground,
# and LIGHT_OVER_DARK times as far as its darkest TAIL percent stand below it: measured against the
# median (a ground of one shade: a canvas) or against the ground smoothed over a box of the sample's
# shorter side over GROUND_SPAN (a board lit unevenly, darker toward its corners). A desk's grain, as
# dark as it is light, does neither. TAIL is small enough for a 60-px digit on a 400-px canvas (its
# strokes are 0.25 % of it).
TAIL = 0.1
MIN_LIGHT_CONTRAST = 32
LIGHT_OVER_DARK = 2
GROUND_SPAN = 3
# Writing is strokes: of the light marks (half-way from the ground to the light tail) clear of the
# sample's edge, at most MAX_SOLID_SHARE may lie in solid shapes, which fill SOLID_FILL of their box or
# more and are as thick as SOLID_THICKNESS of their longer side or more (twice the largest distance of
# their pixels from the ground): a white label or a note on a dark desk, a round glint, are no writing
# to invert (a label with three digits on it read inverted as a sure 6, a review found). A digit's
# strokes fill less of its box, and a 1, which may fill it, is thin (so is a long glint, read as a
# 1). Shapes along the edge (a title bar, a strip of wall) are left out either way.
SOLID_FILL = 0.7
SOLID_THICKNESS = 0.25
MAX_SOLID_SHARE = 0.5


def _levels(values: np.ndarray, offset: int) -> tuple[float, float, float]:
    """The TAIL-percent, median and (100 - TAIL)-percent values of a (H, W) image of integers from
    -offset to 255 (uint8 for no offset, int16 else), from its histogram (np.percentile sorts: 2 ms on a
    dark 640x480 frame)."""
    shifted = values if offset == 0 else (values + offset).astype(np.uint16)
    counts = cv2.calcHist([shifted], [0], None, [256 + offset], [0, 256 + offset]).ravel().cumsum()
    low, middle, high = np.searchsorted(counts, np.array([TAIL / 100, 0.5, 1 - TAIL / 100]) * counts[-1])
    return low - offset, middle - offset, high - offset


def _light_marks(values: np.ndarray, offset: int = 0) -> float | None:
    """The level half-way from the ground to the light marks, when the values show light marks that stand
    out more than the dark ones (see LIGHT_OVER_DARK); else None."""
    low, middle, high = _levels(values, offset)
    if high - middle >= max(MIN_LIGHT_CONTRAST, LIGHT_OVER_DARK * (middle - low)):
        return (middle + high) / 2
    return None


def _strokes(light: np.ndarray) -> bool:
    """Whether a 0/255 mask of light marks is mostly strokes, not solid shapes (SOLID_FILL and
    SOLID_THICKNESS), of the marks clear of its edge (a digit drawn to a canvas's edge: of none)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(light, connectivity=8)
    h, w = light.shape
    x, y, bw, bh, area = stats.T
    inside = np.flatnonzero((x > 0) & (y > 0) & (x + bw < w) & (y + bh < h))
    inside = inside[inside > 0]
    if not inside.size:
        return True  # nothing clear of the edge to tell by
    depth = cv2.distanceTransform(light, cv2.DIST_L2, 3)
    solid = [i for i in inside if area[i] >= SOLID_FILL * bw[i] * bh[i]
             and 2 * float(depth[labels == i].max()) >= SOLID_THICKNESS * max(bw[i], bh[i])]
    return int(area[solid].sum()) <= MAX_SOLID_SHARE * int(area[inside].sum())


def light_on_dark(frame: np.ndarray) -> bool:
    """Whether a (H, W[, C]) uint8 frame may hold light writing on a dark ground."""
    if cv2.mean(preprocess.to_gray(frame[::MEAN_ROWS]))[0] >= DARK_GROUND:
        return False
    grey = preprocess.to_gray(preprocess.sampled(frame, max(1, max(frame.shape[:2]) // SAMPLE_SIDE_PX)))
    if float(np.median(grey[::4, ::4])) >= DARK_GROUND:
        return False
    level = _light_marks(grey)
    if level is not None:
        return _strokes(np.where(grey > level, 255, 0).astype(np.uint8))
    k = max(3, min(grey.shape) // GROUND_SPAN)
    residual = grey.astype(np.int16) - cv2.blur(grey, (k, k)).astype(np.int16)
    level = _light_marks(residual, offset=255)
    return level is not None and _strokes(np.where(residual > level, 255, 0).astype(np.uint8))


def inverted_wins(sure_inverted: int, sure: int, writing_inverted: bool) -> bool:
    """Whether the frame read inverted beats the frame read as it is: it reads as writing (most of its
    digits sure: `writing_inverted`), with as many sure digits or more (`sure_inverted` against `sure`),
    one at least. Ties go to the inverted reading: the dark gaps between light strokes (a 0's hole,
    the space inside a 4) read as a sure digit now and then, as many as a canvas holds digits drawn."""
    return writing_inverted and sure_inverted >= max(sure, 1)

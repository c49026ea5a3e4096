"""Photos stored turned by a quarter without an EXIF orientation (a scanner's, an app's that dropped
it): found by the shape of their blobs, read turned back.

Handwritten digits are taller than wide (the median blob of the real photos, 0.49 to 0.75 of its
height wide); turned by a quarter, they are wider than tall (1.26 to 1.90). Where a frame's blobs are
so, the frame is read turned both ways, and a turned reading wins where the model is surer of it
(reads_better). A photo upside down has blobs of the same shape
as upright and is not looked for.
"""

from __future__ import annotations

from statistics import median

import cv2
import numpy as np

from edge.detect import Box, Found

# A frame whose median blob is wider than tall by this much may be turned by a quarter. (Over the 16
# synthetic conditions' gate frames, 8 of seed 101 each, the upright median blob is at most 1.17
# wide; touching digits are wide. The turned reading must still win: this only asks for it.)
MIN_SIDEWAYS_ASPECT = 1.0
# Blobs it needs: one or two wide marks are no writing turned.
MIN_BLOBS = 3
# A digit read at least this surely is sure (edge.reader.SURE_CONFIDENCE).
SURE = 0.9
# The quarter turns tried, as cv2.rotate codes: each undoes a photo stored turned the other way.
TURNS = (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE)


def looks_sideways(found: list[Found]) -> bool:
    """Whether the blobs found in a frame are, as a rule, wider than tall (MIN_SIDEWAYS_ASPECT)."""
    return len(found) >= MIN_BLOBS and median(f.box.w / max(f.box.h, 1) for f in found) > MIN_SIDEWAYS_ASPECT


def turned(frame: np.ndarray, turn: int) -> np.ndarray:
    """The frame turned by a quarter (one of TURNS)."""
    return cv2.rotate(frame, turn)


def box_in_frame(box: Box, turn: int, shape: tuple[int, ...]) -> Box:
    """A box in the pixels of the frame turned by `turn` (turned()) -> the same box in the frame's,
    of shape (h, w[, c])."""
    h, w = shape[:2]
    if turn == cv2.ROTATE_90_CLOCKWISE:  # turned (x', y') is the frame's (y', h - 1 - x')
        return Box(box.y, h - box.x - box.w, box.h, box.w)
    if turn == cv2.ROTATE_90_COUNTERCLOCKWISE:  # turned (x', y') is the frame's (w - 1 - y', x')
        return Box(w - box.y - box.h, box.x, box.h, box.w)
    raise ValueError(f"not a quarter turn: {turn}")


def _mean_confidence(confidences: list[float]) -> float:
    return sum(confidences) / len(confidences) if confidences else 0.0


def reads_better(turned_digits: list, as_is: list) -> bool:
    """Whether a turned reading beats the reading as it stands (lists of edge.reader.Digit): it reads
    more digits surely (SURE), or the model is surer of its digits on average and it reads at least half
    as many surely. Neither alone tells: a digit lying on its side is wide, and is read as several
    pieces, each sure (a row of 5 digits turned read 6 sure of 7; upright, 5 of 5), or as one sure 0
    (a row of 10 turned read 8 sure 0s, at 0.998 on average; upright, 9 sure of 10, at 0.956)."""
    sure, sure_as_is = (sum(d.confidence >= SURE for d in digits) for digits in (turned_digits, as_is))
    surer = (_mean_confidence([d.confidence for d in turned_digits])
             > _mean_confidence([d.confidence for d in as_is]))
    return sure > sure_as_is or (sure > 0 and surer and 2 * sure >= sure_as_is)

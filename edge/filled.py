"""Blobs filled by blur: out of focus, or seen small, a 0's loop (a 6's, a 9's) fills with the grey of the
stroke around it and the threshold takes the loop for ink; the blob comes out solid, and a solid blob is
dropped (DetectorOptions.max_fill). Its ring is darker than its middle still: thresholded again over its
own pixels, it opens."""

from __future__ import annotations

import cv2
import numpy as np

from edge.blobs import solid
from edge.detect import Candidate, DetectorOptions
from edge.threshold import otsu

# The middle a blob opens to is at least this share of its box, and this many pixels: a loop, not a
# speck of paper between two strokes.
MIN_LOOP_SHARE = 0.02
MIN_LOOP_PX = 3


def _enclosed_px(mask: np.ndarray) -> int:
    """The pixels of a 0/255 mask's paper enclosed by its ink (4-connected paper, not reaching the edge)."""
    paper = cv2.copyMakeBorder(cv2.bitwise_not(mask), 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=255)
    cv2.floodFill(paper, None, (0, 0), 0, flags=4)
    return cv2.countNonZero(paper)


def reopen(mask: np.ndarray, ink: np.ndarray, labels: np.ndarray, candidates: list[Candidate],
           opts: DetectorOptions, min_height_px: float) -> bool:
    """Opens, in place, the blobs of the 0/255 `mask` of a digit's height that fill their box like a blot
    (edge.blobs.solid) where, thresholded again at Otsu's split of their own pixels of `ink` (the
    darkness the mask was thresholded from), they enclose a loop (MIN_LOOP_SHARE): what is lighter than
    that split is paper again. A blot, a thumb, a dark sticker is darkest in its middle and stays
    solid. `labels`, `candidates`: the mask's components (edge.blobs.find_candidates).
    Returns whether any blob was opened (the components are then stale)."""
    max_height = opts.max_digit_height * mask.shape[0]
    opened = False
    for c in candidates:
        b = c.box
        if not (solid(c, opts) and min_height_px <= b.h <= max_height):
            continue
        own = labels[b.y:b.y + b.h, b.x:b.x + b.w] == c.ids[0]
        darkness = ink[b.y:b.y + b.h, b.x:b.x + b.w]
        ring = own & (darkness > otsu(darkness[own]))
        if _enclosed_px(ring.astype(np.uint8) * 255) < max(MIN_LOOP_PX, MIN_LOOP_SHARE * b.w * b.h):
            continue
        mask[b.y:b.y + b.h, b.x:b.x + b.w][own & ~ring] = 0
        opened = True
    return opened

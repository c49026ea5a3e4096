"""Blobs filled by blur: out of focus, or seen small, a 0's loop (a 6's, a 9's) fills with the grey of the
stroke around it and the threshold takes the loop for ink; the blob comes out solid, and a solid blob is
dropped (edge.blobs.solid). Its ring is darker than its middle still: thresholded again over its own
pixels, the loop shows (reopen). A blob that fills its box less (a 6's or a 9's stem beside its shut
loop) is kept, and where read unsure is read again with its loops opened the same way
(loops_blurred_shut, a second opinion of edge.readings), that reading kept where surer."""

from __future__ import annotations

import cv2
import numpy as np

from edge.blobs import digit_mask, solid
from edge.detect import Candidate, DetectorOptions
from edge.preprocess import outside
from edge.threshold import otsu

# The loop is at least this share of the blob's box, and this many pixels (not a speck of paper between
# two strokes), and at most MAX_LOOP_SHARE: blur fills a loop narrower than itself, a small middle; a
# thing whose face is lighter than its rim (a coin, a button, a cap) opens to more of itself. (desk_06's
# 0s blurred by 1 px per 1,000, benchmarks.perturb's defocus-1, open to 3 to 13 % of their box.)
MIN_LOOP_SHARE = 0.02
MIN_LOOP_PX = 3
MAX_LOOP_SHARE = 0.2
# A single digit's width at most (of its height): words in a bold print blurred into one blob are wider.
MAX_WIDTH = 1.25
# Opened only in a line of writing: beside a blob (within NEIGHBOUR_GAP of its height, its centre within
# half its height) this share to 1 / NEIGHBOUR_HEIGHT of its height. A dot, a coin, a washer alone, or
# a bullet smaller than the writing after it, stays as it is. A review's probes (a helper's scripts,
# 2026-12-06, AMD EPYC): 5,280 digits beside coins, washers, buttons, glossy pins, bullets with a
# glint, smudges, coffee and stamp rings and bold print, and as many frames of those alone, sharp and
# blurred: spurious digits 1,146 at the base, 1,676 opening any loop, 1,381 with MAX_LOOP_SHARE and
# MAX_WIDTH, 1,209 with these too; 15,074 digits of bold 0s, 6s, 8s and 9s, small (8-14 px) and
# touching digits and 8 conditions blurred: 11,085 right at the base, 11,189, 11,167 and 11,167.
NEIGHBOUR_GAP = 2.0
NEIGHBOUR_HEIGHT = 0.6


def _in_a_line(c: Candidate, candidates: list[Candidate]) -> bool:
    """Whether another of the blobs stands beside c as the next digit of its line would."""
    b = c.box
    for d in candidates:
        e = d.box
        if d is c or not NEIGHBOUR_HEIGHT * b.h <= e.h <= b.h / NEIGHBOUR_HEIGHT:
            continue
        gap = max(e.x - (b.x + b.w), b.x - (e.x + e.w))
        if gap <= NEIGHBOUR_GAP * b.h and abs((e.y + e.h / 2) - (b.y + b.h / 2)) <= b.h / 2:
            return True
    return False


def _loop(ring: np.ndarray) -> np.ndarray:
    """(h, w) bool: the paper a bool mask of ink encloses (preprocess.outside)."""
    padded = cv2.copyMakeBorder(ring.astype(np.uint8) * 255, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    return outside(padded)[1:-1, 1:-1] == 0


def reopen(mask: np.ndarray, ink: np.ndarray, labels: np.ndarray, candidates: list[Candidate],
           opts: DetectorOptions, min_height_px: float) -> bool:
    """Opens, in place, the loops of the blobs of the 0/255 `mask` that fill their box like a blot
    (edge.blobs.solid), of a digit's height (`min_height_px` to max_digit_height), no wider than
    MAX_WIDTH of it and standing in a line of writing (_in_a_line): thresholded again at Otsu's split of
    their own pixels of `ink` (the darkness the mask was thresholded from), what they enclose is paper
    again where it is a loop blurred shut (loops_blurred_shut: mostly ink, MIN_LOOP_PX, and
    MIN_LOOP_SHARE to MAX_LOOP_SHARE of the box). A blot, a thumb, a dark sticker is darkest in its
    middle and stays solid. `labels`, `candidates`: the mask's components (edge.blobs.find_candidates).
    Returns whether any blob was opened (the components are then stale)."""
    max_height = opts.max_digit_height * mask.shape[0]
    opened = False
    for c in candidates:
        b = c.box
        if not (solid(c, opts) and min_height_px <= b.h <= max_height and b.w <= MAX_WIDTH * b.h
                and _in_a_line(c, candidates)):
            continue
        loop = loops_blurred_shut(digit_mask(labels, c) > 0, ink[b.y:b.y + b.h, b.x:b.x + b.w])
        if loop is not None:
            mask[b.y:b.y + b.h, b.x:b.x + b.w][loop] = 0
            opened = True
    return opened


def loops_blurred_shut(own: np.ndarray, darkness: np.ndarray) -> np.ndarray | None:
    """(h, w) bool: the loops a blob's ink (`own`, (h, w) bool, its box's size) encloses once thresholded
    again at Otsu's split of its own pixels of `darkness` (the ink's darkness over its box), each mostly
    ink as the blob stands (a loop open already only has its rim's lighter pixels there), where they
    are a loop (MIN_LOOP_PX, and MIN_LOOP_SHARE to MAX_LOOP_SHARE of the box); else None."""
    enclosed = _loop(own & (darkness > otsu(darkness[own])))
    count, parts = cv2.connectedComponents(enclosed.astype(np.uint8), connectivity=4)
    if count < 2:
        return None
    shut = np.bincount(parts[own], minlength=count) > np.bincount(parts[~own], minlength=count)
    shut[0] = False
    loop = shut[parts] & own
    area = own.size
    if not max(MIN_LOOP_PX, MIN_LOOP_SHARE * area) <= np.count_nonzero(loop) <= MAX_LOOP_SHARE * area:
        return None
    return loop

"""A frame cut down to the writing it shows (a user's crop of a photo, a cut-out kept as its own image):
found by a quick look, and given a margin of its own paper to be read in.

The reader's frame-relative sizes assume digits are a small part of the frame: a digit taller than
DetectorOptions.max_digit_height of it is no digit, ink reaching the frame's edge is cut by it, a pen is
measured on shapes clear of the edge, a line a quarter of the frame long is a rule. A crop of a number
breaks each of them: its digits fill it and touch its edge. With a margin of paper around it, it is a
frame like any other.
"""

from __future__ import annotations

import cv2
import numpy as np

from edge.preprocess import label_type, to_gray

LOOK_SIDE_PX = 96  # the look is taken on the grey shrunk to this longer side
# The frame is a cut-out when a dark shape of the look (Otsu's split) is at least MIN_TALL of its
# height and drawn in strokes: its ink at most MAX_FILL of its box (a mouse pad around a note fills
# 0.5 to 0.75 of it; digits 0.2 to 0.5), unless it is narrow as a 1 is; and not across the whole look
# while wider than tall (a ruled page's rules joined by its margin line). Its edge is mostly paper:
# at most MAX_DARK_EDGE of it dark (a desk around a sheet; digits cut out tight cross it here and there).
MIN_TALL = 0.55
MAX_DARK_EDGE = 0.3
MAX_FILL = 0.5
NARROW = 0.35  # a shape at most this wide for its height may fill its box (a 1)
MAX_SHAPES = 12  # more dark shapes than this is a scene or a page, not a cut-out of a number
# The margin added on each side, as a share of the frame's height: the digits then span at most half
# of the frame's height.
MARGIN = 0.5


def _look(frame: np.ndarray) -> np.ndarray:
    """Every n-th pixel of every n-th row, about LOOK_SIDE_PX on the longer side: a digit that fills the
    frame has strokes several of these pixels wide. (Sampled, not averaged: look() takes 0.04 ms on a
    640x480 BGR frame and 0.05 ms on a 12-MP one, against 1.0 and 38 ms shrunk with INTER_AREA; AMD
    EPYC, 2 cores, one thread.)"""
    h, w = frame.shape[:2]
    step = max(1, -(-max(h, w) // LOOK_SIDE_PX))
    return cv2.resize(frame, (max(1, w // step), max(1, h // step)), interpolation=cv2.INTER_NEAREST)


def look(frame: np.ndarray) -> str | None:
    """Whether a frame (BGR, BGRA or grey) is its writing cut out, and how it is written: "dark" (ink on
    paper) or "light" (chalk on a board, a drawing app's canvas; stage 10 confirms it), else None. One
    split of the look (Otsu's): the writing's side of it is the one that covers at most MAX_DARK_EDGE of
    its edge, and it holds a writing-like shape of MIN_TALL of its height or more among few (MAX_SHAPES)."""
    small = to_gray(_look(frame))
    _, dark = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    sh, sw = dark.shape
    edge = np.concatenate([dark[0], dark[-1], dark[1:-1, 0], dark[1:-1, -1]])
    share = np.count_nonzero(edge) / edge.size
    if sh < 8 or sw < 8 or MAX_DARK_EDGE < share < 1 - MAX_DARK_EDGE:
        return None
    shade = "dark" if share <= MAX_DARK_EDGE else "light"
    return shade if _holds_writing(dark if shade == "dark" else cv2.bitwise_not(dark)) else None


def _holds_writing(mask: np.ndarray) -> bool:
    """Whether a 0/255 look holds a writing-like shape of MIN_TALL of its height or more among few."""
    sh, sw = mask.shape
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=label_type(mask))
    if not 1 < count <= MAX_SHAPES + 1:
        return False
    if stats[1:, cv2.CC_STAT_HEIGHT].max() < MIN_TALL * sh:  # most frames: digits a small part of them
        return False
    _, _, bw, bh, area = stats[1:].T
    writing = ((bh >= MIN_TALL * sh) & ((area <= MAX_FILL * bw * bh) | (bw <= NARROW * bh))
               & ~((bw == sw) & (bw > 1.2 * bh)))
    return bool(writing.any())


def with_margin(frame: np.ndarray) -> tuple[np.ndarray, int]:
    """The frame in a margin of its own paper, MARGIN of its height on each side, and that margin in px.
    The paper is the frame's with its ink taken out (the lightest within a third of its height, on the
    look's scale: a stroke touching the edge is thinner than that), carried out from its edge: its light
    and colour go on past the edge, a little lighter (its noise's top), never darker (a median carried
    a digit touching the edge out as a bar joined to it)."""
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    h, w = frame.shape[:2]
    pad = max(1, int(round(MARGIN * h)))
    small = _look(frame)
    k = max(3, (min(small.shape[:2]) // 3) | 1)
    lightest = cv2.blur(cv2.dilate(small, np.ones((k, k), np.uint8)), (k, k))
    paper = cv2.resize(lightest, (w, h), interpolation=cv2.INTER_LINEAR)
    out = cv2.copyMakeBorder(paper, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    out[pad:pad + h, pad:pad + w] = frame
    return out, pad

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

from edge.preprocess import label_type, sampled, shrink, to_gray

LOOK_SIDE_PX = 96  # the look is taken on the grey shrunk to this longer side,
MIN_LOOK_SIDE_PX = 48  # but no shorter than this on its shorter side (a long number cut out)
# The frame is a cut-out when a dark shape of the look (Otsu's split) is at least MIN_TALL of its
# height and drawn in strokes: its ink at most MAX_FILL of its box (a mouse pad around a note fills
# 0.5 to 0.75 of it; digits 0.2 to 0.5; a marker's up to MAX_BOLD_FILL, _bold), no wider than
# MAX_STROKE of its height, around MAX_HOLES loops or fewer, not a straight bar (a 1 alone is not
# enough: a rule, a pen, a shadow's strip, a fold are such bars), holding few other shapes in its box
# (MAX_INSIDE), and not across the whole look while wider than tall (a ruled page's rules joined by its
# margin line). Its edge is mostly paper: at most MAX_DARK_EDGE of it dark (a desk around a sheet;
# digits cut out tight cross it here and there); and no long bar reaching its edge is a hairline (a
# ruled page turned a quarter), and no side is all but covered (MAX_SIDE_COVER: a strip of desk or
# shadow along it): read in a margin, either would no longer be cut by the edge, and read as a 1.
MIN_TALL = 0.55
MAX_DARK_EDGE = 0.3
MAX_FILL = 0.5
# Up to this, when its outline is round (less than MAX_OUTLINE_FILL of its minimum-area rectangle) and it
# holds no other shape (_bold): a marker's 0 drawn in a stroke a tenth to a sixth of its height, an 8 in
# one up to a seventh, fill 0.5 to 0.65 of their box (a review's sweep); bolder, they fill more and are
# not taken. A washer, a roll of tape, a bottle cap seen from above are such round shapes too, and a
# frame they fill is read as a 0 (a review: of 1,760 frames of round things and letters, 50 that read
# nothing read a digit, 46 of them a "0").
MAX_BOLD_FILL = 0.65
MAX_OUTLINE_FILL = 0.85
# A straight bar fills BAR_FILL or more of its minimum-area rectangle, BAR_ASPECT times as long as wide.
BAR_FILL = 0.7
BAR_ASPECT = 3.0
HAIRLINE_PX = 2
MAX_STROKE = 0.4  # of the shape's height: a marker's stroke is a fifth of its digit's height
MAX_HOLES = 6  # three joined 8s
# More shapes than this within its box (MIN_INSIDE_PX tall or more) and it is a grid or a box holding
# writing, not writing (a squared page's grid joined into one mesh around the digits written on it).
MAX_INSIDE = 4
MIN_INSIDE_PX = 3
MAX_SIDE_COVER = 0.8  # of any one side of the look: a strip of desk or shadow along it
# The writing fills the cut-out: its shapes of MIN_SHAPE of its height or taller leave at most MAX_MARGIN
# of its height bare above and below it, and of its longer side to its left and right (a fold or a cable
# across a page, joined to a few small digits, does not). (A number runs along the frame's width: one
# digit held up to a landscape camera fills its height, not its width. Measured against the height,
# such a digit 0.8 of the frame's height was no cut-out, and read nothing as it stood: the photos' single
# digits held so close to a 640x480 and a 1280x720 camera (benchmarks.crops) read 15 and 27, now 17 of 20
# and 31 of 39. Over all of benchmarks.crops, the photos 1,331 -> 1,338 of 1,351 digits with 7 -> 5
# spurious, the desk 8,646 -> 8,648 of 8,708 with 16 -> 17; both sets as photographed and perturbed 15
# ways and the conditions over 30 frames of seeds 101, 7 and 3 as before. A narrow digit in a 16:9
# frame still leaves over MAX_MARGIN of its width bare, and a 1 alone is a bar either way.)
MIN_SHAPE = 0.2
MAX_MARGIN = 0.35
# The margin added on each side, as a share of the frame's height: the digits then span at most half
# of the frame's height.
MARGIN = 0.5
# A larger cut-out is shrunk to this longer side first: the reader reads a frame at 640 px
# (DetectorOptions.max_side_px) anyway, and a 12-MP one put in its margin at full size took 40 ms and 330
# MB (a review's measure, AMD EPYC, 2 cores; 6 ms shrunk).
MAX_SIDE_PX = 1000


def _look(frame: np.ndarray) -> np.ndarray:
    """Every n-th pixel of every n-th row, about LOOK_SIDE_PX on the longer side and MIN_LOOK_SIDE_PX or
    more on the shorter: a digit that fills the frame has strokes several of these pixels wide.
    (Sampled, not averaged: shrunk with INTER_AREA, the look took 1.0 ms on a 640x480 BGR frame and 38
    ms on a 12-MP one; AMD EPYC, 2 cores, one thread.)"""
    h, w = frame.shape[:2]
    return sampled(frame, min(-(-max(h, w) // LOOK_SIDE_PX), min(h, w) // MIN_LOOK_SIDE_PX))


def look(frame: np.ndarray) -> str | None:
    """Whether a frame (BGR, BGRA or grey) is its writing cut out, and how it is written: "dark" (ink on
    paper) or "light" (chalk on a board, a drawing app's canvas; stage 10 confirms it), else None. One
    split of the look (Otsu's): the writing's side of it is the one that covers at most MAX_DARK_EDGE of
    its edge, and it holds a writing-like shape of MIN_TALL of its height or more (_holds_writing)."""
    small = to_gray(_look(frame))
    _, dark = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    sh, sw = dark.shape
    sides = (dark[0], dark[-1], dark[:, 0], dark[:, -1])
    share = sum(np.count_nonzero(side) for side in sides) / (2 * (sh + sw))
    if sh < 8 or sw < 8 or MAX_DARK_EDGE < share < 1 - MAX_DARK_EDGE:
        return None
    shade = "dark" if share <= MAX_DARK_EDGE else "light"
    # A side all but covered by the ground's other shade is a strip of desk or shadow along it.
    covered = [np.count_nonzero(side) / side.size for side in sides]
    if max(covered) > MAX_SIDE_COVER if shade == "dark" else min(covered) < 1 - MAX_SIDE_COVER:
        return None
    return shade if _holds_writing(dark if shade == "dark" else cv2.bitwise_not(dark)) else None


def _own(labels: np.ndarray, index: int, box: np.ndarray) -> np.ndarray:
    """A component's own pixels in its box (x, y, w, h, area): (h, w) uint8, 255 on it, 0 elsewhere."""
    x, y, w, h = box[:4]
    return np.where(labels[y:y + h, x:x + w] == index, 255, 0).astype(np.uint8)


def _bar(labels: np.ndarray, index: int, box: np.ndarray) -> str | None:
    """Whether a component of the look is a straight bar (BAR_FILL, BAR_ASPECT), and which: "hairline"
    (a printed rule: HAIRLINE_PX wide or less), "bar" (a 1, a pen), else None."""
    area = box[4]
    ys, xs = np.nonzero(_own(labels, index, box))
    (_, _), (a, b), _ = cv2.minAreaRect(np.column_stack([xs, ys]).astype(np.float32))
    long, short = max(a, b) + 1, min(a, b) + 1  # pixel centres: a 1-px line is 1 wide
    if area < BAR_FILL * long * short or long < BAR_ASPECT * short:
        return None
    if short <= HAIRLINE_PX:
        return "hairline"
    return "bar"


def _holds_writing(mask: np.ndarray) -> bool:
    """Whether a 0/255 look holds a writing-like shape of MIN_TALL of its height or more, filling it
    (MAX_MARGIN), and no hairline as long as the look reaching its edge."""
    sh, sw = mask.shape
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=label_type(mask))
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    if count == 1 or heights.max() < MIN_TALL * sh:  # most frames: digits a small part of them
        return False
    x, y, bw, bh, area = stats.T
    shapes = stats[1:][heights >= MIN_SHAPE * sh]
    bare_x = max(shapes[:, 0].min(), sw - (shapes[:, 0] + shapes[:, 2]).max())
    bare_y = max(shapes[:, 1].min(), sh - (shapes[:, 1] + shapes[:, 3]).max())
    if bare_x > MAX_MARGIN * max(sw, sh) or bare_y > MAX_MARGIN * sh:
        return False
    edge = (x == 0) | (y == 0) | (x + bw == sw) | (y + bh == sh)
    long = (bh >= MIN_TALL * sh) | (bw >= MIN_TALL * sw)
    found = False
    for i in np.flatnonzero(long):
        if i == 0:
            continue
        bar = _bar(labels, i, stats[i])
        if edge[i] and bar == "hairline":
            return False
        if bh[i] < MIN_TALL * sh:  # long, not tall: only looked at for a hairline
            continue
        around = _around(stats, i)
        filled = area[i] > MAX_FILL * bw[i] * bh[i]
        if filled and not around and _bold(labels, i, stats[i]):
            filled = False  # a marker's shape
        found |= bool(not filled and bar is None
                      and not (bw[i] == sw and bw[i] > 1.2 * bh[i]) and _strokes(labels, i, stats[i])
                      and around <= MAX_INSIDE)
    return found


def _bold(labels: np.ndarray, index: int, box: np.ndarray) -> bool:
    """Whether a component filling more than MAX_FILL of its box may be writing in a bold pen (a marker's
    0): at most MAX_BOLD_FILL of its box, its outline round as a written shape's is, filling less than
    MAX_OUTLINE_FILL of its minimum-area rectangle (a 0's is an ellipse, pi / 4 of it; a mouse pad's
    around a note, a card's, a phone's, are rectangles). (Nor may it hold other shapes in its box, as a
    pad joined to a desk's dark grain, no rectangle then, holds its note's writing: _holds_writing.)"""
    _, _, w, h, area = box
    if area > MAX_BOLD_FILL * w * h:
        return False
    contours, _ = cv2.findContours(_own(labels, index, box), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    outline = max(contours, key=cv2.contourArea)
    (_, _), (a, b), _ = cv2.minAreaRect(outline)
    return cv2.contourArea(outline) < MAX_OUTLINE_FILL * a * b


def _around(stats: np.ndarray, index: int) -> int:
    """How many other components of the look (MIN_INSIDE_PX tall or more) have their centre in this one's
    box."""
    x, y, w, h = stats[index, :4]
    cx = stats[1:, 0] + stats[1:, 2] / 2
    cy = stats[1:, 1] + stats[1:, 3] / 2
    inside = (cx > x) & (cx < x + w) & (cy > y) & (cy < y + h) & (stats[1:, 3] >= MIN_INSIDE_PX)
    return int(np.count_nonzero(inside)) - 1  # itself


def _strokes(labels: np.ndarray, index: int, box: np.ndarray) -> bool:
    """Whether a component is drawn in strokes as a few digits are: no wider than MAX_STROKE of its height
    (a sheet with holes where its digits are is not), around MAX_HOLES loops or fewer (a squared page's
    grid, joined into one mesh, has dozens)."""
    h = box[3]
    inside = cv2.copyMakeBorder(_own(labels, index, box), 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    if 2 * float(cv2.distanceTransform(inside, cv2.DIST_L2, 3).max()) > MAX_STROKE * h:
        return False
    contours, hierarchy = cv2.findContours(inside, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return True
    # Loops, not pinholes of a noisy split: a twentieth of the shape's height across or more.
    loops = [c for c, parent in zip(contours, hierarchy[0, :, 3]) if parent >= 0
             and cv2.contourArea(c) >= max(4.0, (0.05 * h) ** 2)]
    return len(loops) <= MAX_HOLES


def with_margin(frame: np.ndarray) -> tuple[np.ndarray, int, float]:
    """The frame, shrunk to MAX_SIDE_PX on its longer side where larger, in a margin of its own paper
    MARGIN of its height on each side; that margin in px and the scale it was shrunk by (the framed
    frame's pixels are (frame's pixels * scale) + margin). The paper is the frame's with its ink taken
    out (the lightest within a third of the look's shorter side, and smoothed as much: a stroke touching
    the edge is thinner than that), carried out from its edge: its light and colour go on past the
    edge, a little lighter (its noise's top), never darker (a median carried a digit touching the edge
    out as a bar joined to it)."""
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    scale = min(1.0, MAX_SIDE_PX / max(frame.shape[:2]))
    if scale < 1.0:
        width = frame.shape[1]
        frame = shrink(frame, scale)
        scale = frame.shape[1] / width  # as rounded: the boxes go back by it
    h, w = frame.shape[:2]
    pad = max(1, int(round(MARGIN * h)))
    small = _look(frame)
    k = max(3, (min(small.shape[:2]) // 3) | 1)
    lightest = cv2.blur(cv2.dilate(small, np.ones((k, k), np.uint8)), (k, k))
    paper = cv2.resize(lightest, (w, h), interpolation=cv2.INTER_LINEAR)
    out = cv2.copyMakeBorder(paper, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    out[pad:pad + h, pad:pad + w] = frame
    return out, pad, scale

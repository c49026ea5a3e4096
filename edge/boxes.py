"""Boxes, combs and tables drawn around digits (printed forms, squares drawn by hand): found per blob in
its rectangle (edge.linework) by the lines near its four sides (edge.box_lines), and taken out of the
ink before printed rules are."""

from __future__ import annotations

import cv2
import numpy as np

from edge import rules
from edge.box_lines import box_lines
from edge.linework import MIN_BLOB_PX, in_rectangle

# A box's outline fills at least this share of its minimum-area rectangle, its ink (lines and the
# digit in it, a bold 0 filling it) at most MAX_BOX_INK; an upright 1 is ink nearly throughout.
MIN_RECTANGULAR = 0.85
MAX_BOX_INK = 0.7
# A square turned by edge.linework.MAX_TURN_DEG fills 0.57 of its bounding box.
MIN_RECTANGLE_IN_BOX = 0.55
# A box holds writing: ink covering this share of its middle (HELD_MARGIN in from each side; a digit
# touching it; not the rounded corners of a 0 drawn square), or a digit inside it (_box_in).
MIN_HELD_INK = 0.02
HELD_MARGIN = 0.2
# What a box's lines leave within this share of its size (at least MIN_SLIVER_REACH_PX) of them, apart
# from the writing, is of the lines (_slivers).
SLIVER_REACH = 0.1
MIN_SLIVER_REACH_PX = 2


def _box_in(window: np.ndarray, at: tuple[int, int], ink_limit: float, min_height_px: float,
            excluded: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The box's lines ((n,) bool over its ink pixels, with those pixels' rows and columns in the
    window) of the blob of `window` (0/255, the blob's bounding box) through the point `at` (x, y),
    or None where it is no box holding writing: a digit touching it (ink in its middle, MIN_HELD_INK)
    or inside it (another blob at least `min_height_px` tall); an empty box is left as it is, for a 0
    written square is one too."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(window, connectivity=8)
    own = int(labels[at[1], at[0]])
    if stats[own, cv2.CC_STAT_AREA] > ink_limit:
        return None  # inked nearly throughout: an upright 1, a blot
    ys, xs = np.nonzero(labels == own)
    if excluded is not None and excluded[ys, xs].any():
        return None  # cut by the frame's edge
    turned = in_rectangle(ys, xs)
    if turned is None:
        return None
    rows, cols, grid = turned
    lines = box_lines(grid)
    if lines is None:
        return None
    drawn = lines[rows, cols]
    drawn |= _slivers(window.shape, ys, xs, drawn, min(grid.shape))
    kept = np.zeros_like(grid)
    kept[rows[~drawn], cols[~drawn]] = True
    dy, dx = int(HELD_MARGIN * grid.shape[0]), int(HELD_MARGIN * grid.shape[1])
    if kept[dy:grid.shape[0] - dy, dx:grid.shape[1] - dx].mean() >= MIN_HELD_INK:
        return drawn, ys, xs
    # A digit in the box, clear of its lines, not a neighbour's reaching into the box's bounding box.
    x, y, w, h = (np.delete(stats[1:, k], own - 1) for k in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP,
                                                             cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT))
    inside = (x > 0) & (y > 0) & (x + w < window.shape[1]) & (y + h < window.shape[0]) & (h >= min_height_px)
    return (drawn, ys, xs) if inside.any() else None


def _slivers(shape: tuple[int, int], ys: np.ndarray, xs: np.ndarray, drawn: np.ndarray, size: int
             ) -> np.ndarray:
    """The ink ((n,) bool over a blob's pixels `ys`, `xs` in a window of `shape`) that the lines
    `drawn` leave beside them, no part of any writing: pieces of the blob lying wholly within
    SLIVER_REACH of its `size` (at least a pixel or two) of the lines taken out. A box seen in
    perspective, rectified, is no rectangle: its lines run across a column or row of its rectangle and
    leave a pixel's sliver along them, read as a 1. A digit touching a line goes on beyond the reach."""
    taken = np.zeros(shape, np.uint8)
    taken[ys[drawn], xs[drawn]] = 1
    reach = max(MIN_SLIVER_REACH_PX, int(round(SLIVER_REACH * size)))
    near = cv2.dilate(taken, np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)).astype(bool)
    left = np.zeros(shape, np.uint8)
    left[ys[~drawn], xs[~drawn]] = 1
    count, pieces = cv2.connectedComponents(left, connectivity=8)
    beyond = np.bincount(pieces[left.astype(bool) & ~near], minlength=count) > 0
    return ~drawn & ~beyond[pieces[ys, xs]]


def remove_boxes(mask: np.ndarray, min_height_px: float, margin_px: int = 0,
                 excluded: np.ndarray | None = None) -> bool:
    """Takes the boxes, combs and tables drawn around digits out of the ink, in place (box_lines,
    _box_in), before printed rules are: a row of boxes has long lines top and bottom that edge.rules
    would take, and their sides, left alone, read as 1s. Every outline of the mask is found at once;
    only those filling MIN_RECTANGULAR of their minimum-area rectangle, as a box's does (with a digit
    poking out of it a little; most digits' do not, a 0's pi / 4), are labelled, in their own box.

    Args:
      mask: (H, W) 0/255 ink.
      min_height_px: blobs shorter than this are not looked at.
      margin_px, excluded: as edge.blobs.find_candidates': blobs reaching the band along the edge, or
        reaching `excluded`, are cut by the edge and not looked at.
    Returns:
      Whether any ink was taken out.
    """
    x0, y0, w, h = cv2.boundingRect(mask)
    if w == 0:
        return False
    contours, _ = cv2.findContours(mask[y0:y0 + h, x0:x0 + w], cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    frame_h, frame_w = mask.shape
    rule_w, rule_h = rules.min_lengths(mask.shape)
    changed = False
    for outline in contours:
        bx, by, bw, bh = cv2.boundingRect(outline)
        bx, by = bx + x0, by + y0
        if bh < max(MIN_BLOB_PX, min_height_px) or bw < MIN_BLOB_PX:
            continue
        if (bx <= margin_px or by <= margin_px or bx + bw >= frame_w - margin_px
                or by + bh >= frame_h - margin_px):
            continue  # cut by the edge (find_candidates drops it)
        if bw >= rule_w and bh >= rule_h:
            continue  # a grid or ruled lines with the writing on them: edge.rules takes those out
        area = cv2.contourArea(outline)
        if area < MIN_RECTANGULAR * MIN_RECTANGLE_IN_BOX * bw * bh:
            continue  # not even of its bounding box (MIN_RECTANGLE_IN_BOX)
        (_, _), (rw, rh), _ = cv2.minAreaRect(outline)
        if area < MIN_RECTANGULAR * rw * rh:
            continue
        window = mask[by:by + bh, bx:bx + bw]
        x, y = outline[0, 0]  # an outline's points are the blob's own ink
        cut = None if excluded is None else excluded[by:by + bh, bx:bx + bw]
        at = (int(x) + x0 - bx, int(y) + y0 - by)
        found = _box_in(window, at, MAX_BOX_INK * rw * rh, min_height_px, cut)
        if found is None:
            continue
        drawn, ys, xs = found
        window[ys[drawn], xs[drawn]] = 0
        changed = True
    return changed



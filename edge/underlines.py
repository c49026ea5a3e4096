"""Lines drawn under numbers and joined to them: found per blob in its rectangle (edge.linework) by a
lower edge that runs straight or bends gently under writing, and taken out of the ink after printed
rules are (ruled lines are no underlines)."""

from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

from edge import rules
from edge.detect import Candidate
from edge.linework import MIN_BLOB_PX, in_rectangle

# A line under a number: the lower edge of a blob at least UNDERLINE_LENGTH times as wide as it is tall
# (wider than any digit, edge.segment.MAX_PIECE_WIDTH: a 2's foot and a wide 2 stay, and so do two 2s
# joined at their feet, about 1.3 times their height) runs straight or bends gently, within
# UNDERLINE_TOLERANCE of the blob's height of one parabola, along UNDERLINE_COVER of its width, in its
# lower part (below UNDERLINE_FROM of its height); the ink above that edge is no thicker than
# UNDERLINE_THICKNESS of the writing above.
UNDERLINE_FROM = 0.6
UNDERLINE_COVER = 0.9
UNDERLINE_LENGTH = 1.7
UNDERLINE_THICKNESS = 0.25
UNDERLINE_TOLERANCE = 0.04
UNDERLINE_BEYOND = 2.0
MIN_WRITING_OVER_LINE = 3  # the writing above the line is at least this many times as tall as it is thick
# A blob whose rectangle is UNDERLINE_LENGTH times as wide as tall, turned by up to
# edge.linework.MAX_TURN_DEG, has a box at least this much wider than tall.
UNDERLINED_MIN_ASPECT = 1.2


def _drawn_edge(bottom: np.ndarray, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """A line drawn by hand through most of a profile ((w,) rows, -1 where a column has no ink),
    straight or bending gently (a parabola: the feet of round digits side by side bend up and down
    again under each): a least-squares fit, then twice again through the columns near it (a digit's
    tail crossing below the line is no part of its edge). Returns the line's row at each column and
    which columns lie on it."""
    columns = np.arange(len(bottom), dtype=np.float64)
    near = bottom >= 0
    if np.count_nonzero(near) < 3:
        return np.full(len(bottom), -1.0), np.zeros(len(bottom), bool)
    for reach in (np.inf, 2 * tolerance, tolerance):
        if np.count_nonzero(near) < 3:
            break
        fit = np.polyfit(columns[near], bottom[near], 2)
        line = np.polyval(fit, columns)
        near = (bottom >= 0) & (np.abs(bottom - line) <= reach)
    line = np.polyval(fit, columns)
    return line, (bottom >= 0) & (np.abs(bottom - line) <= tolerance)


def underline(grid: np.ndarray) -> np.ndarray | None:
    """The pixels (an (h, w) bool mask over the grid) of a line drawn under the writing of a blob, or
    None: where the blob is no wider than a digit, its lower edge is no line drawn along UNDERLINE_COVER
    of its width in its lower part, the line is as thick as the writing or the writing no more than a
    line, or the writing is one digit whose foot the line may be (below)."""
    h, w = grid.shape
    if w < UNDERLINE_LENGTH * h:
        return None  # no wider than one digit can be: a 2's foot, a 5's flag at the top
    inked = grid.any(axis=0)
    bottom = np.where(inked, h - 1 - np.argmax(grid[::-1], axis=0), -1).astype(np.float64)
    edge, on = _drawn_edge(bottom, max(1.5, UNDERLINE_TOLERANCE * h))
    if np.count_nonzero(on) < UNDERLINE_COVER * w or edge.min() < UNDERLINE_FROM * h:
        return None  # round digits' feet side by side bend up and down under each: no drawn edge
    # The line's thickness: the ink straight up from its lower edge, in the columns along it (the
    # median: where a digit sits on the line, its ink runs on up the digit).
    base = np.where(on, bottom, np.rint(edge)).astype(np.int64)
    rows = np.arange(h)[:, np.newaxis]
    paper = (rows <= base[np.newaxis, :]) & ~grid
    last_paper = np.where(paper.any(axis=0), h - 1 - np.argmax(paper[::-1], axis=0), -1)
    thickness = int(np.median((base - last_paper)[on]))
    above = float(np.median(base - thickness) - np.argmax(grid.any(axis=1)))
    if above < MIN_WRITING_OVER_LINE * thickness or thickness > UNDERLINE_THICKNESS * above:
        return None  # a line alone (ruled, or a rule broken), or a bar as thick as the writing
    line = (rows > (base - thickness - 1)[np.newaxis, :]) & (rows <= (base + 1)[np.newaxis, :]) & grid
    # Under a number, not the foot of one digit drawn long (a shaken photo smears a 2's foot so): the
    # writing above stands in two parts or more, each at least half its height, or the line runs on
    # past it by UNDERLINE_BEYOND of its height (a line under a number joined to one of its digits).
    # (Two 2s whose feet run into one ruler-straight stroke look just like two 7s standing on a line,
    # and read so. A digit standing over the line, not joined to it, is no sign of an underline: a 2's
    # long foot runs under the next digit.)
    writing = grid & ~line & (rows <= base[np.newaxis, :])
    _, _, stats, _ = cv2.connectedComponentsWithStats(writing.astype(np.uint8), connectivity=8)
    beyond = w - np.count_nonzero(writing.any(axis=0))
    parts = np.count_nonzero(stats[1:, cv2.CC_STAT_HEIGHT] >= 0.5 * above)
    if parts < 2 and beyond < UNDERLINE_BEYOND * above:
        return None
    return line


def _remove(mask: np.ndarray, labels: np.ndarray, candidates: list[Candidate], min_height_px: float,
            lines_of: Callable[[np.ndarray, Candidate], np.ndarray | None], min_aspect: float = 0.0) -> bool:
    """Takes out of the ink, in place, what `lines_of(grid, candidate)` finds drawn in a blob (the
    blob in its rectangle: in_rectangle): (h, w) bool over the grid, or None. Only blobs at least
    `min_aspect` as wide as tall are looked at. Returns whether any ink was taken out."""
    changed = False
    rule_w, rule_h = rules.min_lengths(mask.shape)
    for c in candidates:
        b = c.box
        if (b.h < max(MIN_BLOB_PX, min_height_px) or b.w < MIN_BLOB_PX or b.w < min_aspect * b.h
                or len(c.ids) != 1):
            continue
        if b.w >= rule_w and b.h >= rule_h:
            continue  # a grid or ruled lines with the writing on them: edge.rules takes those out
        ys, xs = np.nonzero(labels[b.y:b.y + b.h, b.x:b.x + b.w] == c.ids[0])
        turned = in_rectangle(ys, xs)
        lines = None if turned is None else lines_of(turned[2], c)
        if lines is None:
            continue
        rows, cols, _ = turned
        drawn = lines[rows, cols]
        mask[b.y + ys[drawn], b.x + xs[drawn]] = 0
        changed = True
    return changed


def remove_underlines(mask: np.ndarray, labels: np.ndarray, candidates: list[Candidate],
                      min_height_px: float) -> bool:
    """Takes the lines drawn under numbers and joined to them out of the ink, in place (underline),
    after printed rules are (ruled lines are no underlines).

    Args:
      mask: (H, W) 0/255 ink; labels and candidates: its components (edge.blobs.find_candidates).
      min_height_px: blobs shorter than this are not looked at.
    Returns:
      Whether any ink was taken out (the components are then stale).
    """
    return _remove(mask, labels, candidates, min_height_px, lambda grid, _: underline(grid),
                   min_aspect=UNDERLINED_MIN_ASPECT)

"""Touching digits: cut candidates at the column ink profile's minima; recognition picks the cuts
(edge.splits).

A blob the model is unsure of, and wide for its digit height, is cut at
every low point of its column profile and at the valleys of its outline. A cut is
not a straight column: it is the path from top to bottom, near that column, that
enters the fewest strokes, so that it follows the gap between two slanted digits
and runs down the joint of two round ones. Each run of pieces between
two cuts that is about a digit wide becomes a candidate crop; the candidates of a frame go
through the model in one second batch; the best chain of pieces (highest product
of confidences) competes with the blob read whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# A blob at least this wide for its height may hold two digits: "17" joined at the base, or a 1
# leaning into a 9 (edge.splits asks more of a split of a blob this narrow).
MIN_ASPECT_TO_SPLIT = 0.6
# Pieces are this wide, in blob heights: narrower is a sliver ("1" is about 0.15), wider two digits.
# The widest is a little over the widest any digit is written (edge.splits.WIDEST_ASPECT: a 2 or a 5,
# 1.67; a 0, 1.43): at 1.1, a wide 0 touching a 4 was no candidate piece, and its halves were read
# as "6", "7" ("04" as "671"). Over 30 frames of each condition, seeds 101 and 7, 1.7 read 9 more
# touching digits right and 4 spurious digits fewer (1.45 the same); no other condition changed.
MIN_PIECE_WIDTH = 0.12
MAX_PIECE_WIDTH = 1.7
# A cut sits where the column holds at most this share of the blob's busiest column.
MAX_CUT_INK = 0.75
MAX_CUTS = 8  # the lowest ones; a wider blob is a scribble, not three touching digits
# An outline valley this deep, in blob heights, below the outline on both sides of it may be a joint.
MIN_VALLEY_DEPTH = 0.15
# A cut's path may wander this far from its column, in blob heights, one column per row at most.
CUT_REACH = 0.3
# A path pays 1 for each stroke it enters, this for each ink pixel it runs through, this per row
# and column away from its own column, and this for each step sideways: of two equally clean ways
# down, the straighter one. A lower price for distance lets a cut run down the slanted gap between
# two slanted digits (bars leaning 27 degrees, in the tests) rather than through one; the price of
# a step keeps it from wandering. Over 30 frames of each condition, seeds 101 and 7: drift 0.02
# alone read touching pairs 462 and 455 of 480, with 7 spurious digits over the eleven conditions;
# 0.01 alone 460 and 458, with 7 (one more on the notebook page and on the non-digit marks); 0.01
# and 0.02 a step 462 and 457, with 6. On seeds 3, 11 and 23, which chose nothing (touching, marks,
# sloped lines, a turned page): 6,538, 6,540 and 6,543 digits right, with 4, 2 and 3 spurious.
CUT_INK_COST = 0.05
CUT_DRIFT_COST = 0.01
CUT_STEP_COST = 0.02


@dataclass(frozen=True, eq=False)
class Piece:
    x0: int  # the piece's ink box inside the blob's mask
    x1: int
    y0: int
    y1: int
    mask: np.ndarray  # (y1 - y0, x1 - x0) 0/255: the blob's ink between the piece's two cut paths


@dataclass(frozen=True)
class Candidates:
    """The cut points of one blob and the pieces between them worth reading."""

    points: list[int]  # 0, the cuts, the width: where each cut's path is centred
    pieces: dict[tuple[int, int], Piece]  # (i, j) into points -> the piece from points[i] to points[j]
    paths: np.ndarray  # (len(points), h): the column each point's cut takes on each row
    strokes: np.ndarray  # (len(points),): how many strokes each point's cut enters (0 at the ends)


def column_profile(mask: np.ndarray) -> np.ndarray:
    """Ink per column, lightly smoothed: (h, w) 0/255 -> (w,) float32."""
    profile = np.count_nonzero(mask, axis=0).astype(np.float32)
    return np.convolve(profile, np.ones(3, np.float32) / 3, mode="same")


def _middles(columns: np.ndarray) -> list[int]:
    """A flat valley gives a run of neighbouring columns: the middle of each run."""
    if columns.size == 0:
        return []
    runs = np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1)
    return [int(run[len(run) // 2]) for run in runs]


def contour_valleys(mask: np.ndarray) -> list[int]:
    """Columns where the outline dips between two digits: from above (the top of two 0s side by
    side meets lower down) or from below. Where round digits touch, their sides stack up and the
    column profile peaks, so its minima miss the joint; the outline's valleys find it."""
    h, w = mask.shape
    ink = mask > 0
    has = ink.any(axis=0)
    top = np.where(has, np.argmax(ink, axis=0), h).astype(np.float32)  # first ink row: larger is deeper
    bottom = np.where(has, h - 1 - np.argmax(ink[::-1], axis=0), -1).astype(np.float32)
    reach = max(2, int(0.4 * h))
    edge = max(1, int(MIN_PIECE_WIDTH * h))
    found = []
    for depth in (top, h - 1 - bottom):  # both as depth into the blob from its side
        padded = np.concatenate([np.full(reach, depth[0]), depth, np.full(reach, depth[-1])])  # np.pad's "edge"
        windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * reach + 1)  # (w, 2 reach + 1)
        # The rim: the lower of the highest outline points on either side; a valley is below both.
        rim = np.maximum(windows[:, :reach].min(axis=1), windows[:, reach + 1:].min(axis=1))
        deep = (depth - rim >= MIN_VALLEY_DEPTH * h) & (depth >= windows.max(axis=1))
        deep[:edge] = deep[w - edge:] = False
        found += _middles(np.flatnonzero(deep))
    return found


def cut_points(mask: np.ndarray) -> list[int]:
    """Columns where a cut could separate two digits: the low points of the ink profile
    (the lowest MAX_CUTS) and the valleys of the blob's outline."""
    h, w = mask.shape
    profile = column_profile(mask)
    edge = max(1, int(MIN_PIECE_WIDTH * h))
    if w <= 2 * edge:
        return []
    inner = profile[edge:w - edge]
    left = np.concatenate([[np.inf], inner[:-1]])
    right = np.concatenate([inner[1:], [np.inf]])
    low = (inner <= left) & (inner <= right) & (inner <= MAX_CUT_INK * profile.max())
    lows = sorted(_middles(np.flatnonzero(low) + edge), key=lambda c: profile[c])[:MAX_CUTS]
    cuts = sorted(set(lows) | set(contour_valleys(mask)))
    # Two cuts a pixel or two apart make a sliver, not a piece: keep the first.
    return [c for k, c in enumerate(cuts) if k == 0 or c - cuts[k - 1] > 2]


def cut_paths(mask: np.ndarray, columns: list[int]) -> np.ndarray:
    """Per cut column, the path down the blob that cuts the fewest strokes: (len(columns), h) int,
    the column each path takes on each row.

    Each stroke the path enters costs 1 and each ink pixel it runs through CUT_INK_COST, so a
    path runs down the joint where two round digits touch (one stroke, entered once) rather than
    through a 0's hole (two). Dynamic programming over the rows, all cuts at once; a path moves
    at most one column from row to row (CUT_STEP_COST a step) and stays within CUT_REACH of its
    column.
    """
    h, w = mask.shape
    reach = max(1, int(round(CUT_REACH * h)))
    offsets = np.arange(-reach, reach + 1)
    cols = np.asarray(columns)[:, None] + offsets[None, :]  # (k, n): the window of each cut
    outside = (cols < 0) | (cols >= w)
    ink = (mask[:, np.clip(cols, 0, w - 1)] > 0).astype(np.float32)  # (h, k, n)
    here = CUT_INK_COST * ink + CUT_DRIFT_COST * np.abs(offsets) + np.where(outside, np.inf, 0.0)
    # Padded by a column each side that no path can come from; `ways` views the three ways into
    # each column (from the left, from above, from the right) of that same buffer, so that a row
    # is four array operations. paper[y]: 1 where row y is paper (entering ink from it costs 1).
    k, n = cols.shape
    cost = np.full((k, n + 2), np.inf)
    inner = cost[:, 1:-1]
    inner[:] = here[0] + ink[0]
    ways = np.lib.stride_tricks.as_strided(cost, (3, k, n), (cost.strides[1], *cost.strides), writeable=False)
    paper = np.zeros((h, k, n + 2), np.float32)
    paper[:, :, 1:-1] = 1.0 - ink
    # The cost of entering each row's columns from the left, from above, from the right: all rows at once.
    enter = np.stack([ink[1:] * paper[:-1, :, s:s + n] for s in (0, 1, 2)], axis=1).astype(np.float64)
    enter[:, 0] += CUT_STEP_COST
    enter[:, 2] += CUT_STEP_COST
    # Each row's costs by the three ways in, kept for every row: where each path came from is
    # read off them all at once after the loop, which then costs two array operations a row.
    reach_here = np.empty((h, 3, k, n))
    reach_here[0] = 0.0  # no way into the first row: its moves are computed, never followed
    for y in range(1, h):
        np.add(ways, enter[y - 1], out=reach_here[y])
        np.add(reach_here[y].min(axis=0), here[y], out=inner)
    # On a tie, from the left, then from above: argmin's order, in comparisons (argmin over an axis
    # of three is slower). (Straight down first made letters' cuts cleaner and so likelier digits:
    # 9 spurious digits on the non-digit marks against 3.)
    left, above, right = reach_here[:, 0], reach_here[:, 1], reach_here[:, 2]
    moves = np.where(left <= np.minimum(above, right), -1, np.where(above <= right, 0, 1))  # (h, k, n)
    cost = cost[:, 1:-1]
    paths = np.empty((len(columns), h), np.int64)
    at = np.argmin(cost, axis=1)
    rows = np.arange(len(columns))
    for y in range(h - 1, -1, -1):
        paths[:, y] = at
        at = at + moves[y, rows, at]
    return cols[rows[:, None], paths]


def strokes_entered(mask: np.ndarray, paths: np.ndarray) -> np.ndarray:
    """How many strokes each path ((k, h) columns, within the mask) enters, top to bottom: (k,) int.
    Between two touching digits a cut enters the one stroke they share, or none; through one
    digit it enters two or more (both sides of a 0, the three bars of an 8)."""
    ink = mask[np.arange(mask.shape[0]), paths] > 0  # (k, h)
    return ink[:, 0] + np.count_nonzero(ink[:, 1:] & ~ink[:, :-1], axis=1)


def _piece(mask: np.ndarray, left: np.ndarray, right: np.ndarray) -> Piece | None:
    """The blob's ink between two cut paths ((h,) columns each), trimmed to its box."""
    a, b = max(0, int(left.min())), min(mask.shape[1], int(right.max()))  # the columns the paths span
    if b <= a:
        return None
    columns = np.arange(a, b)[np.newaxis, :]
    inside = (columns >= left[:, np.newaxis]) & (columns < right[:, np.newaxis])
    ink = np.where(inside, mask[:, a:b], 0).astype(np.uint8)
    x0, y0, width, height = cv2.boundingRect(ink)
    if width == 0:
        return None
    return Piece(x0 + a, x0 + width + a, y0, y0 + height, ink[y0:y0 + height, x0:x0 + width])


def aspect(width: int, height: int, digit_height: float) -> float:
    """A blob's width over its height, the height capped at its digit height (edge.frame_pass: its
    line's, or the frame's where taller): a long tail (a 7's, a 9's) makes a blob taller than its
    digits."""
    return width / max(min(height, digit_height), 1.0)


def candidates(mask: np.ndarray, blob_aspect: float) -> Candidates | None:
    """The pieces of a blob worth reading, or None for a blob too narrow to hold two digits.

    Args:
      blob_aspect: aspect() of the blob.
    """
    h, w = mask.shape
    if blob_aspect < MIN_ASPECT_TO_SPLIT:
        return None
    cuts = cut_points(mask)
    if not cuts:
        return None
    points = [0, *cuts, w]
    inner = cut_paths(mask, cuts)
    paths = np.vstack([np.zeros(h, np.int64), inner, np.full(h, w, np.int64)])
    pieces = {}
    for i in range(len(points) - 1):
        for j in range(i + 1, len(points)):
            width = points[j] - points[i]
            if (i, j) == (0, len(points) - 1) or width > MAX_PIECE_WIDTH * h:
                break
            if width < MIN_PIECE_WIDTH * h:
                continue
            piece = _piece(mask, paths[i], paths[j])
            if piece is not None:
                pieces[(i, j)] = piece
    if not pieces:
        return None
    return Candidates(points, pieces, paths, np.concatenate([[0], strokes_entered(mask, inner), [0]]))

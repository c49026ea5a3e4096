"""A ruled or squared page filling the frame, seen in perspective: its rules converge. The homography
that makes them run along the rows and down the columns again, from the lines' vanishing points."""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from edge import skew

# A stretch of a rule: straight ink this share of the frame's longer side or more (no digit's stroke is
# that long but in a close-up, and a close-up holds no grid of them), its dashes joined across gaps of
# GAP of it (a faint rule comes out of the threshold in dashes).
MIN_SEGMENT = 1 / 6
GAP = 1 / 80
REFINE_PX = 2  # a segment is fitted again to the mask's pixels this near it (_refined)
MAX_SEGMENTS = 120  # the longest this many at most (the ruled conditions' frames: 40 to 70, at the median)
# A line within this many degrees of the rows belongs to the rows' family, of the columns to theirs.
FAMILY_DEG = 30.0
MIN_LINES = 3  # a family's stretches to fit: fewer say nothing of where they meet ...
# ... and a family must hold this many lines at least, DISTINCT of the frame's longer side apart or more
# where they cross its middle (a rule's stretches are one line): a page's rules, not its margin line, its
# edges and the desk's beyond them (a notebook page on a desk, turned: the margin and the page's right
# edge, meeting far off, read the edge's strip of desk as three 1s).
MIN_FAN_LINES = 5
DISTINCT = 0.01
# A line's slope off the family's fit by more than this is another line (a digit's long stroke, a
# margin at its own slope): dy/dx along the rows, dx/dy down the columns.
MAX_RESIDUAL = 0.03
# Lines whose slopes differ by less than this across the frame run parallel: a page seen square-on, or
# turned (edge.skew's slopes take those). Top narrower by a tenth: 0.13 across a 4:3 frame.
MIN_SPREAD = 0.04
COARSE_SPREAD = 0.5  # ... and this share of it to a coarse look (segments(coarse=True)) before a close one
# Rectified, the frame may span this many times its own width or height (a side seen farther off is
# drawn larger, as near as the nearest side: its thin rules keep their pixels); a steeper view is no page
# filling the frame, or lines taken for a family that is not one.
MAX_GROWTH = 1.6


class Fan(NamedTuple):
    """A family of lines, each given by where it crosses the frame's middle (`at`: x for the columns, y
    for the rows) and its slope there (dx/dy, dy/dx): slope = base + rate * (at - middle). Lines so related
    meet in one point (their vanishing point); rate 0: they run parallel."""

    base: float
    rate: float
    lines: int  # how many lines (DISTINCT apart) fit it

    def slope(self, at: float, middle: float) -> float:
        return self.base + self.rate * (at - middle)


class Rectifying(NamedTuple):
    """The homography that makes a frame's rules run straight, and the fans it was made from."""

    homography: np.ndarray  # (3, 3): the frame's pixels -> the rectified frame's
    size: tuple[int, int]  # (width, height) of the rectified frame: all of the frame's pixels land in it
    rows: Fan | None
    columns: Fan | None


def segments(mask: np.ndarray, coarse: bool = False) -> np.ndarray:
    """(N, 4) float32 x1, y1, x2, y2 of the straight stretches of a 0/255 mask's ink, MIN_SEGMENT of its
    longer side or longer (dashes joined across GAP of it), found on the mask at half size in half-degree
    steps and fitted again to its pixels (_refined). `coarse`: only its ink a pixel thin there (rules, and
    their dashes), not fitted again: under half the cost, to tell whether to look closer."""
    if min(mask.shape) < 4:
        return np.zeros((0, 4), np.float32)
    small = skew.halved(mask)
    if coarse:
        small = cv2.subtract(small, cv2.morphologyEx(small, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)))
    side = max(small.shape)
    length = max(8, int(MIN_SEGMENT * side))
    found = cv2.HoughLinesP(small, 1, np.radians(0.5), length // 2, minLineLength=length,
                            maxLineGap=max(2, int(GAP * side)))
    if found is None:
        return np.zeros((0, 4), np.float32)
    halves = 2.0 * found.reshape(-1, 4).astype(np.float32) + 0.5  # pixel centres at full size
    # Only those of a family (near the rows or the columns), the longest first: on a noisy mask, hatching or
    # a solid block, Hough finds hundreds, and each is fitted again in turn.
    run, rise = np.abs(halves[:, 2] - halves[:, 0]), np.abs(halves[:, 3] - halves[:, 1])
    near = np.tan(np.radians(FAMILY_DEG))
    halves = halves[(rise <= near * run) | (run <= near * rise)]
    longest = np.argsort(-np.hypot(halves[:, 2] - halves[:, 0], halves[:, 3] - halves[:, 1]))
    halves = halves[longest[:MAX_SEGMENTS]]
    return halves if coarse else np.array([_refined(mask, seg) for seg in halves], np.float32).reshape(-1, 4)


def _refined(mask: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """A segment found at half size, fitted again to the mask's own pixels within REFINE_PX of it: Hough's
    half-degree steps at half size leave a rule's far end up to 2 px off, a fan's rectified rules as much."""
    h, w = mask.shape
    pad = REFINE_PX + 1
    x0, y0 = max(0, int(min(seg[0], seg[2])) - pad), max(0, int(min(seg[1], seg[3])) - pad)
    x1, y1 = min(w, int(max(seg[0], seg[2])) + pad + 1), min(h, int(max(seg[1], seg[3])) + pad + 1)
    crop = mask[y0:y1, x0:x1]
    band = np.zeros_like(crop)
    ends = np.rint(seg.reshape(2, 2) - (x0, y0)).astype(np.int32)
    cv2.line(band, tuple(map(int, ends[0])), tuple(map(int, ends[1])), 255, 2 * REFINE_PX + 1)
    ys, xs = np.nonzero(cv2.bitwise_and(crop, band))
    if xs.size < 8:
        return seg
    points = np.column_stack([xs + x0, ys + y0]).astype(np.float32)
    dx, dy, cx, cy = cv2.fitLine(points, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
    # The fitted line, between where the segment's ends fall on it.
    start, end = seg[:2] - (cx, cy), seg[2:] - (cx, cy)
    t0, t1 = start @ (dx, dy), end @ (dx, dy)
    return np.float32([cx + t0 * dx, cy + t0 * dy, cx + t1 * dx, cy + t1 * dy])


def fan(segs: np.ndarray, axis: int, middle: tuple[float, float]) -> Fan | None:
    """The family of lines along the rows (axis 0) or down the columns (1) among (N, 4) segments, fitted
    as a Fan through the frame's `middle` (x, y); None with fewer than MIN_FAN_LINES lines fitting it."""
    x1, y1, x2, y2 = segs.T if len(segs) else np.zeros((4, 0), np.float32)
    if axis == 1:  # columns: x along y, as rows are y along x
        x1, y1, x2, y2 = y1, x1, y2, x2
    across, along = middle[::-1] if axis == 1 else middle
    run = x2 - x1
    near = (np.abs(y2 - y1) <= np.tan(np.radians(FAMILY_DEG)) * np.abs(run)) & (run != 0)
    if np.count_nonzero(near) < MIN_LINES:
        return None
    run, rise = run[near], (y2 - y1)[near]
    slope = rise / run
    at = y1[near] + slope * (across - x1[near])  # where each line crosses the middle
    weight = np.hypot(run, rise)
    keep = np.ones(len(slope), bool)
    for _ in range(3):  # fit, drop what lies off it, fit again
        if np.count_nonzero(keep) < MIN_LINES:
            return None
        design = np.stack([np.ones(np.count_nonzero(keep)), at[keep] - along], axis=1)
        w = np.sqrt(weight[keep])
        (base, rate), *_ = np.linalg.lstsq(design * w[:, None], slope[keep] * w, rcond=None)
        off = np.abs(slope - (base + rate * (at - along))) > MAX_RESIDUAL
        if np.array_equal(~off, keep):
            break
        keep = ~off
    crossings = np.sort(at[keep])
    side = 2 * max(middle) + 1  # the frame's longer side
    lines = 1 + int(np.count_nonzero(np.diff(crossings) >= DISTINCT * side)) if crossings.size else 0
    if lines < MIN_FAN_LINES:
        return None
    return Fan(float(base), float(rate), lines)


def _crossing(column: tuple[float, float], row: tuple[float, float], middle: tuple[float, float]
              ) -> tuple[float, float]:
    """Where a column line (x at the middle row, dx/dy) crosses a row line (y at the middle column,
    dy/dx)."""
    (a, b), (c, d), (xc, yc) = column, row, middle
    x = (a + b * (c - yc) - b * d * xc) / (1.0 - b * d)
    return x, c + d * (x - xc)


def _least_scale(homography: np.ndarray, point: np.ndarray) -> float:
    """How much a homography shrinks the least at a point: the smaller singular value of its Jacobian."""
    x, y = float(point[0]), float(point[1])
    (a, b, c), (d, e, f), (g, k, m) = homography
    depth = g * x + k * y + m
    u, v = (a * x + b * y + c) / depth, (d * x + e * y + f) / depth
    jacobian = np.array([[a - u * g, b - u * k], [d - v * g, e - v * k]]) / depth
    return float(np.linalg.svd(jacobian, compute_uv=False)[-1])


def _spread(rows: Fan | None, columns: Fan | None, shape: tuple[int, int]) -> float:
    """How far the slopes of a family differ across the frame: the most of either family's."""
    h, w = shape
    return max(abs(rows.rate) * h if rows else 0.0, abs(columns.rate) * w if columns else 0.0)


def rectifying(mask: np.ndarray) -> Rectifying | None:
    """The homography that makes a ruled page's converging rules (a page filling the frame seen in
    perspective) run along the rows and down the columns, from a 0/255 mask of its ink with its rules;
    None where they run parallel (MIN_SPREAD), or too few are found to tell.

    Two lines of each family, a quarter of the frame either side of its middle, are taken to the
    rectangle they cross at in the middle (the middle keeps its scale); the rectified frame is as large as
    the whole frame mapped so. A family not found (fewer than MIN_FAN_LINES lines) runs square to the other
    through the middle.
    """
    h, w = mask.shape
    middle = ((w - 1) / 2.0, (h - 1) / 2.0)
    # A coarse look tells whether the rules may fan out at all (most ruled pages: no, and that look is all
    # they pay); only then are they looked for closely, to tell how.
    coarse = segments(mask, coarse=True)
    if _spread(fan(coarse, 0, middle), fan(coarse, 1, middle), (h, w)) < COARSE_SPREAD * MIN_SPREAD:
        return None
    segs = segments(mask)
    rows, columns = fan(segs, 0, middle), fan(segs, 1, middle)
    if _spread(rows, columns, (h, w)) < MIN_SPREAD:
        return None
    xs, ys = (middle[0] - w / 4, middle[0] + w / 4), (middle[1] - h / 4, middle[1] + h / 4)
    source, target = [], []
    for y in ys:
        for x in (xs if y == ys[0] else xs[::-1]):
            # Square to the other family through the middle where a family is not fitted.
            column_slope = columns.slope(x, middle[0]) if columns else -rows.slope(middle[1], middle[1])
            row_slope = rows.slope(y, middle[1]) if rows else -columns.slope(middle[0], middle[0])
            source.append(_crossing((x, column_slope), (y, row_slope), middle))
            target.append((x, y))
    homography = cv2.getPerspectiveTransform(np.float32(source), np.float32(target))
    corners = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
    mapped = cv2.perspectiveTransform(corners[None], homography)[0]
    depth = (homography[2, :2] @ corners.T + homography[2, 2])
    if (depth <= 0).any() or not cv2.isContourConvex(mapped):  # a vanishing point within the frame
        return None
    # Enlarged until no part of the frame is drawn smaller than it is: a faint rule a pixel wide keeps its
    # darkness (shrunk, it came out of the threshold in specks, and stayed).
    least = min(_least_scale(homography, corner) for corner in corners)
    if least < 1.0:
        homography = np.diag([1.0 / least, 1.0 / least, 1.0]) @ homography
        mapped = mapped / least
    low, high = np.floor(mapped.min(axis=0)), np.ceil(mapped.max(axis=0))
    width, height = int(high[0] - low[0]) + 1, int(high[1] - low[1]) + 1
    if width > MAX_GROWTH * w or height > MAX_GROWTH * h:
        return None
    shift = np.array([[1.0, 0.0, -low[0]], [0.0, 1.0, -low[1]], [0.0, 0.0, 1.0]])
    return Rectifying(shift @ homography, (width, height), rows, columns)

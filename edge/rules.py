"""Printed rules, squared grids and margin lines: found and taken out of the ink before digits are."""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from edge import skew

# A rule runs across the page: horizontal ink runs at least this fraction of the frame's longer side,
# vertical ones (grid, margin) this fraction of it. No pen stroke of a digit is that long, bar a "1"
# that fills a close-up; so vertical lines count only on ruled paper (they come with horizontal rules),
# in a grid, or alone from edge to edge. (Of the longer side, not of the side they run along: a number
# cropped tight, a line wider than tall or a column taller than wide, had its 1s and its 7s' and 9s'
# stems taken for margin lines, or its 3s', 4s' and 5s' bars for rules. Both sets cut into crops of a
# few digits (benchmarks.crops): photos 1,097 -> 1,143 of 1,146 digits, spurious 38 -> 6; desk 6,503 ->
# 6,739 of 6,783, spurious 105 -> 10. Both sets as photographed and perturbed 15 ways, and the
# conditions over 30 frames of seeds 101, 7 and 3, read as they did.)
MIN_RULE_WIDTH = 1 / 4
MIN_RULE_HEIGHT = 1 / 2
# ... but never more than this share of the side it runs along: a strip of a ruled page narrower than a
# quarter of its height (or a strip wider than twice its height) has its rules running across it whole.
ACROSS = 0.9
MIN_RULES = 2  # ruled paper has several ...
# ... and one line alone is taken out where it runs from edge to edge, ending this share of the width
# or less from each side (of the height from the top and bottom, for one down the sheet): a crease or a
# fold, a line struck across the whole sheet, drawn through the digits it crosses. (A digit's stroke so
# long is cut by the frame's edge. Taken out where it ran 0.8 of the width, a close-up's thin 7 lost its
# bar and read as 1, a review found.)
LONE_RULE_EDGE = 0.03
# Rules are thin: ink thicker than this across its run is a stroke, not a rule; or than two pixels more
# than the rules found measure (_thickness), up to twice this: a page larger than the frame, read at its own
# size, had its rules 7 to 9 px thick, and they stayed as ink (askew, 30 frames of seed 7: 709 -> 723 of
# 774 with this alone). Thicker still is a dark block, not a rule.
MAX_RULE_THICKNESS_PX = 6
# A rule's edge rows that are not found with it (broken, or short where it bends) are taken with it
# up to this far from it, where the ink there is thin.
EDGE_PX = 1
MAX_SLOPES = 2  # rules are looked for at this many slopes besides straight
# A faint line a pixel wide within a few degrees of upright (a crease, a pale printed line) comes out of the
# threshold in dashes: where it steps from one pixel column to the next it lies across two, each too pale.
# No dash is a rule's length, and each reads as a 1. Where no line is found along the columns and ink
# reaches the top and the bottom, one is looked for in the thin ink (no wider than 2 px at half size) by
# its pixels along one straight line within DASHED_MAX_DEG of upright, in steps of DASHED_STEP_DEG: at
# least DASHED_COVER of a rule's length. What the mask holds along that line, thin as a rule, in a band
# cv2.line draws 2 * DASHED_REACH_PX + 1 px thick (about 3 px each side), is the line. (8 pages with a
# crease 0, 0.4, 0.7, 1, 1.5, 2.5 and 5 degrees from upright, a script of mine: 1,342 of 1,344 digits,
# none spurious, against 1,320 with 23 spurious; up to 3 degrees only, 4 and 5 degrees kept 3 and 5
# spurious. The creased condition, 30 frames of seed 101: 9 -> 2 spurious.)
DASHED_MAX_DEG = 8.0
DASHED_STEP_DEG = 0.25
DASHED_COVER = 0.3
DASHED_REACH_PX = 2


def _bands(counts: np.ndarray, threshold: float, pad: int) -> list[tuple[int, int]]:
    """Runs of indices whose count reaches the threshold, each widened by `pad`; runs that then
    overlap are merged. (Searched one by one, overlapping bands wrote over each other's rules: a
    line of digits dense enough to make a band of its own, just above a rule, left the rule's lower
    rows in the ink.)"""
    hits = np.flatnonzero(counts >= threshold)
    if hits.size == 0:
        return []
    starts = np.concatenate([[hits[0]], hits[1:][np.diff(hits) > 1]])
    stops = np.concatenate([hits[:-1][np.diff(hits) > 1], [hits[-1]]]) + 1
    size = len(counts)
    bands: list[tuple[int, int]] = []
    for a, b in zip(starts, stops):
        a, b = max(0, int(a) - pad), min(size, int(b) + pad)
        if bands and a <= bands[-1][1]:  # padded bands that overlap are one: each is searched once
            bands[-1] = (bands[-1][0], b)
        else:
            bands.append((a, b))
    return bands


def _lines_in_bands(mask: np.ndarray, bands: list[tuple[int, int]], length: int, axis: int,
                    search: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """Long thin runs along `axis` (0: horizontal rows, 1: vertical columns), looked for in bands
    only, and how many there are.

    Args:
      search: where long runs are looked for, when not in the mask itself (a mask a pixel thicker);
        what is found is the mask's ink under them, judged thin or thick as the mask's own.
    """
    lines = np.zeros_like(mask)
    count = 0
    run = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if axis == 0 else (1, length))
    for a, b in bands:
        band = mask[a:b] if axis == 0 else mask[:, a:b]
        if search is None:
            found = cv2.morphologyEx(band, cv2.MORPH_OPEN, run)
        else:
            found = cv2.bitwise_and(cv2.morphologyEx(search[a:b] if axis == 0 else search[:, a:b],
                                                     cv2.MORPH_OPEN, run), band)
        if cv2.countNonZero(found):
            # Long runs first (digits sitting along a rule break its thin part into short
            # pieces, which still belong to it); then the thick parts go: a bar of shadow,
            # the desk's edge, and the digits' own strokes across the rule.
            found, n = _long_only(found, length, axis)
            count += n
            thickness = _thickness(found, axis) + 2
            size = (thickness if MAX_RULE_THICKNESS_PX < thickness <= 2 * MAX_RULE_THICKNESS_PX
                    else MAX_RULE_THICKNESS_PX) + 1
            across = np.ones((size, 1) if axis == 0 else (1, size), np.uint8)
            found = cv2.subtract(found, cv2.morphologyEx(found, cv2.MORPH_OPEN, across))
            found = _with_edges(found, band, across, length)
        if axis == 0:
            lines[a:b] = found
        else:
            lines[:, a:b] = found
    return lines, count


def _thickness(found: np.ndarray, axis: int) -> int:
    """How thick the rules found in a band are: their pixels over the runs of them across the band
    (a band may hold several rules; a column's count would add them up)."""
    runs = found if axis == 0 else found.T
    starts = cv2.countNonZero(cv2.subtract(runs[1:], runs[:-1])) + cv2.countNonZero(runs[:1])
    return int(round(cv2.countNonZero(found) / starts)) if starts else 0


def _with_edges(core: np.ndarray, band: np.ndarray, across: np.ndarray, length: int) -> np.ndarray:
    """The rules' cores with the slivers along their edges: the band's thin ink (thinner across
    than `across`) within EDGE_PX of a core, in runs along it at least half a rule's `length`
    once gaps of up to a fifth of it (a digit or so) are closed. A rule whose edge sits at the ink
    threshold, or that bends or tilts over a page rectified from a photo, has edge rows broken or
    too short to be found as rules; left in the ink, they join the digits sitting on the rule,
    a whole line of them into one blob. (A digit's stroke along a rule is mostly thicker than a
    sliver together with the rule, or short, and stays; a thin one within such a run loses its
    pixel row next to the rule.)"""
    horizontal = across.shape[0] > 1
    thin = cv2.subtract(band, cv2.morphologyEx(band, cv2.MORPH_OPEN, across))
    size = 2 * EDGE_PX + 1
    near = cv2.bitwise_and(thin, cv2.dilate(core, np.ones((size, 1) if horizontal else (1, size), np.uint8)))
    gap, half = length // 5 + 1, length // 2
    closed = cv2.morphologyEx(near, cv2.MORPH_CLOSE, np.ones((1, gap) if horizontal else (gap, 1), np.uint8))
    long = cv2.morphologyEx(closed, cv2.MORPH_OPEN, np.ones((1, half) if horizontal else (half, 1), np.uint8))
    return cv2.bitwise_or(core, cv2.bitwise_and(near, long))


def _long_only(lines: np.ndarray, length: int, axis: int) -> tuple[np.ndarray, int]:
    """The components of `lines` that run at least `length` along the axis, and their count."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    extent = stats[1:, cv2.CC_STAT_WIDTH if axis == 0 else cv2.CC_STAT_HEIGHT]
    keep = np.flatnonzero(extent >= length) + 1
    if len(keep) == count - 1:
        return lines, len(keep)
    return np.where(np.isin(labels, keep), lines, 0).astype(np.uint8), len(keep)


def _straight(mask: np.ndarray, length: int, axis: int, search: np.ndarray | None = None
              ) -> tuple[np.ndarray, int]:
    """Rules along the rows (axis 0) or columns (1) at least `length` px long, and how many
    (`search`: _lines_in_bands).

    Only rows (columns) that hold a rule's length of ink are searched, with a few
    rows of context: the long openings then cost a few bands, not the frame.
    """
    counts = cv2.reduce(mask if search is None else search, 1 - axis, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()
    return _lines_in_bands(mask, _bands(counts, 255 * length, 2 * MAX_RULE_THICKNESS_PX), length, axis, search)


def _sloped(mask: np.ndarray, length: int) -> tuple[np.ndarray, int, float] | None:
    """Rules along the rows that run at a slope (a page photographed a little turned), found where
    the mask is sheared to make them run along its rows, how many, and that slope (dy/dx); None where no
    long lines slope. A line drawn at a slope and sheared back by whole pixels steps a row up or down
    where the two roundings differ, so long runs are looked for a pixel thicker each way, and what is
    found is the mask's own ink under them, judged thin or thick as a straight rule's."""
    slope = skew.slope(mask, length, MAX_RULE_THICKNESS_PX)
    if slope is None:
        return None
    shear = skew.Shear.for_slope(slope, mask.shape)
    sheared = shear.apply(mask)
    found, count = _straight(sheared, length, 0, search=cv2.dilate(sheared, np.ones((3, 1), np.uint8)))
    return shear.undo(found), count, slope


def _rules_along(mask: np.ndarray, length: int, axis: int, parts: tuple[int, int]
                 ) -> tuple[np.ndarray, int, float | None]:
    """Rules along the rows (axis 0) or columns (1), how many, and the slope of the ink's long lines where
    it was measured (the first; dy/dx, or dx/dy down the columns; None where not): those that run
    straight, then, while some of the ink left is a rule's length, those at the slope of its long lines,
    up to MAX_SLOPES slopes. (A page photographed turned has its rules at one slope; rectified from a
    photo that cut it, its rules may fan out over a degree or two, and a slope takes those within a pixel
    of it.)

    Args:
      parts: skew.longest_parts of the mask.
    """
    lines, count = _straight(mask, length, axis)
    left = cv2.subtract(mask, lines) if count else mask
    measured = None
    for _ in range(MAX_SLOPES):
        if (parts if left is mask else skew.longest_parts(left))[axis] < length:
            break
        # Columns are searched as the rows of the transposed mask (transposed only here: a copy costs
        # 0.15 ms on a 640x480 frame, Intel(R) Xeon(R) Processor, one thread).
        sloped = _sloped(left, length) if axis == 0 else _sloped(np.ascontiguousarray(left.T), length)
        if sloped is None:
            break
        measured = sloped[2] if measured is None else measured
        if not sloped[1]:
            break
        found = sloped[0] if axis == 0 else np.ascontiguousarray(sloped[0].T)
        lines, count = cv2.bitwise_or(lines, found), count + sloped[1]
        left = cv2.subtract(left, found)
    return lines, count, measured


def _dashed_column(mask: np.ndarray, length: int, small: np.ndarray | None) -> np.ndarray | None:
    """The thin 0/255 ink along one line of dashes within DASHED_MAX_DEG of upright, covering DASHED_COVER
    of `length` or more (searched on `small`, the mask skew.halved()); None where there is none."""
    h = mask.shape[0]
    edge = int(LONE_RULE_EDGE * h) + 1
    # Taken out only where it reaches the top and the bottom (_edge_to_edge): without ink at both, not looked
    # for (most frames: no cost).
    if min(mask.shape) < 2 or not cv2.countNonZero(mask[:edge]) or not cv2.countNonZero(mask[h - edge:]):
        return None
    thin = cv2.subtract(small, cv2.morphologyEx(small, cv2.MORPH_OPEN, np.ones((1, 3), np.uint8)))
    votes = max(8, int(DASHED_COVER * length / 2))
    if cv2.countNonZero(thin) < votes:
        return None
    best = None
    step = np.radians(DASHED_STEP_DEG)
    for low, high in ((0.0, DASHED_MAX_DEG), (180.0 - DASHED_MAX_DEG, 180.0)):  # leaning right, left
        found = cv2.HoughLinesWithAccumulator(thin, 1, step, votes, min_theta=np.radians(low),
                                              max_theta=np.radians(high))
        if found is not None and len(found):
            strongest = found.reshape(-1, 3)[0]  # (rho, theta, votes), most votes first
            if best is None or strongest[2] > best[2]:
                best = strongest
    if best is None:
        return None
    rho, theta = float(best[0]), float(best[1])
    c, s = np.cos(theta), np.sin(theta)
    rho = 2 * rho + 0.5 * (c + s)  # x cos + y sin = rho at half size, at full size (a pixel's centre)
    band = np.zeros_like(mask)
    cv2.line(band, (int(round(rho / c)), 0), (int(round((rho - (h - 1) * s) / c)), h - 1), 255,
             2 * DASHED_REACH_PX + 1)
    # Thin as a rule across, measured before the band cuts it (cut, a bold stroke reaching into the band
    # would be as thin as the band is).
    across = np.ones((1, MAX_RULE_THICKNESS_PX + 1), np.uint8)
    return cv2.bitwise_and(cv2.subtract(mask, cv2.morphologyEx(mask, cv2.MORPH_OPEN, across)), band)


def min_lengths(shape: tuple[int, ...]) -> tuple[int, int]:
    """The least length of a rule along the rows and down the columns of an (H, W) mask: MIN_RULE_WIDTH
    and MIN_RULE_HEIGHT of its longer side, at most ACROSS of the side it runs along, 8 px or more."""
    h, w = shape[:2]
    side = max(h, w)
    return (max(8, min(int(side * MIN_RULE_WIDTH), int(ACROSS * w))),
            max(8, min(int(side * MIN_RULE_HEIGHT), int(ACROSS * h))))


class Rules(NamedTuple):
    """The long thin straight lines of an ink mask (find_rules)."""

    horizontal: np.ndarray  # (H, W) 0/255
    vertical: np.ndarray
    rows: int  # how many of each
    columns: int
    # The slopes of the mask's long lines along its rows (dy/dx) and down its columns (dx/dy) where they
    # were measured (not straight: a page photographed turned), else None.
    slopes: tuple[float | None, float | None]


def find_rules(mask: np.ndarray) -> Rules:
    """(H, W) 0/255 ink -> the long thin straight lines in it (_rules_along; where no column is found, one
    in dashes: _dashed_column)."""
    h, w = mask.shape
    min_w, min_h = min_lengths(mask.shape)
    small = skew.halved(mask) if min(mask.shape) >= 2 else None
    parts = skew.longest_parts(mask, small)  # one labelling tells both directions whether to look further
    horizontal, rows_found, row_slope = _rules_along(mask, min_w, 0, parts)
    vertical, columns_found, column_slope = _rules_along(mask, min_h, 1, parts)
    if columns_found >= MIN_RULES and rows_found >= MIN_RULES:
        # A grid's columns, once found with its rows, down to a quarter of the height: where the frame
        # cuts the page, those near its edge show shorter (a page's height counts what lies beyond the
        # frame). (An upright "1" as tall, in a pen no thicker than the rules, goes with them.)
        left = cv2.subtract(mask, vertical)
        shorter, more, _ = _rules_along(left, max(8, int(h * MIN_RULE_WIDTH)), 1, skew.longest_parts(left))
        vertical, columns_found = cv2.bitwise_or(vertical, shorter), columns_found + more
    if not columns_found:
        dashed = _dashed_column(mask, min_h, small)
        # Only one from the top to the bottom: kept with two rules or more, remove_rules asks no more of it.
        if dashed is not None and _edge_to_edge(dashed, 1):
            vertical, columns_found = dashed, 1
    return Rules(horizontal, vertical, rows_found, columns_found, (row_slope, column_slope))


def _edge_to_edge(lines: np.ndarray, axis: int) -> bool:
    """Whether the 0/255 lines found along the rows (axis 0) reach within LONE_RULE_EDGE of the width of
    both sides, or those along the columns (1) within that share of the height of the top and bottom."""
    x, y, width, height = cv2.boundingRect(lines)
    start, extent, size = (x, width, lines.shape[1]) if axis == 0 else (y, height, lines.shape[0])
    edge = LONE_RULE_EDGE * size
    return extent > 0 and start <= edge and start + extent >= size - edge


class Removed(NamedTuple):
    """An ink mask with its rules taken out (remove_rules)."""

    cleaned: np.ndarray  # (H, W) 0/255 ink without rules (the mask itself where none was taken)
    removed: np.ndarray  # (H, W) 0/255 rules taken out
    slopes: tuple[float | None, float | None]  # Rules.slopes


def remove_rules(mask: np.ndarray) -> Removed:
    """Takes rules out of an ink mask, keeping the strokes of digits that cross or sit on them.

    Where a digit's stroke crosses a horizontal rule there is ink just above
    and just below the rule; a closing across the rule's thickness bridges
    exactly those gaps (and likewise sideways for vertical rules).
    """
    horizontal, vertical, rows, columns, slopes = find_rules(mask)
    rows_kept = rows >= MIN_RULES or (rows == 1 and _edge_to_edge(horizontal, 0))
    columns_kept = rows >= MIN_RULES or columns >= MIN_RULES or (columns == 1 and _edge_to_edge(vertical, 1))
    if not rows_kept and not columns_kept:  # most frames: no rules, nothing more to make
        return Removed(mask, np.zeros_like(mask), slopes)
    horizontal = horizontal if rows_kept else np.zeros_like(mask)
    vertical = vertical if columns_kept else np.zeros_like(mask)
    if not cv2.countNonZero(horizontal) and not cv2.countNonZero(vertical):
        return Removed(mask, np.zeros_like(mask), slopes)
    rules = cv2.bitwise_or(horizontal, vertical)
    without = cv2.subtract(mask, rules)
    reach = 2 * MAX_RULE_THICKNESS_PX + 1
    across_h = cv2.morphologyEx(without, cv2.MORPH_CLOSE, np.ones((reach, 1), np.uint8))
    across_v = cv2.morphologyEx(without, cv2.MORPH_CLOSE, np.ones((1, reach), np.uint8))
    bridges = cv2.bitwise_or(cv2.bitwise_and(across_h, horizontal), cv2.bitwise_and(across_v, vertical))
    return Removed(cv2.bitwise_or(without, bridges), cv2.subtract(rules, bridges), slopes)

"""Boxes, combs and tables drawn around digits (printed forms, squares drawn by hand): found per blob in
its rectangle (edge.linework) by the lines near its four sides, and taken out of the ink before
printed rules are."""

from __future__ import annotations

import cv2
import numpy as np

from edge import rules
from edge.linework import MIN_BLOB_PX, in_rectangle

# A row (column) of a blob's rectangle that ink covers over this share of the rectangle's width (height)
# is a drawn line: a box or a comb has such a line near each of its four sides (within SIDE_BAND of the
# rectangle's size; a digit poking out of its box widens the rectangle a little). Some digits have one
# or two such lines (a 7's bar, a 2's foot), none all four. A comb's dividers are columns between its
# sides that ink covers nearly all along, DIVIDER_COVER (a 1 written tall in its box reaches 0.8 of
# it), and a table's are such rows and columns.
FULL_COVER = 0.8
SIDE_BAND = 0.15
DIVIDER_COVER = 0.9
# A box's lines are at most this share of its rows (columns): the rest is the space inside.
MAX_LINE_SHARE = 0.5
# Inside a box, between its lines, ink covers at most this share: the digit in it, written in a pen.
MAX_INSIDE_INK = 0.55
# A box's lines are looked for leaning across its rectangle's rows and columns by these (a box in
# perspective: _lines_across): up to about 14 degrees, in steps of a pixel per 50.
LEAN_SCALE = 50
LEAN_STEPS = np.array(sorted(range(-12, 13), key=abs), np.int32)
LEANS = LEAN_STEPS / LEAN_SCALE
LEAN_TOLERANCE = 0.05
COVER_SAMPLES = 24
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
# What divides a box one way only is a stroke of the digit in it (box_lines): a strip cut off under
# MAX_STRIP_SHARE of the rest; in a box no wider than tall (two 0s drawn square side by side are
# wider), columns narrower than MAX_SPLIT_COLUMN of its height, or rows where it is less than
# MIN_STACK_ASPECT times as tall as wide.
ONE_BOX_ASPECT = 1.0
MAX_SPLIT_COLUMN = 0.55
MIN_STACK_ASPECT = 1.7
MAX_STRIP_SHARE = 0.5
# What a box's lines leave within this share of its size (at least MIN_SLIVER_REACH_PX) of them, apart
# from the writing, is of the lines (_slivers).
SLIVER_REACH = 0.1
MIN_SLIVER_REACH_PX = 2


def _widened(full: np.ndarray) -> np.ndarray:
    """Each index widened by one on both sides: a drawn line's edge rows, only partly covered where
    it is not quite straight."""
    full = full.copy()
    full[1:] |= full[:-1].copy()
    full[:-1] |= full[1:].copy()
    return full


def _run(marked: np.ndarray, start: int) -> np.ndarray:
    """The indices of the run of True in `marked` ((n,) bool) that holds `start`."""
    first = last = start
    while first > 0 and marked[first - 1]:
        first -= 1
    while last < len(marked) - 1 and marked[last + 1]:
        last += 1
    return np.arange(first, last + 1)


def _cells(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The lines' runs ((n,) bool over positions) as their [start, end) positions, and the widths of
    the cells between them."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], lines.view(np.int8), [0]])))
    starts, ends = edges[::2], edges[1::2]
    return starts, ends, starts[1:] - ends[:-1]


def _regular(lines: np.ndarray) -> np.ndarray:
    """Lines across an axis ((n,) bool over its positions) without the dividers that split a cell in
    two: a comb's cells are about as wide as each other, and a digit touching both lines of its cell
    (a 1 written tall) is as long as a divider. A divider goes while the cell it would leave, merged
    with its neighbour, is nearer the cells' median width than either of the two is."""
    lines = lines.copy()
    while True:
        starts, ends, cells = _cells(lines)
        if len(starts) < 3:
            return lines
        middle = float(np.median(cells))
        merged = cells[:-1] + cells[1:] + (ends - starts)[1:-1]  # each divider gone
        gain = np.minimum(np.abs(cells[:-1] - middle), np.abs(cells[1:] - middle)) - np.abs(merged - middle)
        k = int(np.argmax(gain))
        if gain[k] <= 0:
            return lines
        lines[starts[k + 1]:ends[k + 1]] = False


def _lines_across(along: np.ndarray, across: np.ndarray, length: int, size: int, dividers: bool = True
                  ) -> tuple[np.ndarray, float, np.ndarray]:
    """The drawn lines across one axis of a blob's rectangle: the columns (rows) of its grid, `length`
    of them, over `size` rows (columns), each line leaning by one of LEANS (a box seen in perspective,
    rectified with the page or not, is a parallelogram or a trapezoid: its sides lean, and lean
    apart, across its rectangle's columns). `along`, `across`: each ink pixel's column and row (row
    and column), each pixel once.

    Returns:
      Which pixels lie on a line (widened): a side, the outermost line inked along FULL_COVER within
      SIDE_BAND of either end, or (with `dividers`) a regular divider between them inked along
      DIVIDER_COVER (a comb's, a table's: _regular); the share of the axis's positions that lines take
      (where they cross its middle), 0 where there is no side at either end; the widths of the
      cells between the lines (one where there are no dividers).
    """
    band = max(1, int(round(SIDE_BAND * length)))
    reach = int(np.ceil(np.abs(LEANS).max() * size / 2)) + 1  # how far a leaning line's ends move
    span = length + 2 * reach
    # along - lean * (across - (size - 1) / 2), rounded half up (pixels side by side in a row stay
    # side by side), in integers: lean = steps / LEAN_SCALE.
    twice_off_middle = 2 * np.arange(size, dtype=np.int32) - (size - 1)
    shift = (LEAN_SCALE - LEAN_STEPS[:, np.newaxis] * twice_off_middle) // (2 * LEAN_SCALE)
    shift += reach
    # Cover counted over every step-th row (column) only: a line's cover is as well known from
    # COVER_SAMPLES of them, and a comb's length is many.
    step = max(1, size // COVER_SAMPLES)
    sampled = across % step == 0
    samples = len(range(0, size, step))
    offsets = (np.arange(len(LEANS), dtype=np.int32) * span)[:, np.newaxis]  # each lean its own span

    def cover_of(leans: np.ndarray, pixels: np.ndarray) -> np.ndarray:
        """(len(LEANS), span) cover by the `pixels` at `leans` (0 at the others)."""
        flat = (shift[leans] + offsets[leans])[:, across[pixels]] + along[pixels]
        return np.bincount(flat.ravel(), minlength=len(LEANS) * span).reshape(len(LEANS), span) / samples

    position = np.arange(span) - reach  # where a leaning line crosses the axis's middle
    near_low, near_high = position <= band, position >= length - 1 - band
    # The sides: the line covered most along in each end's band, at any lean (of the ink there).
    every = np.arange(len(LEANS))
    ends = sampled & ((along <= band + reach) | (along >= length - 1 - band - reach))
    cover = cover_of(every, ends)
    best = cover.max(axis=0)
    sides = []
    for near, outward in ((near_low, -1), (near_high, 1)):
        # The outermost line (a digit's stroke inside the box, touching its lines, covers as much),
        # at the position its ink covers most along.
        found = near & (best >= FULL_COVER)
        if not found.any():
            return np.zeros(len(along), bool), 0.0, np.zeros(0, np.int64)
        outermost = int(np.argmax(found)) if outward < 0 else span - 1 - int(np.argmax(found[::-1]))
        run = _run(found, outermost)[::-outward]  # outermost first
        at = int(run[np.argmax(best[run])])
        k = int(np.argmax(cover[:, at]))
        # The line's own positions, at its lean (at other leans, a line through the side and a stroke
        # touching it, a 7's bar, covers as much).
        run = _run(cover[k] >= FULL_COVER, at)
        sides.append((position[at], LEANS[k], run))
    (p0, lean0, run0), (p1, lean1, run1) = sides
    expected = lean0 + (lean1 - lean0) * np.clip((position - p0) / max(1, p1 - p0), 0, 1)
    allowed = np.abs(LEANS[:, np.newaxis] - expected[np.newaxis, :]) <= LEAN_TOLERANCE
    cover = cover_of(np.flatnonzero(allowed.any(axis=1)), sampled)
    lean = np.argmax(np.where(allowed, cover, -1), axis=0)
    best = cover[lean, np.arange(span)]
    sides = np.zeros(span, bool)
    sides[run0] = sides[run1] = True
    lines = _regular(sides | (best >= DIVIDER_COVER)) if dividers else sides
    on = np.zeros(len(along), bool)
    for k in np.flatnonzero(np.bincount(lean[lines], minlength=len(LEANS))):
        on |= _widened(lines & (lean == k))[shift[k, across] + along]
    return on, np.count_nonzero(_widened(lines)[reach:reach + length]) / length, _cells(lines)[2]


def box_lines(grid: np.ndarray) -> np.ndarray | None:
    """A box's (or a comb's) lines: its ink ((h, w) bool over the grid) on a line drawn near each of
    the four sides of a blob's rectangle, or on a comb's dividers (columns between them that ink
    covers nearly all along, DIVIDER_COVER) and a table's (such rows) (_lines_across); None where
    the blob has no such four lines."""
    h, w = grid.shape
    if min(h, w) < MIN_BLOB_PX:
        return None
    ink_rows, ink_cols = np.nonzero(grid)
    on_cols, col_share, columns = _lines_across(ink_cols, ink_rows, w, h)
    if not col_share:
        return None
    on_rows, row_share, rows = _lines_across(ink_rows, ink_cols, h, w)
    if not row_share:
        return None
    # A box for one digit has no dividers, but a stroke of its digit touching two of its sides is as
    # long as one, and divides the box one way only: a 2's foot, a 7's bar drawn across it cut off a
    # strip under MAX_STRIP_SHARE of the rest; a 0's flat top divides a box no wider than tall and
    # less than MIN_STACK_ASPECT times as tall as wide (a column of boxes is taller); a 1 or a 4
    # written tall splits a box no wider than tall into columns no wider than MAX_SPLIT_COLUMN of its
    # height. (A small table's cells divide it both ways, a column of boxes into boxes.)
    one_box = w <= ONE_BOX_ASPECT * h
    if len(columns) == 1 and len(rows) > 1 and (rows.min() < MAX_STRIP_SHARE * rows.max()
                                                or one_box and h < MIN_STACK_ASPECT * w):
        on_rows, row_share, rows = _lines_across(ink_rows, ink_cols, h, w, dividers=False)
    elif len(rows) == 1 and len(columns) > 1 and one_box and columns.min() < MAX_SPLIT_COLUMN * h:
        on_cols, col_share, columns = _lines_across(ink_cols, ink_rows, w, h, dividers=False)
    if row_share > MAX_LINE_SHARE or col_share > MAX_LINE_SHARE:
        return None  # not hollow: a straight "1" fills its rectangle, a box is lines around space
    on = on_rows | on_cols
    inside = (1 - row_share) * h * (1 - col_share) * w
    if np.count_nonzero(~on) > MAX_INSIDE_INK * inside:
        return None  # a blot, or a digit drawn bold and boxy
    lines = np.zeros_like(grid)
    lines[ink_rows[on], ink_cols[on]] = True
    return lines




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
    changed = False
    for outline in contours:
        bx, by, bw, bh = cv2.boundingRect(outline)
        bx, by = bx + x0, by + y0
        if bh < max(MIN_BLOB_PX, min_height_px) or bw < MIN_BLOB_PX:
            continue
        if (bx <= margin_px or by <= margin_px or bx + bw >= frame_w - margin_px
                or by + bh >= frame_h - margin_px):
            continue  # cut by the edge (find_candidates drops it)
        if bw >= rules.MIN_RULE_WIDTH * frame_w and bh >= rules.MIN_RULE_HEIGHT * frame_h:
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



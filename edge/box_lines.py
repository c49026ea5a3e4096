"""A box's lines (a box's, a comb's or a table's drawn around digits) found in a blob's rectangle
(edge.linework): the rows and columns its ink covers nearly all along, near each of the four sides,
leaning as a box seen in perspective does. edge.boxes takes them out of the ink."""

from __future__ import annotations

import numpy as np

from edge.linework import MIN_BLOB_PX

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
# What divides a box one way only is a stroke of the digit in it (box_lines): a strip cut off under
# MAX_STRIP_SHARE of the rest; in a box no wider than tall (two 0s drawn square side by side are
# wider), columns narrower than MAX_SPLIT_COLUMN of its height, or rows where it is less than
# MIN_STACK_ASPECT times as tall as wide.
ONE_BOX_ASPECT = 1.0
MAX_SPLIT_COLUMN = 0.55
MIN_STACK_ASPECT = 1.7
MAX_STRIP_SHARE = 0.5


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

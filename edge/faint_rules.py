"""A ruled page's faint rules, taken out of the ink's darkness once the mask's rules are found.

A notebook's print is pale and thinner than a pen, and a phone photo's threshold breaks it into dashes,
most too short to be found as rules (edge.rules), each read as a 1. Where two rules or more are found
running along the rows or columns, straight or at a slope (rule_slopes), or the mask holds them in dashes
(dashed), the rules' own darkness is taken out of the ink's at their slope (unshaded), and the mask's
pixels that this leaves paler than its palest ink go (without_rules).
"""

from __future__ import annotations

import cv2
import numpy as np

from edge import skew
from edge.rules import MAX_RULE_THICKNESS_PX, MIN_RULES, find_rules, min_lengths

# A rule's darkness is taken on the darkness shrunk this many times along it (unshaded): averaged, for a
# faint rule's noise dips to the paper here and there, and a long opening costs its length per pixel (9.0
# ms shrunk, 47 ms at full size, on a 1,600 x 1,135 page; AMD EPYC, one thread). (Blurred over 9
# px instead, a line of digits written close together was a rule's length of darkness along a row through
# them, and lost its lighter strokes there: the ruled condition, 30 frames of seed 3, 3 spurious; none
# shrunk 4 times, or blurred over 5 px.)
UNSHADE_SHRINK = 4
# Down the columns, gaps up to this share of the frame's longer side are closed first: a shadow's edge
# across a grid reads as paper for a dozen pixels, and the grid's columns in the shadow were too short to
# go (a photo of the photos set on squared paper, benchmarks.ruled: 26 spurious 1s, none with this). Not
# along the rows, where a line of writing is a rule's length with gaps of that size between its digits
# (ruled and notebook, 30 frames of seed 101: 806 -> 799 and 799 -> 795 of 810 digits). (Both measured
# when the darkness was blurred over 9 px along the way, before it was shrunk.) The columns are looked
# at once the rows' darkness is out: closed across rows a few dozen pixels apart, a ruled page's columns
# were all rule, and every pen stroke lost that darkness (a review's probe).
UNSHADE_GAP = 1 / 40
# Rules this long or longer only (a frame of 200 px or more): in a crop of a digit or two, 60 to 110 px, a
# rule's length is a digit's bar, and what the finder takes for rules there are those.
MIN_PAGE_RULE_PX = 50
# A page whose rules the threshold broke into dashes, none found as a rule, is told by its rules found
# once gaps up to this share of the frame's longer side are closed along them (dashed). (A first try
# closed gaps of 8 px before rules were looked for in every frame, with the thin ink along rules found
# taken too and strokes along them kept by their darkness: both sets cut into crops lost 17 digits and
# gained 10 spurious, the photos brightened by benchmarks.perturb lost 10 digits with 2 spurious.)
DASH_GAP = 1 / 80
# ... running across this share of the frame: closed so, a sheet's long lines of writing (each made a band
# of ink whose thin strokes pass for rules) stop short of its edges (desk_01 turned 8 degrees by
# benchmarks.perturb: 4 spurious digits, none with this).
DASH_ACROSS = 0.8
# A page's rules in dashes are looked for at a slope only where the ink lies on this share of the mask's rows
# and columns or more (rules running across a frame at a slope cross most of its rows where they rise by a
# rule's spacing or more across it: a grid at 7 degrees; at 3 degrees, 40 px apart on a 640-px frame,
# 0.86 of them, a review's probe), and only where the dashes join into long enough parts for the slope to
# be measured (skew.slope): a faint grid joins at its crossings, evenly broken lines alone do not.
DASH_SPREAD = 0.9
# A pixel of the ink is a rule's where the rules' darkness taken out leaves it paler than all but this
# share of the ink was (without_rules).
PALEST_SHARE = 0.02


def rule_slopes(removed: np.ndarray, measured: tuple[float | None, float | None]
                ) -> tuple[float, float] | None:
    """The slopes of a ruled or squared page's rules taken out of a 0/255 ink mask (rules.remove_rules'
    `removed`, with the slopes of the mask's long lines it `measured`: rules.Rules.slopes), as unshaded
    takes them out: dy/dx along the rows, dx/dy down the columns; (0.0, 0.0) where they run straight, and
    None where they are no page's (_run_along). A page photographed turned has them at the slopes
    measured, its columns square to its rows where they are too broken to measure (and the other way).
    (Not in a frame whose rules are shorter than MIN_PAGE_RULE_PX, a crop of a digit or two.)"""
    lengths = min_lengths(removed.shape)
    if min(lengths) < MIN_PAGE_RULE_PX or not cv2.countNonZero(removed):
        return None
    if _run_along(removed, (0.0, 0.0)):
        return 0.0, 0.0
    rows, columns = measured
    if rows is None and columns is None:
        return None
    slopes = (-columns if rows is None else rows, -rows if columns is None else columns)
    return slopes if _run_along(removed, slopes) else None


def _run_along(removed: np.ndarray, slopes: tuple[float, float]) -> bool:
    """Whether rules taken out of a mask run along its rows and columns at `slopes` (rule_slopes): MIN_RULES
    or more along its rows (or columns), each holding half a rule's length on one row (column) once the
    mask is sheared to that slope, and at least half of their pixels on such rows and columns. (Not one
    line alone: a crease, or a digit's bar across a crop.) A line sheared by whole pixels steps a row up or
    down where the two roundings differ: sheared, a row's count is taken with its two neighbours'."""
    total = cv2.countNonZero(removed)
    straight, lines = 0, False
    for axis, (length, slope) in enumerate(zip(min_lengths(removed.shape), slopes)):
        if slope:
            view = _rows_of(removed, axis)
            counts = _sums(skew.Shear.for_slope(slope, view.shape).apply(view), 0) // 255
        else:
            counts = _sums(removed, axis) // 255
        near = counts + np.r_[0, counts[:-1]] + np.r_[counts[1:], 0] if slope else counts
        on = near >= length // 2
        straight += int(counts[on].sum())
        lines |= _enough_bands(on)
    return total > 0 and lines and straight >= 0.5 * total


def _rows_of(image: np.ndarray, axis: int) -> np.ndarray:
    """An image (axis 0), or it transposed (1): the lines along `axis` as its rows."""
    return image if axis == 0 else np.ascontiguousarray(image.T)


def unshaded(darkness: np.ndarray, slopes: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """(H, W) uint8 ink darkness -> the same without long straight lines along its rows and columns (at
    `slopes`, rule_slopes'): what stays of it under a grey opening a rule long (min_lengths) is taken out,
    the rows' first. The opening runs on the darkness sheared to the rules' slope (the columns' as the rows
    of the darkness transposed), shrunk UNSHADE_SHRINK times along the way, and down the columns with its
    gaps closed (UNSHADE_GAP). A pen's stroke crossing a rule, or lying along one, is shorter than a rule,
    and keeps its darkness over the rule's."""
    h, w = darkness.shape
    out = darkness
    for axis, (length, slope) in enumerate(zip(min_lengths(darkness.shape), slopes)):
        bridge = max(3, int(UNSHADE_GAP * max(h, w)) // UNSHADE_SHRINK) | 1 if axis else 0
        if not slope:
            rule = _along(out, axis, length, bridge)
        else:
            view = _rows_of(out, axis)
            shear = skew.Shear.for_slope(slope, view.shape)
            rule = shear.undo(_along(shear.apply(view), 0, length, bridge))
            rule = rule if axis == 0 else np.ascontiguousarray(rule.T)
        out = cv2.subtract(out, rule)
    return out


def _along(darkness: np.ndarray, axis: int, length: int, bridge: int) -> np.ndarray:
    """The darkness of lines at least `length` long along an image's rows (axis 0) or down its columns
    (1): a grey opening, on the darkness shrunk UNSHADE_SHRINK times along them, with gaps closed across
    `bridge` shrunk pixels first where it is not 0."""
    h, w = darkness.shape
    size = (max(1, w // UNSHADE_SHRINK), h) if axis == 0 else (w, max(1, h // UNSHADE_SHRINK))
    rule = cv2.resize(darkness, size, interpolation=cv2.INTER_AREA)
    if bridge:
        across = np.ones((1, bridge) if axis == 0 else (bridge, 1), np.uint8)
        rule = cv2.morphologyEx(rule, cv2.MORPH_CLOSE, across)
    run = max(1, length // UNSHADE_SHRINK)
    rule = cv2.morphologyEx(rule, cv2.MORPH_OPEN, np.ones((1, run) if axis == 0 else (run, 1), np.uint8))
    return cv2.resize(rule, (w, h), interpolation=cv2.INTER_LINEAR)


def without_rules(mask: np.ndarray, darkness: np.ndarray, found: np.ndarray,
                  slopes: tuple[float, float] = (0.0, 0.0)) -> tuple[np.ndarray, np.ndarray]:
    """A ruled page's 0/255 ink mask and its darkness -> both with the rules' darkness taken out (unshaded,
    at the rules' `slopes`):
    the mask without its pixels that this leaves paler than its palest ink (its PALEST_SHARE darkness),
    but not on the rules `found` in the mask (rules.remove_rules' second mask, taken out there already:
    closed along them over gaps up to 2 MAX_RULE_THICKNESS_PX, and a pixel beyond), where a digit's stroke
    across a rule as dark as the pen was bridged, and stays whole. (Closed over a quarter of a rule's
    length, the dashes of faint rules found in part went no more: benchmarks.ruled, the desk 2 -> 74
    spurious. A stroke crossing a dark rule over more than 12 px of it, bold or slanting, keeps its ends
    of the crossing only.)"""
    flat = unshaded(darkness, slopes)
    counts = np.cumsum(cv2.calcHist([darkness], [0], mask, [256], [0, 256]).ravel())
    if not counts[-1]:
        return mask, flat
    palest = float(np.searchsorted(counts, PALEST_SHARE * counts[-1]))
    reach = 2 * MAX_RULE_THICKNESS_PX + 1  # a bridge as long as a rule is thick, or a little more
    bridged = cv2.bitwise_or(cv2.morphologyEx(found, cv2.MORPH_CLOSE, np.ones((1, reach), np.uint8)),
                             cv2.morphologyEx(found, cv2.MORPH_CLOSE, np.ones((reach, 1), np.uint8)))
    kept = cv2.dilate(bridged, np.ones((3, 3), np.uint8)) > 0
    faded = (flat < palest) & (flat < darkness) & ~kept  # paler than the ink once a rule's darkness is out
    return np.where(faded, 0, mask).astype(np.uint8), flat


def dashed(mask: np.ndarray, slope: float | None) -> tuple[float, float] | None:
    """The slopes (rule_slopes') of a ruled page's faint rules held in dashes in a 0/255 ink mask, none
    found as a rule; None where it holds none. Straight (0.0, 0.0) where MIN_RULES bands of rows (or of
    columns) or more hold a rule's length of ink, and, with gaps up to DASH_GAP of the frame's longer side
    closed along them, rules.find_rules finds MIN_RULES or more running across DASH_ACROSS of the frame,
    as printed rules do (_dashed_along). At a slope (a page photographed turned) where ink lies on nearly
    every row and column (DASH_SPREAD), its long lines slope (`slope`, dy/dx: rules.Rules.slopes' along
    the rows, as the rule finder measured it), and the rows of the mask sheared to that slope are such
    bands. Most frames pay two sums of the mask's rows and columns."""
    lengths = min_lengths(mask.shape)
    if min(lengths) < MIN_PAGE_RULE_PX:
        return None
    sums = [_sums(mask, axis) for axis in (0, 1)]
    if any(_dashed_along(mask, axis, counts) for axis, counts in enumerate(sums)):
        return 0.0, 0.0
    if not all(np.count_nonzero(counts) >= DASH_SPREAD * counts.size for counts in sums):  # most frames
        return None
    if not slope:
        return None
    sheared = skew.Shear.for_slope(slope, mask.shape).apply(mask)
    return (slope, -slope) if _dashed_along(sheared, 0, _sums(sheared, 0)) else None


def _dashed_along(mask: np.ndarray, axis: int, counts: np.ndarray) -> bool:
    """Whether a 0/255 mask holds faint rules in dashes along its rows (axis 0) or columns (1), `counts`
    its sums along them (dashed)."""
    length = min_lengths(mask.shape)[axis]
    if not _enough_bands(counts >= 255 * length):
        return False
    gap = max(3, int(DASH_GAP * max(mask.shape))) | 1
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((1, gap) if axis == 0 else (gap, 1), np.uint8))
    rules = find_rules(closed)
    found = rules.horizontal if axis == 0 else rules.vertical
    return _enough_bands(_sums(found, axis) >= 255 * DASH_ACROSS * mask.shape[1 - axis])


def _sums(mask: np.ndarray, axis: int) -> np.ndarray:
    """The sums of a 0/255 mask's rows (axis 0) or columns (1)."""
    return cv2.reduce(mask, 1 - axis, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()


def _enough_bands(on: np.ndarray) -> bool:
    """Whether flags along the rows (columns) make MIN_RULES runs of them or more."""
    return int(np.count_nonzero(on[1:] & ~on[:-1])) + int(on[:1].any()) >= MIN_RULES

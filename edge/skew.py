"""The slope of a page's long straight lines (rules seen by a phone held a little turned), and an exact
shear of a mask that makes them run along its rows."""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from edge.preprocess import label_type

# Lines are looked for up to this far from the rows' direction: a page photographed turned by up to
# 20 degrees, and some perspective on top.
MAX_SKEW_DEG = 25.0
COARSE_STEP_DEG = 0.5  # on the mask at half size: the slope to within a step, cheaply
FINE_STEP_DEG = 0.05  # then at full size around it: a rule of a 1600-px page drifts 1.4 px over its length
# Slopes closer to the rows' direction than this are searched straight: a 1 px drift over a
# rule's length (a quarter of a 640-px frame) is taken up by the tolerance of the search.
MIN_SKEW_DEG = 0.25


def halved(mask: np.ndarray) -> np.ndarray:
    """The mask at half size, each pixel the brightest of its 2x2: thin lines survive."""
    h, w = mask.shape
    small = cv2.resize(mask, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    return cv2.threshold(small, 0, 255, cv2.THRESH_BINARY)[1]


def longest_parts(mask: np.ndarray, small: np.ndarray | None = None) -> tuple[int, int]:
    """(widest, tallest) extent in px of the mask's components, measured at half size (`small`: the
    mask halved(), when the caller has it): whether any could be a rule, cheaply. Labelled inside the
    ink's bounding box only: a line of digits across a camera frame is a tenth of it."""
    if mask.shape[0] < 2 or mask.shape[1] < 2:  # nothing to halve (OpenCV would raise)
        return 0, 0
    small = halved(mask) if small is None else small
    x, y, w, h = cv2.boundingRect(small)
    if w == 0 or h == 0:  # no ink (OpenCV would crash labelling an empty image)
        return 0, 0
    small = small[y:y + h, x:x + w]
    _, _, stats, _ = cv2.connectedComponentsWithStats(small, connectivity=8, ltype=label_type(small))
    if len(stats) < 2:
        return 0, 0
    return 2 * int(stats[1:, cv2.CC_STAT_WIDTH].max()), 2 * int(stats[1:, cv2.CC_STAT_HEIGHT].max())


def _long_parts(mask: np.ndarray, length: int) -> np.ndarray | None:
    """The mask's components at least `length` px wide, as a mask (None where there are none): rules,
    with whatever digits touch them."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=label_type(mask))
    long = np.flatnonzero(stats[1:, cv2.CC_STAT_WIDTH] >= length) + 1
    if long.size == 0:
        return None
    return np.where(np.isin(labels, long), 255, 0).astype(np.uint8)


def _strongest_angle(mask: np.ndarray, votes: int, low_deg: float, high_deg: float, step_deg: float
                     ) -> float | None:
    """The slope in degrees (dy/dx = tan) of the line through most ink between the two slopes, of
    those with at least `votes` pixels on them; None where none has. A line a few pixels thick has
    as many on it over a small range of slopes: the middle one of those is its own."""
    lines = cv2.HoughLinesWithAccumulator(mask, 1, np.radians(step_deg), votes, min_theta=np.radians(90 + low_deg),
                                          max_theta=np.radians(90 + high_deg + step_deg / 2))
    if lines is None or not len(lines):
        return None
    lines = lines.reshape(-1, 3)  # (rho, theta, votes), most votes first
    theta, count = lines[:, 1], lines[:, 2]
    return float(np.degrees(np.median(theta[count == count.max()]))) - 90.0


def _thin(mask: np.ndarray, max_thickness_px: int) -> np.ndarray:
    """The mask's ink in runs across the rows no thicker than `max_thickness_px`."""
    across = np.ones((max_thickness_px + 1, 1), np.uint8)
    return cv2.subtract(mask, cv2.morphologyEx(mask, cv2.MORPH_OPEN, across))


def slope(mask: np.ndarray, length: int, max_thickness_px: int) -> float | None:
    """dy/dx of the mask's long near-horizontal lines no thicker than `max_thickness_px` (at least
    `length` px long), or None where it has none, or they lie within MIN_SKEW_DEG of the rows.

    The long parts are looked for in the whole ink (a grid's lines are long through its crossings),
    the votes counted on their thin ink: a line inside a solid region (the desk along a page's
    edge) runs through more ink than a rule does.

    Args:
      mask: (H, W) 0/255 ink.
    """
    small = _long_parts(halved(mask), length // 2)
    if small is None:
        return None
    coarse = _strongest_angle(_thin(small, max(1, max_thickness_px // 2)), length // 2, -MAX_SKEW_DEG,
                              MAX_SKEW_DEG, COARSE_STEP_DEG)
    if coarse is None:
        return None
    # The long parts at full size: the mask's ink under them, enlarged (a labelling at full size
    # costs five times more).
    h, w = mask.shape
    near = cv2.dilate(cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST), np.ones((3, 3), np.uint8))
    full = cv2.bitwise_and(mask, near)
    fine = _strongest_angle(_thin(full, max_thickness_px), length, coarse - COARSE_STEP_DEG,
                            coarse + COARSE_STEP_DEG, FINE_STEP_DEG)
    if fine is None or abs(fine) < MIN_SKEW_DEG:
        return None
    return float(np.tan(np.radians(fine)))


class Shear(NamedTuple):
    """Each column of an (H, W) image moved down by `offsets[x]` into an (H + span, W) one: lines of
    the slope it was made for run along rows, and columns stay whole (a stroke across a rule does too)."""

    offsets: np.ndarray  # (W,) int
    height: int  # the source's

    @classmethod
    def for_slope(cls, slope: float, shape: tuple[int, int]) -> "Shear":
        h, w = shape
        rise = np.rint(np.arange(w) * slope).astype(int)  # where a line through (0, 0) is at column x
        return cls(rise.max() - rise, h)

    def _runs(self):
        """(first column, end column, offset) of each run of columns moved alike."""
        edges = np.flatnonzero(np.diff(self.offsets)) + 1
        starts = np.concatenate([[0], edges])
        stops = np.concatenate([edges, [len(self.offsets)]])
        return zip(starts, stops, self.offsets[starts])

    def apply(self, image: np.ndarray) -> np.ndarray:
        out = np.zeros((self.height + int(self.offsets.max()), image.shape[1]), image.dtype)
        for a, b, off in self._runs():
            out[off:off + self.height, a:b] = image[:, a:b]
        return out

    def undo(self, sheared: np.ndarray) -> np.ndarray:
        out = np.empty((self.height, sheared.shape[1]), sheared.dtype)
        for a, b, off in self._runs():
            out[:, a:b] = sheared[off:off + self.height, a:b]
        return out

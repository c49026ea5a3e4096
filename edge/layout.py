"""Reading order: digits grouped into lines, lines top to bottom, even when the lines slope."""

from __future__ import annotations

from statistics import median
from typing import Iterable

import numpy as np

# Lines slope at most this much (a tilted phone, a hand that drifts); steeper
# links between neighbours are columns, not lines.
MAX_SKEW_DEG = 25.0
# Neighbours in one line are at most this many digit heights apart.
MAX_NEIGHBOUR_GAP = 2.5
# A digit continues a line when its centre is within this many digit heights of
# the line's recent centres (the mean of its last LINE_MEMORY), measured across the
# line. A hand wanders by up to two thirds of a digit between neighbours; lines are
# two digit heights apart or more, and a digit joins whichever line is closest.
LINE_TOLERANCE = 0.85
LINE_MEMORY = 3


def estimate_skew(centres: np.ndarray, height: float) -> float:
    """The lines' slope in radians, from each digit to its nearest neighbour on the right.

    Args:
      centres: (N, 2) x, y of each digit's ink.
      height: the typical digit height, in the same pixels.
    """
    if len(centres) < 2 or height <= 0:
        return 0.0
    dx = centres[None, :, 0] - centres[:, None, 0]  # (N, N): from i to j
    dy = centres[None, :, 1] - centres[:, None, 1]
    dist = np.hypot(dx, dy)
    limit = np.tan(np.radians(MAX_SKEW_DEG))
    usable = (dx > 0) & (np.abs(dy) <= limit * dx) & (dist <= MAX_NEIGHBOUR_GAP * height)
    dist = np.where(usable, dist, np.inf)
    nearest = np.argmin(dist, axis=1)
    has = np.isfinite(dist[np.arange(len(centres)), nearest])
    if not has.any():
        return 0.0
    rows = np.flatnonzero(has)
    angles = np.arctan2(dy[rows, nearest[rows]], dx[rows, nearest[rows]])
    listed = angles.tolist()
    skew = float(median(listed))
    # Digits in a level line wander up and down, so a few links can agree on a
    # slope by chance: a slope smaller than twice its own standard error is none.
    spread = 1.4826 * float(median([abs(a - skew) for a in listed]))
    if abs(skew) < 2 * spread / np.sqrt(len(angles)):
        return 0.0
    return skew


def group_lines(centres: np.ndarray, height: float) -> list[list[int]]:
    """Indices of the digits of each line, lines top to bottom, each left to right.

    The page is turned by the estimated skew first; then each digit, taken
    left to right, continues the line whose recent digits sit closest across the
    line (within LINE_TOLERANCE heights) or starts a new one. Following the
    recent digits rather than a straight fit lets a line bend (a sheet that is not
    flat, a hand that drifts), and a long tail that reaches into the next line
    does not move its digit there, because centres are of the ink, not the box.
    """
    n = len(centres)
    if n == 0:
        return []
    skew = estimate_skew(centres, height)
    cos, sin = np.cos(skew), np.sin(skew)
    along = centres[:, 0] * cos + centres[:, 1] * sin
    across = -centres[:, 0] * sin + centres[:, 1] * cos
    lines: list[list[int]] = []
    recent: list[float] = []  # per line, the mean across-position of its last LINE_MEMORY digits
    tolerance = LINE_TOLERANCE * max(height, 1.0)
    across_list = across.tolist()
    for i in np.argsort(along, kind="stable").tolist():
        y = across_list[i]
        k = min(range(len(recent)), key=lambda j: abs(recent[j] - y), default=-1)
        if k >= 0 and abs(recent[k] - y) <= tolerance:
            lines[k].append(i)
            last = lines[k][-LINE_MEMORY:]
            recent[k] = sum(across_list[j] for j in last) / len(last)
        else:
            lines.append([i])
            recent.append(y)
    return sorted(lines, key=lambda line: float(median([across_list[j] for j in line])))


def reading_order(centres: np.ndarray, height: float) -> list[int]:
    """Indices in reading order: lines top to bottom, left to right within a line."""
    return [i for line in group_lines(centres, height) for i in line]


def groups(count: int, pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """The indices 0..count-1 grouped by the pairs that join them, transitively (union-find): each group
    in increasing order, the groups in the order of their first index."""
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        parent[root(j)] = root(i)
    joined: dict[int, list[int]] = {}
    for i in range(count):
        joined.setdefault(root(i), []).append(i)
    return list(joined.values())

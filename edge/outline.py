"""A sheet's outline as four corners: simplified from the bright region's contour, then each side
re-fitted to the contour's points (edge.page finds the region)."""

from __future__ import annotations

import cv2
import numpy as np


def order_corners(points: np.ndarray) -> np.ndarray:
    """(4, 2) points in any order -> tl, tr, br, bl (image coordinates, y down)."""
    points = points.astype(np.float32).reshape(4, 2)
    s = points.sum(axis=1)
    d = np.diff(points, axis=1).ravel()  # y - x
    return np.array([points[np.argmin(s)], points[np.argmin(d)], points[np.argmax(s)], points[np.argmax(d)]],
                    np.float32)


def quadrilateral(contour: np.ndarray) -> np.ndarray:
    """The four corners that best outline a contour: a simplified hull, else its min-area box."""
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for epsilon in (0.01, 0.02, 0.03, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, epsilon * perimeter, True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float32)
    return cv2.boxPoints(cv2.minAreaRect(hull)).astype(np.float32)


def _line_through(points: np.ndarray) -> np.ndarray | None:
    """A robust straight line (vx, vy, x0, y0) through (N, 2) points, or None for too few."""
    if len(points) < 8:
        return None
    return cv2.fitLine(points.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()


def _intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    (vx1, vy1, x1, y1), (vx2, vy2, x2, y2) = a, b
    det = vx1 * (-vy2) - vy1 * (-vx2)
    if abs(det) < 1e-6:
        return None
    t = ((x2 - x1) * (-vy2) - (y2 - y1) * (-vx2)) / det
    return np.float32([x1 + t * vx1, y1 + t * vy1])


def refine_quadrilateral(quad: np.ndarray, outline: np.ndarray, rounds: int = 2) -> np.ndarray:
    """Corners re-fitted to the page's actual edges.

    The hull of a bright region that touches bright desk (a glare, pale tiles)
    puts a corner out on the desk. Each side is re-fitted robustly to the
    outline points that lie near it, away from the corners; where the sides
    then meet are the corners.

    Args:
      quad: (4, 2) tl, tr, br, bl.  outline: (N, 2) every point of the region's outline.
    """
    for _ in range(rounds):
        lines = []
        for a, b in zip(quad, np.roll(quad, -1, axis=0)):
            side = b - a
            length = float(np.linalg.norm(side))
            if length < 1:
                return quad
            normal = np.float32([-side[1], side[0]]) / length
            rel = outline - a
            along = rel @ side / length ** 2
            across = np.abs(rel @ normal)
            near = outline[(across < 0.04 * length) & (along > 0.1) & (along < 0.9)]
            line = _line_through(near)
            lines.append(line if line is not None else np.float32([*side / length, *a]))
        corners = [_intersect(lines[k - 1], lines[k]) for k in range(4)]
        if any(c is None for c in corners):
            return quad
        refined = np.stack(corners).astype(np.float32)
        if np.abs(refined - quad).max() > 0.25 * np.abs(quad.max(axis=0) - quad.min(axis=0)).max():
            return quad  # the fit ran off: keep the hull's corners
        quad = refined
    return quad

"""Four-cornered outlines in a map of the frame: fitted to a region's contour (a simplified hull, each
side re-fitted to the contour's straightest run near it), their sides against the frame's edge, and
whether one could be a sheet seen at a slant. edge.outline finds the regions."""

from __future__ import annotations

import cv2
import numpy as np

# A side closer than this to the frame's edge (fraction of the side) is the frame's, not the page's.
BORDER_MARGIN = 0.02
# A sheet's corners, even seen at a slant, are none of them this far from square: a triangle of lit
# paper under a shadow (with a fourth corner on one of its sides) is no sheet ...
MAX_CORNER_SKEW_DEG = 55
# ... nor is one with a side shorter than this share of its longest (a triangle with a corner cut).
MIN_SIDE_SHARE = 0.25
MAX_CORNER_OUTSIDE = 0.25  # of the frame's size: how far past its edge a sheet's corner may lie
# Each side of an outline is re-fitted to the longest straight run of the region's outline points near
# it (refine_quadrilateral): points within STRAIGHT_TOLERANCE of the side's length of one line, found
# among STRAIGHT_DRAWS lines through two of the points, of those within STRAIGHT_REACH of the side
# (away from its corners). Where pale desk (desk_03's tiles at its bottom left) joins the sheet, the
# region's outline follows the desk's ragged edge there; a robust fit through all the points near a
# side was drawn out onto the desk with it. A wider reach finds a sheet's edge further from the hull's
# side (a sheen joined along desk_01's right side, made bright or shaken: at 0.1, 5 of the 54 desk
# sheets perturbed 9 ways outlined where they are as photographed, which 0.04 outlined over 1 % of the
# photo away), but a review found it then takes the straight edge of a thing lying over the sheet's
# edge or beside it (a ruler, a phone, a white strip 5-10 % of the side in) for the side: kept at 0.04.
STRAIGHT_TOLERANCE = 0.01
STRAIGHT_DRAWS = 64
STRAIGHT_REACH = 0.04


def order_corners(points: np.ndarray) -> np.ndarray:
    """(4, 2) points in any order -> tl, tr, br, bl (image coordinates, y down)."""
    points = points.astype(np.float32).reshape(4, 2)
    s = points.sum(axis=1)
    d = np.diff(points, axis=1).ravel()  # y - x
    return np.array([points[np.argmin(s)], points[np.argmin(d)], points[np.argmax(s)], points[np.argmax(d)]],
                    np.float32)


def simplified_hull(contour: np.ndarray, corners: int, epsilons: tuple[float, ...]) -> np.ndarray | None:
    """The contour's hull simplified to `corners` corners ((corners, 2) float32), by approxPolyDP at each
    of `epsilons` (shares of its perimeter) in turn until one has that many; None where none has."""
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for epsilon in epsilons:
        approx = cv2.approxPolyDP(hull, epsilon * perimeter, True)
        if len(approx) == corners:
            return approx.reshape(corners, 2).astype(np.float32)
    return None


def quadrilateral(contour: np.ndarray) -> np.ndarray:
    """The four corners that best outline a contour: a simplified hull, else its min-area box."""
    four = simplified_hull(contour, 4, (0.01, 0.02, 0.03, 0.05, 0.08))
    if four is None:
        four = cv2.boxPoints(cv2.minAreaRect(cv2.convexHull(contour))).astype(np.float32)
    return four


def along(points: np.ndarray, a: np.ndarray, b: np.ndarray, reach: float, trim: float) -> np.ndarray:
    """(N,) bool: which of the (N, 2) points lie within `reach` of the line through a and b, and between
    `trim` and 1 - `trim` of the way from a to b: those to fit a side to, away from its corners."""
    side = b - a
    length = max(float(np.linalg.norm(side)), 1e-6)
    rel = points - a
    way = rel @ side / length ** 2
    across = np.abs(rel @ (np.float32([-side[1], side[0]]) / length))
    return (across < reach) & (way > trim) & (way < 1 - trim)


def points_along(points: np.ndarray, a: np.ndarray, b: np.ndarray, reach: float, trim: float) -> np.ndarray:
    """The (N, 2) points along() the side from a to b."""
    return points[along(points, a, b, reach, trim)]


def on_frame_edge(points: np.ndarray, shape: tuple[int, int], margin: float = 0) -> np.ndarray:
    """(N,) bool: which of the (N, 2) points lie within `margin` of the edge of a map of shape (h, w)."""
    h, w = shape
    return ((points[:, 0] <= margin) | (points[:, 0] >= w - 1 - margin)
            | (points[:, 1] <= margin) | (points[:, 1] >= h - 1 - margin))


def line_through(points: np.ndarray) -> np.ndarray | None:
    """A robust straight line (vx, vy, x0, y0) through (N, 2) points, or None for too few."""
    if len(points) < 8:
        return None
    return cv2.fitLine(points.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()


def straightest_line(points: np.ndarray, tolerance: float) -> np.ndarray | None:
    """The line (vx, vy, x0, y0) through the largest share of (N, 2) points lying within `tolerance` of
    one straight line, fitted to those points; None for too few. (RANSAC over fixed draws: the same
    points give the same line.)"""
    if len(points) < 8:
        return None
    draws = np.random.default_rng(0).integers(0, len(points), (STRAIGHT_DRAWS, 2))
    a, b = points[draws[:, 0]], points[draws[:, 1]]
    span = b - a
    length = np.linalg.norm(span, axis=1)
    keep = length >= 2 * tolerance
    if not keep.any():
        return line_through(points)
    a, span, length = a[keep], span[keep], length[keep]
    normals = np.stack([-span[:, 1], span[:, 0]], axis=1) / length[:, np.newaxis]
    # Each point's distance from each drawn line, (draws, N), as two products and a sum (np.einsum's
    # general path took 0.17 of this function's 0.4 ms a call on a desk photo's sides, AMD EPYC).
    across = (normals[:, :1] * (points[:, 0] - a[:, :1])) + (normals[:, 1:] * (points[:, 1] - a[:, 1:]))
    near = np.abs(across) <= tolerance
    return line_through(points[near[np.argmax(near.sum(axis=1))]])


def line_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The line through two points as (vx, vy, x0, y0), its direction of unit length (intersect's form)."""
    return np.float32([*(b - a) / max(float(np.linalg.norm(b - a)), 1e-6), *a])


def intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    (vx1, vy1, x1, y1), (vx2, vy2, x2, y2) = a, b
    det = vx1 * (-vy2) - vy1 * (-vx2)
    if abs(det) < 1e-6:
        return None
    t = ((x2 - x1) * (-vy2) - (y2 - y1) * (-vx2)) / det
    return np.float32([x1 + t * vx1, y1 + t * vy1])


def refine_quadrilateral(quad: np.ndarray, outline: np.ndarray, shape: tuple[int, int],
                         rounds: int = 2) -> np.ndarray:
    """Corners re-fitted to the page's actual edges.

    The hull of a bright region that touches bright desk (a glare, pale tiles)
    puts a corner out on the desk. Each side is re-fitted to the longest straight
    run (straightest_line) of the outline points that lie near it, away from the
    corners; where the sides then meet are the corners. The outline's points on
    the frame's edge are the frame's, not the sheet's (a straight run of them is
    pale desk running off the frame): they are left out, and a side most of whose
    points near it lie there is the frame's edge and stays as it is (a sheet
    running off the frame, a fingertip near that edge: fitted to the rest, the
    side was drawn along the fingertip, across the sheet; a phone along most of
    that side still takes it).

    Args:
      quad: (4, 2) tl, tr, br, bl.  outline: (N, 2) the region's outline points.
      shape: (h, w) of the map the outline is in.
    """
    on_edge = on_frame_edge(outline, shape)
    for _ in range(rounds):
        lines = []
        for a, b in zip(quad, np.roll(quad, -1, axis=0)):
            side = b - a
            length = float(np.linalg.norm(side))
            if length < 1:
                return quad
            near = along(outline, a, b, STRAIGHT_REACH * length, 0.1)
            kept = near & ~on_edge
            line = None
            if np.count_nonzero(kept) >= np.count_nonzero(near & on_edge):
                line = straightest_line(outline[kept], STRAIGHT_TOLERANCE * length)
            lines.append(line if line is not None else np.float32([*side / length, *a]))
        corners = [intersect(lines[k - 1], lines[k]) for k in range(4)]
        if any(c is None for c in corners):
            return quad
        refined = np.stack(corners).astype(np.float32)
        if np.abs(refined - quad).max() > 0.25 * np.abs(quad.max(axis=0) - quad.min(axis=0)).max():
            return quad  # the fit ran off: keep the hull's corners
        quad = refined
    return quad


def _along_border(a: np.ndarray | list[float], b: np.ndarray | list[float], shape: tuple[int, int]) -> bool:
    """Whether the side from corner a to corner b lies along the frame's edge."""
    h, w = shape
    mx, my = BORDER_MARGIN * w, BORDER_MARGIN * h
    return bool(max(a[0], b[0]) <= mx or min(a[0], b[0]) >= w - 1 - mx
                or max(a[1], b[1]) <= my or min(a[1], b[1]) >= h - 1 - my)


def reaches_frame_edge(quad: np.ndarray, shape: tuple[int, int]) -> bool:
    """Whether a corner of the outline lies on the frame's edge (within BORDER_MARGIN) or past it."""
    h, w = shape
    margin = BORDER_MARGIN * np.float32([w, h])
    return bool((quad <= margin).any() or (quad >= np.float32([w - 1, h - 1]) - margin).any())


def along_border(quad: np.ndarray, shape: tuple[int, int]) -> list[bool]:
    """Per side of a polygon (from corner k to k + 1), whether it lies along the frame's edge."""
    corners = quad.tolist()
    return [_along_border(a, b, shape) for a, b in zip(corners, corners[1:] + corners[:1])]


def _sides_along_border(quad: np.ndarray, shape: tuple[int, int]) -> list[tuple[list[float], list[float]]]:
    """The quadrilateral's sides (corner pairs) that lie along the frame's edge."""
    corners = quad.tolist()
    return [(a, b) for a, b in zip(corners, corners[1:] + corners[:1]) if _along_border(a, b, shape)]


def past_frame_edge(quad: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The (4, 2) outline of a sheet running off the frame, its sides along the frame's edge (the
    frame's, not the sheet's) moved out to run parallel to the opposite side, a sheet's own edge,
    through their end farther out. Rectified from the sides as seen, a page cut by the frame had its
    rules fan out over several degrees (the homography took the frame's edge for the page's); so
    it keeps the directions of the edges it shows. A side whose opposite lies along the frame's
    edge too is kept; so is the outline when a corner would land over MAX_CORNER_OUTSIDE past it."""
    on = [_along_border(quad[k], quad[(k + 1) % 4], shape) for k in range(4)]
    if not any(on):
        return quad
    lines = []
    for k in range(4):
        a, b = quad[k], quad[(k + 1) % 4]
        c, d = quad[(k + 2) % 4], quad[(k + 3) % 4]  # the opposite side, from its own start
        if on[k] and not on[(k + 2) % 4]:
            along = (c - d) / max(float(np.linalg.norm(c - d)), 1e-6)  # this side's way round
            out = np.float32([along[1], -along[0]])
            if float(np.dot((a + b) / 2 - (c + d) / 2, out)) < 0:
                out = -out
            end = a if float(np.dot(a - c, out)) >= float(np.dot(b - c, out)) else b
            lines.append(np.float32([*along, *end]))
        else:
            lines.append(line_between(a, b))
    corners = [intersect(lines[k - 1], lines[k]) for k in range(4)]
    if any(c is None for c in corners):
        return quad
    moved = np.stack(corners).astype(np.float32)
    return quad if far_past_frame(moved, shape) else moved


def sides_on_frame_border(quad: np.ndarray, shape: tuple[int, int]) -> int:
    """How many of the quadrilateral's sides lie along the frame's edge."""
    return len(_sides_along_border(quad, shape))


def length_on_frame_border(quad: np.ndarray, shape: tuple[int, int]) -> float:
    """How far the quadrilateral's sides run along the frame's edge, in pixels, within the frame."""
    limit = np.float32([shape[1] - 1, shape[0] - 1])
    return sum(float(np.linalg.norm(np.clip(np.float32(b), 0, limit) - np.clip(np.float32(a), 0, limit)))
               for a, b in _sides_along_border(quad, shape))


def sheet_shaped(quad: np.ndarray) -> bool:
    """Whether a (4, 2) outline could be a sheet seen at a slant: convex, no side shorter than
    MIN_SIDE_SHARE of the longest, no corner further than MAX_CORNER_SKEW_DEG from square."""
    sides = np.linalg.norm(np.roll(quad, -1, axis=0) - quad, axis=1)
    if sides.max() < 1 or sides.min() < MIN_SIDE_SHARE * sides.max():
        return False
    if not cv2.isContourConvex(quad.reshape(-1, 1, 2).astype(np.float32)):
        return False
    return bool(np.abs(corner_angles(quad) - 90).max() <= MAX_CORNER_SKEW_DEG)


def corner_angles(polygon: np.ndarray) -> np.ndarray:
    """The inner angle in degrees at each corner of a convex (N, 2) polygon."""
    before, after = np.roll(polygon, 1, axis=0) - polygon, np.roll(polygon, -1, axis=0) - polygon
    cosines = (before * after).sum(axis=1) / np.maximum(
        np.linalg.norm(before, axis=1) * np.linalg.norm(after, axis=1), 1e-6)
    return np.degrees(np.arccos(np.clip(cosines, -1, 1)))


def distances_inside(points: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """(N,) distances of (N, 2) points from the quadrilateral's sides, positive inside it."""
    contour = quad.reshape(-1, 1, 2).astype(np.float32)
    return np.float32([cv2.pointPolygonTest(contour, (float(x), float(y)), True) for x, y in points])


def far_past_frame(quad: np.ndarray, shape: tuple[int, int]) -> bool:
    """Whether a corner lies over MAX_CORNER_OUTSIDE past the frame's edge: a bad fit, not a sheet cut
    by the frame."""
    h, w = shape
    slack = MAX_CORNER_OUTSIDE * np.float32([w, h])
    return bool((quad < -slack).any() or (quad > np.float32([w, h]) + slack).any())

"""A sheet the frame's edge cuts on several sides, outlined from the edges of its own it shows.

A sheet larger than the frame, turned, the desk in the frame's corners: the region's outline runs
along the frame's edge between stretches of the sheet's own edges, and four corners chosen among its
hull's points would lie on the frame's edge (edge.quads). edge.page asks for this outline where
nothing else changed the sheet's and a corner of it lies on the frame's edge."""

from __future__ import annotations

import cv2
import numpy as np

from edge import outline, quads

# Such a sheet shows its own edges between stretches of the frame's: its outline's hull, simplified to
# this share of its perimeter, has more than four sides, and the four that are the sheet's (neighbours
# that turn less than OWN_SIDE_TURN_DEG are one) are each at least MIN_OWN_SIDE of the map's longer side.
# Four corners chosen among the hull's points instead put them on the frame's edge, and the page,
# rectified from them, came out fanned: its grid's lines were no rules.
OWN_SIDES_EPSILON = 0.01
OWN_SIDE_TURN_DEG = 8.0
MIN_OWN_SIDE = 0.08
# Near a corner of the frame, the simplification joins a short stretch of the sheet's own edge to the
# frame's edge in one side; fitted, that side is the frame's. A side whose points lie within
# FRAME_EDGE_PX of the frame's edge for more than this share is no edge of the sheet's, and the sheet
# is left to the outline of four corners (which past_frame_edge then moves out).
MAX_SIDE_ON_FRAME_EDGE = 0.5
FRAME_EDGE_PX = 2


def _own_sides(hull: np.ndarray, shape: tuple[int, int]) -> list[tuple[np.ndarray, np.ndarray]]:
    """The sides of a simplified hull ((N, 2), N > 4) that are the sheet's own, in order round it: those
    not along the frame's edge, neighbours turning less than OWN_SIDE_TURN_DEG joined, the short dropped."""
    n = len(hull)
    on = quads.along_border(hull, shape)
    start = on.index(True) + 1  # from just past a stretch of the frame's edge
    runs: list[list[np.ndarray]] = []
    joined = False  # whether the side before was the sheet's
    for k in range(start, start + n):
        a, b = hull[k % n], hull[(k + 1) % n]
        if on[k % n]:
            joined = False
            continue
        if joined:
            before, after = runs[-1][1] - runs[-1][0], b - a
            cosine = float(before @ after) / max(float(np.linalg.norm(before) * np.linalg.norm(after)), 1e-6)
            if np.degrees(np.arccos(np.clip(cosine, -1, 1))) < OWN_SIDE_TURN_DEG:
                runs[-1][1] = b
                continue
        runs.append([a, b])
        joined = True
    return [(a, b) for a, b in runs if np.linalg.norm(b - a) >= MIN_OWN_SIDE * max(shape)]


def cut_sheet_outline(contour: np.ndarray, shape: tuple[int, int]) -> np.ndarray | None:
    """The (4, 2) outline of a sheet the frame's edge cuts, from the four of its own edges it shows
    (_own_sides), each fitted to the contour's points along it; its corners may lie past the frame's
    edge. None when the region shows no stretch of the frame's edge or not four edges of its own."""
    hull = cv2.convexHull(contour)
    simple = cv2.approxPolyDP(hull, OWN_SIDES_EPSILON * cv2.arcLength(hull, True), True).reshape(-1, 2)
    simple = simple.astype(np.float32)
    if len(simple) <= 4 or not any(quads.along_border(simple, shape)):
        return None
    own = _own_sides(simple, shape)
    if len(own) != 4:
        return None
    points = contour.reshape(-1, 2).astype(np.float32)
    lines = []
    for a, b in own:
        length = float(np.linalg.norm(b - a))
        near = quads.points_along(points, a, b, 0.02 * length + 1.5, 0.05)
        on_edge = quads.on_frame_edge(near, shape, FRAME_EDGE_PX)
        if near.size and np.count_nonzero(on_edge) > MAX_SIDE_ON_FRAME_EDGE * len(near):
            return None
        line = quads.line_through(near)
        lines.append(line if line is not None else np.float32([*(b - a) / length, *a]))
    corners = [quads.intersect(lines[k - 1], lines[k]) for k in range(4)]
    return None if any(c is None for c in corners) else quads.order_corners(np.stack(corners))


def cut_outline(region: outline.Region, smooth: np.ndarray, image: np.ndarray) -> np.ndarray | None:
    """outline.sheet_outline() of a sheet the frame's edge cuts, from its own edges (cut_sheet_outline):
    shaped like a sheet, its corners not far past the frame's edge, filling the part of it in view,
    standing out; or None. `region`: outline.sheet_region(smooth), the region sheet_outline() outlined."""
    contour, area = region
    shape = smooth.shape[:2]
    quad = cut_sheet_outline(contour, shape)
    if quad is None or not quads.sheet_shaped(quad) or quads.far_past_frame(quad, shape):
        return None
    h, w = shape
    seen, _ = cv2.intersectConvexConvex(quad, np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]]))
    if seen <= 0 or area / seen < outline.MIN_RECTANGULARITY:
        return None
    return quad if outline.stands_out(quad, smooth, image) else None

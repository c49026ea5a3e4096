"""Whether an outline found in a small map of paper lies along a step, as paper's edge does, or over a
gradual change of light (a lens's fall-off, a lamp's pool), as the brighter part of paper filling the
frame does."""

from __future__ import annotations

import cv2
import numpy as np

from edge import quads

# A sheet's edge is a step: across it the map changes within EDGE_NEAR_PX (of the small map searched)
# by at least EDGE_STEP_SHARE of what it changes within EDGE_FAR_PX. A lens's fall-off of light toward
# the frame's corners (vignetting) leaves the middle of paper filling the frame brighter than its rim
# by as much, but gradually, with no such step.
EDGE_NEAR_PX, EDGE_FAR_PX, EDGE_SHIFT_PX = 2, 8, 3
EDGE_STEP_SHARE = 0.5
MIN_EDGE_CHANGE = 10.0  # within EDGE_FAR_PX, of the map's 0..255: less is no edge at all
MIN_STEP_SHARE = 0.5  # of the points measured along the outline


def _steps(quad: np.ndarray, smooth: np.ndarray, samples: int) -> tuple[np.ndarray, np.ndarray]:
    """Where a (4, 2) outline's sides step in the smoothed map, at `samples` points along each: (4,
    samples) bool, and where that could be measured (both sides of the point in the map), the same."""
    # Printed rules and a grid's lines a few pixels apart jump in the map as an edge does, along any
    # outline (faint squared paper under a lamp's pool of light read as a sheet cut by the frame): a
    # median of 5x5 takes them out and keeps a paper's edge, and a fall-off of light, as they are.
    smooth = cv2.medianBlur(smooth, 5)
    h, w = smooth.shape[:2]
    corners = quad.astype(np.float32)
    centre = corners.mean(axis=0)
    t = (np.arange(samples, dtype=np.float32) + 0.5) / samples
    points, normals = [], []
    for a, b in zip(corners, np.roll(corners, -1, axis=0)):
        direction = b - a
        normal = np.float32([direction[1], -direction[0]]) / max(float(np.linalg.norm(direction)), 1e-6)
        if np.dot(normal, (a + b) / 2 - centre) < 0:  # pointing out of the outline
            normal = -normal
        points.append(a + t[:, None] * direction)
        normals.append(np.repeat(normal[None], samples, axis=0))
    points, normals = np.concatenate(points), np.concatenate(normals)

    def at(offset: float) -> tuple[np.ndarray, np.ndarray]:
        xy = np.round(points + offset * normals).astype(np.int32)
        inside_map = (xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0) & (xy[:, 1] < h)
        xy = np.clip(xy, 0, [w - 1, h - 1])
        return smooth[xy[:, 1], xy[:, 0]].astype(np.float32), inside_map

    (far_in, measured_in), (far_out, measured_out) = at(-EDGE_FAR_PX), at(EDGE_FAR_PX)
    # The outline may lie a few pixels off the paper's edge (a glare, a stripe of the desk, a blurred
    # edge drew it out or in): the step is looked for within EDGE_SHIFT_PX of it.
    near = np.max([np.abs(at(shift - EDGE_NEAR_PX)[0] - at(shift + EDGE_NEAR_PX)[0])
                   for shift in range(-EDGE_SHIFT_PX, EDGE_SHIFT_PX + 1)], axis=0)
    far = np.abs(far_in - far_out)
    steps = (far >= MIN_EDGE_CHANGE) & (near >= EDGE_STEP_SHARE * far)
    return steps.reshape(4, samples), (measured_in & measured_out).reshape(4, samples)


def without_edge(quad: np.ndarray, smooth: np.ndarray, samples: int = 12) -> bool:
    """Whether a (4, 2) outline clear of the frame's edge has no step in the smoothed map across most
    of its length, as paper has at its edge: the brighter middle a lens's fall-off of light leaves.
    An outline along the frame's edge (a sheet cut by it, the lit part of one beside a shadow) is left
    to the other tests: False, as where too little of the outline has room to be measured."""
    if any(quads.along_border(quad, smooth.shape[:2])):
        return False
    steps, measured = _steps(quad, smooth, samples)
    return measured.sum() >= samples and float(steps[measured].mean()) < MIN_STEP_SHARE


def open_sided(quad: np.ndarray, white: np.ndarray, samples: int = 12) -> bool:
    """Whether a sheet's (4, 2) outline that runs along the frame's edge, in a smoothed map of
    whiteness, has a side off the frame's edge with no step along most of its length: no paper's edge,
    nor a shadow's, but the light falling off over paper that fills the frame (its brighter part taken
    for a sheet cut by the frame), or an outline that missed the sheet's edge (a turned grid page
    larger than the frame, outlined as an octagon's rough quadrilateral). False for an outline clear of
    the frame's edge (without_edge is its test)."""
    inner = [not on for on in quads.along_border(quad, white.shape[:2])]
    if all(inner):
        return False
    steps, measured = _steps(quad, white, samples)
    return any(float(steps[k][measured[k]].mean()) < MIN_STEP_SHARE
               for k in range(4) if inner[k] and measured[k].sum() >= samples // 2)

"""A hard shadow's edge across a sheet on a desk (the phone's, the hand's), told from the sheet's own
edge: a sheet's edge ends at its corners, a shadow's goes on across the desk and darkens it by the
same factor as the paper. Lifting the shade by that factor shows the sheet whole (edge.page)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Continued past the side's corners onto the desk, the line's far side is at most this bright (median,
# of its near side's): a shadow's edge. Beyond a sheet's own corner the desk is alike on both sides.
MAX_SHADE = 0.85
# ... and across the side itself, the paper is shaded by the same factor, give or take this.
SHADE_AGREEMENT = 0.15
# The light is sampled this far either side of the line (of the map's longer side): past the soft
# edge of a shadow and the blur of a sheet's edge.
SAMPLE_OFFSET = 0.03
# The line is followed from a twentieth to this far past each corner (of the side's length).
REACH = 0.3
SAMPLES = 24  # points per stretch of line
MIN_SAMPLES = 8  # of them in the map on both sides of the line, for a stretch to count


@dataclass(frozen=True)
class Shade:
    """The half-plane beyond one side of a sheet's outline, and the share of the light it keeps."""

    normal: np.ndarray  # (2,) unit, pointing away from the sheet
    offset: float  # the line: normal . p == offset
    factor: float  # the shade's brightness over the light's, 0..1


def _across(image: np.ndarray, points: np.ndarray, normal: np.ndarray, distance: float
            ) -> tuple[float, float] | None:
    """The image's medians `distance` inside (towards the sheet) and outside a line through (N, 2)
    points, or None where too few pairs lie in the image."""
    h, w = image.shape[:2]
    inner, outer = points - distance * normal, points + distance * normal
    limit = np.float32([w - 1, h - 1])
    ok = ((inner >= 0) & (inner <= limit) & (outer >= 0) & (outer <= limit)).all(axis=1)
    if np.count_nonzero(ok) < MIN_SAMPLES:
        return None
    near = image[inner[ok, 1].astype(int), inner[ok, 0].astype(int)]
    far = image[outer[ok, 1].astype(int), outer[ok, 0].astype(int)]
    return float(np.median(near)), float(np.median(far))


def shaded_sides(paperness: np.ndarray, quad: np.ndarray) -> list[Shade]:
    """The sides of a sheet's (4, 2) outline, in a (H, W) uint8 map of how paper-like each pixel is,
    that are a shadow's edge: the line's stretches past both corners lie in the map and show the same
    step as the paper across the side (at most MAX_SHADE). (Past one corner only, a sheet's edge that
    runs on into the shade, where the desk is as much darker than the paper as the shade than the light,
    looks the same.)"""
    distance = SAMPLE_OFFSET * max(paperness.shape[:2])
    centre = quad.mean(axis=0)
    shades = []
    for a, b in zip(quad, np.roll(quad, -1, axis=0)):
        along = b - a
        length = float(np.hypot(*along))
        if length < 1:
            continue
        normal = np.float32([along[1], -along[0]]) / length
        if np.dot(normal, a - centre) < 0:
            normal = -normal
        stretches = [np.linspace(0.2, 0.8, SAMPLES), np.linspace(-REACH, -0.05, SAMPLES),
                     np.linspace(1.05, 1 + REACH, SAMPLES)]
        side, *ends = [_across(paperness, a + t[:, None].astype(np.float32) * along, normal, distance)
                       for t in stretches]
        if side is None or None in ends or side[0] < 1:
            continue
        on_paper = side[1] / side[0]
        on_desk = [far / max(near, 1.0) for near, far in ends]
        if on_paper <= MAX_SHADE and all(f <= MAX_SHADE and abs(f - on_paper) <= SHADE_AGREEMENT
                                         for f in on_desk):
            shades.append(Shade(normal, float(np.dot(normal, a)), on_paper))
    return shades


def lift(image: np.ndarray, shade: Shade) -> np.ndarray:
    """The (H, W[, C]) uint8 image with the shade's half-plane brightened by the light it lost."""
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    beyond = shade.normal[0] * xx + shade.normal[1] * yy > shade.offset
    gain = np.where(beyond, 1 / max(shade.factor, 0.1), 1.0).astype(np.float32)
    if image.ndim == 3:
        gain = gain[:, :, None]
    return np.clip(image * gain, 0, 255).astype(np.uint8)

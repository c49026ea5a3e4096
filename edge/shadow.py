"""A sheet on a desk with a hard shadow across it (the phone's, the hand's): the brightest region is
then the sheet's lit part only, and the whole sheet is outlined (with_shaded_part) above a lower
threshold, or, where the shaded paper is no brighter than the lit desk, with the shade lifted. The
shadow's edge is told from the sheet's own: a sheet's edge ends at its corners, a shadow's goes on
across the desk and darkens it by the same factor as the paper."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from edge import outline

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

# A sheet half in a shadow is outlined again above a lower threshold (with_shaded_part): the outline
# found there is the whole sheet's when it is at least this much larger than the lit part's ...
SHADED_PART_MIN_GAIN = 1.1
# ... and this many of the lit part's corners lie on its sides, within this share of the map's side.
SHARED_CORNERS = 4
CORNER_TOLERANCE = 0.03
# ... and it is paper (above the lower threshold) over this share of what it adds.
SHADED_PART_FILL = 0.9


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


def _whole_of(smooth: np.ndarray, image: np.ndarray, quad: np.ndarray, threshold: float) -> np.ndarray | None:
    """The outline above `threshold` when it is the whole sheet of which `quad` is the lit part: larger,
    with all of the lit part's corners on its sides (the shadow cuts the sheet, it does not shrink it),
    and paper throughout what it adds (not the light stripes of a wood grain joined to the sheet);
    else None. (A note on a mouse pad brighter than the desk: the pad's outline holds the note's, but
    none of its corners.)"""
    whole = outline.outline_above(smooth, image, threshold)
    if whole is None or cv2.contourArea(whole) < SHADED_PART_MIN_GAIN * cv2.contourArea(quad):
        return None
    if outline.corners_on(quad, whole, CORNER_TOLERANCE * max(smooth.shape[:2])) < SHARED_CORNERS:
        return None
    added = np.zeros(smooth.shape, np.uint8)
    cv2.fillConvexPoly(added, whole.astype(np.int32), 255)
    cv2.fillConvexPoly(added, quad.astype(np.int32), 0)
    shaded = cv2.countNonZero(cv2.bitwise_and(added, cv2.compare(smooth, threshold, cv2.CMP_GT)))
    return whole if shaded >= SHADED_PART_FILL * cv2.countNonZero(added) else None


def with_shaded_part(white: np.ndarray, image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The whole sheet where a hard shadow (the phone's, the hand's) falls across it, else `quad`: the
    brightest class of the map is then the sheet's lit part only. Where the shaded paper is still
    brighter than the desk, the darker pixels are split again (Otsu) and the sheet looked for above
    that; where it is not (a grey desk), a side of the lit part that is a shadow's edge (shaded_sides)
    has the shade beyond it lifted, and the sheet is looked for again."""
    smooth = outline.smoothed(white)
    darker = smooth[smooth <= outline.otsu(smooth)]
    whole = _whole_of(smooth, image, quad, outline.otsu(darker)) if darker.size > 1 else None
    for shade in [] if whole is not None else shaded_sides(smooth, quad):
        lifted = lift(smooth, shade)
        whole = _whole_of(lifted, lift(image, shade), quad, outline.otsu(lifted))
        if whole is not None:
            break
    return quad if whole is None else whole

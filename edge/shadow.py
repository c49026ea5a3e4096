"""A sheet on a desk with a hard shadow across it (the phone's, the hand's): the brightest region is
then the sheet's lit part only, and the whole sheet is outlined (with_shaded_part) above a lower
threshold, or, where the shaded paper is no brighter than the lit desk, with the shade lifted. The
shadow's edge is told from the sheet's own: a sheet's edge ends at its corners, a shadow's goes on
across the desk and darkens it by the same factor as the paper."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from edge import outline, quads
from edge.threshold import otsu

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
# ... and the lit part's corners lie on its sides, within this share of the map's side (all four, or,
# for a lit wedge whose tip the outline's opening cut short, three, the fourth on the shadow's edge) ...
CORNER_TOLERANCE = 0.03
# ... and it is paper (above the lower threshold) over this share of what it adds.
SHADED_PART_FILL = 0.9
# A lit part is a pentagon where the shadow's edge leaves the sheet by a side near its corner; outlined
# with four corners, the shadow's edge runs on past the sheet to meet the next side, and that corner
# lies outside the sheet: by at most this share of the lit part's area (4.2 % in a frame of seed 55
# where it did, the sheet's first outline, before its sides are re-fitted, a pixel or two inside).
MAX_PAST_SHARE = 0.05


@dataclass(frozen=True, eq=False)
class Shade:
    """The half-plane beyond one side of a sheet's outline, and the share of the light it keeps."""

    normal: np.ndarray  # (2,) unit, pointing away from the sheet
    offset: float  # the line: normal . p == offset
    factor: float  # the shade's brightness over the light's, 0..1
    # Seen going on past both corners of the side, not one only: where the desk is as much darker
    # than the paper as the shade than the light, a sheet's edge running on into the shade looks
    # the same as a shadow's past one corner.
    past_both_corners: bool
    # Seen going on past one corner, and past the other the line leaves the frame: a shadow's edge
    # running off the frame, or a sheet's edge running into the shade from the frame's edge.
    off_frame_past_one: bool = False
    side: int = 0  # the outline's side it lies beyond: from corner `side` to the next


def _medians(values: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Medians over the last axis of the values where `ok`: (..., N) -> (...); NaN where none is."""
    ranked = np.sort(np.where(ok, values, np.inf), axis=-1)
    count = ok.sum(axis=-1, keepdims=True)
    low = np.take_along_axis(ranked, np.maximum(count - 1, 0) // 2, axis=-1)
    high = np.take_along_axis(ranked, np.maximum(count, 1) // 2 - (count == 0), axis=-1)
    return np.where(count > 0, (low + high) / 2, np.nan)[..., 0]


def _light_across(paperness: np.ndarray, points: np.ndarray, normal: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The map's light either side of stretches of line: (..., SAMPLES, 2) points along them and the
    (..., 2) unit normals pointing beyond them -> the medians of the map SAMPLE_OFFSET of its longer side
    on the near side and beyond (...), over the points whose two samples both lie in the map, and how
    many do (...)."""
    h, w = paperness.shape[:2]
    offset = SAMPLE_OFFSET * max(h, w) * normal[..., None, :]
    inner, outer = points - offset, points + offset
    limit = np.float32([w - 1, h - 1])
    ok = ((inner >= 0) & (inner <= limit) & (outer >= 0) & (outer <= limit)).all(axis=-1)
    inner, outer = np.clip(inner, 0, limit).astype(int), np.clip(outer, 0, limit).astype(int)
    near = _medians(paperness[inner[..., 1], inner[..., 0]].astype(np.float32), ok)
    far = _medians(paperness[outer[..., 1], outer[..., 0]].astype(np.float32), ok)
    return near, far, ok.sum(axis=-1)


def shaded_sides(paperness: np.ndarray, quad: np.ndarray) -> list[Shade]:
    """The sides of a sheet's (N, 2) convex outline (a quadrilateral, or a lit part's pentagon), in a
    (H, W) uint8 map of how paper-like each pixel is, that may be a shadow's edge: the paper across the
    side is darker beyond it (at most MAX_SHADE), and the line, past one of its corners at least, shows
    the same step on the desk. All sides' three stretches of line are sampled at once."""
    along = np.roll(quad, -1, axis=0) - quad  # (N, 2): each side, from its first corner
    length = np.maximum(np.hypot(along[:, 0], along[:, 1]), 1e-6)
    normal = np.stack([along[:, 1], -along[:, 0]], axis=1) / length[:, None]
    normal *= np.where(((quad - quad.mean(axis=0)) * normal).sum(axis=1) < 0, -1.0, 1.0)[:, None]  # outwards
    # Across the side's middle, then on past its first and its second corner: (3, SAMPLES).
    t = np.stack([np.linspace(0.2, 0.8, SAMPLES), np.linspace(-REACH, -0.05, SAMPLES),
                  np.linspace(1.05, 1 + REACH, SAMPLES)])
    points = quad[:, None, None] + t[None, :, :, None] * along[:, None, None]  # (N, 3, SAMPLES, 2)
    near, far, in_map = _light_across(paperness, points, normal[:, None])  # (N, 3) each
    counted = (in_map >= MIN_SAMPLES) & (near >= 1)  # (N, 3)
    step = far / np.maximum(near, 1.0)  # (N, 3): on the paper, then on the desk past each corner
    on_paper = counted[:, 0] & (step[:, 0] <= MAX_SHADE) & (length >= 1)
    goes_on = (counted[:, 1:] & (step[:, 1:] <= MAX_SHADE)
               & (np.abs(step[:, 1:] - step[:, :1]) <= SHADE_AGREEMENT))
    off_frame = in_map[:, 1:] < MIN_SAMPLES  # (N, 2): past that corner the frame ends
    return [Shade(normal[k], float(normal[k] @ quad[k]), float(step[k, 0]), bool(goes_on[k].all()),
                  bool((goes_on[k] | off_frame[k]).all() and not goes_on[k].all()), int(k))
            for k in np.flatnonzero(on_paper & goes_on.any(axis=1))]


def lift(image: np.ndarray, shade: Shade) -> np.ndarray:
    """The (H, W[, C]) uint8 image with the shade's half-plane brightened by the light it lost."""
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    beyond = shade.normal[0] * xx + shade.normal[1] * yy > shade.offset
    gain = np.where(beyond, 1 / max(shade.factor, 0.1), 1.0).astype(np.float32)
    if image.ndim == 3:
        gain = gain[:, :, None]
    return np.clip(image * gain, 0, 255).astype(np.uint8)


def _whole_of(smooth: np.ndarray, image: np.ndarray, quad: np.ndarray, threshold: float, shades: list[Shade],
              to_frame_edge: bool = True) -> np.ndarray | None:
    """The outline above `threshold` when it is the whole sheet of which `quad` is the lit part (_holds),
    else None; without `to_frame_edge`, one that runs further along the frame's edge than the lit part
    does (by more than CORNER_TOLERANCE) is not: lit desk joined to the sheet reaches the frame's edge
    beside it, on a new side or on one the sheet is cut by."""
    shape = smooth.shape[:2]
    reach = quads.length_on_frame_border(quad, shape) + CORNER_TOLERANCE * max(shape)

    def whole_sheet(whole: np.ndarray) -> bool:
        return _holds(whole, quad, smooth, threshold, shades) and (
            to_frame_edge or quads.length_on_frame_border(whole, shape) <= reach)
    return outline.outline_above(smooth, image, threshold, whole_sheet)


def _holds(whole: np.ndarray, quad: np.ndarray, smooth: np.ndarray, threshold: float, shades: list[Shade]
           ) -> bool:
    """Whether an outline is the whole sheet of which `quad` is the lit part: larger, with the lit
    part's corners on its sides (the shadow cuts the sheet, it does not shrink it; _cut_short allows
    one inside, _run_past one just outside), and paper throughout what it adds (not the light stripes
    of a wood grain joined to the sheet). (A note on a mouse pad brighter than the desk: the pad's
    outline holds the note's, but none of its corners.)"""
    if cv2.contourArea(whole) < SHADED_PART_MIN_GAIN * cv2.contourArea(quad):
        return False
    shape = smooth.shape[:2]
    tolerance = CORNER_TOLERANCE * max(shape)
    inside = quads.distances_inside(quad, whole)
    if ((np.abs(inside) > tolerance).any() and not _cut_short(quad, whole, inside, shades, tolerance, shape)
            and not _run_past(quad, whole, inside, shades, tolerance, shape)):
        return False
    added = np.zeros(smooth.shape, np.uint8)
    cv2.fillConvexPoly(added, whole.astype(np.int32), 255)
    cv2.fillConvexPoly(added, quad.astype(np.int32), 0)
    shaded = cv2.countNonZero(cv2.bitwise_and(added, cv2.compare(smooth, threshold, cv2.CMP_GT)))
    return shaded >= SHADED_PART_FILL * cv2.countNonZero(added)


def _off_corner(quad: np.ndarray, whole: np.ndarray, inside: np.ndarray, shades: list[Shade],
                tolerance: float, shape: tuple[int, int]) -> int | None:
    """The one corner of a lit part off the sides of the sheet `whole` (`inside`: each corner's distance
    from them, positive inside), where the other three lie on them, that corner ends a shaded side (a
    shadow's edge), and the sheet runs along no more sides of the frame's edge than the lit part: its
    index, else None. The lit desk joined to the sheet holds three corners of its lit part too, the
    fourth on a side of the sheet that is darker beyond: it runs to the frame's edge, which a sheet
    adds to its lit part's sides nowhere."""
    on_side = np.abs(inside) <= tolerance
    along_edge = quads.sides_on_frame_border(whole, shape) > quads.sides_on_frame_border(quad, shape)
    if on_side.sum() != 3 or along_edge:
        return None
    off = int(np.flatnonzero(~on_side)[0])
    return off if any(abs(s.normal @ quad[off] - s.offset) <= tolerance for s in shades) else None


def _cut_short(quad: np.ndarray, whole: np.ndarray, inside: np.ndarray, shades: list[Shade], tolerance: float,
               shape: tuple[int, int]) -> bool:
    """Whether a lit part is a wedge of the sheet `whole` whose tip, narrower than the outline's opening,
    was cut short: no sheet's shape but convex, its corner off the sheet's sides (_off_corner) inside it."""
    if (quads.sheet_shaped(quad) or cv2.contourArea(quad) <= 0
            or not cv2.isContourConvex(quad.reshape(-1, 1, 2).astype(np.float32))):
        return False
    off = _off_corner(quad, whole, inside, shades, tolerance, shape)
    return off is not None and bool(inside[off] > 0)


def _run_past(quad: np.ndarray, whole: np.ndarray, inside: np.ndarray, shades: list[Shade], tolerance: float,
              shape: tuple[int, int]) -> bool:
    """Whether a lit part's outline ran on past the sheet `whole` along the shadow's edge: its corner off
    the sheet's sides (_off_corner) outside it, the lit part beyond the sheet at most MAX_PAST_SHARE of it."""
    off = _off_corner(quad, whole, inside, shades, tolerance, shape)
    if off is None or inside[off] >= 0:
        return False
    lit, sheet = quad.astype(np.float32), whole.astype(np.float32)
    if not (cv2.isContourConvex(lit.reshape(-1, 1, 2)) and cv2.isContourConvex(sheet.reshape(-1, 1, 2))):
        return False  # the share beyond is measured between convex outlines only
    area = cv2.contourArea(lit)
    common, _ = cv2.intersectConvexConvex(lit, sheet)
    return area > 0 and common >= (1 - MAX_PAST_SHARE) * area


def with_shaded_part(white: np.ndarray, image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The whole sheet where a hard shadow (the phone's, the hand's) falls across it, else `quad`: the
    brightest class of the map is then the sheet's lit part only, and a side of it is a shadow's edge
    (shaded_sides; a sheet on a clipboard a little larger has none, and stays the sheet). Where the
    shaded paper is still brighter than the desk, the darker pixels are split again (Otsu) and the sheet
    looked for above that; where it is not (a grey desk), the shade beyond a side seen going on past
    both its corners is lifted, and the sheet looked for again. A side seen going on past one corner,
    the frame ending past the other, is lifted too, but what is found then must not run further along
    the frame's edge than the lit part: lifting the desk beyond a sheet's own edge takes the lit desk
    to the frame's edge with the sheet."""
    smooth = outline.smoothed(white)
    shades = shaded_sides(smooth, quad)
    if not shades:
        return quad
    darker = smooth[smooth <= otsu(smooth)]
    two_shades = darker.size > 1 and darker.min() < darker.max()  # else Otsu has nothing to split
    whole = _whole_of(smooth, image, quad, otsu(darker), shades) if two_shades else None
    liftable = [s for s in shades if s.past_both_corners or s.off_frame_past_one]
    for shade in [] if whole is not None else liftable:
        lifted = lift(smooth, shade)
        whole = _whole_of(lifted, lift(image, shade), quad, otsu(lifted), shades,
                          to_frame_edge=shade.past_both_corners)
        if whole is not None:
            break
    return quad if whole is None else whole


# A shadow that cuts a corner off the sheet leaves a lit part of five sides, which an outline of four
# corners cuts short across the sheet (a lit part's pentagon whose fifth corner lies near the frame's edge
# lost the shaded writing: the shadow condition, seed 7, frame 2, read 0 of 21). Where the lit part's hull
# simplifies to five corners (at CORNER_CUT_EPSILONS of its perimeter) and one side is a shadow's edge
# (shaded_sides: darker beyond, going on so across the desk) the two sides beside it run on until they
# meet, at the sheet's shaded corner, cutting off MIN_CUT_SHARE to MAX_CUT_SHARE of the lit part's area
# (less is a sheet's own corner bent or cut, and little writing: desk_05 brightened by benchmarks.perturb,
# its top right corner grown by 0.5 % onto the desk, read 2 spurious digits off a roll of tape), and where
# they run on in the frame the map is darker beyond them (_darker_beyond): the sheet's own edges, not a
# shadow's edge bending (a sheet in a wedge of shade: seed 55, frame 12).
CORNER_CUT_EPSILONS = (0.02, 0.03)
# Where the shadow's edge crosses the sheet's, the lit pentagon's corners are obtuse (seed 7, frame 2:
# 144 and 129 degrees); a sheet's own corner is square. A side ending at one under MIN_CUT_ANGLE is the
# sheet's edge running on into the shade (shaded_sides takes it for a shadow's too), and its neighbours run
# on pulled the shadow's edge across the desk (a review's 520 frames of torn, dog-eared and shaded sheets,
# phones over a corner, sheets the frame cuts: 9,584 digits right with 73 spurious without it, 9,589 with
# 63 with it; 9,516 with 72 before with_cut_corner).
MIN_CUT_ANGLE = 110.0
MIN_CUT_SHARE = 0.05
MAX_CUT_SHARE = 0.6


def _darker_beyond(smooth: np.ndarray, a: np.ndarray, b: np.ndarray, centre: np.ndarray) -> bool | None:
    """Whether the map is darker beyond the stretch of line from a to b (away from `centre`) than on its
    near side, by MAX_SHADE at most (medians of SAMPLES points SAMPLE_OFFSET of the map's longer side
    either side of it); None where fewer than MIN_SAMPLES lie in the map on both sides."""
    along = b - a
    normal = np.float32([along[1], -along[0]]) / max(float(np.linalg.norm(along)), 1e-6)
    if normal @ (a - centre) < 0:
        normal = -normal
    points = a + np.linspace(0.1, 0.9, SAMPLES, dtype=np.float32)[:, None] * along
    near, far, in_map = _light_across(smooth, points, normal)
    if in_map < MIN_SAMPLES:
        return None
    return float(far) <= MAX_SHADE * max(float(near), 1.0)


def with_cut_corner(smooth: np.ndarray, contour: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The whole sheet where a shadow cuts a corner off it, its lit part the region of `contour` (a map's
    largest bright region, outlined as `quad`), in the smoothed map of how paper-like each pixel is; else
    `quad`."""
    five = quads.simplified_hull(contour, 5, CORNER_CUT_EPSILONS)
    if five is None:
        return quad
    shape, centre = smooth.shape[:2], five.mean(axis=0)
    lit_area = cv2.contourArea(five)
    on_border = quads.along_border(five, shape)
    angles = quads.corner_angles(five)
    for shade in shaded_sides(smooth, five):
        k = shade.side
        a, b = five[k], five[(k + 1) % 5]
        if on_border[k] or min(angles[k], angles[(k + 1) % 5]) < MIN_CUT_ANGLE:
            continue
        corner = quads.intersect(quads.line_between(five[k - 1], a),
                                   quads.line_between(five[(k + 2) % 5], b))
        if corner is None or float(shade.normal @ corner) <= shade.offset:
            continue
        cut = cv2.contourArea(np.stack([a, corner, b]))
        if not MIN_CUT_SHARE * lit_area <= cut <= MAX_CUT_SHARE * lit_area:
            continue
        beyond = [_darker_beyond(smooth, a, corner, centre), _darker_beyond(smooth, b, corner, centre)]
        if False in beyond or beyond == [None, None]:
            continue
        whole = quads.order_corners(np.stack([corner, *(five[(k + j) % 5] for j in (2, 3, 4))]))
        whole = quads.refine_quadrilateral(whole, contour.reshape(-1, 2).astype(np.float32), shape)
        if quads.sheet_shaped(whole) and not quads.far_past_frame(whole, shape):
            return whole
    return quad

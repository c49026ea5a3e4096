"""Finding the sheet of paper on a desk, and looking at it square-on at a useful resolution."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from edge import outline, preprocess, shadow

# The page is looked for on a halving of the frame 240 to 480 px long: it is the
# largest thing in view. (benchmarks: 0.9 ms of a 640x480 frame's 4.5 ms, Intel(R)
# Xeon(R) Processor, 2 cores, one used; the halvings of a 12-MP photo are shared with the warp.)
PAGE_SEARCH_SIDE_PX = 240
# A note is looked for only where the brightest twentieth of the frame is this much brighter (luma)
# than the upper quarter of its edge: 26 to 195 in the 60 note frames of seeds 7 and 101, 3 to 19
# in the benchmark's 8 camera frames (paper to the frame's edge, a shadow across).
MIN_NOTE_LIFT = 22
# A note is looked for on a halving 120 to 240 px long: the search costs 0.25 ms there on a camera
# frame (Intel(R) Xeon(R) Processor, one core), where 240 px holds four times the pixels, and a
# camera frame's budget is 3 ms.
NOTE_SEARCH_SIDE_PX = 120
MIN_PAGE_AREA = 0.08  # of the frame: smaller bright things are labels, screens, lights
MAX_PAGE_AREA = 0.92  # larger: the paper fills the frame and there is no desk to cut away
# The paper must be this much whiter (min of B, G, R, 0..255) than what surrounds it.
MIN_PAGE_CONTRAST = 35.0
# And this much brighter (luma, 0..255): kraft paper on a grey desk is no whiter than the desk, but
# brighter (the notes whiteness missed in 30 note frames of seed 7: their bright regions' luma 35 to
# 96 above the rest).
MIN_PAGE_BRIGHTER = 15.0
# The bright region must fill its quadrilateral this well: a sheet is a flat rectangle.
MIN_RECTANGULARITY = 0.85
# Ink is inset from the page's edge by at least this (fraction of the page's shorter side):
# the paper's own edge, its shadow and the desk just beyond are cut away.
PAGE_INSET = 0.012
# A page whose longer side is seen shorter than this is enlarged to it before reading.
MIN_PAGE_SIDE_PX = 900
BEYOND_MAP_SHRINK = 2  # the frame's outline, looked up on the page, from a map this much smaller
FILLED_EDGE = 0.9  # of an edge of the frame that is paper: the sheet runs along it
MAX_CORNER_OUTSIDE = 0.25  # of the frame's size: how far past its edge a sheet's corner may lie
# A sheet half in a shadow is outlined again above a lower threshold (_with_shaded_part): the outline
# found there is the whole sheet's when it is at least this much larger than the lit part's ...
SHADED_PART_MIN_GAIN = 1.1
# ... and this many of the lit part's corners lie on its sides, within this share of the map's side.
SHARED_CORNERS = 4
CORNER_TOLERANCE = 0.03
# ... and it is paper (above the lower threshold) over this share of what it adds.
SHADED_PART_FILL = 0.9


@dataclass(frozen=True)
class Page:
    """A sheet found in a frame: its corners in the frame's pixels, top-left first, clockwise."""

    corners: np.ndarray  # (4, 2) float32: tl, tr, br, bl

    @property
    def native_size(self) -> tuple[int, int]:
        """(width, height) of the page seen square-on at the frame's own resolution."""
        tl, tr, br, bl = self.corners
        width = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
        height = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
        return max(1, int(round(width))), max(1, int(round(height)))


def whiteness(frame: np.ndarray) -> np.ndarray:
    """How paper-like each pixel is: (H, W[, 3]) uint8 -> (H, W) uint8, the darkest channel.

    White and cream paper is bright in every channel, even under warm light;
    wood, leather, tiles and coloured desks are dark or saturated, so one
    channel at least is low. (Penalising all colour, 2 min - max, lost three
    of the six desk sheets: paper under warm light is not grey.)
    """
    if frame.ndim == 2:
        return frame
    # Split first: OpenCV copies a strided channel view on every call (0.04 against 0.085 ms on
    # 320x240, AMD EPYC, one core).
    blue, green, red = cv2.split(frame)
    return cv2.min(cv2.min(blue, green), red)


def _ring(image: np.ndarray, width: int = 2) -> np.ndarray:
    """The pixels along the image's four edges, `width` deep: (N, channels)."""
    channels = image.shape[2] if image.ndim == 3 else 1
    return np.concatenate([image[:width].reshape(-1, channels), image[-width:].reshape(-1, channels),
                           image[:, :width].reshape(-1, channels), image[:, -width:].reshape(-1, channels)])


def _quantile(values: np.ndarray, q: float) -> int:
    """The q-quantile of uint8 values, by partition (np.percentile costs 0.08 ms a call here)."""
    flat = values.ravel()
    k = int(q * (flat.size - 1))
    return int(np.partition(flat, k)[k])


def unlike_desk(frame: np.ndarray) -> np.ndarray:
    """How far each pixel's colour is from the desk's: (H, W, 3) uint8 -> (H, W) uint8, the sum of
    the channels' distances from the median colour of the frame's outer ring (the desk, where a
    sheet lies on one). A coloured note is dark in one channel, so its whiteness is a grey desk's;
    it differs from the desk in brightness (yellow) or in colour (brown kraft paper, no whiter than
    a grey desk)."""
    desk = np.median(_ring(frame), axis=0).astype(np.uint8)
    distance = cv2.absdiff(frame, np.broadcast_to(desk, frame.shape).copy())
    return cv2.transform(distance, np.ones((1, 3), np.float32))  # saturates at 255


def _find_note(image: np.ndarray) -> np.ndarray | None:
    """The corners of a note unlike the desk it lies on, in a small BGR image, or None. Only where
    the frame's edge is darker than its brightest part: a sheet filling the frame, its edge paper,
    holds no note (and the search is not paid for on every camera frame)."""
    luma = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if _quantile(luma[::2, ::2], 0.95) - _quantile(_ring(luma), 0.75) < MIN_NOTE_LIFT:
        return None
    return sheet_outline(unlike_desk(image), image)


def _edges_of_paper(mask: np.ndarray) -> int:
    """How many edges of the frame are paper (at least FILLED_EDGE of them) in a 0/255 mask."""
    edges = (mask[0], mask[-1], mask[:, 0], mask[:, -1])
    return sum(cv2.countNonZero(edge) > FILLED_EDGE * edge.size for edge in edges)


def sheet_outline(paperness: np.ndarray, image: np.ndarray) -> np.ndarray | None:
    """The (4, 2) corners of the one large quadrilateral standing out from its surroundings in a
    small map of how paper-like each pixel is, and brighter than they are in the BGR or grey image
    the map is of (a dark phone on a sheet that fills the frame is unlike the paper around it too),
    or None."""
    smooth = _smoothed(paperness)
    threshold, _ = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return _outline_above(smooth, image, threshold)


def _smoothed(paperness: np.ndarray) -> np.ndarray:
    """The map with ink and desk grain washed out by a median."""
    # Without it, speckle on a glossy desk joins the sheet to a glare beside it, and the outline
    # takes in the glare (desk_01's corner went past the frame's edge, and its page came out square).
    # Twice 3x3, not once 5x5: 0.03 against 0.125 ms on 320x240 (Intel(R) Xeon(R) Processor, one
    # core); the desk photos and the desk and note conditions read the same.
    return cv2.medianBlur(cv2.medianBlur(paperness, 3), 3)


def _outline_above(smooth: np.ndarray, image: np.ndarray, threshold: float) -> np.ndarray | None:
    """sheet_outline() of the region of a smoothed map above a threshold."""
    _, mask = cv2.threshold(smooth, threshold, 255, cv2.THRESH_BINARY)
    side = max(smooth.shape[:2])
    close, cut = max(5, round(0.025 * side)) | 1, max(7, round(0.05 * side)) | 1
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((close, close), np.uint8))
    # An opening cuts the bridges by which a page touches a glare on the desk or
    # another sheet, which would otherwise drag one corner of its outline away.
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((cut, cut), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(contour)
    sh, sw = smooth.shape[:2]
    if not MIN_PAGE_AREA <= area / (sh * sw) <= MAX_PAGE_AREA:
        return None
    # The region's outline must be a sheet's: a filled quadrilateral, and (unlike a sheet that
    # fills the frame with a shadow across it) off the frame's edge on two sides at least.
    quad = outline.order_corners(outline.quadrilateral(contour))
    quad_area = cv2.contourArea(quad)
    if (quad_area <= 0 or area / quad_area < MIN_RECTANGULARITY
            or outline.sides_on_frame_border(quad, (sh, sw)) > 2):
        return None
    quad = outline.refine_quadrilateral(quad, contour.reshape(-1, 2).astype(np.float32))
    # A sheet cut by the frame's edge has corners beyond it; far beyond is a bad fit.
    slack = MAX_CORNER_OUTSIDE * np.float32([sw, sh])
    if (quad < -slack).any() or (quad > np.float32([sw, sh]) + slack).any():
        return None
    inside = np.zeros((sh, sw), np.uint8)
    cv2.fillConvexPoly(inside, quad.astype(np.int32), 255)
    outside = cv2.bitwise_not(inside)
    paper, surroundings = cv2.mean(smooth, inside)[0], cv2.mean(smooth, outside)[0]
    luma = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    brighter = cv2.mean(luma, inside)[0] - cv2.mean(luma, outside)[0]
    return quad if paper - surroundings >= MIN_PAGE_CONTRAST and brighter >= MIN_PAGE_BRIGHTER else None


def _otsu(values: np.ndarray) -> float:
    """Otsu's threshold of uint8 values of any shape."""
    threshold, _ = cv2.threshold(values.reshape(1, -1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return threshold


def _whole_of(smooth: np.ndarray, image: np.ndarray, quad: np.ndarray, threshold: float) -> np.ndarray | None:
    """The outline above `threshold` when it is the whole sheet of which `quad` is the lit part: larger,
    with all of the lit part's corners on its sides (the shadow cuts the sheet, it does not shrink it),
    and paper throughout what it adds (not the light stripes of a wood grain joined to the sheet);
    else None. (A note on a mouse pad brighter than the desk: the pad's outline holds the note's, but
    none of its corners.)"""
    whole = _outline_above(smooth, image, threshold)
    if whole is None or cv2.contourArea(whole) < SHADED_PART_MIN_GAIN * cv2.contourArea(quad):
        return None
    if outline.corners_on(quad, whole, CORNER_TOLERANCE * max(smooth.shape[:2])) < SHARED_CORNERS:
        return None
    added = np.zeros(smooth.shape, np.uint8)
    cv2.fillConvexPoly(added, whole.astype(np.int32), 255)
    cv2.fillConvexPoly(added, quad.astype(np.int32), 0)
    shaded = cv2.countNonZero(cv2.bitwise_and(added, cv2.compare(smooth, threshold, cv2.CMP_GT)))
    return whole if shaded >= SHADED_PART_FILL * cv2.countNonZero(added) else None


def _with_shaded_part(white: np.ndarray, image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The whole sheet where a hard shadow (the phone's, the hand's) falls across it, else `quad`: the
    brightest class of the map is then the sheet's lit part only. Where the shaded paper is still
    brighter than the desk, the darker pixels are split again (Otsu) and the sheet looked for above
    that; where it is not (a grey desk), a side of the lit part that is a shadow's edge (edge.shadow)
    has the shade beyond it lifted, and the sheet is looked for again."""
    smooth = _smoothed(white)
    darker = smooth[smooth <= _otsu(smooth)]
    whole = _whole_of(smooth, image, quad, _otsu(darker)) if darker.size > 1 else None
    for shade in [] if whole is not None else shadow.shaded_sides(smooth, quad):
        lifted = shadow.lift(smooth, shade)
        whole = _whole_of(lifted, shadow.lift(image, shade), quad, _otsu(lifted))
        if whole is not None:
            break
    return quad if whole is None else whole


def _scale_of(level: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """(x, y) scale of a halving of the frame: an odd side loses a pixel, so the two differ a little."""
    return np.float32([level.shape[1] / frame.shape[1], level.shape[0] / frame.shape[0]])


def find_page(frame: np.ndarray, pyramid: preprocess.Pyramid | None = None) -> Page | None:
    """The sheet of paper lying in the frame, or None when no sheet stands out from its surroundings.

    None means the paper fills the frame (or there is no paper): read the frame as it is.
    A shadow across a page that fills the frame is not a page edge: a page is
    surrounded by something darker on at least two of its sides. The sheet is looked for
    by its whiteness (white paper on wood, under warm light), then by how unlike the desk
    it is (a coloured note on a grey desk).
    """
    pyramid = pyramid or preprocess.Pyramid(frame)
    small = pyramid.below(PAGE_SEARCH_SIDE_PX)  # 240 to 480 px, fast
    white = whiteness(small)
    _, paper = cv2.threshold(white, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if _edges_of_paper(paper) >= 3:  # a sheet that fills the frame (most camera frames): no page to cut out
        return None
    quad = sheet_outline(white, small)
    if quad is not None:
        quad = _with_shaded_part(white, small, quad)
        # The lit part of a sheet that a shadow cuts into a triangle is no page.
        if not outline.sheet_shaped(quad):
            quad = None
    if quad is not None:
        return Page(quad / _scale_of(small, frame))
    # Not a white sheet: a coloured note (or a sheet half in shadow), looked for by how unlike the desk
    # it is, on a halving of this size.
    if small.ndim == 3:
        smaller = pyramid.below(NOTE_SEARCH_SIDE_PX)
        note = _find_note(smaller)
        if note is not None and outline.sheet_shaped(note):
            return Page(note / _scale_of(smaller, frame))
    return None


def reading_scale(longest_px: float, max_side_px: int) -> float:
    """The scale at which a page whose longer side is longest_px is read: that side at most
    max_side_px, and a page seen small (a sticky note, a sheet far off) enlarged to MIN_PAGE_SIDE_PX:
    its digits are then a dozen pixels tall or less, and a threshold at that size merges their strokes."""
    return min(max_side_px / longest_px, max(1.0, MIN_PAGE_SIDE_PX / longest_px))


def rectified_scale(page: Page, max_side_px: int) -> float:
    """The scale of the frame at which a page found in it is read (reading_scale)."""
    return reading_scale(max(page.native_size), max_side_px)


def rectify(source: np.ndarray, page: Page, max_side_px: int, source_scale: float = 1.0
            ) -> tuple[np.ndarray, np.ndarray]:
    """The page seen square-on, its longer side at most max_side_px.

    Args:
      source: the frame, or a halving of it (preprocess.Pyramid) at `source_scale`; grey
        or BGR. A source no larger than the page's scale makes the warp enlarge only:
        a linear warp that shrinks skips pixels, and a thin pen with them.
    Returns:
      (h, w[, 3]) uint8 rectified page, and the (3, 3) homography from page pixels back to the frame's.
    """
    width, height = page.native_size
    scale = rectified_scale(page, max_side_px)
    out_w, out_h = max(1, round(width * scale)), max(1, round(height * scale))
    target = np.float32([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]])
    forward = cv2.getPerspectiveTransform((page.corners * source_scale).astype(np.float32), target)
    # Where the sheet runs past the frame's edge there is nothing to see: white, never ink.
    white = (255,) * (source.shape[2] if source.ndim == 3 else 1)
    rectified = cv2.warpPerspective(source, forward, (out_w, out_h), flags=cv2.INTER_LINEAR,
                                    borderMode=cv2.BORDER_CONSTANT, borderValue=white)
    back = np.diag([1 / source_scale, 1 / source_scale, 1.0]) @ np.linalg.inv(forward)
    return rectified, back


def inset_px(shape: tuple[int, ...]) -> int:
    """Pixels along a rectified page's edge where no ink is looked for."""
    return max(2, int(round(PAGE_INSET * min(shape[:2]))))


def map_points(points: np.ndarray, homography: np.ndarray) -> np.ndarray:
    """(N, 2) points through a (3, 3) homography."""
    if len(points) == 0:
        return points.reshape(0, 2).astype(np.float32)
    return cv2.perspectiveTransform(points.reshape(-1, 1, 2).astype(np.float32), homography).reshape(-1, 2)


def beyond_frame(page: Page, frame_shape: tuple[int, ...], back: np.ndarray, page_shape: tuple[int, ...],
                 band_px: int) -> np.ndarray | None:
    """Where the rectified page (page_shape, `back` its homography to the frame) lies beyond the
    frame's edge or within band_px of it: (h, w) 0/255, or None for a page wholly in view.

    A sheet cut by the frame's edge is cut in the middle of its paper: what reaches that edge
    (a digit cut in half, the end of a margin line) is no whole digit.
    """
    h, w = frame_shape[:2]
    corners = page.corners
    if (corners >= 0).all() and (corners[:, 0] <= w - 1).all() and (corners[:, 1] <= h - 1).all():
        return None
    # Each page pixel looked up in a small map of the frame (the frame's corners mapped onto the
    # page instead would fold over where a steep view puts one past the desk's horizon).
    small = (max(1, h // BEYOND_MAP_SHRINK), max(1, w // BEYOND_MAP_SHRINK))
    to_small = np.diag([small[1] / w, small[0] / h, 1.0]) @ back
    in_view = cv2.warpPerspective(np.full(small, 255, np.uint8), to_small, page_shape[1::-1],
                                  flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP, borderValue=0)
    return cv2.dilate(cv2.bitwise_not(in_view), np.ones((2 * band_px + 1, 2 * band_px + 1), np.uint8))


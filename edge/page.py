"""Finding the sheet of paper on a desk, and looking at it square-on at a useful resolution."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from edge import cut_sheet, note, outline, preprocess, quads, shadow, steps

# The page is looked for on a halving of the frame 240 to 480 px long: it is the
# largest thing in view. (benchmarks: 0.9 ms of a 640x480 frame's 4.5 ms, Intel(R)
# Xeon(R) Processor, 2 cores, one used; the halvings of a 12-MP photo are shared with the warp.)
PAGE_SEARCH_SIDE_PX = 240
# Ink is inset from the page's edge by at least this (fraction of the page's shorter side):
# the paper's own edge, its shadow and the desk just beyond are cut away.
PAGE_INSET = 0.012
# A page whose longer side is seen shorter than this is enlarged to it before reading.
MIN_PAGE_SIDE_PX = 900
BEYOND_MAP_SHRINK = 2  # the frame's outline, looked up on the page, from a map this much smaller
FILLED_EDGE = 0.9  # of an edge of the frame that is paper: the sheet runs along it
# Paper along the frame's edge may be a pale desk: where the paper-like class splits again into parts
# this far apart (mean luma, 0..255) and the brighter part lies clear of the frame's edge (less than
# this share of its outer ring), something brighter lies on the desk. (Paper filling the frame with a
# light gradient or a shadow across it: its lit part runs along the edge.)
BRIGHTER_WITHIN = 70
MIN_BRIGHTEST_ON_EDGE = 0.05
# A sheet on a lit or pale part of the desk is found as that part (edge.page._sheet_within): the
# brighter part inside it is judged by a band this wide inside its outline (of the map's longer side),
# and outlined down to this share of the map, as it may be the lit part only of a sheet half in a
# hard shadow (edge.shadow then takes in the rest).
INNER_BAND = 0.03
MIN_BRIGHTER_PART_AREA = 0.02


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
    # Each row's channels side by side, eroded by three across: the middle (green) one of each pixel
    # then holds the least of its three. 0.053 against 0.119 ms for splitting the channels and taking
    # their least (320x240, Intel(R) Xeon(R) Processor, one thread, timeit of mine); the same pixels.
    h, w = frame.shape[:2]
    least = cv2.erode(frame.reshape(h, 3 * w), _ACROSS_CHANNELS)
    return np.ascontiguousarray(least[:, 1::3])


_ACROSS_CHANNELS = np.ones((1, 3), np.uint8)


def _edges_of_paper(mask: np.ndarray) -> int:
    """How many edges of the frame are paper (at least FILLED_EDGE of them) in a 0/255 mask."""
    edges = (mask[0], mask[-1], mask[:, 0], mask[:, -1])
    return sum(cv2.countNonZero(edge) > FILLED_EDGE * edge.size for edge in edges)


def _brighter_split(counts: np.ndarray) -> int | None:
    """Otsu's split of a 256-bin histogram when its two classes lie BRIGHTER_WITHIN apart or more in
    mean: the level above which the brighter part lies. Else None."""
    total = counts.sum()
    if total < 2:
        return None
    levels = np.arange(256, dtype=np.float64)
    below, mass = np.cumsum(counts)[:-1], np.cumsum(counts * levels)[:-1]  # the class at or below t
    above = total - below
    with np.errstate(divide="ignore", invalid="ignore"):
        lower, upper = mass / below, (mass[-1] + counts[-1] * 255 - mass) / above
        spread = np.where((below > 0) & (above > 0), below * above * (upper - lower) ** 2, -1.0)
    split = int(np.argmax(spread))  # Otsu's threshold: the class above it is the brighter part
    if spread[split] < 0 or upper[split] - lower[split] < BRIGHTER_WITHIN:
        return None
    return split


def _histogram(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(256,) float64 counts of uint8 values where a 0/255 mask of the same shape is set."""
    return cv2.calcHist([np.ascontiguousarray(values)], [0], np.ascontiguousarray(mask), [256], [0, 256]
                        ).ravel().astype(np.float64)


def _brighter_clear_of_edge(paper: np.ndarray, image: np.ndarray) -> bool:
    """Whether the paper-like class of a small map of whiteness (`paper`, 0/255), split again in
    brightness (luma of the BGR or grey image the map is of), has a part BRIGHTER_WITHIN brighter than
    the rest lying clear of the frame's edge (less than MIN_BRIGHTEST_ON_EDGE of its outer ring): a pale
    desk with a note on it, not paper filling the frame, whose lit part runs along the edge. (A yellow
    note is no whiter than a grey desk, but brighter.) From the class's luma histogram: it runs on
    nearly every camera frame, on every other pixel (0.04 against 0.14 ms for all of a 320x240 map,
    Intel(R) Xeon(R) Processor, one core)."""
    luma = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    counts = _histogram(luma[::2, ::2], paper[::2, ::2])
    ring = note.ring(luma)
    # Nothing on the paper is that much brighter than the frame's edge (most camera frames): done.
    if counts.sum() < 2 or np.flatnonzero(counts)[-1] - note.quantile(ring, 0.5) < BRIGHTER_WITHIN:
        return False
    split = _brighter_split(counts)
    return split is not None and np.count_nonzero(ring > split) < MIN_BRIGHTEST_ON_EDGE * ring.size


def _sheet_within(quad: np.ndarray, smooth: np.ndarray, image: np.ndarray) -> np.ndarray:
    """The outline of a sheet lying inside the (4, 2) outline found, on a pale or lit part of the desk
    that outline is of (a patch of sunlight, a pale mat): where what the outline holds splits in
    whiteness (the smoothed map) into parts BRIGHTER_WITHIN apart and the brighter part lies clear of
    the outline's edge (less than MIN_BRIGHTEST_ON_EDGE of a band INNER_BAND wide inside it), the
    sheet is the brighter part, outlined above the split (down to MIN_BRIGHTER_PART_AREA). Else, or
    when no such outline is found, the outline itself. (0.05 ms on desk_01's 187x250 map, no split;
    0.69 ms on a 320x240 one it searches again, Intel(R) Xeon(R) Processor, 2 cores, one used.)"""
    inside = outline.inside(quad, smooth.shape)
    split = _brighter_split(_histogram(smooth, inside))
    if split is None:
        return quad
    band = 2 * max(1, round(INNER_BAND * max(smooth.shape[:2]))) + 1
    ring = cv2.subtract(inside, cv2.erode(inside, np.ones((band, band), np.uint8)))
    if cv2.countNonZero(cv2.bitwise_and(ring, cv2.compare(smooth, split, cv2.CMP_GT))) \
            >= MIN_BRIGHTEST_ON_EDGE * cv2.countNonZero(ring):
        return quad  # a sheet with a shadow across it: its lit part runs along its edge
    # Looked for inside the outline only (a second sheet beside it is no part of it), and standing out
    # from all around it.
    within = outline.region_outline(cv2.bitwise_and(smooth, inside), split, min_area=MIN_BRIGHTER_PART_AREA)
    return quad if within is None or not outline.stands_out(within, smooth, image) else within


def _scale_of(level: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """(x, y) scale of a halving of the frame: an odd side loses a pixel, so the two differ a little."""
    return np.float32([level.shape[1] / frame.shape[1], level.shape[0] / frame.shape[0]])


def _paper_along_edges(white: np.ndarray) -> tuple[np.ndarray, bool]:
    """The paper-like class of a small map of whiteness (Otsu, 0/255), and whether it runs along three
    edges of the frame or more."""
    _, paper = cv2.threshold(white, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return paper, _edges_of_paper(paper) >= 3


def _note_on_a_pad(frame: np.ndarray, pyramid: preprocess.Pyramid) -> Page | None:
    """A note lying on something unlike the desk that does not stand out as paper (a dark mouse pad),
    looked for on a halving NOTE_SEARCH_SIDE_PX long (edge.note), as a page of the frame; or None."""
    level = pyramid.below(note.NOTE_SEARCH_SIDE_PX)
    found = note.find_note(level, on_a_pad=True)
    if found is None or not quads.sheet_shaped(found):
        return None
    return Page(found / _scale_of(level, frame))


def note_on_a_pad(frame: np.ndarray, pyramid: preprocess.Pyramid | None = None) -> Page | None:
    """Where find_page sees paper along the frame's edge, a note on a dark pad, even one no brighter than
    the desk around the pad (a kraft note on a black pad on a grey desk): or None. Such a frame is as
    likely a sheet filling it with a dark thing lying on it (a phone, a calculator, a notebook with a
    label), so find_page does not take the note; the reader reads it only when the frame read whole
    reads worse (reader.DigitReader)."""
    pyramid = pyramid or preprocess.Pyramid(frame)
    small = pyramid.below(PAGE_SEARCH_SIDE_PX)
    if small.ndim == 2 or not _paper_along_edges(whiteness(small))[1]:
        return None
    return _note_on_a_pad(frame, pyramid)


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
    paper, along_edges = _paper_along_edges(white)
    if along_edges:  # paper along the frame's edge
        # Paper filling the frame (most camera frames), no page to cut out; or a pale desk with a
        # note on a dark pad on it, and then only such a note is a page (not a lit phone screen in a
        # dark bezel lying on a sheet, which stands out from the paper as a note would).
        if small.ndim == 2 or not _brighter_clear_of_edge(paper, small):
            return None
        return _note_on_a_pad(frame, pyramid)
    smooth = outline.smoothed(white)
    region = outline.sheet_region(smooth)  # labelled once: the cut sheet's outline below is of it too
    quad = None if region is None else outline.sheet_outline(white, small, smooth, region)
    if quad is not None and steps.without_edge(quad, smooth):
        quad = None  # the middle of paper filling the frame, whiter than its rim (vignetting)
    if quad is not None:
        first = quad
        quad = shadow.with_shaded_part(white, small, _sheet_within(quad, smooth, small))
        if quad is first:
            quad = shadow.with_cut_corner(smooth, region[0], quad)
        if quad is first and quads.reaches_frame_edge(quad, smooth.shape[:2]):
            # A sheet the frame cuts, outlined from its own edges where it shows four.
            cut = cut_sheet.cut_outline(region, smooth, small)
            quad = quad if cut is None else cut
        # The lit part of a sheet that a shadow cuts into a triangle is no page; nor is the brighter
        # part of paper filling the frame under uneven light.
        if not quads.sheet_shaped(quad) or steps.open_sided(quad, smooth):
            quad = None
    level = small
    # Not a white sheet: a coloured note (or a sheet half in shadow, or a note on a mouse pad), looked
    # for by how unlike the desk it is, on a halving of this size.
    if quad is None and small.ndim == 3:
        level = pyramid.below(note.NOTE_SEARCH_SIDE_PX)
        quad = note.find_note(level)
        if quad is not None and not quads.sheet_shaped(quad):
            quad = None
    if quad is None:
        return None
    if level is small:  # a sheet (a note's outline keeps its sides: edge.note)
        quad = quads.past_frame_edge(quad, small.shape[:2])
    return Page(quad / _scale_of(level, frame))


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
    return outside_view(frame_shape, back, page_shape, band_px)


def outside_view(frame_shape: tuple[int, ...], back: np.ndarray, view_shape: tuple[int, ...], band_px: int
                 ) -> np.ndarray:
    """Where a view of a frame (view_shape, `back` its homography to the frame: a page rectified, a frame
    straightened) lies beyond the frame's edge or within band_px of it: (h, w) 0/255."""
    h, w = frame_shape[:2]
    # Each view pixel looked up in a small map of the frame (the frame's corners mapped onto the
    # view instead would fold over where a steep view puts one past the desk's horizon).
    small = (max(1, h // BEYOND_MAP_SHRINK), max(1, w // BEYOND_MAP_SHRINK))
    to_small = np.diag([small[1] / w, small[0] / h, 1.0]) @ back
    in_view = cv2.warpPerspective(np.full(small, 255, np.uint8), to_small, view_shape[1::-1],
                                  flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP, borderValue=0)
    return cv2.dilate(cv2.bitwise_not(in_view), np.ones((2 * band_px + 1, 2 * band_px + 1), np.uint8))


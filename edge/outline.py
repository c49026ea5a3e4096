"""A sheet's outline as four corners in a map of how paper-like each pixel is: the largest region above
a threshold, smoothed and opened, outlined (edge.quads), and standing out from what surrounds it.
edge.page makes the maps."""

from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

from edge.quads import (far_past_frame, order_corners, quadrilateral, refine_quadrilateral,
                        sides_on_frame_border)
from edge.threshold import otsu

# Of the map searched (the frame, or what a note is looked for in): smaller bright things are labels,
# screens, lights. A sticky note on a mouse pad is drawn at 7-11 % of the frame, less once in
# perspective: the pages found in 120 mouse pad frames (seeds 3, 55, 7, 101) cover 6.1 % at least, and
# 43 of 106 under 8 %. At 0.08 the condition read 69.6, 72.9 and 79.2 % over 30 frames of seeds 3, 55
# and 7 (89.6, 89.6 and 85.8 % at 0.05, the other page conditions unchanged).
MIN_PAGE_AREA = 0.05
MAX_PAGE_AREA = 0.92  # larger: the paper fills the frame and there is no desk to cut away
# The paper must be this much whiter (min of B, G, R, 0..255) than what surrounds it.
MIN_PAGE_CONTRAST = 35.0
# And this much brighter (luma, 0..255): kraft paper on a grey desk is no whiter than the desk, but
# brighter (the notes whiteness missed in 30 note frames of seed 7: their bright regions' luma 35 to
# 96 above the rest).
MIN_PAGE_BRIGHTER = 15.0
# The bright region must fill its quadrilateral this well: a sheet is a flat rectangle.
MIN_RECTANGULARITY = 0.85
# A region of a map: its outer contour (N, 1, 2) and its area in the map's pixels.
Region = tuple[np.ndarray, float]


def sheet_outline(paperness: np.ndarray, image: np.ndarray, smooth: np.ndarray | None = None,
                  region: Region | None = None) -> np.ndarray | None:
    """The (4, 2) corners of the one large quadrilateral standing out from its surroundings in a
    small map of how paper-like each pixel is, and brighter than they are in the BGR or grey image
    the map is of (a dark phone on a sheet that fills the frame is unlike the paper around it too),
    or None. `smooth`: the map smoothed(), and `region`: its sheet_region(), when the caller has them
    already."""
    smooth = smoothed(paperness) if smooth is None else smooth
    region = sheet_region(smooth) if region is None else region
    quad = None if region is None else outline_of(region, smooth.shape[:2])
    return quad if quad is not None and stands_out(quad, smooth, image) else None


def sheet_region(smooth: np.ndarray) -> Region | None:
    """The region of a smoothed map that sheet_outline() outlines: the largest above Otsu's threshold."""
    return largest_region(smooth, otsu(smooth), MIN_PAGE_AREA)


def smoothed(paperness: np.ndarray) -> np.ndarray:
    """The map with ink and desk grain washed out by a median."""
    # Without it, speckle on a glossy desk joins the sheet to a glare beside it, and the outline
    # takes in the glare (desk_01's corner went past the frame's edge, and its page came out square).
    # Twice 3x3, not once 5x5: 0.03 against 0.125 ms on 320x240 (Intel(R) Xeon(R) Processor, one
    # core); the desk photos and the desk and note conditions read the same.
    return cv2.medianBlur(cv2.medianBlur(paperness, 3), 3)


def outline_above(smooth: np.ndarray, image: np.ndarray, threshold: float,
                  accept: Callable[[np.ndarray], bool] | None = None) -> np.ndarray | None:
    """sheet_outline() of the region of a smoothed map above a threshold; `accept`, when given, must
    also pass its first (4, 2) outline, before the sides are re-fitted (the costly step)."""
    quad = region_outline(smooth, threshold, accept)
    return quad if quad is not None and stands_out(quad, smooth, image) else None


def largest_region(smooth: np.ndarray, threshold: float, min_area: float) -> Region | None:
    """The contour of the largest region of a smoothed map above a threshold, and its area, when that is
    min_area to MAX_PAGE_AREA of the map; else None."""
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
    return (contour, area) if min_area <= area / smooth.size <= MAX_PAGE_AREA else None


def region_outline(smooth: np.ndarray, threshold: float, accept: Callable[[np.ndarray], bool] | None = None,
                   min_area: float = MIN_PAGE_AREA) -> np.ndarray | None:
    """The (4, 2) outline of the largest region of a smoothed map above a threshold when it is shaped
    like a sheet (min_area to MAX_PAGE_AREA of the map, filling its quadrilateral, off the map's
    edge on two sides at least, its corners not far past it), or None."""
    region = largest_region(smooth, threshold, min_area)
    return None if region is None else outline_of(region, smooth.shape[:2], accept)


def outline_of(region: Region, shape: tuple[int, int], accept: Callable[[np.ndarray], bool] | None = None
               ) -> np.ndarray | None:
    """region_outline() of a region of a map of this shape (largest_region())."""
    contour, area = region
    # The region's outline must be a sheet's: a filled quadrilateral, and (unlike a sheet that
    # fills the frame with a shadow across it) off the frame's edge on two sides at least.
    quad = order_corners(quadrilateral(contour))
    quad_area = cv2.contourArea(quad)
    if (quad_area <= 0 or area / quad_area < MIN_RECTANGULARITY
            or sides_on_frame_border(quad, shape) > 2 or (accept is not None and not accept(quad))):
        return None
    quad = refine_quadrilateral(quad, contour.reshape(-1, 2).astype(np.float32), shape)
    # A sheet cut by the frame's edge has corners beyond it; far beyond is a bad fit.
    return None if far_past_frame(quad, shape) else quad


def inside(quad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """(h, w) 0/255: where a (4, 2) outline lies, in a map of that shape."""
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, quad.astype(np.int32), 255)
    return mask


def stands_out(quad: np.ndarray, smooth: np.ndarray, image: np.ndarray) -> bool:
    """Whether what lies inside the (4, 2) outline is clearly more paper-like in the smoothed map and
    brighter in the BGR or grey image than what lies outside it."""
    mask = inside(quad, smooth.shape)
    outside = cv2.bitwise_not(mask)
    paper, surroundings = cv2.mean(smooth, mask)[0], cv2.mean(smooth, outside)[0]
    luma = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    brighter = cv2.mean(luma, mask)[0] - cv2.mean(luma, outside)[0]
    return paper - surroundings >= MIN_PAGE_CONTRAST and brighter >= MIN_PAGE_BRIGHTER

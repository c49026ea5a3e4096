"""Finding a note unlike the desk it lies on (yellow, kraft, on a mouse pad), in a small BGR image."""

from __future__ import annotations

import cv2
import numpy as np

from edge import outline, quads, steps
from edge.threshold import otsu

# A note is looked for only where the brightest twentieth of the frame is this much brighter (luma)
# than the upper quarter of its edge: 26 to 195 in the 60 note frames of seeds 7 and 101, 3 to 19
# in the benchmark's 8 camera frames (paper to the frame's edge, a shadow across).
MIN_NOTE_LIFT = 22
# A note is looked for on a halving 120 to 240 px long: the search costs 0.25 ms there on a camera
# frame (Intel(R) Xeon(R) Processor, one core), where 240 px holds four times the pixels, and a
# camera frame's budget is 3 ms.
NOTE_SEARCH_SIDE_PX = 120
# Inside what is unlike the desk but does not stand out as paper, a note is looked for (_sheet_within)
# where the most unlike tenth of it is this far from its median colour (the sum over B, G, R, at most
# 255): a white note on a black mouse pad is at that most.
MIN_INNER_CONTRAST = 60
# Paper filling the frame lit unevenly (a lamp's pool, a window) is brighter in one part than along the
# frame's edge, with the same colour: lit paper against its edge measured 1.17 to 1.19 times as bright,
# its hue (each channel's share) within 0.0043, and 1.58 where a desk sheet's own shadow adds to a pool
# of light (desk_06, the gate test_the_desk_sheets_ruled_under_a_pool_of_light); notes found 8.4 % apart
# in hue and more, or over twice as bright (white notes on dark pads, by the desk around the pad: 2.1 to
# 2.3), over the note, mouse pad, shadow and desk conditions' 30 frames of seed 101.
MAX_SAME_HUE = 0.015
MAX_MORE_LIGHT = 1.8
# ... and what is found there covers at most this share of it: a note on a pad covers a fifth of it or
# so, a phone's lit screen most of the phone.
MAX_INNER_SHARE = 0.5


def ring(image: np.ndarray, width: int = 2) -> np.ndarray:
    """The pixels along the image's four edges, `width` deep: (N, channels)."""
    channels = image.shape[2] if image.ndim == 3 else 1
    return np.concatenate([image[:width].reshape(-1, channels), image[-width:].reshape(-1, channels),
                           image[:, :width].reshape(-1, channels), image[:, -width:].reshape(-1, channels)])


def quantile(values: np.ndarray, q: float) -> int:
    """The q-quantile of uint8 values, by partition: the median of a 160x120 map's ring took 0.007 ms
    a call, np.percentile 0.12 ms (mean of 5,000, Intel(R) Xeon(R) Processor, one core, busy)."""
    flat = values.ravel()
    k = int(q * (flat.size - 1))
    return int(np.partition(flat, k)[k])


def _distance_from(frame: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 -> (H, W) uint8: the sum of each pixel's channels' distances from a BGR colour."""
    distance = cv2.absdiff(frame, np.broadcast_to(colour.astype(np.uint8), frame.shape).copy())
    return cv2.transform(distance, np.ones((1, 3), np.float32))  # saturates at 255


def unlike_desk(frame: np.ndarray) -> np.ndarray:
    """How far each pixel's colour is from the desk's: (H, W, 3) uint8 -> (H, W) uint8, the sum of
    the channels' distances from the median colour of the frame's outer ring (the desk, where a
    sheet lies on one). A coloured note is dark in one channel, so its whiteness is a grey desk's;
    it differs from the desk in brightness (yellow) or in colour (brown kraft paper, no whiter than
    a grey desk)."""
    return _distance_from(frame, desk_colour(frame))


def desk_colour(frame: np.ndarray) -> np.ndarray:
    """The median (B, G, R) of the frame's outer ring: the desk, where a sheet lies on one."""
    return np.median(ring(frame), axis=0)


def _sheet_within(image: np.ndarray, quad: np.ndarray) -> np.ndarray | None:
    """A sheet lying on a (4, 2) outline found unlike the desk but not standing out as paper (no
    brighter, or not enough), in the same small BGR image (a note on a mouse pad, not found in the
    whole frame by its whiteness): its (4, 2)
    corners, or None. It is looked for as a note is on a desk, with the median colour inside the
    outline as the desk's, and only where the most unlike tenth of it is MIN_INNER_CONTRAST away."""
    h, w = image.shape[:2]
    x, y, bw, bh = cv2.boundingRect(np.round(quad).astype(np.int32))
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + bw, w), min(y + bh, h)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    crop = image[y0:y1, x0:x1].copy()
    inside = np.zeros(crop.shape[:2], np.uint8)
    cv2.fillConvexPoly(inside, np.round(quad - [x0, y0]).astype(np.int32), 255)
    found = crop[inside > 0][::3]
    if len(found) < 64:
        return None
    base = np.median(found, axis=0)
    unlike = _distance_from(crop, base)
    if quantile(unlike[inside > 0], 0.9) < MIN_INNER_CONTRAST:
        return None
    crop[inside == 0] = base.astype(np.uint8)  # beyond what was found: as it is, not the desk
    unlike[inside == 0] = 0
    inner = outline.sheet_outline(unlike, crop)
    if inner is None or not quads.sheet_shaped(inner):
        return None
    # A pad lies around its note; a phone's bezel is a rim around its lit screen.
    if cv2.contourArea(inner) > MAX_INNER_SHARE * cv2.contourArea(quad.astype(np.float32)):
        return None
    return inner + np.float32([x0, y0])


def _paper_more_lit(image: np.ndarray, quad: np.ndarray) -> bool:
    """Whether what a (4, 2) outline holds is the paper along the frame's edge more brightly lit: the
    same colour (its median's share of each channel within MAX_SAME_HUE of the edge's), at most
    MAX_MORE_LIGHT times as bright. A note differs from the desk in colour, or is far brighter (a
    white note on a dark pad, twice its desk and more)."""
    inside = outline.inside(quad, image.shape)
    if not inside.any():
        return False
    paper = np.median(image[inside > 0], axis=0).astype(np.float32)
    edge = desk_colour(image).astype(np.float32)
    if edge.sum() < 1:
        return False
    hue = paper / max(float(paper.sum()), 1.0) - edge / float(edge.sum())
    same_hue = float(np.abs(hue).max()) <= MAX_SAME_HUE
    return same_hue and float(paper.sum()) <= MAX_MORE_LIGHT * float(edge.sum())


def find_note(image: np.ndarray, on_a_pad: bool = False) -> np.ndarray | None:
    """The corners of a note unlike the desk it lies on, in a small BGR image, or None. Only where
    the frame's edge is darker than its brightest part: a sheet filling the frame, its edge paper,
    holds no note (and the search is not paid for on every camera frame). What is unlike the desk but
    does not stand out as paper (a black mouse pad) may hold the note (_sheet_within); with
    `on_a_pad`, only a note found so counts."""
    luma = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if quantile(luma[::2, ::2], 0.95) - quantile(ring(luma), 0.75) < MIN_NOTE_LIFT:
        return None
    smooth = outline.smoothed(unlike_desk(image))
    quad = outline.region_outline(smooth, otsu(smooth))
    if quad is None or steps.without_edge(quad, smooth):  # vignetting, not a note
        return None
    if outline.stands_out(quad, smooth, image):
        return None if on_a_pad or _paper_more_lit(image, quad) else quad
    return _sheet_within(image, quad)

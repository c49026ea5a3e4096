"""Locating the digits of a frame: the page (found and rectified, or the frame shrunk), the ink with
printed rules taken out, the digits in reading order, and the way back to the frame's pixels."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

import cv2
import numpy as np

from edge import page as pages
from edge import boxes, faint_rules, filled, preprocess, rules, underlines, vanishing
from edge.blobs import digits_among, find_candidates, writing_height
from edge.detect import Box, Candidate, DetectorOptions, Found, ink_mask, processing_scale


@dataclass
class Located:
    """The digits found in a frame, in reading order, and how to map their boxes back to the frame."""

    found: list[Found]
    to_frame: Callable[[Box], Box]
    trace: dict[str, np.ndarray]
    stages_ms: dict[str, float] = field(default_factory=dict)  # page, ink, digits
    page: pages.Page | None = None  # the page read on, in the frame's (or its --roi box's) pixels
    # The ink's darkness the digits were found in (detect.Ink; on a ruled page without the rules'); None only
    # where nothing was located.
    darkness: np.ndarray | None = None


def scaled_mapping(scale: float, dx: int, dy: int) -> Callable[[Box], Box]:
    """Boxes of an image shrunk by `scale` from a frame region at (dx, dy) -> the frame's pixels."""
    return lambda box: box.scaled(1.0 / scale, dx, dy)


def homography_mapping(back: np.ndarray, dx: int, dy: int) -> Callable[[Box], Box]:
    """Boxes of a rectified page -> the bounding box of their outline in the frame's pixels."""
    def to_frame(box: Box) -> Box:
        corners = np.float32([[box.x, box.y], [box.x + box.w, box.y], [box.x + box.w, box.y + box.h],
                              [box.x, box.y + box.h]])
        mapped = pages.map_points(corners, back)
        x0, y0 = np.floor(mapped.min(axis=0)).astype(int)
        x1, y1 = np.ceil(mapped.max(axis=0)).astype(int)
        return Box(int(x0) + dx, int(y0) + dy, max(1, int(x1 - x0)), max(1, int(y1 - y0)))
    return to_frame


class Inked(NamedTuple):
    """A grey's ink and its blobs (_ink_and_blobs)."""

    mask: np.ndarray  # (H, W) 0/255, the lines that are no digits taken out
    darkness: np.ndarray  # (H, W) uint8, the darkness it was thresholded from (detect.Ink)
    labels: np.ndarray  # its label image
    candidates: list[Candidate]
    lined: np.ndarray | None  # on a ruled page, the ink with its rules (0/255), else None


def _ink_and_blobs(gray: np.ndarray, opts: DetectorOptions, inset: int, min_height_px: float,
                   trace: dict[str, np.ndarray] | None, on_sheet: bool = False, excluded: np.ndarray | None = None
                   ) -> Inked:
    """Ink, with the lines that are no digits taken out of it, and its blobs (find_candidates).

    First the boxes and combs drawn around the writing (edge.boxes, per blob of at least
    `min_height_px`), then printed rules, looked for inside the page's edge band (the paper's own
    edge is a long thin line too, and is dropped with the band), then lines drawn under numbers, then
    the loops of blobs that blur filled are opened (edge.filled). The blobs are found once the boxes and
    rules are out, and again only where an underline was taken out or a loop opened.
    `on_sheet`: the grey is a sheet found and rectified (ink_mask); `inset` and `excluded`:
    find_candidates' margin_px and excluded.

    The darkness is, on a ruled page, without the rules' darkness (faint_rules.without_rules).
    """
    mask, ink = ink_mask(gray, opts, on_sheet)
    before = mask.copy() if trace is not None else None
    boxes.remove_boxes(mask, min_height_px, inset, excluded)
    rules_found = _without_rules(mask, inset) if opts.remove_rules else None
    lined = None
    if rules_found is not None:  # a ruled page: the dashes of its faint rules go too
        lined = cv2.bitwise_or(mask, rules_found[0])
        mask, ink = faint_rules.without_rules(mask, ink, *rules_found)
    labels, candidates = find_candidates(mask, inset, excluded)
    if underlines.remove_underlines(mask, labels, candidates, min_height_px):
        labels, candidates = find_candidates(mask, inset, excluded)
    if filled.reopen(mask, ink, labels, candidates, opts, min_height_px):
        labels, candidates = find_candidates(mask, inset, excluded)
    if before is not None:
        # The ink grey, and what was taken out of it red: lines, and loops that blur filled.
        trace["rules"] = cv2.merge([cv2.bitwise_and(mask, 160), mask, before])
    return Inked(mask, ink, labels, candidates, lined)


def _without_rules(mask: np.ndarray, inset: int) -> tuple[np.ndarray, tuple[float, float]] | None:
    """Takes the printed rules out of a 0/255 ink mask in place, inside its edge band of `inset` px (the
    paper's own edge is a long thin line too); what it took (0/255, the mask's size) and the rules' slopes
    where it found a page's rules (faint_rules.rule_slopes) or the mask holds them in dashes
    (faint_rules.dashed), else None."""
    inner = mask[inset:mask.shape[0] - inset, inset:mask.shape[1] - inset]
    cleaned, removed, measured = rules.remove_rules(inner)
    slopes = faint_rules.rule_slopes(removed, measured) if cleaned is not inner else None
    if cleaned is not inner:
        inner[:] = cleaned
    slopes = faint_rules.dashed(inner, measured[0]) if slopes is None else slopes
    if slopes is None:
        return None
    return cv2.copyMakeBorder(removed, inset, inset, inset, inset, cv2.BORDER_CONSTANT, value=0), slopes


def _straightened(gray: np.ndarray, lined: np.ndarray, opts: DetectorOptions, blob_height: float,
                  trace: dict[str, np.ndarray] | None) -> tuple[Inked, np.ndarray] | None:
    """A ruled page filling the frame seen in perspective (`lined`: its ink with its rules), read again
    rectified by its rules' vanishing points (edge.vanishing): its ink and blobs, and the homography from
    `gray` to them; None where its rules run parallel. What lies beyond the frame is its edge drawn on,
    and blobs reaching it are cut by the frame's edge."""
    found = vanishing.rectifying(lined)
    if found is None:
        return None
    straight = cv2.warpPerspective(gray, found.homography, found.size, flags=cv2.INTER_LINEAR,
                                   borderMode=cv2.BORDER_REPLICATE)
    beyond = pages.outside_view(gray.shape, np.linalg.inv(found.homography), straight.shape, 2)
    if trace is not None:
        trace["rectified"] = straight
    return _ink_and_blobs(straight, opts, 0, blob_height, trace, False, beyond), found.homography


# Writing this short, shrunk, is specks, not small writing.
MIN_WRITING_PX = 6


def _finer_scale(frame_shape: tuple[int, ...], view_shape: tuple[int, ...], candidates: list[Candidate],
                 opts: DetectorOptions) -> float | None:
    """The scale to read a frame at again when its writing is shorter than a digit at the scale it
    was read at (view_shape): a page's (pages.reading_scale). None when the writing is a digit's
    size, or no writing."""
    height = writing_height(candidates, view_shape)
    if not MIN_WRITING_PX <= height < opts.min_digit_height * view_shape[0]:
        return None
    longest = max(frame_shape[:2])
    finer = pages.reading_scale(longest, opts.page_max_side_px)
    return finer if finer * longest > 1.05 * max(view_shape[:2]) else None


def locate(frame: np.ndarray, opts: DetectorOptions, roi: Box | None = None, trace: bool = False,
           on_a_pad: bool = False) -> Located:
    """Finds the digits of a BGR or grey frame: on the sheet when one lies on a desk, else in the frame.
    With `on_a_pad`, only on a note on a dark pad (pages.note_on_a_pad), and nothing where none is.

    Stages: page (find and rectify the sheet, or shrink the frame), ink (grey, flatten,
    threshold, rules out), digits (components, merging, filtering, reading order).
    """
    steps: dict[str, np.ndarray] | None = {} if trace else None
    t0 = time.perf_counter()
    dx = dy = 0
    if roi is not None:
        frame = frame[roi.y:roi.y + roi.h, roi.x:roi.x + roi.w]
        dx, dy = roi.x, roi.y
    if frame.ndim == 3 and frame.shape[2] == 4:  # BGRA (a screenshot, a PNG read unchanged): alpha is no ink
        frame = cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    elif frame.ndim == 3 and frame.shape[2] == 1:  # grey with a channel axis: grey (no colour to find a page by)
        frame = frame[:, :, 0]
    pyramid = preprocess.Pyramid(frame)
    finder = pages.note_on_a_pad if on_a_pad else pages.find_page
    sheet = finder(frame, pyramid) if opts.find_page and frame.ndim == 3 else None
    if on_a_pad and sheet is None:
        return Located([], scaled_mapping(1.0, dx, dy), {}, {"page": (time.perf_counter() - t0) * 1e3})
    if sheet is not None:
        # The grey of a halving no larger than the page's scale is warped: one channel, fast.
        scale = pages.rectified_scale(sheet, opts.page_max_side_px)
        source, source_scale = pyramid.at_most(scale) if scale < 0.75 else (frame, 1.0)
        gray, back = pages.rectify(preprocess.to_gray(source), sheet, opts.page_max_side_px, source_scale)
        to_frame = homography_mapping(back, dx, dy)
        inset, min_height = pages.inset_px(gray.shape), opts.page_min_digit_height * gray.shape[0]
        beyond = pages.beyond_frame(sheet, frame.shape, back, gray.shape, inset)
        if steps is not None:
            outline = frame.copy()
            cv2.polylines(outline, [sheet.corners.astype(np.int32)], True, (255, 0, 255),
                          max(2, max(frame.shape[:2]) // 300))
            steps["page"] = outline
            steps["rectified"] = pages.rectify(source, sheet, opts.page_max_side_px, source_scale)[0]
    else:
        scale = processing_scale(frame.shape, opts.max_side_px)
        view = preprocess.shrink(frame, scale, pyramid) if scale < 1 else frame
        to_frame = scaled_mapping(view.shape[1] / frame.shape[1], dx, dy)
        gray = preprocess.to_gray(view)
        inset, min_height, beyond = 0, None, None
    t1 = time.perf_counter()
    # On a page, what reaches into the band along its edge is the paper's edge or the desk, and
    # what reaches the frame's edge where it cuts the page is cut by it.
    blob_height = min_height or opts.min_digit_height * gray.shape[0]
    inked = _ink_and_blobs(gray, opts, inset, blob_height, steps, sheet is not None, beyond)
    t2 = time.perf_counter()
    shrunk = sheet is None and gray.shape[0] < frame.shape[0]
    finer = _finer_scale(frame.shape, gray.shape, inked.candidates, opts) if shrunk else None
    if finer is not None:
        # A big frame of paper shrunk to max_side_px (a phone photo of a page filling it) whose
        # writing came out shorter than a digit: read like a page's, at the scale a page is read at.
        # (Not a frame read at its own size: grain on empty paper is blobs of about that size.)
        t_finer = time.perf_counter()
        view = preprocess.rescale(frame, finer, pyramid)
        to_frame = scaled_mapping(view.shape[1] / frame.shape[1], dx, dy)
        gray = preprocess.to_gray(view)
        min_height = opts.page_min_digit_height * gray.shape[0]
        blob_height = min_height
        inked = _ink_and_blobs(gray, opts, 0, min_height, steps)
        t2 += time.perf_counter() - t_finer  # counted as ink
    if sheet is None and inked.lined is not None:
        t_straight = time.perf_counter()
        straightened = _straightened(gray, inked.lined, opts, blob_height, steps)
        if straightened is not None:
            inked, homography = straightened
            min_height = blob_height  # the frame's measure, not the larger rectified frame's
            enlarge = np.diag([frame.shape[1] / gray.shape[1], frame.shape[0] / gray.shape[0], 1.0])
            to_frame = homography_mapping(enlarge @ np.linalg.inv(homography), dx, dy)
        t2 += time.perf_counter() - t_straight  # counted as ink
    found = digits_among(inked.labels, inked.candidates, opts, min_height, inset)
    t3 = time.perf_counter()
    if steps is not None:
        steps["ink"] = inked.mask
    stages = {"page": (t1 - t0) * 1e3, "ink": (t2 - t1) * 1e3, "digits": (t3 - t2) * 1e3}
    return Located(found, to_frame, steps or {}, stages, sheet, inked.darkness)

"""Blobs that blur filled are opened again (edge.filled)."""

import cv2
import numpy as np

from edge import filled
from edge.blobs import find_candidates, solid
from edge.detect import DetectorOptions, ink_mask


def _blurred(rings: list[int], discs: list[int]) -> np.ndarray:
    """Small 0s (rings 2 px wide) and solid dots of their size at the given x, on paper, out of focus."""
    gray = np.full((240, 480), 215, np.uint8)
    for x in rings:
        cv2.ellipse(gray, (x, 120), (5, 8), 0, 0, 360, 60, 2, cv2.LINE_AA)
    for x in discs:
        cv2.ellipse(gray, (x, 120), (5, 8), 0, 0, 360, 60, -1, cv2.LINE_AA)
    return cv2.GaussianBlur(gray, (0, 0), 2.5)


def _enclosed(blob: np.ndarray) -> int:
    paper = cv2.copyMakeBorder(cv2.bitwise_not(blob), 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=255)
    cv2.floodFill(paper, None, (0, 0), 0, flags=4)
    return cv2.countNonZero(paper)


def test_small_zeros_that_blur_filled_open_and_a_dot_beside_them_does_not():
    # A line of three 0s and a dot, 30 px apart.
    opts = DetectorOptions()
    mask, ink = ink_mask(_blurred([80, 110, 140], [170]), opts)
    labels, candidates = find_candidates(mask)
    assert len(candidates) == 4 and all(solid(c, opts) for c in candidates[:3])  # dropped as blots
    blot = candidates[3].box
    before = mask[blot.y:blot.y + blot.h, blot.x:blot.x + blot.w].copy()
    assert filled.reopen(mask, ink, labels, candidates, opts, min_height_px=10)
    _, after = find_candidates(mask)
    assert len(after) == 4
    for c in after[:3]:  # each 0 a ring again, its loop paper
        b = c.box
        assert not solid(c, opts)
        assert _enclosed(mask[b.y:b.y + b.h, b.x:b.x + b.w]) >= 0.05 * b.w * b.h
    assert np.array_equal(mask[blot.y:blot.y + blot.h, blot.x:blot.x + blot.w], before)


def test_blots_side_by_side_are_left_as_they_are():
    opts = DetectorOptions()
    mask, ink = ink_mask(_blurred([], [200, 230, 260]), opts)
    labels, candidates = find_candidates(mask)
    assert sum(solid(c, opts) for c in candidates) >= 2
    kept = mask.copy()
    assert not filled.reopen(mask, ink, labels, candidates, opts, min_height_px=10)
    assert np.array_equal(mask, kept)


def test_a_zero_filled_alone_is_left_as_it_is():
    # No line of writing beside it: as likely a dot, a coin or a washer.
    opts = DetectorOptions()
    mask, ink = ink_mask(_blurred([240], []), opts)
    labels, candidates = find_candidates(mask)
    assert len(candidates) == 1 and solid(candidates[0], opts)
    assert not filled.reopen(mask, ink, labels, candidates, opts, min_height_px=10)


def test_three_zeros_blurred_into_one_blob_stay_as_they_are():
    # Wider than a digit (edge.filled.MAX_WIDTH): bold print blurred into one blob, not a digit's loop.
    opts = DetectorOptions()
    gray = _blurred([80, 110, 140], [])
    for x in (172, 180, 188):
        cv2.ellipse(gray, (x, 120), (5, 8), 0, 0, 360, 60, 2, cv2.LINE_AA)
    mask, ink = ink_mask(cv2.GaussianBlur(gray, (0, 0), 2.5), opts)
    labels, candidates = find_candidates(mask)
    wide = max(candidates, key=lambda c: c.box.w)
    assert solid(wide, opts) and wide.box.w > filled.MAX_WIDTH * wide.box.h
    filled.reopen(mask, ink, labels, candidates, opts, min_height_px=10)
    b = wide.box
    own = labels[b.y:b.y + b.h, b.x:b.x + b.w] == wide.ids[0]
    assert np.array_equal(mask[b.y:b.y + b.h, b.x:b.x + b.w] > 0, own)


def _blots_in_a_line(face_radius: int) -> tuple[np.ndarray, np.ndarray]:
    """A mask of three solid blots 19x23 px in a line, and a darkness in which the middle one's rim is
    darker than a face of `face_radius`."""
    mask = np.zeros((60, 160), np.uint8)
    for x in (30, 80, 130):
        cv2.rectangle(mask, (x - 9, 19), (x + 9, 41), 255, -1)
    ink = np.where(mask > 0, 200, 0).astype(np.uint8)
    cv2.circle(ink, (80, 30), face_radius, 120, -1)
    return mask, ink


def test_a_small_middle_opens_and_a_face_lighter_than_its_rim_does_not():
    # A loop blur filled is a small middle (edge.filled.MAX_LOOP_SHARE); a coin's or a button's face
    # lighter than its rim is most of it.
    opts = DetectorOptions()
    for face, opens in ((3, True), (7, False)):
        mask, ink = _blots_in_a_line(face)
        labels, candidates = find_candidates(mask)
        assert all(solid(c, opts) for c in candidates)
        middle = mask[19:42, 71:90].copy()
        assert filled.reopen(mask, ink, labels, candidates, opts, min_height_px=10) == opens
        assert np.array_equal(mask[19:42, 71:90], middle) != opens


def _six(blur: float) -> tuple[np.ndarray, np.ndarray]:
    """The own ink (bool) and darkness of a small 6 (a ring 3 px wide and a stem) drawn on paper, blurred
    by `blur` px (none: as drawn)."""
    gray = np.full((120, 120), 210, np.uint8)
    cv2.circle(gray, (50, 70), 7, 40, 3, cv2.LINE_AA)
    cv2.ellipse(gray, (57, 70), (14, 24), 0, 180, 265, 40, 3, cv2.LINE_AA)
    if blur:
        gray = cv2.GaussianBlur(gray, (0, 0), blur)
    mask, ink = ink_mask(gray, DetectorOptions())
    labels, candidates = find_candidates(mask)
    assert len(candidates) == 1
    b = candidates[0].box
    return labels[b.y:b.y + b.h, b.x:b.x + b.w] > 0, ink[b.y:b.y + b.h, b.x:b.x + b.w]


def test_a_loop_blurred_shut_in_a_digit_opens_and_one_open_already_is_left():
    own, darkness = _six(2.5)
    assert _enclosed(own.astype(np.uint8) * 255) == 0  # the 6's loop is ink as thresholded
    loop = filled.loops_blurred_shut(own, darkness)
    assert loop is not None and np.count_nonzero(loop) >= filled.MIN_LOOP_PX
    opened = own & ~loop
    assert _enclosed(opened.astype(np.uint8) * 255) >= np.count_nonzero(loop)
    # Sharp, its loop is paper already: the lighter pixels along the loop's rim are no loop.
    own, darkness = _six(0)
    assert _enclosed(own.astype(np.uint8) * 255) > 0
    assert filled.loops_blurred_shut(own, darkness) is None

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

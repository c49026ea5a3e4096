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


def test_small_zeros_that_blur_filled_open_and_a_blot_stays_solid():
    opts = DetectorOptions()
    mask, ink = ink_mask(_blurred([80, 160, 240], [360]), opts)
    labels, candidates = find_candidates(mask)
    assert len(candidates) == 4 and all(solid(c, opts) for c in candidates)  # dropped as blots, as they are
    blot = candidates[3].box
    before = mask[blot.y:blot.y + blot.h, blot.x:blot.x + blot.w].copy()
    assert filled.reopen(mask, ink, labels, candidates, opts, min_height_px=10)
    _, after = find_candidates(mask)
    assert len(after) == 4
    for c in after[:3]:  # each 0 a ring again, its loop paper
        b = c.box
        assert not solid(c, opts)
        assert _enclosed(mask[b.y:b.y + b.h, b.x:b.x + b.w]) >= 0.1 * b.w * b.h
    assert solid(after[3], opts)
    assert np.array_equal(mask[blot.y:blot.y + blot.h, blot.x:blot.x + blot.w], before)


def test_a_blot_alone_is_left_as_it_is():
    opts = DetectorOptions()
    mask, ink = ink_mask(_blurred([], [200, 300]), opts)
    labels, candidates = find_candidates(mask)
    kept = mask.copy()
    assert not filled.reopen(mask, ink, labels, candidates, opts, min_height_px=10)
    assert np.array_equal(mask, kept)

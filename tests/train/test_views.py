"""Training digits shown as the reader prepares them: binarized, in a bolder pen, fitted like MNIST."""

from __future__ import annotations

import cv2
import numpy as np

from edge.preprocess import stroke_width_px
from train.views import as_read, binary, some_as_read


def _ring(width: int = 5, height: int = 8) -> np.ndarray:
    """A grey MNIST-like "0": a ring whose stroke fades out at its edges, as MNIST's scans do."""
    digit = np.zeros((28, 28), np.uint8)
    cv2.ellipse(digit, (14, 14), (width, height), 0, 0, 360, 255, 2, cv2.LINE_AA)
    return cv2.GaussianBlur(digit, (3, 3), 0)


def _rings(count: int) -> np.ndarray:
    """Rings of several shapes, each its own digit (so that a digit swapped for another shows)."""
    return np.stack([_ring(4 + k % 4, 6 + (k // 4) % 4) for k in range(count)])


def test_the_mask_is_cut_at_the_threshold_at_three_times_the_size():
    digit = _ring()
    light, heavy = binary(digit, 60), binary(digit, 180)
    assert light.shape == (84, 84) and set(np.unique(light)) == {0, 255}
    assert cv2.countNonZero(light) > cv2.countNonZero(heavy) > 0


def test_a_digit_as_read_is_fitted_like_mnist_and_keeps_its_hole():
    rng = np.random.default_rng(0)
    for digit in _rings(20):
        crop = as_read(digit, rng)
        assert crop.shape == (28, 28) and crop.dtype == np.uint8 and crop.max() == 255
        assert crop[:3].max() == 0 and crop[-3:].max() == 0  # a clear border
        ys, xs = np.nonzero(crop > 127)
        assert abs(ys.mean() - 13.5) < 2 and abs(xs.mean() - 13.5) < 2
        assert crop[14, 14] < 128  # a ring this open stays open in any of the pens


def test_the_pen_and_the_threshold_vary_from_digit_to_digit():
    rng = np.random.default_rng(1)
    crops = [as_read(_ring(), rng) for _ in range(60)]
    assert len({c.tobytes() for c in crops}) >= 10
    widths = [stroke_width_px(np.where(c > 127, 255, 0).astype(np.uint8)) for c in crops]
    assert max(widths) - min(widths) >= 2  # bolder pens among them, in px of the 28x28 crop


def test_only_the_fraction_asked_for_changes_each_digit_in_its_own_place():
    digits = _rings(400)
    some = some_as_read(digits, 0.3, seed=4)
    changed = np.flatnonzero((some != digits).any(axis=(1, 2)))
    assert 80 <= len(changed) <= 160  # 120 expected
    # Replayed: the same picks, and each changed digit is its own digit as read, not a neighbour's.
    rng = np.random.default_rng(4)
    picked = np.flatnonzero(rng.random(len(digits)) < 0.3)
    assert set(changed) <= set(picked)
    for k in picked:
        assert (some[k] == as_read(digits[k], rng)).all()
    assert (some_as_read(digits, 0.3, seed=4) == some).all()
    assert (some_as_read(digits, 0.0, seed=4) == digits).all()
    assert (digits == _rings(400)).all()  # the input is not written to


def test_a_digit_too_faint_for_any_threshold_stays_as_it_was():
    faint = (_ring().astype(np.float32) * 60 / 255).astype(np.uint8)  # under the lowest threshold, 70
    assert faint.max() > 0
    assert (as_read(faint, np.random.default_rng(0)) == faint).all()

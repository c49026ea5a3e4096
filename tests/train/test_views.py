"""Training digits shown as the reader prepares them: binarized, in a bolder pen, fitted like MNIST."""

from __future__ import annotations

import cv2
import numpy as np

from train.views import as_read, binary, some_as_read


def _ring(count: int = 30) -> np.ndarray:
    """A grey MNIST-like "0": a ring whose stroke fades out at its edges, as MNIST's scans do."""
    digit = np.zeros((28, 28), np.uint8)
    cv2.ellipse(digit, (14, 14), (5, 8), 0, 0, 360, 255, 2, cv2.LINE_AA)
    digit = cv2.GaussianBlur(digit, (3, 3), 0)
    return np.repeat(digit[np.newaxis], count, axis=0)


def test_the_mask_is_cut_at_the_threshold_at_three_times_the_size():
    digit = _ring(1)[0]
    light, heavy = binary(digit, 60), binary(digit, 180)
    assert light.shape == (84, 84) and set(np.unique(light)) == {0, 255}
    assert cv2.countNonZero(light) > cv2.countNonZero(heavy) > 0


def test_a_digit_as_read_is_fitted_like_mnist_and_keeps_its_hole():
    rng = np.random.default_rng(0)
    for digit in _ring(20):
        crop = as_read(digit, rng)
        assert crop.shape == (28, 28) and crop.dtype == np.uint8 and crop.max() == 255
        assert crop[:3].max() == 0 and crop[-3:].max() == 0  # a clear border
        ys, xs = np.nonzero(crop > 127)
        assert abs(ys.mean() - 13.5) < 2 and abs(xs.mean() - 13.5) < 2
        assert crop[14, 14] < 128  # a ring this open stays open in any of the pens


def test_only_the_fraction_asked_for_changes_and_the_same_seed_changes_the_same():
    digits = _ring(400)
    some = some_as_read(digits, 0.3, seed=4)
    changed = np.flatnonzero((some != digits).any(axis=(1, 2)))
    assert 80 <= len(changed) <= 160  # 120 expected
    assert (some_as_read(digits, 0.3, seed=4) == some).all()
    assert (some_as_read(digits, 0.0, seed=4) == digits).all()
    assert (digits == _ring(400)).all()  # the input is not written to


def test_an_empty_digit_stays_as_it_was():
    blank = np.zeros((28, 28), np.uint8)
    assert (as_read(blank, np.random.default_rng(0)) == blank).all()

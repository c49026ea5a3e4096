"""Outlier exposure: non-digit crops prepared like the device's, and the soft targets they train towards."""

from __future__ import annotations

import numpy as np

from train.outliers import KINDS, make_outliers
from train.training import soft_targets


def _digits(count: int = 20) -> np.ndarray:
    rng = np.random.default_rng(0)
    digits = np.zeros((count, 28, 28), np.uint8)
    for d in digits:  # a blocky stand-in for MNIST: a bar and a box
        x = int(rng.integers(8, 14))
        d[5:23, x:x + 3] = 255
        d[5:8, x:x + 9] = 255
    return digits


def test_outliers_look_like_the_crops_the_device_makes():
    crops = make_outliers(_digits(), count=40, seed=3)
    assert crops.shape == (40, 28, 28) and crops.dtype == np.uint8
    assert all(c.max() == 255 for c in crops)  # every crop has ink
    # Fitted like MNIST: a clear border and the ink's centre of mass near the middle.
    assert all(c[:2].max() == 0 and c[-2:].max() == 0 for c in crops)
    ys, xs = np.nonzero(crops.sum(axis=0))
    assert abs(ys.mean() - 13.5) < 3 and abs(xs.mean() - 13.5) < 3
    assert len(set(KINDS)) == 3  # letters, touching pairs, smudges


def test_outliers_are_reproducible():
    assert (make_outliers(_digits(), 12, seed=5) == make_outliers(_digits(), 12, seed=5)).all()


def test_soft_targets_one_hot_for_digits_uniform_for_the_rest():
    targets = soft_targets(np.array([3, 0]), outliers=2)
    assert targets.shape == (4, 10)
    assert targets[0, 3] == 1 and targets[0].sum() == 1 and targets[1, 0] == 1
    assert np.allclose(targets[2:], 0.1)

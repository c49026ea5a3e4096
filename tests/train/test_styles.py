"""Hand styles drawn on MNIST's 1s and 7s: the continental 1's flag and foot, the crossed 7's bar."""

from __future__ import annotations

import cv2
import numpy as np

from train.styles import SHARE, continental_one, crossed_seven, some_styled


def _one(x: int = 14) -> np.ndarray:
    """A grey MNIST-like 1: a vertical stroke from row 4 to row 23, its edges antialiased."""
    digit = np.zeros((28, 28), np.uint8)
    cv2.line(digit, (x, 4), (x, 23), 255, 2, cv2.LINE_AA)
    return digit


def _seven() -> np.ndarray:
    """A grey MNIST-like 7: a top bar and a stem leaning down to the left."""
    digit = np.zeros((28, 28), np.uint8)
    cv2.line(digit, (7, 5), (20, 5), 255, 2, cv2.LINE_AA)
    cv2.line(digit, (20, 5), (12, 23), 255, 2, cv2.LINE_AA)
    return digit


def test_a_continental_one_has_a_flag_from_its_top_down_to_the_left():
    rng = np.random.default_rng(0)
    plain = _one()
    for _ in range(30):
        one = continental_one(plain, rng)
        added = (one >= 127) & (plain < 127)
        ys, xs = np.nonzero(added)
        top = ys < 13
        assert top.sum() >= 3  # a flag in the upper half,
        assert xs[top].max() <= 15 and xs[top].min() <= 11  # reaching left of the stem,
        assert ys[top].min() <= 6  # from the stem's top
        assert (one >= plain).all()  # the digit's own ink is kept
        assert not added[:np.nonzero(plain >= 127)[0].min() - 1].any()  # nothing above the 1 (but a pen's cap)


def test_some_continental_ones_have_a_foot_and_some_none():
    rng = np.random.default_rng(1)
    plain = _one()
    feet = [((continental_one(plain, rng) >= 127) & (plain < 127))[20:].any() for _ in range(60)]
    assert 10 <= sum(feet) <= 35  # a third expected


def test_a_crossed_seven_has_a_bar_across_its_stem_below_its_top():
    rng = np.random.default_rng(2)
    plain = _seven()
    for _ in range(30):
        seven = crossed_seven(plain, rng)
        ys, xs = np.nonzero((seven >= 127) & (plain < 127))
        assert ys.size >= 4
        assert 11 <= ys.min() and ys.max() <= 19  # 45-65 % of the way down, a little off the level
        stem = np.nonzero(plain[int(np.median(ys))] >= 127)[0].mean()
        assert xs.min() < stem < xs.max()  # across the stem, both sides
        assert (seven >= plain).all()


def test_an_empty_digit_is_left_as_it_is():
    rng = np.random.default_rng(3)
    blank = np.zeros((28, 28), np.uint8)
    assert (continental_one(blank, rng) == 0).all() and (crossed_seven(blank, rng) == 0).all()


def test_only_a_share_of_the_ones_and_sevens_is_styled_in_its_place():
    ones, sevens, zeros = [_one(10 + k % 8) for k in range(200)], [_seven()] * 200, [np.zeros((28, 28), np.uint8)] * 100
    images = np.stack(ones + sevens + zeros)
    labels = np.array([1] * 200 + [7] * 200 + [0] * 100)
    styled = some_styled(images, labels, seed=5)
    changed = (styled != images).any(axis=(1, 2))
    for label in (1, 7):
        assert 0.5 * SHARE * 200 <= changed[labels == label].sum() <= 1.5 * SHARE * 200
    assert not changed[labels == 0].any()  # other digits are never touched
    # Each changed 1 is its own 1 with a flag: the stem stays where that 1's was.
    for k in np.flatnonzero(changed[:200]):
        assert (styled[k] >= images[k]).all()
    assert (some_styled(images, labels, seed=5) == styled).all()  # reproducible
    assert (images == np.stack(ones + sevens + zeros)).all()  # the input is not written to

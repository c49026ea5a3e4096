"""Second opinions on an unsure digit (edge.upright, edge.readings.keep_surer): turned upright by its
lines' slope, deskewed, kept only where surer."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge import upright
from edge.reader import DigitReader


def test_a_digit_on_a_turned_page_is_turned_upright_by_the_lines_slope():
    # A "1" on lines sloping 15 degrees down to the right leans the same way; turned by the
    # lines' slope it stands upright again, and none of its ink is lost off the canvas.
    stroke = np.zeros((60, 60), np.uint8)
    cv2.line(stroke, (30, 8), (30, 52), 255, 4)
    lean = cv2.getRotationMatrix2D((30, 30), -15, 1.0)  # clockwise: how the page turned
    leaning = np.where(cv2.warpAffine(stroke, lean, (60, 60)) > 127, 255, 0).astype(np.uint8)
    centres = np.array([[x, 100 + x * np.tan(np.radians(15))] for x in range(0, 400, 50)])
    skew = upright.skew_deg(centres, digit_height=40)
    assert skew == pytest.approx(15, abs=0.5)
    standing = upright.turn_upright(leaning, skew)
    ys, xs = np.nonzero(standing)
    assert xs.max() - xs.min() <= 6 and ys.max() - ys.min() >= 40
    assert upright.unsure(np.array([0.99, 0.6])) == [1]
    assert upright.skew_deg(centres * [1, 0] + [0, 100], 40) == 0.0  # level lines: nothing is turned


def test_a_slanted_digit_is_deskewed_upright_and_an_upright_one_left_as_it_is():
    leaning = np.zeros((50, 40), np.uint8)
    cv2.line(leaning, (8, 46), (28, 4), 255, 4)  # a "1" leaning right by 0.5 px per row
    standing = upright.deskewed(leaning)
    assert standing.shape[0] == np.count_nonzero(leaning.any(axis=1)) and standing.shape[1] <= 8 and set(np.unique(standing)) == {0, 255}
    upright_stroke = np.zeros((50, 12), np.uint8)
    cv2.line(upright_stroke, (6, 4), (6, 46), 255, 4)
    assert upright.deskewed(upright_stroke).shape[1] == np.count_nonzero(upright_stroke.any(axis=0))
    assert upright.deskewed(np.zeros((10, 10), np.uint8)).shape == (10, 10)  # no ink: as it was
    assert upright.unsure(np.array([0.99, 0.6, 0.3]), upright.DESKEW_BELOW) == [2]


class _SureOfUprightStrokes:
    """A stand-in model: sure of a "1" whose ink stands upright, unsure of one that leans."""

    def __init__(self, upright_confidence: float = 0.95) -> None:
        self.upright_confidence = upright_confidence

    def scores(self, crops: np.ndarray) -> np.ndarray:
        out = np.zeros((len(crops), 10), np.float32)
        for row, crop in zip(out, crops):
            m = cv2.moments(crop, binaryImage=True)
            lean = abs(m["mu11"] / m["mu02"]) if m["mu02"] else 0.0
            row[:] = 0.7 / 9
            row[1] = self.upright_confidence if lean < 0.1 else 0.3
        return out


def test_the_reader_reads_a_barely_readable_digit_again_deskewed():
    frame = np.full((240, 320), 255, np.uint8)
    cv2.line(frame, (150, 150), (166, 90), 0, 5)  # a "1" leaning right
    reading = DigitReader(_SureOfUprightStrokes()).read(frame)
    assert reading.text == "1" and reading.digits[0].confidence == pytest.approx(0.95)
    # Deskewed but still not sure enough to be shown: not lifted from a dropped smudge to a "?".
    assert DigitReader(_SureOfUprightStrokes(upright_confidence=0.45)).read(frame).text == ""


def test_a_second_opinion_is_kept_where_surer_and_at_least_as_sure_as_its_floor():
    from edge.readings import keep_surer

    whole = np.zeros((4, 28, 28), np.uint8)
    whole_scores = np.full((4, 10), 0.7 / 9, np.float32)
    whole_scores[:, 3] = 0.3
    second = np.full((4, 10), 0.01, np.float32)
    second[:, 7] = [0.45, 0.45, 0.6, 0.2]
    opinions = [(0, 0.0, np.full((28, 28), 1, np.uint8)),  # turned: kept whenever surer
                (1, upright.DESKEW_BELOW, np.full((28, 28), 2, np.uint8)),  # deskewed, short of its floor
                (2, upright.DESKEW_BELOW, np.full((28, 28), 3, np.uint8)),
                (3, 0.0, np.full((28, 28), 4, np.uint8))]  # less sure than the digit as it stands
    keep_surer(whole, whole_scores, opinions, second)
    assert whole_scores.argmax(axis=1).tolist() == [7, 3, 7, 3]
    assert whole[:, 0, 0].tolist() == [1, 0, 3, 0]

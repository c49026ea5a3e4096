"""What is kept of the readings: lines in reading order (edge.layout), words and show-through left out
(edge.readings), loops blurred shut read again opened."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge import layout, readings, upright
from edge.reader import DigitReader


@pytest.mark.parametrize("slope_deg", [-20, -10, 0, 10, 20])
def test_sloped_lines_come_out_line_by_line(slope_deg):
    rng = np.random.default_rng(slope_deg + 50)
    slope = np.tan(np.radians(slope_deg))
    centres, truth = [], []
    for line in range(3):
        for k in range(8):
            x = 40 + 45 * k
            centres.append((x, 200 + 90 * line + slope * x + rng.uniform(-8, 8)))
            truth.append(line * 8 + k)
    order = rng.permutation(len(centres))
    shuffled = np.float64(centres)[order]
    result = [int(order[i]) for i in layout.reading_order(shuffled, height=36.0)]
    assert result == truth


def test_a_long_tail_does_not_move_a_digit_into_the_next_line():
    # Ink centres: a 7 with a long tail has its centre high in its own box.
    centres = np.float64([[20, 50], [60, 52], [100, 49], [140, 60], [20, 130], [60, 128], [100, 131]])
    assert layout.reading_order(centres, height=40.0) == [0, 1, 2, 3, 4, 5, 6]


def test_a_page_edge_line_does_not_swallow_the_digits_its_box_overlaps():
    from edge.blobs import locate_digits
    from edge.detect import DetectorOptions
    mask = np.zeros((400, 300), np.uint8)
    cv2.line(mask, (0, 0), (120, 399), 255, 2)  # the sheet's slanted edge, left in the view
    for k in range(3):
        cv2.line(mask, (60 + 60 * k, 100), (60 + 60 * k, 140), 255, 3)  # three "1"s by it
    found = locate_digits(mask, DetectorOptions(), min_height_px=10, margin_px=4)
    assert len(found) == 3


class _SureOfAStemOnTheLeft:
    """A stand-in model: sure (0.99) of a "7" whose lower half's ink lies left of the crop's middle
    (a stem down from a bar's left end), unsure (0.7) of anything else: writing mirrored reads surer
    flipped back."""

    def scores(self, crops: np.ndarray) -> np.ndarray:
        out = np.full((len(crops), 10), 0.3 / 9, np.float32)
        for row, crop in zip(out, crops):
            xs = np.nonzero(crop[14:] > 127)[1]
            row[7] = 0.99 if xs.mean() < 14 else 0.7
            row[row != row[7]] = (1 - row[7]) / 9
        return out


def _glyphs(count: int, mirrored: bool) -> np.ndarray:
    """`count` glyphs in a row: a bar and a stem at its left end (its right end when `mirrored`)."""
    frame = np.full((240, 420), 255, np.uint8)
    for k in range(count):
        x = 30 + 60 * k
        stem = x + 30 if mirrored else x
        cv2.line(frame, (x, 100), (x + 30, 100), 0, 5)
        cv2.line(frame, (stem, 100), (stem, 150), 0, 5)
    return frame


def test_writing_read_surer_mirrored_is_show_through_and_not_read():
    reader = DigitReader(_SureOfAStemOnTheLeft())
    assert reader.read(_glyphs(6, mirrored=False)).text == "777777"
    assert reader.read(_glyphs(6, mirrored=True)).text == ""  # 0.7 each as seen, 0.99 flipped back
    # Too few to judge the writing by: four unsure digits are read as they are.
    assert reader.read(_glyphs(4, mirrored=True)).text == "7777"


def test_only_an_unsure_reading_of_enough_digits_is_read_mirrored():
    unsure, sure = np.full((6, 10), 0.02, np.float32), np.full((6, 10), 0.001, np.float32)
    unsure[:, 3], sure[:, 3] = 0.82, 0.991
    assert readings.may_be_mirrored(unsure) and not readings.may_be_mirrored(sure)
    assert not readings.may_be_mirrored(unsure[:4])
    assert readings.seen_from_behind(unsure, sure)  # 0.82 as seen, 0.99 flipped: past the margin
    assert readings.seen_from_behind(unsure, unsure + 0.06)  # 0.88: past it
    assert not readings.seen_from_behind(unsure, unsure + 0.04)  # 0.86: within it


def _readings(boxes_and_confidences):
    """Boxes (x, y, w, h) and (N,) confidences."""
    from edge.detect import Box
    boxes = [Box(*b) for b, _ in boxes_and_confidences]
    return boxes, np.float32([c for _, c in boxes_and_confidences])


def test_a_run_of_small_readings_mostly_no_digit_beside_a_number_is_words():
    """A number 60 px tall; above it a word of six letters 20 px tall side by side, three read as no
    digit (under the floor, 0.4) and three as digits (its o's and l's): words, none read. The same
    word 25 px tall (over 0.4 of the number), or with only two letters unsure, or alone in the frame
    (no number beside it to be small against), is read as it is."""
    number = [((40 + 50 * k, 100, 40, 60), 0.99) for k in range(4)]

    def word(height, unsure, top=40):
        return [((40 + int(0.8 * height) * k, top, int(0.7 * height), height), 0.2 if k < unsure else 0.9)
                for k in range(6)]

    boxes, confidences = _readings(number + word(20, 3))
    assert readings.words(boxes, confidences, 0.4).tolist() == [False] * 4 + [True] * 6
    for other in (word(25, 3), word(20, 2)):
        boxes, confidences = _readings(number + other)
        assert not readings.words(boxes, confidences, 0.4).any()
    boxes, confidences = _readings(word(20, 3))
    assert not readings.words(boxes, confidences, 0.4).any()
    # Specks between the word's letters (under half their height) are not of its run: with them it
    # would have three readings of eight under the floor.
    boxes, confidences = _readings(number + word(20, 1) + [((54, 48, 2, 6), 0.1), ((70, 48, 2, 6), 0.1)])
    assert not readings.words(boxes, confidences, 0.4).any()


def test_unsure_blobs_whose_loops_blurred_shut_are_read_again_opened():
    from edge.detect import Box, DetectorOptions, Found, mnist_crop
    from edge.readings import second_batch

    # Four blobs in a line, each inked all over with its middle lighter (a loop blurred shut): read unsure
    # as a digit, as no digit, and sure; and one whose loop is paper already, read unsure.
    darkness = np.zeros((60, 200), np.uint8)
    found = []
    for k in range(4):
        x = 10 + 45 * k
        mask = np.zeros((30, 24), np.uint8)
        cv2.ellipse(mask, (12, 15), (10, 13), 0, 0, 360, 255, -1)
        patch = mask // 255 * 200
        cv2.ellipse(patch, (12, 15), (5, 7), 0, 0, 360, 90, -1)
        if k == 3:
            cv2.ellipse(mask, (12, 15), (5, 7), 0, 0, 360, 0, -1)
        darkness[15:45, x:x + 24] = patch
        found.append(Found(Box(x, 15, 24, 30), mask, (x + 12.0, 30.0)))
    scores = np.full((4, 10), 0.01, np.float32)
    scores[:, 0] = [0.6, 0.3, 0.95, 0.6]
    _, _, opinions = second_batch(found, [0.8] * 4, 30.0, scores, DetectorOptions(), darkness, 0.4)
    # Deskewed (under 0.5), then opened: kept where surer; read as no digit, only where read sure.
    assert [(k, floor) for k, floor, _ in opinions] == [(1, upright.DESKEW_BELOW), (0, 0.0),
                                                        (1, upright.UNSURE_BELOW)]
    as_read = mnist_crop(found[0].mask, DetectorOptions())
    opened = opinions[1][2]
    assert as_read[14, 14] > 0 and opened[14, 14] == 0  # its middle paper again

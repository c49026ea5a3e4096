"""Writing a quarter or half turn from upright: found by its crops turned, read turned, boxes given back
in the frame's own pixels (edge.orientation, DigitReader)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge import orientation
from edge.detect import Box
from tests.images import synthetic_rows

# The frame's turn that each of orientation.TURNS undoes.
UNDOES = {cv2.ROTATE_90_CLOCKWISE: cv2.ROTATE_90_COUNTERCLOCKWISE,
          cv2.ROTATE_90_COUNTERCLOCKWISE: cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180: cv2.ROTATE_180}


def _box_of(mask: np.ndarray) -> Box:
    return Box(*cv2.boundingRect(cv2.findNonZero(mask)))


@pytest.mark.parametrize("rotation", [r for r, _ in orientation.TURNS])
def test_a_box_in_a_turned_frame_is_given_back_where_it_is_in_the_frame(rotation):
    frame = np.zeros((60, 100), np.uint8)
    frame[7:19, 61:90] = 255  # off every axis of symmetry
    turned = cv2.rotate(frame, rotation)
    assert orientation.box_back(_box_of(turned), rotation, frame.shape) == _box_of(frame)


def test_the_numpy_and_opencv_forms_of_each_turn_agree():
    frame = np.arange(12, dtype=np.uint8).reshape(3, 4)
    for rotation, k in orientation.TURNS:
        assert np.array_equal(cv2.rotate(frame, rotation), np.rot90(frame, k))


def test_a_turn_wins_with_more_sure_readings_and_few_unsure_left():
    sure = 0.9
    upright = np.array([0.99] * 8 + [0.5] * 4)
    assert orientation.turn_wins(upright, np.array([0.99] * 4 + [0.5] * 8), sure)
    # as sure, or unsure ones left: a page of 0s, 1s and 8s upside down, or a turn that reads no better
    assert not orientation.turn_wins(upright, upright, sure)
    assert not orientation.turn_wins(np.array([0.99] * 8 + [0.5] * 6), np.array([0.99] * 5 + [0.5] * 9), sure)
    # a row of eight blobs read turned as four sure digits: the ink is not read the right way up
    assert not orientation.turn_wins(np.array([0.99] * 4), np.array([0.99] * 2 + [0.5] * 6), sure)
    # touching groups, seven blobs read whole and unsure, cut into 15 digits as they stand: six digits
    # read turned are not the ink the right way up; eight are, where sideways digits were cut into 14
    blobs, turned = np.array([0.99] + [0.5] * 6), np.array([0.99] * 4 + [0.8] * 2)
    assert orientation.turn_wins(turned, blobs, sure)
    assert not orientation.turn_wins(turned, blobs, sure, read=15)
    assert orientation.turn_wins(np.array([0.99] * 8), np.array([0.5] * 8), sure, read=14)


def test_few_unsure_blobs_are_not_looked_at_turned():
    assert not orientation.worth_a_look(np.array([0.99] * 100 + [0.5] * 7), 0.9)
    assert orientation.worth_a_look(np.array([0.99] * 73 + [0.5] * 34), 0.9)
    assert not orientation.worth_a_look(np.array([0.5, 0.5]), 0.9)


def _marks(corner: tuple[int, int], count: int = 10) -> np.ndarray:
    """Crops with their ink in one quarter: (0, 0) top left ... (1, 1) bottom right."""
    crops = np.zeros((count, 28, 28), np.uint8)
    y, x = corner
    crops[:, 4 + 12 * y:12 + 12 * y, 4 + 12 * x:12 + 12 * x] = 255
    return crops


def _sure_of_top_left(crops: np.ndarray) -> np.ndarray:
    """A stand-in model, sure of a crop whose ink is in its top left quarter only."""
    top_left = crops[:, :14, :14].sum(axis=(1, 2)) > 0.9 * crops.sum(axis=(1, 2))
    scores = np.full((len(crops), 10), 0.05, np.float32)
    scores[:, 0] = np.where(top_left, 0.99, 0.3)
    return scores


def _turn_to_try(crops: np.ndarray):
    """The first turn to try, or None."""
    turns = orientation.turns_to_try(crops, _sure_of_top_left(crops).max(axis=1), _sure_of_top_left, 0.9)
    return turns[0] if turns else None


def test_the_turn_under_which_the_crops_read_sure_is_tried():
    assert _turn_to_try(_marks((1, 1)))[0] == cv2.ROTATE_180
    assert _turn_to_try(_marks((1, 0)))[0] == cv2.ROTATE_90_CLOCKWISE
    assert _turn_to_try(_marks((0, 0))) is None  # upright already
    assert _turn_to_try(np.zeros((0, 28, 28), np.uint8)) is None


def test_crops_that_read_as_surely_mirrored_as_turned_are_not_turned():
    """Ink in the top right quarter reads sure turned a quarter turn and mirrored alike: writing seen from
    the back of the sheet reads surest mirrored, and is left to the reader's mirrored check."""
    assert _turn_to_try(_marks((0, 1))) is None


@pytest.mark.slow
@pytest.mark.parametrize("rotation", [r for r, _ in orientation.TURNS])
def test_a_row_of_digits_turned_is_read_as_upright_with_its_boxes_in_the_frame(
        tiny_models, confident_digits, rotation):
    from edge.reader import DigitReader
    from edge.runtime import Classifier

    reader = DigitReader(Classifier(tiny_models / "digits_int8.tflite"))
    images, labels = confident_digits
    # Digits no turn makes into digits (a 0, 1 or 8 reads the same upside down, a 6 as a 9): the weak
    # model of the tests reads a row of 1s, 0s and 3s upside down as surely as upright.
    keep = np.isin(labels, [2, 3, 4, 5, 7])
    frames, texts = synthetic_rows(images[keep], labels[keep], count=2, seed=3)
    for frame, text in zip(frames, texts):
        upright = reader.read(frame)
        assert upright.text == text
        written = cv2.rotate(frame, UNDOES[rotation])  # the writing turned in the frame
        reading = reader.read(written, trace=True)
        assert reading.text == text
        # the debug pictures as the frame stands, not as it was read
        assert reading.trace and reading.trace["ink"].shape[:2] == written.shape[:2]
        for seen, digit in zip(upright.digits, reading.digits):
            # where the upright digit lies once the frame is turned like the writing
            mark = np.zeros(frame.shape[:2], np.uint8)
            mark[seen.box.y:seen.box.y + seen.box.h, seen.box.x:seen.box.x + seen.box.w] = 255
            expected = _box_of(cv2.rotate(mark, UNDOES[rotation]))
            assert max(abs(a - b) for a, b in zip(digit.box, expected)) <= 3, (digit.box, expected)


def test_turns_reading_nearly_as_surely_are_all_tried_the_surest_first():
    """A row of 0s, 1s, 8s, 6s and 9s reads nearly as surely a quarter turn either way (a half turn
    apart): each is read, not the first found."""
    crops = _marks((1, 0)) | _marks((1, 1))  # along the bottom: top left a quarter turn clockwise, or a half

    def sure_of_any_top_left(batch: np.ndarray) -> np.ndarray:
        scores = np.full((len(batch), 10), 0.05, np.float32)
        scores[:, 0] = np.where(batch[:, :14, :14].any(axis=(1, 2)), 0.99, 0.3)
        return scores

    turns = orientation.turns_to_try(crops, np.full(len(crops), 0.3), sure_of_any_top_left, 0.9)
    assert sorted(r for r, _ in turns) == sorted([cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180])


def test_printed_words_read_across_the_frame_leave_only_the_half_turn():
    """Printed words read across the frame as it stands (edge.readings.words), as a share of its readings:
    it stands upright or upside down, and a quarter turn is not tried however its crops read (letters on
    their side read as 1s); a few specks taken for words do not say so."""
    quarter, half = _marks((1, 0)), _marks((1, 1))
    sure = _sure_of_top_left

    def first_turn(crops, words):
        turns = orientation.turns_to_try(crops, sure(crops).max(axis=1), sure, 0.9, words)
        return turns[0][0] if turns else None

    assert first_turn(quarter, 0.0) == first_turn(quarter, 0.05) == cv2.ROTATE_90_CLOCKWISE
    assert first_turn(quarter, orientation.WORDS_ACROSS) is None
    assert first_turn(half, 0.5) == cv2.ROTATE_180

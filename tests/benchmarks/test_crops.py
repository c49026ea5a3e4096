"""The crops of `python -m benchmarks.crops`: runs of digits along a line or down a column, cut half-way
to their neighbours, and the command on a small labelled folder."""

from __future__ import annotations

import numpy as np

from benchmarks import crops
from tests.benchmarks.conftest import run_on_labelled
from edge.detect import Box


def _marked(boxes: list[Box], shape=(400, 600)) -> np.ndarray:
    """A grey image with each box filled with its own value (10, 20, ...): a crop shows which it holds."""
    image = np.zeros((*shape, 3), np.uint8)
    for k, b in enumerate(boxes, start=1):
        image[b.y:b.y + b.h, b.x:b.x + b.w] = 10 * k
    return image


def _held(crop: np.ndarray) -> set[int]:
    return {int(v) // 10 - 1 for v in np.unique(crop[:, :, 0]) if v}


def test_runs_along_two_lines_are_cut_within_their_line():
    # Two lines of three digits 40 px tall, 60 px apart along the line, the second 70 px lower.
    boxes = [Box(50 + 60 * k, 100 + 70 * (k // 3), 30, 40) for k in (0, 1, 2)]
    boxes += [Box(50 + 60 * k, 170, 30, 40) for k in (0, 1, 2)]
    image = _marked(boxes)
    cut = list(crops.crops(image, boxes, "123456", "a.png", 2, 1.0))
    # Two runs of two on each line; none across the line break.
    assert [c.truth for c in cut] == ["12", "23", "45", "56"]
    for c, held in zip(cut, [{0, 1}, {1, 2}, {3, 4}, {4, 5}]):
        assert _held(c.image) == held  # half-way to the neighbours, and to the other line
    single = list(crops.crops(image, boxes, "123456", "a.png", 1, 0.15))
    assert len(single) == 6 and single[1].image.shape[:2] == (40 + 2 * 6, 60)  # 0.15 of 40 px: 6


def test_a_column_is_cut_down_its_length():
    boxes = [Box(200, 40 + 60 * k, 30, 40) for k in range(4)]
    cut = list(crops.crops(_marked(boxes), boxes, "1234", "c.png", 3, 0.4))
    assert [c.truth for c in cut] == ["123", "234"]
    assert _held(cut[0].image) == {0, 1, 2} and cut[0].image.shape[1] == 30 + 2 * 16


def test_the_command_scores_each_run_and_margin_and_skips_a_photo_read_wrong(labelled_folder, tiny_models):
    output = run_on_labelled(crops.main, labelled_folder, tiny_models / "digits_int8.tflite")
    lines = [line for line in output if "margin" in line]
    assert len(lines) == len(crops.RUNS) * len(crops.MARGINS)
    assert "1 digit(s), margin 0.15: " in lines[0] and "/5 crops exact" in lines[0]
    close = [line for line in output if "held close" in line]
    assert len(close) == len(crops.CLOSE_RUNS) * len(crops.CLOSE_FRAMES) * len(crops.CLOSE_SHARES)


def test_a_crop_held_close_fills_the_share_of_the_frame_asked_on_its_paper():
    image = np.full((52, 60, 3), (180, 190, 200), np.uint8)
    image[6:46, 20:40] = 30  # a digit 40 px tall
    crop = crops.Crop("a.png 0+1", image, "1", 40)
    framed = crops.held_close(crop, (480, 640), 0.5)  # 6 times: 312x360 in the middle
    assert framed.shape == (480, 640, 3)
    rows = np.flatnonzero((framed[:, :, 0] < 100).any(axis=1))
    assert rows[-1] - rows[0] + 1 == 240  # the digit: half the frame's height
    assert abs(float(np.median(framed[:20, :20, 2])) - 200) <= 1  # the ground: the crop's paper
    assert np.array_equal(framed, crops.held_close(crop, (480, 640), 0.5))  # the same noise each time
    assert crops.held_close(crop, (480, 640), 0.95) is None  # 1.24 times the frame's height: no fit


def test_a_grey_crop_is_held_close_grey_and_an_empty_one_not_at_all():
    crop = crops.Crop("g.png 0+1", np.full((52, 60), 190, np.uint8), "1", 40)
    assert crops.held_close(crop, (480, 640), 0.5).shape == (480, 640)
    empty = crops.Crop("e.png 0+1", np.zeros((0, 0, 3), np.uint8), "1", 40)
    assert crops.held_close(empty, (480, 640), 0.5) is None


def test_digits_whose_boxes_overlap_along_the_line_are_cut_whole():
    # Three digits 40 px wide, 30 px apart (a slanted hand: their boxes overlap by 10 px).
    boxes = [Box(100 + 30 * k, 100, 40, 40) for k in range(3)]
    middle = list(crops.crops(_marked(boxes), boxes, "123", "o.png", 1, 0.4))[1]
    assert middle.image.shape[1] >= 40  # the half-way points fall inside it: cut at its own edges

"""`python -m benchmarks.ruled`: printed rules laid under a photo's writing, in the frame of its page, and
the command on a small labelled folder."""

from __future__ import annotations

import cv2
import numpy as np

from benchmarks import ruled
from tests.benchmarks.conftest import run_on_labelled
from edge.detect import Box


def _paper(shape=(480, 640)) -> np.ndarray:
    return np.full((*shape, 3), 230, np.uint8)


def test_ruled_paper_has_a_rule_under_the_first_digit_and_a_margin_left_of_the_writing():
    boxes = [Box(200 + 50 * k, 200, 30, 40) for k in range(4)]
    out = ruled.on_paper(_paper(), boxes, "a.png", squared=False)
    rows = out[:, :, 2].astype(int).mean(axis=1)  # red: the blue rules take most of it
    printed = np.flatnonzero(rows < 225)
    assert abs(printed - 240).min() <= 1  # the first digit's foot sits on a rule
    pitch = np.diff(printed[np.diff(printed, prepend=-10) > 2])
    assert 44 <= np.median(pitch) <= 64  # 1.1 to 1.6 digit heights
    blue_left = out[:, :200, 0].astype(int).mean(axis=0) - out[:, :200, 2].astype(int).mean(axis=0)
    assert blue_left.min() < -10  # a red margin line (blue taken more than red) ...
    assert blue_left.argmin() <= 200 - 0.3 * 40  # ... 0.3 to 1 digit height left of the first digit's edge
    assert np.array_equal(out, ruled.on_paper(_paper(), boxes, "a.png", squared=False))  # drawn the same
    assert not np.array_equal(out, ruled.on_paper(_paper(), boxes, "b.png", squared=False))


def test_squared_paper_crosses_every_digit_and_its_lines_are_faint_and_thin():
    boxes = [Box(200 + 50 * k, 200, 30, 40) for k in range(4)]
    out = ruled.on_paper(_paper(), boxes, "a.png", squared=True)
    red = out[:, :, 2].astype(int)
    rows, columns = np.flatnonzero(red.mean(axis=1) < 225), np.flatnonzero(red.mean(axis=0) < 225)
    assert all(((rows >= b.y) & (rows < b.y + b.h)).any() for b in boxes)  # finer than a digit's height
    assert sum(((columns >= b.x) & (columns < b.x + b.w)).any() for b in boxes) >= len(boxes) // 2
    assert red.min() >= 230 * (1 - ruled.STRENGTH[1] * (1 - ruled.RULE_BGR[2])) - 2  # print, not ink
    assert np.count_nonzero(red.mean(axis=1) < 225) <= 0.2 * red.shape[0]  # lines 1-3 px apart 24-40 px


def test_the_rules_follow_a_sheet_seen_in_perspective():
    # A white sheet on a dark desk, its top edge narrower than its bottom.
    frame = np.full((480, 640, 3), 40, np.uint8)
    sheet = np.int32([[200, 60], [440, 60], [560, 440], [80, 440]])
    cv2.fillConvexPoly(frame, sheet, (235, 235, 235))
    boxes = [Box(260 + 40 * k, 200, 24, 32) for k in range(4)]
    out = ruled.on_paper(frame, boxes, "s.png", squared=True)
    desk = np.full(frame.shape[:2], 255, np.uint8)
    cv2.fillConvexPoly(desk, sheet, 0)
    desk = cv2.erode(desk, np.ones((7, 7), np.uint8)) > 0  # 3 px clear of the sheet's edge
    assert np.array_equal(out[desk], frame[desk])  # nothing printed on the desk
    assert (out[100:400, 200:440] != frame[100:400, 200:440]).any()


def test_the_command_scores_each_paper_and_skips_a_photo_read_wrong(labelled_folder, tiny_models):
    output = run_on_labelled(ruled.main, labelled_folder, tiny_models / "digits_int8.tflite")
    lines = [line for line in output if line.strip().startswith("on ")]
    assert [line.split(":")[0].strip() for line in lines] == list(ruled.WAYS)
    assert all("/1 photos exact" in line and "/5 digits right" in line for line in lines), output


def test_a_turned_photo_is_held_whole_on_a_frame_of_its_edges_colour():
    frame = np.full((200, 300, 3), 200, np.uint8)
    frame[:3], frame[-3:], frame[:, :3], frame[:, -3:] = 150, 150, 150, 150  # a darker rim: the desk, say
    frame[10:30, 265:290] = 30  # a digit near a corner, which a turn in the photo's own frame would cut
    out = ruled.turned(frame, 8.0)
    assert out.shape[0] > 200 and out.shape[1] > 300
    assert np.count_nonzero(out[..., 0] < 100) >= 0.9 * 20 * 25  # all of the digit is still in the frame
    assert (out[0, 0] == 150).all() and (out[-1, -1] == 150).all()  # the corners: the edges' colour
    degrees = [ruled.turn_deg(f"p{k}.jpg") for k in range(40)]
    assert all(ruled.TURN_DEG[0] <= abs(d) <= ruled.TURN_DEG[1] for d in degrees)
    assert min(degrees) < 0 < max(degrees) and ruled.turn_deg("p0.jpg") == degrees[0]


def test_a_tilted_photo_narrows_one_side_and_fills_its_corners_with_its_edges_colour():
    frame = np.full((200, 300, 3), 200, np.uint8)
    frame[:3], frame[-3:], frame[:, :3], frame[:, -3:] = 150, 150, 150, 150
    frame[:, 148:152] = 30  # an upright line down the middle: it stays upright however the top narrows
    out = ruled.tilted(frame, "top", 0.2)
    assert out.shape == frame.shape
    assert (out[0, 0] == 150).all() and (out[0, -1] == 150).all()  # beyond the narrowed top: edges' colour
    assert (out[-1, 0] == 150).all() and out[100, 150, 0] < 100  # the bottom's corner and the middle line
    fill_at_top = np.flatnonzero(out[5, :, 0] == 150)
    assert fill_at_top.min() == 0 and 25 <= np.count_nonzero(fill_at_top < 150) <= 35  # 0.2 * 300 / 2 = 30 px
    sides = [ruled.tilt(f"p{k}.jpg") for k in range(40)]
    assert {side for side, _ in sides} == set(ruled.SIDES)
    assert all(ruled.TILT[0] <= share <= ruled.TILT[1] for _, share in sides)
    assert ruled.tilt("p0.jpg") == sides[0]

"""Boxes, combs and underlines drawn with the writing, taken out of the ink (edge.boxes, edge.underlines)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge import boxes, synth_conditions, underlines
from edge.blobs import find_candidates
from edge.detect import DetectorOptions
from edge.locate import locate

TWO = [(0, 8), (8, 0), (18, 0), (24, 8), (22, 18), (2, 38), (26, 38)]  # a "2", 26 x 38, foot at the bottom
FOUR = [(18, 38), (18, 0), (0, 26), (26, 26)]
SEVEN = [(0, 0), (26, 0), (10, 38)]


def _draw(mask: np.ndarray, strokes: list[tuple[int, int]], at: tuple[int, int], thickness: int = 3) -> None:
    points = np.int32(strokes) + np.int32(at)
    cv2.polylines(mask, [points], False, 255, thickness)


def _remove_boxes(mask: np.ndarray) -> bool:
    return boxes.remove_boxes(mask, 20)


def _remove_underlines(mask: np.ndarray) -> bool:
    labels, candidates = find_candidates(mask)
    return underlines.remove_underlines(mask, labels, candidates, 20)


def _in_a_frame(small: np.ndarray) -> np.ndarray:
    """A small drawing placed in a 480x640 frame (edge.boxes leaves a blob over a quarter of the frame's
    width and half its height to edge.rules: on a small canvas every blob would be)."""
    frame = np.zeros((480, 640), np.uint8)
    frame[150:150 + small.shape[0], 150:150 + small.shape[1]] = small
    return frame


def _tall_parts(mask: np.ndarray, height: int) -> list[tuple[int, int, int, int]]:
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    return [tuple(s[:4]) for s in stats[1:] if s[3] >= height]


def test_a_row_of_boxes_goes_and_the_digits_in_them_stay():
    mask = np.zeros((120, 260), np.uint8)
    digits = np.zeros_like(mask)
    for k, shape in enumerate((TWO, FOUR, SEVEN)):
        left = 20 + 70 * k
        cv2.rectangle(mask, (left, 30), (left + 56, 100), 255, 2)
        _draw(digits, shape, (left + 14 + (16 if k == 1 else 0), 46))  # the 4 touches its box's right side
    mask |= digits
    assert _remove_boxes(mask)
    # The boxes' sides are gone (no part as tall as a box is left), the digits' ink is kept.
    assert _tall_parts(mask, 60) == []
    assert np.count_nonzero(mask & digits) >= 0.9 * np.count_nonzero(digits)
    assert len(_tall_parts(mask, 30)) == 3


@pytest.mark.parametrize("degrees", [-15, 8, 20])
def test_a_turned_box_goes(degrees):
    """Boxes on a page photographed turned: found in the frame of each blob's own rectangle."""
    mask = np.zeros((200, 300), np.uint8)
    for k, shape in enumerate((TWO, FOUR)):
        left = 60 + 100 * k
        cv2.rectangle(mask, (left, 60), (left + 56, 130), 255, 2)
        _draw(mask, shape, (left + 14, 76))
    turn = cv2.getRotationMatrix2D((150, 100), degrees, 1.0)
    mask = cv2.threshold(cv2.warpAffine(mask, turn, (300, 200)), 127, 255, cv2.THRESH_BINARY)[1]
    assert _remove_boxes(mask)
    assert _tall_parts(mask, 60) == [] and len(_tall_parts(mask, 30)) == 2


def test_a_comb_goes_whole_with_its_dividers():
    mask = np.zeros((480, 640), np.uint8)  # a comb filling the frame's height is edge.rules' (ruled lines)
    cv2.rectangle(mask, (20, 30), (20 + 4 * 60, 100), 255, 2)
    for k in range(1, 4):
        cv2.line(mask, (20 + 60 * k, 30), (20 + 60 * k, 100), 255, 2)
    digits = np.zeros_like(mask)
    for k, shape in enumerate((SEVEN, TWO, FOUR, TWO)):
        _draw(digits, shape, (20 + 60 * k + 17, 46))
    mask |= digits
    assert _remove_boxes(mask)
    assert _tall_parts(mask, 60) == [] and len(_tall_parts(mask, 30)) == 4


@pytest.mark.parametrize("lean", [-0.12, 0.08, 0.13])
def test_a_comb_seen_in_perspective_goes_whole(lean):
    """A comb on a page seen at an angle and not quite rectified (the frame cut the page): its sides and
    dividers lean, and lean apart, across its rectangle's columns; none stays, nor a sliver beside one."""
    mask = np.zeros((480, 640), np.uint8)
    cv2.rectangle(mask, (200, 200), (200 + 4 * 60, 270), 255, 2)
    for k in range(1, 4):
        cv2.line(mask, (200 + 60 * k, 200), (200 + 60 * k, 270), 255, 2)
    for k, shape in enumerate((SEVEN, TWO, FOUR, TWO)):
        _draw(mask, shape, (200 + 60 * k + 17, 216))
    # The top edge moved sideways by `lean` of the comb's height per pixel of height, and narrowed.
    square = np.float32([[200, 200], [440, 200], [440, 270], [200, 270]])
    seen = square + np.float32([[lean * 70 + 6, 0], [lean * 70 - 6, 0], [0, 0], [0, 0]])
    warp = cv2.getPerspectiveTransform(square, seen)
    mask = cv2.threshold(cv2.warpPerspective(mask, warp, (640, 480)), 127, 255, cv2.THRESH_BINARY)[1]
    assert _remove_boxes(mask)
    assert _tall_parts(mask, 60) == []
    parts = _tall_parts(mask, 12)
    assert len(parts) == 4 and all(w >= 10 for _, _, w, _ in parts), parts


def _strays(mask: np.ndarray, digits: np.ndarray, size: int) -> list[tuple[int, int, int, int]]:
    """Parts at least `size` tall or wide left of what is no digit (a box's lines)."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask & ~cv2.dilate(digits, np.ones((3, 3), np.uint8)))
    return [tuple(s[:4]) for s in stats[1:] if max(s[2], s[3]) >= size]


@pytest.mark.parametrize("lean", [0.0, 0.05, -0.1, 0.15])
@pytest.mark.parametrize("at", [395, 425])
def test_a_1_written_tall_in_a_combs_cell_stays(lean, at):
    """A 1 touching its cell's top and bottom is as long as a divider (and, near the comb's end, as its
    side): the comb's cells are about as wide as each other, and one split in two is no divider."""
    mask = np.zeros((480, 640), np.uint8)
    digits = np.zeros_like(mask)
    cv2.rectangle(mask, (200, 200), (440, 270), 255, 2)
    for k in range(1, 4):
        cv2.line(mask, (200 + 60 * k, 200), (200 + 60 * k, 270), 255, 2)
    for k, shape in enumerate((SEVEN, TWO, FOUR)):
        _draw(digits, shape, (200 + 60 * k + 17, 216))
    one = np.zeros_like(mask)
    cv2.line(one, (int(round(at - lean * 34)), 269), (int(round(at + lean * 34)), 201), 255, 3)
    mask |= digits | one
    assert _remove_boxes(mask)
    assert _strays(mask, digits | one, 40) == []
    assert np.count_nonzero(mask & one) >= 0.8 * np.count_nonzero(one)


@pytest.mark.parametrize("lean", [0.0, 0.05, 0.1])
@pytest.mark.parametrize("offset", [10, 28, 46])
def test_a_1_written_tall_in_its_box_stays(lean, offset):
    """A box for one digit holding a 1 that touches its top and bottom: the 1 may be taken for a
    divider, but then the box holds nothing; it holds the 1."""
    mask = np.zeros((480, 640), np.uint8)
    cv2.rectangle(mask, (200, 200), (256, 270), 255, 2)
    one = np.zeros_like(mask)
    foot = 200 + offset - lean * 35
    cv2.line(one, (int(round(foot)), 270), (int(round(foot + lean * 70)), 200), 255, 3)
    mask |= one
    assert _remove_boxes(mask)
    assert _strays(mask, one, 20) == []
    assert np.count_nonzero(mask & one) >= 0.8 * np.count_nonzero(one)


def test_a_4_written_tall_in_its_box_keeps_its_stem():
    """Its stem touches the box's top and bottom, as long as a divider: a box no wider than tall
    divided one way only is a box for one digit."""
    mask = np.zeros((480, 640), np.uint8)
    cv2.rectangle(mask, (200, 200), (256, 270), 255, 2)
    four = np.zeros_like(mask)
    _draw(four, [(34, 69), (34, 1), (10, 46), (46, 46)], (200, 200))
    mask |= four
    assert _remove_boxes(mask)
    assert _strays(mask, four, 20) == []
    assert np.count_nonzero(mask & four) >= 0.8 * np.count_nonzero(four)


def test_a_small_square_tables_cross_goes():
    """Two cells by two, as wide as tall: divided both ways, no box for one digit."""
    mask = np.zeros((480, 640), np.uint8)
    for k in range(3):
        cv2.line(mask, (200, 200 + 60 * k), (320, 200 + 60 * k), 255, 2)
        cv2.line(mask, (200 + 60 * k, 200), (200 + 60 * k, 320), 255, 2)
    digits = np.zeros_like(mask)
    for k, shape in enumerate((TWO, FOUR, SEVEN, TWO)):
        r, c = divmod(k, 2)
        _draw(digits, shape, (200 + 60 * c + 17, 200 + 60 * r + 11))
    mask |= digits
    assert _remove_boxes(mask)
    assert _strays(mask, digits, 20) == []
    assert len(_tall_parts(mask, 30)) == 4


@pytest.mark.parametrize("rows,cell", [(2, (60, 60)), (3, (50, 70)), (5, (45, 45))])
def test_a_column_of_boxes_loses_its_dividers(rows, cell):
    """Boxes one above the other, sharing their lines: no wider than tall and divided one way only,
    like a box for one digit, but divided into boxes."""
    w, h = cell
    mask = np.zeros((480, 640), np.uint8)
    cv2.rectangle(mask, (200, 100), (200 + w, 100 + rows * h), 255, 2)
    for k in range(1, rows):
        cv2.line(mask, (200, 100 + k * h), (200 + w, 100 + k * h), 255, 2)
    digits = np.zeros_like(mask)
    for k in range(rows):
        _draw(digits, (SEVEN, TWO, FOUR)[k % 3], (200 + (w - 26) // 2, 100 + k * h + (h - 38) // 2))
    mask |= digits
    assert _remove_boxes(mask)
    assert _strays(mask, digits, 10) == []


def test_a_label_and_a_narrow_value_cell_lose_their_divider():
    """A form's row: a wide label cell and a narrow value cell holding a 7; cells of a table need not be
    alike."""
    mask = np.zeros((480, 640), np.uint8)
    cv2.rectangle(mask, (200, 200), (340, 260), 255, 2)
    cv2.line(mask, (300, 200), (300, 260), 255, 2)
    digits = np.zeros_like(mask)
    _draw(digits, [(0, 0), (20, 0), (8, 38)], (309, 211))  # a 7 in the value cell
    _draw(digits, TWO, (220, 211))
    mask |= digits
    assert _remove_boxes(mask)
    assert _strays(mask, digits, 10) == []


def test_a_tables_lines_go_between_its_rows_too():
    mask = np.zeros((480, 640), np.uint8)
    for r in range(3):
        cv2.line(mask, (20, 30 + 70 * r), (20 + 3 * 60, 30 + 70 * r), 255, 2)
    for c in range(4):
        cv2.line(mask, (20 + 60 * c, 30), (20 + 60 * c, 170), 255, 2)
    for k, shape in enumerate((SEVEN, TWO, FOUR, TWO, FOUR, SEVEN)):
        r, c = divmod(k, 3)
        _draw(mask, shape, (20 + 60 * c + 17, 30 + 70 * r + (31 if r == 0 else 16)))  # the top row on the line
    assert _remove_boxes(mask)
    parts = _tall_parts(mask, 30)
    assert len(parts) == 6 and all(w <= 40 and h <= 45 for _, _, w, h in parts)


@pytest.mark.parametrize("lean", [0.0, -0.15, 0.2])
@pytest.mark.parametrize("kind", ["zero", "squarish zero", "square zero", "blot", "one", "eight", "two"])
def test_digits_and_blots_are_no_boxes(kind, lean):
    """Upright, and leaning as in a line written on a slope (a box's sides may lean, in perspective):
    beside a neighbour's stroke reaching into its bounding box."""
    mask = np.zeros((80, 80), np.uint8)
    if kind == "zero":
        cv2.ellipse(mask, (40, 40), (16, 24), 0, 0, 360, 255, 3)
    elif kind == "squarish zero":  # a 0 written boxy: straight sides, rounded corners
        cv2.rectangle(mask, (22, 16), (58, 64), 255, 3)
        for cx, cy in ((22, 16), (58, 16), (22, 64), (58, 64)):
            mask[cy - 5:cy + 6, cx - 5:cx + 6] = 0
        for cx, cy, a in ((27, 21, 180), (53, 21, 270), (27, 59, 90), (53, 59, 0)):
            cv2.ellipse(mask, (cx, cy), (5, 5), a, 0, 90, 255, 3)
    elif kind == "square zero":  # corners rounded by a fifth of its width: a box, but empty
        cv2.rectangle(mask, (20, 12), (60, 68), 255, 4)
        for cx, cy in ((20, 12), (60, 12), (20, 68), (60, 68)):
            mask[cy - 8:cy + 9, cx - 8:cx + 9] = 0
        for cx, cy, a in ((28, 20, 180), (52, 20, 270), (28, 60, 90), (52, 60, 0)):
            cv2.ellipse(mask, (cx, cy), (8, 8), a, 0, 90, 255, 4)
    elif kind == "blot":
        cv2.ellipse(mask, (40, 40), (20, 26), 0, 0, 360, 255, -1)
    elif kind == "one":
        cv2.line(mask, (40, 14), (40, 66), 255, 5)
    elif kind == "eight":
        cv2.circle(mask, (40, 27), 12, 255, 3)
        cv2.circle(mask, (40, 52), 14, 255, 3)
    else:
        _draw(mask, TWO, (27, 20))
    if lean:
        shear = np.float32([[1, lean, -lean * 40], [0, 1, 0]])
        mask = cv2.threshold(cv2.warpAffine(mask, shear, (80, 80)), 127, 255, cv2.THRESH_BINARY)[1]
    mask = _in_a_frame(mask)
    cv2.line(mask, (150 + 66, 150 + 14), (150 + 80, 150 + 66), 255, 3)  # the next digit, a 1
    before = mask.copy()
    assert not _remove_boxes(mask)
    assert np.array_equal(mask, before)


@pytest.mark.parametrize("half_width,half_height,thickness,lean", [(6, 14, 2, 0.15), (10, 14, 3, -0.1),
                                                                   (10, 16, 2, -0.2), (14, 20, 4, -0.2)])
def test_a_leaning_zero_drawn_boxy_is_no_box(half_width, half_height, thickness, lean):
    """A 0 drawn as a rectangle with rounded corners, leaning: its sides are lines a box's could be,
    and what they leave beside them is no writing held in it (edge.boxes._slivers)."""
    mask = np.zeros((80, 80), np.uint8)
    left, top, right, bottom = 40 - half_width, 40 - half_height, 40 + half_width, 40 + half_height
    cv2.rectangle(mask, (left, top), (right, bottom), 255, thickness)
    r = half_width // 2
    for cx, cy in ((left, top), (right, top), (left, bottom), (right, bottom)):
        mask[cy - r:cy + r + 1, cx - r:cx + r + 1] = 0
    for cx, cy, a in ((left + r, top + r, 180), (right - r, top + r, 270), (left + r, bottom - r, 90),
                      (right - r, bottom - r, 0)):
        cv2.ellipse(mask, (cx, cy), (r, r), a, 0, 90, 255, thickness)
    shear = np.float32([[1, lean, -lean * 40], [0, 1, 0]])
    mask = _in_a_frame(cv2.threshold(cv2.warpAffine(mask, shear, (80, 80)), 127, 255, cv2.THRESH_BINARY)[1])
    before = mask.copy()
    assert not _remove_boxes(mask)
    assert np.array_equal(mask, before)


@pytest.mark.parametrize("sag", [0.0, 0.02])
def test_a_line_under_a_number_joined_to_it_goes(sag):
    """Straight and sloped a little, or bending by 2 % of its length as a hand draws it."""
    mask = np.zeros((100, 260), np.uint8)
    digits = np.zeros_like(mask)
    for k, shape in enumerate((SEVEN, TWO, FOUR, TWO, SEVEN)):
        _draw(digits, shape, (20 + 42 * k, 20))
    line = np.zeros_like(mask)
    xs = np.linspace(14, 236, 60)
    ys = 58 + 3 * (xs - 14) / 222 + sag * 222 * (1 - ((xs - 125) / 111) ** 2)  # touching the digits' feet
    cv2.polylines(line, [np.int32(np.column_stack([xs, ys]))], False, 255, 3)
    mask |= digits | line
    assert len(find_candidates(mask)[1]) == 1
    assert _remove_underlines(mask)
    assert np.count_nonzero(mask & line & ~digits) <= 0.05 * np.count_nonzero(line)
    parts = _tall_parts(mask, 30)
    assert len(parts) == 5 and all(h <= (42 if sag == 0 else 44) for _, _, _, h in parts)


@pytest.mark.parametrize("kind", ["wide two", "two twos joined at their feet", "a bar alone", "a seven's long bar",
                                  "a two's foot under the next digit"])
def test_what_is_no_underline_stays(kind):
    mask = np.zeros((100, 200), np.uint8)
    if kind == "wide two":  # a 2 with a long foot: 1.6 times as wide as tall
        _draw(mask, [(0, 8), (8, 0), (18, 0), (24, 8), (22, 18), (2, 38), (60, 38)], (40, 30))
    elif kind == "two twos joined at their feet":
        _draw(mask, TWO, (40, 30))
        _draw(mask, TWO, (64, 30))
    elif kind == "a bar alone":  # as thick as a digit is tall: no line under writing
        cv2.line(mask, (20, 60), (180, 60), 255, 22)
    elif kind == "a two's foot under the next digit":  # "21", the 1 not touching the 2's long foot
        _draw(mask, [(0, 8), (8, 0), (18, 0), (24, 8), (22, 18), (2, 38), (80, 38)], (40, 30))
        cv2.line(mask, (100, 32), (100, 62), 255, 3)
    else:  # the bar on top: an underline is under the writing
        _draw(mask, [(0, 0), (90, 0), (60, 38)], (40, 30))
    mask = _in_a_frame(mask)
    before = mask.copy()
    assert not _remove_underlines(mask)
    assert np.array_equal(mask, before)


@pytest.mark.parametrize("degrees", [0, 5, 10])
def test_an_underline_a_little_below_a_number_does_not_join_its_digits(degrees):
    """Not joined to the number, the line is its own blob: it is no piece of a digit however close
    below them it runs (merged as one, it took all the digits into one blob, dropped), level or turned
    with the page (its box then as tall as the digits' 0.6 and more)."""
    frame = np.full((240, 360, 3), 225, np.uint8)
    for k, shape in enumerate((SEVEN, TWO, FOUR, TWO, SEVEN, FOUR)):
        _draw(frame, shape, (50 + 42 * k, 80))
    cv2.line(frame, (44, 126), (310, 126), (40, 40, 40), 3)
    turn = cv2.getRotationMatrix2D((180, 120), degrees, 1.0)
    frame = cv2.warpAffine(frame, turn, (360, 240), borderValue=(225, 225, 225))
    found = locate(frame, DetectorOptions()).found
    assert len(found) == 6 and all(f.box.h <= 46 and f.box.w <= 36 for f in found)


def test_a_filled_in_form_reads_as_its_digits_only(mnist_dir):
    """The forms condition's frames, located (no model): one blob per digit, none a box's side."""
    from train.data import load_mnist
    test = load_mnist(mnist_dir).test
    for frame, truth in synth_conditions.frames("forms", test.images, test.labels, 6, seed=5):
        found = locate(frame, DetectorOptions()).found
        assert len(found) == len(truth)
        # A box's side is taller than the digit in it (1.3 to 1.6 times the pen's height).
        assert max(f.box.h for f in found) < 1.25 * np.median([f.box.h for f in found])

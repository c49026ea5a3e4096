"""Printed rules, margins and dashed lines taken out of the ink (edge.rules), at a slope too (edge.skew);
a digit's strokes and a close-up's stay."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge import rules, skew


def test_rules_of_a_turned_page_are_found_though_desk_wedges_run_straight():
    """A turned ruled page nearly filling the frame: the desk shows as wedges along its top and bottom
    edges, two long straight runs; the rules run at the page's slope, and are the ones found."""
    page = np.zeros((600, 800), np.uint8)
    for y in range(-300, 900, 40):
        cv2.line(page, (-200, y), (1000, y), 255, 2)
    page = cv2.warpAffine(page, cv2.getRotationMatrix2D((400, 300), 6, 1.0), (800, 600), flags=cv2.INTER_NEAREST)
    cv2.fillPoly(page, [np.int32([[0, 0], [800, 0], [0, 60]]), np.int32([[800, 600], [0, 600], [800, 540]])], 255)
    horizontal, _, rows, _, _ = rules.find_rules(page)
    inner = page[100:500, 100:700]
    assert np.count_nonzero(horizontal[100:500, 100:700]) > 0.9 * np.count_nonzero(inner)


def test_margin_lines_alone_leave_a_tall_one_whole():
    """Two long vertical lines (margins, a table's borders) and no rows are no grid: shorter columns are
    looked for only in a grid, so an upright "1" a third of the height tall stays."""
    mask = np.zeros((400, 600), np.uint8)
    mask[:, 60:63] = mask[:, 540:543] = 255
    one = np.zeros_like(mask)
    one[150:280, 300:305] = 255
    cleaned, removed, _ = rules.remove_rules(mask | one)
    assert np.count_nonzero(cleaned & one) == np.count_nonzero(one)
    assert removed[200, 61] == 255


def test_one_line_from_edge_to_edge_goes_and_a_close_up_sevens_bar_stays():
    """One line alone running from edge to edge (a crease, a line struck across the sheet) is taken out,
    the digits it crosses kept whole; a thin 7 seen close up, its bar 0.82 of the width, keeps its bar
    (it read as a 1 without it)."""
    mask = np.zeros((400, 600), np.uint8)
    crease = mask.copy()
    cv2.line(crease, (0, 150), (599, 230), 255, 2)  # sloped 7.6 degrees, the whole width
    digits = np.zeros_like(mask)
    for x in range(200, 420, 50):
        cv2.line(digits, (x, 150), (x + 10, 230), 255, 6)  # strokes of "1"s crossing it
    cleaned, removed, _ = rules.remove_rules(crease | digits)
    assert np.count_nonzero(cv2.subtract(cleaned, digits)) < 0.05 * np.count_nonzero(crease)
    assert np.count_nonzero(cleaned & digits) > 0.97 * np.count_nonzero(digits)
    seven = np.zeros_like(mask)
    cv2.line(seven, (54, 50), (546, 50), 255, 3)
    cv2.line(seven, (546, 50), (290, 370), 255, 3)
    cleaned, removed, _ = rules.remove_rules(seven)
    assert not removed.any() and np.array_equal(cleaned, seven)


def test_one_line_from_top_to_bottom_goes_and_a_tall_one_short_of_an_edge_stays():
    """A crease down the sheet, from its top edge to its bottom one, is taken out like one across it, the
    strokes crossing it kept whole (left, it joined the digits it crossed into blobs: the creased
    condition, seed 7, 679 of 720 digits without the rule, 697 with it); a long upright stroke that stops
    short of an edge stays."""
    mask = np.zeros((400, 600), np.uint8)
    crease = mask.copy()
    cv2.line(crease, (250, 0), (290, 399), 255, 2)  # 5.7 degrees from upright, the whole height
    strokes = np.zeros_like(mask)
    for y in range(60, 360, 60):
        cv2.line(strokes, (220, y), (330, y + 8), 255, 6)  # bars of digits crossing it
    cleaned, removed, _ = rules.remove_rules(crease | strokes)
    assert np.count_nonzero(cv2.subtract(cleaned, strokes)) < 0.05 * np.count_nonzero(crease)
    assert np.count_nonzero(cleaned & strokes) > 0.97 * np.count_nonzero(strokes)
    tall = np.zeros_like(mask)
    cv2.line(tall, (300, 30), (300, 370), 255, 3)  # 0.85 of the height
    cleaned, removed, _ = rules.remove_rules(tall)
    assert not removed.any() and np.array_equal(cleaned, tall)


def _dashed_line(shape: tuple[int, int], x0: float, x1: float, top: int, bottom: int) -> np.ndarray:
    """A line a pixel wide from (x0, top) to (x1, bottom), as a threshold leaves a faint one a little off
    upright: in dashes, broken where it steps from one pixel column to the next."""
    line = np.zeros(shape, np.uint8)
    for y in range(top, bottom):
        x = x0 + (x1 - x0) * (y - top) / (bottom - top)
        if abs(x - round(x)) < 0.3:  # the ridge near a pixel's middle: dark enough
            line[y, int(round(x))] = 255
    return line


def test_a_dashed_line_from_top_to_bottom_goes_and_one_short_of_an_edge_stays():
    """A faint crease 1.1 degrees from upright comes out of the threshold in dashes a pixel wide, none a
    rule's length (each read as a 1: the creased condition, seed 101, frame 1: 7 spurious digits); the
    dashes along one straight line from the top to the bottom are taken out, the strokes crossing them
    kept. Such dashes stopping short of the bottom stay, and so do digits' strokes in a column."""
    shape = (480, 640)
    crease = _dashed_line(shape, 150, 159, 0, 480)
    assert 0.3 * 480 < np.count_nonzero(crease) < 0.7 * 480
    assert skew.longest_parts(crease)[1] < 0.5 * 480  # no dash is a rule's length
    strokes = np.zeros(shape, np.uint8)
    for y in range(60, 420, 120):
        cv2.line(strokes, (110, y), (200, y + 6), 255, 4)  # bars of digits crossing it
    cleaned, removed, _ = rules.remove_rules(crease | strokes)
    assert np.count_nonzero(cv2.subtract(cleaned, strokes)) < 0.05 * np.count_nonzero(crease)
    assert np.count_nonzero(cleaned & strokes) > 0.97 * np.count_nonzero(strokes)
    short = _dashed_line(shape, 150, 158, 0, 400)  # 0.83 of the height
    cleaned, removed, _ = rules.remove_rules(short | strokes)
    assert not removed.any()
    ones = np.zeros(shape, np.uint8)
    for y in range(5, 480, 80):
        cv2.line(ones, (300, y), (302, y + 40), 255, 3)  # 1s written one under another, top to bottom
    cv2.line(ones, (300, 445), (302, 479), 255, 3)  # the last one at the bottom edge: the search runs
    cleaned, removed, _ = rules.remove_rules(ones)
    assert not removed.any()
    # On ruled paper (rules reaching the top and bottom strips), thin 1s one under another mid-page are no
    # line from top to bottom: they stay (a review's probe: all their ink went, as a margin line would).
    ruled = np.zeros(shape, np.uint8)
    ruled[np.arange(3, 480, 39)] = 255
    thin = np.zeros(shape, np.uint8)
    for y in (150, 200, 250, 300):
        cv2.line(thin, (320, y), (321, y + 30), 255, 1)
    cleaned, removed, _ = rules.remove_rules(ruled | thin)
    assert np.count_nonzero(cleaned & thin) > 0.9 * np.count_nonzero(thin)


def test_thick_rules_of_a_page_read_enlarged_go_and_a_dark_block_stays():
    """Rules 8 px thick (a notebook page larger than the frame, read at its own size) are rules: their
    thickness is measured, and ink a little thicker than they are is a stroke. A solid block is no rule."""
    mask = np.zeros((400, 600), np.uint8)
    for y in range(40, 400, 50):
        mask[y:y + 8] = 255
    stroke = np.zeros_like(mask)
    cv2.line(stroke, (300, 60), (300, 150), 255, 12)  # a "1" crossing two rules
    cleaned, removed, _ = rules.remove_rules(mask | stroke)
    assert removed[44, 100] == 255 and removed[94, 500] == 255
    assert np.count_nonzero(cleaned & ~stroke) < 0.01 * np.count_nonzero(mask)
    assert np.count_nonzero(cleaned & stroke) > 0.97 * np.count_nonzero(stroke)
    block = np.zeros_like(mask)
    block[100:300, 100:500] = 255  # a dark pad read as ink
    cleaned, removed, _ = rules.remove_rules(block | mask)
    assert (cleaned[120:280, 120:480] == 255).all()


def test_rules_are_removed_and_crossing_strokes_kept_whole():
    mask = np.zeros((300, 400), np.uint8)
    for y in range(40, 300, 40):
        cv2.line(mask, (0, y), (399, y), 255, 2)  # ruled lines
    cv2.line(mask, (30, 0), (30, 299), 255, 2)  # the margin line
    stroke = np.zeros_like(mask)
    cv2.line(stroke, (200, 60), (200, 135), 255, 4)  # a "1" crossing two rules
    mask |= stroke
    cleaned, removed, _ = rules.remove_rules(mask)
    overlap = np.count_nonzero(cleaned & stroke) / np.count_nonzero(cleaned | stroke)
    assert overlap > 0.97
    count, _ = cv2.connectedComponents(cleaned)
    assert count == 2  # the background and one unbroken stroke
    assert removed[40, 100] == 255 and removed[150, 30] == 255


def test_rules_of_a_rectified_photo_go_with_their_broken_edges():
    """A rule's edge row at the ink threshold is broken (no long run of its own), a line of digits
    dense enough to make a band of its own lies just above a rule, and digits sit on another across
    its broken edge: the rules still go whole, and the digits on one are not joined by its edge."""
    mask = np.zeros((300, 600), np.uint8)
    for y in range(60, 300, 60):
        cv2.line(mask, (0, y), (599, y), 255, 4)
        mask[y - 3, np.arange(600) % 9 < 6] = 255  # the broken edge row
    digits = np.zeros_like(mask)
    for x in range(40, 560, 13):
        cv2.line(digits, (x, 92), (x, 115), 255, 7)
    for x in range(100, 500, 50):  # a line of "0"s sitting on the rule at 180, across its broken edge
        cv2.ellipse(digits, (x, 160), (13, 19), 0, 0, 360, 255, 5)
    cleaned, removed, _ = rules.remove_rules(mask | digits)
    rule_ink_left = np.count_nonzero(cv2.subtract(cleaned, digits))
    assert rule_ink_left < 0.01 * np.count_nonzero(mask)  # 1,298 of 13,608 px at 1ef581c
    off_the_rules = cv2.subtract(digits, mask)  # on a rule, a digit's ink is the rule's
    assert np.count_nonzero(cleaned & off_the_rules) > 0.99 * np.count_nonzero(off_the_rules)
    count, _ = cv2.connectedComponents(cleaned[130:200])
    assert count - 1 == 8  # the "0"s on the rule, not joined by its edge row (48 parts at 1ef581c)


@pytest.mark.parametrize("angle_deg", [-20, -7, -2, 3, 12])
def test_rules_of_a_page_photographed_turned_are_removed_at_their_slope(angle_deg):
    """Ruled paper with a margin line, turned: the rules run at a slope (read straight, none were found
    and all the digits joined them), and a stroke crossing two of them is kept whole."""
    page, margin, stroke = (np.zeros((600, 800), np.uint8) for _ in range(3))
    for y in range(-200, 800, 40):
        cv2.line(page, (-200, y), (1000, y), 255, 2)
    cv2.line(margin, (150, -200), (150, 800), 255, 2)
    cv2.line(stroke, (400, 300), (400, 375), 255, 4)
    turn = cv2.getRotationMatrix2D((400, 300), angle_deg, 1.0)
    page, margin, stroke = (cv2.warpAffine(m, turn, (800, 600), flags=cv2.INTER_NEAREST)
                            for m in (page, margin, stroke))
    page |= margin
    cleaned, removed, _ = rules.remove_rules(page | stroke)
    assert np.count_nonzero(cv2.subtract(cleaned, stroke)) < 0.02 * np.count_nonzero(page)
    assert np.count_nonzero(removed & margin) > 0.9 * np.count_nonzero(margin)
    assert np.count_nonzero(cleaned & stroke) > 0.95 * np.count_nonzero(stroke)
    _, _, stats, _ = cv2.connectedComponentsWithStats(cleaned)
    parts = np.sort(stats[1:, cv2.CC_STAT_AREA])
    assert parts[-1] > 0.95 * np.count_nonzero(stroke) and (parts[:-1] <= 4).all()  # one unbroken
    # stroke, and the last pixels of a rule where it ends inside the picture (the page's corner)


def test_the_slope_of_long_lines_and_a_shear_that_straightens_them():
    mask = np.zeros((300, 500), np.uint8)
    for y in (60, 120, 180):
        cv2.line(mask, (0, y), (499, y + 61), 255, 1)  # dy/dx = 61/499
    cv2.circle(mask, (250, 250), 20, 255, 3)
    slope = skew.slope(mask, 125, 6)
    assert slope == pytest.approx(61 / 499, abs=0.002)
    shear = skew.Shear.for_slope(slope, mask.shape)
    sheared = shear.apply(mask)
    rows = np.count_nonzero(sheared, axis=1)
    assert np.sort(rows)[-3:].min() > 0.8 * 500  # each line in (about) one row
    assert (shear.undo(sheared) == mask).all()  # exactly undone: columns are only moved


def test_no_slope_where_nothing_is_long_or_lines_run_straight():
    mask = np.zeros((300, 500), np.uint8)
    for x in range(40, 460, 40):
        cv2.circle(mask, (x, 150), 14, 255, 3)  # a line of "0"s
    assert skew.slope(mask, 125, 6) is None
    assert skew.longest_parts(mask)[0] < 125
    cv2.line(mask, (0, 250), (499, 250), 255, 2)
    assert skew.slope(mask, 125, 6) is None
    assert skew.longest_parts(np.zeros((10, 10), np.uint8)) == (0, 0)


def test_strokes_of_a_digit_are_not_rules():
    mask = np.zeros((300, 400), np.uint8)
    cv2.line(mask, (100, 100), (150, 100), 255, 3)  # a 7's bar: far shorter than a rule
    cv2.line(mask, (150, 100), (120, 160), 255, 3)
    cleaned, removed, _ = rules.remove_rules(mask)
    assert not removed.any() and (cleaned == mask).all()


def test_a_lone_tall_stroke_is_no_rule():
    mask = np.zeros((300, 400), np.uint8)
    cv2.line(mask, (200, 20), (200, 280), 255, 4)  # a "1" filling a close-up
    cleaned, removed, _ = rules.remove_rules(mask)
    assert not removed.any() and (cleaned == mask).all()


def test_strokes_of_a_number_cropped_tight_are_not_rules():
    """A crop of a line of digits, wider than tall: their upright strokes (1s, 7s' and 9s' stems) are over
    half its height, and three of them are no margin lines. A crop of a column, taller than wide: its
    digits' bars (a 3's, a 5's, a 2's foot) are over a quarter of its width, and are no ruled page."""
    line = np.zeros((200, 760), np.uint8)
    for x in (60, 330, 600):
        cv2.line(line, (x, 20), (x - 15, 180), 255, 3)
    cleaned, removed, _ = rules.remove_rules(line)
    assert not removed.any() and np.array_equal(cleaned, line)
    column = np.zeros((480, 100), np.uint8)
    for y in (40, 90, 200, 250, 360, 410):
        cv2.line(column, (25, y), (75, y + 2), 255, 3)
    cleaned, removed, _ = rules.remove_rules(column)
    assert not removed.any() and np.array_equal(cleaned, column)


@pytest.mark.parametrize("width", [150, 90])
def test_rules_of_a_narrow_crop_of_a_ruled_page_go(width):
    """A ruled page cropped narrow, taller than wide (90 px: under a quarter of its height, the least
    length of a rule against the longer side): its rules cross the crop from side to side, and are taken
    out with a digit sitting on one kept whole."""
    mask = np.zeros((400, width), np.uint8)
    for y in range(30, 400, 60):
        mask[y:y + 2] = 255
    one = np.zeros_like(mask)
    one[100:150, 40:44] = 255  # a "1" sitting on the rule at 150
    cleaned, removed, _ = rules.remove_rules(mask | one)
    assert np.count_nonzero(cleaned & one) == np.count_nonzero(one)
    assert np.count_nonzero(cv2.subtract(cleaned, one)) == 0

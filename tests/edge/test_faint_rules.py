"""A ruled page's faint rules taken out of the ink's darkness (edge.faint_rules): their dashes go, the
strokes across and along them stay."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge import faint_rules, rules
from tests.images import faint_grid_page


def _faint_ruled(shape=(300, 400), pitch=40, level=40, seed=0):
    """Ink darkness of a faintly ruled page: rules `level` dark, with a photo's noise, dipping to half that
    every twenty pixels or so (where a faint rule steps between pixel rows: its dashes once thresholded)."""
    rng = np.random.default_rng(seed)
    darkness = np.zeros(shape, np.uint8)
    for y in range(pitch, shape[0], pitch):
        darkness[y] = np.clip(level + rng.normal(0, 2, shape[1]), 0, 255)  # denoised, as the reader's is
        darkness[y, rng.integers(0, shape[1], shape[1] // 20)] = level // 2
    return darkness


def test_unshaded_takes_faint_rules_out_and_keeps_strokes_across_and_along_them():
    darkness = _faint_ruled()
    cv2.line(darkness, (200, 60), (200, 135), 150, 3)  # a "1" crossing two rules
    darkness[160, 100:130] = np.clip(darkness[160, 100:130].astype(int) + 150, 0, 255)  # a bar along one
    flat = faint_rules.unshaded(darkness)
    assert flat[40:300:40, 250:400].max() <= 20  # half the rules' darkness or less: paler than the pen
    assert flat[100, 200] >= 140 and flat[120, 200] >= 100  # the "1" off and on a rule
    assert flat[160, 100:130].min() >= 100  # the bar lying along a rule


def test_unshaded_leaves_a_page_without_long_lines_as_it_is():
    darkness = np.zeros((240, 320), np.uint8)
    cv2.putText(darkness, "1357", (20, 150), cv2.FONT_HERSHEY_SIMPLEX, 3, 180, 6)
    strokes = darkness >= 90  # (the digits' feet line up on one row over 80 px: a tenth of their edge goes)
    assert (faint_rules.unshaded(darkness)[strokes] >= 0.9 * darkness[strokes]).all()


def test_rules_found_straight_or_at_a_slope_and_one_line_alone_is_no_page():
    straight = np.zeros((300, 400), np.uint8)
    for y in range(40, 300, 40):
        cv2.line(straight, (0, y), (399, y), 255, 1)
    assert faint_rules.rule_slopes(straight, (None, None)) == (0.0, 0.0)
    sloped = np.zeros_like(straight)
    for y in range(-40, 300, 40):
        cv2.line(sloped, (0, y), (399, y + 70), 255, 1)  # 10 degrees
    _, removed, measured = rules.remove_rules(sloped)
    assert measured[1] is None and abs(measured[0] - 70 / 399) < 0.01
    rows, columns = faint_rules.rule_slopes(removed, measured)
    assert abs(rows - 70 / 399) < 0.01 and abs(columns + 70 / 399) < 0.01  # no columns: square to the rows
    assert faint_rules.rule_slopes(removed, (None, None)) is None  # not straight, and no slope measured
    one = np.zeros_like(straight)
    cv2.line(one, (0, 100), (399, 170), 255, 1)  # a crease
    assert faint_rules.rule_slopes(one, (70 / 399, None)) is None
    assert faint_rules.rule_slopes(np.zeros_like(straight), (None, None)) is None


def test_unshaded_at_the_rules_slope_takes_sloped_faint_rules_out():
    darkness = np.zeros((300, 400), np.uint8)
    for y in range(-40, 300, 40):
        cv2.line(darkness, (0, y), (399, y + 70), 40, 1)  # faint rules, 10 degrees
    cv2.line(darkness, (200, 60), (200, 150), 150, 3)  # a "1" crossing them
    rule = (darkness == 40) & (np.abs(np.arange(400) - 200) > 10)[np.newaxis, :]
    assert faint_rules.unshaded(darkness)[rule].mean() >= 30  # looked for straight, they stay
    _, removed, measured = rules.remove_rules(np.where(darkness == 40, 255, 0).astype(np.uint8))
    slopes = faint_rules.rule_slopes(removed, measured)
    flat = faint_rules.unshaded(darkness, slopes)
    # Half their darkness or less, paler than the pen; but a pixel here and there where the shear's rounding
    # and the line's step a row apart (specks).
    assert np.percentile(flat[rule], 99) <= 20
    assert flat[60:150, 200].min() >= 100


def test_the_dashes_of_faint_rules_go_and_strokes_across_rules_found_stay():
    darkness = _faint_ruled(level=40)
    cv2.line(darkness, (200, 60), (200, 135), 150, 3)  # a "1" crossing two faint rules
    darkness[240] = 150  # a rule as dark as the pen, found whole in the mask
    cv2.line(darkness, (300, 200), (300, 280), 150, 3)  # a "1" across it
    mask = np.where(darkness >= 30, 255, 0).astype(np.uint8)  # the faint rules in dashes, the pen whole
    mask[40:201:40] = np.where(np.arange(400) % 25 < 20, mask[40:201:40], 0)  # broken: none found
    mask, found, _ = rules.remove_rules(mask)  # the dark rule out, the "1" bridged across it
    assert found[240, 100] == 255 and mask[240, 300] == 255
    cleaned, flat = faint_rules.without_rules(mask, darkness, found)
    assert not cleaned[40:201:40, 220:290].any() and not cleaned[40:201:40, 310:].any()  # the faint dashes
    assert cleaned[60:136, 200].all()  # the first "1", across two faint rules
    assert cleaned[202:279, 299:302].all()  # the second, across the rule found
    assert flat.shape == darkness.shape


def test_a_frame_without_ink_comes_back_as_it_is():
    mask, darkness = np.zeros((240, 320), np.uint8), np.zeros((240, 320), np.uint8)
    cleaned, flat = faint_rules.without_rules(mask, darkness, mask)
    assert not cleaned.any() and not flat.any()


@pytest.mark.parametrize("degrees, strength", [(0.0, 0.8), (7.0, 1.0)])
def test_a_faint_grid_leaves_only_the_digits_written_on_it(degrees, strength):
    """Straight, and photographed turned (its rules sloping, in dashes: none found; before the dashes were
    looked for at a slope, the grid joined the digits into a mesh, and nothing was read)."""
    from edge.detect import DetectorOptions
    from edge.locate import locate

    frame, centres = faint_grid_page(degrees=degrees, strength=strength)
    found = locate(frame, DetectorOptions()).found
    boxes = [f.box for f in found]
    assert len(boxes) == len(centres), boxes  # no dash of the grid left as a blob
    for (x, y), b in zip(centres, boxes):
        assert b.x <= x <= b.x + b.w and b.y <= y <= b.y + b.h


def test_a_page_is_told_ruled_by_its_rules_in_dashes_and_writing_alone_is_not():
    from edge.detect import DetectorOptions, ink_mask
    from edge.preprocess import to_gray

    frame, _ = faint_grid_page()
    mask = ink_mask(to_gray(frame), DetectorOptions()).mask
    _, removed, measured = rules.remove_rules(mask)
    assert faint_rules.rule_slopes(removed, measured) is None  # the mask's rule finder finds one line at most
    assert faint_rules.dashed(mask, None) == (0.0, 0.0)
    writing = np.zeros((480, 640), np.uint8)
    for k in range(10):  # a line of ten digits' worth of strokes, and a second line
        cv2.putText(writing, "8", (20 + 60 * k, 200), cv2.FONT_HERSHEY_SIMPLEX, 2, 255, 5)
        cv2.putText(writing, "0", (20 + 60 * k, 300), cv2.FONT_HERSHEY_SIMPLEX, 2, 255, 5)
    assert faint_rules.dashed(writing, None) is None
    one = np.zeros((480, 640), np.uint8)
    one[200, ::3] = 255
    one[200, 1::3] = 255  # one line in dashes: a crease, no ruling
    assert faint_rules.dashed(one, None) is None
    turned, _ = faint_grid_page(degrees=7.0, strength=1.0)
    mask = ink_mask(to_gray(turned), DetectorOptions()).mask
    cleaned, _, measured = rules.remove_rules(mask)
    rows, columns = faint_rules.dashed(cleaned, measured[0])
    assert abs(rows + np.tan(np.radians(7.0))) < 0.01 and abs(columns - np.tan(np.radians(7.0))) < 0.01


def test_a_stroke_across_a_dark_rule_found_stays_whole():
    darkness = np.zeros((300, 400), np.uint8)
    for y in (100, 200):
        darkness[y] = 150  # rules as dark as the pen, found whole
    cv2.line(darkness, (150, 60), (250, 240), 150, 9)  # a bold stroke crossing both, 11 px along them
    mask = np.where(darkness >= 30, 255, 0).astype(np.uint8)
    cleaned, found, _ = rules.remove_rules(mask)
    kept, _ = faint_rules.without_rules(cleaned, darkness, found)
    assert np.count_nonzero(cleaned[100]) >= 10  # bridged across the rule
    assert np.array_equal(kept, cleaned)  # the bridges stay: nothing of the stroke goes


def test_a_dense_ruling_leaves_the_strokes_across_it_their_darkness():
    darkness = np.zeros((480, 640), np.uint8)
    darkness[::12] = 40  # rules 12 px apart: closer than the columns' gaps are closed over (16 px)
    cv2.line(darkness, (300, 100), (300, 300), 160, 3)  # an upright stroke across them
    darkness[350, 100:130] = 120  # a pale bar between two rules, alone
    flat = faint_rules.unshaded(darkness)
    off = [y for y in range(150, 250) if y % 12]
    assert flat[off, 300].min() >= 0.97 * 160  # the stroke between the rules keeps its darkness
    assert flat[350, 100:130].min() >= 0.97 * 120

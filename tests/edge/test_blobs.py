"""From ink to digits on synthetic masks (edge.blobs, edge.fragments): components, pieces of one digit
joined, specks, rules and blots dropped, digits of several sizes, reading order."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge.blobs import components, filter_digits, reading_order
from edge.fragments import merge_fragments
from edge.detect import Box, Candidate, DetectorOptions, roi_box


def _cand(x, y, w, h, ink=None, i=1):
    return Candidate(Box(x, y, w, h), (i,), ink if ink is not None else w * h // 4)


def test_merge_joins_a_five_flag_but_not_neighbours():
    body, flag = _cand(100, 120, 30, 40, i=1), _cand(104, 104, 28, 8, i=2)
    neighbour = _cand(150, 104, 30, 56, i=3)
    merged = merge_fragments([body, flag, neighbour], digit_h=56)
    assert len(merged) == 2
    five = next(c for c in merged if 1 in c.ids)
    assert set(five.ids) == {1, 2} and five.box == Box(100, 104, 32, 56)


def test_merge_joins_a_digit_broken_in_two_halves():
    top, bottom = _cand(50, 20, 30, 22, i=1), _cand(52, 46, 28, 24, i=2)
    merged = merge_fragments([top, bottom], digit_h=50)
    assert len(merged) == 1 and merged[0].box == Box(50, 20, 30, 50)


def test_merge_keeps_a_column_of_digits_apart():
    column = [_cand(50, 20 + 60 * k, 30, 45, i=k + 1) for k in range(4)]
    assert len(merge_fragments(column, digit_h=45)) == 4


def test_filter_drops_specks_rules_blobs_and_edge_cut():
    opts = DetectorOptions()
    digits = [_cand(40 + 40 * k, 100, 20, 40, i=k) for k in range(3)]
    junk = [
        _cand(10, 200, 120, 6, i=10),  # a rule
        _cand(200, 100, 30, 40, ink=1150, i=11),  # a filled blob
        _cand(0, 50, 20, 40, i=12),  # cut by the frame edge
        _cand(250, 100, 4, 12, i=13),  # a speck
    ]
    kept = filter_digits(digits + junk, (240, 320), opts)
    assert sorted(c.ids[0] for c in kept) == [0, 1, 2]


def test_specks_joined_are_not_a_digit_but_a_broken_one_is():
    # A ":" of two dots (crumbs of a broken stroke) joins like the halves of a broken digit; none of
    # its pieces is near a digit's height. A 5 with its flag apart keeps its body.
    opts = DetectorOptions()
    digits = [_cand(40 + 40 * k, 100, 20, 40, i=k) for k in range(3)]
    colon = merge_fragments([_cand(200, 110, 5, 8, i=10), _cand(200, 126, 5, 8, i=11)], digit_h=40)
    five = merge_fragments([_cand(250, 108, 20, 32, i=12), _cand(252, 100, 18, 6, i=13)], digit_h=40)
    assert len(colon) == 1 and colon[0].box.h == 24 and colon[0].tallest() == 8
    assert len(five) == 1 and five[0].tallest() == 32
    kept = filter_digits(digits + colon + five, (240, 320), opts)
    assert sorted(c.ids[0] for c in kept) == [0, 1, 2, 12]
    # One component as small is kept as before (a small round 0 at a third of the line's height).
    assert _cand(300, 120, 14, 14, i=14).tallest() == 14


def test_a_line_of_smaller_digits_is_measured_against_its_own_line():
    # Five digits 60 px tall, and under them a line of three 20 px tall (a third of the frame's median
    # digit, narrow: short of it as specks are): measured against their own line, they are digits. A
    # stroke as short within the big line, and two of them alone below it, are not.
    opts = DetectorOptions()
    big = [_cand(20 + 40 * k, 40, 20, 60, i=k) for k in range(5)]
    small = [_cand(20 + 20 * k, 160, 8, 20, i=10 + k) for k in range(3)]
    kept = filter_digits(big + small, (240, 320), opts)
    assert sorted(c.ids[0] for c in kept) == [0, 1, 2, 3, 4, 10, 11, 12]
    in_line = _cand(230, 70, 8, 20, i=20)
    pair = [_cand(20 + 20 * k, 200, 8, 20, i=30 + k) for k in range(2)]
    kept = filter_digits(big + [in_line] + pair, (240, 320), opts)
    assert sorted(c.ids[0] for c in kept) == [0, 1, 2, 3, 4]
    # Short of its line but not of the frame's writing, most of it smaller: raised cents on a price.
    cents = [_cand(230 + 12 * k, 40, 8, 20, i=40 + k) for k in range(2)]
    more = [_cand(20 + 20 * k, 130, 8, 20, i=50 + k) for k in range(4)]
    kept = filter_digits(big + small + more + cents, (240, 320), opts)
    assert {40, 41} <= {c.ids[0] for c in kept}


def test_a_digit_just_under_the_least_height_is_kept_in_a_line_of_digits_over_it():
    # Frame 480 px tall: the least digit height is 16.8 px. A line of digits 20 px tall, a little over
    # it, with a 1 of 14 px: kept beside its line. The same blob alone, or beside a line of digits 40
    # px tall (short of them as specks are), or under 0.7 of that height, is not.
    opts = DetectorOptions()
    line = [_cand(100 + 30 * k, 200, 14, 20, i=k) for k in range(4)]
    one = _cand(220, 203, 4, 14, i=10)
    kept = filter_digits(line + [one], (480, 640), opts)
    assert sorted(c.ids[0] for c in kept) == [0, 1, 2, 3, 10]
    assert filter_digits([one], (480, 640), opts) == []
    tall = [_cand(100 + 50 * k, 190, 25, 40, i=k) for k in range(4)]
    assert 10 not in {c.ids[0] for c in filter_digits(tall + [one], (480, 640), opts)}
    speck = _cand(220, 205, 4, 11, i=11)
    assert 11 not in {c.ids[0] for c in filter_digits(line + [speck], (480, 640), opts)}
    # As short above the line (a mark over a digit, not beside it): no line of its own, not kept.
    above = _cand(132, 170, 4, 14, i=12)
    assert 12 not in {c.ids[0] for c in filter_digits(line + [above], (480, 640), opts)}


def test_line_heights_in_python_and_in_numpy_agree(monkeypatch):
    from edge import blobs

    rng = np.random.default_rng(3)
    boxes = [Box(int(rng.integers(0, 600)), int(rng.integers(0, 400)), 20, int(rng.integers(8, 70)))
             for _ in range(blobs.SMALL_COUNT)]
    in_python, overall = blobs.line_heights(boxes)
    monkeypatch.setattr(blobs, "SMALL_COUNT", 0)
    in_numpy, overall_numpy = blobs.line_heights(boxes)
    assert np.array_equal(in_numpy, in_python)
    assert len(set(in_python.tolist())) > 2  # lines of several heights, and boxes alone
    assert overall == overall_numpy == float(np.median([b.h for b in boxes]))


def test_components_are_in_frame_pixels_and_an_inkless_mask_has_none():
    # Labelled inside the ink's bounding box, reported in the frame's pixels.
    mask = np.zeros((50, 60), np.uint8)
    mask[10:20, 30:35] = 255
    mask[30:40, 5:8] = 255
    labels, found = components(mask)
    assert sorted(c.box for c in found) == [Box(5, 30, 3, 10), Box(30, 10, 5, 10)]
    assert labels.shape == mask.shape and labels[15, 32] != labels[35, 6] and labels[0, 0] == 0
    assert sorted(c.centre for c in found) == [(6.0, 34.5), (32.0, 14.5)]
    for empty in (np.zeros((5, 5), np.uint8), np.zeros((0, 5), np.uint8)):
        labels, found = components(empty)
        assert found == [] and labels.shape == empty.shape


def test_a_wide_blob_is_kept_when_written_across_and_dropped_when_drawn_along():
    # "0000" in one stroke (aspect 2.7) is four digits; a sloped dash as wide for its height is not.
    opts = DetectorOptions()
    mask = np.zeros((120, 400), np.uint8)
    for x in (30, 66, 102, 138):
        cv2.ellipse(mask, (x, 60), (18, 25), 0, 0, 360, 255, 3)
    cv2.line(mask, (200, 80), (340, 30), 255, 4)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    cands = [Candidate(Box(*map(int, stats[i, :4])), (i,), int(stats[i, 4])) for i in range(1, count)]
    assert len(cands) == 2 and all(c.box.w > opts.max_aspect * c.box.h for c in cands)
    kept = filter_digits(cands, mask.shape, opts, labels=labels)
    assert [c.box.x for c in kept] == [10]  # the zeros; the dash is gone
    assert filter_digits(cands, mask.shape, opts) == []  # without the labels, wide is wide


def test_reading_order_rows_then_columns():
    # Two lines, given shuffled; the second line starts slightly lower on the left.
    boxes = [Box(200, 100, 20, 40), Box(10, 12, 20, 40), Box(100, 8, 20, 40),
             Box(20, 104, 20, 40), Box(300, 15, 20, 40)]
    assert reading_order(boxes) == [1, 2, 4, 3, 0]
    column = [Box(50, 200, 20, 40), Box(52, 20, 20, 40), Box(48, 110, 20, 40)]
    assert reading_order(column) == [1, 2, 0]


def test_roi_box_is_centred():
    assert roi_box((480, 640), 0.5) == Box(200, 120, 240, 240)


def _find_digits(gray, opts):
    """Boxes in reading order and (N, 28, 28) crops, through the reader's own locate stage."""
    from edge.detect import mnist_crop
    from edge.locate import locate
    found = locate(gray, opts).found
    crops = np.zeros((len(found), 28, 28), np.uint8)
    for k, f in enumerate(found):
        crops[k] = mnist_crop(f.mask, opts)
    return [f.box for f in found], crops


def test_a_five_alone_with_its_flag_apart_is_one_digit_and_two_stacked_digits_are_two():
    """A 5 held up close, its flag lifted off its body: the two blobs' median height is no digit's, and
    against it the flag and the body were too tall together to join. Two digits one over the other stay
    two."""
    from edge.blobs import locate_digits

    opts = DetectorOptions()
    mask = np.zeros((480, 640), np.uint8)
    cv2.line(mask, (290, 140), (370, 135), 255, 12)  # the flag, apart from ...
    cv2.line(mask, (290, 165), (285, 240), 255, 12)  # ... the body: its stem, ...
    cv2.ellipse(mask, (320, 300), (55, 65), 0, 200, 500, 255, 12)  # ... and its belly
    found = locate_digits(mask, opts)
    assert len(found) == 1 and found[0].box.y < 140 and found[0].box.y + found[0].box.h > 360
    column = np.zeros((480, 640), np.uint8)
    cv2.ellipse(column, (320, 120), (40, 70), 0, 0, 360, 255, 10)  # a 0 ...
    cv2.line(column, (320, 250), (320, 400), 255, 10)  # ... over a 1
    assert len(locate_digits(column, opts)) == 2


def test_find_digits_on_drawn_strokes():
    gray = np.full((240, 320), 210, np.uint8)
    cv2.line(gray, (60, 80), (60, 150), 40, 4)  # a "1"
    cv2.circle(gray, (160, 115), 30, 40, 4)  # a "0"
    cv2.line(gray, (250, 80), (250, 150), 40, 4)  # another "1"
    boxes, crops = _find_digits(gray, DetectorOptions())
    assert [b.x for b in boxes] == sorted(b.x for b in boxes) and len(boxes) == 3
    assert crops.shape == (3, 28, 28)
    assert all(c.max() == 255 and c[0].max() == 0 for c in crops)  # white on black, clear border


@pytest.mark.parametrize("sigma", [10, 20, 40])
def test_grainy_empty_paper_has_no_digits(sigma):
    rng = np.random.default_rng(sigma)
    gray = np.clip(180 + rng.normal(0, sigma, (480, 640)), 0, 255).astype(np.uint8)
    boxes, crops = _find_digits(gray, DetectorOptions())
    assert boxes == [] and crops.shape == (0, 28, 28)


def test_merge_joins_pieces_transitively():
    # Three pieces of one digit, the top one touching only the middle one.
    pieces = [_cand(50, 20, 20, 12, i=1), _cand(52, 34, 22, 12, i=2), _cand(51, 48, 21, 14, i=3)]
    merged = merge_fragments(pieces, digit_h=45)
    assert len(merged) == 1 and set(merged[0].ids) == {1, 2, 3}


def test_grainy_sheet_yields_exactly_its_digits():
    from edge.synth import PaperStyle, draw_digits
    rng = np.random.default_rng(3)
    digits = np.zeros((10, 28, 28), np.uint8)
    for d in digits:  # simple strokes stand in for MNIST digits: a bar and a ring
        cv2.line(d, (14, 5), (14 + int(rng.integers(-3, 4)), 22), 255, 3)
        cv2.circle(d, (14, 14), 7, 255, 2)
    frame = draw_digits(digits, style=PaperStyle(noise_sigma=12), seed=3)
    boxes, _ = _find_digits(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), DetectorOptions())
    assert len(boxes) == 10

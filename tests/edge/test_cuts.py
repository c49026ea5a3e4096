"""Touching digits cut where recognition says (edge.segment, edge.splits, edge.readings) and a wide digit
read narrowed, on synthetic masks and stand-in models; the cuts picture (edge.overlay)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge import segment, splits
from edge.reader import DigitReader
from edge.readings import NARROWED_ASPECT


def test_cut_points_sit_where_two_digits_touch():
    mask = np.zeros((40, 60), np.uint8)
    cv2.circle(mask, (14, 20), 11, 255, 3)  # "0"
    cv2.circle(mask, (41, 20), 11, 255, 3)  # "0", touching at x ~ 27
    cuts = segment.cut_points(mask)
    assert any(abs(c - 27) <= 2 for c in cuts)
    found = segment.candidates(mask, segment.aspect(60, 40, digit_height=40))
    assert found is not None and any(p.x1 - p.x0 > 15 for p in found.pieces.values())


def test_a_cut_follows_the_gap_between_slanted_digits():
    # Two "1"s slanted like "//", overlapping in columns, joined by a bar: a straight cut slices
    # both; the cut's path goes down the gap between them and crosses only the bar.
    mask = np.zeros((40, 36), np.uint8)
    cv2.line(mask, (2, 38), (16, 2), 255, 3)
    cv2.line(mask, (18, 38), (32, 2), 255, 3)
    cv2.line(mask, (10, 20), (24, 20), 255, 2)
    [path] = segment.cut_paths(mask, [17])
    assert np.count_nonzero(mask[:, 17]) > 10
    assert sum(mask[y, x] > 0 for y, x in enumerate(path)) <= 3
    assert np.abs(np.diff(path)).max() <= 1


def test_a_cut_follows_a_gap_slanted_further_than_it_drifts_cheaply():
    # Two bars leaning 27 degrees, joined at the base: the gap between them drifts 12 columns from
    # the cut's own column. At 0.02 a column away from it, the path sliced through the left bar and
    # then the right one (two strokes entered); now it keeps to the gap past the left bar and enters
    # one stroke, the right bar where it joins the base.
    mask = np.zeros((48, 60), np.uint8)
    for x in (14, 25):
        cv2.line(mask, (x + 24, 0), (x, 47), 255, 5)
    cv2.line(mask, (20, 44), (40, 44), 255, 3)
    paths = segment.cut_paths(mask, [31])
    assert segment.strokes_entered(mask, paths).tolist() == [1]


def test_round_digits_touching_are_cut_at_the_joint_of_their_outlines():
    # "00": where the two touch, their sides stack up and the column profile peaks; its minima
    # lie inside the 0s. The outline's valleys, from above and below, find the joint.
    mask = np.zeros((40, 60), np.uint8)
    cv2.ellipse(mask, (15, 20), (13, 17), 0, 0, 360, 255, 3)
    cv2.ellipse(mask, (42, 20), (13, 17), 0, 0, 360, 255, 3)
    assert segment.contour_valleys(mask) and all(abs(c - 28) <= 2 for c in segment.contour_valleys(mask))
    found = segment.candidates(mask, segment.aspect(60, 40, digit_height=40))
    whole_zeros = [p for p in found.pieces.values() if abs(p.x0 - 0) <= 2 and abs(p.x1 - 29) <= 3]
    assert whole_zeros, "the left 0 is one piece, from its edge to the joint"


def test_a_cut_between_touching_digits_enters_one_stroke_and_through_a_digit_more():
    # "00" touching: the cut down the joint enters the one stroke the two share; a cut down the
    # middle of either 0 enters its top and its bottom.
    mask = np.zeros((40, 60), np.uint8)
    cv2.ellipse(mask, (15, 20), (13, 17), 0, 0, 360, 255, 3)
    cv2.ellipse(mask, (42, 20), (13, 17), 0, 0, 360, 255, 3)
    paths = segment.cut_paths(mask, [28, 15])
    assert segment.strokes_entered(mask, paths).tolist() == [1, 2]
    assert segment.strokes_entered(mask, np.full((1, 40), 59)).tolist() == [0]  # all paper


def test_a_sure_split_overrules_a_confident_whole():
    # "18" read as an 8 with 0.96: no product of two pieces (at most PIECE_COST) beats it, but full-height
    # pieces each read surely, cut where one stroke joins them, do.
    assert not splits.split_wins(whole=0.96, split=0.85, aspect=1.1, full=True)
    assert splits.sure_split(0.96, 1.1, True, [0.99, 0.97], [1])
    assert splits.split_wins(whole=0.96, split=0.85 * 0.97, aspect=1.1, full=True, sure=True)
    assert not splits.sure_split(0.96, 1.1, True, [0.99, 0.97], [2])  # cut through a digit: a 0's two sides
    assert not splits.sure_split(0.995, 1.1, True, [0.99, 0.97], [1])  # the whole is certain
    assert not splits.sure_split(0.96, 1.1, False, [0.99, 0.97], [1])  # a piece does not span the line
    assert not splits.sure_split(0.96, 1.1, True, [0.99, 0.9], [1])  # a piece is not sure
    assert not splits.sure_split(0.96, 0.9, True, [0.99, 0.97], [1])  # narrower than tall
    assert splits.could_split(whole=0.96, aspect=1.1) and not splits.could_split(whole=0.995, aspect=1.1)


def test_a_narrow_blob_splits_only_into_full_height_pieces():
    # A 1 leaning into a 9 is narrower than tall; so are the halves of a small letter, which do not
    # span the line.
    assert segment.MIN_ASPECT_TO_SPLIT < splits.NARROW_ASPECT
    assert splits.split_wins(whole=0.2, split=0.8, aspect=0.7, full=True)
    assert not splits.split_wins(whole=0.2, split=0.8, aspect=0.7, full=False)
    assert splits.split_wins(whole=0.2, split=0.8, aspect=0.9, full=False)


class _SureOfDigitShapes:
    """A stand-in model: sure of a "0" whose ink is shaped like a written digit (narrower than
    tall), unsure of anything else."""

    def __init__(self, sure: float = 0.95) -> None:
        self.sure = sure

    def scores(self, crops: np.ndarray) -> np.ndarray:
        out = np.zeros((len(crops), 10), np.float32)
        for row, crop in zip(out, crops):
            ys, xs = np.nonzero(crop > 127)
            aspect = (np.ptp(xs) + 1) / (np.ptp(ys) + 1)
            sure = abs(aspect - NARROWED_ASPECT) < 0.05
            row[:] = (1 - self.sure) / 9 if sure else 0.7 / 9
            row[0] = self.sure if sure else 0.3
        return out


def test_a_wide_digit_no_split_explains_is_read_narrowed():
    # A 0 drawn wide: read as it is, unsure (and dropped); no two pieces of it win; narrowed, sure.
    frame = np.full((240, 320), 255, np.uint8)
    cv2.ellipse(frame, (160, 120), (40, 30), 0, 0, 360, 0, 5)
    reading = DigitReader(_SureOfDigitShapes()).read(frame)
    assert reading.text == "0" and reading.digits[0].confidence == pytest.approx(0.95)
    assert reading.digits[0].box.w > reading.digits[0].box.h  # the blob's own box


def test_a_digit_read_surely_narrowed_is_not_cut_into_pieces_short_of_the_line():
    # A wide 6 read at 0.3, narrowed at 0.95; its bowl cut off reads as a 1.
    assert splits.one_wide_digit(narrowed=0.95, full=False)
    assert not splits.one_wide_digit(narrowed=0.95, full=True)  # two digits side by side
    assert not splits.one_wide_digit(narrowed=0.8, full=False)  # narrowed, still unsure


class _SureOfNarrowedAndOfParts(_SureOfDigitShapes):
    """As _SureOfDigitShapes, and sure of a "5" in anything far from a written digit's shape (the
    parts of a blob cut in two: a stroke, a flat ring)."""

    def scores(self, crops: np.ndarray) -> np.ndarray:
        out = super().scores(crops)
        for row, crop in zip(out, crops):
            ys, xs = np.nonzero(crop > 127)
            aspect = (np.ptp(xs) + 1) / (np.ptp(ys) + 1)
            if row[0] < self.sure and not 0.8 <= aspect <= 1.2:
                row[:] = 0.01 / 9
                row[5] = 0.99
        return out


def test_the_reader_does_not_cut_a_digit_read_surely_narrowed_into_parts_short_of_the_line():
    # A stroke and a flat ring joined: read whole unsure, cut into two sure parts (the ring spans half
    # the blob's rows), narrowed a sure 0.
    frame = np.full((240, 320), 255, np.uint8)
    cv2.line(frame, (130, 100), (130, 160), 0, 5)
    cv2.ellipse(frame, (156, 144), (24, 14), 0, 0, 360, 0, 5)
    reading = DigitReader(_SureOfNarrowedAndOfParts()).read(frame)
    assert reading.text == "0" and reading.digits[0].confidence == pytest.approx(0.95)


def test_a_split_through_a_digit_must_beat_its_narrowed_reading():
    assert splits.through_a_digit(full=False, strokes=[1, 2])  # a cut through both sides of a ring
    assert not splits.through_a_digit(full=False, strokes=[1])  # between two digits
    assert not splits.through_a_digit(full=True, strokes=[2])  # pieces that span the line
    # A stem on a flat ring (a wide 6): unsure as it is, 0.8 narrowed; cut through the ring into two
    # sure parts short of the line (the ring's half spans half the rows), which lose to the 0.8.
    frame = np.full((240, 320), 255, np.uint8)
    cv2.line(frame, (132, 90), (132, 140), 0, 5)
    cv2.ellipse(frame, (160, 140), (30, 14), 0, 0, 360, 0, 5)
    reading = DigitReader(_SureOfNarrowedAndOfParts(sure=0.8)).read(frame)
    assert reading.text == "0" and reading.digits[0].confidence == pytest.approx(0.8)


def test_a_reading_wider_than_its_digit_ever_is_weighs_less():
    assert splits.plausibility(9, 0.8) == 1.0 and splits.plausibility(0, 1.4) == 1.0
    assert splits.plausibility(9, 1.11 + splits.TOO_WIDE_HALVING) == pytest.approx(0.5)
    assert splits.plausibility(1, 1.3) < 0.25  # a "1" wider than tall is two strokes


def test_only_a_blob_wider_than_a_narrowed_digit_is_read_narrowed():
    from edge.detect import Box, DetectorOptions, Found
    from edge.readings import plan_cuts

    found = []
    for width in (26, 60):  # 0.65 and 1.5 times the height: both offered for cutting
        mask = np.zeros((40, width), np.uint8)
        cv2.rectangle(mask, (1, 1), (width - 2, 38), 255, 3)
        found.append(Found(Box(0, 0, width, 40), mask, (width / 2, 20)))
    plans, crops = plan_cuts(found, [0.65, 1.5], np.array([0.3, 0.3]), DetectorOptions())
    assert plans[0].narrowed is None  # no narrower than NARROWED_ASPECT: narrowed, it is itself
    assert plans[1].narrowed is not None and len(crops) == 1 + sum(len(p.rows) for p in plans.values())


class _RingsStrokesAndArcs:
    """A stand-in model: sure of a "0" in a ring's shape, a "1" in a stroke, a "7" in anything else (the
    halves of a ring cut apart)."""

    def scores(self, crops: np.ndarray) -> np.ndarray:
        out = np.full((len(crops), 10), 0.01 / 9, np.float32)
        for row, crop in zip(out, crops):
            ys, xs = np.nonzero(crop > 127)
            aspect = (np.ptp(xs) + 1) / (np.ptp(ys) + 1) if len(xs) else 0.0
            row[1 if aspect < 0.3 else 0 if 0.6 <= aspect <= 1.2 else 7] = 0.99
        return out


def test_a_headings_digits_are_measured_against_their_own_line():
    # "010" 70 px tall over three lines of 25-px digits: against the frame's median digit, each 0 is
    # over twice as wide as a digit is tall (no one digit is: it would be cut in two); against its line,
    # it is a 0.
    frame = np.full((480, 640), 255, np.uint8)
    cv2.ellipse(frame, (100, 90), (30, 34), 0, 0, 360, 0, 5)
    cv2.line(frame, (170, 56), (170, 124), 0, 5)
    cv2.ellipse(frame, (240, 90), (30, 34), 0, 0, 360, 0, 5)
    for row in range(3):
        for k in range(8):
            cv2.line(frame, (60 + 50 * k, 200 + 70 * row), (60 + 50 * k, 224 + 70 * row), 0, 3)
    assert DigitReader(_RingsStrokesAndArcs()).read(frame).text == "010" + "1" * 24


class _LettersAsDigits:
    """A stand-in model: a "1" in a stroke, a sure "0" in anything from half as wide as tall to a bit
    wider (a letter o, half of two joined), an unsure "2" in a blob up to twice as wide as tall."""

    def scores(self, crops: np.ndarray) -> np.ndarray:
        out = np.zeros((len(crops), 10), np.float32)
        for row, crop in zip(out, crops):
            ys, xs = np.nonzero(crop > 127)
            aspect = (np.ptp(xs) + 1) / (np.ptp(ys) + 1) if len(xs) else 0.0
            label, p = ((1, 0.99) if aspect < 0.3 else (0, 0.99) if 0.5 <= aspect <= 1.2
                        else (2, 0.75) if 1.4 <= aspect <= 1.95 else (7, 0.3))
            row[:] = (1 - p) / 9
            row[label] = p
        return out


def test_joined_letters_on_a_line_shorter_than_the_frames_are_not_cut_as_its_digits():
    # Two small o's joined (of a word) beside two short strokes, under five strokes 60 px tall: against
    # their own short line they would span it, and two sure halves would win with no margin; against the
    # frame's taller digits they do not, and the blob is read as one.
    frame = np.full((480, 640), 255, np.uint8)
    for k in range(5):
        cv2.line(frame, (60 + 50 * k, 60), (60 + 50 * k, 120), 0, 5)
    for x in (60, 100):
        cv2.line(frame, (x, 200), (x, 220), 0, 3)
    cv2.circle(frame, (150, 210), 9, 0, 3)
    cv2.circle(frame, (166, 210), 9, 0, 3)
    assert DigitReader(_LettersAsDigits()).read(frame).text == "1111111" + "0"


def test_a_piece_may_be_as_wide_as_any_digit_is_written():
    # A wide 0 touching a 4 must be a candidate piece of its own, not only its halves.
    assert segment.MAX_PIECE_WIDTH >= max(splits.WIDEST_ASPECT)
    mask = np.zeros((48, 90), np.uint8)
    cv2.line(mask, (4, 4), (4, 44), 255, 4)  # a "1" joined at its foot to
    cv2.line(mask, (4, 40), (20, 30), 255, 4)
    cv2.ellipse(mask, (52, 24), (35, 20), 0, 0, 360, 255, 4)  # a "0" 1.5 times as wide as tall
    cuts = segment.candidates(mask, segment.aspect(90, 48, digit_height=48))
    assert any(p.x0 >= 10 and p.x1 - p.x0 >= 70 for p in cuts.pieces.values())


def test_a_narrow_blob_is_never_cut():
    mask = np.zeros((40, 20), np.uint8)
    cv2.line(mask, (10, 2), (10, 37), 255, 3)
    assert segment.candidates(mask, segment.aspect(20, 40, digit_height=40)) is None


def test_a_long_tail_does_not_make_a_touching_pair_look_narrow():
    # "27" with the 7's tail reaching far down: tall, but wide for the frame's digits.
    assert segment.aspect(50, 70, digit_height=40) == pytest.approx(1.25)
    assert segment.aspect(50, 70, digit_height=80) == pytest.approx(50 / 70)


def test_best_split_takes_the_most_confident_chain():
    # points 0..3: pieces (0,1),(1,3) read well; (0,2),(2,3) do not; (1,2),(2,3) are fragments.
    confidence = {(0, 1): 0.95, (1, 3): 0.9, (0, 2): 0.4, (2, 3): 0.3, (1, 2): 0.2}
    chain, product = splits.best_split(4, confidence)
    assert chain == [(0, 1), (1, 3)] and product == pytest.approx(0.95 * 0.9 * splits.PIECE_COST)
    assert splits.best_split(4, {(0, 1): 0.9}) == ([], 0.0)


def test_a_cut_into_nothing_but_ones_is_a_letter_not_digits():
    assert splits.only_strokes([1, 1]) and not splits.only_strokes([1, 7]) and not splits.only_strokes([])


def test_split_wins_needs_a_margin_that_grows_near_one_digits_shape():
    assert splits.split_wins(whole=0.6, split=0.9, aspect=1.4)
    assert not splits.split_wins(whole=0.6, split=0.85, aspect=1.0)  # near-square: one wide digit
    assert splits.split_wins(whole=0.99, split=0.5, aspect=2.5)  # no digit is that wide
    assert not splits.split_wins(whole=0.2, split=0.0, aspect=2.5)



def test_a_blob_that_is_no_digit_whole_loses_to_full_height_pieces_that_read_better():
    # A bold blotted 8 against a 9 (touching 101, frame 7): whole 0.08, cut into an 8 read at 0.2 and
    # a 9 at 1.0. The margin guards a wide digit's reading; this one would be dropped.
    assert not splits.split_wins(whole=0.08, split=0.17, aspect=1.33, full=True)
    assert splits.split_wins(whole=0.08, split=0.17, aspect=1.33, full=True, dropped=True)
    assert not splits.split_wins(whole=0.08, split=0.17, aspect=1.33, full=False, dropped=True)
    assert not splits.split_wins(whole=0.2, split=0.17, aspect=1.33, full=True, dropped=True)


def test_a_letter_the_model_calls_no_digit_is_not_read_as_its_pieces():
    # A bold "R" (marks 7, frame 9): whole 0.125, cut into its stem and its bowl, read "1" and "8"
    # (0.53 weighed): not full height, and short of DROPPED_MIN_SPLIT. A surer split of such a blob
    # is read by the margin, as any blob's.
    assert not splits.split_wins(whole=0.125, split=0.533, aspect=0.81, dropped=True)
    assert splits.split_wins(whole=0.125, split=0.533, aspect=0.81)
    assert splits.split_wins(whole=0.125, split=0.8, aspect=0.81, dropped=True)


def test_a_split_into_full_height_pieces_needs_no_margin():
    # "21" joined at the base: the blob is cut into a 2 and a 1, each with ink on all its rows.
    mask = np.zeros((40, 50), np.uint8)
    cv2.putText(mask, "2", (0, 38), cv2.FONT_HERSHEY_SIMPLEX, 1.8, 255, 3)  # rows 0 to 37
    cv2.line(mask, (30, 37), (44, 37), 255, 3)  # the 2's base runs into the 1
    cv2.line(mask, (44, 0), (44, 37), 255, 3)
    cuts = segment.candidates(mask, segment.aspect(50, 40, 40))
    last = len(cuts.points) - 1
    pairs = [(cuts.pieces[(0, j)], cuts.pieces[(j, last)]) for j in range(1, last)
             if (0, j) in cuts.pieces and (j, last) in cuts.pieces]
    assert any(splits.full_height(list(pair), 40, digit_height=40) for pair in pairs)
    # A blob smaller than the line's digits (the two halves of a small 0 each span it) does not count.
    assert not any(splits.full_height(list(pair), 40, digit_height=60) for pair in pairs)
    # The foot of a 2 cut off as a sliver is not a digit of its own, nor are two fragments far apart.
    foot = segment.Piece(30, 44, 34, 40, np.full((6, 14), 255, np.uint8))
    fragments = np.zeros((40, 10), np.uint8)
    fragments[:8] = fragments[-8:] = 255
    assert not splits.full_height([foot], 40, 40)
    assert not splits.full_height([segment.Piece(0, 10, 0, 40, fragments)], 40, 40)
    assert not splits.full_height([], 40, 40)
    assert splits.split_wins(whole=0.8, split=0.82, aspect=1.1, full=True)
    assert not splits.split_wins(whole=0.8, split=0.82, aspect=1.1, full=False)  # needs the margin
    assert not splits.split_wins(whole=0.6, split=0.65, aspect=1.1, full=True)  # pieces not sure enough
    assert not splits.split_wins(whole=0.84, split=0.84, aspect=1.1, full=True)  # a tie keeps the whole
    assert splits.could_split(whole=0.8, aspect=1.0)  # a near-square blob the model is not sure of


def test_the_cuts_picture_shows_cuts_made_in_red_and_cuts_tried_in_amber():
    from edge import overlay
    from edge.detect import Box
    ink = np.zeros((50, 80), np.uint8)
    cv2.ellipse(ink, (25, 25), (12, 18), 0, 0, 360, 255, 3)
    cv2.ellipse(ink, (48, 25), (12, 18), 0, 0, 360, 255, 3)
    box = Box(10, 5, 52, 40)
    paths = np.array([[26] * 40, [38] * 40])  # in the blob's columns, one per row
    picture = overlay.draw_cuts(ink, [(box, paths, [1])])
    assert picture.shape == (50, 80, 3)
    assert tuple(picture[20, 48]) == overlay.CUT_MADE_BGR and tuple(picture[20, 36]) == overlay.CUT_TRIED_BGR
    assert tuple(picture[2, 48]) != overlay.CUT_MADE_BGR  # above the blob's box: nothing drawn

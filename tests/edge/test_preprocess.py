"""Every preprocessing and detection step on synthetic arrays."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge import preprocess, threshold
from edge.blobs import components, filter_digits, reading_order
from edge.fragments import merge_fragments
from edge.detect import Box, Candidate, DetectorOptions, roi_box


def _paper_with_shadow(h=240, w=320, ink_boxes=()):
    """Paper at 200 with a hard shadow (x 110) over the right part, dark ink strokes."""
    gray = np.full((h, w), 200, np.float32)
    gray[:, w // 2:] *= 0.45
    for (x, y, bw, bh) in ink_boxes:
        gray[y:y + bh, x:x + bw] *= 0.35
    return gray.astype(np.uint8)


def test_to_gray_accepts_gray_bgr_bgra():
    bgr = np.zeros((4, 5, 3), np.uint8)
    bgr[..., 2] = 255  # red
    assert preprocess.to_gray(bgr).shape == (4, 5)
    assert preprocess.to_gray(bgr)[0, 0] == 76  # ITU-R 601 luma of pure red
    assert preprocess.to_gray(np.zeros((4, 5, 4), np.uint8)).shape == (4, 5)
    assert preprocess.to_gray(np.zeros((4, 5, 1), np.uint8)).shape == (4, 5)
    with pytest.raises(ValueError, match="expected 8-bit pixels"):
        preprocess.to_gray(np.zeros((4, 5), np.float32))
    with pytest.raises(ValueError, match="grayscale or BGR"):
        preprocess.to_gray(np.zeros((4, 5, 2), np.uint8))


def test_shadow_edge_is_not_ink():
    gray = _paper_with_shadow()
    background = preprocess.estimate_background(gray, stroke_px=10)
    ink = preprocess.flatten_illumination(gray, background)
    mask = threshold.binarize(ink, min_contrast=0.12)
    # Neither the shadowed half nor its edge becomes ink.
    assert mask.mean() < 0.01 * 255


def test_ink_is_found_in_light_and_in_shadow():
    strokes = [(40, 60, 4, 60), (240, 60, 4, 60)]  # one stroke each side of the shadow edge
    gray = _paper_with_shadow(ink_boxes=strokes)
    background = preprocess.estimate_background(gray, stroke_px=10)
    mask = threshold.binarize(preprocess.flatten_illumination(gray, background), 0.12)
    for x, y, bw, bh in strokes:
        assert mask[y + 5:y + bh - 5, x + 1:x + bw - 1].min() == 255
    assert mask.sum() / 255 < 1.5 * sum(bw * bh for *_, bw, bh in strokes)


def test_blank_paper_stays_blank_despite_noise():
    rng = np.random.default_rng(0)
    gray = np.clip(180 + rng.normal(0, 4, (240, 320)), 0, 255).astype(np.uint8)
    background = preprocess.estimate_background(gray, 10)
    mask = threshold.binarize(preprocess.flatten_illumination(gray, background), 0.12)
    assert mask.max() == 0


def test_fit_to_mnist_box_keeps_aspect_and_centres_mass():
    crop = np.zeros((100, 30), np.uint8)
    crop[:, 10:20] = 255  # a tall bar, like a "1"
    out = preprocess.fit_to_mnist_box(crop)
    assert out.shape == (28, 28) and out.dtype == np.uint8
    ys, xs = np.nonzero(out > 127)
    assert ys.max() - ys.min() + 1 == 20  # longest side fitted to 20 px
    assert xs.max() - xs.min() + 1 <= 3  # aspect kept: 10/100 of 20 px is 2 px
    m = cv2.moments(out)
    assert abs(m["m10"] / m["m00"] - 13.5) <= 0.6
    assert abs(m["m01"] / m["m00"] - 13.5) <= 0.6


def test_narrowed_squeezes_a_wide_mask_to_the_aspect_and_leaves_a_narrow_one():
    wide = np.zeros((40, 80), np.uint8)
    cv2.ellipse(wide, (40, 20), (36, 16), 0, 0, 360, 255, 3)
    narrow = preprocess.narrowed(wide, 0.7)
    assert narrow.shape == (40, 28) and set(np.unique(narrow)) == {0, 255}
    columns = np.flatnonzero(narrow.any(axis=0))
    assert columns[0] <= 2 and columns[-1] >= 25  # both sides of the ring kept
    tall = wide.T.copy()
    assert preprocess.narrowed(tall, 0.7) is tall
    hairlines = np.zeros((10, 60), np.uint8)
    hairlines[:, ::20] = 255  # squeezed to 7 columns, each line fades to a grey under the threshold
    assert preprocess.narrowed(hairlines, 0.7) is hairlines


def test_fit_to_mnist_box_centres_the_mass_of_a_lopsided_digit():
    crop = np.zeros((60, 40), np.uint8)
    crop[:12, :] = 255  # a heavy top bar and a thin stem, like a "7": the mass sits high
    crop[:, 18:21] = 255
    out = preprocess.fit_to_mnist_box(crop)
    m = cv2.moments(out)
    assert abs(m["m10"] / m["m00"] - 13.5) <= 0.6
    assert abs(m["m01"] / m["m00"] - 13.5) <= 0.6
    ys, _ = np.nonzero(out)
    assert ys.min() > (28 - 20) // 2  # moved down from where the 20-px box alone would sit


def test_stroke_width_and_thickening():
    mask = np.zeros((200, 200), np.uint8)
    mask[20:180, 20:23] = 255  # 3 px wide
    assert preprocess.stroke_width_px(mask) == pytest.approx(3, abs=0.5)
    thick = preprocess.normalize_stroke(mask, target_px_at_box=2.2)
    # 2.2 px at the 20-px box is 22 px at this 200-px crop.
    assert preprocess.stroke_width_px(thick) > 15
    wide = np.zeros((40, 40), np.uint8)
    cv2.line(wide, (5, 20), (35, 20), 255, 5)  # already wide at this scale: left alone
    assert preprocess.normalize_stroke(wide, 2.2) is wide



def test_thickening_keeps_a_small_loop_open():
    # A thin-pen 9, tall with a small loop: thickened to MNIST's pen the loop would fill, and the
    # model would see a 1 with a blot.
    nine = np.zeros((200, 120), np.uint8)
    cv2.circle(nine, (70, 30), 16, 255, 3)
    cv2.line(nine, (85, 30), (40, 190), 255, 3)
    thick = preprocess.normalize_stroke(nine, target_px_at_box=2.5)
    assert preprocess.stroke_width_px(thick) > 15
    k = (thick.shape[0] - nine.shape[0]) // 2
    assert thick[k + 30, k + 70] == 0  # the loop's centre is still paper
    ink = np.where(preprocess.fit_to_mnist_box(thick) > 127, 255, 0).astype(np.uint8)
    outside = cv2.floodFill(ink, None, (0, 0), 255)[1]
    assert (outside == 0).any()  # still a hole at 28x28


def test_the_paper_a_mask_encloses_is_each_loop_even_inside_an_island():
    # A ring; inside it an island of ink with a hole of its own.
    mask = np.zeros((80, 80), np.uint8)
    cv2.circle(mask, (40, 40), 34, 255, 3)
    cv2.circle(mask, (40, 40), 14, 255, -1)
    cv2.circle(mask, (40, 40), 5, 0, -1)
    outside = preprocess.outside(cv2.copyMakeBorder(mask, 4, 4, 4, 4, cv2.BORDER_CONSTANT, value=0))
    assert outside[44, 44] == 0  # the island's own hole
    assert outside[44, 44 + 24] == 0  # the ring's loop, between ring and island
    assert outside[44, 44 + 10] == 255  # the island's ink
    assert outside[0, 0] == 255 and outside[44, 44 + 38] == 255  # the paper around it

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


def test_bold_digits_close_up_are_ink_not_paper():
    # "47" in a marker filling half of a small crop: strokes of 18 px, wider than the closing sized
    # for a ballpoint (a 25th of the shorter side, 4 px here). Measured, the closing spans them.
    from edge.detect import ink_mask, widest_pen_px
    gray = np.full((120, 260), 225, np.uint8)
    cv2.putText(gray, "47", (40, 95), cv2.FONT_HERSHEY_SIMPLEX, 3, 25, 9)
    opts = DetectorOptions()
    def quarter(image):
        return preprocess.shrink(image, 1 / preprocess.BACKGROUND_SHRINK)
    assert 12 <= widest_pen_px(quarter(gray), opts, wider_than=3) <= 24
    mask, _ = ink_mask(gray, opts)
    drawn = gray < 128
    assert np.count_nonzero(mask[drawn]) > 0.9 * np.count_nonzero(drawn)
    # A ballpoint's digits stay below the default: nothing is measured for them.
    thin = np.full((480, 640), 225, np.uint8)
    cv2.putText(thin, "1234", (100, 260), cv2.FONT_HERSHEY_SIMPLEX, 2, 25, 2)
    assert widest_pen_px(quarter(thin), opts, wider_than=480 // 25 / 1.6) == 0.0


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


def test_find_digits_on_drawn_strokes():
    gray = np.full((240, 320), 210, np.uint8)
    cv2.line(gray, (60, 80), (60, 150), 40, 4)  # a "1"
    cv2.circle(gray, (160, 115), 30, 40, 4)  # a "0"
    cv2.line(gray, (250, 80), (250, 150), 40, 4)  # another "1"
    boxes, crops = _find_digits(gray, DetectorOptions())
    assert [b.x for b in boxes] == sorted(b.x for b in boxes) and len(boxes) == 3
    assert crops.shape == (3, 28, 28)
    assert all(c.max() == 255 and c[0].max() == 0 for c in crops)  # white on black, clear border


def test_denoise_flattens_grain_and_keeps_thin_strokes():
    ink = np.zeros((40, 40), np.uint8)
    ink[5, 5] = ink[30, 12] = 255  # lone noisy pixels
    ink[10:30, 20] = 200  # a 1-px stroke
    out = preprocess.denoise(ink)
    assert out[5, 5] <= 64 and out[30, 12] <= 64  # grain falls to a quarter
    assert (out[12:28, 20] >= 100).all()  # the stroke keeps half, unbroken


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


def _faint_strokes_beside(dark: tuple[slice, slice]) -> tuple[np.ndarray, list[tuple[int, int, int, int]]]:
    """The ink image of a thin, faint pen's strokes on paper, with a solid dark region (ink 230)."""
    ink = np.full((240, 320), 4, np.uint8)
    strokes = [(60 + 30 * k, 80, 2, 40) for k in range(5)]
    for x, y, bw, bh in strokes:
        ink[y:y + bh, x:x + bw] = 70
    ink[dark] = 230
    return ink, strokes


def test_a_desk_strip_off_the_edge_does_not_lift_the_split_past_a_thin_pen():
    """A strip of desk along the frame's edge beside a sheet filling it: Otsu's split falls between
    paper and desk, above a thin pen's strokes. Taken again without the strip, it keeps them."""
    ink, strokes = _faint_strokes_beside((slice(None), slice(290, 320)))
    assert threshold.binarize(ink, 0.12)[80:120, 60].max() == 0  # the strokes lost
    mask = threshold.binarize(ink, 0.12, solid_px=10)
    for x, y, bw, bh in strokes:
        assert mask[y:y + bh, x:x + bw].min() == 255
    assert mask[:, 290:].min() == 255
    assert mask[:, :290].sum() / 255 == sum(bw * bh for *_, bw, bh in strokes)


def test_on_a_sheet_the_split_is_the_inner_parts_and_desk_taken_in_along_a_side_does_not_lift_it():
    """A sheet whose outline took in a band of textured desk along its side (grain, not solid enough to
    be taken for a desk strip): over all of the sheet, Otsu splits between paper and the grain, above a
    thin, light pen's strokes; over the sheet's inner part it splits between paper and the strokes."""
    rng = np.random.default_rng(3)
    ink = np.full((300, 300), 3, np.uint8)
    ink[:, 270:] = rng.choice([10, 150], size=(300, 30), p=[0.45, 0.55]).astype(np.uint8)  # the desk's grain
    strokes = [(60 + 40 * k, 120, 2, 40) for k in range(4)]
    for x, y, bw, bh in strokes:
        ink[y:y + bh, x:x + bw] = 45
    assert threshold.inner_part(ink).shape == (240, 240)
    assert threshold.binarize(ink, 0.12, solid_px=10)[120:160, 60:62].max() == 0  # read whole: lost
    mask = threshold.binarize(ink, 0.12, solid_px=10, on_sheet=True)
    for x, y, bw, bh in strokes:
        assert mask[y:y + bh, x:x + bw].min() == 255
    assert mask[:, :270].sum() / 255 == sum(bw * bh for *_, bw, bh in strokes)


def test_on_a_sheet_a_desk_strip_is_looked_for_within_the_inner_part_the_split_is_taken_over():
    """Desk grain along one side of a sheet and a solid desk strip, wider than that band, along the
    other: the split taken again without the strip is measured over the inner part too (over the whole
    sheet without the strip, the grain came back and lifted it past the pen)."""
    rng = np.random.default_rng(5)
    ink = np.full((300, 300), 3, np.uint8)
    ink[:, :30] = rng.choice([10, 150], size=(300, 30), p=[0.45, 0.55]).astype(np.uint8)
    ink[:, 220:] = 230
    strokes = [(60 + 40 * k, 120, 2, 40) for k in range(4)]
    for x, y, bw, bh in strokes:
        ink[y:y + bh, x:x + bw] = 45
    mask = threshold.binarize(ink, 0.12, solid_px=10, on_sheet=True)
    for x, y, bw, bh in strokes:
        assert mask[y:y + bh, x:x + bw].min() == 255
    assert mask[:, 30:220].sum() / 255 == sum(bw * bh for *_, bw, bh in strokes)


def test_a_bold_digit_within_the_frame_is_no_desk_strip():
    """A solid dark region clear of the frame's edge (a marker's blot, a dark thing on the sheet) leaves
    the split as it is."""
    ink, _ = _faint_strokes_beside((slice(150, 200), slice(200, 260)))
    assert np.array_equal(threshold.binarize(ink, 0.12, solid_px=10), threshold.binarize(ink, 0.12))


def _stroke_fading_out(core: int) -> np.ndarray:
    """The ink image of one stroke whose left half is `core` dark and right half 20 (an out-of-focus
    stroke's fainter stretch), and a lone smudge as faint (12x12 at 20), on paper at 2."""
    ink = np.full((120, 160), 2, np.uint8)
    ink[40:44, 20:60] = core
    ink[40:44, 60:100] = 20
    ink[80:92, 120:132] = 20
    return ink


def test_faint_ink_joining_ink_past_the_floor_is_kept_and_alone_is_not():
    """On a sheet, Otsu's split below the floor (0.12 of 255 = 30.6): the stroke's faint half joins its
    half past the floor; the smudge, as faint, joins nothing and stays paper. Beyond a sheet (a frame
    read whole, where a desk's grain may be) the floor alone decides."""
    ink = _stroke_fading_out(core=40)
    mask = threshold.binarize(ink, 0.12, on_sheet=True)
    assert mask[40:44, 20:100].min() == 255
    assert mask[80:92, 120:132].max() == 0
    assert mask.sum() / 255 == 4 * 80
    assert threshold.binarize(ink, 0.12).sum() / 255 == 4 * 40


def test_faint_ink_is_kept_on_a_sheet_whose_split_is_taken_again_without_a_desk_strip():
    """A strip of desk along the rectified sheet's edge, wider than the band the split is measured
    within (a quarter of the sheet), lifts Otsu's split past the floor; taken again without it, the
    split falls below the floor, and the stroke's faint half joins its half past the floor as on a
    sheet without the strip (a sheet's outline taking in some desk, out of focus). The paper's noise
    is measured without the strip too: with it, its upper quartile is the strip's."""
    ink = _stroke_fading_out(core=40)
    ink[:, 120:] = 230
    ink[80:92, 120:132] = 2  # the smudge sat where the strip is now
    ink[20:32, 104:116] = 20
    assert threshold.paper_noise(ink)[1] > 0.12 * 255
    mask = threshold.binarize(ink, 0.12, solid_px=10, on_sheet=True)
    assert mask[40:44, 20:100].min() == 255
    assert mask[20:32, 104:116].max() == 0
    assert mask[:, :120].sum() / 255 == 4 * 80
    assert threshold.binarize(ink, 0.12, solid_px=10)[:, :120].sum() / 255 == 4 * 40


def test_faint_ink_is_not_grown_into_where_otsus_split_is_past_the_floor():
    """Dark ink: Otsu's split lies between paper and it, above the faint half; nothing is grown."""
    ink = _stroke_fading_out(core=200)
    ink[10:30, 10:150:4] = 200  # more dark ink, so that Otsu splits between it and the faint
    mask = threshold.binarize(ink, 0.12, on_sheet=True)
    assert mask[40:44, 20:60].min() == 255
    assert mask[40:44, 60:100].max() == 0


def test_faint_ink_is_taken_down_to_half_the_floor_at_most():
    """Fainter than half the floor (15.3), a stretch is paper even where it joins ink past the floor,
    though Otsu's split is lower (2: a wide faint band apart from the stroke pulls it down)."""
    ink = _stroke_fading_out(core=40)
    ink[40:44, 60:100] = 14
    ink[100:118, :] = 14
    mask = threshold.binarize(ink, 0.12, on_sheet=True)
    assert mask[40:44, 20:60].min() == 255
    assert mask[40:44, 60:100].max() == 0


@pytest.mark.parametrize("page_ink, kept", [(45, True), (56, False)])
def test_a_lone_stroke_half_as_dark_as_the_sheets_ink_is_ink(page_ink, kept):
    """Out of focus, a 1 fades below the floor (30.6) while the sheet's other digits stay past it: on a
    sheet of ink at 45, a lone stroke at 26 (over half of 45) is ink, a smudge at 20 is not; on a sheet
    of ink at 56 the stroke is under half of it (28) and stays paper. A wide faint band (at 14) holds
    Otsu's split below the floor and the stroke's level either way."""
    ink = np.full((160, 200), 2, np.uint8)
    ink[80:150, 20:180] = 14
    ink[30:70, 30:110:8] = page_ink  # the sheet's other strokes
    ink[30:70, 130:134] = 26  # the lone stroke
    ink[100:112, 150:162] = 20  # the smudge
    assert threshold.otsu(threshold.inner_part(ink).ravel()) < 14
    mask = threshold.binarize(ink, 0.12, on_sheet=True)
    assert mask[30:70, 30:110:8].min() == 255
    assert mask[30:70, 130:134].min() == (255 if kept else 0)
    assert mask[30:70, 130:134].max() == (255 if kept else 0)
    assert mask[100:112, 150:162].max() == 0
    assert threshold.binarize(ink, 0.12)[30:70, 130:134].max() == 0  # beyond a sheet the floor decides


def test_a_dim_noisy_frame_read_whole_is_split_above_its_papers_noise():
    """A dim webcam's frame read whole: its flattened paper sits at 30 (the floor is 30.6) with noise of
    12 grey levels, two thin strokes at 120. Otsu's split (31) falls in the noise and took over a third
    of the paper for ink; split above the paper's noise (paper_noise: 78), the strokes are the ink. A
    frame of clean paper (at 3) keeps Otsu's split, however much of it a big marker's ink covers."""
    rng = np.random.default_rng(0)
    ink = np.clip(rng.normal(30, 12, (240, 320)), 0, 255).astype(np.uint8)
    ink[60:180, 100:103] = ink[60:180, 200:203] = 120
    mask = threshold.binarize(ink, 0.12)
    assert mask[60:180, 100:103].min() == mask[60:180, 200:203].min() == 255
    assert mask[:, :90].mean() / 255 < 0.01
    clean = np.full((240, 320), 3, np.uint8)
    clean[20:220, 40:280:20] = 200
    clean[20:220, 40:120] = 200  # ink over a third of the frame
    assert np.array_equal(threshold.binarize(clean, 0.12),
                          cv2.threshold(clean, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1])


def test_a_few_specks_past_the_floor_do_not_lower_it():
    """A blank sheet embossed without ink: only a few specks of grain pass the floor (under STRONG_SHARE
    of the sheet), and the impression, over half as dark as they, stays paper."""
    ink = np.full((160, 200), 2, np.uint8)
    ink[30:70, 30:110:8] = 24  # the impression
    ink[100, 100] = ink[110, 150] = 33  # specks of grain
    ink[130:150, 20:180] = 14
    mask = threshold.binarize(ink, 0.12, on_sheet=True)
    assert mask[30:70, 30:110].max() == 0
    assert mask[100, 100] == mask[110, 150] == 255


@pytest.mark.parametrize("sigma", [12, 13])
def test_faint_ink_is_not_grown_through_a_grainy_sheets_noise(sigma):
    """Grain whose specks pass the floor here and there: growing them down to half the floor joined
    them into blobs of a digit's height (24 and 57 px); the paper's own noise bounds the growth."""
    rng = np.random.default_rng(sigma)
    gray = np.clip(180 + rng.normal(0, sigma, (480, 640)), 0, 255).astype(np.uint8)
    ink = preprocess.denoise(preprocess.flatten_illumination(gray, preprocess.estimate_background(gray, 19)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(threshold.binarize(ink, 0.12, on_sheet=True))
    assert count == 1 or stats[1:, cv2.CC_STAT_HEIGHT].max() <= 4


def test_ink_past_the_floor_stays_ink_on_a_sheet_whose_grain_reaches_it():
    """Grain whose own noise reaches past the floor (15 grey levels: its noise top is 44): nothing is
    grown, and a stroke past the floor is kept on a sheet as beyond one."""
    rng = np.random.default_rng(15)
    gray = np.clip(180 + rng.normal(0, 15, (480, 640)), 0, 255).astype(np.uint8)
    ink = preprocess.denoise(preprocess.flatten_illumination(gray, preprocess.estimate_background(gray, 19)))
    ink[200:204, 100:300] = 36
    assert threshold.paper_noise(ink)[1] > 0.12 * 255
    on_sheet = threshold.binarize(ink, 0.12, on_sheet=True)
    assert on_sheet[200:204, 100:300].min() == 255
    assert np.array_equal(on_sheet, threshold.binarize(ink, 0.12))


def test_noise_in_a_deep_shadow_is_no_ink_and_a_digit_there_still_is():
    # Paper at 200 with a phone's shadow over its lower half at 12 grey levels, both with the sensor's
    # noise (1 level; 3 at most in row_03_shadow's made darker): flattened, the shadow's noise passes the
    # contrast floor, a twelfth of its light. A "7" drawn in the shadow 7 levels darker than it stays
    # ink, and so does a "4" on the lit paper.
    rng = np.random.default_rng(3)
    gray = np.full((480, 640), 200.0)
    gray[240:] = 12.0
    drawn = np.zeros((480, 640), np.uint8)
    cv2.putText(drawn, "7", (300, 400), cv2.FONT_HERSHEY_SIMPLEX, 3, 255, 6)
    cv2.putText(drawn, "4", (300, 160), cv2.FONT_HERSHEY_SIMPLEX, 3, 255, 6)
    gray[240:][drawn[240:] > 0] -= 7
    gray[:240][drawn[:240] > 0] = 40
    gray = np.clip(gray + rng.normal(0, 1, gray.shape), 0, 255).astype(np.uint8)
    opts = DetectorOptions()
    background = preprocess.estimate_background(gray, 19)
    flat = preprocess.flatten_illumination(gray, background)
    ink = preprocess.without_dark_noise(flat, background, opts.min_contrast)
    floor = opts.min_contrast * 255
    near = cv2.dilate(drawn, np.ones((9, 9), np.uint8)) > 0
    shadow = np.zeros_like(near)
    shadow[260:] = True
    paper = np.count_nonzero(shadow & ~near)
    assert np.count_nonzero(flat[shadow & ~near] > floor) > 0.3 * paper  # as the flattening leaves it
    assert np.count_nonzero(ink[shadow & ~near] > floor) < 0.005 * paper  # lone specks, for the denoise
    seven = shadow & (drawn > 0)
    assert np.count_nonzero(ink[seven] > floor) > 0.8 * np.count_nonzero(seven)
    assert np.array_equal(ink[:200], flat[:200])  # lit paper: as it was

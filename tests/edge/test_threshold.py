"""The ink's threshold on synthetic arrays (edge.threshold): a desk strip or the paper's noise does not
lift it past a thin pen, faint ink joined to ink past the floor is kept, noise in a deep shadow is not."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge import preprocess, threshold
from edge.detect import DetectorOptions


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

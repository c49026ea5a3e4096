"""Preprocessing on synthetic arrays: grey, the paper without the ink, a digit's crop fitted to MNIST's
box and its pen thickened (edge.preprocess)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge import preprocess, threshold
from edge.detect import DetectorOptions


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


def test_denoise_flattens_grain_and_keeps_thin_strokes():
    ink = np.zeros((40, 40), np.uint8)
    ink[5, 5] = ink[30, 12] = 255  # lone noisy pixels
    ink[10:30, 20] = 200  # a 1-px stroke
    out = preprocess.denoise(ink)
    assert out[5, 5] <= 64 and out[30, 12] <= 64  # grain falls to a quarter
    assert (out[12:28, 20] >= 100).all()  # the stroke keeps half, unbroken

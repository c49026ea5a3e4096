"""A page out of focus: its edge's blur measured, and the faint strokes of a blurred pen kept."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge import focus, preprocess
from edge.detect import DetectorOptions
from edge.locate import locate

CORNERS = np.float32([[260, 140], [760, 190], [720, 840], [210, 800]])


def _page_on_desk(blur: float, seed: int = 0, paper: int = 215, desk: int = 70) -> np.ndarray:
    """A grey frame: a turned quadrilateral of paper on a darker desk, blurred, with a sensor's noise."""
    frame = np.full((1000, 1000), desk, np.float32)
    cv2.fillPoly(frame, [np.round(CORNERS * 16).astype(np.int32)], paper, cv2.LINE_AA, shift=4)
    if blur:
        frame = cv2.GaussianBlur(frame, (0, 0), blur)
    frame += np.random.default_rng(seed).normal(0, 2.0, frame.shape)
    return np.clip(frame, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("blur", [2.0, 3.0, 5.0])
def test_the_blur_of_a_pages_edge_is_measured(blur):
    assert focus.edge_blur_px(_page_on_desk(blur), CORNERS) == pytest.approx(blur, rel=0.25)


def test_a_sharp_edge_measures_under_a_pixel_and_so_with_the_outline_a_few_pixels_off():
    assert focus.edge_blur_px(_page_on_desk(0.0), CORNERS) < 1.0
    assert focus.edge_blur_px(_page_on_desk(0.0), CORNERS + np.float32([4, -3])) < 1.0
    assert focus.edge_blur_px(_page_on_desk(3.0), CORNERS + np.float32([4, -3])) == pytest.approx(3.0, rel=0.25)


def test_no_step_and_no_side_inside_the_frame_measure_nothing():
    assert focus.edge_blur_px(_page_on_desk(0.0, desk=215), CORNERS) is None  # paper on paper
    beyond = np.float32([[-50, -50], [1100, -50], [1100, 1100], [-50, 1100]])
    assert focus.edge_blur_px(_page_on_desk(0.0), beyond) is None


def _ridge(peak: float, sigma: float, size=(120, 200)) -> np.ndarray:
    """A white-on-black ink image: one horizontal stroke across, of this height and Gaussian width."""
    y = np.arange(size[0], dtype=np.float32)[:, None]
    return np.repeat(peak * np.exp(-0.5 * ((y - 60) / sigma) ** 2), size[1], axis=1).astype(np.uint8)


def _faint(ink: np.ndarray, threshold: float) -> np.ndarray:
    _, mask = cv2.threshold(ink, threshold, 255, cv2.THRESH_BINARY)
    return preprocess.faint_strokes(ink, mask, threshold, reach_px=40)


def test_a_faint_wide_stroke_is_kept_down_to_its_half_maximum():
    threshold = 30.0
    ink = _ridge(34, 3.0)  # passes the threshold only along its top
    faint = _faint(ink, threshold)
    width = (faint[:, 100] > 0).sum()
    assert abs(width - 2.355 * 3.0) <= 2  # a Gaussian's full width at half its maximum
    assert (ink[:, 100] > threshold).sum() < width / 2


def test_no_faint_stroke_beside_strong_ink_thin_lines_or_ridges_no_ink_reaches():
    threshold = 30.0
    assert not _faint(_ridge(90, 3.0), threshold).any()  # passes twice over
    thin = np.zeros((120, 200), np.uint8)
    thin[60, :] = 40  # a printed line one pixel thick
    assert not _faint(thin, threshold).any()
    assert not _faint(_ridge(28, 3.0), threshold).any()  # nothing passes at all
    speck = np.zeros((120, 200), np.uint8)
    speck[58:63, 98:103] = 40  # passes, but is too short a piece to be a stroke
    assert not _faint(cv2.GaussianBlur(speck, (0, 0), 2.0), threshold).any()


def _sheet_with_faint_strokes(blur: float) -> np.ndarray:
    """A BGR sheet on a desk with thin pen strokes, the whole frame blurred by `blur`."""
    frame = np.full((1000, 1000, 3), 70, np.uint8)
    cv2.fillPoly(frame, [np.round(CORNERS * 16).astype(np.int32)], (215, 215, 215), cv2.LINE_AA, shift=4)
    for k in range(4):
        cv2.putText(frame, "2837"[k], (330 + 90 * k, 450), cv2.FONT_HERSHEY_SIMPLEX, 2.2, (60, 60, 60), 2,
                    cv2.LINE_AA)
    frame = frame.astype(np.float32)
    if blur:
        frame = cv2.GaussianBlur(frame, (0, 0), blur)
    frame += np.random.default_rng(0).normal(0, 2.0, frame.shape)
    return np.clip(frame, 0, 255).astype(np.uint8)


def test_faint_strokes_are_read_on_a_page_out_of_focus_only():
    opts = DetectorOptions()
    sharp = locate(_sheet_with_faint_strokes(0.0), opts, trace=True)
    assert sharp.page is not None and "faint" not in sharp.trace
    blurred = locate(_sheet_with_faint_strokes(4.0), opts, trace=True)
    assert blurred.page is not None and "faint" in blurred.trace
    added = blurred.trace["faint"][:, :, 0] & ~blurred.trace["faint"][:, :, 2]  # cyan: added, not white
    assert cv2.countNonZero(added) > 0

"""A ruled page filling the frame seen in perspective: its rules' vanishing points and the frame rectified."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge import vanishing
from tests.images import faint_grid_page

W, H = 640, 480


def _keystone(narrower: str, share: float) -> np.ndarray:
    """The homography of a camera tilted so that the frame's top, its left side, or both ("top-left": its
    top-left corner drawn in) are `share` narrower."""
    src = np.float32([[0, 0], [W, 0], [W, H], [0, H]])
    a, b = share * W / 2, share * H / 2
    dst = {"top": [[a, 0], [W - a, 0], [W, H], [0, H]], "left": [[0, b], [W, 0], [W, H], [0, H - b]],
           "top-left": [[2 * a, 2 * b], [W, 0], [W, H], [0, H]]}[narrower]
    return cv2.getPerspectiveTransform(src, np.float32(dst))


def _grid_mask(seen: np.ndarray | None, pitch: int = 32) -> np.ndarray:
    """A 0/255 mask of a grid's lines a pixel wide, drawn square-on and then seen through `seen`."""
    grid = np.zeros((H, W), np.uint8)
    for x in range(8, W, pitch):
        cv2.line(grid, (x, 0), (x, H - 1), 255, 1)
    for y in range(8, H, pitch):
        cv2.line(grid, (0, y), (W - 1, y), 255, 1)
    if seen is None:
        return grid
    return cv2.warpPerspective(grid, seen, (W, H), flags=cv2.INTER_NEAREST)


def test_a_fan_of_lines_is_fitted_through_its_vanishing_point():
    # Columns through (320, -1000): dx/dy = (x at the middle - 320) / (239.5 + 1000).
    middle = ((W - 1) / 2, (H - 1) / 2)
    segs = []
    for at in (100, 200, 300, 400, 500):
        slope = (at - 320) / (middle[1] + 1000)
        segs.append([at + slope * (40 - middle[1]), 40, at + slope * (440 - middle[1]), 440])
    segs.append([0, 100, 600, 110])  # a row: not of the columns' family
    fan = vanishing.fan(np.float32(segs), 1, middle)
    assert fan is not None and fan.lines == 5
    assert fan.rate == pytest.approx(1 / (middle[1] + 1000), rel=1e-3)
    assert fan.slope(320, middle[0]) == pytest.approx(0, abs=1e-4)
    assert vanishing.fan(np.float32(segs), 0, middle) is None  # one row: too few to tell


@pytest.mark.parametrize("narrower", ["top", "left", "top-left"])
def test_a_grid_seen_in_perspective_is_rectified_to_rows_and_columns(narrower):
    seen = _keystone(narrower, 0.15)
    found = vanishing.rectifying(_grid_mask(seen))
    assert found is not None
    # The grid's lines, seen and then rectified, run along the rows and down the columns.
    back = found.homography @ seen
    for x in range(8, W, 32):
        top, bottom = cv2.perspectiveTransform(np.float32([[[x, 0], [x, H - 1]]]), back)[0]
        assert abs(top[0] - bottom[0]) < 1.5
    for y in range(8, H, 32):
        left, right = cv2.perspectiveTransform(np.float32([[[0, y], [W - 1, y]]]), back)[0]
        assert abs(left[1] - right[1]) < 1.5
    # All of the frame lands in the rectified frame, no part of it drawn smaller than it was, and no larger
    # than it must be: its least scale, at a corner, is one.
    corners = np.float32([[[0, 0], [W - 1, 0], [W - 1, H - 1], [0, H - 1]]])
    mapped = cv2.perspectiveTransform(corners, found.homography)[0]
    assert (mapped >= -0.5).all() and (mapped[:, 0] <= found.size[0]).all()
    assert (mapped[:, 1] <= found.size[1]).all()
    assert found.size[0] <= vanishing.MAX_GROWTH * W and found.size[1] <= vanishing.MAX_GROWTH * H
    step = np.float32([[1, 0], [0, 1]])
    scales = []
    for x, y in np.float32([[0, 0], [W - 1, 0], [W - 1, H - 1], [0, H - 1], [W / 2, H / 2]]):
        here = cv2.perspectiveTransform(np.float32([[[x, y]]]), found.homography)[0, 0]
        moved = cv2.perspectiveTransform(np.float32([[x, y]]) + step[:, None], found.homography)[:, 0]
        scales.append(np.linalg.svd(np.stack(moved - here, axis=1), compute_uv=False)[-1])  # least stretch
    assert min(scales) == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("degrees", [0.0, 7.0])
def test_a_grid_seen_square_on_or_turned_is_left_to_the_rule_finder(degrees):
    turn = np.vstack([cv2.getRotationMatrix2D((W / 2, H / 2), degrees, 1.0), [0, 0, 1]])
    assert vanishing.rectifying(_grid_mask(turn)) is None


def test_a_view_too_steep_to_be_a_page_filling_the_frame_is_not_rectified():
    # The top 45 % narrower: rectified, the frame would span 1.8 times its width.
    assert vanishing.rectifying(_grid_mask(_keystone("top", 0.45))) is None


def test_writing_without_long_lines_has_no_vanishing_point():
    mask = np.zeros((H, W), np.uint8)
    for k, digit in enumerate("4725109"):
        cv2.putText(mask, digit, (40 + 80 * k, 260), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 255, 4)
    assert vanishing.rectifying(mask) is None
    assert vanishing.rectifying(np.zeros((3, 3), np.uint8)) is None


@pytest.mark.parametrize("narrower", ["top", "left"])
def test_a_faint_grid_seen_in_perspective_leaves_only_the_digits_written_on_it(narrower):
    """A squared page filling the frame, the camera tilted: its faint grid's columns (or rows) fan out, and
    no one slope takes them out. Read rectified by the grid's vanishing points, only the four digits stay,
    their boxes mapped back to the frame around them. (Without: 165 blobs, the grid's pieces, the top
    narrower; the rows converging, the columns upright, were read right before too.)"""
    from edge.detect import DetectorOptions
    from edge.locate import locate

    frame, centres = faint_grid_page(strength=1.0, seen=_keystone(narrower, 0.15))
    located = locate(frame, DetectorOptions())
    boxes = [located.to_frame(f.box) for f in located.found]
    assert len(boxes) == len(centres), boxes
    for (x, y), b in zip(centres, boxes):
        assert b.x <= x <= b.x + b.w and b.y <= y <= b.y + b.h


def test_boxes_map_back_to_a_larger_frame_and_within_a_region_of_it():
    """A frame twice the size (shrunk to be read) inside a larger one, read within its --roi box: the boxes,
    found on the rectified frame, come back around the digits in the larger frame's pixels."""
    from edge.detect import Box, DetectorOptions
    from edge.locate import locate

    page, centres = faint_grid_page(strength=1.0, seen=_keystone("top", 0.15))
    dx, dy = 37, 23
    frame = np.full((2 * H + 60, 2 * W + 80, 3), 200, np.uint8)
    frame[dy:dy + 2 * H, dx:dx + 2 * W] = cv2.resize(page, (2 * W, 2 * H), interpolation=cv2.INTER_LINEAR)
    located = locate(frame, DetectorOptions(), roi=Box(dx, dy, 2 * W, 2 * H))
    boxes = [located.to_frame(f.box) for f in located.found]
    assert len(boxes) == len(centres), boxes
    for (x, y), b in zip(centres, boxes):
        assert b.x <= dx + 2 * x <= b.x + b.w and b.y <= dy + 2 * y <= b.y + b.h

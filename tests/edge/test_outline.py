"""A sheet's outline where the frame cuts it or pale desk joins it (edge.outline, edge.cut_sheet,
edge.quads): its sides along its own edges, and what lies beyond the frame marked."""

from __future__ import annotations

import cv2
import numpy as np

from edge import cut_sheet, outline, quads


def test_the_desk_along_the_frame_around_a_page_does_not_take_its_digits():
    """A page nearly filling the frame, the desk showing along its edges as one band of ink round it:
    that band's box holds every digit, and merging fragments joined them all to it (all dropped)."""
    from edge.blobs import locate_digits
    from edge.detect import DetectorOptions
    mask = np.zeros((480, 640), np.uint8)
    mask[:12], mask[:, :15], mask[:, -10:] = 255, 255, 255  # the desk along three edges
    for x in range(100, 540, 60):
        cv2.ellipse(mask, (x, 200), (14, 20), 0, 0, 360, 255, 4)  # a line of "0"s
    found = locate_digits(mask, DetectorOptions())
    assert len(found) == 8


def test_a_side_along_the_frame_edge_is_moved_out_parallel_to_the_sheets_own():
    """A turned sheet running off the frame's right edge: the outline's right side is the frame's; it
    is moved to run parallel to the sheet's left edge, through its end farther out, so the sheet's
    rectangle is kept (rectified from the side along the frame, its rules fanned out)."""
    shape = (480, 640)
    quad = np.float32([[100, 40], [639, 10], [639, 470], [160, 450]])  # tl, tr, br, bl
    moved = quads.past_frame_edge(quad, shape)
    left, right = moved[3] - moved[0], moved[2] - moved[1]
    assert abs(left[0] * right[1] - left[1] * right[0]) < 1e-3 * np.linalg.norm(left) * np.linalg.norm(right)
    assert (moved[[1, 2], 0] >= 639 - 1e-3).all()  # past the frame: the visible part stays inside
    assert np.allclose(moved[[0, 3]], quad[[0, 3]], atol=1e-3)  # the sheet's own corners stay
    inside = np.float32([[100, 40], [600, 30], [620, 440], [160, 450]])
    assert np.array_equal(quads.past_frame_edge(inside, shape), inside)


def test_a_sheet_touching_pale_tiles_at_a_corner_is_outlined_along_its_own_edges():
    """A sheet whose bottom left corner lies on pale tiles (desk_03): the bright region runs on over the
    tiles to the frame's edge, and the hull's corner with it. Each side is the longest straight run of
    the region's outline near it (not a fit through the tiles' ragged edge as well, nor the frame's edge),
    so the corners are the sheet's."""
    shape = (250, 160)
    seen = np.full(shape, 90, np.uint8)  # the map of how paper-like: the desk 90
    cells = np.random.default_rng(3).choice(np.uint8([120, 235]), (shape[0] // 4 + 1, shape[1] // 4 + 1),
                                            p=[0.3, 0.7])
    tiles = np.kron(cells, np.ones((4, 4), np.uint8))[:shape[0], :shape[1]]
    ys, xs = np.mgrid[:shape[0], :shape[1]]
    pale = ((xs < 70) & (ys > 120) & (ys - 120 > 0.4 * xs)) | ((xs < 12) & (ys > 130))
    seen[pale] = tiles[pale]
    sheet = np.float32([[14, 24], [146, 18], [150, 206], [18, 212]])
    cv2.fillConvexPoly(seen, sheet.astype(np.int32), 230)
    found = outline.sheet_outline(seen, cv2.merge([seen] * 3))
    assert found is not None
    assert np.abs(found - sheet).max() < 2


def test_a_thing_lying_over_a_sheets_edge_does_not_become_its_side():
    """A dark ruler over the sheet's right edge, 10 px in: the side is the sheet's edge above and below
    it, not the ruler's straight edge (a review found a wider band than 4 % of the side took it)."""
    seen = np.full((240, 320), 90, np.uint8)
    sheet = np.float32([[85, 20], [235, 20], [235, 220], [85, 220]])
    cv2.fillConvexPoly(seen, sheet.astype(np.int32), 230)
    cv2.rectangle(seen, (225, 70), (260, 170), 70, -1)
    found = outline.sheet_outline(seen, cv2.merge([seen] * 3))
    assert found is not None and np.abs(found - sheet).max() < 2


def test_a_side_along_the_frames_edge_stays_there_with_a_fingertip_near_it():
    """A sheet running off the bottom of the frame, a fingertip's edge 5 px in from it: the outline's
    points near the bottom side are mostly the frame's edge, so that side is the frame's edge, not the
    fingertip's (fitted to it, the side cut across the sheet). (A phone along most of that side still
    takes it: then most of the points near it are the phone's.)"""
    seen = np.full((240, 320), 90, np.uint8)
    cv2.fillConvexPoly(seen, np.int32([[75, 60], [245, 60], [245, 280], [75, 280]]), 230)
    cv2.fillPoly(seen, [np.int32([[140, 245], [140, 234], [180, 234], [180, 245]])], 60)
    found = outline.sheet_outline(seen, cv2.merge([seen] * 3))
    assert found is not None
    assert found[2, 1] >= 238 and found[3, 1] >= 238, found  # br, bl on the frame's edge (or past it)


def test_a_sheet_the_frame_cuts_on_every_side_is_outlined_from_its_own_edges():
    """A turned sheet larger than the frame, the desk in its four corners: its corners all lie past the
    frame's edge, and its outline is the lines of the four edges it shows, not four of the hull's points
    (which put its corners on the frame's edge, and its page, rectified, came out fanned)."""
    shape = (480, 640)
    sheet = cv2.boxPoints(((330, 235), (640, 480), 18)).astype(np.float32)  # past the frame all round
    region = np.zeros(shape, np.uint8)
    cv2.fillConvexPoly(region, sheet.astype(np.int32), 255)
    contours, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    found = cut_sheet.cut_sheet_outline(max(contours, key=cv2.contourArea), shape)
    assert found is not None
    assert np.abs(found - quads.order_corners(sheet)).max() < 4
    assert ((found < 0) | (found > np.float32([639, 479]))).any(axis=1).all()
    seen = region // 2 + 100  # the map of how paper-like: the desk 100, the sheet 227
    cut = cut_sheet.cut_outline(outline.sheet_region(seen), seen, cv2.merge([seen] * 3))
    assert np.abs(cut - found).max() < 4
    # Turned less, a short stretch of its own edge near a corner of the frame is joined to the frame's
    # edge by the simplification; fitted, that side would be the frame's: no outline from own edges.
    less = np.zeros(shape, np.uint8)
    cv2.fillConvexPoly(less, cv2.boxPoints(((300, 250), (640, 420), 10)).astype(np.int32), 255)
    contours, _ = cv2.findContours(less, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    assert cut_sheet.cut_sheet_outline(contours[0], shape) is None
    # A sheet in view, and one the frame cuts on one side only (two edges of its own), are left to
    # the outline of four corners.
    inside = np.zeros(shape, np.uint8)
    cv2.fillConvexPoly(inside, np.int32([[100, 60], [540, 40], [560, 420], [90, 440]]), 255)
    half = np.zeros(shape, np.uint8)
    cv2.fillConvexPoly(half, np.int32([[300, -50], [700, -50], [700, 530], [300, 530]]), 255)
    for region in (inside, half):
        contours, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        assert cut_sheet.cut_sheet_outline(contours[0], shape) is None


def test_order_corners():
    shuffled = np.float32([[100, 90], [10, 5], [5, 95], [90, 8]])
    assert quads.order_corners(shuffled).tolist() == [[10, 5], [90, 8], [100, 90], [5, 95]]

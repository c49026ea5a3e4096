"""The page stage on synthetic frames: a sheet or a note found on a desk (edge.page, edge.note), read
at a scale its digits need, and no page where paper fills the frame."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge import note, outline, page, quads, steps, synth
from tests.images import sheet_with_lines


@pytest.mark.parametrize("desk", synth.DESKS)
def test_a_sheet_on_a_desk_is_found_and_rectified(desk):
    rng = np.random.default_rng(1)
    frame = synth.finish(synth.place_on_desk(sheet_with_lines(), (720, 960), desk, coverage=0.35,
                                             rotation_deg=12, perspective=0.15, rng=rng), rng)
    found = page.find_page(frame)
    assert found is not None
    width, height = found.native_size
    assert 0.55 < width / height < 0.9  # a 500x700 sheet, foreshortened a little
    view, back = page.rectify(frame, found, 800)
    assert max(view.shape[:2]) <= 800
    # The rectified page is paper all over: no desk left in its corners.
    inset = page.inset_px(view.shape)
    corners = [view[inset:3 * inset, inset:3 * inset], view[-3 * inset:-inset, -3 * inset:-inset]]
    assert all(c.mean() > 150 for c in corners)
    # Its corners map back onto the sheet's corners in the frame.
    h, w = view.shape[:2]
    mapped = page.map_points(np.float32([[0, 0], [w - 1, h - 1]]), back)
    assert np.abs(mapped - found.corners[[0, 2]]).max() < 4


@pytest.mark.parametrize("desk", synth.DESKS)
def test_a_small_note_on_a_desk_is_a_page(desk):
    """A sheet seen small, 5-6 % of the frame once in perspective (a sticky note is 7-11 % from above,
    less at a slant), is the page."""
    rng = np.random.default_rng(5)
    frame = synth.finish(synth.place_on_desk(sheet_with_lines(), (720, 960), desk, coverage=0.06,
                                             rotation_deg=-10, perspective=0.1, rng=rng), rng)
    found = page.find_page(frame)
    assert found is not None
    assert 0.045 < cv2.contourArea(found.corners) / (720 * 960) < 0.065


@pytest.mark.parametrize("desk", synth.DESKS)
def test_a_lit_phone_beside_a_sheet_is_no_page(desk):
    """A phone on the desk beside a sheet, its lit screen brighter than the paper and 6.6 % of the
    frame, above the least a page may cover: the sheet, larger, is the page."""
    rng = np.random.default_rng(5)
    frame = synth.desk_texture((480, 640), desk, rng)
    frame[120:400, 80:300] = 170
    frame[130:330, 400:540] = (30, 30, 30)
    frame[145:315, 410:530] = (252, 252, 252)
    found = page.find_page(synth.finish(frame, rng))
    assert found is not None
    assert np.abs(found.corners - np.float32([[80, 120], [299, 120], [299, 399], [80, 399]])).max() < 4


def test_a_sheet_on_a_slightly_larger_backing_is_the_sheet():
    """A clipboard or pad a little larger than the sheet, brighter than the desk: no side of the sheet
    is a shadow's edge, so the backing's outline, which holds the sheet's corners, is not taken."""
    frame = np.full((480, 640, 3), 30, np.uint8)
    frame[90:440, 196:444] = 90
    frame[90:330, 200:440] = 235
    found = page.find_page(frame)
    assert found is not None
    assert np.abs(found.corners - np.float32([[200, 90], [439, 90], [439, 329], [200, 329]])).max() < 4


def test_the_sheet_within_an_outline_is_looked_for_inside_it_only():
    """A larger bright thing beside the outline found (a second sheet) is no part of it: the sheet
    is the brighter part inside the outline (a review's case: the whole map was searched)."""
    smooth = np.full((240, 320), 60, np.uint8)
    smooth[20:220, 110:310] = 150  # the outline found: lit desk and the sheet on it
    smooth[80:160, 170:230] = 240  # the sheet, clear of the outline's edge
    smooth[40:200, 8:100] = 240  # a bigger bright thing outside the outline
    quad = np.float32([[110, 20], [309, 20], [309, 219], [110, 219]])
    found = page._sheet_within(quad, smooth, cv2.cvtColor(smooth, cv2.COLOR_GRAY2BGR))
    assert np.abs(found - np.float32([[170, 80], [229, 80], [229, 159], [170, 159]])).max() < 3


def test_a_kraft_note_on_a_pad_is_no_page_but_is_the_note_on_a_pad():
    """A brown kraft note on a black pad on a grey desk: the note is no brighter than the desk, so the
    frame is paper along its edge with a dark thing on it, as a sheet with a phone lying on it is, and
    find_page takes no page. note_on_a_pad finds the note, for the reader to read when the frame read
    whole reads worse; on paper filling the frame with nothing on it there is none."""
    from edge.synth_conditions import PAPERS
    rng = np.random.default_rng(5)
    frame = synth.desk_texture((480, 640), "noise", rng)
    frame[90:420, 120:560] = (25, 25, 25)
    frame[190:330, 370:510] = PAPERS["brown"]
    frame = synth.finish(frame, rng)
    assert page.find_page(frame) is None
    found = page.note_on_a_pad(frame)
    assert found is not None
    assert np.abs(found.corners - np.float32([[370, 190], [509, 190], [509, 329], [370, 329]])).max() < 6
    paper = synth.draw_digits(np.zeros((10, 28, 28), np.uint8), seed=1)
    assert page.note_on_a_pad(paper) is None


@pytest.mark.parametrize("desk, note", [("wood", (235, 235, 235)), ("noise", (235, 235, 235)),
                                        ("noise", (120, 225, 240))])
def test_a_note_on_a_mouse_pad_is_found_on_the_pad(desk, note):
    """A white note on a black mouse pad: the pad is what is unlike the desk, but no brighter; the note
    on it is the page, 6.4 % of the frame (c4e9ed9 found no page on wood). On wood it is now found in
    the whole frame, a page covering 5 % at least; on a grey desk, where the desk is whiter than the
    pad, it is found on the pad. (A 100 px note, 3.3 %, on wood is not found: the brightest twentieth of
    the frame is then no brighter than its edge, and no note is looked for.) A yellow note on a mid-grey desk: the desk, as white as the
    note (a yellow note is dark in blue), runs along the frame's edge, but it is no paper filling the
    frame, for the note is brighter and lies clear of the edge (7d71398, with the pad search alone,
    found no page)."""
    rng = np.random.default_rng(5)
    frame = synth.desk_texture((480, 640), desk, rng)
    frame[90:420, 120:560] = (25, 25, 25)
    frame[190:330, 370:510] = note
    found = page.find_page(synth.finish(frame, rng))
    assert found is not None
    assert np.abs(found.corners - np.float32([[370, 190], [509, 190], [509, 329], [370, 329]])).max() < 6


@pytest.mark.parametrize("seed", range(1, 6))
def test_a_lit_phone_on_a_sheet_filling_the_frame_is_no_page(seed):
    """A phone lying on the sheet, its screen lit in a dark bezel: the screen is brighter than the
    paper and clear of the frame's edge, as a note on a pad on a pale desk would be, but it lies on
    nothing unlike the paper that does not stand out, so the frame is read as it is."""
    rng = np.random.default_rng(seed)
    digits = (rng.random((10, 28, 28)) > 0.8).astype(np.uint8) * 255
    frame = synth.draw_digits(digits, seed=seed, style=synth.PaperStyle(shadow_strength=0.0,
                                                                         paper_range=(160, 185))).copy()
    cv2.rectangle(frame, (380, 150), (560, 360), (30, 30, 30), -1)
    cv2.rectangle(frame, (392, 168), (548, 340), (250, 250, 250), -1)
    assert page.find_page(frame) is None


def test_paper_filling_the_frame_lit_unevenly_is_no_page():
    """Paper from 80 to 235 across the frame: its lit part is far brighter than the rest, but runs
    along the frame's edge."""
    frame = synth.draw_digits(np.zeros((10, 28, 28), np.uint8), seed=1,
                              style=synth.PaperStyle(shadow_strength=0.0, paper_range=(80, 235)))
    assert page.find_page(frame) is None


@pytest.mark.parametrize("loss", [0.2, 0.35, 0.5])
def test_paper_filling_the_frame_darker_toward_its_corners_is_no_page(loss):
    """A lens's fall-off of light (vignetting) leaves the middle of paper filling the frame brighter and
    unlike its darker rim, but with no edge: it is not a note on a desk, and every digit is read."""
    frame = synth.draw_digits(np.zeros((6, 28, 28), np.uint8), seed=3,
                              style=synth.PaperStyle(shadow_strength=0.0, paper_range=(215, 225)))
    dark = np.clip(synth.vignette(frame, loss), 0, 255).astype(np.uint8)
    assert page.find_page(dark) is None


def test_a_note_on_a_desk_darker_toward_the_corners_is_still_found():
    """The same fall-off over a note on a desk: the note's edge is a step, and it is the page."""
    from edge.synth_conditions import PAPERS
    rng = np.random.default_rng(2)
    sheet = np.empty((300, 300, 3), np.float32)
    sheet[:] = PAPERS["yellow"]
    cv2.line(sheet, (60, 150), (240, 150), (170, 90, 40), 4)
    scene = synth.place_on_desk(sheet, (720, 960), "wood", coverage=0.15, rotation_deg=-10, perspective=0.1,
                                rng=rng)
    found = page.find_page(synth.finish(synth.vignette(scene, 0.4), rng))
    assert found is not None
    assert np.abs(found.corners.mean(axis=0) - [480, 360]).max() < 0.05 * 960


def test_an_edge_is_a_step_and_a_gradual_fall_off_is_none():
    """without_edge on a square of paper with a sharp edge, the same blurred by a soft lens, a radial
    ramp of the same contrast, and the ramp's outline where it runs along the frame's edge."""
    quad = np.float32([[40, 30], [120, 30], [120, 90], [40, 90]])
    sharp = np.full((120, 160), 60, np.uint8)
    sharp[30:90, 40:120] = 200
    assert not steps.without_edge(quad, sharp)
    assert not steps.without_edge(quad, cv2.GaussianBlur(sharp, (0, 0), 1.0))
    yy, xx = np.mgrid[0:120, 0:160].astype(np.float32)
    ramp = np.clip(200 - 140 * np.hypot((xx - 80) / 80, (yy - 60) / 60), 0, 255).astype(np.uint8)
    assert steps.without_edge(quad, ramp)
    assert not steps.without_edge(np.float32([[0, 30], [120, 30], [120, 90], [0, 90]]), ramp)



def test_a_side_off_the_frame_edge_must_step_where_the_outline_runs_along_it():
    """open_sided on the lit part of paper filling the frame (a soft edge across it, 1.5 levels a pixel)
    and on a sheet cut by the frame (a sharp edge): both outlines run along the frame's top and right."""
    quad = np.float32([[60, 0], [159, 0], [159, 80], [60, 80]])
    yy, xx = np.mgrid[0:120, 0:160].astype(np.float32)
    soft = np.clip(150 + 1.5 * (xx - 60) + 1.5 * (80 - yy), 120, 230).astype(np.uint8)
    sharp = np.full((120, 160), 60, np.uint8)
    sharp[:80, 60:] = 200
    assert steps.open_sided(quad, soft) and not steps.without_edge(quad, soft)
    assert not steps.open_sided(quad, sharp)
    half = sharp.copy()
    half[:, :100] = soft[:, :100]  # a sharp bottom edge, but the left side lies over a soft fall-off
    assert steps.open_sided(quad, half)
    assert not steps.open_sided(np.float32([[40, 30], [120, 30], [120, 90], [40, 90]]), soft)


@pytest.mark.parametrize("seed, squared",
                         [(0, False), (1, False), (2, False), (7, True), (9, True), (17, True)])
def test_paper_filling_the_frame_under_a_pool_of_light_is_no_page(seed, squared):
    """Paper filling the frame, one corner's part lit, the rest 30 % darker past a soft edge, faint rules
    or a faint grid: the lit part is whiter than the rest and runs off the frame on two sides, but no side
    of it steps (the grid's lines, a few pixels apart in the map searched, do not count as steps); and
    it is no note either, as bright as the rest in each channel's share."""
    rng = np.random.default_rng(seed)
    size = (480, 640)
    rules = synth.rule_sheet(size, 13 if squared else 52, squared=squared, thickness=1)
    writing = sheet_with_lines(size)[:, :, 0] < 100
    sheet = synth.paint(size, [(rules * 0.6, (215, 170, 120)), (writing, (40, 30, 30))], (225, 228, 230))
    frame = synth.finish(synth.pool_of_light(sheet, rng, 0.3), rng, light=0.1)
    assert page.find_page(frame) is None


def test_paper_more_brightly_lit_is_no_note():
    """A part of a small frame brighter than its edge in every channel alike is the same paper more lit;
    a kraft note on a grey desk, or a white note twice as bright as a dark desk, is a note."""
    frame = np.full((120, 160, 3), 170, np.uint8)
    quad = np.float32([[60, 0], [159, 0], [159, 80], [60, 80]])
    frame[:80, 60:] = 200
    assert note._paper_more_lit(frame, quad)
    frame[:80, 60:] = (110, 150, 185)  # kraft
    assert not note._paper_more_lit(frame, quad)
    frame[:] = 90
    frame[:80, 60:] = 220
    assert not note._paper_more_lit(frame, quad)

def test_a_lit_triangle_of_a_sheet_is_no_page():
    """What a shadow leaves lit of a sheet may be a triangle: no sheet has that shape (a side cut
    short, or a corner nearly straight), nor a crossed or collapsed outline."""
    assert not quads.sheet_shaped(np.float32([[100, 100], [120, 102], [300, 400], [80, 380]]))
    assert not quads.sheet_shaped(np.float32([[100, 100], [300, 130], [500, 240], [100, 400]]))  # 160 deg
    assert not quads.sheet_shaped(np.float32([[0, 0], [100, 100], [100, 0], [0, 100]]))
    assert not quads.sheet_shaped(np.zeros((4, 2), np.float32))
    assert quads.sheet_shaped(np.float32([[100, 100], [400, 120], [420, 500], [80, 480]]))


@pytest.mark.parametrize("paper", ["yellow", "brown"])
@pytest.mark.parametrize("desk", synth.DESKS)
def test_a_coloured_note_on_a_desk_is_found(desk, paper):
    """A yellow note is as dark as a grey desk in its blue channel, and kraft paper no whiter than
    it: the note is found by how unlike the desk it is."""
    from edge.synth_conditions import PAPERS
    rng = np.random.default_rng(2)
    note = np.empty((300, 300, 3), np.float32)
    note[:] = PAPERS[paper]
    cv2.line(note, (60, 150), (240, 150), (170, 90, 40), 4)
    frame = synth.finish(synth.place_on_desk(note, (720, 960), desk, coverage=0.15, rotation_deg=-10,
                                             perspective=0.1, rng=rng), rng)
    found = page.find_page(frame)
    assert found is not None
    width, height = found.native_size
    assert 0.8 < width / height < 1.25
    # The note's centre, where it lies: the middle of the frame, give or take 3 %.
    assert np.abs(found.corners.mean(axis=0) - [480, 360]).max() < 0.05 * 960


@pytest.mark.parametrize("paper", ["white", "yellow"])
def test_a_bgra_frame_is_located_as_its_bgr(paper):
    """A frame with an alpha channel (a screenshot, a PNG read unchanged): the sheet, or the note
    looked for by its colour, and the digits on it, as in the same frame without alpha."""
    from edge.detect import DetectorOptions
    from edge.locate import locate
    from edge.synth_conditions import PAPERS
    rng = np.random.default_rng(3)
    sheet = np.full((400, 400, 3), PAPERS[paper], np.uint8)
    cv2.putText(sheet, "2 7 4", (60, 230), cv2.FONT_HERSHEY_SIMPLEX, 3, (170, 90, 40), 9)
    sheet = sheet.astype(np.float32)
    frame = synth.finish(synth.place_on_desk(sheet, (720, 960), synth.DESKS[0], coverage=0.3, rotation_deg=8,
                                             perspective=0.1, rng=rng), rng)
    bgr = locate(frame, DetectorOptions())
    bgra = locate(cv2.cvtColor(frame, cv2.COLOR_BGR2BGRA), DetectorOptions())
    assert bgr.found and [f.box for f in bgra.found] == [f.box for f in bgr.found]
    assert page.find_page(frame) is not None


def test_a_grey_frame_with_a_channel_axis_is_read_as_grey():
    """(H, W, 1), as some camera and imaging libraries give grey, is located as the (H, W) frame is (the
    page finder, which looks at colour, failed on it)."""
    from edge.detect import DetectorOptions
    from edge.locate import locate
    frame = np.full((280, 280), 200, np.uint8)
    cv2.putText(frame, "7", (100, 200), cv2.FONT_HERSHEY_SIMPLEX, 5, 20, 12)
    grey = locate(frame, DetectorOptions())
    assert grey.found and [f.box for f in locate(frame[:, :, None], DetectorOptions()).found] == [f.box for f in grey.found]


def test_a_dark_thing_on_a_sheet_filling_the_frame_is_no_page():
    """A phone lying on the sheet is unlike the paper around it, but darker: it is no page."""
    sheet = np.full((480, 640, 3), 225, np.float32)
    for x in range(60, 560, 70):  # a row of "digits", stand-ins
        cv2.line(sheet, (x, 110), (x + 30, 170), (40, 40, 40), 4)
    cv2.rectangle(sheet, (60, 340), (580, 440), (40, 35, 45), -1)  # inside the view: paper all round
    frame = synth.finish(sheet, np.random.default_rng(3), light=0.0)
    small = frame[::2, ::2].copy()
    unlike = note.unlike_desk(small)  # the paper is the "desk" here: the phone is what is unlike it
    assert outline.sheet_outline(unlike, small) is None
    assert page.find_page(frame) is None


def test_where_a_page_runs_past_the_frame_is_marked_and_its_blobs_dropped():
    from edge.blobs import locate_digits
    from edge.detect import DetectorOptions
    frame_shape = (400, 600, 3)
    inside = page.Page(np.float32([[100, 50], [500, 50], [500, 350], [100, 350]]))
    view, back = page.rectify(np.zeros(frame_shape, np.uint8), inside, 800)
    assert page.beyond_frame(inside, frame_shape, back, view.shape, 4) is None
    cut = page.Page(np.float32([[100, -100], [500, -100], [500, 300], [100, 300]]))  # its top quarter above
    view, back = page.rectify(np.zeros(frame_shape, np.uint8), cut, 800)
    beyond = page.beyond_frame(cut, frame_shape, back, view.shape, 4)
    h = view.shape[0]
    assert beyond[: h // 4 - 6].all() and not beyond[h // 4 + 6:].any()
    mask = np.zeros(view.shape[:2], np.uint8)
    cv2.line(mask, (200, h // 4 - 20), (200, h // 4 + 40), 255, 6)  # a stroke from beyond the frame's edge
    cv2.line(mask, (400, h // 2), (400, h // 2 + 60), 255, 6)  # a "1" in view
    found = locate_digits(mask, DetectorOptions(), min_height_px=20, excluded=beyond)
    assert [f.box.x for f in found] == [397]


@pytest.mark.parametrize("desk_px", [0, 60])
def test_small_writing_on_a_big_frame_of_paper_is_read_finer(desk_px):
    """A phone photo of a page filling the frame: 36-px digits in a thin pen on a 3000x2250 frame are
    8 px tall shrunk to 640 px, below a digit's size there; they are looked for at up to 1600 px. A
    strip of dark desk along the frame's edge beside the page (desk_px wide) lifted the ink's split
    past the pen (grey, not black), and its height made the writing look a digit's: one was read."""
    from edge.blobs import find_candidates, writing_height
    from edge.detect import DetectorOptions
    from edge.locate import locate
    frame = np.full((2250, 3000, 3), 230, np.uint8)
    for row in range(3):
        cv2.putText(frame, "3141592653", (400, 700 + 400 * row), cv2.FONT_HERSHEY_SIMPLEX,
                    cv2.getFontScaleFromHeight(cv2.FONT_HERSHEY_SIMPLEX, 45, 3), (100, 100, 100), 3,
                    cv2.LINE_AA)
    if desk_px:
        frame[:, -desk_px:] = (30, 45, 60)
    found = locate(frame, DetectorOptions())
    assert len(found.found) == 30
    assert 17 <= np.median([f.box.h for f in found.found]) <= 21  # read at 1600 px: 19 px digits
    # Paper grain is many specks but little ink: the writing's height is the digits'.
    mask = np.zeros((480, 640), np.uint8)
    for x in range(50, 600, 60):
        cv2.line(mask, (x, 100), (x + 10, 140), 255, 3)
    mask[np.random.default_rng(0).random(mask.shape) < 0.002] = 255
    assert 40 <= writing_height(find_candidates(mask)[1]) <= 46  # the strokes: 41 rows and the pen


def test_a_page_seen_small_is_enlarged_and_a_large_one_shrunk():
    small = page.Page(np.float32([[100, 100], [400, 100], [400, 520], [100, 520]]))  # 300 x 420 px
    rectified, _ = page.rectify(np.full((700, 700), 230, np.uint8), small, max_side_px=1600)
    assert max(rectified.shape) == page.MIN_PAGE_SIDE_PX
    large = page.Page(np.float32([[0, 0], [3000, 0], [3000, 4000], [0, 4000]]))
    assert page.rectified_scale(large, 1600) == pytest.approx(0.4)
    assert page.rectified_scale(small, 600) == pytest.approx(600 / 420)  # never past the most asked


@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (5, 1), (241, 333)])
def test_whiteness_is_each_pixels_darkest_channel(shape):
    rng = np.random.default_rng(3)
    h, w = shape
    frame = rng.integers(0, 256, (h + 4, w + 6, 3), dtype=np.uint8)
    view = frame[2:2 + h, 3:3 + w]  # a region of a larger frame (--roi): not contiguous
    for image in (np.ascontiguousarray(view), view):
        white = page.whiteness(image)
        assert white.shape == (h, w) and white.flags.c_contiguous
        np.testing.assert_array_equal(white, view.min(axis=2))

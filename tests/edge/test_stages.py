"""The reader's stages on synthetic arrays: page, rules, touching-digit cuts, reading order of sloped lines."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge import (cut_sheet, layout, note, outline, page, quads, readings, rules, segment, shadow, skew,
                  splits, steps, synth, upright)
from edge.reader import DigitReader
from edge.readings import NARROWED_ASPECT


def _sheet_with_lines(size=(700, 500)) -> np.ndarray:
    sheet = np.full((*size, 3), 235, np.float32)
    for y in range(120, 520, 80):
        cv2.line(sheet, (60, y), (420, y), (30, 30, 30), 3)  # bold "writing", a stand-in
    return sheet


@pytest.mark.parametrize("desk", synth.DESKS)
def test_a_sheet_on_a_desk_is_found_and_rectified(desk):
    rng = np.random.default_rng(1)
    frame = synth.finish(synth.place_on_desk(_sheet_with_lines(), (720, 960), desk, coverage=0.35,
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
    frame = synth.finish(synth.place_on_desk(_sheet_with_lines(), (720, 960), desk, coverage=0.06,
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


@pytest.mark.parametrize("desk, light", [("wood", 0.5), ("leather", 0.4), ("noise", 0.5)])
def test_a_sheet_half_in_a_shadow_is_found_whole(desk, light):
    """A hard shadow across the sheet and the desk: the outline is the whole sheet's, not its lit part's.
    On wood and leather the shaded paper is brighter than the desk; on the grey desk it is as bright as
    the lit desk, and only the shadow's edge running on across the desk tells it. Each fails with the
    outline of the brightest class alone."""
    rng = np.random.default_rng(3)
    scene = synth.place_on_desk(_sheet_with_lines(), (720, 960), desk, coverage=0.35, rotation_deg=8,
                                perspective=0.1, rng=rng)
    yy, xx = np.mgrid[0:720, 0:960].astype(np.float32)
    shade = np.where(yy > 0.35 * xx + 250, light, 1.0).astype(np.float32)  # across the sheet's lower half
    frame = synth.finish(scene * shade[:, :, None], rng)
    unshaded = page.find_page(synth.finish(scene, np.random.default_rng(3)))
    found = page.find_page(frame)
    assert unshaded is not None and found is not None
    assert np.abs(found.corners - unshaded.corners).max() < 0.02 * 960


def test_a_shadows_edge_goes_on_across_the_desk_and_a_sheets_edge_does_not():
    """The lit part of a sheet shaded below y=120, its top cut by the frame: its lower side is a shadow's
    edge. Its right side runs on into the shade as the sheet's edge (paper against desk, as much darker
    as the shade is): past its upper corner there is no frame to look at, so it is not taken for one."""
    yy, xx = np.mgrid[0:240, 0:320]
    paper = (xx >= 60) & (xx <= 200)
    light = np.where(paper, 230.0, 110.0) * np.where(yy > 120, 0.48, 1.0)
    lit = np.float32([[60, 0], [200, 0], [200, 120], [60, 120]])
    found = shadow.shaded_sides(light.astype(np.uint8), lit)
    shades = {tuple(np.round(s.normal).astype(int)): s for s in found}
    assert set(shades) <= {(0, 1), (1, 0), (-1, 0)} and (0, 1) in shades
    lower = shades[0, 1]
    assert lower.past_both_corners and abs(lower.factor - 0.48) < 0.02
    assert not any(s.past_both_corners for key, s in shades.items() if key != (0, 1))
    lifted = shadow.lift(light.astype(np.uint8), lower)
    assert abs(int(lifted[200, 100]) - 230) <= 3 and abs(int(lifted[200, 20]) - 110) <= 3
    # The right side, seen going on into the shade past its lower corner, is lifted too, but what that
    # finds runs along the frame's right edge with the lit desk: the sheet is the lower shade's.
    assert shades[1, 0].off_frame_past_one
    whole = shadow.with_shaded_part(light.astype(np.uint8), light.astype(np.uint8), lit)
    assert np.abs(whole - np.float32([[60, 0], [200, 0], [200, 239], [60, 239]])).max() < 3


def test_a_shadow_cutting_a_corner_off_a_sheet_near_the_frames_edge_is_found_whole():
    """A shadow over a sheet's top left corner, its edge long and the top edge left lit short near the
    frame's top: the lit part is a pentagon, which four corners outline cut short across the sheet (no
    side of it a shadow's edge, with_shaded_part keeps it). Its sides beside the shadow's edge run on to
    the sheet's shaded corner (with_cut_corner), in the map and in a frame (find_page). Where a side
    running on is no sheet's edge (paper beyond it as dark as within), the outline stays as it was."""
    yy, xx = np.mgrid[0:240, 0:320]
    sheet = (xx >= 70) & (xx <= 250) & (yy >= 8) & (yy <= 225)
    shade = (xx + 0.9 * yy) < 200
    white = (np.where(sheet, 220.0, 110.0) * np.where(shade, 0.5, 1.0)).astype(np.uint8)
    smooth = outline.smoothed(white)
    region = outline.sheet_region(smooth)
    lit = outline.sheet_outline(white, white, smooth, region)
    assert np.array_equal(shadow.with_shaded_part(white, white, lit), lit)
    whole = np.float32([[70, 8], [250, 8], [250, 225], [70, 225]])
    assert np.abs(lit - whole).max() > 50  # cut short
    assert np.abs(shadow.with_cut_corner(smooth, region[0], lit) - whole).max() < 3
    frame = cv2.merge([cv2.resize(white, (640, 480), interpolation=cv2.INTER_NEAREST)] * 3)
    assert np.abs(page.find_page(frame).corners - 2 * whole).max() < 6
    # A shadow's edge that bends (a wedge of shade over the sheet's lower part, seed 55's frame 12): its
    # short side beside the long one runs on over the shaded paper, no sheet's edge. (Run on, it cut the
    # sheet at y=151 to 198, its lower part lost.)
    sheet = (xx >= 70) & (xx <= 250) & (yy >= 20) & (yy <= 225)
    shade = (yy > xx - 10) | (yy > 150 + 0.3 * (250 - xx))
    white = (np.where(sheet, 220.0, 110.0) * np.where(shade, 0.5, 1.0)).astype(np.uint8)
    smooth = outline.smoothed(white)
    region = outline.sheet_region(smooth)
    lit = outline.sheet_outline(white, white, smooth, region)
    assert lit is not None and np.array_equal(shadow.with_cut_corner(smooth, region[0], lit), lit)


def test_a_shadow_beside_a_lit_sheet_cut_by_the_frame_joins_no_desk_to_it():
    """A sheet cut by the frame's top, wholly lit on a grey desk as much darker than the paper as the
    shade; the shadow on the desk beside it, its edge through the sheet's lower right corner, spreads to
    the frame's top. The sheet's right side looks like a shadow's edge seen past one corner, the frame
    ending past the other; lifted, the desk between it and the shadow joins the sheet along the frame's
    top, which the sheet runs along no further than before: the sheet stays as it is (a review's case;
    a guard counting the sides along the frame's edge, not their length, took the desk)."""
    yy, xx = np.mgrid[0:240, 0:320]
    sheet = (xx >= 80) & (xx <= 200) & (yy <= 150)
    beyond = xx > 200 + (150 - yy) * 40 / 150
    white = (np.where(sheet, 220.0, 110.0) * np.where(beyond, 0.5, 1.0)).astype(np.uint8)
    lit = np.float32([[80, 0], [200, 0], [200, 150], [80, 150]])
    assert any(s.off_frame_past_one for s in shadow.shaded_sides(white, lit))
    assert np.array_equal(shadow.with_shaded_part(white, white, lit), lit)


def test_a_shadows_edge_running_off_the_frame_past_one_corner_is_lifted():
    """A grey desk as much darker than the paper as the shade (f1 of the shadow condition, seed 7): the
    shadow's edge across the sheet goes on across the desk above it, and below the sheet it leaves the
    frame. Seen past one corner only, its shade is still lifted, and the whole sheet is found."""
    yy, xx = np.mgrid[0:240, 0:320]
    sheet = (xx >= 80) & (xx <= 220) & (yy >= 40) & (yy <= 225)
    beyond = xx > 130 + 0.3 * yy
    white = (np.where(sheet, 220.0, 110.0) * np.where(beyond, 0.5, 1.0)).astype(np.uint8)
    lit = np.float32([[80, 40], [142, 40], [197, 225], [80, 225]])
    found = {tuple(np.round(s.normal, 1)): s for s in shadow.shaded_sides(white, lit)}
    edge = [s for s in found.values() if s.normal[0] > 0.9]
    assert len(edge) == 1 and edge[0].off_frame_past_one and not edge[0].past_both_corners
    whole = shadow.with_shaded_part(white, white, lit)
    assert np.abs(whole - np.float32([[80, 40], [220, 40], [220, 225], [80, 225]])).max() < 3


def test_a_lit_wedge_of_a_sheet_is_grown_to_the_whole_sheet():
    """A shadow leaves a lit wedge whose tip, narrower than the outline's opening, is cut short inside
    the sheet: three of its corners on the sheet's sides and one within, it is still the lit part of
    that sheet. A corner out on the desk is not."""
    yy, xx = np.mgrid[0:240, 0:320]
    sheet = (xx >= 80) & (xx <= 240) & (yy >= 30) & (yy <= 210)
    white = (np.where(sheet, 220.0, 60.0) * np.where(xx > 90 + 0.7 * (yy - 30), 0.45, 1.0)).astype(np.uint8)
    wedge = np.float32([[80, 50], [104, 50], [216, 210], [80, 210]])
    assert not quads.sheet_shaped(wedge)
    whole = shadow.with_shaded_part(white, white, wedge)
    assert np.abs(whole - np.float32([[80, 30], [240, 30], [240, 210], [80, 210]])).max() < 3
    past = np.float32([[80, 50], [104, 10], [216, 210], [80, 210]])  # three on the sides
    assert np.array_equal(shadow.with_shaded_part(white, white, past), past)


def test_a_lit_part_outlined_past_the_sheets_corner_is_grown_to_the_whole_sheet():
    """The shadow's edge leaves the sheet by its left side just above the corner (frame 28 of the shadow
    condition, seed 55): the lit part is a pentagon, and outlined with four corners its shadow's edge
    runs on past the sheet to meet the bottom side. That corner outside the sheet, on the shadow's
    edge, is no reason to keep the lit part alone."""
    yy, xx = np.mgrid[0:320, 0:400]
    sheet = (xx >= 100) & (xx <= 230) & (yy >= 40) & (yy <= 210)
    beyond = xx < 150 - 55 / 175 * (yy - 40)
    white = (np.where(sheet, 220.0, 110.0) * np.where(beyond, 0.5, 1.0)).astype(np.uint8)
    lit = np.float32([[150, 40], [230, 40], [230, 210], [96.6, 210]])
    whole = shadow.with_shaded_part(white, white, lit)
    assert np.abs(whole - np.float32([[100, 40], [230, 40], [230, 210], [100, 210]])).max() < 3


def test_the_lit_desk_joined_to_a_lit_wedge_is_no_sheet():
    """A desk brighter than the shaded paper, lit beside the sheet's lit part: above the lower
    threshold the lit desk and the whole sheet are one region, which holds three corners of the lit
    wedge on its sides and the fourth inside, but runs to the frame's edge: not the sheet."""
    clear, shaded = _pages_without_and_with_a_shadow(236, desk_brighter=60)
    assert clear is not None
    assert shaded is None or cv2.contourArea(shaded.corners) < 1.15 * cv2.contourArea(clear.corners)


def _pages_without_and_with_a_shadow(seed: int, desk_brighter: float = 0.0) -> tuple:
    """The pages found in a frame of a sheet on a desk (turned, in perspective), and in the same frame
    with a hard shadow across it at any angle; the desk made brighter by `desk_brighter`."""
    rng = np.random.default_rng(seed)
    scene = synth.place_on_desk(_sheet_with_lines(), (480, 640), synth.DESKS[seed % 3],
                                coverage=rng.uniform(0.15, 0.5), rotation_deg=rng.uniform(-15, 15),
                                perspective=rng.uniform(0, 0.2), rng=rng)
    if desk_brighter:
        scene = np.where(scene.min(axis=2, keepdims=True) < 234, np.clip(scene + desk_brighter, 0, 255), scene)
    clear = page.find_page(synth.finish(scene, np.random.default_rng(seed)))
    shaded = page.find_page(synth.finish(synth.cast_shadow(scene, rng), np.random.default_rng(seed)))
    return clear, shaded


def test_most_sheets_half_in_a_shadow_are_found_whole():
    """Sheets on each desk, turned and in perspective, a hard shadow across each at any angle: the
    outline is the one found without the shadow for 21 of 24 (14 of 24 with the lit part's outline)."""
    whole = 0
    for seed in range(24):
        clear, shaded = _pages_without_and_with_a_shadow(seed)
        assert clear is not None
        whole += shaded is not None and np.abs(shaded.corners - clear.corners).max() < 0.02 * 640
    assert whole >= 20


def test_a_sheet_on_a_slightly_larger_backing_is_the_sheet():
    """A clipboard or pad a little larger than the sheet, brighter than the desk: no side of the sheet
    is a shadow's edge, so the backing's outline, which holds the sheet's corners, is not taken."""
    frame = np.full((480, 640, 3), 30, np.uint8)
    frame[90:440, 196:444] = 90
    frame[90:330, 200:440] = 235
    found = page.find_page(frame)
    assert found is not None
    assert np.abs(found.corners - np.float32([[200, 90], [439, 90], [439, 329], [200, 329]])).max() < 4


@pytest.mark.parametrize("seed, shade", [(0, 0.45), (3, 0.45), (1, 0.6)])
def test_a_sheet_on_the_lit_part_of_a_desk_in_a_hard_shadow_is_the_sheet(seed, shade):
    """The shadow's edge runs down the frame across the desk and the sheet: the paper-like class is the
    lit desk and the sheet's lit part, whose outline ran off over the desk (seed 101 of the shadow
    condition read 42 digits of desk grain). The sheet is the brighter part lying inside it, clear of
    its edge; edge.shadow takes in its shaded part."""
    scene = np.full((480, 640, 3), 130, np.float32)
    scene[120:380, 220:400] = 230
    scene[:, :330] *= shade
    found = page.find_page(synth.finish(scene, np.random.default_rng(seed)))
    assert found is not None
    assert np.abs(found.corners - np.float32([[220, 120], [399, 120], [399, 379], [220, 379]])).max() < 4


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
    writing = _sheet_with_lines(size)[:, :, 0] < 100
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


def test_paper_filling_the_frame_is_no_page_even_with_a_shadow():
    frame = synth.draw_digits(np.zeros((3, 28, 28), np.uint8), style=synth.PaperStyle(shadow_strength=0.5))
    assert page.find_page(frame) is None
    assert page.find_page(np.full((480, 640, 3), 200, np.uint8)) is None


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


def test_rules_of_a_turned_page_are_found_though_desk_wedges_run_straight():
    """A turned ruled page nearly filling the frame: the desk shows as wedges along its top and bottom
    edges, two long straight runs; the rules run at the page's slope, and are the ones found."""
    page = np.zeros((600, 800), np.uint8)
    for y in range(-300, 900, 40):
        cv2.line(page, (-200, y), (1000, y), 255, 2)
    page = cv2.warpAffine(page, cv2.getRotationMatrix2D((400, 300), 6, 1.0), (800, 600), flags=cv2.INTER_NEAREST)
    cv2.fillPoly(page, [np.int32([[0, 0], [800, 0], [0, 60]]), np.int32([[800, 600], [0, 600], [800, 540]])], 255)
    horizontal, _, rows, _ = rules.find_rules(page)
    inner = page[100:500, 100:700]
    assert np.count_nonzero(horizontal[100:500, 100:700]) > 0.9 * np.count_nonzero(inner)


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


def test_margin_lines_alone_leave_a_tall_one_whole():
    """Two long vertical lines (margins, a table's borders) and no rows are no grid: shorter columns are
    looked for only in a grid, so an upright "1" a third of the height tall stays."""
    mask = np.zeros((400, 600), np.uint8)
    mask[:, 60:63] = mask[:, 540:543] = 255
    one = np.zeros_like(mask)
    one[150:280, 300:305] = 255
    cleaned, removed = rules.remove_rules(mask | one)
    assert np.count_nonzero(cleaned & one) == np.count_nonzero(one)
    assert removed[200, 61] == 255


def test_one_line_from_edge_to_edge_goes_and_a_close_up_sevens_bar_stays():
    """One line alone running from edge to edge (a crease, a line struck across the sheet) is taken out,
    the digits it crosses kept whole; a thin 7 seen close up, its bar 0.82 of the width, keeps its bar
    (it read as a 1 without it)."""
    mask = np.zeros((400, 600), np.uint8)
    crease = mask.copy()
    cv2.line(crease, (0, 150), (599, 230), 255, 2)  # sloped 7.6 degrees, the whole width
    digits = np.zeros_like(mask)
    for x in range(200, 420, 50):
        cv2.line(digits, (x, 150), (x + 10, 230), 255, 6)  # strokes of "1"s crossing it
    cleaned, removed = rules.remove_rules(crease | digits)
    assert np.count_nonzero(cv2.subtract(cleaned, digits)) < 0.05 * np.count_nonzero(crease)
    assert np.count_nonzero(cleaned & digits) > 0.97 * np.count_nonzero(digits)
    seven = np.zeros_like(mask)
    cv2.line(seven, (54, 50), (546, 50), 255, 3)
    cv2.line(seven, (546, 50), (290, 370), 255, 3)
    cleaned, removed = rules.remove_rules(seven)
    assert not removed.any() and np.array_equal(cleaned, seven)


def test_one_line_from_top_to_bottom_goes_and_a_tall_one_short_of_an_edge_stays():
    """A crease down the sheet, from its top edge to its bottom one, is taken out like one across it, the
    strokes crossing it kept whole (left, it joined the digits it crossed into blobs: the creased
    condition, seed 7, 679 of 720 digits without the rule, 697 with it); a long upright stroke that stops
    short of an edge stays."""
    mask = np.zeros((400, 600), np.uint8)
    crease = mask.copy()
    cv2.line(crease, (250, 0), (290, 399), 255, 2)  # 5.7 degrees from upright, the whole height
    strokes = np.zeros_like(mask)
    for y in range(60, 360, 60):
        cv2.line(strokes, (220, y), (330, y + 8), 255, 6)  # bars of digits crossing it
    cleaned, removed = rules.remove_rules(crease | strokes)
    assert np.count_nonzero(cv2.subtract(cleaned, strokes)) < 0.05 * np.count_nonzero(crease)
    assert np.count_nonzero(cleaned & strokes) > 0.97 * np.count_nonzero(strokes)
    tall = np.zeros_like(mask)
    cv2.line(tall, (300, 30), (300, 370), 255, 3)  # 0.85 of the height
    cleaned, removed = rules.remove_rules(tall)
    assert not removed.any() and np.array_equal(cleaned, tall)


def _dashed_line(shape: tuple[int, int], x0: float, x1: float, top: int, bottom: int) -> np.ndarray:
    """A line a pixel wide from (x0, top) to (x1, bottom), as a threshold leaves a faint one a little off
    upright: in dashes, broken where it steps from one pixel column to the next."""
    line = np.zeros(shape, np.uint8)
    for y in range(top, bottom):
        x = x0 + (x1 - x0) * (y - top) / (bottom - top)
        if abs(x - round(x)) < 0.3:  # the ridge near a pixel's middle: dark enough
            line[y, int(round(x))] = 255
    return line


def test_a_dashed_line_from_top_to_bottom_goes_and_one_short_of_an_edge_stays():
    """A faint crease 1.1 degrees from upright comes out of the threshold in dashes a pixel wide, none a
    rule's length (each read as a 1: the creased condition, seed 101, frame 1: 7 spurious digits); the
    dashes along one straight line from the top to the bottom are taken out, the strokes crossing them
    kept. Such dashes stopping short of the bottom stay, and so do digits' strokes in a column."""
    shape = (480, 640)
    crease = _dashed_line(shape, 150, 159, 0, 480)
    assert 0.3 * 480 < np.count_nonzero(crease) < 0.7 * 480
    assert skew.longest_parts(crease)[1] < 0.5 * 480  # no dash is a rule's length
    strokes = np.zeros(shape, np.uint8)
    for y in range(60, 420, 120):
        cv2.line(strokes, (110, y), (200, y + 6), 255, 4)  # bars of digits crossing it
    cleaned, removed = rules.remove_rules(crease | strokes)
    assert np.count_nonzero(cv2.subtract(cleaned, strokes)) < 0.05 * np.count_nonzero(crease)
    assert np.count_nonzero(cleaned & strokes) > 0.97 * np.count_nonzero(strokes)
    short = _dashed_line(shape, 150, 158, 0, 400)  # 0.83 of the height
    cleaned, removed = rules.remove_rules(short | strokes)
    assert not removed.any()
    ones = np.zeros(shape, np.uint8)
    for y in range(5, 480, 80):
        cv2.line(ones, (300, y), (302, y + 40), 255, 3)  # 1s written one under another, top to bottom
    cv2.line(ones, (300, 445), (302, 479), 255, 3)  # the last one at the bottom edge: the search runs
    cleaned, removed = rules.remove_rules(ones)
    assert not removed.any()
    # On ruled paper (rules reaching the top and bottom strips), thin 1s one under another mid-page are no
    # line from top to bottom: they stay (a review's probe: all their ink went, as a margin line would).
    ruled = np.zeros(shape, np.uint8)
    ruled[np.arange(3, 480, 39)] = 255
    thin = np.zeros(shape, np.uint8)
    for y in (150, 200, 250, 300):
        cv2.line(thin, (320, y), (321, y + 30), 255, 1)
    cleaned, removed = rules.remove_rules(ruled | thin)
    assert np.count_nonzero(cleaned & thin) > 0.9 * np.count_nonzero(thin)


def test_thick_rules_of_a_page_read_enlarged_go_and_a_dark_block_stays():
    """Rules 8 px thick (a notebook page larger than the frame, read at its own size) are rules: their
    thickness is measured, and ink a little thicker than they are is a stroke. A solid block is no rule."""
    mask = np.zeros((400, 600), np.uint8)
    for y in range(40, 400, 50):
        mask[y:y + 8] = 255
    stroke = np.zeros_like(mask)
    cv2.line(stroke, (300, 60), (300, 150), 255, 12)  # a "1" crossing two rules
    cleaned, removed = rules.remove_rules(mask | stroke)
    assert removed[44, 100] == 255 and removed[94, 500] == 255
    assert np.count_nonzero(cleaned & ~stroke) < 0.01 * np.count_nonzero(mask)
    assert np.count_nonzero(cleaned & stroke) > 0.97 * np.count_nonzero(stroke)
    block = np.zeros_like(mask)
    block[100:300, 100:500] = 255  # a dark pad read as ink
    cleaned, removed = rules.remove_rules(block | mask)
    assert (cleaned[120:280, 120:480] == 255).all()


def test_order_corners():
    shuffled = np.float32([[100, 90], [10, 5], [5, 95], [90, 8]])
    assert quads.order_corners(shuffled).tolist() == [[10, 5], [90, 8], [100, 90], [5, 95]]


def test_rules_are_removed_and_crossing_strokes_kept_whole():
    mask = np.zeros((300, 400), np.uint8)
    for y in range(40, 300, 40):
        cv2.line(mask, (0, y), (399, y), 255, 2)  # ruled lines
    cv2.line(mask, (30, 0), (30, 299), 255, 2)  # the margin line
    stroke = np.zeros_like(mask)
    cv2.line(stroke, (200, 60), (200, 135), 255, 4)  # a "1" crossing two rules
    mask |= stroke
    cleaned, removed = rules.remove_rules(mask)
    overlap = np.count_nonzero(cleaned & stroke) / np.count_nonzero(cleaned | stroke)
    assert overlap > 0.97
    count, _ = cv2.connectedComponents(cleaned)
    assert count == 2  # the background and one unbroken stroke
    assert removed[40, 100] == 255 and removed[150, 30] == 255


def test_rules_of_a_rectified_photo_go_with_their_broken_edges():
    """A rule's edge row at the ink threshold is broken (no long run of its own), a line of digits
    dense enough to make a band of its own lies just above a rule, and digits sit on another across
    its broken edge: the rules still go whole, and the digits on one are not joined by its edge."""
    mask = np.zeros((300, 600), np.uint8)
    for y in range(60, 300, 60):
        cv2.line(mask, (0, y), (599, y), 255, 4)
        mask[y - 3, np.arange(600) % 9 < 6] = 255  # the broken edge row
    digits = np.zeros_like(mask)
    for x in range(40, 560, 13):
        cv2.line(digits, (x, 92), (x, 115), 255, 7)
    for x in range(100, 500, 50):  # a line of "0"s sitting on the rule at 180, across its broken edge
        cv2.ellipse(digits, (x, 160), (13, 19), 0, 0, 360, 255, 5)
    cleaned, removed = rules.remove_rules(mask | digits)
    rule_ink_left = np.count_nonzero(cv2.subtract(cleaned, digits))
    assert rule_ink_left < 0.01 * np.count_nonzero(mask)  # 1,298 of 13,608 px at 1ef581c
    off_the_rules = cv2.subtract(digits, mask)  # on a rule, a digit's ink is the rule's
    assert np.count_nonzero(cleaned & off_the_rules) > 0.99 * np.count_nonzero(off_the_rules)
    count, _ = cv2.connectedComponents(cleaned[130:200])
    assert count - 1 == 8  # the "0"s on the rule, not joined by its edge row (48 parts at 1ef581c)


@pytest.mark.parametrize("angle_deg", [-20, -7, -2, 3, 12])
def test_rules_of_a_page_photographed_turned_are_removed_at_their_slope(angle_deg):
    """Ruled paper with a margin line, turned: the rules run at a slope (read straight, none were found
    and all the digits joined them), and a stroke crossing two of them is kept whole."""
    page, margin, stroke = (np.zeros((600, 800), np.uint8) for _ in range(3))
    for y in range(-200, 800, 40):
        cv2.line(page, (-200, y), (1000, y), 255, 2)
    cv2.line(margin, (150, -200), (150, 800), 255, 2)
    cv2.line(stroke, (400, 300), (400, 375), 255, 4)
    turn = cv2.getRotationMatrix2D((400, 300), angle_deg, 1.0)
    page, margin, stroke = (cv2.warpAffine(m, turn, (800, 600), flags=cv2.INTER_NEAREST)
                            for m in (page, margin, stroke))
    page |= margin
    cleaned, removed = rules.remove_rules(page | stroke)
    assert np.count_nonzero(cv2.subtract(cleaned, stroke)) < 0.02 * np.count_nonzero(page)
    assert np.count_nonzero(removed & margin) > 0.9 * np.count_nonzero(margin)
    assert np.count_nonzero(cleaned & stroke) > 0.95 * np.count_nonzero(stroke)
    _, _, stats, _ = cv2.connectedComponentsWithStats(cleaned)
    parts = np.sort(stats[1:, cv2.CC_STAT_AREA])
    assert parts[-1] > 0.95 * np.count_nonzero(stroke) and (parts[:-1] <= 4).all()  # one unbroken
    # stroke, and the last pixels of a rule where it ends inside the picture (the page's corner)


def test_the_slope_of_long_lines_and_a_shear_that_straightens_them():
    mask = np.zeros((300, 500), np.uint8)
    for y in (60, 120, 180):
        cv2.line(mask, (0, y), (499, y + 61), 255, 1)  # dy/dx = 61/499
    cv2.circle(mask, (250, 250), 20, 255, 3)
    slope = skew.slope(mask, 125, 6)
    assert slope == pytest.approx(61 / 499, abs=0.002)
    shear = skew.Shear.for_slope(slope, mask.shape)
    sheared = shear.apply(mask)
    rows = np.count_nonzero(sheared, axis=1)
    assert np.sort(rows)[-3:].min() > 0.8 * 500  # each line in (about) one row
    assert (shear.undo(sheared) == mask).all()  # exactly undone: columns are only moved


def test_no_slope_where_nothing_is_long_or_lines_run_straight():
    mask = np.zeros((300, 500), np.uint8)
    for x in range(40, 460, 40):
        cv2.circle(mask, (x, 150), 14, 255, 3)  # a line of "0"s
    assert skew.slope(mask, 125, 6) is None
    assert skew.longest_parts(mask)[0] < 125
    cv2.line(mask, (0, 250), (499, 250), 255, 2)
    assert skew.slope(mask, 125, 6) is None
    assert skew.longest_parts(np.zeros((10, 10), np.uint8)) == (0, 0)


def test_strokes_of_a_digit_are_not_rules():
    mask = np.zeros((300, 400), np.uint8)
    cv2.line(mask, (100, 100), (150, 100), 255, 3)  # a 7's bar: far shorter than a rule
    cv2.line(mask, (150, 100), (120, 160), 255, 3)
    cleaned, removed = rules.remove_rules(mask)
    assert not removed.any() and (cleaned == mask).all()


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


def test_a_digit_on_a_turned_page_is_turned_upright_by_the_lines_slope():
    # A "1" on lines sloping 15 degrees down to the right leans the same way; turned by the
    # lines' slope it stands upright again, and none of its ink is lost off the canvas.
    stroke = np.zeros((60, 60), np.uint8)
    cv2.line(stroke, (30, 8), (30, 52), 255, 4)
    lean = cv2.getRotationMatrix2D((30, 30), -15, 1.0)  # clockwise: how the page turned
    leaning = np.where(cv2.warpAffine(stroke, lean, (60, 60)) > 127, 255, 0).astype(np.uint8)
    centres = np.array([[x, 100 + x * np.tan(np.radians(15))] for x in range(0, 400, 50)])
    skew = upright.skew_deg(centres, digit_height=40)
    assert skew == pytest.approx(15, abs=0.5)
    standing = upright.turn_upright(leaning, skew)
    ys, xs = np.nonzero(standing)
    assert xs.max() - xs.min() <= 6 and ys.max() - ys.min() >= 40
    assert upright.unsure(np.array([0.99, 0.6])) == [1]
    assert upright.skew_deg(centres * [1, 0] + [0, 100], 40) == 0.0  # level lines: nothing is turned


def test_a_slanted_digit_is_deskewed_upright_and_an_upright_one_left_as_it_is():
    leaning = np.zeros((50, 40), np.uint8)
    cv2.line(leaning, (8, 46), (28, 4), 255, 4)  # a "1" leaning right by 0.5 px per row
    standing = upright.deskewed(leaning)
    assert standing.shape[0] == np.count_nonzero(leaning.any(axis=1)) and standing.shape[1] <= 8 and set(np.unique(standing)) == {0, 255}
    upright_stroke = np.zeros((50, 12), np.uint8)
    cv2.line(upright_stroke, (6, 4), (6, 46), 255, 4)
    assert upright.deskewed(upright_stroke).shape[1] == np.count_nonzero(upright_stroke.any(axis=0))
    assert upright.deskewed(np.zeros((10, 10), np.uint8)).shape == (10, 10)  # no ink: as it was
    assert upright.unsure(np.array([0.99, 0.6, 0.3]), upright.DESKEW_BELOW) == [2]


class _SureOfUprightStrokes:
    """A stand-in model: sure of a "1" whose ink stands upright, unsure of one that leans."""

    def __init__(self, upright_confidence: float = 0.95) -> None:
        self.upright_confidence = upright_confidence

    def scores(self, crops: np.ndarray) -> np.ndarray:
        out = np.zeros((len(crops), 10), np.float32)
        for row, crop in zip(out, crops):
            m = cv2.moments(crop, binaryImage=True)
            lean = abs(m["mu11"] / m["mu02"]) if m["mu02"] else 0.0
            row[:] = 0.7 / 9
            row[1] = self.upright_confidence if lean < 0.1 else 0.3
        return out


def test_the_reader_reads_a_barely_readable_digit_again_deskewed():
    frame = np.full((240, 320), 255, np.uint8)
    cv2.line(frame, (150, 150), (166, 90), 0, 5)  # a "1" leaning right
    reading = DigitReader(_SureOfUprightStrokes()).read(frame)
    assert reading.text == "1" and reading.digits[0].confidence == pytest.approx(0.95)
    # Deskewed but still not sure enough to be shown: not lifted from a dropped smudge to a "?".
    assert DigitReader(_SureOfUprightStrokes(upright_confidence=0.45)).read(frame).text == ""


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


def test_a_second_opinion_is_kept_where_surer_and_at_least_as_sure_as_its_floor():
    from edge.readings import keep_surer

    whole = np.zeros((4, 28, 28), np.uint8)
    whole_scores = np.full((4, 10), 0.7 / 9, np.float32)
    whole_scores[:, 3] = 0.3
    second = np.full((4, 10), 0.01, np.float32)
    second[:, 7] = [0.45, 0.45, 0.6, 0.2]
    opinions = [(0, 0.0, np.full((28, 28), 1, np.uint8)),  # turned: kept whenever surer
                (1, upright.DESKEW_BELOW, np.full((28, 28), 2, np.uint8)),  # deskewed, short of its floor
                (2, upright.DESKEW_BELOW, np.full((28, 28), 3, np.uint8)),
                (3, 0.0, np.full((28, 28), 4, np.uint8))]  # less sure than the digit as it stands
    keep_surer(whole, whole_scores, opinions, second)
    assert whole_scores.argmax(axis=1).tolist() == [7, 3, 7, 3]
    assert whole[:, 0, 0].tolist() == [1, 0, 3, 0]


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


@pytest.mark.parametrize("slope_deg", [-20, -10, 0, 10, 20])
def test_sloped_lines_come_out_line_by_line(slope_deg):
    rng = np.random.default_rng(slope_deg + 50)
    slope = np.tan(np.radians(slope_deg))
    centres, truth = [], []
    for line in range(3):
        for k in range(8):
            x = 40 + 45 * k
            centres.append((x, 200 + 90 * line + slope * x + rng.uniform(-8, 8)))
            truth.append(line * 8 + k)
    order = rng.permutation(len(centres))
    shuffled = np.float64(centres)[order]
    result = [int(order[i]) for i in layout.reading_order(shuffled, height=36.0)]
    assert result == truth


def test_a_long_tail_does_not_move_a_digit_into_the_next_line():
    # Ink centres: a 7 with a long tail has its centre high in its own box.
    centres = np.float64([[20, 50], [60, 52], [100, 49], [140, 60], [20, 130], [60, 128], [100, 131]])
    assert layout.reading_order(centres, height=40.0) == [0, 1, 2, 3, 4, 5, 6]


def test_a_page_edge_line_does_not_swallow_the_digits_its_box_overlaps():
    from edge.blobs import locate_digits
    from edge.detect import DetectorOptions
    mask = np.zeros((400, 300), np.uint8)
    cv2.line(mask, (0, 0), (120, 399), 255, 2)  # the sheet's slanted edge, left in the view
    for k in range(3):
        cv2.line(mask, (60 + 60 * k, 100), (60 + 60 * k, 140), 255, 3)  # three "1"s by it
    found = locate_digits(mask, DetectorOptions(), min_height_px=10, margin_px=4)
    assert len(found) == 3


def test_a_lone_tall_stroke_is_no_rule():
    mask = np.zeros((300, 400), np.uint8)
    cv2.line(mask, (200, 20), (200, 280), 255, 4)  # a "1" filling a close-up
    cleaned, removed = rules.remove_rules(mask)
    assert not removed.any() and (cleaned == mask).all()


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


def test_a_page_seen_small_is_enlarged_and_a_large_one_shrunk():
    small = page.Page(np.float32([[100, 100], [400, 100], [400, 520], [100, 520]]))  # 300 x 420 px
    rectified, _ = page.rectify(np.full((700, 700), 230, np.uint8), small, max_side_px=1600)
    assert max(rectified.shape) == page.MIN_PAGE_SIDE_PX
    large = page.Page(np.float32([[0, 0], [3000, 0], [3000, 4000], [0, 4000]]))
    assert page.rectified_scale(large, 1600) == pytest.approx(0.4)
    assert page.rectified_scale(small, 600) == pytest.approx(600 / 420)  # never past the most asked


class _SureOfAStemOnTheLeft:
    """A stand-in model: sure (0.99) of a "7" whose lower half's ink lies left of the crop's middle
    (a stem down from a bar's left end), unsure (0.7) of anything else: writing mirrored reads surer
    flipped back."""

    def scores(self, crops: np.ndarray) -> np.ndarray:
        out = np.full((len(crops), 10), 0.3 / 9, np.float32)
        for row, crop in zip(out, crops):
            xs = np.nonzero(crop[14:] > 127)[1]
            row[7] = 0.99 if xs.mean() < 14 else 0.7
            row[row != row[7]] = (1 - row[7]) / 9
        return out


def _glyphs(count: int, mirrored: bool) -> np.ndarray:
    """`count` glyphs in a row: a bar and a stem at its left end (its right end when `mirrored`)."""
    frame = np.full((240, 420), 255, np.uint8)
    for k in range(count):
        x = 30 + 60 * k
        stem = x + 30 if mirrored else x
        cv2.line(frame, (x, 100), (x + 30, 100), 0, 5)
        cv2.line(frame, (stem, 100), (stem, 150), 0, 5)
    return frame


def test_writing_read_surer_mirrored_is_show_through_and_not_read():
    reader = DigitReader(_SureOfAStemOnTheLeft())
    assert reader.read(_glyphs(6, mirrored=False)).text == "777777"
    assert reader.read(_glyphs(6, mirrored=True)).text == ""  # 0.7 each as seen, 0.99 flipped back
    # Too few to judge the writing by: four unsure digits are read as they are.
    assert reader.read(_glyphs(4, mirrored=True)).text == "7777"


def test_only_an_unsure_reading_of_enough_digits_is_read_mirrored():
    unsure, sure = np.full((6, 10), 0.02, np.float32), np.full((6, 10), 0.001, np.float32)
    unsure[:, 3], sure[:, 3] = 0.82, 0.991
    assert readings.may_be_mirrored(unsure) and not readings.may_be_mirrored(sure)
    assert not readings.may_be_mirrored(unsure[:4])
    assert readings.seen_from_behind(unsure, sure)  # 0.82 as seen, 0.99 flipped: past the margin
    assert readings.seen_from_behind(unsure, unsure + 0.06)  # 0.88: past it
    assert not readings.seen_from_behind(unsure, unsure + 0.04)  # 0.86: within it


def _readings(boxes_and_confidences):
    """Boxes (x, y, w, h) and (N,) confidences."""
    from edge.detect import Box
    boxes = [Box(*b) for b, _ in boxes_and_confidences]
    return boxes, np.float32([c for _, c in boxes_and_confidences])


def test_a_run_of_small_readings_mostly_no_digit_beside_a_number_is_words():
    """A number 60 px tall; above it a word of six letters 20 px tall side by side, three read as no
    digit (under the floor, 0.4) and three as digits (its o's and l's): words, none read. The same
    word 25 px tall (over 0.4 of the number), or with only two letters unsure, or alone in the frame
    (no number beside it to be small against), is read as it is."""
    number = [((40 + 50 * k, 100, 40, 60), 0.99) for k in range(4)]

    def word(height, unsure, top=40):
        return [((40 + int(0.8 * height) * k, top, int(0.7 * height), height), 0.2 if k < unsure else 0.9)
                for k in range(6)]

    boxes, confidences = _readings(number + word(20, 3))
    assert readings.words(boxes, confidences, 0.4).tolist() == [False] * 4 + [True] * 6
    for other in (word(25, 3), word(20, 2)):
        boxes, confidences = _readings(number + other)
        assert not readings.words(boxes, confidences, 0.4).any()
    boxes, confidences = _readings(word(20, 3))
    assert not readings.words(boxes, confidences, 0.4).any()
    # Specks between the word's letters (under half their height) are not of its run: with them it
    # would have three readings of eight under the floor.
    boxes, confidences = _readings(number + word(20, 1) + [((54, 48, 2, 6), 0.1), ((70, 48, 2, 6), 0.1)])
    assert not readings.words(boxes, confidences, 0.4).any()


def test_unsure_blobs_whose_loops_blurred_shut_are_read_again_opened():
    from edge.detect import Box, DetectorOptions, Found, mnist_crop
    from edge.readings import second_batch

    # Four blobs in a line, each inked all over with its middle lighter (a loop blurred shut): read unsure
    # as a digit, as no digit, and sure; and one whose loop is paper already, read unsure.
    darkness = np.zeros((60, 200), np.uint8)
    found = []
    for k in range(4):
        x = 10 + 45 * k
        mask = np.zeros((30, 24), np.uint8)
        cv2.ellipse(mask, (12, 15), (10, 13), 0, 0, 360, 255, -1)
        patch = mask // 255 * 200
        cv2.ellipse(patch, (12, 15), (5, 7), 0, 0, 360, 90, -1)
        if k == 3:
            cv2.ellipse(mask, (12, 15), (5, 7), 0, 0, 360, 0, -1)
        darkness[15:45, x:x + 24] = patch
        found.append(Found(Box(x, 15, 24, 30), mask, (x + 12.0, 30.0)))
    scores = np.full((4, 10), 0.01, np.float32)
    scores[:, 0] = [0.6, 0.3, 0.95, 0.6]
    _, _, opinions = second_batch(found, [0.8] * 4, 30.0, scores, DetectorOptions(), darkness, 0.4)
    # Deskewed (under 0.5), then opened: kept where surer; read as no digit, only where read sure.
    assert [(k, floor) for k, floor, _ in opinions] == [(1, upright.DESKEW_BELOW), (0, 0.0),
                                                        (1, upright.UNSURE_BELOW)]
    as_read = mnist_crop(found[0].mask, DetectorOptions())
    opened = opinions[1][2]
    assert as_read[14, 14] > 0 and opened[14, 14] == 0  # its middle paper again

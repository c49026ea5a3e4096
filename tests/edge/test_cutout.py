"""Stage 11: a frame cut down to its writing is found, and read in a margin of its own paper."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge import cutout, synth
from edge.synth import Handwriting, PaperStyle, draw_digits


def _digit(kind: str) -> np.ndarray:
    """A white-on-black (28, 28) digit drawn in MNIST's pen."""
    d = np.zeros((28, 28), np.uint8)
    if kind == "0":
        cv2.ellipse(d, (14, 14), (6, 9), 0, 0, 360, 255, 2)
    elif kind == "1":
        cv2.line(d, (14, 4), (13, 23), 255, 2)
    else:  # a 7
        cv2.line(d, (7, 5), (20, 5), 255, 2)
        cv2.line(d, (20, 5), (12, 23), 255, 2)
    return d


def _cut_out(kinds: str, height: int, margin: float, paper=(200, 235, 245), ink=(170, 90, 40)) -> np.ndarray:
    """A number written `height` px tall, the frame cut `margin` of its height beyond its ink."""
    hand = Handwriting(digit_height_px=height, gap=0.3, ink_bgr=ink, paper_bgr=paper)
    size = (3 * height, int((1.4 * len(kinds) + 1) * height))
    ink_cover = synth.write_lines([np.stack([_digit(k) for k in kinds])], size, hand, margin=0.1)
    frame = synth.finish(synth.paint(size, [(ink_cover, hand.ink_bgr)], hand.paper_bgr), np.random.default_rng(0))
    ys, xs = np.nonzero(ink_cover > 0.5)
    m = int(margin * height)
    return frame[max(0, ys.min() - m):ys.max() + m + 1, max(0, xs.min() - m):xs.max() + m + 1]


@pytest.mark.parametrize("kinds,height,margin", [("0", 60, 0.0), ("7", 200, 0.1), ("17", 50, 0.05),
                                                 ("1707", 120, 0.05), ("0", 400, 0.2), ("71", 80, 0.1)])
def test_a_number_cut_out_of_its_photo_is_a_cutout(kinds, height, margin):
    frame = _cut_out(kinds, height, margin)
    assert cutout.look(frame) == "dark"
    assert cutout.look(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)) == "dark"
    assert cutout.look(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)[:, :, np.newaxis]) == "dark"
    assert cutout.look(cv2.bitwise_not(frame)) == "light"  # chalk on a board, cut out


def test_one_digit_held_up_close_to_a_wide_camera_is_a_cutout():
    """A 0 or a 7 filling 0.85 of a 16:9 frame's height (a webcam's 1280x720), paper beside it: the bare
    paper to each side is over MAX_MARGIN of the frame's height, but under it of its width, the longer
    side a number runs along. Above and below, the height still counts."""
    paper = (200, 235, 245)
    for kind in "07":
        digit = _cut_out(kind, 200, 0.08)
        h, w = digit.shape[:2]
        side = (int(h * 16 / 9) - w) // 2
        frame = cv2.copyMakeBorder(digit, 0, 0, side, side, cv2.BORDER_CONSTANT, value=paper)
        assert side > cutout.MAX_MARGIN * h and cutout.look(frame) == "dark", kind
        # Twice as wide, the paper beside it is most of the frame: no cut-out.
        wide = cv2.copyMakeBorder(digit, 0, 0, 2 * side, 2 * side, cv2.BORDER_CONSTANT, value=paper)
        assert cutout.look(wide) is None, kind
        # Cut to its ink, 0.6 of a frame 1.3 times as wide as tall, bare paper above it: 0.4 of the height,
        # under MAX_MARGIN of the width but over it of the height: no cut-out.
        ink = _cut_out(kind, 200, 0.0)
        c, iw = ink.shape[:2]
        tall, wide_w = round(c / 0.6), round(1.3 * round(c / 0.6))
        left = (wide_w - iw) // 2
        above = cv2.copyMakeBorder(ink, tall - c, 0, left, wide_w - iw - left, cv2.BORDER_CONSTANT, value=paper)
        assert cutout.MAX_MARGIN * above.shape[0] < tall - c < cutout.MAX_MARGIN * above.shape[1]
        assert cutout.look(above) is None, kind


def test_frames_with_digits_a_small_part_of_them_are_not():
    digits = np.stack([_digit(k) for k in "0170171"])
    assert cutout.look(draw_digits(digits, style=PaperStyle(shadow_strength=0.0))) is None
    # The same number with paper around it as wide as it is tall: a frame like any other.
    assert cutout.look(_cut_out("17", 60, 1.5)) is None
    # A 1 alone is a straight bar, as a pen, a rule or a fold is: not enough.
    assert cutout.look(_cut_out("1", 80, 0.1)) is None


def test_a_bold_0_is_writing_but_a_pad_around_a_note_as_full_is_not():
    """A marker's 0 fills more than half of its box, as a mouse pad around a note may: the 0's outline is
    round, the pad's a rectangle."""
    paper = np.full((140, 110, 3), (200, 235, 245), np.uint8)
    bold = cv2.ellipse(paper.copy(), (55, 70), (36, 52), 0, 0, 360, (40, 40, 40), 24)
    assert 0.5 < (cv2.cvtColor(bold, cv2.COLOR_BGR2GRAY) < 128)[6:135, 7:104].mean() < 0.65  # of its box
    assert cutout.look(bold) == "dark"
    # Bolder (a stroke over a fifth of its height), the ring fills more of its box than MAX_BOLD_FILL.
    ring = cv2.ellipse(paper.copy(), (55, 70), (34, 48), 0, 0, 360, (40, 40, 40), 36)
    assert (cv2.cvtColor(ring, cv2.COLOR_BGR2GRAY) < 128)[4:137, 3:108].mean() > 0.65
    assert cutout.look(ring) is None
    pad = paper.copy()  # a pad about as full of its box, a note on it
    cv2.rectangle(pad, (10, 12), (100, 128), (40, 40, 40), -1)
    cv2.rectangle(pad, (28, 32), (82, 108), (200, 235, 245), -1)
    assert 0.5 < (cv2.cvtColor(pad, cv2.COLOR_BGR2GRAY) < 128)[12:129, 10:101].mean() < 0.65
    assert cutout.look(pad) is None
    # A pad whose outline is no rectangle (joined to a desk's dark grain; here round) around a note with
    # a number on it: the bold shape holds writing.
    pad = cv2.ellipse(paper.copy(), (55, 70), (44, 60), 0, 0, 360, (40, 40, 40), -1)
    pad[40:100, 30:80] = (200, 235, 245)
    pad[55:85, 35:75] = cv2.resize(_cut_out("17", 60, 0.3), (40, 30))
    assert 0.5 < (cv2.cvtColor(pad, cv2.COLOR_BGR2GRAY) < 128)[10:131, 11:100].mean() < 0.65
    assert cutout.look(pad) is None


def test_a_pad_a_sheet_on_a_desk_and_blank_paper_are_not():
    pad = np.full((480, 640, 3), 200, np.uint8)  # a dark pad holding a note, on a light desk
    pad[80:400, 120:520] = 30
    pad[200:280, 280:380] = 230
    assert cutout.look(pad) is None
    desk = np.full((480, 640, 3), 60, np.uint8)  # a sheet on a dark desk, its number filling the sheet
    desk[100:380, 150:490] = cv2.resize(_cut_out("7", 150, 0.3), (340, 280))
    assert cutout.look(desk) is None
    assert cutout.look(np.full((100, 80, 3), 230, np.uint8)) is None  # blank paper


def test_the_margin_is_the_papers_own_light_without_ink_or_step():
    frame = _cut_out("0", 100, 0.0)
    framed, pad, scale = cutout.with_margin(frame)
    h, w = frame.shape[:2]
    assert scale == 1.0 and pad == round(0.5 * h) and framed.shape == (h + 2 * pad, w + 2 * pad, 3)
    assert (framed[pad:pad + h, pad:pad + w] == frame).all()
    grey = cv2.cvtColor(framed, cv2.COLOR_BGR2GRAY).astype(int)
    frame_grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    split = cv2.threshold(frame_grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[0]
    paper = np.percentile(frame_grey[frame_grey > split], [1, 100])
    inside = np.zeros(grey.shape, bool)
    inside[pad:pad + h, pad:pad + w] = True
    # Paper all round, the 0 touching the edge carried out nowhere: within the paper's own light.
    assert grey[~inside].min() >= paper[0] - 4 and grey[~inside].max() <= paper[1] + 8  # (each channel's lightest)
    # Along each side, the margin next to the edge is as light as the paper just inside it, where that is
    # paper: no step for the ink's threshold to find.
    for near, inner in ((grey[pad - 1, pad:pad + w], grey[pad + 2, pad:pad + w]),
                        (grey[pad:pad + h, pad - 1], grey[pad:pad + h, pad + 2])):
        lit = inner >= paper[1] - 15
        assert np.abs(near[lit] - inner[lit]).mean() <= 14  # a little lighter: the noise's top
    one_channel, gpad, _ = cutout.with_margin(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)[:, :, np.newaxis])
    assert one_channel.shape == (h + 2 * gpad, w + 2 * gpad)
    # A cut-out of a 12-MP photo is shrunk to MAX_SIDE_PX before its margin is put around it.
    big, big_pad, big_scale = cutout.with_margin(cv2.resize(frame, (4000, 3000)))
    assert big_scale == cutout.MAX_SIDE_PX / 4000 and big.shape == (750 + 2 * big_pad, 1000 + 2 * big_pad, 3)


def test_a_cut_out_number_reads_as_it_does_with_paper_around_it(tiny_models, confident_digits, monkeypatch):
    """End to end, with the tests' tiny model: MNIST digits written as a number and cut out tight read
    as the same number with paper around it; boxes in the cut-out's pixels; the look timed. With the
    look switched off, the cut-outs read far less."""
    from edge.reader import DigitReader, _sure
    from edge.runtime import Classifier

    images, labels = confident_digits
    reader = DigitReader(Classifier(tiny_models / "digits_int8.tflite"))
    rng = np.random.default_rng(2)
    frames = []
    for k in range(12):
        idx = rng.choice(len(images), int(rng.integers(1, 4)), replace=False)
        hand = Handwriting(digit_height_px=int(rng.integers(50, 200)), gap=0.3)
        size = (3 * hand.digit_height_px, int((1.4 * len(idx) + 1) * hand.digit_height_px))
        ink = synth.write_lines([images[idx]], size, hand, margin=0.1)
        scene = synth.finish(synth.paint(size, [(ink, hand.ink_bgr)], hand.paper_bgr), rng)
        ys, xs = np.nonzero(ink > 0.5)
        m = int(rng.uniform(0.02, 0.15) * hand.digit_height_px)  # a user's crop, a little beyond the ink
        frames.append((scene, scene[ys.min() - m:ys.max() + m + 1, xs.min() - m:xs.max() + m + 1],
                       "".join(map(str, labels[idx]))))
    whole = sum(reader.read(scene).text == truth for scene, _, truth in frames)
    cut = 0
    passes = []
    read_either_way = reader._read_either_way
    monkeypatch.setattr(reader, "_read_either_way",
                        lambda f, trace: passes.append(f.shape) or read_either_way(f, trace))
    for _, frame, truth in frames:
        passes.clear()
        reading = reader.read(frame)
        # A cut-out is read as it stands, its pieces of digits no page's writing, then in its margin, whose
        # reading is kept however unsure. (A 1 alone is no cut-out: read as it stands only.)
        looks_cut = cutout.look(frame) is not None
        assert len(passes) == 1 + looks_cut and passes[0] == frame.shape, passes
        assert (passes[-1][0] > frame.shape[0]) == looks_cut, passes
        cut += reading.text == truth
        h, w = frame.shape[:2]
        assert all(0 <= d.box.x and d.box.x + d.box.w <= w and 0 <= d.box.y and d.box.y + d.box.h <= h
                   for d in reading.digits)
        assert "preprocess.cutout" in reading.timing_ms
    assert whole >= 8 and cut >= whole - 1, (whole, cut)
    # Read by a model sure of nothing, a cut-out is read in its margin too.
    class Unsure:
        def scores(self, batch: np.ndarray) -> np.ndarray:
            return np.full((len(batch), 10), 0.1, np.float32)

    unsure = DigitReader(Unsure())
    unsure_either_way = unsure._read_either_way
    monkeypatch.setattr(unsure, "_read_either_way",
                        lambda f, trace: passes.append(f.shape) or unsure_either_way(f, trace))
    frame = next(frame for _, frame, _ in frames if cutout.look(frame) is not None)
    passes.clear()
    assert not _sure(unsure.read(frame).digits) and len(passes) == 2 and passes[1][0] > frame.shape[0], passes
    monkeypatch.setattr(cutout, "look", lambda frame: None)
    assert sum(reader.read(frame).text == truth for _, frame, truth in frames) <= cut - 4


def test_a_page_that_looks_cut_out_keeps_its_reading_as_it_stands(tiny_models, confident_digits, monkeypatch):
    """A frame that the look takes for a cut-out (a desk's wavy stripes, a squared page sampled: the shadow
    and askew conditions, seed 3) but that reads as it stands a page's writing, many sure digits small in
    it, keeps that reading: in a margin it read nothing, or pieces."""
    from edge.reader import DigitReader
    from edge.runtime import Classifier

    images, labels = confident_digits
    reader = DigitReader(Classifier(tiny_models / "digits_int8.tflite"))
    rng = np.random.default_rng(4)
    idx = rng.choice(len(images), 10, replace=False)
    frame = draw_digits(images[idx], seed=4)
    as_it_stands = reader.read(frame).text
    assert len(as_it_stands) >= 8, as_it_stands
    passes = []
    read_either_way = reader._read_either_way
    monkeypatch.setattr(reader, "_read_either_way",
                        lambda f, trace: passes.append(f.shape) or read_either_way(f, trace))
    monkeypatch.setattr(cutout, "look", lambda frame: "dark")
    assert reader.read(frame).text == as_it_stands
    assert passes == [frame.shape], passes


def test_a_box_read_in_the_margin_is_given_in_the_frames_pixels_and_cut_to_it():
    from edge.detect import Box
    from edge.reader import _within

    assert _within(Box(30, 40, 20, 25), pad=25, scale=1.0, w=100, h=50) == Box(5, 15, 20, 25)
    assert _within(Box(20, 10, 30, 80), pad=25, scale=1.0, w=100, h=50) == Box(0, 0, 25, 50)  # over two edges
    assert _within(Box(0, 0, 10, 10), pad=25, scale=1.0, w=100, h=50) == Box(0, 0, 1, 1)  # all in the margin
    # Read shrunk to a quarter: back in the frame's pixels.
    assert _within(Box(30, 40, 20, 25), pad=25, scale=0.25, w=400, h=200) == Box(20, 60, 80, 100)


def test_frames_a_margin_would_make_read_a_line_as_a_1_are_not():
    """Each rejected by its own rule: read in a margin, the line would no longer be cut by the frame's
    edge, and read as a 1."""
    number = _cut_out("70", 100, 0.1)
    h, w = number.shape[:2]
    # A strip of desk along one side of a cut-out (MAX_SIDE_COVER).
    strip = number.copy()
    strip[:, :int(0.08 * w)] = (50, 60, 70)
    assert cutout.look(number) == "dark" and cutout.look(strip) is None
    # A ruled page turned a quarter: hairline rules from its top to its bottom, a number filling it.
    turned = _cut_out("70", 300, 0.1)
    for x in range(20, turned.shape[1], 70):
        cv2.line(turned, (x, 0), (x, turned.shape[0] - 1), (200, 150, 100), 3)
    assert cutout.look(turned) is None
    # A fold or a cable down a page through a small number: the frame is mostly bare paper (MAX_MARGIN).
    page = np.full((240, 320, 3), (200, 235, 245), np.uint8)
    page[100:140, 40:100] = cv2.resize(number, (60, 40))
    cv2.line(page, (70, 0), (80, 239), (60, 60, 60), 5)
    assert cutout.look(page) is None
    # A pen lying across paper is a straight bar, writing-like by its box alone.
    pen = np.full((240, 320, 3), (200, 235, 245), np.uint8)
    cv2.line(pen, (10, 10), (310, 230), (40, 40, 40), 12)
    assert cutout.look(pen) is None
    # A cut-out photographed turned, the desk in its corners: dark along much of the edge (MAX_DARK_EDGE).
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), 4, 1.0)  # 0.41 of the edge dark
    assert cutout.look(cv2.warpAffine(number, turn, (w, h), borderValue=(40, 40, 40))) is None
    # Smaller, the sheet is a light shape on a dark ground, holed where its digits are: no light writing.
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), 25, 0.8)
    assert cutout.look(cv2.warpAffine(number, turn, (w, h), borderValue=(40, 40, 40))) is None


def test_a_ruled_page_is_not_a_cut_out_of_its_writing():
    """Its rules joined by its margin line make one shape across the whole look, wider than tall, drawn
    in strokes: no writing."""
    size = (70, 96)  # small enough for the look to see its 1-px rules
    rules = synth.rule_sheet(size, 12, thickness=1)
    rules[:4] = rules[-4:] = 0  # clear of the top and bottom edges
    page = synth.finish(synth.paint(size, [(rules, (120, 100, 80))], (230, 230, 230)), np.random.default_rng(1),
                        blur_px=1)
    assert cutout.look(page) is None


def test_a_grid_or_a_box_holding_writing_is_not_writing():
    """A squared page's grid joined into one mesh has many loops (MAX_HOLES); a box drawn around a long
    number holds many shapes (MAX_INSIDE): each filling the frame, neither is a cut-out's writing."""
    size = (120, 90)  # taller than wide, and small enough for the look to see its 1-px grid
    grid = synth.rule_sheet(size, 12, squared=True, margin_line=False, thickness=1)
    grid[:3] = grid[-3:] = 0
    grid[:, :3] = grid[:, -3:] = 0
    page = synth.finish(synth.paint(size, [(grid, (120, 100, 80))], (230, 230, 230)), np.random.default_rng(2),
                        blur_px=1)
    assert cutout.look(page) is None
    number = _cut_out("17071", 40, 0.6)
    h, w = number.shape[:2]
    boxed = number.copy()
    cv2.rectangle(boxed, (4, 4), (w - 5, h - 5), (40, 30, 30), 2)
    assert cutout.look(boxed) is None

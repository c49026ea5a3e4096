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
                                                 ("1707", 120, 0.0), ("0", 400, 0.2), ("1", 80, 0.1)])
def test_a_number_cut_out_of_its_photo_is_a_cutout(kinds, height, margin):
    frame = _cut_out(kinds, height, margin)
    assert cutout.look(frame) == "dark"
    assert cutout.look(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)) == "dark"
    assert cutout.look(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)[:, :, np.newaxis]) == "dark"
    assert cutout.look(cv2.bitwise_not(frame)) == "light"  # chalk on a board, cut out


def test_frames_with_digits_a_small_part_of_them_are_not():
    digits = np.stack([_digit(k) for k in "0170171"])
    assert cutout.look(draw_digits(digits, style=PaperStyle(shadow_strength=0.0))) is None
    # The same number with paper around it as wide as it is tall: a frame like any other.
    assert cutout.look(_cut_out("17", 60, 1.5)) is None


def test_a_ruled_page_a_pad_a_sheet_on_a_desk_and_blank_paper_are_not():
    rng = np.random.default_rng(1)
    size = (480, 640)
    rules = synth.rule_sheet(size, 40, thickness=2)  # rules joined by the margin line: one shape
    assert cutout.look(synth.finish(synth.paint(size, [(rules, (200, 170, 120))], (230, 230, 230)), rng)) is None
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
    framed, pad = cutout.with_margin(frame)
    h, w = frame.shape[:2]
    assert pad == round(0.5 * h) and framed.shape == (h + 2 * pad, w + 2 * pad, 3)
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
        assert np.abs(near[lit] - inner[lit]).mean() <= 10
    one_channel, gpad = cutout.with_margin(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)[:, :, np.newaxis])
    assert one_channel.shape == (h + 2 * gpad, w + 2 * gpad)


def test_a_cut_out_number_reads_as_it_does_with_paper_around_it(tiny_models, confident_digits, monkeypatch):
    """End to end, with the tests' tiny model: MNIST digits written as a number and cut out tight read
    as the same number with paper around it; boxes in the cut-out's pixels; the look timed. With the
    look switched off, the cut-outs read far less."""
    from edge.reader import DigitReader
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
        frames.append((scene, scene[ys.min():ys.max() + 1, xs.min():xs.max() + 1],
                       "".join(map(str, labels[idx]))))
    whole = sum(reader.read(scene).text == truth for scene, _, truth in frames)
    cut = 0
    for _, frame, truth in frames:
        reading = reader.read(frame)
        cut += reading.text == truth
        h, w = frame.shape[:2]
        assert all(0 <= d.box.x and d.box.x + d.box.w <= w and 0 <= d.box.y and d.box.y + d.box.h <= h
                   for d in reading.digits)
        assert "preprocess.cutout" in reading.timing_ms
    assert whole >= 8 and cut >= whole - 1, (whole, cut)
    monkeypatch.setattr(cutout, "look", lambda frame: None)
    assert sum(reader.read(frame).text == truth for _, frame, truth in frames) <= cut - 4


def test_a_box_read_in_the_margin_is_given_in_the_frames_pixels_and_cut_to_it():
    from edge.detect import Box
    from edge.reader import _within

    assert _within(Box(30, 40, 20, 25), pad=25, w=100, h=50) == Box(5, 15, 20, 25)
    assert _within(Box(20, 10, 30, 80), pad=25, w=100, h=50) == Box(0, 0, 25, 50)  # over two edges
    assert _within(Box(0, 0, 10, 10), pad=25, w=100, h=50) == Box(0, 0, 1, 1)  # all in the margin

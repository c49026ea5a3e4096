"""Light writing on a dark ground (a canvas, a blackboard): looked for where no sheet is found, read
inverted, and that reading kept where it wins (edge.polarity, DigitReader)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge import polarity, synth
from edge.synth import PaperStyle, draw_digits


def _seven(size: int = 280) -> np.ndarray:
    """A 7 drawn white on black, as in a drawing app's canvas."""
    canvas = np.zeros((size, size), np.uint8)
    cv2.line(canvas, (70, 60), (210, 60), 255, 22)
    cv2.line(canvas, (210, 60), (120, 230), 255, 22)
    return canvas


def _board(rng: np.random.Generator) -> np.ndarray:
    """Chalk marks on a blackboard lit unevenly: 35 grey levels on one side, 95 on the other."""
    h, w = 480, 640
    board = np.tile(np.linspace(35, 95, w, dtype=np.float32), (h, 1))
    marks = np.zeros((h, w), np.uint8)
    for k in range(6):
        x = 60 + 90 * k
        cv2.ellipse(marks, (x, 240), (22, 40), 0, 0, 360, 255, 5)
    board = np.where(marks > 0, 200.0, board) + rng.normal(0, 3, (h, w))
    return cv2.cvtColor(np.clip(board, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)


def test_light_marks_on_a_dark_ground_are_looked_at_inverted():
    rng = np.random.default_rng(0)
    canvas = _seven()
    assert polarity.light_on_dark(canvas)
    assert polarity.light_on_dark(canvas[:, :, None])
    assert polarity.light_on_dark(cv2.cvtColor(canvas, cv2.COLOR_GRAY2BGRA))
    assert polarity.light_on_dark(_board(rng))  # against the ground smoothed, not the median


def test_a_small_digit_on_a_big_canvas_is_looked_at_too():
    """Its strokes are a quarter of a percent of the canvas: the light tail is its few lightest pixels."""
    canvas = cv2.copyMakeBorder(cv2.resize(_seven(), (60, 60), interpolation=cv2.INTER_AREA),
                                170, 170, 170, 170, cv2.BORDER_CONSTANT, value=0)
    assert np.count_nonzero(canvas > 127) < 0.005 * canvas.size
    assert polarity.light_on_dark(canvas)


def test_a_white_label_on_a_dark_desk_is_no_light_writing():
    """A solid light shape (with dark digits on it) is no stroke: inverted, it read as a sure 6."""
    rng = np.random.default_rng(3)
    desk = np.clip(rng.normal(30, 4, (720, 960)), 0, 255).astype(np.uint8)
    desk[280:400, 360:540] = 215
    cv2.putText(desk, "953", (375, 365), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 40, 4)
    assert not polarity.light_on_dark(desk)
    strokes = np.clip(rng.normal(30, 4, (720, 960)), 0, 255).astype(np.uint8)
    cv2.putText(strokes, "953", (375, 365), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 215, 4)
    assert polarity.light_on_dark(strokes)


def test_paper_desks_and_dark_frames_are_not():
    rng = np.random.default_rng(1)
    digits = np.zeros((10, 28, 28), np.uint8)
    digits[:, 6:22, 12:16] = 255
    paper = draw_digits(digits, seed=2)
    assert not polarity.light_on_dark(paper)
    assert not polarity.light_on_dark(cv2.cvtColor(paper, cv2.COLOR_BGR2GRAY))
    for kind in synth.DESKS:  # grain as dark as it is light
        for gain in (0.4, 1.0):
            assert not polarity.light_on_dark(synth.finish(synth.desk_texture((480, 640), kind, rng) * gain, rng))
    assert not polarity.light_on_dark(np.clip(rng.normal(40, 8, (480, 640, 3)), 0, 255).astype(np.uint8))
    assert not polarity.light_on_dark(np.zeros((480, 640, 3), np.uint8))


def test_the_inverted_reading_wins_as_writing_with_as_many_sure_digits():
    assert polarity.inverted_wins(1, 0, True)
    assert polarity.inverted_wins(3, 3, True)  # a 0's hole read as a digit beside one digit drawn
    assert not polarity.inverted_wins(2, 3, True)
    assert not polarity.inverted_wins(5, 0, False)  # mostly unsure: grain, not writing
    assert not polarity.inverted_wins(0, 0, True)


@pytest.mark.slow
def test_a_row_written_light_on_dark_reads_as_written_dark_on_light(tiny_models, confident_digits, monkeypatch):
    from edge.reader import DigitReader
    from edge.runtime import Classifier

    reader = DigitReader(Classifier(tiny_models / "digits_int8.tflite"))
    images, labels = confident_digits
    rng = np.random.default_rng(5)
    for seed in range(2):
        idx = rng.choice(len(images), 8, replace=False)
        text = "".join(str(d) for d in labels[idx])
        frame = draw_digits(images[idx], seed=seed, style=PaperStyle(shadow_strength=0.0))
        upright = reader.read(frame)
        assert upright.text == text
        light = reader.read(cv2.bitwise_not(frame), trace=True)
        assert light.text == text
        assert [d.box for d in light.digits] == [d.box for d in upright.digits]
        assert light.trace["ink"].shape == frame.shape[:2]
        assert light.timing_ms["preprocess.polarity"] > 0
        assert light.timing_ms["total"] > upright.timing_ms["total"]  # both passes counted
    monkeypatch.setattr(polarity, "light_on_dark", lambda frame: False)
    assert reader.read(cv2.bitwise_not(frame)).text != text


@pytest.mark.slow
def test_a_canvas_reads_alike_in_bgr_and_grey_and_within_the_roi_box(tiny_models, confident_digits):
    """A canvas of one digit reads as many right in BGR (where the page finder may take its stroke for a
    sheet) as in grey; inside a light desktop, read with --roi, the look is at the box read."""
    from edge.detect import DetectorOptions
    from edge.reader import DigitReader
    from edge.runtime import Classifier

    images, labels = confident_digits
    model = Classifier(tiny_models / "digits_int8.tflite")
    whole, boxed = DigitReader(model), DigitReader(model, DetectorOptions(roi=0.5))
    read = {"grey": 0, "bgr": 0, "roi": 0}
    for image, label in zip(images[:20], labels[:20]):
        canvas = cv2.resize(image, (280, 280), interpolation=cv2.INTER_LINEAR)
        small = cv2.resize(image, (56, 56), interpolation=cv2.INTER_LINEAR)
        read["grey"] += whole.read(small).text == str(label)
        read["bgr"] += whole.read(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR)).text == str(label)
        desktop = np.full((600, 800, 3), 235, np.uint8)
        desktop[160:440, 260:540] = cv2.cvtColor(canvas, cv2.COLOR_GRAY2BGR)
        read["roi"] += boxed.read(desktop).text == str(label)
    # The tiny model is unsure of many 56-px canvases once prepared (9 of 20 read with the one trained on
    # some continental 1s and crossed 7s, train.styles); with the look off, none.
    assert read["grey"] >= 7 and read["bgr"] >= read["grey"] - 1 and read["roi"] >= 15, read

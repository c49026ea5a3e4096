"""Frame sources: images, folders, globs, and a camera that drops out."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from edge import sources
from edge.live import LiveOptions, run_live
from edge.sources import Camera, SourceError, open_source


class FakeCapture:
    """cv2.VideoCapture stand-in driven by a script of frames (None = a failed read)."""

    def __init__(self, script, opened=True):
        self.script, self.opened, self.released = list(script), opened, False

    def isOpened(self):
        return self.opened

    def read(self):
        if not self.script:
            return False, None
        frame = self.script.pop(0)
        return (frame is not None), frame

    def set(self, prop, value):
        return True

    def release(self):
        self.released = True


def _factory(captures):
    captures = list(captures)
    return lambda index: captures.pop(0) if captures else FakeCapture([], opened=False)


FRAME = np.full((48, 64, 3), 200, np.uint8)


def test_camera_reopens_after_a_dropout():
    messages = []
    first = FakeCapture([FRAME, None])
    cam = Camera(0, on_error=messages.append, capture_factory=_factory([first, FakeCapture([FRAME])]),
                 reopen_delay_s=0)
    assert cam.read() is FRAME
    assert cam.read() is FRAME  # the dropped read was recovered by reopening
    assert first.released and messages == ["camera 0 delivered no frame; reopening (1/3)"]


def test_camera_that_never_comes_back():
    cam = Camera(0, capture_factory=_factory([FakeCapture([FRAME])]), reopen_delay_s=0)
    cam.read()
    with pytest.raises(SourceError, match="camera 0 disconnected and did not come back after 3 attempts"):
        cam.read()


def test_live_loop_reports_a_disconnect(tmp_path):
    cam = Camera(0, capture_factory=_factory([FakeCapture([FRAME, FRAME])]), reopen_delay_s=0)

    class Reader:
        def read(self, frame):
            from edge.reader import Reading
            return Reading("", [], np.zeros((0, 28, 28), np.uint8),
                           {"preprocess": 0.1, "inference": 0.0, "postprocess": 0.0, "total": 0.1})

    summary = run_live(cam, Reader(), LiveOptions(headless=True))
    assert summary.frames == 2
    assert "disconnected" in summary.error
    assert "2 frames in" in summary.describe() and "preprocess p50 0.10 ms" in summary.describe()


def test_absent_camera():
    with pytest.raises(SourceError, match="camera 3 could not be opened"):
        Camera(3, capture_factory=_factory([FakeCapture([], opened=False)]))


def test_folder_and_glob_skip_unreadable_files(tmp_path):
    cv2.imwrite(str(tmp_path / "a.png"), FRAME)
    (tmp_path / "b.png").write_bytes(b"not a png")
    cv2.imwrite(str(tmp_path / "c.jpg"), FRAME)
    (tmp_path / "readme.txt").write_text("ignored: not an image suffix")
    errors = []
    folder = open_source(str(tmp_path), on_error=errors.append)
    frames = [folder.read() for _ in range(3)]
    assert [f is not None for f in frames] == [True, True, False]
    assert len(errors) == 1 and "b.png: not a readable image" in errors[0]
    assert open_source(str(tmp_path / "*.jpg")).name == "1 image(s)"


def test_picamera2_missing_says_how_to_install(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_picamera(name, *args, **kwargs):
        if name == "picamera2":
            raise ImportError("No module named 'picamera2'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_picamera)
    with pytest.raises(SourceError, match=r"apt install python3-picamera2.*--system-site-packages"):
        open_source("picamera2")


def test_load_image_falls_back_to_pillow_for_gif(tmp_path):
    from PIL import Image
    Image.fromarray(np.full((10, 12), 90, np.uint8)).save(tmp_path / "x.gif")
    image = sources.load_image(tmp_path / "x.gif")
    assert image.shape == (10, 12, 3) and image.dtype == np.uint8


def test_empty_frame_is_a_clear_error():
    from edge.reader import DigitReader

    class NoModel:
        pass

    with pytest.raises(ValueError, match="empty frame"):
        DigitReader(NoModel()).read(np.zeros((0, 0, 3), np.uint8))


@pytest.mark.parametrize("frame, message", [
    (np.zeros((48, 64), np.float64), "expected 8-bit pixels"),
    (np.zeros((48, 64, 3), bool), "expected 8-bit pixels"),
    (np.zeros((48, 64, 2), np.uint8), r"got shape \(48, 64, 2\)"),
    (np.zeros(64, np.uint8), r"got shape \(64,\)"),
    ([[0, 255]], "a frame is a numpy array, got list"),
], ids=["float64", "bool", "two channels", "one axis", "a list"])
def test_what_is_no_frame_is_refused_in_words(frame, message):
    """A library caller's mistake is told as such, not as an OpenCV dump from deep inside."""
    from edge.reader import DigitReader
    with pytest.raises(ValueError, match=message):
        DigitReader(object()).read(frame)


@pytest.mark.parametrize("shape", [(1, 1), (4, 1), (4, 1, 3), (1, 4, 3), (7, 640, 3)])
def test_a_frame_too_small_to_hold_a_digit_reads_nothing(shape, tiny_models):
    """OpenCV took a 1x4 frame for a scalar and failed inside; such a frame now reads as empty."""
    from edge.reader import DigitReader
    from edge.runtime import Classifier
    reading = DigitReader(Classifier(tiny_models / "digits_int8.tflite")).read(np.full(shape, 128, np.uint8))
    assert reading.text == "" and reading.crops.shape == (0, 28, 28)


def test_ctrl_c_stops_cleanly_with_a_summary():
    from edge.reader import Reading

    class Interrupted:
        def __init__(self):
            self.calls, self.closed = 0, False

        def read(self):
            self.calls += 1
            if self.calls == 3:
                raise KeyboardInterrupt
            return FRAME

        def close(self):
            self.closed = True

    class Reader:
        def read(self, frame):
            return Reading("7", [], np.zeros((0, 28, 28), np.uint8),
                           {"preprocess": 1.0, "inference": 0.5, "postprocess": 0.0, "total": 1.5})

    source = Interrupted()
    summary = run_live(source, Reader(), LiveOptions(headless=True))
    assert summary.interrupted and summary.frames == 2 and source.closed
    text = summary.describe()
    assert text.startswith("stopped (Ctrl-C or SIGTERM): 2 frames in")
    assert "inference p50 0.50 ms p95 0.50 ms" in text


@pytest.mark.parametrize("source, message", [
    ("²", "is not a camera index"),
    ("99999999999999999999", "is not a camera index"),
    ("5000", "camera index 5000 is out of range"),
    ("", "the source is empty"),
])
def test_odd_sources_are_refused_in_words(source, message):
    with pytest.raises(SourceError, match=message):
        open_source(source)

"""The fault suite: bad inputs made at test time, each a row; every row asserts the exit code,
one stderr line naming the file or option, no traceback or core dump, and the output folder
before and after (nothing changed, nothing half-written, nothing left over)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.conftest import REPO
from tests.images import png_claiming

pytestmark = pytest.mark.slow


def _frame() -> np.ndarray:
    frame = np.full((120, 260, 3), 225, np.uint8)
    cv2.putText(frame, "47", (40, 95), cv2.FONT_HERSHEY_SIMPLEX, 3, (25, 25, 25), 9)
    return frame


def _jpeg() -> bytes:
    return cv2.imencode(".jpg", _frame())[1].tobytes()


# name -> (file name, how to make it in a folder, what stderr must say about it)
BAD_IMAGES = {
    "zero bytes": ("empty.jpg", lambda p: p.write_bytes(b""), "is empty"),
    "text named .jpg": ("notes.jpg", lambda p: p.write_text("hello"), "not a readable image"),
    "truncated head": ("head.jpg", lambda p: p.write_bytes(_jpeg()[:100]), "truncated"),
    "truncated tail": ("tail.jpg", lambda p: p.write_bytes(_jpeg()[:int(len(_jpeg()) * 0.6)]), "truncated"),
    "image bomb": ("bomb.png", lambda p: p.write_bytes(png_claiming(60000, 60000)), "megapixels, over the limit"),
    "folder": ("folder.jpg", lambda p: p.mkdir(), "is a folder"),
    "fifo": ("pipe.jpg", lambda p: os.mkfifo(p), "not a regular file"),
    "missing": ("missing.jpg", lambda p: None, "no such file"),
    "bad Huffman code": ("huffman.jpg", lambda p: p.write_bytes(_flip_scan_bits(_jpeg())), "damaged"),
}


def _flip_scan_bits(jpeg: bytes) -> bytes:
    """A JPEG whose entropy-coded data is overwritten in the middle (its markers kept)."""
    start = jpeg.index(b"\xff\xda") + 20
    middle = bytearray(jpeg)
    middle[start + 40:len(jpeg) - 40] = bytes([0xFF, 0x00]) * ((len(jpeg) - 80 - start) // 2) + \
        b"\x00" * ((len(jpeg) - 80 - start) % 2)
    return bytes(middle)


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _edge(*args, cwd=REPO) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-m", "edge", *map(os.fsdecode, args)], cwd=cwd,
                          capture_output=True, text=True, env={**env, "PYTHONPATH": str(REPO)}, timeout=120)


def _no_crash(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode in (0, 1, 2), f"exit {proc.returncode} (a signal or a core dump)\n{proc.stderr}"
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout


@pytest.mark.parametrize("kind", list(BAD_IMAGES))
def test_predict_reads_the_good_file_past_a_bad_one(kind, tiny_models, tmp_path):
    name, make, message = BAD_IMAGES[kind]
    bad, good = tmp_path / name, tmp_path / "good.png"
    make(bad)
    cv2.imwrite(str(good), _frame())
    debug = tmp_path / "debug"
    debug.mkdir()
    (debug / "earlier.txt").write_text("from an earlier run")
    before = _hashes(debug)
    proc = _edge("predict", bad, good, "--model", tiny_models / "digits_int8.tflite", "--debug-dir", debug)
    _no_crash(proc)
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and name in errors[0] and message in errors[0], proc.stderr
    assert proc.stdout.splitlines()[0].startswith(f"{good}: ")  # the good file is still read
    after = _hashes(debug)
    assert {k: v for k, v in after.items() if k in before} == before  # nothing earlier changed
    assert all(k.startswith("good_") for k in set(after) - set(before))  # only the good file's pictures
    assert not [k for k in after if ".tmp" in k]


@pytest.mark.parametrize("height, width", [(1, 500), (500, 1), (8, 3840), (16, 4000), (28, 28)])
def test_a_thin_or_blank_image_reads_as_no_digit(height, width, tiny_models, tmp_path):
    """A strip a pixel or a few high (halving it made it empty, and OpenCV raised), a blank tile."""
    image = tmp_path / f"{width}x{height}.png"
    cv2.imwrite(str(image), np.full((height, width, 3), 90, np.uint8))
    cv2.imwrite(str(tmp_path / "good.png"), _frame())
    proc = _edge("predict", image, tmp_path / "good.png", "--model", tiny_models / "digits_int8.tflite")
    _no_crash(proc)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == f"{image}: "
    assert proc.stdout.splitlines()[1].startswith(f"{tmp_path / 'good.png'}: ")


def test_a_file_name_that_is_not_utf8_is_read_not_a_segfault(tiny_models, tmp_path):
    odd = Path(os.fsdecode(bytes(tmp_path) + b"/b\xff.png"))
    cv2.imwrite(str(tmp_path / "x.png"), _frame())
    os.rename(tmp_path / "x.png", odd)
    proc = _edge("predict", odd, "--model", tiny_models / "digits_int8.tflite")
    _no_crash(proc)
    assert proc.returncode == 0, proc.stderr
    # The runtime's own chatter on every load is not the program's to print.
    assert "INFO: Created TensorFlow Lite" not in proc.stderr, proc.stderr


def _model_copy(tiny_models: Path, folder: Path) -> Path:
    for name in ("digits_int8.tflite", "digits_int8.json", "digits_float32.tflite"):
        shutil.copy(tiny_models / name, folder)
    return folder / "digits_int8.tflite"


# name -> (how to spoil a copy of the model or its sidecar, what stderr must say)
BAD_MODELS = {
    "sidecar of another model": (lambda m: shutil.copy(m.with_name("digits_float32.tflite"), m), "does not match"),
    "sidecar dtype bogus": (lambda m: m.with_suffix(".json").write_text(json.dumps(
        {**json.loads(m.with_suffix(".json").read_text()), "input_dtype": "bogus"})), "input_dtype 'bogus'"),
    "sidecar sha256 a number": (lambda m: m.with_suffix(".json").write_text(json.dumps(
        {**json.loads(m.with_suffix(".json").read_text()), "sha256": 7})), "sha256 must be a string"),
    "sidecar a folder": (lambda m: (m.with_suffix(".json").unlink(), m.with_suffix(".json").mkdir()),
                         "is a folder"),
    "model not a model": (lambda m: m.write_bytes(b"\0" * 64), "digits_int8"),
    "sidecar test accuracy a list": (lambda m: m.with_suffix(".json").write_text(json.dumps(
        {**json.loads(m.with_suffix(".json").read_text()), "test_accuracy": [1]})), "test_accuracy must be a number"),
    "sidecar nested too deep": (lambda m: m.with_suffix(".json").write_text("[" * 200_000 + "]" * 200_000),
                                "nested too deep"),
    "sidecar a pipe": (lambda m: (m.with_suffix(".json").unlink(), os.mkfifo(m.with_suffix(".json"))),
                       "a pipe or a device"),
}


@pytest.mark.parametrize("kind", list(BAD_MODELS))
@pytest.mark.parametrize("command", ["predict", "doctor"])
def test_a_bad_model_or_sidecar_is_one_line_naming_it(kind, command, tiny_models, tmp_path):
    model = _model_copy(tiny_models, tmp_path)
    spoil, message = BAD_MODELS[kind]
    spoil(model)
    image = tmp_path / "good.png"
    cv2.imwrite(str(image), _frame())
    args = ["predict", image, "--model", model] if command == "predict" else ["doctor", "--model", model]
    proc = _edge(*args)
    _no_crash(proc)
    assert proc.returncode == 1
    assert message in proc.stderr + proc.stdout


@pytest.mark.parametrize("args, message", [
    (["run", "--source", "²"], "is not a camera index"),
    (["run", "--source", "99999999999999999999"], "is not a camera index"),
    (["run", "--source", ""], "the source is empty"),
    (["run", "--source", "/nonexistent/video.avi"], "no such file or folder"),
    (["predict", "x.png", "--roi", "nan"], "is not a finite number"),
    (["predict", "x.png", "--min-confidence", "nan"], "is not a finite number"),
    (["predict", "x.png", "--threads", "99999999999"], "is not in the range"),
], ids=lambda value: " ".join(value) if isinstance(value, list) else None)
def test_bad_options_and_sources(args, message, tiny_models):
    proc = _edge(*args, "--model", tiny_models / "digits_int8.tflite", "--headless") if args[0] == "run" else \
        _edge(*args, "--model", tiny_models / "digits_int8.tflite")
    _no_crash(proc)
    assert proc.returncode in (1, 2) and message in proc.stderr


def test_debug_pictures_of_same_named_files_do_not_overwrite_each_other(tiny_models, tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        cv2.imwrite(str(tmp_path / folder / "row.png"), _frame())
    cv2.imwrite(str(tmp_path / "row-2.png"), _frame())  # the name a second row.png would be given
    debug = tmp_path / "debug"
    proc = _edge("predict", tmp_path / "a" / "row.png", tmp_path / "b" / "row.png", tmp_path / "row-2.png",
                 "--model", tiny_models / "digits_int8.tflite", "--debug-dir", debug)
    _no_crash(proc)
    assert proc.returncode == 0, proc.stderr
    names = {p.name for p in debug.iterdir()}
    stems, steps = ("row", "row-2", "row-3"), ("annotated", "crops")
    assert {f"{stem}_{step}.png" for stem in stems for step in steps} <= names


def test_a_file_in_the_way_of_a_debug_picture_is_an_error_naming_it(tiny_models, tmp_path):
    cv2.imwrite(str(tmp_path / "row.png"), _frame())
    debug = tmp_path / "debug"
    (debug / "row_annotated.png").mkdir(parents=True)  # a folder where the picture should go
    proc = _edge("predict", tmp_path / "row.png", "--model", tiny_models / "digits_int8.tflite", "--debug-dir", debug)
    _no_crash(proc)
    assert proc.returncode == 1 and "row_annotated.png" in proc.stderr
    assert proc.stdout.strip(), "the reading is said before its pictures are written"
    # None of the image's pictures is left: a set without its annotated frame would pass for complete.
    assert [p.name for p in debug.iterdir()] == ["row_annotated.png"]


def _mjpeg(frames: list[np.ndarray]) -> bytes:
    """A raw MJPEG stream: its frames are JPEGs one after another, each with its own size."""
    return b"".join(cv2.imencode(".jpg", frame)[1].tobytes() for frame in frames)


def test_a_video_whose_frame_size_changes_is_read_at_each_size_and_said(tiny_models, tmp_path):
    small = cv2.resize(_frame(), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    video = tmp_path / "resized.mjpeg"
    video.write_bytes(_mjpeg([_frame()] * 3 + [small] * 3))
    proc = _edge("run", "--source", video, "--headless", "--json", "--min-confidence", "0",
                 "--model", tiny_models / "digits_int8.tflite")
    _no_crash(proc)
    assert proc.returncode == 0, proc.stderr
    assert "resized.mjpeg: the frame size changes from 260x120 to 130x60" in proc.stderr
    assert proc.stderr.count("frame size changes") == 1
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(records) == 6 and all(r["digits"] for r in records)
    # Boxes are in the frame's own pixels: the small frames' fit inside 130x60 (rescaled they would not).
    right = [max(d["box"][0] + d["box"][2] for d in r["digits"]) for r in records]
    assert min(right[:3]) > 130 >= max(right[3:])


def test_a_damaged_packet_mid_video_does_not_end_the_run(tiny_models, tmp_path):
    good = cv2.imencode(".jpg", _frame())[1].tobytes()
    broken = good[:2] + bytes(200) + good[202:]  # a JPEG whose tables are zeros
    video = tmp_path / "damaged.mjpeg"
    video.write_bytes(good * 2 + broken + good * 2)
    proc = _edge("run", "--source", video, "--headless", "--json", "--min-confidence", "0",
                 "--model", tiny_models / "digits_int8.tflite")
    _no_crash(proc)
    assert len(proc.stdout.splitlines()) >= 4 and "Traceback" not in proc.stderr
    assert proc.returncode == 0, proc.stderr


def test_a_video_name_that_is_not_utf8_is_read(tiny_models, tmp_path):
    video = Path(os.fsdecode(bytes(tmp_path) + b"/clip\xff.mjpeg"))
    video.write_bytes(_mjpeg([_frame()] * 2))
    proc = _edge("run", "--source", video, "--headless", "--json", "--min-confidence", "0",
                 "--model", tiny_models / "digits_int8.tflite")
    _no_crash(proc)
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 2, proc.stderr


def test_an_image_name_that_is_not_utf8_is_escaped_in_json(tiny_models, tmp_path):
    """predict --json names the file as its text lines do: a strict JSON parser takes no lone surrogate."""
    image = Path(os.fsdecode(bytes(tmp_path) + b"/shot\xff.png"))
    image.write_bytes(cv2.imencode(".png", _frame())[1].tobytes())
    proc = _edge("predict", image, "--json", "--model", tiny_models / "digits_int8.tflite")
    _no_crash(proc)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["file"].endswith("shot\\xff.png")
    named = tmp_path / "shot 10.41.03\u202fAM.png"  # a narrow no-break space, as macOS names screenshots
    named.write_bytes(cv2.imencode(".png", _frame())[1].tobytes())
    proc = _edge("predict", named, "--json", "--model", tiny_models / "digits_int8.tflite")
    assert proc.returncode == 0 and json.loads(proc.stdout)["file"] == str(named), proc.stderr


def test_a_source_with_glob_characters_in_its_name_is_that_file(tiny_models, tmp_path):
    image = tmp_path / "shot[1].png"
    cv2.imwrite(str(image), _frame())
    proc = _edge("run", "--source", image, "--headless", "--json", "--model", tiny_models / "digits_int8.tflite")
    _no_crash(proc)
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 1, proc.stderr


def test_an_image_renamed_as_a_video_keeps_the_pixel_limit(tiny_models, tmp_path):
    video = tmp_path / "photo.mp4"
    video.write_bytes(cv2.imencode(".png", np.full((200, 300, 3), 200, np.uint8))[1].tobytes())
    proc = _edge("run", "--source", video, "--headless", "--max-pixels", "10000",
                 "--model", tiny_models / "digits_int8.tflite")
    _no_crash(proc)
    assert proc.returncode == 1
    assert "photo.mp4: 300x200 frames are over the limit of 0.01 megapixels" in proc.stderr


def test_an_empty_video_file_is_said_to_be_empty(tiny_models, tmp_path):
    """As an empty image is (FFmpeg's own word for it was "Invalid argument")."""
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"")
    proc = _edge("run", "--source", video, "--headless", "--model", tiny_models / "digits_int8.tflite")
    _no_crash(proc)
    assert proc.returncode == 1 and "clip.mp4: is empty (0 bytes)" in proc.stderr, proc.stderr


def test_a_jpeg_with_a_corrupt_exif_block_reads_without_noise(tiny_models, tmp_path):
    jpeg = _jpeg()
    exif = b"Exif\0\0MM\0*\0\0\xff\xff" + bytes(range(256)) * 2
    image = tmp_path / "exif.jpg"
    image.write_bytes(jpeg[:2] + b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif + jpeg[2:])
    proc = _edge("predict", image, "--model", tiny_models / "digits_int8.tflite")
    _no_crash(proc)
    assert proc.returncode == 0, proc.stderr
    assert [line for line in proc.stderr.splitlines() if not line.startswith("model ")] == []


@pytest.mark.parametrize("args, message", [
    (["serve", "--source", "0", "--bind", ""], "'--bind': is empty"),
    (["predict", "x.png", "--debug-dir", ""], "'--debug-dir': is empty"),
    (["score", ""], "is empty"),
], ids=lambda value: " ".join(value) if isinstance(value, list) else None)
def test_an_empty_path_or_address_is_refused_not_taken_as_here(args, message):
    proc = _edge(*args)
    _no_crash(proc)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr


@pytest.mark.parametrize("content, message", [
    (b"file,digits\nrow.png,12\xe9\n", "is not UTF-8 text"),
    (b"", "lists no photo"),
    (b"file,digits\nrow.png\n", "a row without both a file and its digits"),
    (b'file,digits\n"row.png,12\n', "a row without both a file and its digits"),
    (b"file,digits\n../row.png,12\n", "the row of ../row.png: the file must be a path inside the folder"),
    (b"file,digits\nrow.png,12a\n", "the row of row.png: the digits '12a' are not digits 0-9"),
    (None, "Is a directory"),
])
def test_labels_that_cannot_be_used_are_one_line_naming_them(content, message, tiny_models, tmp_path):
    if content is None:
        (tmp_path / "labels.csv").mkdir()
    else:
        (tmp_path / "labels.csv").write_bytes(content)
    proc = _edge("score", tmp_path, "--model", tiny_models / "digits_int8.tflite")
    _no_crash(proc)
    assert proc.returncode == 1 and f"{tmp_path / 'labels.csv'}: {message}" in proc.stderr, proc.stderr


def test_labels_from_a_spreadsheet_read_with_their_byte_order_mark_and_spaced_digits(tmp_path):
    """Excel's "CSV UTF-8" starts with a byte-order mark; truth may be written in groups; a photo of no
    digit has none."""
    from edge.scoring import read_labels
    (tmp_path / "labels.csv").write_bytes(b"\xef\xbb\xbffile,digits\r\na.png,12 34\r\nblank.png,\r\n")
    assert read_labels(tmp_path) == [("a.png", "1234"), ("blank.png", "")]

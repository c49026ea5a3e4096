"""Reading image files: odd names, bombs, truncation, alpha and deep pixels, EXIF orientation."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys

import cv2
import numpy as np
import pytest

from edge.imagefile import ImageError, decode_image, load_image
from tests.conftest import REPO
from tests.images import png_claiming


def _frame() -> np.ndarray:
    frame = np.full((120, 200, 3), 230, np.uint8)
    cv2.putText(frame, "42", (40, 95), cv2.FONT_HERSHEY_SIMPLEX, 3, (20, 20, 20), 8)
    return frame


def test_a_file_name_that_is_not_utf8_is_read(tmp_path):
    name = os.fsdecode(bytes(tmp_path) + b"/b\xff.jpg")
    cv2.imwrite(str(tmp_path / "plain.jpg"), _frame())
    os.rename(tmp_path / "plain.jpg", name)
    assert load_image(name).shape == (120, 200, 3)


@pytest.mark.parametrize("size", [(20000, 20000), (60000, 60000)])
def test_image_bombs_are_refused_from_the_header(size):
    with pytest.raises(ImageError, match=r"x.*megapixels, over the limit of 50"):
        decode_image(png_claiming(*size), "bomb.png")


def test_the_pixel_limit_is_settable():
    data = cv2.imencode(".png", _frame())[1].tobytes()
    assert decode_image(data, "small.png", max_pixels=200 * 120).shape == (120, 200, 3)
    with pytest.raises(ImageError, match="small.png: 200x120"):
        decode_image(data, "small.png", max_pixels=200 * 119)


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_a_truncated_image_is_an_error_for_that_file(suffix):
    data = cv2.imencode(suffix, _frame())[1].tobytes()
    with pytest.raises(ImageError, match="cut.jpg|cut.png"):
        decode_image(data[:int(len(data) * 0.6)], f"cut{suffix}")


def test_ink_only_in_the_alpha_channel_reads_as_dark_ink_on_white():
    canvas = np.zeros((120, 200, 4), np.uint8)  # transparent, black underneath
    cv2.putText(canvas, "7", (60, 100), cv2.FONT_HERSHEY_SIMPLEX, 3, (0, 0, 0, 255), 8)
    image = decode_image(cv2.imencode(".png", canvas)[1].tobytes(), "canvas.png")
    ink = canvas[:, :, 3] == 255
    assert image[~ink].mean() > 250 and image[ink].mean() < 5


def test_a_float_tiff_is_scaled_to_8_bits(tmp_path):
    gray = (_frame()[:, :, 0].astype(np.float32) / 255.0)
    path = tmp_path / "deep.tiff"
    assert cv2.imwrite(str(path), gray)
    image = load_image(path)
    assert image.dtype == np.uint8 and abs(float(image.mean()) - float(gray.mean() * 255)) < 2


def test_16_bit_png_is_scaled_to_8_bits():
    deep = (_frame().astype(np.uint16) * 257)
    image = decode_image(cv2.imencode(".png", deep)[1].tobytes(), "deep.png")
    assert np.abs(image.astype(int) - _frame()).max() <= 1


def test_exif_orientation_is_applied():
    from PIL import Image
    stored = np.full((60, 100, 3), 255, np.uint8)
    stored[:20, :20] = 0  # a mark in the stored top-left corner
    pil = Image.fromarray(stored)
    exif = pil.getexif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to view", as phones store portrait shots
    buffer = io.BytesIO()
    pil.save(buffer, "JPEG", exif=exif.tobytes())
    upright = decode_image(buffer.getvalue(), "sideways.jpg")
    assert upright.shape[:2] == (100, 60)
    assert upright[:20, -20:].mean() < 40 and upright[:20, :20].mean() > 200  # the mark is now top-right


def test_what_is_not_an_image_file_says_what_it_is(tmp_path):
    with pytest.raises(ImageError, match="is a folder"):
        load_image(tmp_path)
    os.mkfifo(tmp_path / "pipe.jpg")
    with pytest.raises(ImageError, match="not a regular file"):
        load_image(tmp_path / "pipe.jpg")
    (tmp_path / "empty.jpg").write_bytes(b"")
    with pytest.raises(ImageError, match="empty"):
        load_image(tmp_path / "empty.jpg")
    (tmp_path / "text.jpg").write_text("hello")
    with pytest.raises(ImageError, match="not a readable image"):
        load_image(tmp_path / "text.jpg")
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_image(tmp_path / "absent.jpg")


@pytest.mark.slow
def test_predict_reads_the_good_file_beside_an_odd_name(tmp_path, tiny_models):
    """Was a segfault (exit 139) before any file was read: the good file must still be read."""
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), _frame())
    odd = os.fsdecode(bytes(tmp_path) + b"/b\xff.png")
    cv2.imwrite(str(tmp_path / "tmp.png"), _frame())
    os.rename(tmp_path / "tmp.png", odd)
    proc = subprocess.run([sys.executable, "-m", "edge", "predict", "--model", str(tiny_models / "digits_int8.tflite"),
                           odd.encode("utf-8", "surrogateescape"), str(good)],
                          cwd=REPO, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    lines = proc.stdout.decode(errors="replace").splitlines()
    assert len(lines) == 2 and lines[1].startswith(str(good))


def test_library_noise_is_not_printed_and_damage_is_an_error(capfd):
    """libpng and libjpeg write to the process's stderr past OpenCV's log level."""
    png = cv2.imencode(".png", _frame())[1].tobytes()
    body = b"Comment\x00hello"
    bad_chunk = struct.pack(">I", len(body)) + b"tEXt" + body + b"\x00\x00\x00\x00"  # a wrong CRC
    end = png.rfind(b"IEND") - 4
    assert decode_image(png[:end] + bad_chunk + png[end:], "crc.png").shape == (120, 200, 3)
    jpeg = cv2.imencode(".jpg", _frame())[1].tobytes()
    cut = jpeg[:len(jpeg) // 2] + b"\xff\xd9"  # half the scan, then an end-of-image marker
    with pytest.raises(ImageError, match="cut.jpg: the image data is damaged"):
        decode_image(cut, "cut.jpg")
    captured = capfd.readouterr()
    assert "libpng" not in captured.err and "JPEG" not in captured.err


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    from edge.imagefile import MAX_FILE_BYTES
    huge = tmp_path / "huge.jpg"
    with open(huge, "wb") as f:  # sparse: no disk is used
        f.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(ImageError, match=r"huge.jpg: 209,715,201 bytes, more than the 200 MB an image may be"):
        load_image(huge)


def test_opencv_is_quieted_in_either_api():
    # OpenCV 5 (and 4.x built with it) has cv2.utils.logging; the 4.x aarch64 wheels that the
    # tflite-runtime fallback installs have only cv2.setLogLevel: importing the reader must work on both.
    from types import SimpleNamespace

    from edge.imagefile import OPENCV_LOG_LEVEL_ERROR, quiet_opencv
    levels = []
    new = SimpleNamespace(utils=SimpleNamespace(logging=SimpleNamespace(LOG_LEVEL_ERROR=2, setLogLevel=levels.append)))
    old = SimpleNamespace(utils=SimpleNamespace(), setLogLevel=levels.append)
    quiet_opencv(new)
    quiet_opencv(old)
    quiet_opencv(SimpleNamespace())  # neither: nothing to set, no error
    assert levels == [2, OPENCV_LOG_LEVEL_ERROR]


@pytest.mark.parametrize("mode", ["RGBA", "LA", "I;16"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_of_alpha_and_deep_pngs_matches_a_jpeg(mode, orientation):
    """Alpha and 16-bit pixels take OpenCV's raw decode, which ignores EXIF; the result must be
    turned as a JPEG with the same tag is (every one of the eight orientations)."""
    from PIL import Image
    stored = np.full((60, 100), 255, np.uint8)
    stored[:20, :30] = 0  # a mark in the stored top-left corner, wider than tall
    exif = Image.Exif()
    exif[0x0112] = orientation
    encoded = {}
    for fmt, pil in (("JPEG", Image.fromarray(stored).convert("RGB")),
                     ("PNG", Image.fromarray(stored.astype(np.uint16) * 257).convert("I;16") if mode == "I;16"
                      else Image.fromarray(stored).convert(mode))):
        buffer = io.BytesIO()
        pil.save(buffer, fmt, exif=exif.tobytes())
        encoded[fmt] = decode_image(buffer.getvalue(), f"x.{fmt.lower()}")
    assert encoded["PNG"].shape == encoded["JPEG"].shape
    assert np.abs(encoded["PNG"].astype(int) - encoded["JPEG"].astype(int)).mean() < 8

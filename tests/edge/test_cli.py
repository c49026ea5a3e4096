"""python -m edge end to end: predict, run on a synthetic video, bad inputs, no TensorFlow."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest
from click.testing import CliRunner

from edge.cli import main
from edge.synth import write_video
from tests.conftest import REPO
from tests.images import synthetic_rows as _frames

pytestmark = pytest.mark.slow


def _invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_help_of_every_command():
    for command in ([], ["predict"], ["run"]):
        result = _invoke(*command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


def test_predict_json_schema_and_debug_dir(tiny_models, confident_digits, tmp_path):
    frames, texts = _frames(*confident_digits, count=1)
    image = tmp_path / "sheet.png"
    cv2.imwrite(str(image), frames[0])
    result = _invoke("predict", image, "--model", tiny_models / "digits_int8.tflite", "--json",
                     "--debug-dir", tmp_path / "debug", "--min-confidence", "0")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout.strip())
    assert set(record) >= {"file", "text", "digits", "timing_ms"}
    assert set(record["timing_ms"]) >= {"preprocess", "inference", "total"}
    assert record["text"] == texts[0]
    first = record["digits"][0]
    assert set(first) == {"label", "confidence", "box"} and len(first["box"]) == 4
    debug = sorted(p.name for p in (tmp_path / "debug").iterdir())
    assert "sheet_annotated.png" in debug and "sheet_crops.png" in debug
    crop = cv2.imread(str(tmp_path / "debug" / "sheet_crop00.png"), cv2.IMREAD_GRAYSCALE)
    assert crop.shape == (28, 28)


def test_predict_classifies_a_28x28_image_as_it_is(tiny_models, confident_digits, tmp_path):
    images, labels = confident_digits
    path = tmp_path / "mnist.png"
    cv2.imwrite(str(path), images[0])
    result = _invoke("predict", path, "--model", tiny_models / "digits_int8.tflite")
    assert result.exit_code == 0 and result.stdout.strip() == str(labels[0])
    cv2.imwrite(str(path), 255 - images[0])  # dark on light, as drawn on paper
    result = _invoke("predict", path, "--model", tiny_models / "digits_int8.tflite")
    assert result.stdout.strip() == str(labels[0])


def test_predict_keeps_going_past_bad_files(tiny_models, confident_digits, tmp_path):
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), confident_digits[0][0])
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 truncated jpeg")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    result = _invoke("predict", broken, good, text, tmp_path / "missing.png",
                     "--model", tiny_models / "digits_int8.tflite")
    assert result.exit_code == 1
    assert f"{good}: {confident_digits[1][0]}" in result.stdout
    assert f"error: {broken}: the JPEG data is truncated" in result.stderr
    assert f"error: {text}: not a readable image" in result.stderr
    assert "missing.png: no such file" in result.stderr
    assert "3 of 4 image(s) could not be read" in result.stderr
    assert "Traceback" not in result.output


def test_run_on_synthetic_video(tiny_models, confident_digits, tmp_path):
    frames, texts = _frames(*confident_digits, count=6, seed=3)
    video = tmp_path / "sheet.avi"
    write_video(frames, str(video))
    result = _invoke("run", "--source", video, "--headless", "--json", "--min-confidence", "0",
                     "--model", tiny_models / "digits_int8.tflite")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 6
    assert [r["raw_text"] for r in records] == texts
    assert set(records[0]["timing_ms"]) == {"capture", "preprocess", "inference", "draw", "total"}
    assert "6 frames in" in result.stderr and "inference p50" in result.stderr


def test_run_smooth_votes_over_frames(tiny_models, confident_digits, tmp_path):
    frames, texts = _frames(*confident_digits, count=1, seed=5)
    blank = np.full_like(frames[0], 200)
    video = tmp_path / "flicker.avi"
    write_video([frames[0], frames[0], blank, frames[0]], str(video))
    result = _invoke("run", "--source", video, "--headless", "--json", "--smooth", "3",
                     "--min-confidence", "0", "--model", tiny_models / "digits_int8.tflite")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["raw_text"] for r in records] == [texts[0], texts[0], "", texts[0]]
    assert [r["text"] for r in records] == [texts[0]] * 4


@pytest.mark.parametrize("source, message", [
    ("7", "camera 7 could not be opened"),
    ("nowhere/*.png", "no image files"),
    ("missing.mp4", "missing.mp4: no such file or folder"),
])
def test_run_bad_sources(tiny_models, source, message):
    result = _invoke("run", "--source", source, "--headless", "--model", tiny_models / "digits_int8.tflite")
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_run_corrupt_video(tiny_models, tmp_path):
    bad = tmp_path / "bad.avi"
    bad.write_bytes(os.urandom(2048))
    result = _invoke("run", "--source", bad, "--headless", "--model", tiny_models / "digits_int8.tflite")
    assert result.exit_code == 1 and "not a video FFmpeg can open" in result.output


def test_missing_model_is_one_clear_line(tmp_path):
    result = _invoke("predict", "x.png", "--model", tmp_path / "none.tflite")
    assert result.exit_code == 1
    missing = tmp_path / "none.tflite"
    assert result.output.strip() == f"Error: model {missing} not found: build it with `make train convert`"


def test_edge_runs_where_tensorflow_cannot_be_imported(tiny_models, confident_digits, tmp_path):
    blocker = tmp_path / "blocker"
    (blocker / "tensorflow").mkdir(parents=True)
    (blocker / "tensorflow" / "__init__.py").write_text("raise ImportError('TensorFlow is not on this device')\n")
    image = tmp_path / "digit.png"
    cv2.imwrite(str(image), confident_digits[0][0])
    env = {**os.environ, "PYTHONPATH": f"{blocker}{os.pathsep}{REPO}"}
    base = [sys.executable, "-m", "edge", "predict", str(image), "--model", str(tiny_models / "digits_int8.tflite")]
    ok = subprocess.run(base, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == str(confident_digits[1][0])
    forced = subprocess.run(base + ["--backend", "tensorflow"], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=120)
    assert forced.returncode == 1
    assert "tensorflow: ImportError: TensorFlow is not on this device" in forced.stderr
    assert "pip install ai-edge-litert" in forced.stderr and "Traceback" not in forced.stderr


def test_doctor_reports_backend_and_verdict(tiny_models):
    result = _invoke("doctor", "--model", tiny_models / "digits_int8.tflite")
    assert result.exit_code == 0, result.output
    assert "backend" in result.output and "litert" in result.output
    assert "numpy" in result.output and "opencv" in result.output and "cameras" in result.output
    assert result.output.strip().splitlines()[-1].split() == ["verdict", "ready"]


def test_doctor_says_what_is_wrong(tmp_path):
    result = _invoke("doctor", "--model", tmp_path / "none.tflite")
    assert result.exit_code == 1
    assert "NOT READY" in result.output and "none.tflite not found" in result.output


def test_sigterm_ends_run_with_its_summary(tiny_models, confident_digits, tmp_path):
    """systemctl stop sends SIGTERM: the service must log its summary and exit 0."""
    import signal
    import time
    frames, _ = _frames(*confident_digits, count=2, seed=7)
    folder = tmp_path / "frames"
    folder.mkdir()
    for k, frame in enumerate(frames * 200):  # long enough to be stopped mid-run
        cv2.imwrite(str(folder / f"f{k:04d}.png"), frame)
    proc = subprocess.Popen([sys.executable, "-m", "edge", "run", "--source", str(folder), "--headless", "--json",
                             "--model", str(tiny_models / "digits_int8.tflite")], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().startswith("{")  # it is reading
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "stopped (Ctrl-C or SIGTERM)" in err and "frames in" in err and "Traceback" not in err


def test_a_run_that_reads_no_frame_fails(tiny_models, tmp_path):
    (tmp_path / "a.png").write_bytes(b"not an image")
    result = _invoke("run", "--source", tmp_path, "--headless", "--model", tiny_models / "digits_int8.tflite")
    assert result.exit_code == 1 and "gave no frame to read" in result.output


def test_a_newline_in_a_file_name_does_not_split_the_output_line(tiny_models, confident_digits, tmp_path):
    frames, _ = _frames(*confident_digits, count=1)
    odd, plain = tmp_path / "two\nlines.png", tmp_path / "plain.png"
    cv2.imwrite(str(plain), frames[0])
    odd.write_bytes(plain.read_bytes())
    result = _invoke("predict", odd, plain, "--model", tiny_models / "digits_int8.tflite")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith(str(tmp_path / "two\\nlines.png"))

"""Kill tests: convert and train stopped by SIGKILL or SIGTERM at several points; afterwards each
installed model and its sidecar belong together (old or new, never mixed or half-written), and the
next run starts clean and leaves nothing behind."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

MODELS = ("digits_int8.tflite", "digits_float32.tflite")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _consistent(out: Path) -> None:
    """Every model present has its own sidecar, and nothing visible is half-written."""
    for name in MODELS:
        model = out / name
        sidecar = model.with_suffix(".json")
        if model.exists():
            assert sidecar.exists(), f"{name} without its sidecar"
            assert json.loads(sidecar.read_text())["sha256"] == _sha(model), f"{name} and its sidecar disagree"
    visible_tmp = [p.name for p in out.iterdir() if ".tmp" in p.name and not p.name.startswith(".")]
    assert not visible_tmp


def _leftovers(out: Path) -> list[str]:
    return [p.name for p in out.iterdir() if p.name.startswith(".")]


def _wait_for(folder: Path, pattern: str, proc: subprocess.Popen, timeout_s: float = 300.0) -> None:
    """Until the run has reached the point where `pattern` exists in its output folder."""
    deadline = time.monotonic() + timeout_s
    while not list(folder.glob(pattern)):
        assert proc.poll() is None, "the run ended before the point to kill it at"
        assert time.monotonic() < deadline, f"no {pattern} after {timeout_s} s"
        time.sleep(0.05)


def _env() -> dict:
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(REPO)}


# Killed while starting up, while validating its staged candidates, and a moment later.
@pytest.mark.parametrize("sig, point, after_s", [(signal.SIGKILL, None, 2.0), (signal.SIGKILL, ".convert-*", 0.0),
                                                 (signal.SIGKILL, ".convert-*", 1.0),
                                                 (signal.SIGTERM, ".convert-*", 0.5)])
def test_convert_killed_leaves_consistent_models_and_the_next_run_starts_clean(tiny_models, mnist_dir, tmp_path,
                                                                               sig, point, after_s):
    out = tmp_path / "models"
    out.mkdir()
    for name in ("digits.keras", *MODELS, "digits_int8.json", "digits_float32.json"):
        shutil.copy(tiny_models / name, out)
    command = [sys.executable, "-m", "convert", "--keras-model", str(out / "digits.keras"), "--output-dir",
               str(out), "--data-dir", str(mnist_dir), "--representative-size", "20", "--test-limit", "200",
               "--min-accuracy", "0", "--max-drop", "100"]
    proc = subprocess.Popen(command, cwd=REPO, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if point:
        _wait_for(out, point, proc)
    time.sleep(after_s)
    proc.send_signal(sig)
    proc.wait(timeout=120)
    _consistent(out)
    again = subprocess.run(command, cwd=REPO, env=_env(), capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    _consistent(out)
    assert _leftovers(out) == []


def _epochs_logged(folder: Path) -> int:
    return max((len(p.read_text().splitlines()) - 1 for p in folder.glob(".history.*.tmp.csv")), default=0)


# Killed as training starts, and after its first epoch is logged: points the run reaches whatever the
# machine's speed (a kill after a fixed delay found the run already finished on a fast machine).
@pytest.mark.parametrize("epochs_done", [0, 1])
def test_train_killed_replaces_nothing_half_way_and_the_next_run_starts_clean(mnist_dir, tmp_path, epochs_done):
    out = tmp_path / "models"
    out.mkdir()
    (out / "digits.keras").write_bytes(b"the previous model")
    command = [sys.executable, "-m", "train", "--output-dir", str(out), "--data-dir", str(mnist_dir),
               "--epochs", "6", "--train-limit", "2000", "--test-limit", "200", "--no-augment"]
    proc = subprocess.Popen(command, cwd=REPO, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for(out, ".history.*.tmp.csv", proc)  # training has started
    deadline = time.monotonic() + 300
    while _epochs_logged(out) < epochs_done:
        assert proc.poll() is None and time.monotonic() < deadline, "the run ended before its first epoch was logged"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert _leftovers(out)  # the kill did leave its temporary behind: the next run must clear it
    assert (out / "digits.keras").read_bytes() == b"the previous model"
    again = subprocess.run(command, cwd=REPO, env=_env(), capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    assert (out / "digits.keras").read_bytes()[:2] == b"PK"
    assert _leftovers(out) == []

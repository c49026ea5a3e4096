"""Soak: the live loop over 20,000 frames from an endless synthetic camera, with frames that fail to
decode and a camera that drops out and comes back; memory and file descriptors stay flat, every frame
is accounted for, and SIGTERM ends it with the summary and exit 0."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

SOAK_FRAMES = 20_000
WARM_UP_FRAMES = 2_000
MAX_RSS_GROWTH_MIB = 5.0

# The child: a real Camera over a scripted capture (a generator, not a file), the real live loop.
CHILD = r"""
import json, os, signal, sys
import numpy as np, cv2
from edge.cli import _interrupt
from edge.live import LiveOptions, run_live
from edge.reader import DigitReader
from edge.runtime import Classifier
from edge.sources import Camera
from edge.synth import draw_digits

def rss_mib():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) / 1024

rng = np.random.default_rng(0)
digits = np.zeros((4, 28, 28), np.uint8)
for d in digits:
    cv2.line(d, (14, 4), (14 + int(rng.integers(-3, 4)), 23), 255, 3)
frames = [draw_digits(digits, size=(240, 320), digit_height_px=40, seed=k) for k in range(4)]

class EndlessCapture:
    # Every 997th frame fails to decode (an empty frame); reads 5000-5002 fail: a drop-out
    # that the camera survives by reopening (it tries 3 times).
    def __init__(self):
        self.n = 0
    def isOpened(self):
        return True
    def read(self):
        self.n += 1
        if 5000 <= self.n < 5003:
            return False, None
        if self.n % 997 == 0:
            return True, np.zeros((0, 0, 3), np.uint8)
        return True, frames[self.n % len(frames)]
    def set(self, prop, value):
        return True
    def release(self):
        pass

capture = EndlessCapture()
camera = Camera(0, capture_factory=lambda index: capture, reopen_delay_s=0.001,
                on_error=lambda m: print(json.dumps({"warning": m}), file=sys.stderr, flush=True))
reader = DigitReader(Classifier(sys.argv[1]))
signal.signal(signal.SIGTERM, _interrupt)

def emit(record):
    print(json.dumps(record), flush=True)
    if record["frame"] % 1000 == 0:
        print(json.dumps({"frame": record["frame"], "rss_mib": rss_mib(),
                          "fds": len(os.listdir("/proc/self/fd"))}), file=sys.stderr, flush=True)

summary = run_live(camera, reader, LiveOptions(headless=True), emit=emit)
print(summary.describe(), file=sys.stderr, flush=True)
"""


def test_soak_flat_memory_every_frame_accounted_for_and_sigterm(tiny_models):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(tiny_models / "digits_int8.tflite")], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    seen = []
    try:
        for line in proc.stdout:
            seen.append(json.loads(line)["frame"])
            if len(seen) >= SOAK_FRAMES:
                break
        proc.send_signal(signal.SIGTERM)
        rest, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    seen += [json.loads(line)["frame"] for line in rest.splitlines()]
    assert proc.returncode == 0, err[-2000:]
    assert "Traceback" not in err
    # Every frame is in the stream, in order, once: readings and the frames that failed alike.
    assert seen == list(range(len(seen))) and len(seen) >= SOAK_FRAMES
    records = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    checkpoints = [r for r in records if "rss_mib" in r]
    warnings = [r["warning"] for r in records if "warning" in r]
    assert any("reopening" in w for w in warnings)  # the drop-out happened and was survived
    warm = next(c for c in checkpoints if c["frame"] >= WARM_UP_FRAMES)
    last = checkpoints[-1]
    assert last["frame"] >= SOAK_FRAMES - 1000
    assert last["rss_mib"] - warm["rss_mib"] < MAX_RSS_GROWTH_MIB, checkpoints
    assert last["fds"] == warm["fds"], checkpoints
    assert "stopped (Ctrl-C or SIGTERM)" in err and "frames in" in err

"""`edge serve` against `edge run --headless` on the same video: frame-loop p50 and resident memory."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Callable

import numpy as np

REPO = Path(__file__).resolve().parents[1]
# Memory is sampled once a process has read this share of the frames (imports done, buffers grown):
# at the same point of the video for both, however fast the machine reads it.
SETTLE_SHARE = 0.5
WAIT_S = 300.0  # for a served loop to reach a frame count
MOSQUITTO = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if os.path.exists("/usr/sbin/mosquitto") else None)


def _rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _edge(*args) -> list[str]:
    return [sys.executable, "-m", "edge", *map(str, args)]


def measure_run(model: Path, video: Path, frames: int) -> dict:
    """`run --headless --json` to `frames` frames: its loop p50 (ms) and its RSS once settled."""
    proc = subprocess.Popen(_edge("run", "--source", video, "--headless", "--json", "--model", model,
                                  "--max-frames", frames), cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    totals, rss = [], None
    for line in proc.stdout:
        record = json.loads(line)
        if "timing_ms" in record:
            totals.append(record["timing_ms"]["total"])
        if rss is None and len(totals) >= SETTLE_SHARE * frames:
            rss = _rss_mib(proc.pid)
    proc.wait()
    if proc.returncode != 0 or rss is None:
        raise RuntimeError(f"edge run failed or read {len(totals)} of {frames} frames (exit {proc.returncode})")
    return {"frames": len(totals), "loop_ms_p50": float(np.median(totals)), "rss_mib": rss}


class _Viewer(threading.Thread):
    """Reads /stream.mjpg as a browser would, counting the JPEG frames it gets."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.frames, self.stop = url, 0, threading.Event()

    def run(self) -> None:
        with urllib.request.urlopen(self.url + "stream.mjpg", timeout=30) as stream:
            while not self.stop.is_set():
                chunk = stream.read(65536)
                if not chunk:
                    return
                self.frames += chunk.count(b"\xff\xd8\xff")


def _status(url: str) -> dict:
    with urllib.request.urlopen(url + "api/status", timeout=10) as response:
        return json.loads(response.read())


def _wait_for_frame(url: str, frame: float) -> dict:
    """The served loop's status once it has read `frame` frames."""
    deadline = time.monotonic() + WAIT_S
    while (status := _status(url))["frame"] < frame:
        if time.monotonic() > deadline:
            raise RuntimeError(f"edge serve read {status['frame']} frames in {WAIT_S:.0f} s, not {frame:.0f}")
        time.sleep(0.25)  # each poll is work for the server being measured: seldom
    return status


def measure_serve(model: Path, video: Path, frames: int, watched: bool, workdir: Path) -> dict:
    """`serve --loop`, nobody watching: its RSS once settled, as run's. Watched: one stream viewer from the
    start and MQTT to a local Mosquitto (when installed); the loop p50 over the first `frames` frames."""
    args = ["serve", "--source", video, "--loop", "--port", "0", "--model", model]
    broker = None
    if watched and MOSQUITTO:
        port = _free_port()
        (workdir / "mosquitto.conf").write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\n")
        broker = subprocess.Popen([MOSQUITTO, "-c", str(workdir / "mosquitto.conf")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        args += ["--mqtt", f"mqtt://127.0.0.1:{port}", "--ha-discovery", "--device-id", "bench"]
    proc = subprocess.Popen(_edge(*args), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        for line in proc.stderr:
            found = re.search(r"serving (http://\S+/)", line)
            if found:
                url = found.group(1)
                break
        if url is None:
            raise RuntimeError("edge serve did not start")
        threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
        if not watched:
            _wait_for_frame(url, SETTLE_SHARE * frames)
            return {"rss_mib": _rss_mib(proc.pid)}
        viewer = _Viewer(url)
        viewer.start()
        status = _wait_for_frame(url, frames)
        viewer.stop.set()
        return {"loop_ms_p50": status["stages_ms"]["total"]["p50"], "frames": status["frame"],
                "viewer_frames": viewer.frames, "mqtt": broker is not None, "rss_mib": _rss_mib(proc.pid)}
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if broker is not None:
            broker.terminate()
            broker.wait(timeout=10)


def serving_figures(model: Path, scenes: list[np.ndarray], frames: int, log: Callable[[str], None]) -> dict:
    """Both processes on one video of the scenes repeated: loop p50 ratio and the memory difference.

    The stage timer keeps the last 10,000 frames, so `frames` should stay below that.
    """
    from edge.synth import write_video
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as work:
        work = Path(work)
        video = work / "scenes.avi"
        repeats = max(1, frames // len(scenes) + 1)
        write_video([scene for scene in scenes for _ in range(repeats)], str(video), fps=10)
        log("serving: edge run --headless")
        run = measure_run(model, video, frames)
        log("serving: edge serve, nobody watching")
        idle = measure_serve(model, video, frames, watched=False, workdir=work)
        log("serving: edge serve with a stream viewer and MQTT")
        watched = measure_serve(model, video, frames, watched=True, workdir=work)
    return {"frames": frames, "run": run, "serve_idle": idle, "serve_watched": watched,
            "loop_p50_ratio": watched["loop_ms_p50"] / run["loop_ms_p50"],
            "idle_rss_extra_mib": idle["rss_mib"] - run["rss_mib"]}

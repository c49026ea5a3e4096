"""`edge serve` as a user starts it: a real process on a free loopback port, reading a synthetic video."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from edge.synth import write_video
from tests.conftest import REPO
from tests.images import synthetic_rows

START_TIMEOUT_S = 60


@dataclass
class Served:
    """A running `python -m edge serve` and what it said on stderr."""

    process: subprocess.Popen
    url: str = ""
    lines: list[str] = field(default_factory=list)

    def get(self, path: str, headers: dict | None = None, timeout: float = 10.0,
            method: str = "GET") -> tuple[int, dict, bytes]:
        request = urllib.request.Request(self.url + path.lstrip("/"), headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def json(self, path: str, **kwargs) -> tuple[int, dict]:
        status, _, body = self.get(path, **kwargs)
        return status, json.loads(body)

    def post(self, path: str, body: bytes, content_type: str, timeout: float = 60.0) -> tuple[int, dict]:
        request = urllib.request.Request(self.url + path.lstrip("/"), data=body, method="POST",
                                         headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def metric(self, name: str, query: str = "") -> float:
        status, _, body = self.get("/metrics" + query)
        assert status == 200
        for line in body.decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        raise AssertionError(f"{name} is not in /metrics")

    def stop(self) -> int:
        """SIGTERM, as systemctl stop sends it; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def said(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))


def start_serve(*args, cwd: Path = REPO, env: dict | None = None) -> Served:
    """Starts the server on port 0 and waits until it says where it listens."""
    process = subprocess.Popen([sys.executable, "-m", "edge", "serve", "--port", "0", *map(str, args)],
                               cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env=None if env is None else {**os.environ, **env})
    served = Served(process)
    ready = threading.Event()

    def collect() -> None:
        for line in process.stderr:
            served.lines.append(line.rstrip("\n"))
            found = re.search(r"serving (http://\S+/)", line)
            if found:
                served.url = found.group(1)
                ready.set()
        ready.set()

    threading.Thread(target=collect, daemon=True).start()
    if not ready.wait(START_TIMEOUT_S) or not served.url:
        served.stop()
        raise AssertionError("edge serve did not start:\n" + "\n".join(served.lines))
    return served


def wait_for(condition, timeout: float = 30.0, what: str = "the condition"):
    """Polls until condition() is truthy; returns its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@dataclass(frozen=True)
class DemoVideo:
    path: Path
    texts: list[str]  # what the tiny model reads on each scene, in order


@pytest.fixture(scope="session")
def demo_video(tmp_path_factory, confident_digits) -> DemoVideo:
    """Three scenes of six confident digits, 15 frames each: the reading changes twice per pass."""
    frames, texts = synthetic_rows(*confident_digits, count=3, seed=11, per_frame=6)
    path = tmp_path_factory.mktemp("serve") / "demo.avi"
    write_video([frame for frame in frames for _ in range(15)], str(path), fps=10)
    return DemoVideo(path, texts)


@pytest.fixture
def served(tiny_models, demo_video):
    """The server replaying the demo video, with the tiny model."""
    server = start_serve("--source", demo_video.path, "--loop", "--smooth", "3", "--min-confidence", "0",
                         "--model", tiny_models / "digits_int8.tflite")
    yield server
    server.stop()

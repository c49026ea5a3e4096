"""What the reading loop last saw, shared between its thread, the web server and MQTT."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np

from edge.serve.metrics import Histogram
from edge.stats import StageTimer

JPEG_QUALITY = 80
# /healthz says the source is lost when no frame came for this long.
STALE_FRAME_S = 5.0
FPS_SMOOTHING = 0.1  # weight of the newest frame interval in the running FPS


@dataclass(frozen=True)
class Health:
    ok: bool
    status: str  # starting, reading, lost, ended
    reason: str
    seconds_since_frame: float | None


class LiveState:
    """The latest frame, reading and counters; the reading thread writes, the server reads.

    Listeners are called from the reading thread after each frame with whether the smoothed
    text changed; they must return quickly (the web server hands over to its own loop).
    """

    def __init__(self, roi_for: Callable[[tuple[int, ...]], object] | None = None) -> None:
        self._lock = threading.Lock()
        self._roi_for = roi_for
        self._listeners: list[Callable[[bool], None]] = []
        self.started_at = time.monotonic()
        self.frame_id = 0  # frames seen, 1 for the first
        self._frame: np.ndarray | None = None
        self._reading = None
        self.record: dict | None = None  # the latest `run --json` record
        self.text: str | None = None  # the latest smoothed reading
        self.text_changed_at: float | None = None
        self.fps = 0.0
        self._last_frame_at: float | None = None
        self._status, self._reason = "starting", "waiting for the first frame"
        self._encode_lock = threading.Lock()  # viewers woken together encode a frame once
        self._jpeg: tuple[int, bytes] | None = None
        self._crops: tuple[int, bytes] | None = None
        # Prometheus counters and histograms.
        self.frames_total = 0
        self.frame_errors_total = 0
        self.readings_total = 0  # changes of the smoothed reading
        self.source_errors_total = 0
        self.jpeg_encoded_total = 0  # frames encoded for /stream.mjpg: only while someone watches
        self.stages: dict[str, Histogram] = {}
        self.timer = StageTimer()  # the reading loop's own percentiles, over its last frames

    def listen(self, callback: Callable[[bool], None]) -> None:
        """callback(text_changed) after every frame, from the reading thread."""
        self._listeners.append(callback)

    def update(self, record: dict, frame: np.ndarray, reading) -> None:
        """One frame from the reading loop (edge.live.run_live's on_frame)."""
        now = time.monotonic()
        with self._lock:
            if self._last_frame_at is not None:
                interval = now - self._last_frame_at
                if interval > 0:
                    rate = 1.0 / interval
                    self.fps = rate if not self.fps else self.fps + FPS_SMOOTHING * (rate - self.fps)
            self._last_frame_at = now
            self._status, self._reason = "reading", ""
            self.frame_id += 1
            self.frames_total += 1
            changed = False
            if reading is None:
                self.frame_errors_total += 1
            else:
                # A copy, in one buffer kept from frame to frame: holding the loop's own frame kept
                # the allocator from reusing its memory, and every next frame's buffers were fresh
                # pages (0.3 ms more per 640x480 frame; the copy costs 29 us; Intel(R) Xeon(R)
                # Processor, 2 cores).
                kept = self._frame
                if kept is None or kept.shape != frame.shape or kept.dtype != frame.dtype:
                    self._frame = np.empty_like(frame)
                np.copyto(self._frame, frame)
                self._reading, self.record = reading, record
                for stage, ms in record["timing_ms"].items():
                    if "." not in stage:
                        self.stages.setdefault(stage, Histogram()).observe(ms / 1e3)
                if record["text"] != self.text:
                    changed = True
                    self.text, self.text_changed_at = record["text"], time.time()
                    self.readings_total += 1
        for listener in self._listeners:
            listener(changed)

    def source_down(self, status: str, reason: str) -> None:
        """The source is lost (and being retried) or ended."""
        with self._lock:
            self._status, self._reason = status, reason
            if status == "lost":
                self.source_errors_total += 1
        for listener in self._listeners:
            listener(False)

    def health(self) -> Health:
        with self._lock:
            since = None if self._last_frame_at is None else time.monotonic() - self._last_frame_at
            status, reason = self._status, self._reason
        if status == "reading" and since is not None and since > STALE_FRAME_S:
            status, reason = "lost", f"no frame for {since:.0f} s"
        return Health(status == "reading", status, reason, since)

    def snapshot(self) -> dict:
        """The page's status block: reading, confidences, FPS, stage timings, health."""
        health = self.health()
        with self._lock:
            record = self.record
            fps = self.fps
        return {"status": health.status, "reason": health.reason, "fps": round(fps, 2),
                "frame": self.frame_id, "reading": record, "stages_ms": self.timer.summary()}

    def jpeg(self) -> tuple[int, bytes] | None:
        """(frame id, the annotated frame as JPEG), encoded once per frame and only when asked."""
        with self._encode_lock:
            return self._encode_jpeg()

    def _encode_jpeg(self) -> tuple[int, bytes] | None:
        from edge.overlay import annotate
        with self._lock:
            frame_id, reading, fps, cached = self.frame_id, self._reading, self.fps, self._jpeg
            if cached is not None and cached[0] == frame_id:
                return cached
            # The buffer is written again by the next frame: this frame is taken whole, here.
            frame = None if self._frame is None else self._frame.copy()
        if frame is None:
            return None
        roi = self._roi_for(frame.shape) if self._roi_for else None
        ok, data = cv2.imencode(".jpg", annotate(frame, reading, fps=fps, roi=roi),
                                [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            return None
        encoded = (frame_id, data.tobytes())
        with self._lock:
            self._jpeg = encoded
            self.jpeg_encoded_total += 1
        return encoded

    def crops_png(self) -> bytes | None:
        """The 28x28 crops the model saw in the latest frame, side by side, captioned, as PNG."""
        with self._encode_lock:
            return self._encode_crops()

    def _encode_crops(self) -> bytes | None:
        from edge.overlay import crop_strip
        with self._lock:
            frame_id, reading, cached = self.frame_id, self._reading, self._crops
        if reading is None:
            return None
        if cached is not None and cached[0] == frame_id:
            return cached[1]
        ok, data = cv2.imencode(".png", crop_strip(reading.crops, [d.label for d in reading.digits], zoom=2))
        if not ok:
            return None
        with self._lock:
            self._crops = (frame_id, data.tobytes())
        return self._crops[1]

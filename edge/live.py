"""The live loop: capture, read, smooth, draw or stream, with per-stage timing."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np

from edge.smoothing import MajorityVote
from edge.stats import StageTimer

if TYPE_CHECKING:
    from edge.reader import Reading

QUIT_KEYS = {ord("q"), 27}  # q, Esc
STAGES = ("capture", "preprocess", "inference", "draw")


@dataclass(frozen=True)
class LiveOptions:
    smooth: int = 1  # frames voted over
    headless: bool = False  # no window: no GUI call at all
    max_frames: int | None = None
    pace_fps: float | None = None  # show frames no faster than this (a video file in a window)


@dataclass(frozen=True)
class LiveSummary:
    frames: int
    seconds: float
    stages: dict[str, dict[str, float]]  # stage -> {'p50': ms, 'p95': ms}
    error: str | None = None  # why the source stopped early, if it did
    interrupted: bool = False

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    def describe(self) -> str:
        parts = [f"{self.frames} frames in {self.seconds:.1f} s ({self.fps:.1f} FPS)"]
        for stage in (*STAGES, "total"):
            if stage in self.stages:
                s = self.stages[stage]
                parts.append(f"{stage} p50 {s['p50']:.2f} ms p95 {s['p95']:.2f} ms")
        prefix = "stopped (Ctrl-C or SIGTERM): " if self.interrupted else ""
        return prefix + "; ".join(parts)


def run_live(source, reader, options: LiveOptions, emit: Callable[[dict], None] | None = None,
             on_text: Callable[[str], None] | None = None,
             on_frame: Callable[[dict, np.ndarray, Reading | None], None] | None = None,
             stop: threading.Event | None = None, timer: StageTimer | None = None) -> LiveSummary:
    """Reads frames until the source ends, a quit key, Ctrl-C, `stop` or max_frames.

    Args:
      source: has read() -> frame or None at its end, and close().
      reader: a DigitReader.
      emit: called with one JSON-ready record per frame (--json).
      on_text: called with the smoothed text whenever it changes.
      on_frame: called with the record, the frame and its reading (None for a frame that could
        not be read) for every frame, from this thread (`edge serve`).
      stop: set from another thread to end the loop after the current frame.
      timer: collects the stage timings (one across several runs); a new one by default.
    """
    from edge.sources import SourceError
    vote = MajorityVote(options.smooth)
    timer = timer or StageTimer()
    frames, error, interrupted, shown = 0, None, False, None
    start = time.perf_counter()
    try:
        while (options.max_frames is None or frames < options.max_frames) and not (stop and stop.is_set()):
            t0 = time.perf_counter()
            try:
                frame = source.read()
            except SourceError as exc:
                error = str(exc)
                break
            if frame is None:
                break
            t1 = time.perf_counter()
            try:
                reading = reader.read(frame)
            except ValueError as exc:  # an empty or malformed frame: skip it, keep going
                timer.add("capture", (t1 - t0) * 1e3)
                record = {"frame": frames, "error": str(exc)}
                if emit:
                    emit(record)
                if on_frame:
                    on_frame(record, frame, None)
                frames += 1
                continue
            text = vote.update(reading.text)
            t2 = time.perf_counter()
            if not options.headless:
                _draw(frame, reading, frames / max(t2 - start, 1e-9), reader.roi(frame.shape))
            t3 = time.perf_counter()
            if not options.headless:
                wait_ms = 1
                if options.pace_fps:
                    wait_ms = max(1, int(1000 / options.pace_fps - (t3 - t0) * 1000))
                if _quit_pressed(wait_ms):
                    break
            timing = {"capture": (t1 - t0) * 1e3, "preprocess": reading.timing_ms["preprocess"],
                      "inference": reading.timing_ms["inference"], "draw": (t3 - t2) * 1e3,
                      "total": (t3 - t0) * 1e3}
            timer.add_all(timing)
            if on_frame or emit:  # the record costs a JSON-ready copy of every digit: only when used
                record = {"frame": frames, **reading.to_json(timing), "raw_text": reading.text, "text": text}
                if on_frame:
                    on_frame(record, frame, reading)
                if emit:
                    emit(record)
            if not emit and on_text and text != shown:
                on_text(text)
                shown = text
            frames += 1
    except KeyboardInterrupt:
        interrupted = True
    finally:
        source.close()
        if not options.headless:
            import cv2
            cv2.destroyAllWindows()
    return LiveSummary(frames, time.perf_counter() - start, timer.summary(), error, interrupted)


def _draw(frame, reading, fps: float, roi) -> None:
    """Shows the annotated frame in the window."""
    import cv2

    from edge.overlay import annotate
    cv2.imshow("digits", annotate(frame, reading, fps=fps, roi=roi))


def _quit_pressed(wait_ms: int) -> bool:
    """Lets the window paint for wait_ms; True when q or Esc was pressed."""
    import cv2
    return (cv2.waitKey(wait_ms) & 0xFF) in QUIT_KEYS

"""The reading loop of `edge serve` in its own thread: a lost source is retried with backoff."""

from __future__ import annotations

import threading
from typing import Callable

from edge.live import LiveOptions, LiveSummary, run_live
from edge.serve.state import LiveState
from edge.sources import SourceError

FIRST_RETRY_S = 1.0
MAX_RETRY_S = 30.0


class ReadingThread(threading.Thread):
    """Opens the source, reads it into a LiveState, and opens it again when it is lost.

    A video or a folder that ends is replayed with `replay`, else the thread ends with the
    state saying so. A source that cannot be opened, or that stops, is retried after 1, 2, 4 ...
    up to 30 s, with one line each time through `say`.
    """

    def __init__(self, open_frames: Callable[[], object], reader, state: LiveState, smooth: int,
                 replay: bool, say: Callable[[str], None]) -> None:
        super().__init__(name="reading", daemon=True)
        self.open_frames = open_frames
        self.reader = reader
        self.state = state
        self.smooth = smooth
        self.replay = replay
        self.say = say
        self.stop_event = threading.Event()
        self.frames = 0
        self.seconds = 0.0

    def stop(self) -> None:
        self.stop_event.set()

    def summary(self) -> LiveSummary:
        """All frames of every run of the source, like `run`'s summary."""
        return LiveSummary(self.frames, self.seconds, self.state.timer.summary(), interrupted=True)

    def _retry(self, delay: float, reason: str) -> float:
        self.state.source_down("lost", reason)
        self.say(f"source lost: {reason}; retrying in {delay:.0f} s")
        self.stop_event.wait(delay)
        return min(delay * 2, MAX_RETRY_S)

    def run(self) -> None:
        delay = FIRST_RETRY_S
        while not self.stop_event.is_set():
            try:
                frames = self.open_frames()
            except SourceError as exc:
                delay = self._retry(delay, str(exc))
                continue
            except Exception as exc:  # noqa: BLE001 - as below: the page must not outlive the loop
                delay = self._retry(delay, f"opening failed ({type(exc).__name__}: {exc})")
                continue
            try:
                summary = run_live(frames, self.reader, LiveOptions(smooth=self.smooth, headless=True),
                                   on_frame=self.state.update, stop=self.stop_event, timer=self.state.timer)
            except Exception as exc:  # noqa: BLE001 - a service keeps reading: a camera driver's
                # cv2.error or a bug in one frame must not leave the page up and the loop dead.
                frames.close()
                delay = self._retry(delay, f"reading failed ({type(exc).__name__}: {exc})")
                continue
            self.frames += summary.frames
            self.seconds += summary.seconds
            if self.stop_event.is_set():
                break
            if summary.error or summary.frames == 0:
                delay = self._retry(delay, summary.error or f"{frames.name} gave no frame")
                continue
            delay = FIRST_RETRY_S
            if not self.replay:
                self.state.source_down("ended", f"{frames.name} ended (--loop replays it)")
                self.say(f"{frames.name} ended; still serving the last reading (--loop replays it)")
                break

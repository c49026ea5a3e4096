"""The parts of `edge serve` on their own: state, health, metrics, the reading thread's retries, topics."""

from __future__ import annotations

import threading
import time

import numpy as np

from edge.serve import metrics
from edge.serve.mqtt import Topics, check_device_id
from edge.serve.reading import ReadingThread
from edge.serve.state import LiveState
from edge.sources import SourceError


class _Reading:
    def __init__(self, text: str) -> None:
        self.text = text
        self.digits = []
        self.crops = np.zeros((0, 28, 28), np.uint8)


def _record(frame: int, text: str) -> dict:
    return {"frame": frame, "text": text, "raw_text": text, "digits": [],
            "timing_ms": {"capture": 1.0, "preprocess": 2.0, "inference": 0.5, "total": 3.5, "preprocess.page": 1.0}}


def test_state_counts_changes_and_says_when_frames_stop(monkeypatch):
    state = LiveState()
    assert not state.health().ok and state.health().status == "starting"
    changes = []
    state.listen(changes.append)
    frame = np.zeros((4, 4, 3), np.uint8)
    for k, text in enumerate(["12", "12", "13", "13"]):
        state.update(_record(k, text), frame, _Reading(text))
    state.update({"frame": 4, "error": "empty frame"}, frame, None)
    assert changes == [True, False, True, False, False]
    assert (state.frames_total, state.readings_total, state.frame_errors_total) == (5, 2, 1)
    assert state.text == "13" and state.health().ok
    assert set(state.stages) == {"capture", "preprocess", "inference", "total"}  # no sub-stages
    # No frame for longer than the stale limit: lost, without anyone saying so.
    from edge.serve import state as state_module
    monkeypatch.setattr(state_module, "STALE_FRAME_S", 0.0)
    time.sleep(0.01)
    health = state.health()
    assert not health.ok and health.status == "lost" and "no frame for" in health.reason
    state.source_down("ended", "video.avi ended")
    assert state.health().status == "ended" and state.source_errors_total == 0


def test_the_stream_jpeg_is_encoded_once_per_frame():
    state = LiveState()
    assert state.jpeg() is None and state.crops_png() is None
    frame = np.full((48, 64, 3), 200, np.uint8)
    state.update(_record(0, ""), frame, _Reading(""))
    first = state.jpeg()
    assert first[0] == 1 and first[1].startswith(b"\xff\xd8")
    assert state.jpeg() is first and state.jpeg_encoded_total == 1
    state.update(_record(1, ""), frame, _Reading(""))
    assert state.jpeg()[0] == 2 and state.jpeg_encoded_total == 2


def test_the_stream_shows_the_frame_as_read_whatever_the_loop_does_with_it_after():
    """The state keeps its own copy: a source that writes its next frame into the same buffer
    does not change the frame a viewer gets, and frames of another size or type are kept too."""
    import cv2
    state = LiveState()
    frame = np.full((48, 64, 3), 200, np.uint8)
    state.update(_record(0, ""), frame, _Reading(""))
    frame[:] = 0  # the loop's buffer, reused
    shown = cv2.imdecode(np.frombuffer(state.jpeg()[1], np.uint8), cv2.IMREAD_COLOR)
    assert abs(int(np.median(shown)) - 200) <= 3
    state.update(_record(1, ""), np.full((30, 40), 90, np.uint8), _Reading(""))
    shown = cv2.imdecode(np.frombuffer(state.jpeg()[1], np.uint8), cv2.IMREAD_COLOR)
    assert shown.shape[:2] == (30, 40) and abs(int(np.median(shown)) - 90) <= 3


def test_histogram_and_exposition():
    histogram = metrics.Histogram((0.001, 0.01))
    for value in (0.0005, 0.001, 0.005, 0.5):
        histogram.observe(value)
    lines = histogram.lines("x_seconds", 'stage="a"')
    assert lines == ['x_seconds_bucket{stage="a",le="0.001"} 2', 'x_seconds_bucket{stage="a",le="0.01"} 3',
                     'x_seconds_bucket{stage="a",le="+Inf"} 4', 'x_seconds_sum{stage="a"} 0.5065',
                     'x_seconds_count{stage="a"} 4']
    state = LiveState()
    state.update(_record(0, "7"), np.zeros((4, 4, 3), np.uint8), _Reading("7"))
    text = metrics.render(state, {"model": 'a "quoted"\\path'}, {"x_total": ("A counter.", 3)})
    assert 'digit_edge_info{model="a \\"quoted\\"\\\\path"} 1' in text
    assert "# TYPE x_total counter" in text and "x_total 3.0" in text
    assert "digit_edge_source_up 1.0" in text and "digit_edge_readings_total 1" in text


class _Frames:
    name = "fake"

    def __init__(self, count: int) -> None:
        self.left = count

    def read(self):
        if self.left == 0:
            return None
        self.left -= 1
        return np.zeros((8, 8, 3), np.uint8)

    def close(self) -> None:
        pass


class _Reader:
    def read(self, frame):
        from edge.reader import Reading
        return Reading("5", [], np.zeros((0, 28, 28), np.uint8), {"preprocess": 0.1, "inference": 0.1})


def test_the_reading_thread_retries_with_backoff_then_reads(monkeypatch):
    attempts, said, waits = [], [], []

    def open_frames():
        attempts.append(1)
        if len(attempts) < 4:
            raise SourceError("camera 0 could not be opened")
        return _Frames(5)
    state = LiveState()
    thread = ReadingThread(open_frames, _Reader(), state, smooth=1, replay=False, say=said.append)
    monkeypatch.setattr(thread.stop_event, "wait", lambda seconds: waits.append(seconds))
    thread.run()  # in this thread: the waits are recorded, not slept
    assert waits == [1.0, 2.0, 4.0]
    assert said[:3] == [f"source lost: camera 0 could not be opened; retrying in {d} s" for d in (1, 2, 4)]
    assert state.frames_total == 5 and state.health().status == "ended"
    assert state.source_errors_total == 3


def test_an_unexpected_error_while_reading_is_retried_not_fatal(monkeypatch):
    waits, said = [], []

    class Broken(_Reader):
        calls = 0

        def read(self, frame):
            Broken.calls += 1
            if Broken.calls == 2:
                raise RuntimeError("driver hiccup")
            return super().read(frame)
    state = LiveState()
    thread = ReadingThread(lambda: _Frames(3), Broken(), state, smooth=1, replay=False, say=said.append)
    monkeypatch.setattr(thread.stop_event, "wait", lambda seconds: waits.append(seconds))
    thread.run()
    assert any("reading failed (RuntimeError: driver hiccup)" in line for line in said)
    assert waits == [1.0] and state.health().status == "ended" and state.frames_total >= 3


def test_replay_reads_the_source_again_until_stopped():
    opened = []
    state = LiveState()

    def open_frames():
        opened.append(1)
        return _Frames(3)
    thread = ReadingThread(open_frames, _Reader(), state, smooth=1, replay=True, say=lambda m: None)
    thread.start()
    deadline = time.monotonic() + 10
    while len(opened) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    thread.stop()
    thread.join(10)
    assert len(opened) >= 4 and not thread.is_alive()
    assert thread.summary().frames == state.frames_total >= 9


def test_topics_and_discovery():
    topics = Topics("digit-edge", "meter-1", "homeassistant")
    assert (topics.reading, topics.availability, topics.ha_status) == (
        "digit-edge/meter-1/reading", "digit-edge/meter-1/availability", "homeassistant/status")
    configs = topics.discovery("1.0", "digits_int8.tflite")
    assert sorted(configs) == ["homeassistant/sensor/digit_edge_meter-1/confidence/config",
                               "homeassistant/sensor/digit_edge_meter-1/reading/config"]
    assert Topics("digit-edge", "meter-1", None).discovery("1.0", "m") == {}
    for bad in ("", "a/b", "a+b", "#", "x" * 65, "über"):
        try:
            check_device_id(bad)
        except ValueError as exc:
            assert "device id" in str(exc)
        else:
            raise AssertionError(f"{bad!r} was accepted")


def test_the_stage_timer_survives_a_reader_and_a_writer():
    from edge.stats import StageTimer
    timer = StageTimer(max_samples=100)
    stop = threading.Event()

    def write():
        while not stop.is_set():
            timer.add_all({"a": 1.0, "b": 2.0})
    writer = threading.Thread(target=write)
    writer.start()
    try:
        for _ in range(200):
            summary = timer.summary()
    finally:
        stop.set()
        writer.join()
    assert summary["a"]["p50"] == 1.0 and len(timer.samples["a"]) == 100


def test_uploads_whose_clients_leave_mid_read_keep_their_places_and_odd_methods_log_nothing(caplog):
    """A client that sends a whole body and goes gave its place back while its read waited in the
    reader's queue: uploads queued without bound. And Tornado answers an unknown method (PROPFIND)
    before prepare: the handler's state must be there already (it logged two tracebacks)."""
    import asyncio
    import logging
    import socket

    import tornado.httpserver
    import tornado.netutil
    import tornado.web

    from edge.serve.base import MAX_OTHER_BODY_BYTES, WebOptions, log_request
    from edge.serve.upload import MAX_UPLOADS_AT_ONCE, PredictHandler, Predictor

    class SlowPredictor(Predictor):
        def read(self, data: bytes, name: str) -> dict:
            time.sleep(0.5)
            return {"file": name}

    class App:
        options = WebOptions()
        predictor = SlowPredictor(None, 1000)
        uploads_total = 0

    def send(port: int, data: bytes, wait: bool) -> bytes:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(data)
            return sock.recv(200) if wait else b""

    async def main() -> tuple[list[int], bytes]:
        routes = [("/api/predict", PredictHandler, {"app": App})]
        app = tornado.web.Application(routes, log_function=log_request)
        server = tornado.httpserver.HTTPServer(app, max_body_size=MAX_OTHER_BODY_BYTES)
        sock = tornado.netutil.bind_sockets(0, "127.0.0.1")[0]
        server.add_sockets([sock])
        port, loop = sock.getsockname()[1], asyncio.get_running_loop()
        body = b"x" * 100_000
        upload = (b"POST /api/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body) + body)
        taken = []
        for _ in range(3 * MAX_UPLOADS_AT_ONCE):  # each client sends it all and leaves
            await loop.run_in_executor(None, send, port, upload, False)
            await asyncio.sleep(0.05)
            taken.append(App.predictor.taken)
        answer = await loop.run_in_executor(
            None, send, port, b"PROPFIND /api/predict HTTP/1.1\r\nHost: localhost\r\n\r\n", True)
        server.stop()
        return taken, answer

    with caplog.at_level(logging.ERROR):
        taken, answer = asyncio.run(main())
    assert max(taken) == MAX_UPLOADS_AT_ONCE  # the places stay held while their reads wait
    assert answer.startswith(b"HTTP/1.1 405")
    assert not [r for r in caplog.records if r.name == "tornado.application"], caplog.text  # no traceback

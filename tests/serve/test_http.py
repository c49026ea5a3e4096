"""Every route of `edge serve` through a real HTTP client, the token, the limits, and stalled viewers."""

from __future__ import annotations

import json
import os
import re
import socket
import time

import cv2
import numpy as np
import pytest

from tests.images import png_claiming
from tests.serve.conftest import start_serve, wait_for

pytestmark = pytest.mark.slow
METRIC_LINE = re.compile(r'^[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? [-+0-9.eEinfINFaN]+$')


def _png(image: np.ndarray) -> bytes:
    return cv2.imencode(".png", image)[1].tobytes()


def _first_part(served, path: str = "/stream.mjpg", timeout: float = 10.0) -> bytes:
    """The first JPEG of the MJPEG stream, read from a raw socket."""
    host, port = served.url.split("//")[1].rstrip("/").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        data = b""
        while b"\xff\xd9" not in data:
            chunk = sock.recv(65536)
            assert chunk, "the stream closed before a whole frame"
            data += chunk
    assert b"multipart/x-mixed-replace; boundary=frame" in data
    start = data.index(b"\xff\xd8")
    return data[start:data.index(b"\xff\xd9") + 2]


def test_every_route(served, demo_video, confident_digits):
    status, headers, page = served.get("/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"app.js" in page and b"style.css" in page
    for path, kind in (("/app.js", "text/javascript"), ("/style.css", "text/css")):
        status, headers, body = served.get(path)
        assert status == 200 and headers["Content-Type"].startswith(kind) and body

    wait_for(lambda: served.metric("digit_edge_frames_total") > 2, what="the first frames")
    status, reading = served.json("/api/reading")
    assert {"frame", "text", "raw_text", "digits", "timing_ms"} <= set(reading)
    assert reading["raw_text"] in demo_video.texts
    status, snapshot = served.json("/api/status")
    assert status == 200 and snapshot["status"] == "reading" and snapshot["fps"] > 0

    frame = cv2.imdecode(np.frombuffer(_first_part(served), np.uint8), cv2.IMREAD_COLOR)
    assert frame is not None and frame.shape[:2] == (480, 640)
    status, headers, crops = served.get("/crops.png")
    assert status == 200 and crops.startswith(b"\x89PNG")

    status, health = served.json("/healthz")
    assert status == 200 and health["status"] == "reading"
    status, headers, body = served.get("/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = [line for line in body.decode().splitlines() if not line.startswith("#")]
    assert all(METRIC_LINE.match(line) for line in samples), [s for s in samples if not METRIC_LINE.match(s)]
    assert served.metric("digit_edge_frames_total") > 0
    assert 'digit_edge_stage_seconds_bucket{stage="inference",le="+Inf"}' in body.decode()

    images, labels = confident_digits
    status, result = served.post("/api/predict", _png(255 - images[0]), "image/png")
    assert status == 200 and result["text"] == str(labels[0])
    assert len(result["digits"][0]["probabilities"]) == 10
    assert np.argmax(result["digits"][0]["probabilities"]) == labels[0]

    for path in ("/", "/api/reading", "/healthz", "/metrics", "/crops.png"):  # HEAD: the headers, no body
        status, headers, body = served.get(path, method="HEAD")
        assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0, path
    status, headers, _ = served.get("/stream.mjpg", method="HEAD")
    assert status == 405 and headers["Allow"] == "GET"  # a stream never finishes

    for path in ("/nothing", "/../edge/cli.py", "/static/app.js", "/etc/passwd"):
        status, body = served.json(path)
        assert status == 404 and "no such page" in body["error"]


def test_events_follow_the_reading(served, demo_video):
    host, port = served.url.split("//")[1].rstrip("/").rsplit(":", 1)
    texts = []
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"GET /api/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        buffer = b""
        deadline = time.monotonic() + 30
        while len(texts) < 4 and time.monotonic() < deadline:
            buffer += sock.recv(65536)
            while b"\n\n" in buffer:
                event, buffer = buffer.split(b"\n\n", 1)
                for line in event.decode().splitlines():
                    if line.startswith("data: "):
                        texts.append(json.loads(line[6:])["text"])
    assert len(texts) >= 4, texts
    # Each event is a change, and the changes walk through the video's scenes.
    assert all(a != b for a, b in zip(texts, texts[1:]))
    assert set(texts) <= set(demo_video.texts), (texts, demo_video.texts)


def test_predict_multipart_and_bad_uploads_leave_the_loop_reading(served, confident_digits):
    images, labels = confident_digits
    boundary = "xyz"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"d.png\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + _png(255 - images[1]) + f"\r\n--{boundary}--\r\n".encode()
    status, result = served.post("/api/predict", body, f"multipart/form-data; boundary={boundary}")
    assert status == 200 and result["file"] == "d.png" and result["text"] == str(labels[1])
    status, result = served.post("/api/predict", _png(255 - images[1]), "IMAGE/PNG")  # types ignore case
    assert status == 200 and result["text"] == str(labels[1])

    before = served.metric("digit_edge_frames_total")
    bad = [
        (b"not an image at all", "image/png", 400, "not a readable image"),
        (png_claiming(60000, 60000), "image/png", 400, "megapixels"),
        (_png(255 - images[1])[:-30], "image/png", 400, "truncated"),
        (b"", "image/png", 400, "empty"),
        (b"{}", "application/json", 415, "send an image"),
        (body.replace(b'name="image"', b'name="photo"'), f"multipart/form-data; boundary={boundary}", 400,
         "the multipart field 'image' is missing"),
        (body.replace(b'; filename="d.png"', b""), f"multipart/form-data; boundary={boundary}", 400,
         "the multipart field 'image' holds no file"),
    ]
    for data, kind, code, message in bad:
        status, error = served.post("/api/predict", data, kind)
        assert status == code and message in error["error"], (kind, status, error)
    wait_for(lambda: served.metric("digit_edge_frames_total") > before + 10, what="the loop to keep reading")
    assert served.json("/healthz")[0] == 200


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(served):
    wait_for(lambda: served.json("/healthz")[0] == 200, what="the first frame")
    host, port = served.url.split("//")[1].rstrip("/").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST /api/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/jpeg\r\n"
                     b"Content-Length: 104857600\r\n\r\n" + b"\xff" * 1000)
        answer = sock.recv(65536).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413")
    assert "the limit is 20 MiB" in answer
    assert served.json("/healthz")[0] == 200


def _raw(served, request: bytes, timeout: float = 10.0) -> str:
    """Sends raw bytes; the first answer, or "" when the server closed the connection unanswered."""
    host, port = served.url.split("//")[1].rstrip("/").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        try:
            sock.sendall(request)
            return sock.recv(65536).decode(errors="replace")
        except (ConnectionResetError, BrokenPipeError):
            return ""


def test_bodies_are_refused_where_no_route_takes_one(served):
    wait_for(lambda: served.json("/healthz")[0] == 200, what="the first frame")
    # No token here, and still no route reads megabytes it did not ask for.
    answer = _raw(served, b"POST /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 22000000\r\n\r\n" + b"x" * 70000)
    assert not answer.startswith("HTTP/1.1 2"), answer[:200]
    # A chunked body has no length to refuse it by up front: it is not taken at all.
    answer = _raw(served, b"POST /api/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\n"
                          b"Transfer-Encoding: chunked\r\n\r\n10000\r\n" + b"x" * 65536 + b"\r\n")
    assert answer.startswith("HTTP/1.1 411") and "Content-Length" in answer, answer[:300]
    status, error = served.post("/api/predict", b"--x\r\nbroken", "multipart/form-data")
    assert status == 400 and "multipart" in error["error"]
    assert served.json("/healthz")[0] == 200


def test_uploads_taken_at_once_are_bounded_and_given_back_when_their_clients_go(served):
    """Each upload's body is held until it is read: slow clients by the dozen held hundreds of MB."""
    from edge.serve.upload import MAX_UPLOADS_AT_ONCE
    wait_for(lambda: served.json("/healthz")[0] == 200, what="the first frame")
    host, port = served.url.split("//")[1].rstrip("/").rsplit(":", 1)
    slow = []
    try:
        for _ in range(MAX_UPLOADS_AT_ONCE):  # each sends half its body, and waits
            sock = socket.create_connection((host, int(port)), timeout=10)
            sock.sendall(b"POST /api/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\n"
                         b"Content-Length: 2000000\r\n\r\n" + b"x" * 1_000_000)
            slow.append(sock)
        time.sleep(1)
        status, error = served.post("/api/predict", _png(np.full((60, 60, 3), 255, np.uint8)), "image/png")
        assert status == 503 and "busy with other uploads" in error["error"], (status, error)
    finally:
        for sock in slow:
            sock.close()
    status, record = wait_for(lambda: (lambda r: r[0] == 200 and r)(
        served.post("/api/predict", _png(np.full((60, 60, 3), 255, np.uint8)), "image/png")),
        what="the places of the clients gone to be given back")
    assert record["text"] == ""


def test_odd_requests_get_the_status_that_says_what_is_wrong(served):
    wait_for(lambda: served.json("/healthz")[0] == 200, what="the first frame")
    status, headers, _ = served.get("/api/predict")
    assert status == 405 and headers["Allow"] == "POST"  # not 411: a GET is no upload at all
    assert served.get("/api/reading", method="DELETE")[1]["Allow"] == "GET, HEAD"
    answer = _raw(served, b"POST /api/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\n"
                          b"Content-Length: \xb2\r\nConnection: close\r\n\r\n")
    assert answer.startswith("HTTP/1.1 411"), answer[:200]  # "²" is a digit to Python: it was a 500
    status, _, body = served.get("/%2e%2e/x")
    assert status == 404 and "%2e" in json.loads(body)["error"] and "%%" not in json.loads(body)["error"]
    assert not served.said("Traceback")


def test_without_a_token_only_loopback_names_are_served(served):
    answer = _raw(served, b"GET /api/status HTTP/1.1\r\nHost: rebound.example.com:8080\r\n\r\n")
    assert answer.startswith("HTTP/1.1 403") and "answers only to localhost" in answer
    # A method Tornado does not know is answered before prepare: the host is checked all the same.
    answer = _raw(served, b"PROPFIND /api/status HTTP/1.1\r\nHost: rebound.example.com:8080\r\n\r\n")
    assert answer.startswith("HTTP/1.1 403") and "Allow" not in answer
    for host in (b"localhost:8080", b"127.0.0.1", b"[::1]:8080"):
        assert _raw(served, b"GET /healthz HTTP/1.1\r\nHost: " + host + b"\r\n\r\n").startswith("HTTP/1.1 ")
        assert " 403 " not in _raw(served, b"GET /healthz HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")[:20]


def test_a_stalled_viewer_does_not_slow_the_loop(served):
    wait_for(lambda: served.metric("digit_edge_frames_total") > 20, what="frames")
    host, port = served.url.split("//")[1].rstrip("/").rsplit(":", 1)

    def rate(seconds: float = 3.0) -> float:
        start, t0 = served.metric("digit_edge_frames_total"), time.monotonic()
        time.sleep(seconds)
        return (served.metric("digit_edge_frames_total") - start) / (time.monotonic() - t0)

    alone = rate()
    stalled = socket.socket()
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.connect((host, int(port)))
    stalled.sendall(b"GET /stream.mjpg HTTP/1.1\r\nHost: localhost\r\n\r\n")  # and never read
    try:
        wait_for(lambda: served.metric("digit_edge_viewers") == 1, what="the stalled viewer to be counted")
        time.sleep(2)  # long enough for its socket buffers to fill
        watched = rate()
        # Another viewer still gets fresh frames while the first one is stuck.
        assert cv2.imdecode(np.frombuffer(_first_part(served), np.uint8), cv2.IMREAD_COLOR) is not None
    finally:
        stalled.close()
    assert watched > 0.5 * alone, f"{watched:.1f} FPS with a stalled viewer against {alone:.1f} without"


def test_frames_are_encoded_only_while_someone_watches(served):
    wait_for(lambda: served.metric("digit_edge_frames_total") > 20, what="frames")
    time.sleep(1)
    assert served.metric("digit_edge_stream_frames_encoded_total") == 0
    _first_part(served)
    assert served.metric("digit_edge_stream_frames_encoded_total") >= 1


def test_the_token_guards_every_route(tiny_models, demo_video, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("s3cret\n")
    server = start_serve("--source", demo_video.path, "--loop", "--token-file", token_file,
                         "--model", tiny_models / "digits_int8.tflite")
    try:
        for path in ("/", "/app.js", "/api/reading", "/api/status", "/healthz", "/metrics", "/crops.png",
                     "/stream.mjpg", "/api/events", "/nothing"):
            status, _, body = server.get(path)
            assert status == 401 and "a token is needed" in json.loads(body)["error"], path
        status, headers, _ = server.get("/?token=wrong")
        named = {k.lower(): v for k, v in headers.items()}  # Tornado sends Www-Authenticate
        assert status == 401 and named["www-authenticate"].startswith("Bearer ")
        assert server.get("/?token=s3cret")[0] == 200
        assert server.get("/metrics", headers={"Authorization": "Bearer s3cret"})[0] == 200
        status, body = server.post("/api/predict", b"x", "image/png")
        assert status == 401
        for path in ("/api/status", "/nothing"):  # no route's methods told to a client without the token
            status, headers, _ = server.get(path, method="PROPFIND")
            assert status == 401 and "allow" not in {k.lower() for k in headers}, path
        status, headers, _ = server.get("/api/status?token=s3cret", method="PROPFIND")
        assert status == 405 and headers["Allow"] == "GET, HEAD"
    finally:
        server.stop()


def test_the_token_is_left_out_of_what_is_logged(caplog):
    """An uncaught exception's line named the request with its uri, the token's value in it."""
    import logging
    import sys
    from types import SimpleNamespace

    from edge.serve.base import Base, without_token
    assert without_token("/healthz?token=s3cret") == "/healthz?token=..."
    assert without_token("/api/predict?a=1&token=x%20y") == "/api/predict?a=1&token=..."
    assert without_token("/metrics") == "/metrics"
    handler = Base.__new__(Base)
    handler.request = SimpleNamespace(method="GET", uri="/api/status?token=s3cret", remote_ip="127.0.0.1")
    with caplog.at_level(logging.ERROR):
        try:
            raise RuntimeError("a bug")
        except RuntimeError:
            handler.log_exception(*sys.exc_info())
    assert "GET /api/status?token=... (127.0.0.1)" in caplog.text and "s3cret" not in caplog.text


def test_health_says_when_the_source_ends_or_is_lost(tiny_models, demo_video, tmp_path):
    server = start_serve("--source", demo_video.path, "--model", tiny_models / "digits_int8.tflite")
    try:
        status, body = wait_for(lambda: (lambda r: r[1]["status"] == "ended" and r)(server.json("/healthz")),
                                what="/healthz to say the video ended")
        assert status == 503 and "--loop" in body["reason"]
        assert server.json("/api/reading")[0] == 200  # the last reading is still served
    finally:
        assert server.stop() == 0
    assert server.said("frames in")  # the run summary, after SIGTERM

    missing = tmp_path / "camera-not-there.avi"
    server = start_serve("--source", missing, "--model", tiny_models / "digits_int8.tflite")
    try:
        status, body = wait_for(lambda: (lambda r: r[1]["status"] == "lost" and r)(server.json("/healthz")),
                                what="/healthz to say the source is lost")
        assert status == 503 and "no such file" in body["reason"]
        wait_for(lambda: server.said("retrying in 2 s"), what="a second, later retry")
        assert server.metric("digit_edge_source_up") == 0
    finally:
        assert server.stop() == 0


def test_a_damaged_video_replayed_says_its_damage_once(tiny_models, demo_video, tmp_path):
    """With --loop, a bad packet was said every time round: 18 lines a second into a Pi's journal."""
    data = demo_video.path.read_bytes()
    starts = [m.start() for m in re.finditer(b"\xff\xd8\xff", data)]  # each frame's JPEG
    video = tmp_path / "cut.avi"
    video.write_bytes(data[:starts[12] + 600])  # cut short in its 13th frame's JPEG header
    server = start_serve("--source", video, "--loop", "--model", tiny_models / "digits_int8.tflite")
    try:
        wait_for(lambda: server.metric("digit_edge_frames_total") > 40, what="several rounds of the video")
    finally:
        server.stop()
    assert sum("does not decode" in line for line in server.lines) == 1, server.lines


def test_serve_refuses_bad_options_in_one_line(tiny_models, demo_video):
    import subprocess
    import sys
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    port = blocker.getsockname()[1]
    cases = [
        (["--port", str(port)], "cannot listen on 127.0.0.1:"),
        (["--mqtt", "http://broker"], "give mqtt://host[:port]"),
        (["--mqtt", "mqtt://broker:99999"], "--mqtt"),
        (["--mqtt", "mqtt://broker", "--device-id", "a/b"], "device id 'a/b'"),
        (["--ha-discovery"], "--ha-discovery announces sensors over MQTT"),
        (["--token", " "], "the token is empty"),
        (["--token", "two words"], "the token has a space or a line break in it"),
        (["--stream-fps", "nan"], "nan"),
        (["--bind", "no-such-host.invalid"], "--bind"),
    ]
    # The broker's URL may come from $DIGIT_EDGE_MQTT (how a deployed service gets it): checked the same.
    cases.append(({"DIGIT_EDGE_MQTT": "http://broker"}, "give mqtt://host[:port]"))
    try:
        for extra, message in cases:
            env = {**os.environ, **extra} if isinstance(extra, dict) else None
            args = [] if env else extra
            result = subprocess.run([sys.executable, "-m", "edge", "serve", "--source", str(demo_video.path),
                                     "--model", str(tiny_models / "digits_int8.tflite"), *args],
                                    capture_output=True, text=True, timeout=60, env=env)
            assert result.returncode in (1, 2) and message in result.stderr, (extra, result.stderr)
            assert "Traceback" not in result.stderr
    finally:
        blocker.close()

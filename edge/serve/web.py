"""The HTTP side of `edge serve` (tornado): the page, the MJPEG stream, the JSON API, health, metrics."""

from __future__ import annotations

import asyncio
import hmac
import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Callable

import tornado.httputil
import tornado.iostream
import tornado.locks
import tornado.web

from edge.serve import metrics
from edge.serve.state import LiveState

STATIC_DIR = Path(__file__).parent / "static"
# Only these files are ever served from disk: the page's own assets, read once at start.
ASSETS = {"/": ("index.html", "text/html; charset=utf-8"),
          "/app.js": ("app.js", "text/javascript; charset=utf-8"),
          "/style.css": ("style.css", "text/css; charset=utf-8")}
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Any other request's body: nothing else takes one, so a client cannot make the server hold megabytes.
MAX_OTHER_BODY_BYTES = 64 * 1024
MAX_VIEWERS = 8  # MJPEG and event-stream clients at once
MAX_PENDING_UPLOADS = 4
STALLED_CLIENT_S = 20.0  # a viewer that takes longer than this to take one frame is dropped
KEEPALIVE_S = 15.0
FRAME_POLL_S = 0.02  # how often a stream viewer looks for a newer frame than the one it has
UPLOAD_TYPES = ("image/", "application/octet-stream")


LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class WebOptions:
    stream_fps: float = 10.0
    token: str | None = None
    max_pixels: int = 50_000_000
    # Listening on loopback without a token: only requests naming a loopback host are served, so
    # a web page elsewhere cannot reach the API through DNS rebinding.
    loopback_only: bool = False


class Hub:
    """Wakes the event streams (on the server's loop) when the reading thread has a new reading.

    Only changes cross threads: waking the server's loop for every frame would take the
    interpreter lock from the reading thread a hundred times a second. The MJPEG stream polls
    for new frames at its own, lower rate instead.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.text = tornado.locks.Condition()
        self.viewers = 0

    def on_frame(self, text_changed: bool) -> None:
        """LiveState listener, called from the reading thread."""
        if text_changed and self.viewers:
            try:
                self.loop.call_soon_threadsafe(self.text.notify_all)
            except RuntimeError:  # the server's loop has closed: shutting down
                pass


class Predictor:
    """Reads uploaded images with a reader of its own, one at a time, off the server's loop."""

    def __init__(self, reader, max_pixels: int) -> None:
        self.reader = reader
        self.max_pixels = max_pixels
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="predict")
        self.pending = 0

    def read(self, data: bytes, name: str) -> dict:
        """Raises ImageError (a ValueError) for what is not a readable image."""
        from edge.imagefile import decode_image
        frame = decode_image(data, name, self.max_pixels)
        reading = self.reader.read(frame)
        record = {"file": name, **reading.to_json(), "width": frame.shape[1], "height": frame.shape[0]}
        for digit, scores in zip(record["digits"], reading.scores if reading.scores is not None else []):
            digit["probabilities"] = [round(float(p), 4) for p in scores]
        return record


class Base(tornado.web.RequestHandler):
    def initialize(self, app: "Server") -> None:
        self.app = app

    def prepare(self) -> None:
        token = self.app.options.token
        if token is None:
            if self.app.options.loopback_only and self.request.host_name.strip("[]") not in LOOPBACK_NAMES:
                raise tornado.web.HTTPError(403, log_message="this server answers only to localhost, "
                                                             "127.0.0.1 or [::1] (--bind and --token for more)")
            return
        header = self.request.headers.get("Authorization", "")
        given = header[7:] if header.startswith("Bearer ") else self.get_query_argument("token", "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise tornado.web.HTTPError(401, reason="Unauthorized", log_message="a token is needed")

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    def write_error(self, status_code: int, **kwargs) -> None:
        exc = kwargs.get("exc_info", (None, None))[1]
        message = getattr(exc, "log_message", None) or self._reason
        if status_code == 401:
            message = "a token is needed: ?token=... or Authorization: Bearer ..."
        self.finish({"error": message, "status": status_code})

    def write_json(self, payload: dict, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(payload))


class AssetHandler(Base):
    def get(self) -> None:
        body, content_type = self.app.assets[self.request.path]
        self.set_header("Content-Type", content_type)
        if self.request.path == "/":
            self.set_header("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:")
        self.finish(body)


class ReadingHandler(Base):
    def get(self) -> None:
        record = self.app.state.record
        if record is None:
            self.write_json({"error": "no frame read yet", "status": 503}, 503)
        else:
            self.write_json(record)


class StatusHandler(Base):
    def get(self) -> None:
        self.write_json({**self.app.state.snapshot(), **self.app.status_extra()})


class HealthHandler(Base):
    def get(self) -> None:
        health = self.app.state.health()
        self.write_json({"status": health.status, "reason": health.reason,
                         "seconds_since_frame": health.seconds_since_frame}, 200 if health.ok else 503)


class MetricsHandler(Base):
    def get(self) -> None:
        self.set_header("Content-Type", metrics.CONTENT_TYPE)
        self.finish(metrics.render(self.app.state, self.app.info, self.app.gauges()))


class CropsHandler(Base):
    async def get(self) -> None:
        png = await asyncio.get_running_loop().run_in_executor(None, self.app.state.crops_png)
        if png is None:
            raise tornado.web.HTTPError(503, log_message="no frame read yet")
        self.set_header("Content-Type", "image/png")
        self.finish(png)


class _Watching(Base):
    """A long response to one watcher; at most MAX_VIEWERS at once; a stalled one is dropped."""

    closed = False

    def on_connection_close(self) -> None:
        self.closed = True

    async def send(self, data: bytes) -> None:
        """Writes and waits until the client took it; raises TimeoutError when it stalls."""
        self.write(data)
        await asyncio.wait_for(self.flush(), STALLED_CLIENT_S)

    async def get(self) -> None:
        if self.app.hub.viewers >= MAX_VIEWERS:
            raise tornado.web.HTTPError(503, log_message=f"{MAX_VIEWERS} viewers already: try later")
        self.app.hub.viewers += 1
        try:
            await self.watch()
        except (tornado.iostream.StreamClosedError, asyncio.TimeoutError):
            self.request.connection.close()
        finally:
            self.app.hub.viewers -= 1


class StreamHandler(_Watching):
    """multipart/x-mixed-replace JPEG frames, at most --stream-fps, encoded only while watched."""

    async def watch(self) -> None:
        self.set_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
        interval = 1.0 / self.app.options.stream_fps
        last_id, loop = -1, asyncio.get_running_loop()
        while not self.closed:
            started = time.monotonic()
            if self.app.state.frame_id == last_id:
                await asyncio.sleep(FRAME_POLL_S)
                continue
            jpeg = await loop.run_in_executor(None, self.app.state.jpeg)
            if jpeg is None:
                await asyncio.sleep(FRAME_POLL_S)
                continue
            last_id, data = jpeg
            await self.send(b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n%s\r\n"
                            % (len(data), data))
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))


class EventsHandler(_Watching):
    """Server-Sent Events: the `run --json` record each time the smoothed reading changes."""

    async def watch(self) -> None:
        self.set_header("Content-Type", "text/event-stream")
        self.set_header("X-Accel-Buffering", "no")
        sent = None
        while not self.closed:
            record = self.app.state.record
            if record is not None and record["text"] != sent:
                sent = record["text"]
                await self.send(f"event: reading\ndata: {json.dumps(record)}\n\n".encode())
            elif not await self.app.hub.text.wait(timeout=timedelta(seconds=KEEPALIVE_S)):
                await self.send(b": keep-alive\n\n")


@tornado.web.stream_request_body
class PredictHandler(Base):
    """An uploaded image (raw body with an image type, or multipart field `image`) -> its reading."""

    def prepare(self) -> None:
        super().prepare()  # the token first: only then may a body this large be read
        length = self.request.headers.get("Content-Length")
        if length is None or not length.isdigit():
            # Browsers and curl send the length of a file; a chunked body would have to be
            # read to its end before it could be refused.
            raise tornado.web.HTTPError(411, log_message="send the upload with a Content-Length")
        if int(length) > MAX_UPLOAD_BYTES:
            raise tornado.web.HTTPError(413, log_message=f"the upload is {int(length) / 2**20:.1f} MiB; "
                                                         f"the limit is {MAX_UPLOAD_BYTES // 2**20} MiB")
        self.request.connection.set_max_body_size(MAX_UPLOAD_BYTES)
        self.chunks: list[bytes] = []

    def data_received(self, chunk: bytes) -> None:
        self.chunks.append(chunk)

    def _image(self) -> tuple[bytes, str]:
        body = b"".join(self.chunks)
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith("multipart/form-data"):
            args: dict = {}
            files: dict = {}
            try:
                tornado.httputil.parse_body_arguments(content_type, body, args, files)
            except tornado.httputil.HTTPInputError as exc:
                raise tornado.web.HTTPError(400, log_message=f"a malformed multipart form ({exc})") from None
            if not files.get("image"):
                raise tornado.web.HTTPError(400, log_message="no multipart field named 'image'")
            upload = files["image"][0]
            return upload.body, Path(upload.filename or "upload").name
        if not content_type.startswith(UPLOAD_TYPES):
            raise tornado.web.HTTPError(415, log_message=f"send an image (Content-Type image/...) or a "
                                                         f"multipart form with a field 'image', not "
                                                         f"{content_type or 'no Content-Type'}")
        return body, "upload"

    async def post(self) -> None:
        data, name = self._image()
        if not data:
            raise tornado.web.HTTPError(400, log_message="the upload is empty")
        predictor = self.app.predictor
        if predictor.pending >= MAX_PENDING_UPLOADS:
            raise tornado.web.HTTPError(503, log_message="busy reading other uploads: try again")
        predictor.pending += 1
        try:
            record = await asyncio.get_running_loop().run_in_executor(predictor.pool, predictor.read, data, name)
        except ValueError as exc:  # ImageError: not an image, truncated, too many pixels
            raise tornado.web.HTTPError(400, log_message=str(exc)) from None
        finally:
            predictor.pending -= 1
        self.app.uploads_total += 1
        self.write_json(record)


class Server:
    """The tornado application around a LiveState."""

    def __init__(self, state: LiveState, predictor: Predictor, options: WebOptions, info: dict[str, str],
                 extra_gauges: Callable[[], dict[str, tuple[str, float]]] = dict) -> None:
        self.state, self.predictor, self.options, self.info = state, predictor, options, info
        self.extra_gauges = extra_gauges
        self.assets = {route: ((STATIC_DIR / name).read_bytes(), kind) for route, (name, kind) in ASSETS.items()}
        self.hub: Hub | None = None
        self.uploads_total = 0

    def gauges(self) -> dict[str, tuple[str, float]]:
        return {"digit_edge_viewers": ("Clients watching the stream or the events.", self.hub.viewers),
                "digit_edge_uploads_total": ("Uploaded images read.", self.uploads_total),
                **self.extra_gauges()}

    def status_extra(self) -> dict:
        return {"model": self.info.get("model", ""), "backend": self.info.get("backend", ""),
                "viewers": self.hub.viewers}

    def application(self, loop: asyncio.AbstractEventLoop) -> tornado.web.Application:
        self.hub = Hub(loop)
        self.state.listen(self.hub.on_frame)
        routes = [(route, AssetHandler) for route in ASSETS] + [
            ("/api/reading", ReadingHandler), ("/api/status", StatusHandler), ("/api/events", EventsHandler),
            ("/api/predict", PredictHandler), ("/stream.mjpg", StreamHandler), ("/crops.png", CropsHandler),
            ("/healthz", HealthHandler), ("/metrics", MetricsHandler)]
        return tornado.web.Application([(r, h, {"app": self}) for r, h in routes],
                                       default_handler_class=NotFound, default_handler_args={"app": self})


class NotFound(Base):
    def prepare(self) -> None:
        super().prepare()
        raise tornado.web.HTTPError(404, log_message=f"no such page: {self.request.path}")

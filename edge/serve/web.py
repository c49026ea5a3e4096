"""The HTTP side of `edge serve` (tornado): the page, the JSON API, health, metrics, and the routes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Callable

import tornado.web

from edge.serve import metrics
from edge.serve.base import Base, WebOptions, log_request
from edge.serve.state import LiveState
from edge.serve.streams import EventsHandler, Hub, StreamHandler
from edge.serve.upload import PredictHandler, Predictor

STATIC_DIR = Path(__file__).parent / "static"
# Only these files are ever served from disk: the page's own assets, read once at start.
ASSETS = {"/": ("index.html", "text/html; charset=utf-8"),
          "/app.js": ("app.js", "text/javascript; charset=utf-8"),
          "/style.css": ("style.css", "text/css; charset=utf-8")}


class Snapshot(Base):
    """A route whose GET is one finished response: HEAD answers its headers without the body
    (uptime checkers and `curl -I` use HEAD). The streams have no HEAD: they never finish."""

    def head(self):
        return self.get()


class AssetHandler(Snapshot):
    def get(self) -> None:
        body, content_type = self.app.assets[self.request.path]
        self.set_header("Content-Type", content_type)
        if self.request.path == "/":
            self.set_header("Content-Security-Policy", "default-src 'self'; img-src 'self' blob: data:")
        self.finish(body)


class ReadingHandler(Snapshot):
    def get(self) -> None:
        record = self.app.state.record
        if record is None:
            self.write_json({"error": "no frame read yet", "status": 503}, 503)
        else:
            self.write_json(record)


class StatusHandler(Snapshot):
    def get(self) -> None:
        self.write_json({**self.app.state.snapshot(), **self.app.status_extra()})


class HealthHandler(Snapshot):
    def get(self) -> None:
        health = self.app.state.health()
        self.write_json({"status": health.status, "reason": health.reason,
                         "seconds_since_frame": health.seconds_since_frame}, 200 if health.ok else 503)


class MetricsHandler(Snapshot):
    def get(self) -> None:
        self.set_header("Content-Type", metrics.CONTENT_TYPE)
        self.finish(metrics.render(self.app.state, self.app.info, self.app.gauges()))


class CropsHandler(Snapshot):
    async def get(self) -> None:
        png = await asyncio.get_running_loop().run_in_executor(None, self.app.state.crops_png)
        if png is None:
            raise tornado.web.HTTPError(503, log_message="no frame read yet")
        self.set_header("Content-Type", "image/png")
        self.finish(png)


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
        return tornado.web.Application([(r, h, {"app": self}) for r, h in routes], log_function=log_request,
                                       default_handler_class=NotFound, default_handler_args={"app": self})


class NotFound(Base):
    def prepare(self) -> None:
        super().prepare()
        raise tornado.web.HTTPError(404, log_message=f"no such page: {self.request.path}")

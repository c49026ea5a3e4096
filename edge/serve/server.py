"""`edge serve`: the reading thread, the web server and MQTT started together, stopped cleanly."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
from dataclasses import dataclass
from typing import Callable

from edge.live import LiveSummary
from edge.serve.reading import ReadingThread
from edge.serve.state import LiveState
from edge.serve.base import MAX_OTHER_BODY_BYTES, WebOptions
from edge.serve.upload import Predictor
from edge.serve.web import Server


@dataclass(frozen=True)
class ServeOptions:
    bind: str = "127.0.0.1"
    port: int = 8080
    smooth: int = 1
    replay: bool = False  # --loop: a video or folder without end
    web: WebOptions = WebOptions()


class ServeError(RuntimeError):
    """The server cannot start (the port is taken, say)."""


def url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _bind(bind: str, port: int) -> list[socket.socket]:
    import tornado.netutil
    try:
        return tornado.netutil.bind_sockets(port, bind)
    except (socket.gaierror, ValueError) as exc:  # gaierror is an OSError: first
        raise ServeError(f"--bind {bind!r} is not an address of this machine ({exc})") from exc
    except OSError as exc:
        raise ServeError(f"cannot listen on {url_host(bind)}:{port}: {exc.strerror or exc} "
                         "(another program on that port? choose one with --port)") from exc


def serve(open_frames: Callable[[], object], reader, upload_reader, options: ServeOptions, info: dict[str, str],
          say: Callable[[str], None], mqtt=None) -> LiveSummary:
    """Serves until SIGINT or SIGTERM; returns the reading loop's summary.

    Args:
      open_frames: opens the source (edge.sources.open_source with the command's options).
      reader, upload_reader: two DigitReaders; an interpreter is used by one thread only.
      mqtt: an MqttPublisher, or None.

    Raises:
      ServeError: the port cannot be listened on.
    """
    import tornado.httpserver
    sockets = _bind(options.bind, options.port)
    # Tornado logs every 4xx as a warning; the clients get a JSON error instead, and the journal
    # of a Pi is not filled by someone probing the port.
    for name in ("tornado.access", "tornado.general"):
        logging.getLogger(name).setLevel(logging.ERROR)
    state = LiveState(roi_for=reader.roi)
    web = Server(state, Predictor(upload_reader, options.web.max_pixels), options.web, info,
                 extra_gauges=lambda: _mqtt_gauges(mqtt))
    thread = ReadingThread(open_frames, reader, state, options.smooth, options.replay, say)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        stopped = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):  # systemctl stop sends SIGTERM
            loop.add_signal_handler(sig, stopped.set)
        # Uploads raise their own limit once the token has passed (PredictHandler.prepare).
        server = tornado.httpserver.HTTPServer(web.application(loop), max_body_size=MAX_OTHER_BODY_BYTES,
                                               idle_connection_timeout=60, body_timeout=60)
        server.add_sockets(sockets)
        port = sockets[0].getsockname()[1]
        say(f"serving http://{url_host(options.bind)}:{port}/ (Ctrl-C stops)")
        stats_task = None
        if mqtt is not None:
            from edge.serve.mqtt import STATS_INTERVAL_S, stats_payload
            state.listen(lambda changed: changed and mqtt.publish_reading(state.record))
            mqtt.start()

            async def publish_stats() -> None:
                while True:
                    await asyncio.sleep(STATS_INTERVAL_S)
                    mqtt.publish_stats(stats_payload(state))
            stats_task = asyncio.create_task(publish_stats())
        thread.start()
        await stopped.wait()
        if stats_task:
            stats_task.cancel()
        server.stop()
        thread.stop()
        await loop.run_in_executor(None, thread.join, 5.0)

    try:
        asyncio.run(main())
    finally:
        if mqtt is not None:
            mqtt.stop()
    return thread.summary()


def _mqtt_gauges(mqtt) -> dict[str, tuple[str, float]]:
    if mqtt is None:
        return {}
    return {"digit_edge_mqtt_connected": ("1 while connected to the MQTT broker.", 1.0 if mqtt.connected else 0.0),
            "digit_edge_mqtt_published_total": ("MQTT messages handed to the broker.",
                                                mqtt.published_total)}

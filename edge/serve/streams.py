"""The long responses of `edge serve`: the MJPEG stream and the Server-Sent Events of readings."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

import tornado.iostream
import tornado.locks
import tornado.web

from edge.serve.base import Base

MAX_VIEWERS = 8  # MJPEG and event-stream clients at once
STALLED_CLIENT_S = 20.0  # a viewer that takes longer than this to take one frame is dropped
KEEPALIVE_S = 15.0
FRAME_POLL_S = 0.02  # how often a stream viewer looks for a newer frame than the one it has


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

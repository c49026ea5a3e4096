"""Uploads to `edge serve`: POST /api/predict, read by a reader of its own, off the server's loop."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import tornado.httputil
import tornado.web

from edge.serve.base import Base

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Uploads taken at once, from their headers until answered or dropped: their bodies are held in
# memory (80 MiB at most); more waited in memory unbounded while the clients sent them slowly.
MAX_UPLOADS_AT_ONCE = 4
UPLOAD_TYPES = ("image/", "application/octet-stream")


class Predictor:
    """Reads uploaded images with a reader of its own, one at a time, off the server's loop."""

    def __init__(self, reader, max_pixels: int) -> None:
        self.reader = reader
        self.max_pixels = max_pixels
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="predict")
        self.taken = 0  # uploads being received or read (PredictHandler)

    def read(self, data: bytes, name: str) -> dict:
        """Raises ImageError (a ValueError) for what is not a readable image."""
        from edge.imagefile import decode_image
        frame = decode_image(data, name, self.max_pixels)
        reading = self.reader.read(frame)
        record = {"file": name, **reading.to_json(), "width": frame.shape[1], "height": frame.shape[0]}
        for digit, scores in zip(record["digits"], reading.scores if reading.scores is not None else []):
            digit["probabilities"] = [round(float(p), 4) for p in scores]
        return record


@tornado.web.stream_request_body
class PredictHandler(Base):
    """An uploaded image (raw body with an image type, or multipart field `image`) -> its reading."""

    def initialize(self, app) -> None:
        super().initialize(app)
        # Here, not in prepare: Tornado answers a method it does not know (PROPFIND) before prepare.
        self.chunks: list[bytes] = []
        self.taken = False  # one of MAX_UPLOADS_AT_ONCE places held
        self.reading = False  # its body whole and handed to the reader

    def prepare(self) -> None:
        super().prepare()  # the token first: only then may a body this large be read
        if self.request.method != "POST":  # before the length: a GET has none, and is no upload
            raise tornado.web.HTTPError(405, log_message="send the image with POST")
        length = self.request.headers.get("Content-Length", "")
        if not (length.isascii() and length.isdigit()):  # "²" is a digit to Python, and no length
            # Browsers and curl send the length of a file; a chunked body would have to be
            # read to its end before it could be refused.
            raise tornado.web.HTTPError(411, log_message="send the upload with a Content-Length")
        if int(length) > MAX_UPLOAD_BYTES:
            raise tornado.web.HTTPError(413, log_message=f"the upload is {int(length):,} bytes; the limit is "
                                                         f"{MAX_UPLOAD_BYTES // 2**20} MiB")
        predictor = self.app.predictor
        if predictor.taken >= MAX_UPLOADS_AT_ONCE:
            raise tornado.web.HTTPError(503, log_message="busy with other uploads: try again")
        predictor.taken += 1
        self.taken = True
        self.request.connection.set_max_body_size(MAX_UPLOAD_BYTES)

    def data_received(self, chunk: bytes) -> None:
        self.chunks.append(chunk)

    def _done(self) -> None:
        """The upload answered, or its client gone before its body was whole: its place and its body
        given back."""
        self.chunks = []
        if self.taken:
            self.taken = False
            self.app.predictor.taken -= 1

    def on_finish(self) -> None:
        self._done()

    def on_connection_close(self) -> None:
        if not self.reading:  # a read under way keeps its place (and its bytes) until it is answered
            self._done()
        super().on_connection_close()

    def _image(self) -> tuple[bytes, str]:
        body = b"".join(self.chunks)
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.lower().startswith("multipart/form-data"):
            args: dict = {}
            files: dict = {}
            try:
                tornado.httputil.parse_body_arguments(content_type, body, args, files)
            except tornado.httputil.HTTPInputError as exc:
                raise tornado.web.HTTPError(400, log_message=f"a malformed multipart form ({exc})") from None
            if not files.get("image"):
                held = "holds no file (send it with a file name)" if "image" in args else "is missing"
                raise tornado.web.HTTPError(400, log_message=f"the multipart field 'image' {held}")
            upload = files["image"][0]
            return upload.body, Path(upload.filename or "upload").name
        if not content_type.lower().startswith(UPLOAD_TYPES):  # media types are case-insensitive
            raise tornado.web.HTTPError(415, log_message=f"send an image (Content-Type image/...) or a "
                                                         f"multipart form with a field 'image', not "
                                                         f"{content_type or 'no Content-Type'}")
        return body, "upload"

    async def post(self) -> None:
        self.reading = True
        data, name = self._image()
        if not data:
            raise tornado.web.HTTPError(400, log_message="the upload is empty")
        predictor = self.app.predictor
        try:
            loop = asyncio.get_running_loop()
            record = await loop.run_in_executor(predictor.pool, predictor.read, data, name)
        except ValueError as exc:  # ImageError: not an image, truncated, too many pixels
            raise tornado.web.HTTPError(400, log_message=str(exc)) from None
        self.app.uploads_total += 1
        self.write_json(record)

"""What every route of `edge serve` shares: its options, the token and host checks, JSON errors."""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit

import tornado.web

if TYPE_CHECKING:
    from edge.serve.web import Server

# Any request's body but an upload's: nothing else takes one, so a client cannot make the server
# hold megabytes.
MAX_OTHER_BODY_BYTES = 64 * 1024
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class WebOptions:
    stream_fps: float = 10.0
    token: str | None = None
    max_pixels: int = 50_000_000
    # Listening on loopback without a token: only requests naming a loopback host are served, so
    # a web page elsewhere cannot reach the API through DNS rebinding.
    loopback_only: bool = False


class Base(tornado.web.RequestHandler):
    def initialize(self, app: "Server") -> None:
        self.app = app

    def prepare(self) -> None:
        refusal = self.refusal()
        if refusal is not None:
            raise refusal

    def refusal(self) -> tornado.web.HTTPError | None:
        """Why this request is served nothing whatever it asks for (its host, its token), or None."""
        token = self.app.options.token
        if token is None:
            if self.app.options.loopback_only and self.request.host_name.strip("[]") not in LOOPBACK_NAMES:
                return tornado.web.HTTPError(403, log_message="this server answers only to localhost, "
                                             "127.0.0.1 or [::1] (--bind and --token for more)")
            return None
        header = self.request.headers.get("Authorization", "")
        given = header[7:] if header.startswith("Bearer ") else self.get_query_argument("token", "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return tornado.web.HTTPError(401, reason="Unauthorized", log_message="a token is needed")
        return None

    def _request_summary(self) -> str:
        """The request as Tornado's logs name it, its token not written (--token-file keeps it out of
        view)."""
        return f"{self.request.method} {without_token(self.request.uri or '')} ({self.request.remote_ip})"

    def log_exception(self, typ, value, tb) -> None:
        if isinstance(value, tornado.web.HTTPError):
            super().log_exception(typ, value, tb)  # a client's mistake: Tornado says nothing at our level
        else:  # Tornado's own line adds the request's repr, its uri and token with it
            logging.getLogger("tornado.application").error("Uncaught exception %s", self._request_summary(),
                                                            exc_info=(typ, value, tb))

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    def write_error(self, status_code: int, **kwargs) -> None:
        exc = kwargs.get("exc_info", (None, None))[1]
        refusal = self.refusal() if status_code == 405 else None
        if refusal is not None:
            # Tornado answers a method it does not know (PROPFIND) before prepare: the host and the token
            # come first all the same, and a client without them learns no route's methods.
            exc, status_code = refusal, refusal.status_code
            self.set_status(status_code, refusal.reason)
        # Tornado keeps a message as a format (its % doubled): the client reads it as written.
        message = exc.log_message % exc.args if getattr(exc, "log_message", None) else self._reason
        if status_code == 401:
            message = "a token is needed: ?token=... or Authorization: Bearer ..."
            # RFC 9110: a 401 names the scheme to answer with, a 405 the methods the route takes.
            self.set_header("WWW-Authenticate", 'Bearer realm="edge serve"')
        elif status_code == 405:
            self.set_header("Allow", ", ".join(self.allowed_methods()))
        self.finish({"error": message, "status": status_code})

    def allowed_methods(self) -> list[str]:
        """The methods this route answers: those its class implements."""
        return [m for m in ("GET", "HEAD", "POST") if getattr(type(self), m.lower())
                is not getattr(tornado.web.RequestHandler, m.lower())]

    def write_json(self, payload: dict, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(payload))


def without_token(uri: str) -> str:
    """A request's path and query with the token's value left out."""
    parts = urlsplit(uri)
    if "token" not in parts.query:
        return uri
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = urlencode([(k, "..." if k == "token" else v) for k, v in pairs])
    return parts._replace(query=query).geturl()


def log_request(handler: tornado.web.RequestHandler) -> None:
    """Tornado's access log, of the server's own failures only: a 4xx is the client's, told in its JSON,
    and a 503 says busy or no frame yet (the reading thread says a lost source in lines of its own, one
    a retry); none of them fills the journal of a Pi that a monitor polls during an outage."""
    status = handler.get_status()
    if status >= 500 and status != 503:
        logging.getLogger("tornado.access").error("%d %s %.2fms", status, handler._request_summary(),
                                                  1000 * handler.request.request_time())

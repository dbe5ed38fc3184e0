"""``tikmatrix record``: a loopback proxy in front of a TikMatrix that keeps a cassette.

Point a program (or the SDK, ``TIKMATRIX_BASE_URL``) at the proxy; each request goes on to
the upstream TikMatrix unchanged, its answer comes back unchanged, and both are added to the
cassette, which is on disk after every exchange.

The proxy is a local API in front of one: any web page its user opens can reach it. It
refuses first what the reference server refuses (:func:`tikmatrix_sdk._shared.guards.refusal`, the
same implementation: a foreign ``Host``, a preflight, a state change from another page, a
body that is not JSON), and passes ``Origin`` and ``Sec-Fetch-*`` on, so the upstream judges
what it is sent as if it came straight from the page.
"""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from .._contract import limits
from .._shared.guards import refusal
from .._shared.process_tree import on_stop_signals
from ._cassette import KEPT_REQUEST_HEADERS, Cassette, encode_body

__all__ = ["RecordingProxy"]

#: The largest request body the proxy takes (the same bound as the reference server's).
MAX_BODY = limits.MAX_BODY
#: What a browser says of where a request comes from: passed upstream, never recorded.
_PROVENANCE = ("origin", "sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest")


class RecordingProxy:
    """A threaded HTTP server on loopback that forwards to ``upstream`` and records."""

    def __init__(
        self, upstream: str, cassette: Path, *, port: int = 0, timeout: float = 60
    ) -> None:
        """Listen on ``127.0.0.1:port`` (0: a free port) once :meth:`serve` runs."""
        self.upstream = upstream.rstrip("/")
        self.cassette = Cassette(cassette, self.upstream)  # OSError: the file cannot be made
        self._http = httpx.Client(timeout=timeout)
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _relay(self) -> None:
                proxy.relay(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _relay

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        """Where programs should send their requests."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def relay(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        """Forward one request, answer with what came back, and record both."""
        refused = refusal(handler.command, handler.headers.get("Host", ""), dict(handler.headers))
        if refused is not None:  # as the reference server answers it, and nothing is sent
            handler.close_connection = True
            said = json.dumps({"code": 40001, "message": refused.message, "data": None})
            self._answer(handler, refused.status, said.encode(), "application/json")
            return
        if not handler.path.startswith("/") or handler.path.startswith("//"):
            handler.close_connection = True  # only paths of the upstream: never another host
            self._answer(handler, 400, b"the proxy forwards paths only", "text/plain")
            return
        if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
            handler.close_connection = True
            self._answer(handler, 411, b"send a Content-Length, not a chunked body", "text/plain")
            return
        raw_length = handler.headers.get("Content-Length") or "0"
        if not (raw_length.isascii() and raw_length.isdigit()):  # "²" is a digit to Python
            handler.close_connection = True
            self._answer(handler, 400, b"bad Content-Length", "text/plain")
            return
        length = int(raw_length)
        if length > MAX_BODY:
            handler.close_connection = True
            self._answer(handler, 413, b"request body too large", "text/plain")
            return
        body = handler.rfile.read(length) if length else b""
        split = urlsplit(handler.path)
        kept = {
            name: value
            for name in KEPT_REQUEST_HEADERS
            if (value := handler.headers.get(name)) is not None
        }
        provenance = {
            name: value for name in _PROVENANCE if (value := handler.headers.get(name)) is not None
        }
        if "origin" in provenance:  # the page's origin, against the upstream's own address
            provenance["origin"] = self._upstream_origin(provenance["origin"], handler)
        try:
            answer = self._http.request(
                handler.command,
                f"{self.upstream}{handler.path}",
                content=body,
                headers={**kept, **provenance},
            )
        except (httpx.InvalidURL, UnicodeError) as error:  # a path or header httpx cannot send
            handler.close_connection = True
            self._answer(
                handler, 400, f"the proxy cannot send this: {error}".encode(), "text/plain"
            )
            return
        except httpx.HTTPError as error:
            message = f"the proxy could not reach {self.upstream}: {error}".encode()
            self._answer(handler, 502, message, "text/plain")
            return
        content_type = answer.headers.get("content-type", "")
        if not (content_type.isascii() and content_type.isprintable()):
            content_type = "application/octet-stream"  # a header the proxy can send back
        self.cassette.add(
            {
                "method": handler.command,
                "path": split.path,
                "query": dict(parse_qsl(split.query, keep_blank_values=True)),
                "headers": kept,
                "body": encode_body(body, kept.get("content-type", "")),
            },
            {
                "status": answer.status_code,
                "headers": {"content-type": content_type},
                "body": encode_body(answer.content, content_type),
            },
        )  # recorded before it is answered: what the app saw is on disk
        self._answer(handler, answer.status_code, answer.content, content_type)

    def _upstream_origin(self, origin: str, handler: http.server.BaseHTTPRequestHandler) -> str:
        """A page of the proxy's own origin is the upstream's own; any other stays foreign."""
        own = f"http://{handler.headers.get('Host', '')}".lower()
        if origin.rstrip("/").lower() == own:
            split = urlsplit(self.upstream)
            return f"{split.scheme}://{split.netloc}"
        return origin

    @staticmethod
    def _answer(
        handler: http.server.BaseHTTPRequestHandler, status: int, body: bytes, content_type: str
    ) -> None:
        handler.send_response(status)
        if content_type:
            handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("X-Content-Type-Options", "nosniff")  # as the server answers
        handler.send_header("Cache-Control", "no-store")
        handler.end_headers()
        handler.wfile.write(body)

    def serve(self) -> None:
        """Serve until Ctrl+C (Ctrl+Break on Windows) or SIGTERM."""

        def stop(signum: int, frame: Any) -> None:
            threading.Thread(target=self.server.shutdown, daemon=True).start()

        on_stop_signals(stop)
        try:
            self.server.serve_forever()
        finally:
            self.close()

    def close(self) -> None:
        """Stop listening and close the connections upstream."""
        self.server.server_close()
        self._http.close()

"""``tikmatrix record``: a loopback proxy in front of a TikMatrix that keeps a cassette.

Point a program (or the SDK, ``TIKMATRIX_BASE_URL``) at the proxy; each request goes on to
the upstream TikMatrix unchanged, its answer comes back unchanged, and both are added to the
cassette, which is on disk after every exchange.
"""

from __future__ import annotations

import http.server
import signal
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from ._cassette import KEPT_REQUEST_HEADERS, Cassette, encode_body

__all__ = ["RecordingProxy"]

#: The largest request body the proxy takes (the same bound as the reference server's).
MAX_BODY = 1024 * 1024


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

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _relay

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
        if not handler.path.startswith("/") or handler.path.startswith("//"):
            handler.close_connection = True  # only paths of the upstream: never another host
            self._answer(handler, 400, b"the proxy forwards paths only", "text/plain")
            return
        if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
            handler.close_connection = True
            self._answer(handler, 411, b"send a Content-Length, not a chunked body", "text/plain")
            return
        raw_length = handler.headers.get("Content-Length") or "0"
        if not raw_length.isdigit():
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
        try:
            answer = self._http.request(
                handler.command, f"{self.upstream}{handler.path}", content=body, headers=kept
            )
        except httpx.HTTPError as error:
            message = f"the proxy could not reach {self.upstream}: {error}".encode()
            self._answer(handler, 502, message, "text/plain")
            return
        content_type = answer.headers.get("content-type", "")
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

    @staticmethod
    def _answer(
        handler: http.server.BaseHTTPRequestHandler, status: int, body: bytes, content_type: str
    ) -> None:
        handler.send_response(status)
        if content_type:
            handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def serve(self) -> None:
        """Serve until Ctrl+C or SIGTERM."""

        def stop(signum: int, frame: Any) -> None:
            threading.Thread(target=self.server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            self.server.serve_forever()
        finally:
            self.close()

    def close(self) -> None:
        """Stop listening and close the connections upstream."""
        self.server.server_close()
        self._http.close()

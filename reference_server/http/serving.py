"""Serve the app with waitress, answering even unparseable requests with the JSON envelope.

Waitress refuses a request it cannot parse (raw bytes in the path, a space in the target, a
malformed header) before the app sees it, with a plain-text page. A client of this API expects
the envelope everywhere, so those answers are written as ``{"code": 40001, ...}`` too.
"""

from __future__ import annotations

import json
from typing import Any

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

__all__ = ["make_server"]


class _EnvelopeErrorTask(ErrorTask):
    """Waitress's error answer, as the API's envelope."""

    def execute(self) -> None:
        """Write the error as ``{"code", "message", "data"}``."""
        request: Any = self.request
        error = request.error
        code = 40001 if error.code < 500 else 50001
        message = f"{error.reason}: {error.body}".rstrip(": ")
        body = json.dumps({"code": code, "message": message, "data": None}).encode()
        self.status = f"{error.code} {error.reason}"
        headers: Any = self.response_headers
        headers.append(("Content-Type", "application/json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _EnvelopeChannel(HTTPChannel):
    error_task_class = _EnvelopeErrorTask


def make_server(app: Any, *, host: str, port: int, threads: int) -> Any:
    """A waitress server for ``app`` whose own error answers are envelopes too."""
    server = create_server(app, host=host, port=port, threads=threads)
    listeners = (
        getattr(server, "map", {}).values() if not isinstance(server, BaseWSGIServer) else ()
    )
    for listener in [server, *listeners]:
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = _EnvelopeChannel
    return server

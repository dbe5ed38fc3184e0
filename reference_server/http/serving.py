"""Serve the app with waitress, answering even unparseable requests with the JSON envelope.

Waitress refuses a request it cannot parse (raw bytes in the path, a space in the target, a
malformed header) before the app sees it, with a plain-text page. A client of this API expects
the envelope everywhere, so those answers are written as ``{"code": 40001, ...}`` too.
"""

from __future__ import annotations

import json
import select
from typing import Any

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

__all__ = ["CONNECTION_LIMIT", "make_server"]

#: Where ``poll`` exists, waitress watches its sockets with it rather than ``select``
#: (which stops at descriptor 1024), and keeps up to 1,000 connections open; on Windows,
#: ``select`` watches at most 512 sockets, so 500. An idle keep-alive connection holds no
#: worker thread, only a socket and a few kilobytes, and is closed after two minutes idle.
#: (Waitress's own default is 100: the 101st client of a pool would wait, unanswered.)
USE_POLL = hasattr(select, "poll")
CONNECTION_LIMIT = 1_000 if USE_POLL else 500


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
    server = create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        connection_limit=CONNECTION_LIMIT,
        asyncore_use_poll=USE_POLL,
    )
    listeners = (
        getattr(server, "map", {}).values() if not isinstance(server, BaseWSGIServer) else ()
    )
    for listener in [server, *listeners]:
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = _EnvelopeChannel
    return server

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

__all__ = ["CONNECTION_LIMIT", "EVICT_AT_ONCE", "make_server"]

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


#: How many of the oldest idle connections are closed at once when the limit is reached.
EVICT_AT_ONCE = 10


def _make_room(listener: BaseWSGIServer) -> None:
    """At the connection limit, close the oldest connections that wait with no request.

    A thousand sockets that connect and send nothing would otherwise hold every slot until
    waitress's idle timeout (two minutes), and a client that sends a request would wait
    unanswered meanwhile. A connection with a request in progress is never closed here.
    """
    channels: Any = listener.active_channels
    idle = [
        channel
        for channel in list(channels.values())
        if not channel.requests and channel.request is None and not channel.will_close
    ]
    idle.sort(key=lambda channel: channel.last_activity)
    for channel in idle[:EVICT_AT_ONCE]:
        channel.will_close = True  # waitress closes it on its next pass


def _room_making(listener: BaseWSGIServer) -> Any:
    readable = listener.readable

    held: Any = listener

    def readable_with_room() -> bool:
        if held.accepting and len(held._map) >= held.adj.connection_limit:
            _make_room(listener)
        found: bool = readable()
        return found

    return readable_with_room


def make_server(
    app: Any, *, host: str, port: int, threads: int, connection_limit: int = CONNECTION_LIMIT
) -> Any:
    """A waitress server for ``app`` whose own error answers are envelopes too.

    At ``connection_limit`` open connections it closes the oldest idle ones to make room,
    rather than leave a new client unanswered.
    """
    server = create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        connection_limit=connection_limit,
        asyncore_use_poll=USE_POLL,
    )
    listeners = (
        getattr(server, "map", {}).values() if not isinstance(server, BaseWSGIServer) else ()
    )
    for listener in [server, *listeners]:
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = _EnvelopeChannel
            listener.readable = _room_making(listener)  # type: ignore[method-assign]
    return server

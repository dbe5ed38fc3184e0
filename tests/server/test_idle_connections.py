"""Connections that send nothing cannot lock new clients out (#33, item 6).

A server at its connection limit closes the oldest idle connections to make room, so a
client that sends a request is answered though every slot was taken by silent sockets.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from reference_server import ServerConfig, create_app
from reference_server.http.serving import EVICT_AT_ONCE, make_server

LIMIT = 30


@pytest.fixture
def server() -> Iterator[str]:
    app = create_app(ServerConfig(db=":memory:", run_scheduler=False))
    served = make_server(app, host="127.0.0.1", port=0, threads=4, connection_limit=LIMIT)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{served.effective_port}"
    finally:
        served.close()
        thread.join(30)
        app.extensions["tikmatrix_close"]()


def test_a_client_is_answered_though_silent_sockets_took_every_slot(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    silent = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(LIMIT)]
    try:
        answer = httpx.get(f"{server}/api/v1/task/stats", timeout=20)  # a guard, not a measure
        assert answer.json()["code"] == 0
        closed = 0
        for sock in silent:  # the oldest idle ones were closed to make room
            sock.settimeout(10)
            with contextlib.suppress(TimeoutError, OSError):
                closed += sock.recv(1) == b""
            if closed:
                break
        assert closed
        assert EVICT_AT_ONCE < LIMIT
    finally:
        for sock in silent:
            sock.close()

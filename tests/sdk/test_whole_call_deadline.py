"""A peer that trickles or floods cannot hold the client (#33, item 4).

Each test points a client at a small peer of its own on a free loopback port that answers
badly on purpose: its status line a byte at a time, its body a byte at a time, a length of
4 GB, a gzip body that inflates past the bound. The call must end with the SDK's error; a
guard thread fails the test, instead of hanging the suite, if it does not end at all.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tikmatrix_sdk import (
    APITimeoutError,
    AsyncTikMatrix,
    ResponseTooLargeError,
    TikMatrix,
)
from tikmatrix_sdk.fleet import Fleet

_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


class _Peer:
    """A loopback peer that answers every request with ``answer(socket, stop)``."""

    def __init__(self, answer: Callable[[socket.socket, threading.Event], None]) -> None:
        self._answer = answer
        self._stop = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(connection,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            try:
                connection.recv(65536)  # the request (small: a GET)
                self._answer(connection, self._stop)
            except OSError:
                pass  # the client hung up: what these peers wait for

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        self._accepting.join(10)
        for thread in self._threads:
            thread.join(10)


def _trickle(data: bytes) -> Callable[[socket.socket, threading.Event], None]:
    def answer(connection: socket.socket, stop: threading.Event) -> None:
        for byte in data:
            if stop.wait(0.2):
                return
            connection.sendall(bytes([byte]))
        while not stop.wait(0.2):  # and then nothing, for as long as the client waits
            connection.sendall(b" " if data.endswith(b"\r\n\r\n") else b"X")

    return answer


def _huge(connection: socket.socket, stop: threading.Event) -> None:
    connection.sendall(_HEAD + b"Content-Length: 4000000000\r\n\r\n")
    chunk = bytes(65536)
    while not stop.is_set():
        connection.sendall(chunk)


def _unsized(connection: socket.socket, stop: threading.Event) -> None:
    connection.sendall(_HEAD + b"Connection: close\r\n\r\n")
    chunk = bytes(65536)
    while not stop.is_set():
        connection.sendall(chunk)


_BOMB = gzip.compress(b"{" + b" " * (50 * 1024 * 1024) + b"}", compresslevel=9)


def _gzip_bomb(connection: socket.socket, stop: threading.Event) -> None:
    connection.sendall(
        _HEAD + b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(_BOMB) + _BOMB
    )


@pytest.fixture
def peer(request: pytest.FixtureRequest) -> Iterator[_Peer]:
    found = _Peer(request.param)
    try:
        yield found
    finally:
        found.close()


def _ends(call: Callable[[], Any]) -> BaseException:
    """Run ``call`` in a thread; the exception it ended with (it must end, and raise)."""
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(60)  # a guard against hanging the suite, not a measure
    assert not thread.is_alive(), "the call did not end: the peer holds the client"
    assert outcome, "the call returned an answer the peer never gave"
    return outcome[0]


_STATUS_TRICKLE = _trickle(_HEAD + b"Content-Length: 2\r\n\r\n{}")
_BODY_TRICKLE = _trickle(_HEAD + b"Content-Length: 100000\r\n\r\n")


@pytest.mark.parametrize("peer", [_STATUS_TRICKLE, _BODY_TRICKLE], indirect=True)
def test_a_trickle_ends_at_the_timeout_sync(peer: _Peer) -> None:
    with TikMatrix(peer.url, timeout=1, max_retries=0) as client:
        error = _ends(client.tasks.stats)
    assert isinstance(error, APITimeoutError), repr(error)
    assert "deadline" in str(error) or "timed out" in str(error).lower()


@pytest.mark.parametrize("peer", [_STATUS_TRICKLE, _BODY_TRICKLE], indirect=True)
def test_a_trickle_ends_at_the_timeout_async(peer: _Peer) -> None:
    async def stats() -> None:
        async with AsyncTikMatrix(peer.url, timeout=1, max_retries=0) as client:
            await client.tasks.stats()

    error = _ends(lambda: asyncio.run(stats()))
    assert isinstance(error, APITimeoutError), repr(error)


@pytest.mark.parametrize("peer", [_STATUS_TRICKLE], indirect=True)
def test_a_wait_ends_at_its_own_timeout_however_slowly_a_host_answers(peer: _Peer) -> None:
    # Each request could take 30 s, three times with its retries: the guard (60 s) fails the
    # test unless the wait's own timeout bounds them.
    with TikMatrix(peer.url, timeout=30) as client:
        error = _ends(lambda: client.tasks.wait(1, timeout=1))
    assert isinstance(error, APITimeoutError | TimeoutError), repr(error)


@pytest.mark.parametrize("peer", [_huge, _unsized, _gzip_bomb], indirect=True)
def test_a_flood_is_read_up_to_the_bound(peer: _Peer) -> None:
    bound = 1024 * 1024
    with TikMatrix(peer.url, max_response_bytes=bound, max_retries=2) as client:
        error = _ends(client.tasks.stats)
    assert isinstance(error, ResponseTooLargeError), repr(error)
    assert "max_response_bytes" in str(error)

    async def stats() -> None:
        async with AsyncTikMatrix(peer.url, max_response_bytes=bound) as client:
            await client.tasks.stats()

    assert isinstance(_ends(lambda: asyncio.run(stats())), ResponseTooLargeError)


@pytest.mark.parametrize("peer", [_STATUS_TRICKLE], indirect=True)
def test_a_fleet_names_the_host_that_ran_out(peer: _Peer) -> None:
    from tikmatrix_sdk.fleet import Host

    with Fleet([Host(name="slow-pc", url=peer.url, timeout=1, max_retries=0)]) as fleet:

        def stats() -> None:
            result = fleet.tasks.stats()
            raise RuntimeError(f"failed hosts: {dict(result.failed)!r}")

        error = _ends(stats)
    assert "slow-pc" in str(error), repr(error)
    assert "APITimeoutError" in str(error) or "timed out" in str(error).lower(), repr(error)


def test_the_bound_and_the_deadline_are_checked_options() -> None:
    from tikmatrix_sdk import ClientValidationError

    with pytest.raises(ClientValidationError, match="max_response_bytes"):
        TikMatrix(max_response_bytes=0)
    with TikMatrix(max_response_bytes=None) as client:
        assert client.with_options(max_response_bytes=10)._options.max_response_bytes == 10

"""The sockets of a client the SDK makes, held to the request's whole-call deadline.

Loaded with the first blocking client (httpcore, which it wraps, loads anyio). See
:mod:`._deadline` for why: a host that trickles its status line or headers would otherwise
hold a call for as long as it keeps sending.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx
from httpcore._backends.base import SOCKET_OPTION

from ._deadline import DEADLINE

__all__ = ["DeadlineBackend", "with_deadline_backend"]


def _remaining(timeout: float | None, now: Callable[[], float]) -> float | None:
    """The socket operation's timeout, shortened to what is left of the request's deadline."""
    deadline = DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - now()
    if left <= 0:
        raise httpcore.ReadTimeout("the request's deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read and write waits at most until the request's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, now: Callable[[], float]) -> None:
        self._stream = stream
        self._now = now

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _remaining(timeout, self._now))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _remaining(timeout, self._now))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        return _DeadlineStream(self._stream.start_tls(*args, **kwargs), self._now)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend, its sockets held to the request's deadline."""

    def __init__(self, backend: httpcore.NetworkBackend, now: Callable[[], float]) -> None:
        self._backend = backend
        self._now = now

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host, port, _remaining(timeout, self._now), local_address, socket_options
        )
        return _DeadlineStream(stream, self._now)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(
            path, _remaining(timeout, self._now), socket_options
        )
        return _DeadlineStream(stream, self._now)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def with_deadline_backend(transport: httpx.HTTPTransport, now: Callable[[], float]) -> None:
    """Hold the sockets of a transport the SDK made to each request's deadline.

    httpx does not take a network backend, so it is set on the transport's connection pool;
    a later httpx without that pool keeps only the body's bounds (the tests would say so).
    """
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore.NetworkBackend):
        pool._network_backend = DeadlineBackend(backend, now)  # type: ignore[union-attr]

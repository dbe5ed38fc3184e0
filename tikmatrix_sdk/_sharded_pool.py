"""The async client's connections, held in several small pools instead of one large one.

httpcore's connection pool looks over every connection it holds on each request it starts
and each it finishes (and asks each idle socket whether it was closed). With 50 requests in
flight that scan cost the client about 6 ms of processor per request on a 2-core machine,
five times what the request itself costs; the event loop, not the server, then bounded an
``asyncio.gather`` of many calls. Eight pools of at most 13 connections each keep every scan
short. A request goes to the pool with the fewest requests in flight (the first one on a
tie), so a program that sends one request at a time keeps reusing one connection.

The transport is used only when the SDK makes the ``httpx.AsyncClient`` itself; one passed
as ``http_client`` is used as it is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx

from ._shared.tls import tls_context

__all__ = ["SHARDS", "ShardedAsyncTransport"]

#: How many pools the connections are spread over.
SHARDS = 8
#: The most connections the client holds open at once, over every pool (httpx's default).
MAX_CONNECTIONS = 100


class _ReleasingStream(httpx.AsyncByteStream):
    """An answer's body that gives its pool's slot back once read or closed."""

    def __init__(self, stream: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            self._give_back()

    def _give_back(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


class ShardedAsyncTransport(httpx.AsyncBaseTransport):
    """An :class:`httpx.AsyncBaseTransport` over :data:`SHARDS` ordinary HTTP transports."""

    def __init__(self, shards: int = SHARDS, max_connections: int = MAX_CONNECTIONS) -> None:
        per_shard = -(-max_connections // shards)
        limits = httpx.Limits(max_connections=per_shard, max_keepalive_connections=per_shard)
        self._shards = [
            httpx.AsyncHTTPTransport(verify=tls_context(), limits=limits) for _ in range(shards)
        ]
        self._in_flight = [0] * shards

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the least busy pool."""
        in_flight = self._in_flight
        index = in_flight.index(min(in_flight))
        in_flight[index] += 1

        def release() -> None:
            in_flight[index] -= 1

        try:
            response = await self._shards[index].handle_async_request(request)
        except BaseException:
            release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _ReleasingStream(response.stream, release)
        return response

    async def aclose(self) -> None:
        """Close every pool's connections."""
        for shard in self._shards:
            await shard.aclose()

"""A request's whole-call deadline, and the most bytes of an answer the SDK will read.

httpx's timeouts bound each network operation, not a request: a host that sends one byte
every half second (its status line, its headers or its body) never trips a 3-second read
timeout, and a call waits for as long as it keeps trickling. A host that answers
``Content-Length: 4e9`` is read to the end. So each attempt of a request gets a deadline
(the largest part of the client's ``timeout``: ``timeout=3`` is three seconds for the whole
request, connecting included), and an answer is read up to ``max_response_bytes``:

- the body is read as a stream, the clock and the count checked between chunks (any
  ``http_client``);
- the status line and headers are bounded too on the clients the SDK makes itself: their
  sockets' reads wait at most until the deadline (``_deadline_backend``), and the async
  client cancels the whole request at its deadline (anyio).

Past the deadline the request fails as :class:`httpx.ReadTimeout` (the SDK's
``APITimeoutError``); past the size as :class:`ResponseTooLarge` (``ResponseTooLargeError``).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable

import httpx

__all__ = [
    "DEADLINE",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "ResponseTooLarge",
    "deadline_scope",
    "read_async",
    "read_sync",
    "whole_seconds",
]

#: The most bytes of an answer the SDK reads by default: far above the largest real answer
#: (a page of 100 tasks with their configurations is well under a megabyte).
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024

#: The deadline (``time.monotonic``) of the request the current thread or task is sending.
DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "tikmatrix_deadline", default=None
)


class ResponseTooLarge(httpx.TransportError):
    """An answer longer than the client reads (``max_response_bytes``)."""


def whole_seconds(timeout: httpx.Timeout | None) -> float | None:
    """The whole-call deadline a timeout sets: its largest part (``None``: no deadline)."""
    if timeout is None:
        return None
    parts = [timeout.connect, timeout.read, timeout.write, timeout.pool]
    given = [part for part in parts if part is not None]
    return max(given) if given else None


class deadline_scope:
    """Within it, the SDK's own sockets wait at most until ``deadline``."""

    def __init__(self, deadline: float | None) -> None:
        self._deadline = deadline
        self._token: contextvars.Token[float | None] | None = None

    def __enter__(self) -> None:
        self._token = DEADLINE.set(self._deadline)

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            DEADLINE.reset(self._token)


class _Body:
    """An answer's body as it is read: its length and its time checked at every chunk."""

    def __init__(
        self,
        response: httpx.Response,
        deadline: float | None,
        max_bytes: int | None,
        now: Callable[[], float],
    ) -> None:
        self._response = response
        self._deadline = deadline
        self._max = max_bytes
        self._now = now
        self._chunks: list[bytes] = []
        self._size = 0
        declared = response.headers.get("content-length", "")
        if max_bytes is not None and declared.isdigit() and int(declared) > max_bytes:
            raise ResponseTooLarge(
                f"the answer says it is {int(declared):,} bytes long, past the {max_bytes:,} "
                "the client reads (max_response_bytes)",
                request=response.request,
            )

    def take(self, chunk: bytes) -> None:
        """One more chunk (decoded): refused past the size, or past the deadline."""
        self._size += len(chunk)
        if self._max is not None and self._size > self._max:
            raise ResponseTooLarge(
                f"the answer is longer than the {self._max:,} bytes the client reads "
                "(max_response_bytes)",
                request=self._response.request,
            )
        self._chunks.append(chunk)
        if self._deadline is not None and self._now() > self._deadline:
            raise httpx.ReadTimeout(
                "the request's whole-call deadline (its timeout) passed while the answer was read",
                request=self._response.request,
            )

    def keep(self) -> None:
        """Hand the whole body to the response, as httpx's own ``Response.read()`` does."""
        self._response._content = b"".join(self._chunks)


def read_sync(
    response: httpx.Response,
    deadline: float | None,
    max_bytes: int | None,
    now: Callable[[], float],
) -> None:
    """Read a streamed answer's body within the deadline and the size, or raise."""
    body = _Body(response, deadline, max_bytes, now)
    for chunk in response.iter_bytes():
        body.take(chunk)
    body.keep()


async def read_async(
    response: httpx.Response,
    deadline: float | None,
    max_bytes: int | None,
    now: Callable[[], float],
) -> None:
    """The async twin of :func:`read_sync`."""
    body = _Body(response, deadline, max_bytes, now)
    async for chunk in response.aiter_bytes():
        body.take(chunk)
    body.keep()

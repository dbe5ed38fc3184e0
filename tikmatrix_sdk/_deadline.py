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
from collections.abc import Callable, Iterable

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


def _check_length(response: httpx.Response, max_bytes: int | None) -> None:
    declared = response.headers.get("content-length", "")
    if max_bytes is not None and declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLarge(
            f"the answer says it is {int(declared):,} bytes long, past the {max_bytes:,} the "
            "client reads (max_response_bytes)",
            request=response.request,
        )


def _gather(
    chunks: list[bytes], chunk: bytes, size: int, max_bytes: int | None, response: httpx.Response
) -> int:
    size += len(chunk)
    if max_bytes is not None and size > max_bytes:
        raise ResponseTooLarge(
            f"the answer is longer than the {max_bytes:,} bytes the client reads "
            "(max_response_bytes)",
            request=response.request,
        )
    chunks.append(chunk)
    return size


def _late(response: httpx.Response) -> httpx.ReadTimeout:
    return httpx.ReadTimeout(
        "the request's whole-call deadline (its timeout) passed while the answer was read",
        request=response.request,
    )


def _keep(response: httpx.Response, chunks: Iterable[bytes]) -> None:
    # What httpx's own Response.read() does once it has the body.
    response._content = b"".join(chunks)


def read_sync(
    response: httpx.Response,
    deadline: float | None,
    max_bytes: int | None,
    now: Callable[[], float],
) -> None:
    """Read a streamed answer's body within the deadline and the size, or raise."""
    _check_length(response, max_bytes)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size = _gather(chunks, chunk, size, max_bytes, response)
        if deadline is not None and now() > deadline:
            raise _late(response)
    _keep(response, chunks)


async def read_async(
    response: httpx.Response,
    deadline: float | None,
    max_bytes: int | None,
    now: Callable[[], float],
) -> None:
    """The async twin of :func:`read_sync`."""
    _check_length(response, max_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size = _gather(chunks, chunk, size, max_bytes, response)
        if deadline is not None and now() > deadline:
            raise _late(response)
    _keep(response, chunks)

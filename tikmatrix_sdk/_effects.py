r"""The steps an operation asks its client to perform: the seam between rules and I/O.

An operation (create a task, walk the pages, wait for a task) is written once as a generator
that yields these effects and returns its result. The blocking client performs them with
``httpx.Client`` and ``time.sleep``, the async client with ``httpx.AsyncClient`` and
``anyio.sleep``; neither holds any rule of its own.

These records, like the other internal ones on the import path, are :class:`Record`\ s
written by hand: a dataclass or an attrs class costs about a millisecond each to create,
and the import is the one moment every program pays for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Mapping
from typing import Any, Generic, TypeVar

import httpx

from ._logs import logger
from ._records import Record, set_field
from ._shown_url import shown_url

__all__ = [
    "Effect",
    "Emit",
    "Extension",
    "Now",
    "Program",
    "Send",
    "Sleep",
    "Stepper",
    "Stream",
    "intercept",
]

T = TypeVar("T")


class Send(Record):
    """Send one HTTP request.

    The client builds it with its own ``httpx`` client (so that client's headers, auth and
    hooks apply); the reply is the :class:`httpx.Response`, or the transport error, raised
    into the generator.

    ``max_bytes`` is the most bytes of the answer to read (``None``: no bound); ``within``
    the seconds the operation has left for this request (a wait's remaining time), if fewer
    than the timeout's whole-call deadline.
    """

    __slots__ = ("content", "headers", "max_bytes", "method", "params", "timeout", "url", "within")

    method: str
    url: str
    params: Mapping[str, str] | None
    content: bytes | None
    headers: Mapping[str, str] | None
    timeout: httpx.Timeout | None
    max_bytes: int | None
    within: float | None

    def __init__(
        self,
        *,
        method: str,
        url: str,
        params: Mapping[str, str] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        max_bytes: int | None = None,
        within: float | None = None,
    ) -> None:
        set_field(self, "method", method)
        set_field(self, "url", url)
        set_field(self, "params", params)
        set_field(self, "content", content)
        set_field(self, "headers", headers)
        set_field(self, "timeout", timeout)
        set_field(self, "max_bytes", max_bytes)
        set_field(self, "within", within)

    def build_request(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        """Build the request with ``http``, so its default headers, cookies and auth apply.

        Its body is logged at DEBUG here, as it leaves, with any per-call option applied.
        """
        if self.content is not None and logger.isEnabledFor(logging.DEBUG):
            body = self.content.decode("utf-8", "replace")
            logger.debug("%s %s request body: %s", self.method, shown_url(self.url), body)
        return http.build_request(
            self.method,
            self.url,
            params=self.params,
            content=self.content,
            headers=self.headers,
            timeout=self.timeout,
        )


class Sleep(Record):
    """Pause for ``seconds``; the reply is ``None``."""

    __slots__ = ("seconds",)

    seconds: float

    def __init__(self, seconds: float) -> None:
        set_field(self, "seconds", seconds)


class Now(Record):
    """Read the monotonic clock; the reply is seconds, as :func:`time.monotonic` gives."""

    __slots__ = ()


class Emit(Record, Generic[T]):
    """Hand ``item`` to the caller of a streaming operation; the reply is ``None``."""

    __slots__ = ("item",)

    item: T

    def __init__(self, item: T) -> None:
        set_field(self, "item", item)


class Extension:
    """An effect that a shell of its own performs: the base of the fleet's calls on hosts.

    The client's shells perform none; a program that yields one runs only in a shell that
    knows it.
    """

    __slots__ = ()


Effect = Send | Sleep | Now | Emit[Any] | Extension

#: An operation: yields effects, receives their replies, returns its result.
Program = Generator[Effect, Any, T]
#: A streaming operation: also emits items of type ``T`` to its caller.
Stream = Generator[Send | Sleep | Now | Emit[T] | Extension, Any, None]


class Stepper(Generic[T]):
    """Advance a program one effect at a time, carrying each reply back into it."""

    __slots__ = ("_error", "_program", "_value", "result")

    def __init__(self, program: Generator[Any, Any, T]) -> None:
        self._program = program
        self._value: Any = None
        self._error: BaseException | None = None
        self.result: T | None = None

    def reply(self, value: Any, error: BaseException | None) -> None:
        """Record the outcome of the effect last returned by :meth:`next_effect`."""
        self._value, self._error = value, error

    def next_effect(self) -> Any:
        """Return the next effect, or ``None`` once the program has returned its result."""
        value, error = self._value, self._error
        self._value = self._error = None
        try:
            if error is not None:
                return self._program.throw(error)
            return self._program.send(value)
        except StopIteration as stop:
            self.result = stop.value
            return None


def intercept(
    program: Generator[Any, Any, T],
    *,
    before: Callable[[Send], Send] | None = None,
    after: Callable[[Any], None] | None = None,
) -> Generator[Any, Any, T]:
    """Run ``program`` with its requests passed through ``before`` and their replies shown.

    ``before`` may change each request on its way out; ``after`` sees each reply to a request
    (a response, or ``None`` when it failed).
    """
    reply: Any = None
    error: BaseException | None = None
    while True:
        try:
            effect = program.throw(error) if error is not None else program.send(reply)
        except StopIteration as stop:
            result: T = stop.value
            return result
        reply, error = None, None
        is_send = isinstance(effect, Send)
        if is_send and before is not None:
            effect = before(effect)
        try:
            reply = yield effect
        except BaseException as exc:  # the shells hand transport errors back this way
            error = exc
        if is_send and after is not None:
            after(reply)

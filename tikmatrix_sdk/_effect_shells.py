"""The two I/O shells: they perform the effects that operations yield, and nothing else."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

import httpx

from ._effects import Emit, Now, Program, Send, Sleep, Stepper, Stream

__all__ = ["AsyncRunner", "AsyncShell", "SyncRunner", "SyncShell"]

T = TypeVar("T")


def _unexpected_emit() -> TypeError:
    return TypeError("an operation that returns a result emitted an item")


class SyncRunner:
    """Runs operations to their result, or as streams, on the effects its ``_walk`` performs.

    What every blocking shell shares (the client's, and the fleet's).
    """

    #: Its ``run`` returns the result itself, not a coroutine.
    is_async = False

    def run(self, program: Program[T]) -> T:
        """Run an operation to its result."""
        stepper = Stepper(program)
        for _ in self._walk(stepper):
            raise _unexpected_emit()
        return stepper.result  # type: ignore[return-value]

    def stream(self, program: Stream[T]) -> Iterator[T]:
        """Run a streaming operation, yielding what it emits."""
        return self._walk(Stepper(program))

    def _walk(self, stepper: Stepper[Any]) -> Iterator[Any]:
        raise NotImplementedError


class AsyncRunner:
    """The async twin of :class:`SyncRunner`: ``run`` is awaited, ``stream`` iterated async."""

    #: Its ``run`` returns a coroutine.
    is_async = True

    async def run(self, program: Program[T]) -> T:
        """Run an operation to its result."""
        stepper = Stepper(program)
        async for _ in self._walk(stepper):
            raise _unexpected_emit()
        return stepper.result  # type: ignore[return-value]

    def stream(self, program: Stream[T]) -> AsyncIterator[T]:
        """Run a streaming operation, yielding what it emits."""
        return self._walk(Stepper(program))

    def _walk(self, stepper: Stepper[Any]) -> AsyncIterator[Any]:
        raise NotImplementedError


class SyncShell(SyncRunner):
    """Performs effects with an :class:`httpx.Client` and :func:`time.sleep`."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        self.sleep: Callable[[float], None] = time.sleep
        self.now: Callable[[], float] = time.monotonic

    def _walk(self, stepper: Stepper[Any]) -> Iterator[Any]:
        while (effect := stepper.next_effect()) is not None:
            if isinstance(effect, Emit):
                yield effect.item
            elif isinstance(effect, Sleep):
                self.sleep(effect.seconds)
            elif isinstance(effect, Now):
                stepper.reply(self.now(), None)
            else:
                stepper.reply(*self._send(effect))

    def _send(self, effect: Send) -> tuple[httpx.Response | None, Exception | None]:
        request = effect.build_request(self.http)
        try:
            return self.http.send(request), None
        except httpx.RequestError as exc:
            exc.request = request  # a custom transport may raise without it
            return None, exc


class AsyncShell(AsyncRunner):
    """Performs effects with an :class:`httpx.AsyncClient` and :func:`anyio.sleep`."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        import anyio  # only async users pay for importing it

        self.http = http
        self.sleep: Callable[[float], Awaitable[None]] = anyio.sleep
        self.now: Callable[[], float] = time.monotonic

    async def _walk(self, stepper: Stepper[Any]) -> AsyncIterator[Any]:
        while (effect := stepper.next_effect()) is not None:
            if isinstance(effect, Emit):
                yield effect.item
            elif isinstance(effect, Sleep):
                await self.sleep(effect.seconds)
            elif isinstance(effect, Now):
                stepper.reply(self.now(), None)
            else:
                stepper.reply(*await self._send(effect))

    async def _send(self, effect: Send) -> tuple[httpx.Response | None, Exception | None]:
        request = effect.build_request(self.http)
        try:
            return await self.http.send(request), None
        except httpx.RequestError as exc:
            exc.request = request  # a custom transport may raise without it
            return None, exc

"""The two I/O shells: they perform the effects that operations yield, and nothing else."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

import httpx

from ._deadline import deadline_scope, read_async, read_sync, whole_seconds
from ._effects import Emit, Now, Program, Send, Sleep, Stepper, Stream

__all__ = ["AsyncRunner", "AsyncShell", "SyncRunner", "SyncShell"]

T = TypeVar("T")


def _seconds(effect: Send) -> float | None:
    """How long the request may take in all: its timeout's whole-call deadline, or less."""
    found = [part for part in (whole_seconds(effect.timeout), effect.within) if part is not None]
    return max(0.0, min(found)) if found else None


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
        seconds = _seconds(effect)
        deadline = None if seconds is None else time.monotonic() + seconds
        try:
            with deadline_scope(deadline):
                response = self.http.send(request, stream=True)
                try:
                    read_sync(response, deadline, effect.max_bytes, time.monotonic)
                finally:
                    response.close()
            return response, None
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
        import anyio

        request = effect.build_request(self.http)
        seconds = _seconds(effect)
        deadline = None if seconds is None else time.monotonic() + seconds
        try:
            # The whole request, status line and headers included, ends at its deadline.
            with anyio.fail_after(seconds):
                response = await self.http.send(request, stream=True)
                try:
                    await read_async(response, deadline, effect.max_bytes, time.monotonic)
                finally:
                    await response.aclose()
            return response, None
        except TimeoutError:
            return None, httpx.ReadTimeout(
                "the request's whole-call deadline (its timeout) passed", request=request
            )
        except httpx.RequestError as exc:
            exc.request = request  # a custom transport may raise without it
            return None, exc

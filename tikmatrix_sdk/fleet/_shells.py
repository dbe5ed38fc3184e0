"""The fleet's two I/O shells: they send one step's calls to their hosts, all at once.

A fleet operation is written once, as a generator that yields :class:`OnHosts` (calls to make
on some hosts, side by side) and :class:`~tikmatrix_sdk._effects.Emit` (an item for the
caller of a stream). The blocking shell makes a step's calls on threads, one per call; the
async shell in an anyio task group. Each call is a function of the host's client: the
blocking client's methods return results, the async client's coroutines, which the async
shell awaits.

A call that raises one of the SDK's errors becomes that host's failure (the exception noted
``on host NAME``), never the whole step's: except :class:`ClientValidationError`, a mistake in
the call itself, which is raised at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from .._effect_shells import AsyncRunner, SyncRunner
from .._effects import Emit, Extension, Stepper
from ..errors import ClientValidationError, TikMatrixError

__all__ = ["AsyncFleetShell", "OnHosts", "Outcome", "SyncFleetShell"]

T = TypeVar("T")
#: A call's answer, or the error its host raised.
Outcome = tuple[Any, TikMatrixError | None]
#: The most threads the blocking shell runs calls on at once.
MAX_THREADS = 32


@dataclasses.dataclass(frozen=True, slots=True)
class OnHosts(Extension):
    """Make each ``(host, call)`` side by side.

    The reply is each call's :data:`Outcome`, in the same order.
    """

    calls: tuple[tuple[str, Callable[[Any], Any]], ...]


def _failed(host: str, exc: TikMatrixError) -> Outcome:
    if not isinstance(exc, ClientValidationError):
        exc.add_note(f"on host {host}")
    return None, exc


def _checked(outcomes: list[Outcome]) -> list[Outcome]:
    """The outcomes, unless a call was refused before it was sent: then that refusal."""
    for _, error in outcomes:
        if isinstance(error, ClientValidationError):
            raise error
    return outcomes


class SyncFleetShell(SyncRunner):
    """Makes a step's calls on threads, with the hosts' blocking clients."""

    def __init__(self, clients: Mapping[str, Any]) -> None:
        self.clients = clients
        self._threads: ThreadPoolExecutor | None = None

    def close(self) -> None:
        """Stop the threads (the clients are closed by their fleet)."""
        if self._threads is not None:
            self._threads.shutdown(wait=True)

    def _walk(self, stepper: Stepper[Any]) -> Iterator[Any]:
        while (effect := stepper.next_effect()) is not None:
            if isinstance(effect, Emit):
                yield effect.item
            else:
                stepper.reply(self._on_hosts(effect), None)

    def _one(self, host: str, call: Callable[[Any], Any]) -> Outcome:
        try:
            return call(self.clients[host]), None
        except TikMatrixError as exc:
            return _failed(host, exc)

    def _on_hosts(self, effect: OnHosts) -> list[Outcome]:
        if len(effect.calls) == 1:
            return _checked([self._one(*effect.calls[0])])
        if self._threads is None:
            self._threads = ThreadPoolExecutor(
                min(MAX_THREADS, max(len(self.clients), 2)), thread_name_prefix="tikmatrix-fleet"
            )
        futures = [self._threads.submit(self._one, host, call) for host, call in effect.calls]
        return _checked([future.result() for future in futures])


class AsyncFleetShell(AsyncRunner):
    """Makes a step's calls in an anyio task group, with the hosts' async clients."""

    def __init__(self, clients: Mapping[str, Any]) -> None:
        self.clients = clients

    async def _walk(self, stepper: Stepper[Any]) -> AsyncIterator[Any]:
        while (effect := stepper.next_effect()) is not None:
            if isinstance(effect, Emit):
                yield effect.item
            else:
                stepper.reply(await self._on_hosts(effect), None)

    async def _one(self, host: str, call: Callable[[Any], Any]) -> Outcome:
        try:
            return await call(self.clients[host]), None
        except TikMatrixError as exc:
            return _failed(host, exc)

    async def _on_hosts(self, effect: OnHosts) -> list[Outcome]:
        import anyio

        if len(effect.calls) == 1:
            return _checked([await self._one(*effect.calls[0])])
        outcomes: list[Outcome] = [(None, None)] * len(effect.calls)

        async def one(index: int, host: str, call: Callable[[Any], Any]) -> None:
            outcomes[index] = await self._one(host, call)

        async with anyio.create_task_group() as group:
            for index, (host, call) in enumerate(effect.calls):
                group.start_soon(one, index, host, call)
        return _checked(outcomes)

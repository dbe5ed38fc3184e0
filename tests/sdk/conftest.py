"""Fixtures that run every SDK test against both clients, with respx standing in for the server."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any, TypeVar, overload

import pytest
import respx

from tikmatrix_sdk import AsyncPage, AsyncTikMatrix, SyncPage, TikMatrix

T = TypeVar("T")
U = TypeVar("U")

BASE = "http://tikmatrix.test"
API = f"{BASE}/api/v1"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


class Sleeps(list[float]):
    """Records the pauses a client asked for instead of sleeping."""

    def sync(self, seconds: float) -> None:
        self.append(seconds)

    async def async_(self, seconds: float) -> None:
        self.append(seconds)

    def now(self) -> float:
        """The client's clock: time passes only by the pauses it asked for."""
        return sum(self)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture(params=["sync", "async"])
def client(
    request: pytest.FixtureRequest, router: respx.MockRouter, sleeps: Sleeps
) -> Iterator[TikMatrix | AsyncTikMatrix]:
    """A client of each kind whose sleeps are recorded, not slept, on a clock they move."""
    if request.param == "sync":
        sync_client = TikMatrix(BASE)
        sync_client._shell.sleep = sleeps.sync
        sync_client._shell.now = sleeps.now
        yield sync_client
        sync_client.close()
    else:
        async_client = AsyncTikMatrix(BASE)
        async_client._shell.sleep = sleeps.async_
        async_client._shell.now = sleeps.now
        yield async_client


@overload
async def resolve(value: SyncPage[U] | Awaitable[AsyncPage[U]]) -> SyncPage[U] | AsyncPage[U]: ...
@overload
async def resolve(value: T | Awaitable[T]) -> T: ...
async def resolve(value: Any) -> Any:
    """Await the async client's answer; pass the blocking client's through."""
    if inspect.isawaitable(value):
        return await value
    return value


async def collect(items: Iterator[T] | AsyncIterator[T]) -> list[T]:
    """Drain a sync or async iterator into a list."""
    if isinstance(items, AsyncIterator):
        return [item async for item in items]
    return list(items)


async def first(items: Iterator[T] | AsyncIterator[T]) -> T:
    """The first item of a sync or async iterator."""
    if isinstance(items, AsyncIterator):
        return await items.__anext__()
    return next(items)


def envelope(data: Any = None, code: int = 0, message: str = "success") -> dict[str, Any]:
    """The API's response envelope."""
    return {"code": code, "message": message, "data": data}


def task_json(task_id: int = 1, **overrides: Any) -> dict[str, Any]:
    """A task as the reference server sends it."""
    task: dict[str, Any] = {
        "id": task_id,
        "serial": "device_serial_1",
        "username": None,
        "script_name": "post",
        "script_config": {"content_type": 0, "captions": "hi"},
        "status": 0,
        "source": "api",
        "enable_multi_account": False,
        "start_time": None,
        "scheduled_at": "2026-11-23T14:30:00+01:00",
        "retry_count": 0,
        "remark": "",
        "created_at": "2026-11-23T13:02:11+01:00",
        "started_at": None,
        "finished_at": None,
    }
    task.update(overrides)
    return task


def page_json(
    tasks: list[dict[str, Any]], total: int | None = None, page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    """A page of ``GET /task``."""
    return {
        "tasks": tasks,
        "total": len(tasks) if total is None else total,
        "page": page,
        "page_size": page_size,
    }

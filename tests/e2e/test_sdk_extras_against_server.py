"""Raw responses, pages, per-call options and ``client.get/post`` against the live server."""

from __future__ import annotations

from typing import Any, cast

import pytest

from tikmatrix_sdk import (
    APITimeoutError,
    AsyncPage,
    AsyncTikMatrix,
    FollowConfig,
    NotFoundError,
    SyncPage,
    Task,
    TaskStats,
    TaskStatus,
    TikMatrix,
)

from ..sdk.conftest import resolve
from .conftest import Control

pytestmark = pytest.mark.anyio

Client = TikMatrix | AsyncTikMatrix
FANS = FollowConfig(target_users=[f"@fan_{n}" for n in range(7)])


async def walk(page: SyncPage[Task] | AsyncPage[Task]) -> list[int]:
    if isinstance(page, AsyncPage):
        return [task.id async for task in page]
    return [task.id for task in page]


async def test_pages_walk_the_servers_list(client: Client, control: Control) -> None:
    await resolve(client.tasks.create(FANS, serials=["device_serial_1"], start_time="23:59"))
    page = await resolve(client.tasks.list(status=TaskStatus.PENDING, page_size=3))
    assert (page.total, len(page.items), page.has_next_page()) == (7, 3, True)
    second = await resolve(page.next_page())
    assert [task.id for task in second.items] == [4, 3, 2]
    assert await walk(page) == [7, 6, 5, 4, 3, 2, 1]
    last = await resolve(client.tasks.list(status=TaskStatus.PENDING, page_size=3, page=3))
    assert not last.has_next_page()


async def test_raw_responses_carry_the_servers_answer(client: Client, control: Control) -> None:
    created = await resolve(
        client.tasks.with_raw_response.create(FANS, serials=["device_serial_1"], start_time="23:59")
    )
    assert created.status_code == 200
    assert created.method == "POST"
    assert created.headers["content-type"] == "application/json"
    assert created.elapsed.total_seconds() > 0
    assert created.parse().created_count == 7
    raw_page: Any = await resolve(cast(Any, client.tasks.with_raw_response.list(page_size=5)))
    assert raw_page.url.params["page_size"] == "5"
    assert raw_page.parse().total == 7
    with pytest.raises(NotFoundError):
        await resolve(client.tasks.with_raw_response.get(999))


async def test_any_path_through_client_get_and_post(client: Client, control: Control) -> None:
    created = await resolve(
        client.tasks.create(FANS, serials=["device_serial_1"], start_time="23:59")
    )
    stats = await resolve(client.get("/task/stats", cast_to=TaskStats))
    assert (stats.total, stats.pending) == (7, 7)
    stopped = await resolve(client.post(f"/task/{created.task_ids[0]}/stop", cast_to=Task))
    assert stopped.status is TaskStatus.FAILED
    data = await resolve(client.get("/task", params={"status": 3}))
    assert data["total"] == 1
    deleted = await resolve(client.delete("/task/batch", body={"task_ids": [created.task_ids[0]]}))
    assert deleted["deleted_count"] == 1


async def test_a_per_call_timeout_applies_to_that_call_only(
    client: Client, control: Control
) -> None:
    control.call("POST", "/faults", {"path": "/api/v1/task/stats", "latency": 0.5})
    with pytest.raises(APITimeoutError):
        await resolve(client.tasks.stats(timeout=0.1))
    stats = await resolve(client.tasks.stats(extra_headers={"X-Job": "e2e"}))
    assert stats.total == 0

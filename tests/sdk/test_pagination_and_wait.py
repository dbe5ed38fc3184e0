"""``iter`` walks pages lazily and never repeats a task; ``wait`` polls until a task finishes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from tikmatrix_sdk import (
    AsyncTikMatrix,
    ClientValidationError,
    NotFoundError,
    TaskStatus,
    TikMatrix,
    WaitTimeoutError,
)

from .conftest import Sleeps, collect, envelope, first, page_json, resolve, task_json

pytestmark = pytest.mark.anyio

Client = TikMatrix | AsyncTikMatrix


def paged(ids: list[int], page_size: int) -> Any:
    """A side effect serving ``ids`` (newest first) by the page the request asks for."""

    def respond(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        chunk = ids[(page - 1) * page_size : page * page_size]
        body = page_json(
            [task_json(i) for i in chunk], total=len(ids), page=page, page_size=page_size
        )
        return httpx.Response(200, json=envelope(body))

    return respond


async def test_iter_walks_every_page(client: Client, router: respx.MockRouter) -> None:
    ids = list(range(250, 0, -1))
    route = router.get("/task").mock(side_effect=paged(ids, 100))
    tasks = await collect(client.tasks.iter(status=TaskStatus.PENDING, serial="s1"))
    assert [t.id for t in tasks] == ids
    assert route.call_count == 3
    params = [dict(call.request.url.params) for call in route.calls]
    assert params == [
        {"status": "0", "serial": "s1", "page": str(n), "page_size": "100"} for n in (1, 2, 3)
    ]


async def test_iter_stops_on_an_exact_last_page(client: Client, router: respx.MockRouter) -> None:
    route = router.get("/task").mock(side_effect=paged(list(range(10, 0, -1)), 5))
    assert len(await collect(client.tasks.iter(page_size=5))) == 10
    assert route.call_count == 2


async def test_iter_on_empty_list(client: Client, router: respx.MockRouter) -> None:
    route = router.get("/task").respond(json=envelope(page_json([], total=0)))
    assert await collect(client.tasks.iter()) == []
    assert route.call_count == 1


async def test_iter_is_lazy(client: Client, router: respx.MockRouter) -> None:
    route = router.get("/task").mock(side_effect=paged(list(range(30, 0, -1)), 10))
    iterator = client.tasks.iter(page_size=10)
    assert route.call_count == 0
    assert (await first(iterator)).id == 30
    assert route.call_count == 1


async def test_iter_never_yields_a_task_twice_while_tasks_are_created(
    client: Client, router: respx.MockRouter
) -> None:
    ids = list(range(25, 0, -1))
    calls = 0

    def respond(request: httpx.Request) -> httpx.Response:
        nonlocal calls, ids
        calls += 1
        if calls == 2:  # three tasks are created between the first and second page
            ids = [28, 27, 26, *ids]
        page = int(request.url.params["page"])
        chunk = ids[(page - 1) * 10 : page * 10]
        body = page_json([task_json(i) for i in chunk], total=len(ids), page=page, page_size=10)
        return httpx.Response(200, json=envelope(body))

    router.get("/task").mock(side_effect=respond)
    seen = [t.id for t in await collect(client.tasks.iter(page_size=10))]
    assert len(seen) == len(set(seen))
    assert set(range(1, 26)) <= set(seen)  # nothing that existed at the start is missed


async def test_iter_checks_page_size(client: Client) -> None:
    with pytest.raises(ClientValidationError) as caught:
        await collect(client.tasks.iter(page_size=101))
    assert caught.value.field == "page_size"


async def test_accounts_iter(client: Client, router: respx.MockRouter) -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        accounts = [{"id": n, "username": f"@u{n}"} for n in range(page * 2 - 1, page * 2 + 1)]
        body = {"accounts": accounts, "total": 4, "page": page, "page_size": 2}
        return httpx.Response(200, json=envelope(body))

    route = router.get("/accounts").mock(side_effect=respond)
    accounts = await collect(client.accounts.iter(platform="tiktok", page_size=2))
    assert [a.username for a in accounts] == ["@u1", "@u2", "@u3", "@u4"]
    assert route.calls.last.request.url.params["platform"] == "tiktok"


@pytest.mark.parametrize("final", [TaskStatus.COMPLETED, TaskStatus.FAILED])
async def test_wait_polls_until_finished(
    client: Client, router: respx.MockRouter, sleeps: Sleeps, final: TaskStatus
) -> None:
    route = router.get("/task/5").mock(
        side_effect=[
            httpx.Response(200, json=envelope(task_json(5, status=0))),
            httpx.Response(200, json=envelope(task_json(5, status=1))),
            httpx.Response(200, json=envelope(task_json(5, status=int(final)))),
        ]
    )
    task = await resolve(client.tasks.wait(5, timeout=60, poll_interval=1.5))
    assert task.status is final
    assert route.call_count == 3
    assert sleeps == [0.02, 0.04]  # a quick task is seen at once: the polls back off


async def test_wait_times_out_with_last_state(
    client: Client, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    router.get("/task/5").respond(json=envelope(task_json(5, status=1)))
    with pytest.raises(WaitTimeoutError) as caught:
        await resolve(client.tasks.wait(5, timeout=5, poll_interval=2))
    error = caught.value
    assert isinstance(error, TimeoutError)
    assert error.task_id == 5
    assert error.task.status is TaskStatus.RUNNING
    assert "task 5 did not finish within 5 s" in str(error)
    # 20 ms, doubling to the interval; the last pause is cut to the deadline
    assert sleeps == pytest.approx([0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.0, 0.46])


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": -1}, "timeout"),
        ({"poll_interval": 0}, "poll_interval"),
        ({"poll_interval": True}, "poll_interval"),
        ({"timeout": "5"}, "timeout"),
    ],
)
async def test_wait_checks_its_arguments(
    client: Client, router: respx.MockRouter, kwargs: dict[str, Any], field: str
) -> None:
    route = router.get("/task/5").respond(json=envelope(task_json(5)))
    with pytest.raises(ClientValidationError) as caught:
        await resolve(client.tasks.wait(5, **kwargs))
    assert caught.value.field == field
    assert not route.called


class Listing:
    """A task listing, newest first, whose statuses move on with each poll."""

    def __init__(self, statuses: dict[int, list[int]], extra: int = 0) -> None:
        self.statuses = statuses  # id -> status at poll 0, 1, 2 … (the last one sticks)
        self.ids = sorted([*statuses, *range(1000, 1000 + extra)], reverse=True)
        self.polls = 0
        self.pages: list[int] = []

    def _status(self, task_id: int) -> int:
        steps = self.statuses.get(task_id, [0])
        return steps[min(self.polls - 1, len(steps) - 1)]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        size = int(request.url.params["page_size"])
        if page == 1:
            self.polls += 1
        self.pages.append(page)
        chosen = self.ids[(page - 1) * size : page * size]
        tasks = [task_json(i, status=self._status(i)) for i in chosen]
        body = page_json(tasks, total=len(self.ids), page=page, page_size=size)
        return httpx.Response(200, json=envelope(body))


async def test_wait_all_polls_one_listing_and_reports_every_change(
    client: Client, router: respx.MockRouter, sleeps: Sleeps
) -> None:
    listing = Listing({3: [0, 1, 2], 4: [1, 3, 3], 5: [2, 2, 2]}, extra=150)
    router.get("/task").mock(side_effect=listing)
    updates: list[tuple[int, TaskStatus | int]] = []
    tasks = await resolve(
        client.tasks.wait_all(
            [5, 3, 4, 5],
            timeout=60,
            poll_interval=1,
            on_update=lambda task: updates.append((task.id, task.status)),
        )
    )
    assert [(task.id, task.status) for task in tasks] == [
        (5, TaskStatus.COMPLETED),
        (3, TaskStatus.COMPLETED),
        (4, TaskStatus.FAILED),
    ]
    assert listing.polls == 3
    assert listing.pages == [1, 2, 1, 2, 1, 2]  # 150 newer tasks: two pages reach id 3
    assert sleeps == [0.02, 0.04]
    assert updates == [  # each poll's changes in the order the ids were given
        (5, TaskStatus.COMPLETED),
        (3, TaskStatus.PENDING),
        (4, TaskStatus.RUNNING),
        (3, TaskStatus.RUNNING),
        (4, TaskStatus.FAILED),
        (3, TaskStatus.COMPLETED),
    ]


async def test_wait_all_times_out_naming_every_unfinished_task(
    client: Client, router: respx.MockRouter
) -> None:
    router.get("/task").mock(side_effect=Listing({1: [1], 2: [2], 3: [0]}))
    with pytest.raises(WaitTimeoutError) as caught:
        await resolve(client.tasks.wait_all([1, 2, 3], timeout=3, poll_interval=1))
    error = caught.value
    assert set(error.unfinished) == {1, 3}
    assert error.unfinished[3].status is TaskStatus.PENDING
    assert (error.task_id, error.task.status) == (1, TaskStatus.RUNNING)
    assert "tasks 1, 3 did not finish within 3 s" in str(error)


async def test_wait_all_asks_for_a_task_gone_from_the_listing(
    client: Client, router: respx.MockRouter
) -> None:
    router.get("/task").mock(side_effect=Listing({2: [2]}))
    router.get("/task/9").respond(404, json={"code": 40401, "message": "task 9 not found"})
    with pytest.raises(NotFoundError):
        await resolve(client.tasks.wait_all([2, 9]))


@pytest.mark.parametrize("ids", [[], "12", [0], [True]])
async def test_wait_all_checks_its_ids(client: Client, router: respx.MockRouter, ids: Any) -> None:
    route = router.get("/task")
    with pytest.raises(ClientValidationError) as caught:
        await resolve(client.tasks.wait_all(ids))
    assert caught.value.field == "task_ids"
    assert not route.called

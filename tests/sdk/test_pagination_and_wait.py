"""``iter`` walks pages lazily and never repeats a task; ``wait`` polls until a task finishes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from tikmatrix_sdk import (
    AsyncTikMatrix,
    ClientValidationError,
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


class FakeClock:
    def __init__(self, sleeps: Sleeps) -> None:
        self.sleeps = sleeps

    def __call__(self) -> float:
        return sum(self.sleeps)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, sleeps: Sleeps) -> FakeClock:
    fake = FakeClock(sleeps)
    monkeypatch.setattr("tikmatrix_sdk.resources.tasks._monotonic", fake)
    return fake


@pytest.mark.usefixtures("clock")
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
    assert sleeps == [1.5, 1.5]


@pytest.mark.usefixtures("clock")
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
    assert sleeps == [2.0, 2.0, 1.0]  # the last pause is cut to the deadline


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

"""Pages from ``list()``: their facts, the next page, and walking every later page."""

from __future__ import annotations

import inspect
from typing import Any

import httpx
import pytest
import respx

from tikmatrix_sdk import (
    AccountPage,
    AsyncPage,
    AsyncTikMatrix,
    SyncPage,
    Task,
    TaskPage,
    TaskStatus,
    TikMatrix,
)

from .conftest import envelope, page_json, resolve, task_json

pytestmark = pytest.mark.anyio

Client = TikMatrix | AsyncTikMatrix


def serve_pages(router: respx.MockRouter, ids: list[int], page_size: int) -> respx.Route:
    """``GET /task`` serving ``ids`` (newest first) in pages of ``page_size``."""

    def answer(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params.get("page", "1"))
        chunk = ids[(number - 1) * page_size : number * page_size]
        body = page_json(
            [task_json(i) for i in chunk], total=len(ids), page=number, page_size=page_size
        )
        return httpx.Response(200, json=envelope(body))

    return router.get("/task").mock(side_effect=answer)


async def walk(page: SyncPage[Any] | AsyncPage[Any]) -> list[Any]:
    if isinstance(page, AsyncPage):
        return [item async for item in page]
    return list(page)


async def test_a_page_says_where_it_stands(client: Client, router: respx.MockRouter) -> None:
    serve_pages(router, [5, 4, 3, 2, 1], page_size=2)
    page = await resolve(client.tasks.list(page_size=2))
    assert isinstance(page, AsyncPage if isinstance(client, AsyncTikMatrix) else SyncPage)
    assert [task.id for task in page.items] == [5, 4]
    assert (page.total, page.page, page.page_size) == (5, 1, 2)
    assert page.has_next_page()
    assert isinstance(page.data, TaskPage)
    assert repr(page) == f"<{type(page).__name__} page=1 items=2 total=5>"


async def test_next_page_keeps_the_filters_and_the_options(
    client: Client, router: respx.MockRouter
) -> None:
    route = serve_pages(router, [5, 4, 3], page_size=2)
    page = await resolve(
        client.tasks.list(status=TaskStatus.PENDING, page_size=2, extra_headers={"X-Trace": "p"})
    )
    second = await resolve(page.next_page())
    request = route.calls.last.request
    assert dict(request.url.params) == {"status": "0", "page": "2", "page_size": "2"}
    assert request.headers["X-Trace"] == "p"
    assert [task.id for task in second.items] == [3]
    assert (second.page, second.has_next_page()) == (2, False)
    with pytest.raises(RuntimeError, match="last page"):
        await resolve(second.next_page())


async def test_iterating_a_page_walks_every_later_page_lazily(
    client: Client, router: respx.MockRouter
) -> None:
    route = serve_pages(router, [5, 4, 3, 2, 1], page_size=2)
    page = await resolve(client.tasks.list(page_size=2, page=2))
    assert route.call_count == 1
    assert [task.id for task in await walk(page)] == [3, 2, 1]
    assert route.call_count == 2  # page 3 only; page 1 is never fetched


async def test_a_walk_yields_each_task_once_when_tasks_arrive_meanwhile(
    client: Client, router: respx.MockRouter
) -> None:
    calls = 0

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return httpx.Response(
                200, json=envelope(page_json([task_json(3), task_json(2)], total=3, page_size=2))
            )
        # task 4 was created meanwhile: 2 slid onto page 2
        return httpx.Response(
            200,
            json=envelope(page_json([task_json(2), task_json(1)], total=4, page=2, page_size=2)),
        )

    router.get("/task").mock(side_effect=answer)
    page = await resolve(client.tasks.list(page_size=2))
    assert [task.id for task in await walk(page)] == [3, 2, 1]


async def test_iter_pages(client: Client, router: respx.MockRouter) -> None:
    serve_pages(router, [3, 2, 1], page_size=2)
    page = await resolve(client.tasks.list(page_size=2))
    pages: list[Any]
    if isinstance(page, AsyncPage):
        pages = [p async for p in page.iter_pages()]
    else:
        pages = list(page.iter_pages())
    assert [[task.id for task in p.items] for p in pages] == [[3, 2], [1]]


async def test_an_empty_list_is_one_empty_page(client: Client, router: respx.MockRouter) -> None:
    serve_pages(router, [], page_size=20)
    page = await resolve(client.tasks.list())
    assert page.items == ()
    assert not page.has_next_page()
    assert await walk(page) == []


async def test_account_pages(client: Client, router: respx.MockRouter) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params.get("page", "1"))
        accounts = [{"id": number, "username": f"@u{number}"}]
        body = {"accounts": accounts, "total": 2, "page": number, "page_size": 1}
        return httpx.Response(200, json=envelope(body))

    router.get("/accounts").mock(side_effect=answer)
    page = await resolve(client.accounts.list(page_size=1, platform="tiktok"))
    assert isinstance(page.data, AccountPage)
    assert [account.username for account in await walk(page)] == ["@u1", "@u2"]


def test_the_signatures_name_the_page_types() -> None:
    with TikMatrix("http://tikmatrix.invalid") as client:
        assert inspect.signature(client.tasks.list).return_annotation == SyncPage[Task]
    async_client = AsyncTikMatrix("http://tikmatrix.invalid")
    assert inspect.signature(async_client.tasks.list).return_annotation == AsyncPage[Task]


async def test_the_old_spellings_still_work_and_say_what_replaces_them(
    client: Client, router: respx.MockRouter
) -> None:
    serve_pages(router, [5, 4, 3], page_size=2)
    page = await resolve(client.tasks.list(page_size=2))
    with pytest.warns(DeprecationWarning, match=r"page\.tasks .* use page\.items") as caught:
        old = page.tasks
    assert old == page.items
    assert caught[0].filename == __file__  # the warning points at the caller's line
    with pytest.warns(DeprecationWarning, match=r"use page\.has_next_page\(\)"):
        assert page.has_next is True
    with pytest.raises(AttributeError, match="accounts"):
        page.accounts  # noqa: B018 - a task page never had accounts


async def test_an_account_page_keeps_its_old_spelling_too(
    client: Client, router: respx.MockRouter
) -> None:
    body = {"accounts": [], "total": 0, "page": 1, "page_size": 20}
    router.get("/accounts").respond(json=envelope(body))
    page = await resolve(client.accounts.list())
    with pytest.warns(DeprecationWarning, match=r"page\.accounts .* use page\.items"):
        assert page.accounts == ()
    with pytest.raises(AttributeError, match="tasks"):
        page.tasks  # noqa: B018 - an account page never had tasks


def test_a_status_is_taken_by_its_name_in_any_case() -> None:
    """#34, item 5: the CLI took status names, the SDK refused them."""
    from typing import get_args

    from tikmatrix_sdk import ClientValidationError, TikMatrix
    from tikmatrix_sdk._contract.lifecycle import STATUS_NAMES
    from tikmatrix_sdk._filters import StatusName
    from tikmatrix_sdk.testing import MockTikMatrix

    assert get_args(StatusName) == tuple(STATUS_NAMES.values())
    with MockTikMatrix() as mock, TikMatrix() as client:
        client.tasks.list(status="Completed")  # type: ignore[arg-type]  # any case runs
        client.tasks.list(status="pending")
        assert [call.params["status"] for call in mock.calls] == ["2", "0"]
        with pytest.raises(ClientValidationError, match="status must be one of"):
            client.tasks.list(status="done")  # type: ignore[arg-type]

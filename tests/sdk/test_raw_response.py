"""``with_raw_response``: the HTTP facts of a call, and ``parse()`` for the usual result."""

from __future__ import annotations

import inspect
from datetime import timedelta
from typing import Any, cast

import httpx
import pytest
import respx

from tikmatrix_sdk import (
    AsyncPage,
    AsyncTikMatrix,
    NotFoundError,
    RawResponse,
    SyncPage,
    Task,
    TikMatrix,
)

from .conftest import envelope, page_json, resolve, task_json
from .test_request_options import CALLS

pytestmark = pytest.mark.anyio

Client = TikMatrix | AsyncTikMatrix


def raw_face(client: Client, name: str) -> Any:
    """``client.tasks.with_raw_response`` for ``"tasks.get"``."""
    resource, _ = name.split(".")
    return getattr(client, resource).with_raw_response


@pytest.mark.parametrize("name", CALLS)
async def test_every_operation_has_a_raw_face(
    client: Client, router: respx.MockRouter, name: str
) -> None:
    method, path, data, invoke = CALLS[name]
    router.request(method, path).respond(json=envelope(data), headers={"X-Request-Id": "r-1"})

    class Raw:  # what invoke() calls: ``raw.tasks.get(...)`` on the raw face
        def __getattr__(self, resource: str) -> Any:
            return getattr(client, resource).with_raw_response

    raw = await resolve(invoke(Raw()))
    plain = await resolve(invoke(client))
    assert isinstance(raw, RawResponse)
    assert raw.status_code == 200
    assert raw.headers["X-Request-Id"] == "r-1"
    assert raw.method == method
    assert raw.url.path == f"/api/v1{path}"
    assert raw.request.method == method
    assert isinstance(raw.elapsed, timedelta)
    assert raw.json() == envelope(data)
    assert raw.content == raw.http_response.content
    assert repr(raw) == f"<RawResponse [200] {method} {raw.url}>"
    parsed = raw.parse()
    if isinstance(plain, (SyncPage, AsyncPage)):
        assert type(parsed) is type(plain)
        assert parsed.items == plain.items
    else:
        assert parsed == plain


async def test_the_raw_face_still_raises_the_codes_exception(
    client: Client, router: respx.MockRouter
) -> None:
    router.get("/task/9").respond(json=envelope(code=40401, message="task not found"))
    with pytest.raises(NotFoundError):
        await resolve(client.tasks.with_raw_response.get(9))


async def test_the_raw_answer_is_the_last_of_a_retried_call(
    client: Client, router: respx.MockRouter, sleeps: list[float]
) -> None:
    route = router.get("/task/7")
    route.side_effect = [
        httpx.Response(503, headers={"X-Try": "1"}),
        httpx.Response(200, json=envelope(task_json(7)), headers={"X-Try": "2"}),
    ]
    raw = await resolve(client.tasks.with_raw_response.get(7))
    assert raw.headers["X-Try"] == "2"
    assert raw.parse().id == 7


async def test_a_raw_page_parses_to_a_page_whose_next_pages_are_plain(
    client: Client, router: respx.MockRouter
) -> None:
    router.get("/task", params={"page": "2"}).respond(
        json=envelope(page_json([task_json(1)], total=2, page=2, page_size=1))
    )
    router.get("/task").respond(json=envelope(page_json([task_json(2)], total=2, page_size=1)))
    raw: Any = await resolve(cast(Any, client.tasks.with_raw_response.list(page_size=1)))
    page = raw.parse()
    assert [task.id for task in page.items] == [2]
    second = await resolve(page.next_page())
    assert not isinstance(second, RawResponse)
    assert [task.id for task in second.items] == [1]


async def test_streams_have_no_raw_face(client: Client) -> None:
    with pytest.raises(AttributeError, match=r"with_raw_response\.list"):
        client.tasks.with_raw_response.iter  # type: ignore[arg-type]  # noqa: B018


def test_the_raw_face_is_built_once_and_says_what_it_is() -> None:
    with TikMatrix("http://tikmatrix.invalid") as client:
        assert client.tasks.with_raw_response is client.tasks.with_raw_response
        assert "with raw responses" in repr(client.tasks.with_raw_response)
        signature = inspect.signature(client.tasks.with_raw_response.get)
        assert signature.return_annotation == RawResponse[Task]


async def test_async_methods_are_coroutine_functions() -> None:
    client = AsyncTikMatrix("http://tikmatrix.invalid")
    for method in (
        client.tasks.get,
        client.tasks.list,
        client.tasks.with_raw_response.get,
        client.license.check,
        client.get,
    ):
        assert inspect.iscoroutinefunction(method), method
    await client.close()

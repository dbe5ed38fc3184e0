"""``client.get/post/put/delete``: any API path, with the SDK's retries, errors and decoding."""

from __future__ import annotations

import inspect
import json

import httpx
import pytest
import respx

from tikmatrix_sdk import (
    APIConnectionError,
    AsyncTikMatrix,
    BadRequestError,
    ClientValidationError,
    Task,
    TaskStats,
    TaskStatus,
    TikMatrix,
)

from .conftest import envelope, resolve, task_json

pytestmark = pytest.mark.anyio

Client = TikMatrix | AsyncTikMatrix
STATS = {"total": 3, "pending": 1, "running": 0, "completed": 2, "failed": 0}


async def test_get_returns_the_data_as_sent(client: Client, router: respx.MockRouter) -> None:
    router.get("/task/stats").respond(json=envelope(STATS))
    assert await resolve(client.get("/task/stats")) == STATS


async def test_cast_to_reads_the_data_into_a_model_or_a_type(
    client: Client, router: respx.MockRouter
) -> None:
    router.get("/task/stats").respond(json=envelope(STATS))
    router.get("/task/7").respond(json=envelope(task_json(7, status=2)))
    router.get("/ids").respond(json=envelope(["1", 2]))
    stats = await resolve(client.get("/task/stats", cast_to=TaskStats))
    assert stats == TaskStats(total=3, pending=1, running=0, completed=2, failed=0)
    task = await resolve(client.get("/api/v1/task/7", cast_to=Task))
    assert task.status is TaskStatus.COMPLETED
    assert await resolve(client.get("/ids", cast_to=list[int])) == [1, 2]


async def test_params_and_options_are_sent(client: Client, router: respx.MockRouter) -> None:
    route = router.get("/devices").respond(json=envelope([]))
    await resolve(
        client.get(
            "/devices",
            params={"online": True, "limit": 5, "skip": None},
            extra_headers={"X-Trace": "t"},
            timeout=2,
        )
    )
    request = route.calls.last.request
    assert dict(request.url.params) == {"online": "true", "limit": "5"}
    assert request.headers["X-Trace"] == "t"
    assert request.extensions["timeout"] == httpx.Timeout(2).as_dict()


@pytest.mark.parametrize("method", ["post", "put", "delete"])
async def test_bodies_go_as_json(client: Client, router: respx.MockRouter, method: str) -> None:
    route = router.request(method.upper(), "/thing/1").respond(json=envelope({"ok": True}))
    answer = await resolve(
        getattr(client, method)("/thing/1", body={"name": "x"}, extra_body={"more": 1})
    )
    assert answer == {"ok": True}
    request = route.calls.last.request
    assert json.loads(request.content) == {"name": "x", "more": 1}
    assert request.headers["Content-Type"] == "application/json"


async def test_a_post_without_body_sends_none(client: Client, router: respx.MockRouter) -> None:
    route = router.post("/task/retry-all").respond(json=envelope({"retried_count": 0}))
    await resolve(client.post("/task/retry-all"))
    assert route.calls.last.request.content == b""


async def test_error_codes_raise_their_exception(client: Client, router: respx.MockRouter) -> None:
    router.post("/task").respond(json=envelope(code=40001, message="serials is empty"))
    with pytest.raises(BadRequestError, match="serials is empty"):
        await resolve(client.post("/task", body={}))


async def test_get_is_retried_and_post_is_not(
    client: Client, router: respx.MockRouter, sleeps: list[float]
) -> None:
    get = router.get("/task/stats")
    get.side_effect = [httpx.ConnectError("refused"), httpx.Response(200, json=envelope(STATS))]
    assert await resolve(client.get("/task/stats")) == STATS
    post = router.post("/task/7/stop")
    post.side_effect = httpx.ReadTimeout("slow")
    with pytest.raises(APIConnectionError) as raised:
        await resolve(client.post("/task/7/stop"))
    assert raised.value.may_have_succeeded
    assert post.call_count == 1


@pytest.mark.parametrize(
    ("path", "kwargs", "field"),
    [
        ("task", {}, "path"),
        ("http://elsewhere.example/steal", {}, "path"),
        ("//elsewhere.example/steal", {}, "path"),
        ("/task", {"body": {"a": 1}}, "body"),
        ("/task", {"params": {"a": object()}}, "params"),
        ("/task", {"params": ["a"]}, "params"),
    ],
)
async def test_mistakes_are_refused_before_sending(
    client: Client, router: respx.MockRouter, path: str, kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(ClientValidationError) as raised:
        await resolve(client.get(path, **kwargs))  # type: ignore[call-overload]
    assert raised.value.field == field
    assert not router.calls


async def test_an_unknown_keyword_is_a_type_error(client: Client) -> None:
    with pytest.raises(TypeError, match="'json'"):
        await resolve(client.post("/task", json={}))  # type: ignore[call-overload]


def test_the_methods_document_themselves() -> None:
    with TikMatrix("http://tikmatrix.invalid") as client:
        assert getattr(client.get, "__name__", None) == "get"
        assert "GET /api/v1<path>" in (client.get.__doc__ or "")
        parameters = inspect.signature(client.post).parameters
        assert list(parameters)[:4] == ["path", "cast_to", "params", "body"]
        assert "body" not in inspect.signature(client.get).parameters
        assert "timeout" in parameters
    assert TikMatrix.get.__doc__ == client.get.__doc__

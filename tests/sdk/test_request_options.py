"""Per-call options: every method takes timeout=, extra_headers=, extra_query=, extra_body=."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx

from tikmatrix_sdk import (
    NOT_GIVEN,
    AsyncTikMatrix,
    ClientValidationError,
    FollowConfig,
    TikMatrix,
)

from .conftest import collect, envelope, page_json, resolve, task_json

pytestmark = pytest.mark.anyio

Client = TikMatrix | AsyncTikMatrix

DONE = task_json(7, status=2)
STATS = {"total": 0, "pending": 0, "running": 0, "completed": 0, "failed": 0}

#: Every operation of every resource, and the answer its route gives.
CALLS: dict[str, tuple[str, str, Any, Callable[..., Any]]] = {
    "tasks.create": (
        "POST",
        "/task",
        {"task_ids": [7], "created_count": 1},
        lambda c, **o: c.tasks.create(FollowConfig(target_username="@a"), serials=["s"], **o),
    ),
    "tasks.list": ("GET", "/task", page_json([DONE]), lambda c, **o: c.tasks.list(**o)),
    "tasks.get": ("GET", "/task/7", DONE, lambda c, **o: c.tasks.get(7, **o)),
    "tasks.delete": (
        "DELETE",
        "/task/7",
        {"deleted_count": 1},
        lambda c, **o: c.tasks.delete(7, **o),
    ),
    "tasks.delete_many": (
        "DELETE",
        "/task/batch",
        {"deleted_count": 1},
        lambda c, **o: c.tasks.delete_many([7], **o),
    ),
    "tasks.stop": ("POST", "/task/7/stop", DONE, lambda c, **o: c.tasks.stop(7, **o)),
    "tasks.retry": ("POST", "/task/7/retry", DONE, lambda c, **o: c.tasks.retry(7, **o)),
    "tasks.retry_all": (
        "POST",
        "/task/retry-all",
        {"retried_count": 0},
        lambda c, **o: c.tasks.retry_all(**o),
    ),
    "tasks.stats": ("GET", "/task/stats", STATS, lambda c, **o: c.tasks.stats(**o)),
    "license.check": (
        "GET",
        "/license/check",
        {"plan_name": "Pro", "api_enabled": True},
        lambda c, **o: c.license.check(**o),
    ),
    "accounts.list": (
        "GET",
        "/accounts",
        {"accounts": [], "total": 0},
        lambda c, **o: c.accounts.list(**o),
    ),
}
STREAMS: dict[str, tuple[str, Any, Callable[..., Any]]] = {
    "tasks.iter": ("/task", page_json([DONE]), lambda c, **o: c.tasks.iter(**o)),
    "accounts.iter": (
        "/accounts",
        {"accounts": [], "total": 0},
        lambda c, **o: c.accounts.iter(**o),
    ),
}
WAITS: dict[str, tuple[str, Any, Callable[..., Any]]] = {
    "tasks.wait": ("/task/7", DONE, lambda c, **o: c.tasks.wait(7, **o)),
    "tasks.wait_all": ("/task", page_json([DONE]), lambda c, **o: c.tasks.wait_all([7], **o)),
}


def last(route: respx.Route) -> httpx.Request:
    request: httpx.Request = route.calls.last.request
    return request


@pytest.mark.parametrize("name", CALLS)
async def test_every_operation_takes_every_option(
    client: Client, router: respx.MockRouter, name: str
) -> None:
    method, path, data, invoke = CALLS[name]
    route = router.request(method, path).respond(json=envelope(data))
    body = {"note": "from the caller"} if method != "GET" else None
    await resolve(
        invoke(
            client,
            timeout=4.5,
            extra_headers={"X-Trace": "abc"},
            extra_query={"debug": 1},
            **({"extra_body": body} if body else {}),
        )
    )
    request = last(route)
    assert request.headers["X-Trace"] == "abc"
    assert request.url.params["debug"] == "1"
    assert request.extensions["timeout"] == httpx.Timeout(4.5).as_dict()
    if body:
        assert json.loads(request.content)["note"] == "from the caller"
        assert request.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("name", STREAMS)
async def test_streams_send_the_options_with_each_page(
    client: Client, router: respx.MockRouter, name: str
) -> None:
    path, data, invoke = STREAMS[name]
    route = router.get(path).respond(json=envelope(data))
    await collect(invoke(client, timeout=3, extra_headers={"X-Trace": "abc"}))
    assert last(route).headers["X-Trace"] == "abc"
    assert last(route).extensions["timeout"] == httpx.Timeout(3).as_dict()


@pytest.mark.parametrize("name", WAITS)
async def test_waits_keep_their_own_timeout_and_take_the_extras(
    client: Client, router: respx.MockRouter, name: str
) -> None:
    path, data, invoke = WAITS[name]
    route = router.get(path).respond(json=envelope(data))
    await resolve(
        invoke(client, timeout=60, extra_headers={"X-Trace": "w"}, extra_query={"a": "b"})
    )
    assert last(route).headers["X-Trace"] == "w"
    assert last(route).url.params["a"] == "b"
    # ``timeout`` is the wait's own deadline, not a request timeout.
    assert last(route).extensions["timeout"] == client.timeout.as_dict()


async def test_extra_body_is_merged_over_the_sdks_fields(
    client: Client, router: respx.MockRouter
) -> None:
    route = router.post("/task").respond(json=envelope({"task_ids": [1], "created_count": 1}))
    await resolve(
        client.tasks.create(
            FollowConfig(target_username="@a"),
            serials=["s"],
            extra_body={"serials": ["other"], "priority": 3},
        )
    )
    sent = json.loads(last(route).content)
    assert sent["serials"] == ["other"]
    assert sent["priority"] == 3
    assert sent["script_name"] == "follow"


async def test_extra_body_gives_a_body_to_a_post_without_one(
    client: Client, router: respx.MockRouter
) -> None:
    route = router.post("/task/retry-all").respond(json=envelope({"retried_count": 0}))
    await resolve(client.tasks.retry_all(extra_body={"dry_run": True}))
    assert json.loads(last(route).content) == {"dry_run": True}
    assert last(route).headers["Content-Type"] == "application/json"


async def test_none_removes_a_header_or_a_parameter(
    client: Client, router: respx.MockRouter
) -> None:
    route = router.get("/task").respond(json=envelope(page_json([])))
    await resolve(
        client.tasks.list(
            page_size=5,
            extra_headers={"user-agent": None, "Accept": "application/json; q=1"},
            extra_query={"page_size": None},
        )
    )
    request = last(route)
    assert "user-agent" not in request.headers or "tikmatrix" not in request.headers["user-agent"]
    assert request.headers["Accept"] == "application/json; q=1"
    assert "page_size" not in request.url.params


async def test_query_names_keep_their_case(client: Client, router: respx.MockRouter) -> None:
    route = router.get("/task").respond(json=envelope(page_json([])))
    await resolve(client.tasks.list(page_size=5, extra_query={"Page_Size": "x"}))
    assert last(route).url.params["page_size"] == "5"
    assert last(route).url.params["Page_Size"] == "x"


async def test_options_last_for_one_call_only(client: Client, router: respx.MockRouter) -> None:
    route = router.get("/task/stats").respond(json=envelope(STATS))
    await resolve(client.tasks.stats(extra_headers={"X-Once": "1"}, timeout=None))
    assert last(route).headers["X-Once"] == "1"
    assert last(route).extensions["timeout"] == httpx.Timeout(None).as_dict()
    await resolve(client.tasks.stats())
    assert "X-Once" not in last(route).headers
    assert last(route).extensions["timeout"] == client.timeout.as_dict()


async def test_retries_resend_the_options(
    client: Client, router: respx.MockRouter, sleeps: list[float]
) -> None:
    route = router.get("/task/7")
    route.side_effect = [httpx.Response(503), httpx.Response(200, json=envelope(DONE))]
    await resolve(client.tasks.get(7, extra_headers={"X-Trace": "r"}))
    assert [call.request.headers["X-Trace"] for call in route.calls] == ["r", "r"]
    assert len(sleeps) == 1


@pytest.mark.parametrize(
    ("options", "error", "field"),
    [
        ({"timeout": "5"}, TypeError, None),
        ({"timeout": -1}, ClientValidationError, "timeout"),
        ({"extra_headers": {"X": object()}}, ClientValidationError, "extra_headers"),
        ({"extra_headers": ["X"]}, ClientValidationError, "extra_headers"),
        ({"extra_query": {1: "a"}}, ClientValidationError, "extra_query"),
        ({"extra_query": {"a": True}}, ClientValidationError, "extra_query"),
        ({"extra_body": {"a": object()}}, ClientValidationError, "extra_body"),
        ({"extra_body": {"a": 1}}, ClientValidationError, "extra_body"),  # a GET has no body
    ],
)
async def test_bad_options_are_refused_before_sending(
    client: Client,
    router: respx.MockRouter,
    options: dict[str, Any],
    error: type[Exception],
    field: str | None,
) -> None:
    route = router.get("/task/7").respond(json=envelope(DONE))
    with pytest.raises(error) as raised:
        await resolve(client.tasks.get(7, **options))
    if field is not None:
        assert isinstance(raised.value, ClientValidationError)
        assert raised.value.field == field
        assert field in str(raised.value)
    assert not route.called


async def test_an_unknown_keyword_is_still_a_type_error(client: Client) -> None:
    with pytest.raises(TypeError, match="extra_header"):
        await resolve(client.tasks.get(7, extra_header={"X": "1"}))  # type: ignore[call-arg]


def test_signatures_show_the_options_with_not_given() -> None:
    client = TikMatrix("http://tikmatrix.invalid")
    for method in (client.tasks.get, client.tasks.create, client.tasks.list, client.license.check):
        parameters = inspect.signature(method).parameters
        for name in ("timeout", "extra_headers", "extra_query", "extra_body"):
            assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
            assert parameters[name].default is NOT_GIVEN
    wait = inspect.signature(client.tasks.wait).parameters
    assert wait["timeout"].default == 300.0
    assert "extra_headers" in wait
    client.close()

"""Client construction, options, lifecycle, and the checks made before anything is sent."""

from __future__ import annotations

from datetime import time
from typing import Any

import httpx
import pytest
import respx

from tikmatrix_sdk import (
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    AsyncTikMatrix,
    ClientValidationError,
    FollowConfig,
    PostConfig,
    TikMatrix,
    TikMatrixError,
)

from .conftest import collect, envelope, resolve

pytestmark = pytest.mark.anyio

Client = TikMatrix | AsyncTikMatrix


@pytest.fixture(params=[TikMatrix, AsyncTikMatrix])
def client_class(request: pytest.FixtureRequest) -> type[Client]:
    cls: type[Client] = request.param
    return cls


def test_base_url_default(monkeypatch: pytest.MonkeyPatch, client_class: type[Client]) -> None:
    monkeypatch.delenv("TIKMATRIX_BASE_URL", raising=False)
    assert client_class().base_url == "http://localhost:50809"


def test_base_url_from_environment(
    monkeypatch: pytest.MonkeyPatch, client_class: type[Client]
) -> None:
    monkeypatch.setenv("TIKMATRIX_BASE_URL", "http://127.0.0.1:6000/")
    assert client_class().base_url == "http://127.0.0.1:6000"
    assert client_class("http://other:1").base_url == "http://other:1"


@pytest.mark.parametrize(
    "url", ["http://h:1/api/v1", "http://h:1/api/v1/", "http://h:1", httpx.URL("http://h:1/")]
)
def test_base_url_forms(client_class: type[Client], url: Any) -> None:
    assert client_class(url).base_url == "http://h:1"


@pytest.mark.parametrize("url", ["localhost:50809", "ftp://h/", "http://", "http://[::1"])
def test_bad_base_url(client_class: type[Client], url: str) -> None:
    with pytest.raises(ClientValidationError) as caught:
        client_class(url)
    assert caught.value.field == "base_url"


def test_repr_and_settings(client_class: type[Client]) -> None:
    client = client_class("http://h:1", timeout=3, max_retries=4)
    assert repr(client) == f"{client_class.__name__}(base_url='http://h:1')"
    assert client.timeout == httpx.Timeout(3)
    assert client.max_retries == 4
    assert repr(client.tasks).startswith("<Tasks of ")
    assert client_class("http://h:1").timeout == DEFAULT_TIMEOUT
    assert client_class("http://h:1", timeout=None).timeout == httpx.Timeout(None)


@pytest.mark.parametrize("timeout", [0, -1])
def test_bad_timeout(client_class: type[Client], timeout: Any) -> None:
    with pytest.raises(ClientValidationError) as caught:
        client_class("http://h:1", timeout=timeout)
    assert caught.value.field == "timeout"


@pytest.mark.parametrize("timeout", [True, "5", [5]])
def test_a_timeout_of_the_wrong_type_is_a_type_error_naming_it(
    client_class: type[Client], timeout: Any
) -> None:
    with pytest.raises(TypeError, match=r"^timeout must be a number of seconds"):
        client_class("http://h:1", timeout=timeout)


@pytest.mark.parametrize("retries", [-1, 1.5, True])
def test_bad_max_retries(client_class: type[Client], retries: Any) -> None:
    with pytest.raises(ClientValidationError) as caught:
        client_class("http://h:1", max_retries=retries)
    assert caught.value.field == "max_retries"
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, TikMatrixError)


async def test_with_options_copies(client_class: type[Client]) -> None:
    client = client_class("http://h:1", headers={"A": "1"})
    copy = client.with_options(timeout=5, max_retries=0, headers={"B": "2"})
    assert type(copy) is client_class
    assert (copy.timeout, copy.max_retries) == (httpx.Timeout(5), 0)
    assert copy.http_client is client.http_client
    assert copy._options.headers == {"A": "1", "B": "2"}
    assert (client.timeout, client.max_retries) == (DEFAULT_TIMEOUT, 2)
    moved = client.with_options(base_url="http://other:2", timeout=None)
    assert moved.base_url == "http://other:2"
    assert moved.timeout == httpx.Timeout(None)
    assert client.with_options(max_retries=NOT_GIVEN).max_retries == 2
    assert repr(NOT_GIVEN) == "NOT_GIVEN"
    await resolve(copy.close())  # a copy does not own the connections
    assert not client.http_client.is_closed
    await resolve(client.close())
    assert client.http_client.is_closed


def test_sync_context_manager_closes() -> None:
    with TikMatrix("http://h:1") as client:
        assert not client.http_client.is_closed
    assert client.http_client.is_closed


async def test_async_context_manager_closes() -> None:
    async with AsyncTikMatrix("http://h:1") as client:
        assert not client.http_client.is_closed
    assert client.http_client.is_closed


async def test_passed_async_client_stays_open() -> None:
    http = httpx.AsyncClient()
    async with AsyncTikMatrix("http://h:1", http_client=http) as client:
        assert client.http_client is http
    assert not http.is_closed
    await http.aclose()


def test_timeout_is_applied_to_requests(router: respx.MockRouter) -> None:
    route = router.get("/task/stats").respond(
        json=envelope({"total": 0, "pending": 0, "running": 0, "completed": 0, "failed": 0})
    )
    with TikMatrix("http://tikmatrix.test", timeout=7) as client:
        client.with_options(timeout=httpx.Timeout(2, connect=1)).tasks.stats()
        client.tasks.stats()
    first, second = (call.request.extensions["timeout"] for call in route.calls)
    assert first == {"connect": 1, "read": 2, "write": 2, "pool": 2}
    assert second == {"connect": 7, "read": 7, "write": 7, "pool": 7}


def test_operations_keep_their_docs_and_signatures() -> None:
    import inspect

    from tikmatrix_sdk.resources import Tasks

    client = TikMatrix("http://h:1")
    assert client.tasks.get.__doc__ == Tasks.get.__doc__
    assert "task_id" in str(inspect.signature(client.tasks.get))
    assert "self" not in str(inspect.signature(client.tasks.get))
    assert client.tasks.iter.__name__ == "iter"
    client.close()


# Checks made before sending: each raises ClientValidationError naming the field.
POST = PostConfig(captions="x")
BAD_CREATES: list[tuple[dict[str, Any], str]] = [
    ({"config": POST}, "serials"),
    ({"config": POST, "serials": ["a"], "usernames": ["@b"]}, "serials"),
    ({"config": POST, "serials": "device_serial_1"}, "serials"),
    ({"config": POST, "serials": []}, "serials"),
    ({"config": POST, "serials": ["ok", ""]}, "serials"),
    ({"config": POST, "serials": ["ok", 3]}, "serials"),
    ({"config": POST, "serials": 5}, "serials"),
    ({"config": POST, "usernames": "@me"}, "usernames"),
    ({"serials": ["a"]}, "script_name"),
    ({"serials": ["a"], "script_name": ""}, "script_name"),
    ({"serials": ["a"], "script_name": 3}, "script_name"),
    ({"serials": ["a"], "script_name": "post", "script_config": [1]}, "script_config"),
    ({"config": POST, "serials": ["a"], "script_name": "post"}, "script_name"),
    ({"config": POST, "serials": ["a"], "script_config": {}}, "script_config"),
    ({"config": {"captions": "x"}, "serials": ["a"]}, "config"),
    ({"config": POST, "serials": ["a"], "start_time": "24:00"}, "start_time"),
    ({"config": POST, "serials": ["a"], "start_time": "9:5"}, "start_time"),
    ({"config": POST, "serials": ["a"], "start_time": 930}, "start_time"),
    ({"config": POST, "serials": ["a"], "start_time": time(9, 30, 15)}, "start_time"),
    ({"config": POST, "serials": ["a"], "min_interval": -1}, "min_interval"),
    ({"config": POST, "serials": ["a"], "max_interval": 1.5}, "max_interval"),
    ({"config": POST, "serials": ["a"], "min_interval": 5, "max_interval": 2}, "min_interval"),
    ({"config": POST, "serials": ["a"], "enable_multi_account": 1}, "enable_multi_account"),
]


@pytest.mark.parametrize(("kwargs", "field"), BAD_CREATES)
async def test_create_checks_before_sending(
    client: Client, router: respx.MockRouter, kwargs: dict[str, Any], field: str
) -> None:
    route = router.post("/task")
    with pytest.raises(ClientValidationError) as caught:
        await resolve(client.tasks.create(**kwargs))
    assert caught.value.field == field
    assert field in str(caught.value)
    assert not route.called


BAD_CALLS: list[tuple[str, str, dict[str, Any], str]] = [
    ("tasks", "get", {"task_id": 0}, "task_id"),
    ("tasks", "get", {"task_id": True}, "task_id"),
    ("tasks", "get", {"task_id": "1"}, "task_id"),
    ("tasks", "stop", {"task_id": -3}, "task_id"),
    ("tasks", "retry", {"task_id": 1.0}, "task_id"),
    ("tasks", "delete", {"task_id": None}, "task_id"),
    ("tasks", "delete_many", {"task_ids": []}, "task_ids"),
    ("tasks", "delete_many", {"task_ids": "12"}, "task_ids"),
    ("tasks", "delete_many", {"task_ids": 12}, "task_ids"),
    ("tasks", "delete_many", {"task_ids": [1, 0]}, "task_ids"),
    ("tasks", "list", {"page": 0}, "page"),
    ("tasks", "list", {"page_size": 0}, "page_size"),
    ("tasks", "list", {"page_size": 101}, "page_size"),
    ("tasks", "list", {"status": -1}, "status"),
    ("tasks", "list", {"status": True}, "status"),
    ("tasks", "list", {"serial": 5}, "serial"),
    ("tasks", "list", {"script_name": ["post"]}, "script_name"),
    ("accounts", "list", {"logined": "yes"}, "logined"),
    ("accounts", "list", {"status": "1"}, "status"),
    ("accounts", "list", {"platform": 1}, "platform"),
]


@pytest.mark.parametrize(("resource", "method", "kwargs", "field"), BAD_CALLS)
async def test_calls_check_before_sending(
    client: Client,
    router: respx.MockRouter,
    resource: str,
    method: str,
    kwargs: dict[str, Any],
    field: str,
) -> None:
    with pytest.raises(ClientValidationError) as caught:
        await resolve(getattr(getattr(client, resource), method)(**kwargs))
    assert caught.value.field == field
    assert len(router.calls) == 0


async def test_follow_config_via_usernames(client: Client, router: respx.MockRouter) -> None:
    router.post("/task").respond(json=envelope({"task_ids": [1, 2], "created_count": 2}))
    created = await resolve(
        client.tasks.create(FollowConfig(target_users=["@a", "@b"]), usernames=("@me",))
    )
    assert created.created_count == 2


async def test_iter_accepts_no_bad_filters(client: Client, router: respx.MockRouter) -> None:
    with pytest.raises(ClientValidationError):
        await collect(client.tasks.iter(serial=3))  # type: ignore[arg-type]
    assert len(router.calls) == 0

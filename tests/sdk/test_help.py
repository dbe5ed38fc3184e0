"""What a reader meets before the docs: ``help()``, signatures, the hint of a wrong ``with``."""

from __future__ import annotations

import asyncio
import inspect
import pydoc
from unittest import mock

import httpx
import pytest

from tikmatrix_sdk import AsyncTikMatrix, TikMatrix


@pytest.mark.parametrize(("client_class", "mode"), [(TikMatrix, "Sync"), (AsyncTikMatrix, "Async")])
def test_help_shows_each_resource_with_its_type(client_class: type, mode: str) -> None:
    text = pydoc.plain(pydoc.render_doc(client_class))
    assert "cached_property" not in text
    for name, kind in [
        ("tasks", "Tasks"),
        ("accounts", "Accounts"),
        ("license", "LicenseResource"),
        ("devices", "Devices"),
    ]:
        assert f"|  {name}\n" in text
        assert f"Type: ``{kind}[{mode}Mode]``" in text


@pytest.mark.parametrize("client_class", [TikMatrix, AsyncTikMatrix])
def test_help_lists_each_resources_methods_with_their_first_line(client_class: type) -> None:
    """#34, item 11: help() goes on past the resource's type to what it can do."""
    from tikmatrix_sdk.resources import Accounts, Devices, LicenseResource, Tasks

    text = pydoc.plain(pydoc.render_doc(client_class))
    for resource in (Tasks, Accounts, LicenseResource, Devices):
        public = [
            name
            for name in dir(resource)
            if not name.startswith("_") and name != "with_raw_response"
        ]
        assert public, resource
        for name in public:
            first = (inspect.getdoc(getattr(resource, name)) or "").splitlines()[0]
            assert f"|          {name}  {first}\n" in text, (resource.__name__, name)
    assert "|          wait_all  Poll many tasks until every one is completed or failed" in text


@pytest.mark.parametrize("client_class", [TikMatrix, AsyncTikMatrix])
@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_the_raw_methods_have_signatures(client_class: type, method: str) -> None:
    text = pydoc.plain(pydoc.render_doc(client_class))
    prefix = "async " if client_class is AsyncTikMatrix else ""
    assert f"{prefix}{method}(self, path: str, *, cast_to: " in text
    parameters = inspect.signature(getattr(client_class, method)).parameters
    assert list(parameters)[:2] == ["self", "path"]
    assert "timeout" in parameters
    assert ("body" in parameters) is (method != "get")


def test_a_raw_method_called_on_the_class_calls_the_clients() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        assert (request.method, request.url.path) == ("GET", "/api/v1/task/stats")
        return httpx.Response(200, json={"code": 0, "message": "success", "data": {"n": 1}})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with http, TikMatrix("http://127.0.0.1:9", http_client=http) as client:
        assert TikMatrix.get(client, "/task/stats") == {"n": 1}
        assert TikMatrix.get.__doc__ == client.get.__doc__
        assert inspect.signature(client.get).parameters.keys() == set(
            inspect.signature(TikMatrix.get).parameters
        ) - {"self"}


def test_a_resource_is_made_once_and_can_be_patched_like_an_attribute() -> None:
    with TikMatrix("http://127.0.0.1:9") as client:
        tasks = client.tasks
        assert client.tasks is tasks
        with mock.patch.object(client, "tasks") as stand_in:
            assert client.tasks is stand_in
        assert client.tasks is tasks
        del client.tasks  # forgotten: built again on the next use
        assert client.tasks is not tasks


def test_the_async_client_under_with_says_async_with() -> None:
    with (
        pytest.raises(TypeError, match=r"use `async with AsyncTikMatrix\(\) as client:`"),
        AsyncTikMatrix("http://127.0.0.1:9"),  # type: ignore[attr-defined]
    ):
        pass


def test_the_blocking_client_under_async_with_says_with() -> None:
    async def wrong() -> None:
        async with TikMatrix("http://127.0.0.1:9"):  # type: ignore[attr-defined]
            pass

    with pytest.raises(TypeError, match=r"use `with TikMatrix\(\) as client:`"):
        asyncio.run(wrong())

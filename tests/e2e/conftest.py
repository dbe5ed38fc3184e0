"""End to end: both SDK clients against a reference server on a real loopback port.

The server is the pytest plugin's ``tikmatrix_server`` (the one users get): started
in-process on a free port, or the one ``--tikmatrix-url`` names (the nox ``e2e`` session
starts ``tikmatrix-server`` as its own process for that).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from tikmatrix_sdk import AsyncTikMatrix, TikMatrix

from ..openapi_check import check_answer


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Control:
    """The reference server's control API."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=f"{base_url}/_control", timeout=10)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, path, json=body)
        assert response.status_code == 200, response.text
        return response.json()["data"]


@pytest.fixture
def control(tikmatrix_server: str) -> Iterator[Control]:
    """A fresh server state for each test: default fleet, Pro plan, no faults."""
    ctl = Control(tikmatrix_server)
    ctl.call("POST", "/reset", {"devices": 5})
    ctl.call("PUT", "/plan", {"plan": "Pro"})
    yield ctl
    ctl.call("DELETE", "/faults")
    ctl.http.close()


@pytest.fixture(params=["sync", "async"])
async def client(
    request: pytest.FixtureRequest, tikmatrix_server: str, control: Control
) -> AsyncIterator[TikMatrix | AsyncTikMatrix]:
    """Each SDK client, pointed at the live server."""
    if request.param == "sync":
        http = httpx.Client(event_hooks={"response": [_check_sync]})
        with TikMatrix(tikmatrix_server, timeout=10, http_client=http) as sync_client:
            yield sync_client
        http.close()
    else:
        async_http = httpx.AsyncClient(event_hooks={"response": [_check_async]})
        async with AsyncTikMatrix(
            tikmatrix_server, timeout=10, http_client=async_http
        ) as async_client:
            yield async_client
        await async_http.aclose()


def _check(response: httpx.Response) -> None:
    check_answer(response.request.method, response.url.path, response.status_code, response.json())


def _check_sync(response: httpx.Response) -> None:
    """Validate every answer the SDK receives against the OpenAPI document."""
    response.read()
    _check(response)


async def _check_async(response: httpx.Response) -> None:
    await response.aread()
    _check(response)

"""The SDK through a proxy that drops, delays, resets and truncates answers.

Reads are retried and succeed; a create whose answer is lost is never sent a second time,
and the error says the tasks may exist. Both clients, against a real server on loopback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from reference_server.app import ServerConfig
from reference_server.testing import running_server
from tikmatrix_sdk import APIConnectionError, AsyncTikMatrix, FollowConfig, TikMatrix

from .fault_proxy import Fault, FaultProxy

LOSES_THE_ANSWER = [Fault.DROP_AFTER, Fault.RESET, Fault.TRUNCATE, Fault.DELAY]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_server(ServerConfig(db=":memory:", poll_interval=0.05)) as url:
        yield url


@pytest.fixture
def proxy(server: str) -> Iterator[FaultProxy]:
    httpx.post(f"{server}/_control/reset", json={}).raise_for_status()
    host, port = server.removeprefix("http://").split(":")
    with FaultProxy((host, int(port)), delay=1.5) as running:
        yield running


def _creates(proxy: FaultProxy) -> int:
    return sum(line.startswith(b"POST /api/v1/task ") for line in proxy.forwarded)


@pytest.mark.parametrize("fault", [Fault.DROP_BEFORE, *LOSES_THE_ANSWER])
def test_a_read_is_retried_and_succeeds(proxy: FaultProxy, fault: Fault) -> None:
    proxy.queue(fault)
    with TikMatrix(proxy.url, timeout=0.5, max_retries=2) as client:
        assert client.tasks.stats().total == 0
        assert client.license.check().plan_name == "Pro"


@pytest.mark.parametrize("fault", LOSES_THE_ANSWER)
def test_a_create_whose_answer_is_lost_is_sent_once(
    proxy: FaultProxy, server: str, fault: Fault
) -> None:
    proxy.queue(fault)
    with TikMatrix(proxy.url, timeout=0.5, max_retries=5) as client:
        with pytest.raises(APIConnectionError) as lost:
            client.tasks.create(FollowConfig(target_username="@once"), serials=["device_serial_1"])
        assert lost.value.may_have_succeeded is True
        assert "may have reached the server" in str(lost.value)
        assert _creates(proxy) == 1
    with TikMatrix(server) as direct:
        assert direct.tasks.stats().total == 1  # it was created, once


def test_a_create_that_never_reached_the_server_creates_nothing(
    proxy: FaultProxy, server: str
) -> None:
    proxy.queue(Fault.DROP_BEFORE)
    with TikMatrix(proxy.url, max_retries=5) as client, pytest.raises(APIConnectionError):
        client.tasks.create(FollowConfig(target_username="@x"), serials=["device_serial_1"])
    assert _creates(proxy) == 0
    with TikMatrix(server) as direct:
        assert direct.tasks.stats().total == 0


@pytest.mark.parametrize("fault", LOSES_THE_ANSWER)
def test_the_async_client_behaves_the_same(proxy: FaultProxy, fault: Fault) -> None:
    async def scenario() -> int:
        async with AsyncTikMatrix(proxy.url, timeout=0.5, max_retries=2) as client:
            proxy.queue(fault)
            total = (await client.tasks.stats()).total
            proxy.queue(fault)
            with pytest.raises(APIConnectionError):
                await client.tasks.create(
                    FollowConfig(target_username="@a"), serials=["device_serial_2"]
                )
            return total

    assert asyncio.run(scenario()) == 0
    assert _creates(proxy) == 1

"""The async client's connections spread over several small pools (``_sharded_pool``)."""

from __future__ import annotations

import anyio
import httpx
import pytest

from tikmatrix_sdk import AsyncTikMatrix
from tikmatrix_sdk._sharded_pool import SHARDS, ShardedAsyncTransport

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _transport(gate: anyio.Event | None = None) -> tuple[ShardedAsyncTransport, list[int]]:
    """A transport whose pools answer in memory; the list records which pool served each."""
    transport = ShardedAsyncTransport()
    served: list[int] = []

    def shard(index: int) -> httpx.AsyncBaseTransport:
        async def answer(request: httpx.Request) -> httpx.Response:
            served.append(index)
            if request.url.path == "/fail":
                raise httpx.ConnectError("refused", request=request)
            if gate is not None:
                await gate.wait()
            body = f'{{"pool": {index}}}'.encode()
            # A body still to read, as a connection's is (not content already in memory).
            return httpx.Response(200, stream=httpx.ByteStream(body))

        return httpx.MockTransport(answer)

    transport._shards = [shard(i) for i in range(SHARDS)]  # type: ignore[misc]
    return transport, served


async def test_one_call_at_a_time_keeps_to_one_pool() -> None:
    transport, served = _transport()
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        for _ in range(5):
            assert (await http.get("/")).json() == {"pool": 0}
    assert served == [0] * 5
    assert transport._in_flight == [0] * SHARDS


async def test_calls_in_flight_go_to_the_least_busy_pool() -> None:
    gate = anyio.Event()
    transport, _ = _transport(gate)
    answers: list[int] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:

        async def call() -> None:
            answers.append((await http.get("/")).json()["pool"])

        async with anyio.create_task_group() as group:
            for _ in range(2 * SHARDS):
                group.start_soon(call)
            await anyio.sleep(0.05)
            assert transport._in_flight == [2] * SHARDS
            gate.set()
    assert sorted(answers) == sorted(list(range(SHARDS)) * 2)
    assert transport._in_flight == [0] * SHARDS


async def test_a_streamed_answer_holds_its_slot_until_closed() -> None:
    transport, _ = _transport()
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        async with http.stream("GET", "/") as response:
            assert transport._in_flight[0] == 1
            await response.aread()
        assert transport._in_flight == [0] * SHARDS
        # A second close gives nothing back twice.
        await response.aclose()
        assert transport._in_flight == [0] * SHARDS


async def test_a_failed_call_gives_its_slot_back() -> None:
    transport, _ = _transport()
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        with pytest.raises(httpx.ConnectError):
            await http.get("/fail")
    assert transport._in_flight == [0] * SHARDS


async def test_the_sdk_uses_it_only_for_a_client_it_makes() -> None:
    async with AsyncTikMatrix("http://127.0.0.1:9") as own:
        assert isinstance(own.http_client._transport, ShardedAsyncTransport)
    async with httpx.AsyncClient() as given, AsyncTikMatrix(http_client=given) as client:
        assert client.http_client is given
        assert not isinstance(given._transport, ShardedAsyncTransport)

"""A fleet's calls take the per-call options of the single-host calls they make, pass them to
every host's requests, and refuse a mistaken one before any host is asked (#34, item 6).

The hosts are mocks (``tikmatrix_sdk.testing``), which record each request's headers, query
and timeouts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from tikmatrix_sdk import ClientValidationError, FollowConfig, TaskStatus
from tikmatrix_sdk.fleet import AsyncFleet, Fleet, FleetTask, FleetTaskId
from tikmatrix_sdk.testing import MockTikMatrix

from ..sdk.conftest import collect, resolve

FARM = {"pc-1": "http://10.0.0.5:50809", "pc-2": "http://10.0.0.6:50809"}
OPTIONS: dict[str, Any] = {
    "timeout": 7,
    "extra_headers": {"X-Job": "nightly"},
    "extra_query": {"trace": "on"},
}
AnyFleet = Fleet | AsyncFleet


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def mocks() -> Iterator[dict[str, MockTikMatrix]]:
    with (
        MockTikMatrix(FARM["pc-1"], devices=["a1", "a2"], auto_complete=True) as one,
        MockTikMatrix(FARM["pc-2"], devices=["b1"], auto_complete=True) as two,
    ):
        yield {"pc-1": one, "pc-2": two}


@pytest.fixture(params=["sync", "async"])
async def fleet(
    request: pytest.FixtureRequest, mocks: dict[str, MockTikMatrix]
) -> AsyncIterator[AnyFleet]:
    if request.param == "sync":
        with Fleet(FARM) as sync_fleet:
            yield sync_fleet
    else:
        async with AsyncFleet(FARM) as async_fleet:
            yield async_fleet


def _sent_with_options(mocks: dict[str, MockTikMatrix], *, timeout: bool = True) -> list[str]:
    """Each host's requests since the last clear that lack an option: empty when all have."""
    lacking = []
    for host, mock in mocks.items():
        for call in mock.calls:
            where = f"{host} {call.method} {call.path}"
            if call.headers.get("x-job") != "nightly" or call.params.get("trace") != "on":
                lacking.append(where)
            elif timeout and call.timeout.get("read") != 7:
                lacking.append(f"{where} (timeout {call.timeout})")
        mock.calls.clear()
    return lacking


async def _created(fleet: AnyFleet, mocks: dict[str, MockTikMatrix]) -> list[FleetTaskId]:
    follow = FollowConfig(target_username="@a")
    created = await resolve(fleet.tasks.create(follow, serials=["a1", "b1", "a2"], **OPTIONS))
    assert created.created_count == 3
    return list(created.task_ids)


@pytest.mark.anyio
async def test_every_call_passes_its_options_to_each_host(
    fleet: AnyFleet, mocks: dict[str, MockTikMatrix]
) -> None:
    first, second, third = await _created(fleet, mocks)
    for mock in mocks.values():  # the ownership look-up is the fleet's own, not the call's
        mock.calls[:] = [call for call in mock.calls if call.method == "POST"]
    assert _sent_with_options(mocks) == []
    calls: list[Callable[[], Any]] = [
        lambda: fleet.tasks.get(first, **OPTIONS),
        lambda: fleet.tasks.stop(second, **OPTIONS),
        lambda: fleet.tasks.list(status="completed", **OPTIONS),
        lambda: fleet.tasks.stats(**OPTIONS),
        lambda: fleet.tasks.retry_all(**OPTIONS),
        lambda: fleet.devices.list(**OPTIONS),
        lambda: fleet.license.check(**OPTIONS),
        lambda: fleet.tasks.delete(third, **OPTIONS),
        lambda: fleet.tasks.delete_many([second], **OPTIONS),
    ]
    for call in calls:
        await resolve(call())
        assert _sent_with_options(mocks) == [], call
    walked = await collect(fleet.tasks.iter(**OPTIONS))
    assert [str(item.id) for item in walked] == ["pc-1:1"]
    assert _sent_with_options(mocks) == []


@pytest.mark.anyio
async def test_a_wait_passes_the_request_extras(
    fleet: AnyFleet, mocks: dict[str, MockTikMatrix]
) -> None:
    ids = await _created(fleet, mocks)
    extras = {key: value for key, value in OPTIONS.items() if key != "timeout"}
    for mock in mocks.values():
        mock.calls.clear()
    one = await resolve(fleet.tasks.wait(ids[0], timeout=30, poll_interval=0.01, **extras))
    assert one.task.status is TaskStatus.COMPLETED
    assert _sent_with_options(mocks, timeout=False) == []
    await resolve(fleet.tasks.wait_all(ids, timeout=30, poll_interval=0.01, **extras))
    assert _sent_with_options(mocks, timeout=False) == []


@pytest.mark.anyio
async def test_a_mistaken_option_is_refused_before_any_host_is_asked(
    fleet: AnyFleet, mocks: dict[str, MockTikMatrix]
) -> None:
    with pytest.raises(ClientValidationError, match="extra_headers"):
        await resolve(fleet.tasks.stats(extra_headers={"X-Job": ["a", "list"]}))  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="timeout must be a number"):
        await resolve(fleet.license.check(timeout="5"))  # type: ignore[arg-type]
    with pytest.raises(ClientValidationError, match="extra_query"):
        await resolve(fleet.tasks.list(extra_query=["not", "a", "mapping"]))  # type: ignore[arg-type]
    assert [call for mock in mocks.values() for call in mock.calls] == []


@pytest.mark.anyio
async def test_wait_all_reads_like_the_clients(
    fleet: AnyFleet, mocks: dict[str, MockTikMatrix]
) -> None:
    """Iterated, the answer gives each task in the order asked for, as the client's tuple."""
    first, second, third = await _created(fleet, mocks)
    assert [first, second, third] == [
        FleetTaskId("pc-1", 1),
        FleetTaskId("pc-1", 2),
        FleetTaskId("pc-2", 1),
    ]  # created host by host
    asked: list[FleetTaskId | str] = [third, "pc-1:1", second]
    done = await resolve(fleet.tasks.wait_all(asked, timeout=30, poll_interval=0.01))
    assert [str(item.id) for item in done] == ["pc-2:1", "pc-1:1", "pc-1:2"]
    assert len(done) == 3
    assert all(isinstance(item, FleetTask) for item in done)
    assert {item.task.status for item in done} == {TaskStatus.COMPLETED}
    assert done.ok
    assert list(done) == list(done.tasks)

"""Both fleets against three real reference servers, each its own store and devices."""

from __future__ import annotations

import pytest

from reference_server.testing import ControlClient
from tikmatrix_sdk import ClientValidationError, FollowConfig, NotFoundError, TaskStatus
from tikmatrix_sdk.fleet import (
    AsyncFleet,
    Fleet,
    FleetError,
    FleetTaskId,
    OwnershipConflictError,
)

from ..sdk.conftest import collect, resolve

pytestmark = pytest.mark.anyio

AnyFleet = Fleet | AsyncFleet
FOLLOW = FollowConfig(target_users=["@a"])


async def test_a_create_goes_to_the_owning_hosts_only_split_per_host(fleet: AnyFleet) -> None:
    serials = ["host3_device_serial_1", "host1_device_serial_2", "host3_device_serial_2"]
    created = await resolve(fleet.tasks.create(FOLLOW, serials=serials))
    assert created.ok
    assert list(created.by_host) == ["host1", "host3"]  # fleet order; host2 got nothing
    assert created.created_count == 3
    assert [str(task_id) for task_id in created.task_ids] == ["host1:1", "host3:1", "host3:2"]
    stats = await resolve(fleet.tasks.stats())
    assert {host: s.total for host, s in stats.by_host.items()} == {
        "host1": 1,
        "host2": 0,
        "host3": 2,
    }
    assert stats.total.total == 3
    tasks = {str(t.id): t.task for t in (await resolve(fleet.tasks.list())).tasks}
    assert tasks["host3:2"].serial == "host3_device_serial_2"


async def test_accounts_route_their_tasks_to_their_host(fleet: AnyFleet) -> None:
    created = await resolve(
        fleet.tasks.create(FOLLOW, usernames=["@host2_user1", "@host1_insta_user3"])
    )
    assert {str(task_id) for task_id in created.task_ids} == {"host1:1", "host2:1"}
    assert await resolve(fleet.accounts.owner("@host2_user1")) == "host2"


async def test_every_call_by_fleet_id(fleet: AnyFleet) -> None:
    ids = (
        await resolve(
            fleet.tasks.create(
                FOLLOW,
                serials=["host2_device_serial_1", "host2_device_serial_2"],
                start_time="23:59",
            )
        )
    ).task_ids
    first = await resolve(fleet.tasks.get(str(ids[0])))
    assert (first.host, first.task.id, first.id) == ("host2", 1, ids[0])
    stopped = await resolve(fleet.tasks.stop(ids[0]))
    assert stopped.task.status is TaskStatus.FAILED
    retried = await resolve(fleet.tasks.retry(ids[0]))
    assert retried.task.retry_count == 1
    deleted = await resolve(fleet.tasks.delete(ids[1]))
    assert deleted.deleted_count == 1
    with pytest.raises(NotFoundError) as caught:
        await resolve(fleet.tasks.get(FleetTaskId("host2", 99)))
    assert "on host host2" in caught.value.__notes__
    many = await resolve(fleet.tasks.delete_many([ids[0], "host1:5"]))
    assert many.by_host["host2"].deleted_count == 1
    assert many.by_host["host1"].not_found_ids == (5,)


async def test_waiting_across_hosts(fleet: AnyFleet) -> None:
    serials = [f"host{n}_device_serial_1" for n in (1, 2, 3)]
    created = await resolve(fleet.tasks.create(FOLLOW, serials=serials))
    done = await resolve(fleet.tasks.wait_all(created.task_ids, timeout=30, poll_interval=0.05))
    assert done.ok
    assert sorted(str(t.id) for t in done.tasks) == ["host1:1", "host2:1", "host3:1"]
    assert {t.task.status for t in done.tasks} == {TaskStatus.COMPLETED}
    one = await resolve(fleet.tasks.wait(created.task_ids[0], timeout=30, poll_interval=0.05))
    assert one.task.status is TaskStatus.COMPLETED


async def test_the_merged_walk_is_newest_first_and_yields_each_task_once(
    fleet: AnyFleet,
) -> None:
    for host in ("host2", "host1", "host3", "host1"):
        await resolve(
            fleet.tasks.create(
                FollowConfig(target_users=[f"@u{n}" for n in range(7)]),
                serials=[f"{host}_device_serial_1"],
                start_time="23:59",
            )
        )
    walked = await collect(fleet.tasks.iter(page_size=3))
    assert len(walked) == 28
    assert len({t.id for t in walked}) == 28
    stamps = [t.task.created_at for t in walked]
    assert stamps == sorted(stamps, reverse=True)  # type: ignore[type-var]
    filtered = await collect(fleet.tasks.iter(serial="host3_device_serial_1", page_size=4))
    assert {t.host for t in filtered} == {"host3"}
    assert len(filtered) == 7
    page = await resolve(fleet.tasks.list(page=1, page_size=5))
    assert page.total == 28
    assert len(page.tasks) == 15  # five from each host


async def test_licenses_devices_and_leases_per_host(fleet: AnyFleet) -> None:
    licenses = await resolve(fleet.license.check())
    assert {host: lic.plan_name for host, lic in licenses.by_host.items()} == dict.fromkeys(
        ("host1", "host2", "host3"), "Pro"
    )
    devices = await resolve(fleet.devices.list())
    assert len(devices.devices) == 15
    assert {d.host for d in devices.devices if d.device.serial.startswith("host2_")} == {"host2"}
    lease = fleet.devices.lease("host3_device_serial_4", label="fleet test")
    if isinstance(fleet, AsyncFleet):
        async with lease as device:
            assert device.serial == "host3_device_serial_4"
            leased = await fleet.client("host3").devices.leases()
    else:
        with lease as device:
            assert device.serial == "host3_device_serial_4"
            leased = fleet.client("host3").devices.leases()
    assert [entry.serial for entry in leased] == ["host3_device_serial_4"]


async def test_a_serial_no_host_has_is_refused_before_anything_is_sent(fleet: AnyFleet) -> None:
    with pytest.raises(ClientValidationError, match="no host has the device\\(s\\) pc9_phone"):
        await resolve(fleet.tasks.create(FOLLOW, serials=["host1_device_serial_1", "pc9_phone"]))
    stats = await resolve(fleet.tasks.stats())
    assert stats.total.total == 0


async def test_a_phone_that_appears_later_is_found_by_asking_again(
    fleet: AnyFleet, tikmatrix_fleet_hosts: dict[str, str]
) -> None:
    await resolve(fleet.tasks.create(FOLLOW, serials=["host1_device_serial_1"]))  # learns
    with ControlClient(tikmatrix_fleet_hosts["host2"]) as control:
        control.reset(devices=7)  # host2 gets two more phones
    created = await resolve(fleet.tasks.create(FOLLOW, serials=["host2_device_serial_7"]))
    assert [str(i) for i in created.task_ids] == ["host2:1"]


async def test_a_serial_on_two_hosts_is_an_error_naming_both(
    tikmatrix_fleet: Fleet, tikmatrix_fleet_hosts: dict[str, str]
) -> None:
    url = tikmatrix_fleet_hosts["host1"]
    conflict = "host1_device_serial_1 on pc-a and pc-b"
    with (
        Fleet({"pc-a": url, "pc-b": url}) as twice,  # one server under two names
        pytest.raises(OwnershipConflictError, match=conflict),
    ):
        twice.tasks.create(FOLLOW, serials=["host1_device_serial_1"])


async def test_a_host_that_is_down_is_reported_and_hides_nothing(
    tikmatrix_fleet: Fleet, tikmatrix_fleet_hosts: dict[str, str]
) -> None:
    from reference_server.testing import free_port

    hosts = {**tikmatrix_fleet_hosts, "down": f"http://127.0.0.1:{free_port()}"}
    with Fleet(hosts) as fleet:
        assert fleet.client("down").max_retries == 2  # a normal client, its own retry rules
        stats = fleet.tasks.stats()
        assert list(stats.by_host) == ["host1", "host2", "host3"]
        assert list(stats.failed) == ["down"]
        assert "on host down" in stats.failed["down"].__notes__
        with pytest.raises(FleetError) as caught:
            stats.raise_for_failures()
        assert list(caught.value.by_host) == ["down"]
        created = fleet.tasks.create(FOLLOW, serials=["host2_device_serial_1"])
        assert [str(i) for i in created.task_ids] == ["host2:1"]
        with pytest.raises(ClientValidationError, match="these hosts did not answer: down"):
            fleet.tasks.create(FOLLOW, serials=["down_device_serial_1"])
        seen: list[str] = []

        def walk() -> None:
            for task in fleet.tasks.iter():
                seen.append(str(task.id))

        with pytest.raises(FleetError, match="failed while listing: down"):
            walk()
        assert seen == ["host2:1"]  # every other host's tasks came first

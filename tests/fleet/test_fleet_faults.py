"""A fleet of real ``tikmatrix-server`` processes under faults: one host killed mid-run, one
answering 50001 for a while. Their tasks are reported per host; every other host's tasks
complete; nothing is counted twice."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tikmatrix_sdk import (
    APIConnectionError,
    FollowConfig,
    InternalServerError,
    TaskStatus,
)
from tikmatrix_sdk.fleet import Fleet, FleetError, FleetTaskId

from ..cli_process import server_process

HOSTS = ("a", "b", "c", "d")
DEVICES = 4


@pytest.fixture
def farm(tmp_path: Path) -> Iterator[tuple[dict[str, str], dict[str, subprocess.Popen[str]]]]:
    """Four server processes, each with its own prefix and store; their URLs and processes."""
    with ExitStack() as stack:
        urls: dict[str, str] = {}
        processes: dict[str, subprocess.Popen[str]] = {}
        for name in HOSTS:
            options = ("--devices", str(DEVICES), "--device-prefix", f"{name}_")
            process, url = stack.enter_context(
                server_process(tmp_path / f"{name}.sqlite3", *options)
            )
            urls[name], processes[name] = url, process
            for n in range(1, DEVICES + 1):  # each task takes a moment: killed mid-run
                behaviour = {"duration": 0.4}
                answer = httpx.put(
                    f"{url}/_control/devices/{name}_device_serial_{n}/behaviour", json=behaviour
                )
                assert answer.status_code == 200, answer.text
        yield urls, processes


def _serials() -> list[str]:
    return [f"{name}_device_serial_{n}" for name in HOSTS for n in range(1, DEVICES + 1)]


def test_a_killed_host_and_a_failing_one_are_reported_and_hide_nothing(
    farm: tuple[dict[str, str], dict[str, subprocess.Popen[str]]],
) -> None:
    urls, processes = farm
    config = FollowConfig(target_users=["@x", "@y"])  # two tasks per device
    with Fleet(urls) as fleet:
        created = fleet.tasks.create(config, serials=_serials())
        assert created.ok
        assert created.created_count == len(HOSTS) * DEVICES * 2
        assert len(set(created.task_ids)) == created.created_count

        # b answers 50001 to every task read for a while (beyond its client's retries) …
        fault = {"path": "/api/v1/task*", "code": 50001, "http_status": 500, "times": 40}
        assert httpx.post(f"{urls['b']}/_control/faults", json=fault).status_code == 200
        # … and d is killed while its tasks run.
        killed = processes["d"]
        killed.kill()
        killed.wait(10)

        waited = fleet.tasks.wait_all(created.task_ids, timeout=60, poll_interval=0.05)
        assert list(waited.by_host) == ["a", "c"]
        assert list(waited.failed) == ["b", "d"]
        assert isinstance(waited.failed["b"], InternalServerError)
        assert isinstance(waited.failed["d"], APIConnectionError)
        done = waited.tasks
        assert {item.task.status for item in done} == {TaskStatus.COMPLETED}
        assert sorted(item.id for item in done) == sorted(
            task_id for task_id in created.task_ids if task_id.host in ("a", "c")
        )

        # Once b's fault has run out, its tasks are there, each once, and complete.
        httpx.delete(f"{urls['b']}/_control/faults")
        on_b = [task_id for task_id in created.task_ids if task_id.host == "b"]
        finished_b = fleet.tasks.wait_all(on_b, timeout=60, poll_interval=0.05)
        assert finished_b.ok
        assert {item.task.status for item in finished_b.tasks} == {TaskStatus.COMPLETED}

        stats = fleet.tasks.stats()
        assert list(stats.failed) == ["d"]
        assert {host: counts.total for host, counts in stats.by_host.items()} == {
            "a": DEVICES * 2,
            "b": DEVICES * 2,
            "c": DEVICES * 2,
        }
        assert stats.total.completed == 3 * DEVICES * 2
        walked = fleet.tasks.iter()
        seen: list[FleetTaskId] = []
        with pytest.raises(FleetError, match="failed while listing: d"):
            seen.extend(item.id for item in walked)
        assert len(seen) == len(set(seen)) == 3 * DEVICES * 2


def test_a_create_refused_by_one_host_is_created_on_the_others_only(
    farm: tuple[dict[str, str], dict[str, subprocess.Popen[str]]],
) -> None:
    urls, _ = farm
    fault = {"path": "/api/v1/task", "method": "POST", "code": 50001, "http_status": 500}
    assert httpx.post(f"{urls['c']}/_control/faults", json=fault).status_code == 200
    with Fleet(urls) as fleet:
        created = fleet.tasks.create(FollowConfig(target_users=["@z"]), serials=_serials())
        assert list(created.failed) == ["c"]
        assert isinstance(created.failed["c"], InternalServerError)
        assert created.created_count == 3 * DEVICES  # a create is never sent twice
        stats = fleet.tasks.stats()
        assert {host: counts.total for host, counts in stats.by_host.items()} == {
            "a": DEVICES,
            "b": DEVICES,
            "c": 0,
            "d": DEVICES,
        }

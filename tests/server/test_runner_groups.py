"""The runner writes hand-overs in groups: one transaction for the hand-overs waiting, up to
its ``group`` of them; each device's next task goes to the workers, and a failed write frees
its devices."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from reference_server.clock import ManualClock
from reference_server.domain.fleet import Fleet
from reference_server.domain.runner import Runner
from reference_server.domain.service import RUNNING, TaskService
from reference_server.domain.sqlite_store import SQLiteStore
from reference_server.domain.store import TaskRow

from ..waiting import wait_until
from .test_store_counts import new_task

GROUP = 4  # the runners' here: the default is larger than the tests need
DEVICES = GROUP + 6  # more than one group's worth


@pytest.fixture
def runner(tmp_path: Path) -> Iterator[Runner]:
    store = SQLiteStore(tmp_path / "tasks.sqlite3")
    serials = [f"s{n}" for n in range(DEVICES)]
    store.add_devices(serials)
    store.insert_tasks([new_task(serial, scheduled_at=0) for serial in serials * 2])
    service = TaskService(store, ManualClock(1000.0), rng=random.Random(1))
    service.set_plan("Business")  # enough device slots for every serial
    fleet = Fleet()
    for serial in serials:
        fleet.simulated(serial)
    runner = Runner(service, fleet, seed=1, group=GROUP)
    yield runner
    runner.stop()
    store.close()


Write = Callable[[Sequence[tuple[int, Any, str | None]]], list[TaskRow | None]]


def _watch(runner: Runner, before: Callable[[int], None]) -> list[int]:
    """Record each group write's size; ``before(n)`` runs before the n-th (0-based) write."""
    sizes: list[int] = []
    write: Write = runner.service.hand_over_many

    def watched(items: Sequence[tuple[int, Any, str | None]]) -> list[TaskRow | None]:
        sizes.append(len(items))
        before(len(sizes) - 1)
        return write(items)

    runner.service.hand_over_many = watched  # type: ignore[method-assign]
    return sizes


def _keep_claims(runner: Runner) -> list[TaskRow]:
    """Keep the tasks each write claims from the workers; the list they go to."""
    kept: list[TaskRow] = []

    def keep(claimed: list[tuple[TaskRow, int]]) -> None:
        kept.extend(task for task, _ in claimed)

    runner._dispatch = keep  # type: ignore[method-assign]
    return kept


def _hand_over_all(runner: Runner, rows: list[TaskRow]) -> None:
    """Each row's hand-over from a thread of its own, all at once."""
    generation = runner._generation
    threads = [
        threading.Thread(target=runner._hand_over, args=(row, (True, "done"), generation))
        for row in rows
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_waiting_hand_overs_are_written_together_each_device_getting_its_next_task(
    runner: Runner,
) -> None:
    rows = runner._next_batch()
    assert len(rows) == DEVICES
    others_queued = threading.Event()

    def before(write: int) -> None:
        if write == 0:  # the first writer waits until every other hand-over is queued
            wait_until(lambda: len(runner._queue) == DEVICES - 1, "the queue", interval=0.001)
            others_queued.set()

    sizes = _watch(runner, before)
    claimed = _keep_claims(runner)
    _hand_over_all(runner, rows)
    assert others_queued.is_set()
    # The first alone, then the rest in groups of at most GROUP, in the order they came.
    assert sizes == [1, GROUP, GROUP, DEVICES - 1 - 2 * GROUP]
    assert sorted(task.serial or "" for task in claimed) == sorted(row.serial or "" for row in rows)
    assert len({task.id for task in claimed}) == DEVICES  # no task claimed twice
    assert {task.id for task in claimed}.isdisjoint(row.id for row in rows)
    assert all(task.status == RUNNING for task in claimed)
    assert runner.running() == {task.serial: task.id for task in claimed}
    assert runner.service.stats()["completed"] == DEVICES
    assert (runner._queue, runner._writing) == ([], False)


def test_a_failed_group_write_frees_its_devices_logs_once_and_the_next_group_goes_on(
    runner: Runner, caplog: pytest.LogCaptureFixture
) -> None:
    rows = runner._next_batch()

    def before(write: int) -> None:
        if write == 0:
            wait_until(lambda: len(runner._queue) == DEVICES - 1, "the queue", interval=0.001)
        if write == 1:
            raise sqlite_full

    sqlite_full = RuntimeError("database or disk is full")
    sizes = _watch(runner, before)
    claimed = _keep_claims(runner)
    with caplog.at_level("ERROR", logger="reference_server.domain.runner"):
        _hand_over_all(runner, rows)
    assert sizes == [1, GROUP, GROUP, DEVICES - 1 - 2 * GROUP]
    (logged,) = caplog.records
    assert logged.exc_info is not None
    assert logged.exc_info[1] is sqlite_full
    assert logged.getMessage() == f"writing {GROUP} hand-overs failed; their tasks stay running"
    assert len(claimed) == DEVICES - GROUP
    failed = [row for row in rows if row.serial not in {task.serial for task in claimed}]
    assert len(failed) == GROUP
    # Their tasks stay running (a restart fails them as interrupted); their devices are free.
    assert runner.service.stats()["completed"] == DEVICES - GROUP
    assert runner.service.stats()["running"] == DEVICES  # GROUP failed + each claimed one
    assert runner.running() == {task.serial: task.id for task in claimed}
    assert (runner._queue, runner._writing) == ([], False)
    # Nothing is left waiting: the next hand-over is written at once, by its own worker.
    claimed.clear()
    runner._hand_over(failed[0], (False, "retry"), runner._generation)
    (following,) = claimed
    assert following.serial == failed[0].serial
    assert runner.service.stats()["failed"] == 1


def test_a_hand_over_alone_is_written_at_once_by_its_own_worker(runner: Runner) -> None:
    row = runner._next_batch()[0]
    writers: list[str] = []
    _watch(runner, lambda write: writers.append(threading.current_thread().name))
    claimed = _keep_claims(runner)
    runner._hand_over(row, (True, "done"), runner._generation)
    (following,) = claimed
    assert following.serial == row.serial
    assert writers == [threading.current_thread().name]


def test_a_device_with_nothing_more_to_run_is_free_and_the_scheduler_is_told(
    runner: Runner,
) -> None:
    rows = runner._next_batch()
    claimed = _keep_claims(runner)
    for row in rows:  # each device's second task
        runner._hand_over(row, (True, "done"), runner._generation)
    runner._wake.clear()
    for task in list(claimed):  # nothing is left to claim
        runner._hand_over(task, (True, "done"), runner._generation)
    assert len(claimed) == DEVICES
    assert runner.running() == {}
    assert runner._cancels == {}
    assert runner._wake.is_set()
    assert runner.service.stats()["completed"] == 2 * DEVICES


def test_claimed_tasks_run_on_the_workers_and_go_back_if_the_runner_stopped(
    runner: Runner,
) -> None:
    ran: list[int] = []
    done = threading.Event()

    def outcome(task: TaskRow, cancel: threading.Event) -> tuple[bool, str]:
        ran.append(task.id)
        if len(ran) == 2 * DEVICES:
            done.set()
        return True, "done"

    runner._outcome = outcome  # type: ignore[method-assign]
    assert runner.tick() == DEVICES
    done.wait()  # each device's two tasks, the second claimed by the first's hand-over
    wait_until(lambda: runner.running() == {}, "every device free", interval=0.001)
    assert sorted(ran) == sorted(set(ran))
    assert runner.service.stats()["completed"] == 2 * DEVICES
    # A stopped runner's workers take nothing: what is claimed goes back to the queue.
    runner.service.store.insert_tasks([new_task("s0", scheduled_at=0)])
    runner.stop()
    (row,) = runner.service.due()
    with runner._lock:  # claimed by a look-up that began before the stop
        runner._busy[row.serial or ""] = row.id
        runner._cancels[row.id] = threading.Event()
    assert runner.service.claim_many([row.id]) == [row.id]
    runner._dispatch([(row, runner._generation)])
    assert runner.running() == {}
    assert runner.service.stats()["pending"] == 1
    assert len(ran) == 2 * DEVICES


def test_a_group_holds_at_least_one_hand_over(runner: Runner) -> None:
    with pytest.raises(ValueError, match="group must be at least 1, got 0"):
        Runner(runner.service, runner.fleet, group=0)

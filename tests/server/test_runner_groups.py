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
from reference_server.domain.runner import Claim, Runner
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


def _keep_claims(runner: Runner) -> list[Claim]:
    """Keep the claims each write makes from the workers; the list they go to."""
    kept: list[Claim] = []

    def keep(claims: list[Claim]) -> None:
        kept.extend(claims)

    runner._dispatch = keep  # type: ignore[method-assign]
    return kept


def _hand_over_all(runner: Runner, claims: list[Claim]) -> None:
    """Each claim's hand-over from a thread of its own, all at once."""
    threads = [
        threading.Thread(target=runner._hand_over, args=(claim, (True, "done"))) for claim in claims
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_waiting_hand_overs_are_written_together_each_device_getting_its_next_task(
    runner: Runner,
) -> None:
    claims = runner._claim_batch()
    rows = [claim.task for claim in claims]
    assert len(rows) == DEVICES
    others_queued = threading.Event()

    def before(write: int) -> None:
        if write == 0:  # the first writer waits until every other hand-over is queued
            wait_until(lambda: len(runner._queue) == DEVICES - 1, "the queue", interval=0.001)
            others_queued.set()

    sizes = _watch(runner, before)
    claimed = _keep_claims(runner)
    _hand_over_all(runner, claims)
    assert others_queued.is_set()
    # The first alone, then the rest in groups of at most GROUP, in the order they came.
    assert sizes == [1, GROUP, GROUP, DEVICES - 1 - 2 * GROUP]
    tasks = [claim.task for claim in claimed]
    assert sorted(task.serial or "" for task in tasks) == sorted(row.serial or "" for row in rows)
    assert len({task.id for task in tasks}) == DEVICES  # no task claimed twice
    assert {task.id for task in tasks}.isdisjoint(row.id for row in rows)
    assert all(task.status == RUNNING for task in tasks)
    assert runner.running() == {task.serial: task.id for task in tasks}
    assert runner.service.stats()["completed"] == DEVICES
    assert (runner._queue, runner._writing) == ([], False)


def test_a_failed_group_write_frees_its_devices_logs_once_and_the_next_group_goes_on(
    runner: Runner, caplog: pytest.LogCaptureFixture
) -> None:
    claims = runner._claim_batch()

    def before(write: int) -> None:
        if write == 0:
            wait_until(lambda: len(runner._queue) == DEVICES - 1, "the queue", interval=0.001)
        if write == 1:
            raise sqlite_full

    sqlite_full = RuntimeError("database or disk is full")
    sizes = _watch(runner, before)
    claimed = _keep_claims(runner)
    with caplog.at_level("ERROR", logger="reference_server.domain.runner"):
        _hand_over_all(runner, claims)
    assert sizes == [1, GROUP, GROUP, DEVICES - 1 - 2 * GROUP]
    (logged,) = caplog.records
    assert logged.exc_info is not None
    assert logged.exc_info[1] is sqlite_full
    assert logged.getMessage() == f"writing {GROUP} hand-overs failed; their tasks stay running"
    assert len(claimed) == DEVICES - GROUP
    failed = [c for c in claims if c.task.serial not in {c.task.serial for c in claimed}]
    assert len(failed) == GROUP
    # Their tasks stay running (a restart fails them as interrupted); their devices are free.
    assert runner.service.stats()["completed"] == DEVICES - GROUP
    assert runner.service.stats()["running"] == DEVICES  # GROUP failed + each claimed one
    assert runner.running() == {c.task.serial: c.task.id for c in claimed}
    assert (runner._queue, runner._writing) == ([], False)
    # Nothing is left waiting: the next hand-over is written at once, by its own worker.
    claimed.clear()
    runner._hand_over(Claim(failed[0].task, failed[0].generation), (False, "retry"))
    assert claimed == []  # its claim was let go: a stale one writes nothing
    retry = Claim(failed[0].task, runner._generation)
    with runner._lock:
        runner._mark(retry)  # as a worker that still held it would
    runner._hand_over(retry, (False, "retry"))
    (following,) = claimed
    assert following.task.serial == failed[0].task.serial
    assert runner.service.stats()["failed"] == 1


def test_a_hand_over_alone_is_written_at_once_by_its_own_worker(runner: Runner) -> None:
    claim = runner._claim_batch()[0]
    writers: list[str] = []
    _watch(runner, lambda write: writers.append(threading.current_thread().name))
    claimed = _keep_claims(runner)
    runner._hand_over(claim, (True, "done"))
    (following,) = claimed
    assert following.task.serial == claim.task.serial
    assert writers == [threading.current_thread().name]


def test_a_device_with_nothing_more_to_run_is_free_and_the_scheduler_is_told(
    runner: Runner,
) -> None:
    claims = runner._claim_batch()
    claimed = _keep_claims(runner)
    for claim in claims:  # each device's second task
        runner._hand_over(claim, (True, "done"))
    runner._wake.clear()
    for claim in list(claimed):  # nothing is left to claim
        runner._hand_over(claim, (True, "done"))
    assert len(claimed) == DEVICES
    assert runner.running() == {}
    assert runner._claims == {}
    assert runner._wake.is_set()
    assert runner.service.stats()["completed"] == 2 * DEVICES


def _record_runs(runner: Runner) -> list[int]:
    """Run no script: record each task the runner would have run; the list."""
    ran: list[int] = []

    def outcome(task: TaskRow, cancel: threading.Event) -> tuple[bool, str]:
        ran.append(task.id)
        return True, "ran"

    runner._outcome = outcome  # type: ignore[method-assign]
    return ran


def test_claimed_tasks_run_on_the_workers_and_go_back_if_the_runner_stopped(
    runner: Runner,
) -> None:
    ran = _record_runs(runner)
    assert runner.tick() == DEVICES
    # each device's two tasks, the second claimed by the first's hand-over
    wait_until(lambda: len(ran) == 2 * DEVICES, "every task run", interval=0.001)
    wait_until(lambda: runner.running() == {}, "every device free", interval=0.001)
    assert sorted(ran) == sorted(set(ran))
    assert runner.service.stats()["completed"] == 2 * DEVICES
    # A stopped runner's workers take nothing: what is claimed goes back to the queue.
    runner.service.store.insert_tasks([new_task("s0", scheduled_at=0)])
    runner.stop()
    (row,) = runner.service.due()
    claim = Claim(row, runner._generation)
    with runner._lock:  # claimed by a look-up that began before the stop
        runner._mark(claim)
    assert runner.service.claim_many([row.id]) == [row.id]
    runner._dispatch([claim])
    assert runner.running() == {}
    assert runner.service.stats()["pending"] == 1
    assert len(ran) == 2 * DEVICES


def test_a_claim_from_before_a_reset_leaves_a_later_task_under_its_id_alone(
    runner: Runner,
) -> None:
    """A reset starts ids again: a worker that comes late for a claim from before it must
    neither run it, nor write to the later task with its id, nor take that task's cancel,
    and must free its own device."""
    claims = runner._claim_batch()  # each device's first task: ids 1 to DEVICES
    (old,) = [claim for claim in claims if claim.task.id == 1]
    runner._release([claim for claim in claims if claim is not old])  # their workers ended
    runner.cancel_all()  # a reset, which forgets every task: ids start again
    store = runner.service.store
    store.reset()
    store.add_devices([f"s{n}" for n in range(DEVICES)])
    store.insert_tasks([new_task("s1", scheduled_at=0)])
    (new,) = runner._claim_batch()
    assert (new.task.id, new.task.serial) == (1, "s1")
    ran = _record_runs(runner)
    runner._work(old)  # the old claim's worker, come at last
    claimed = _keep_claims(runner)
    runner._hand_over(old, (True, "ran on s0"))  # and a hand-over it had queued
    assert ran == []
    assert claimed == []
    assert runner.running() == {"s1": 1}  # s0 is free; s1 still runs the later task
    assert runner.service.stats()["running"] == 1
    assert (runner.service.get(1).status, runner.service.get(1).remark) == (RUNNING, "")
    runner.cancel(1)  # the later task can still be stopped
    assert new.cancel.is_set()


def test_a_claim_a_worker_takes_after_a_stop_began_goes_back_unrun(runner: Runner) -> None:
    claims = runner._claim_batch()
    ran = _record_runs(runner)
    runner.stop()  # its workers may still take what was queued before the stop
    for claim in claims:
        runner._work(claim)
    assert ran == []
    assert runner.running() == {}
    assert runner.service.stats()["pending"] == 2 * DEVICES  # none failed as interrupted


def test_a_failed_hand_to_the_workers_frees_its_devices_and_the_queue_goes_on(
    runner: Runner, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were the workers' pool to fail (it cannot start a thread), the tasks a write
    claimed free their devices, and the hand-overs queued behind are still written."""
    claims = runner._claim_batch()
    queued = threading.Event()

    def before(write: int) -> None:
        if write == 0:
            wait_until(lambda: len(runner._queue) == DEVICES - 1, "the queue", interval=0.001)
            queued.set()

    def refuse(claims: list[Claim]) -> list[Claim]:
        raise RuntimeError("can't start new thread")

    sizes = _watch(runner, before)
    monkeypatch.setattr(runner._pool, "submit", refuse)
    with caplog.at_level("ERROR", logger="reference_server.domain.runner"):
        _hand_over_all(runner, claims)
    assert queued.is_set()
    assert sizes == [1, GROUP, GROUP, DEVICES - 1 - 2 * GROUP]  # every hand-over written
    assert len(caplog.records) == len(sizes)
    assert runner.running() == {}
    assert runner._claims == {}
    assert (runner._queue, runner._writing) == ([], False)
    assert runner.service.stats()["completed"] == DEVICES


def test_a_group_holds_at_least_one_hand_over(runner: Runner) -> None:
    with pytest.raises(ValueError, match="group must be at least 1, got 0"):
        Runner(runner.service, runner.fleet, group=0)

"""The runner writes hand-overs in groups: one transaction for the hand-overs waiting, up to
its ``group`` of them, each worker getting its own device's next task, or the write's error."""

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
    yield Runner(service, fleet, seed=1, group=GROUP)
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


def _wait_for(condition: Callable[[], bool]) -> None:
    """Wait until ``condition`` holds (polled without a deadline of our own: pytest's own
    timeout ends a test that hangs)."""
    event = threading.Event()
    while not condition():
        event.wait(0.001)


def _hand_over_all(runner: Runner, rows: list[TaskRow]) -> dict[int, Any]:
    """Each row's hand-over from a thread of its own, all at once; each one's answer."""
    answers: dict[int, Any] = {}
    generation = runner._generation

    def work(row: TaskRow) -> None:
        try:
            answers[row.id] = runner._hand_over(row, (True, "done"), generation)
        except Exception as error:
            answers[row.id] = error

    threads = [threading.Thread(target=work, args=(row,)) for row in rows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_waiting_hand_overs_are_written_together_each_getting_its_own_next_task(
    runner: Runner,
) -> None:
    rows = runner._next_batch()
    assert len(rows) == DEVICES
    first = rows[0]
    others_queued = threading.Event()

    def before(write: int) -> None:
        if write == 0:  # the first writer waits until every other hand-over is queued
            _wait_for(lambda: len(runner._queue) == DEVICES - 1)
            others_queued.set()

    sizes = _watch(runner, before)
    answers = _hand_over_all(runner, [first, *rows[1:]])
    assert others_queued.is_set()
    # The first alone, then the rest in groups of at most GROUP, in the order they came.
    assert sizes == [1, GROUP, GROUP, DEVICES - 1 - 2 * GROUP]
    claimed = {row.serial: answers[row.id] for row in rows}
    assert all(isinstance(task, TaskRow) for task in claimed.values())
    assert {serial: task.serial for serial, task in claimed.items()} == {s: s for s in claimed}
    assert len({task.id for task in claimed.values()}) == DEVICES  # no task claimed twice
    assert all(task.status == RUNNING for task in claimed.values())
    assert runner.running() == {serial: task.id for serial, task in claimed.items()}
    assert runner.service.stats()["completed"] == DEVICES
    assert (runner._queue, runner._writing) == ([], False)


def test_a_failed_group_write_fails_each_of_its_hand_overs_and_the_next_group_goes_on(
    runner: Runner,
) -> None:
    rows = runner._next_batch()

    def before(write: int) -> None:
        if write == 0:
            _wait_for(lambda: len(runner._queue) == DEVICES - 1)
        if write == 1:
            raise sqlite_full

    sqlite_full = RuntimeError("database or disk is full")
    sizes = _watch(runner, before)
    answers = _hand_over_all(runner, rows)
    failed = [row for row in rows if answers[row.id] is sqlite_full]
    assert len(failed) == GROUP
    assert sizes == [1, GROUP, GROUP, DEVICES - 1 - 2 * GROUP]
    written = [row for row in rows if isinstance(answers[row.id], TaskRow)]
    assert len(written) == DEVICES - GROUP
    assert runner.service.stats()["completed"] == DEVICES - GROUP
    assert (runner._queue, runner._writing) == ([], False)
    # Nothing is left waiting: the next hand-over is written at once, by its own worker.
    following = runner._hand_over(failed[0], (False, "retry"), runner._generation)
    assert following is not None
    assert following.serial == failed[0].serial
    assert runner.service.stats()["failed"] == 1


def test_a_hand_over_alone_is_written_at_once_by_its_own_worker(runner: Runner) -> None:
    row = runner._next_batch()[0]
    writers: list[str] = []
    _watch(runner, lambda write: writers.append(threading.current_thread().name))
    following = runner._hand_over(row, (True, "done"), runner._generation)
    assert following is not None
    assert following.serial == row.serial
    assert writers == [threading.current_thread().name]


def test_a_group_holds_at_least_one_hand_over(runner: Runner) -> None:
    with pytest.raises(ValueError, match="group must be at least 1, got 0"):
        Runner(runner.service, runner.fleet, group=0)

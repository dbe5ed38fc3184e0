"""The runner's worker threads: each item run once, few threads for instant items, a thread
each for items that block, and nothing left behind."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from reference_server.domain.worker_pool import RECENT, WorkerPool

from ..waiting import wait_until


class Recorder:
    """Runs items: records each with its thread's name; an item in ``blocking`` waits for
    :attr:`release`."""

    def __init__(self) -> None:
        self.ran: list[tuple[int, str]] = []
        self.blocking: set[int] = set()
        self.release = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, item: int) -> None:
        if item in self.blocking:
            self.release.wait()
        with self._lock:
            self.ran.append((item, threading.current_thread().name))

    def items(self) -> list[int]:
        with self._lock:
            return sorted(item for item, _ in self.ran)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def pool(recorder: Recorder) -> Iterator[WorkerPool[int]]:
    made = WorkerPool(recorder, name="test-pool", patience=0.005)
    yield made
    recorder.release.set()
    made.close()
    for thread in made.threads():
        thread.join()


def test_each_item_runs_once(pool: WorkerPool[int], recorder: Recorder) -> None:
    for start in range(0, 1_000, 100):
        assert pool.submit(range(start, start + 100)) == []
    wait_until(lambda: len(recorder.items()) == 1_000, "every item", interval=0.001)
    assert recorder.items() == list(range(1_000))


def test_blocked_items_do_not_hold_up_the_others(pool: WorkerPool[int], recorder: Recorder) -> None:
    recorder.blocking = {0, 1}
    pool.submit([0, 1, 2, 3])
    # while 0 and 1 wait, on threads of their own
    wait_until(lambda: recorder.items() == [2, 3], "the items behind", interval=0.001)
    recorder.release.set()
    wait_until(lambda: recorder.items() == [0, 1, 2, 3], "every item", interval=0.001)
    assert len({name for _, name in recorder.ran}) >= 3


def _stalled(recorder: Recorder, waiting: int, usual: float | None = None) -> WorkerPool[int]:
    """A pool with no thread yet, ``waiting`` items queued a second ago, and the latest
    items each taking ``usual`` seconds (``None``: no item has ended yet)."""
    pool: WorkerPool[int] = WorkerPool(recorder, name="test-pool", patience=0.002)
    if usual is not None:
        pool._took = [usual] * RECENT
        pool._done = RECENT
    pool._ready.extend((time.monotonic() - 1, item) for item in range(waiting))
    return pool


def _busy(pool: WorkerPool[int], count: int, ran_for: float) -> None:
    """Give ``pool`` (its lock held) ``count`` threads that came, each on an item it took
    ``ran_for`` seconds ago."""
    pool._wake(count)
    busy, pool._unstarted = pool._unstarted, []
    pool._coming = 0
    for worker in busy:
        worker.took = time.monotonic() - ran_for


def test_before_any_item_ends_items_that_run_past_patience_count_as_blocking(
    recorder: Recorder,
) -> None:
    pool = _stalled(recorder, 10)
    with pool._lock:
        _busy(pool, 1, ran_for=0.5)
        new = pool._watch_once()
    assert new is not None
    assert len(new) == 10


def test_an_idle_thread_takes_the_next_item_rather_than_a_new_one(
    pool: WorkerPool[int], recorder: Recorder
) -> None:
    pool.submit([1])
    wait_until(lambda: len(pool._idle) == 1, "an idle thread", interval=0.001)
    pool.submit([2])
    wait_until(lambda: recorder.items() == [1, 2], "the items run", interval=0.001)
    ((_, one), (_, other)) = sorted(recorder.ran)
    assert one == other
    assert pool._started == 1


@pytest.mark.parametrize(("usual", "threads"), [(10e-6, 1), (0.1, 100)])
def test_a_stalled_queue_gets_the_threads_its_items_usually_need(
    recorder: Recorder, usual: float, threads: int
) -> None:
    """100 items have waited past patience, with no thread awake: instant items (as the
    latest took) need one thread between them, items that block one each."""
    pool = _stalled(recorder, 100, usual)
    with pool._lock:
        new = pool._watch_once()
    assert new is not None
    assert len(new) == threads
    assert pool._coming == threads


@pytest.mark.parametrize(("usual", "waiting", "threads"), [(10e-6, 1_000, 5 - 3), (0.1, 10, 10)])
def test_threads_that_just_took_an_item_count_only_if_items_are_instant(
    recorder: Recorder, usual: float, waiting: int, threads: int
) -> None:
    """1,000 instant items need five threads to start within patience, and three have just
    taken an item (they will soon be free); an item that blocks keeps its thread."""
    pool = _stalled(recorder, waiting, usual)
    with pool._lock:
        _busy(pool, 3, ran_for=0.0)  # each took an item just now
        new = pool._watch_once()
    assert new is not None
    assert len(new) == threads


def test_instant_items_that_turn_into_blocking_ones_at_least_double_the_threads(
    recorder: Recorder,
) -> None:
    """The latest items were instant, but every busy thread has been on its item for
    patience: the threads are at least doubled, not grown one a round."""
    pool = _stalled(recorder, 100, usual=10e-6)
    with pool._lock:
        _busy(pool, 4, ran_for=1.0)  # each still on the item it took a second ago
        new = pool._watch_once()
    assert new is not None
    assert len(new) == 4


def test_items_that_usually_block_get_their_threads_at_once(recorder: Recorder) -> None:
    """No waiting for patience (here a minute) when the latest items each blocked."""
    started: list[int] = []

    def run(item: int) -> None:
        started.append(item)
        recorder(item)

    pool: WorkerPool[int] = WorkerPool(run, name="test-pool", patience=60.0)
    pool._took = [120.0] * RECENT
    pool._done = RECENT
    recorder.blocking = {1, 2, 3}
    try:
        pool.submit([1, 2, 3])
        wait_until(lambda: sorted(started) == [1, 2, 3], "three blocked items", interval=0.001)
    finally:
        recorder.release.set()
        pool.close()
        for thread in pool.threads():
            thread.join()
    assert pool._started == 3


def test_close_hands_back_what_did_not_start_and_refuses_more(
    pool: WorkerPool[int], recorder: Recorder
) -> None:
    recorder.blocking = {0}
    pool.submit([0])
    # the worker on 0, and the watcher
    wait_until(lambda: len(pool.threads()) == 2, "two threads", interval=0.001)
    pool.patience = 60.0  # the rest wait for the one blocked thread
    pool.submit([1, 2])
    assert sorted(pool.close()) == [1, 2]
    assert pool.submit([3]) == [3]
    recorder.release.set()
    for thread in pool.threads():
        thread.join()
    assert recorder.items() == [0]
    pool.reopen()
    assert pool.submit([4]) == []
    wait_until(lambda: recorder.items() == [0, 4], "the items run", interval=0.001)


def test_a_thread_being_started_is_not_yet_one_to_wait_for(
    pool: WorkerPool[int], recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stop may ask for the threads while the watcher starts one: it gets only threads
    it can join (joining one not yet started raises)."""
    seen: list[list[int | None]] = []
    start = threading.Thread.start

    def starting(thread: threading.Thread) -> None:
        if thread.name.startswith("test-pool-") and not thread.name.endswith("watcher"):
            # (the watcher is started with the lock held)
            seen.append([found.ident for found in pool.threads()])
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", starting)
    pool.submit([1])
    wait_until(lambda: recorder.items() == [1], "the item", interval=0.001)
    assert seen
    assert all(ident is not None for idents in seen for ident in idents)


def test_idle_threads_and_the_watcher_end_after_lingering(recorder: Recorder) -> None:
    pool: WorkerPool[int] = WorkerPool(recorder, name="test-pool", linger=0.05)
    pool.submit([1])
    wait_until(lambda: recorder.items() == [1], "the items run", interval=0.001)
    wait_until(lambda: pool.threads() == [], "no thread left", interval=0.001)
    pool.submit([2])  # a new thread and watcher come for the next item
    wait_until(lambda: recorder.items() == [1, 2], "the items run", interval=0.001)
    wait_until(lambda: pool.threads() == [], "no thread left", interval=0.001)


def test_an_item_that_fails_is_logged_and_its_thread_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ran: list[int] = []

    def run(item: int) -> None:
        if item == 1:
            raise RuntimeError("broken item")
        ran.append(item)

    pool: WorkerPool[int] = WorkerPool(run, name="test-pool", patience=60.0)
    with caplog.at_level("ERROR", logger="reference_server.domain.worker_pool"):
        pool.submit([1, 2])
        wait_until(lambda: ran == [2], "the items run", interval=0.001)
    (logged,) = caplog.records
    assert logged.getMessage() == "test-pool: an item failed"
    assert pool._started == 1
    pool.close()
    for thread in pool.threads():
        thread.join()


@pytest.mark.parametrize(("patience", "linger"), [(0, 1), (1, 0), (-1, 1)])
def test_patience_and_linger_must_be_positive(patience: float, linger: float) -> None:
    with pytest.raises(ValueError, match="patience and linger must be positive"):
        WorkerPool(print, name="x", patience=patience, linger=linger)


def test_threads_that_cannot_start_are_tried_again_and_a_pool_without_a_watcher_refuses(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """When the process has no thread to spare (``Thread.start`` raises), no item is lost:
    a pool that cannot start its watcher refuses the items; a worker that cannot start is
    tried again, and the items run once threads can be had."""
    start = threading.Thread.start
    refusals = {"watcher": 1, "worker": 3}

    def scarce(thread: threading.Thread) -> None:
        kind = "watcher" if thread.name.endswith("watcher") else "worker"
        if thread.name.startswith("test-pool") and refusals[kind] > 0:
            refusals[kind] -= 1
            raise RuntimeError("can't start new thread")
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", scarce)
    pool: WorkerPool[int] = WorkerPool(recorder, name="test-pool", patience=0.002)
    with caplog.at_level("ERROR", logger="reference_server.domain.worker_pool"):
        assert pool.submit([1, 2]) == [1, 2]  # no watcher: refused, nothing queued
        assert (list(pool._ready), pool.threads()) == ([], [])
        assert pool.submit([3, 4]) == []
        wait_until(lambda: recorder.items() == [3, 4], "the items", interval=0.001)
    messages = [record.getMessage() for record in caplog.records]
    assert (
        messages
        == ["test-pool: could not start its watcher"] + ["test-pool: could not start a thread"] * 3
    )
    assert pool._coming >= 0
    pool.close()
    for thread in pool.threads():
        thread.join()

"""How close the runner comes to its floor, as ratios measured in one run.

* throughput: 10,000 zero-length tasks over 200 simulated devices, run by the scheduler and
  its worker threads, against the store's own claim and finish writes for as many tasks
  (the floor: what running a task must write), and against the same two statements on a
  bare ``sqlite3`` connection, each committed alone or all in one transaction (each floor
  the best of three runs);
* hand-off lag: on each device, from the end of one task's script to the start of the next
  one's, as the runner's worker sees them (p50 and p99); every task is due from the start:
  with zero-length scripts (the runner saturated: the lag is where its queue forms), and
  with 100 ms scripts (200 devices asking for 2,000 hand-overs a second, as a busy farm);
* a deep queue: the rate of the first 2,000 tasks with 600,000 tasks pending, against the
  rate with 1,000 pending.

Each case freezes what its setup built (:func:`reference_server.cli.settle_heap`), as the
server does before it serves: full collections then walk only what the run makes.

Nothing here asserts a time. Run it with ``python bench/runner_bench.py`` (``--quick`` for a
short run); ``nox -s bench`` runs it with the other benchmarks.
"""

from __future__ import annotations

import gc
import itertools
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from reference_server.cli import settle_heap
from reference_server.clock import SystemClock
from reference_server.devices.simulated import Behaviour
from reference_server.domain.fleet import Fleet
from reference_server.domain.runner import Runner
from reference_server.domain.service import COMPLETED, PENDING, RUNNING, TaskService
from reference_server.domain.sqlite_store import SQLiteStore
from reference_server.domain.store import NewTask, TaskRow
from reference_server.scripts import SCRIPTS

DEVICES = 200
QUICK = "--quick" in sys.argv
#: A follow task's stored config, as the server prepares it.
CONFIG = SCRIPTS["follow"].prepare({"target_users": ["@a"]})[0]


def _store(path: Path, count: int) -> SQLiteStore:
    store = SQLiteStore(path)
    serials = [f"device_serial_{i}" for i in range(1, DEVICES + 1)]
    store.add_devices(serials)
    now = time.time()
    for start in range(0, count, 20_000):
        store.insert_tasks(
            [
                NewTask(
                    serial=serials[n % DEVICES],
                    username=None,
                    script_name="follow",
                    script_config=CONFIG,
                    source="api",
                    enable_multi_account=False,
                    start_time=None,
                    scheduled_at=now,
                    created_at=now,
                )
                for n in range(start, min(count, start + 20_000))
            ]
        )
    return store


def floor(directory: Path, count: int, runs: int = 3) -> float:
    """Tasks per second the store can claim and finish, with nothing else going on (the
    best of ``runs``: a floor is what the machine can do, not what one slow spell let it)."""
    rates = []
    for run_index in range(runs):
        store = _store(directory / f"floor-{run_index}.sqlite3", count)
        started = time.perf_counter()
        for task_id in range(1, count + 1):
            store.update_task(task_id, when_status=(PENDING,), status=RUNNING, started_at=0.0)
            store.update_task(task_id, when_status=(RUNNING,), status=COMPLETED, finished_at=0.0)
        rates.append(count / (time.perf_counter() - started))
        store.close()
    return max(rates)


def raw_floors(directory: Path, count: int, runs: int = 3) -> tuple[float, float]:
    """Tasks per second a bare ``sqlite3`` connection claims and finishes (best of ``runs``).

    With the store's settings: each statement committed alone, and every statement in one
    transaction (the rate of the writes themselves, no commit between them).
    """
    best = {False: 0.0, True: 0.0}
    for run_index, grouped in itertools.product(range(runs), (False, True)):
        name = f"raw-{'one' if grouped else 'each'}-{run_index}"
        _store(directory / f"{name}.sqlite3", count).close()
        db = sqlite3.connect(directory / f"{name}.sqlite3", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        started = time.perf_counter()
        if grouped:
            db.execute("BEGIN IMMEDIATE")
        # Revisions taken from task_revs once for the run (the store takes one a statement,
        # and a statement of its writes a whole group), then one a write.
        (rev,) = db.execute("SELECT last FROM task_revs").fetchone()
        db.execute("UPDATE task_revs SET last = ?", (rev + 2 * count,))
        for task_id in range(1, count + 1):
            db.execute(
                "UPDATE tasks SET status = ?, started_ts = ?, rev = ? WHERE id = ? AND status = ?",
                (RUNNING, 0.0, rev + 1, task_id, PENDING),
            )
            db.execute(
                "UPDATE tasks SET status = ?, finished_ts = ?, rev = ? WHERE id = ? AND status = ?",
                (COMPLETED, 0.0, rev + 2, task_id, RUNNING),
            )
            rev += 2
        if grouped:
            db.execute("COMMIT")
        best[grouped] = max(best[grouped], count / (time.perf_counter() - started))
        db.close()
    return best[False], best[True]


def run(
    directory: Path, name: str, pending: int, measured: int, *, duration: float = 0.0
) -> tuple[float, list[float]]:
    """Tasks per second over the first ``measured`` tasks, and each one's hand-off lag.

    ``duration`` is how long each script takes (its one action's).
    """
    store = _store(directory / f"{name}.sqlite3", pending)
    service = TaskService(store, SystemClock(), rng=random.Random(1))
    service.set_plan("Business")  # 200 devices at once: Pro's 20 slots would cap the runner
    fleet = Fleet()
    for i in range(1, DEVICES + 1):
        fleet.simulated(f"device_serial_{i}").configure(Behaviour(duration=duration))
    runner = Runner(service, fleet, poll_interval=0.2, seed=1)
    # When each task's script began and ended, on the runner's own clock: the lag users feel
    # runs from one task's end to its device's next task's start, whatever the store says.
    spans: dict[str, list[tuple[float, float]]] = {}
    play = runner._outcome

    def timed(task: TaskRow, cancel: threading.Event) -> tuple[bool, str]:
        began = time.perf_counter()
        try:
            return play(task, cancel)
        finally:
            spans.setdefault(task.serial or "", []).append((began, time.perf_counter()))

    runner._outcome = timed  # type: ignore[method-assign]
    settle_heap()  # as the server does before it serves
    started = time.perf_counter()
    runner.start()
    while service.stats()["completed"] < measured:
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    runner.stop()
    gc.unfreeze()  # the next case's setup is not this one's
    rate = measured / elapsed
    lags = [
        following[0] - previous[1]
        for runs in spans.values()
        for previous, following in itertools.pairwise(sorted(runs))
    ]
    store.close()
    return rate, lags


def _percentiles(lags: list[float]) -> tuple[float, float]:
    """The p50 and p99 of ``lags``, in milliseconds."""
    return statistics.median(lags) * 1000, statistics.quantiles(lags, n=100)[98] * 1000


def main() -> None:
    """Run the three cases and print the table."""
    count = 2_000 if QUICK else 10_000
    deep = 60_000 if QUICK else 600_000
    measured = 500 if QUICK else 2_000
    with tempfile.TemporaryDirectory(prefix="tikmatrix-runner-") as name:
        directory = Path(name)
        floor_rate = floor(directory, count)
        raw_each, raw_one = raw_floors(directory, count)
        rate, lags = run(directory, "throughput", count, count)
        _, busy_lags = run(directory, "busy", count, count // 2, duration=0.1)
        shallow_rate, _ = run(directory, "shallow", 1_000, min(1_000, measured))
        deep_rate, _ = run(directory, "deep", deep, measured)
    p50, p99 = _percentiles(lags)
    busy_p50, busy_p99 = _percentiles(busy_lags)
    print(f"Python {sys.version.split()[0]}" + (" (quick)" if QUICK else ""))
    print(f"{'case':52} {'figure':>12}  ratio")
    print(f"{'store claim + finish writes alone (floor)':52} {floor_rate:9.0f}/s")
    print(f"{'raw sqlite3 claim + finish, each committed':52} {raw_each:9.0f}/s")
    print(f"{'raw sqlite3 claim + finish, one transaction':52} {raw_one:9.0f}/s")
    print(
        f"{f'runner: {count:,} tasks, {DEVICES} devices':52} {rate:9.0f}/s"
        f"  {floor_rate / rate:.2f}x slower than the floor, "
        f"{raw_each / rate:.2f}x / {raw_one / rate:.2f}x than raw (each / one transaction)"
    )
    print(f"{'hand-off lag p50':52} {p50:9.2f} ms")
    print(f"{'hand-off lag p99':52} {p99:9.2f} ms")
    print(f"{'hand-off lag p50, 100 ms scripts':52} {busy_p50:9.2f} ms")
    print(f"{'hand-off lag p99, 100 ms scripts':52} {busy_p99:9.2f} ms")
    print(f"{'1,000 pending':52} {shallow_rate:9.0f}/s")
    print(
        f"{f'{deep:,} pending':52} {deep_rate:9.0f}/s"
        f"  {shallow_rate / deep_rate:.2f}x slower than with 1,000"
    )


if __name__ == "__main__":
    main()

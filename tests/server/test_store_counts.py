"""The task counts the store keeps by triggers always agree with the tasks themselves."""

from __future__ import annotations

import contextlib
import random
import sqlite3
from pathlib import Path

from reference_server.domain.sqlite_store import MIGRATIONS, SQLiteStore
from reference_server.domain.store import NewTask

from .old_stores import old_store


def new_task(serial: str, scheduled_at: float = 0.0) -> NewTask:
    """A follow task for ``serial``, due at ``scheduled_at``."""
    return NewTask(
        serial=serial,
        username=None,
        script_name="follow",
        script_config={"target_users": ["@a"]},
        source="api",
        enable_multi_account=False,
        start_time=None,
        scheduled_at=scheduled_at,
        created_at=0.0,
    )


def _truth(store: SQLiteStore) -> dict[int, int]:
    with store.transaction() as db:
        rows = db.execute("SELECT status, COUNT(*) FROM tasks GROUP BY status").fetchall()
    return {int(status): int(count) for status, count in rows}


def test_counts_follow_every_change(tmp_path: Path) -> None:
    with contextlib.closing(SQLiteStore(tmp_path / "t.sqlite3")) as store:
        _follow_every_change(store)


def _follow_every_change(store: SQLiteStore) -> None:
    rng = random.Random(5)
    ids = store.insert_tasks([new_task(f"s{n % 3}") for n in range(60)])
    for step in range(300):
        task_id = rng.choice(ids)
        action = rng.randrange(4)
        if action == 0:
            store.update_task(task_id, when_status=(0,), status=1)
        elif action == 1:
            store.update_task(task_id, when_status=(1,), status=rng.choice((2, 3)))
        elif action == 2:
            store.retry_failed(3, 0, 0.0)
        elif step % 10 == 0:
            store.delete_tasks([task_id])
        assert store.stats() == _truth(store)
        if step % 50 == 0:
            assert store.list_tasks({}, 0, 5)[1] == sum(_truth(store).values())
    filtered, total = store.list_tasks({"status": 2}, 0, 5)
    assert total == _truth(store).get(2, 0)
    assert all(task.status == 2 for task in filtered)
    assert store.list_tasks({}, 0, 5)[1] == sum(_truth(store).values())
    store.reset()
    assert store.stats() == {}
    store.insert_tasks([new_task("s0")])
    assert store.stats() == {0: 1}


def test_a_first_version_store_gets_its_counts(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old_store(path, 1, [0, 2, 2, 3])
    store = SQLiteStore(path)
    try:
        assert store.schema_version == len(MIGRATIONS)
        assert store.stats() == {0: 1, 2: 2, 3: 1}
    finally:
        store.close()


def test_a_third_version_store_loses_the_index_no_query_reads(tmp_path: Path) -> None:
    path = tmp_path / "v3.sqlite3"
    old_store(path, 3, [0])
    db = sqlite3.connect(path)
    assert "tasks_due" in {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    db.close()
    store = SQLiteStore(path)
    try:
        assert store.schema_version == len(MIGRATIONS)
        names = {row[0] for row in store._db.execute("SELECT name FROM sqlite_master")}
        assert "tasks_due" not in names
        assert "tasks_status" in names
        assert store.stats() == {0: 1}
        plan = store._db.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM tasks WHERE status = ? ORDER BY id DESC LIMIT 5",
            (0,),
        ).fetchall()
        assert "tasks_status" in str([tuple(step) for step in plan])
    finally:
        store.close()

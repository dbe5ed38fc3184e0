"""The store's hand-over (a task's end and its device's next claim, in one transaction):
each end applies only to a task still running, and the task claimed comes back as claimed."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest

from reference_server.domain.sqlite_store import SQLiteStore
from reference_server.domain.store import Finish

from .test_store_counts import new_task

PENDING, RUNNING, COMPLETED, FAILED = 0, 1, 2, 3


def _end(task_id: int, status: int = COMPLETED, remark: str = "") -> Finish:
    return Finish(task_id=task_id, running=RUNNING, status=status, remark=remark)


def test_a_hand_over_ends_its_task_and_claims_the_devices_first_due_one(tmp_path: Path) -> None:
    with contextlib.closing(SQLiteStore(tmp_path / "t.sqlite3")) as store:
        store.add_devices(["a", "b"])
        a1, b1, a2, a3, b2 = store.insert_tasks(
            [new_task("a"), new_task("b"), new_task("a"), new_task("a"),
             new_task("b", scheduled_at=10**10)]
        )  # fmt: skip
        assert store.claim([a1, b1], PENDING, RUNNING, 1.0) == [a1, b1]
        ended, claimed = store.hand_over(_end(a1, remark="ok"), "a", PENDING, RUNNING, 2.0)
        assert ended
        assert claimed is not None
        # What is handed back is the task as claimed, not as it was read.
        assert (claimed.id, claimed.status, claimed.started_at) == (a2, RUNNING, 2.0)
        # b's next task is not due yet: nothing is claimed, the end still applies.
        assert store.hand_over(_end(b1, FAILED, "no network"), "b", PENDING, RUNNING, 3.0) == (
            True,
            None,
        )
        status = {t.id: (t.status, t.remark) for t in store.list_tasks({}, 0, 100)[0]}
        assert status[a1] == (COMPLETED, "ok")
        assert status[b1] == (FAILED, "no network")
        assert (status[a2][0], status[a3][0], status[b2][0]) == (RUNNING, PENDING, PENDING)


def test_the_end_of_a_task_stopped_meanwhile_does_not_apply(tmp_path: Path) -> None:
    with contextlib.closing(SQLiteStore(tmp_path / "t.sqlite3")) as store:
        store.add_devices(["a"])
        (a1,) = store.insert_tasks([new_task("a")])
        store.claim([a1], PENDING, RUNNING, 1.0)
        store.update_task(a1, when_status=(RUNNING,), status=FAILED, remark="stopped by user")
        assert store.hand_over(_end(a1), "a", PENDING, RUNNING, 2.0) == (False, None)
        (task,) = store.list_tasks({}, 0, 1)[0]
        assert (task.status, task.remark) == (FAILED, "stopped by user")


def test_many_hand_overs_are_written_in_one_transaction_as_each_alone(tmp_path: Path) -> None:
    with contextlib.closing(SQLiteStore(tmp_path / "t.sqlite3")) as store:
        store.add_devices(["a", "b", "c"])
        a1, b1, c1, a2, b2 = store.insert_tasks(
            [new_task("a"), new_task("b"), new_task("c"), new_task("a"), new_task("b")]
        )
        store.claim([a1, b1, c1], PENDING, RUNNING, 1.0)
        store.update_task(c1, when_status=(RUNNING,), status=FAILED, remark="stopped by user")
        results = store.hand_over_many(
            [(_end(a1, remark="ok"), "a"), (_end(b1, FAILED, "no"), None), (_end(c1), "c")],
            PENDING,
            RUNNING,
            2.0,
        )
        # b's item only ends its task; c's end does not apply (stopped), nor has c a next task.
        assert [(ended, None if t is None else t.id) for ended, t in results] == [
            (True, a2),
            (True, None),
            (False, None),
        ]
        assert results[0][1] is not None
        assert (results[0][1].status, results[0][1].started_at) == (RUNNING, 2.0)
        status = {t.id: (t.status, t.remark) for t in store.list_tasks({}, 0, 100)[0]}
        assert status[a1] == (COMPLETED, "ok")
        assert status[b1] == (FAILED, "no")
        assert status[c1] == (FAILED, "stopped by user")
        assert (status[a2][0], status[b2][0]) == (RUNNING, PENDING)


def test_a_failed_group_write_stores_none_of_it(tmp_path: Path) -> None:
    with contextlib.closing(SQLiteStore(tmp_path / "t.sqlite3")) as store:
        store.add_devices(["a", "b"])
        a1, b1, a2 = store.insert_tasks([new_task("a"), new_task("b"), new_task("a")])
        store.claim([a1, b1], PENDING, RUNNING, 1.0)
        broken = Finish(task_id=b1, running=RUNNING, status=COMPLETED, remark=object())  # type: ignore[arg-type]
        with pytest.raises(sqlite3.Error):
            store.hand_over_many([(_end(a1), "a"), (broken, None)], PENDING, RUNNING, 2.0)
        status = {t.id: t.status for t in store.list_tasks({}, 0, 100)[0]}
        assert status == {a1: RUNNING, b1: RUNNING, a2: PENDING}


def test_only_a_tasks_first_end_and_a_devices_first_claim_count(tmp_path: Path) -> None:
    with contextlib.closing(SQLiteStore(tmp_path / "t.sqlite3")) as store:
        store.add_devices(["a"])
        a1, a2, a3 = store.insert_tasks([new_task("a"), new_task("a"), new_task("a")])
        store.claim([a1], PENDING, RUNNING, 1.0)
        results = store.hand_over_many(
            [(_end(a1, remark="first"), "a"), (_end(a1, FAILED, "second"), "a")],
            PENDING,
            RUNNING,
            2.0,
        )
        assert [(ended, None if t is None else t.id) for ended, t in results] == [
            (True, a2),
            (False, None),
        ]
        status = {t.id: (t.status, t.remark) for t in store.list_tasks({}, 0, 100)[0]}
        assert status == {a1: (COMPLETED, "first"), a2: (RUNNING, ""), a3: (PENDING, "")}


def test_a_group_larger_than_a_chunk_is_still_one_transaction(tmp_path: Path) -> None:
    with contextlib.closing(SQLiteStore(tmp_path / "t.sqlite3")) as store:
        serials = [f"s{n}" for n in range(150)]  # three chunks of statements
        store.add_devices(serials)
        firsts = store.insert_tasks([new_task(serial) for serial in serials])
        nexts = store.insert_tasks([new_task(serial) for serial in serials])
        store.claim(firsts, PENDING, RUNNING, 1.0)
        items = [(_end(task_id), serial) for task_id, serial in zip(firsts, serials, strict=True)]
        broken = Finish(task_id=firsts[-1], running=RUNNING, status=COMPLETED, remark=object())  # type: ignore[arg-type]
        with pytest.raises(sqlite3.Error):  # in the last chunk: the first two are undone too
            store.hand_over_many([*items[:-1], (broken, None)], PENDING, RUNNING, 2.0)
        assert store.stats() == {RUNNING: 150, PENDING: 150}
        results = store.hand_over_many(items, PENDING, RUNNING, 2.0)
        assert all(ended for ended, _ in results)
        assert [None if t is None else t.id for _, t in results] == nexts
        counts = store.stats()
        assert (counts.get(RUNNING), counts.get(COMPLETED), counts.get(PENDING, 0)) == (150, 150, 0)


def test_a_devices_second_claim_counts_for_nothing_across_chunks_too(tmp_path: Path) -> None:
    with contextlib.closing(SQLiteStore(tmp_path / "t.sqlite3")) as store:
        serials = [f"s{n}" for n in range(70)]  # item 64 opens the second chunk
        store.add_devices(serials)
        firsts = store.insert_tasks([new_task(serial) for serial in serials])
        nexts = store.insert_tasks([new_task(serial) for serial in serials])
        store.claim(firsts, PENDING, RUNNING, 1.0)
        items = [(_end(task_id), serial) for task_id, serial in zip(firsts, serials, strict=True)]
        items[64] = (_end(firsts[0]), "s0")  # s0 again, and a0's end again
        results = store.hand_over_many(items, PENDING, RUNNING, 2.0)
        assert results[0][0]
        assert results[0][1] is not None
        assert results[0][1].id == nexts[0]
        assert results[64] == (False, None)
        assert [None if t is None else t.id for _, t in results[65:]] == nexts[65:]

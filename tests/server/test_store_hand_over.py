"""The store's hand-over (a task's end and its device's next claim, in one transaction):
each end applies only to a task still running, and the task claimed comes back as claimed."""

from __future__ import annotations

import contextlib
from pathlib import Path

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

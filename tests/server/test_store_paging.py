"""Deep pages read through the id index answer exactly what the plain OFFSET query answers.

Random stores (tasks of random statuses, devices, scripts and sources; accounts), random
filter combinations and random pages: the store's page and total must equal those of the
straightforward query the store used before (kept here as the oracle).
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference_server.domain.sqlite_store import _TASK_COLUMNS, SQLiteStore, _where
from reference_server.domain.store import NewTask

SERIALS = ["d1", "d2", "d3"]
SCRIPTS = ["follow", "post"]
SOURCES = ["api", "ui"]
_EXAMPLES = int(os.environ.get("TIKMATRIX_FUZZ_EXAMPLES", "15")) * 4


def _oracle(
    db: sqlite3.Connection, table: str, columns: str, order: str, filters: dict[str, Any],
    offset: int, limit: int,
) -> tuple[list[tuple[Any, ...]], int]:  # fmt: skip
    where, params = _where(filters)
    total = db.execute(f"SELECT COUNT(*) FROM {table}{where}", params).fetchone()[0]
    rows = db.execute(
        f"SELECT {columns} FROM {table}{where} ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return [tuple(row) for row in rows], total


_TASKS = st.lists(
    st.tuples(
        st.sampled_from([*SERIALS, None]),
        st.sampled_from(SCRIPTS),
        st.sampled_from(SOURCES),
        st.integers(0, 3),
    ),
    max_size=60,
)
_FILTERS = st.fixed_dictionaries(
    {
        "status": st.sampled_from([None, 0, 1, 2, 3]),
        "serial": st.sampled_from([None, *SERIALS, "nope"]),
        "script_name": st.sampled_from([None, *SCRIPTS]),
        "source": st.sampled_from([None, *SOURCES]),
    }
)


@settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tasks=_TASKS,
    filters=_FILTERS,
    offset=st.integers(0, 70),
    limit=st.integers(1, 25),
    deleted=st.sets(st.integers(1, 60), max_size=10),
)
def test_a_task_page_is_the_offset_querys_page(
    tasks: list[tuple[str | None, str, str, int]],
    filters: dict[str, Any],
    offset: int,
    limit: int,
    deleted: set[int],
) -> None:
    store = SQLiteStore(":memory:")
    try:
        ids = store.insert_tasks(
            [
                NewTask(
                    serial=serial,
                    username=None,
                    script_name=script,
                    script_config={},
                    source=source,
                    enable_multi_account=False,
                    start_time=None,
                    scheduled_at=0.0,
                    created_at=0.0,
                )
                for serial, script, source, _ in tasks
            ]
        )
        for task_id, (*_, status) in zip(ids, tasks, strict=True):
            store.update_task(task_id, when_status=(0,), status=status)
        store.delete_tasks(sorted(deleted))  # gaps in the ids, as deletes leave
        rows, total = store.list_tasks(filters, offset, limit)
        expected, expected_total = _oracle(
            store._db, "tasks", _TASK_COLUMNS, "id DESC", filters, offset, limit
        )
        assert total == expected_total
        assert [row.id for row in rows] == [row[0] for row in expected]
    finally:
        store.close()


@settings(max_examples=_EXAMPLES, deadline=None)
@given(
    devices=st.lists(st.sampled_from(SERIALS), max_size=40),
    device=st.sampled_from([None, *SERIALS]),
    offset=st.integers(0, 45),
    limit=st.integers(1, 20),
)
def test_an_account_page_is_the_offset_querys_page(
    devices: list[str], device: str | None, offset: int, limit: int
) -> None:
    store = SQLiteStore(":memory:")
    try:
        store.add_devices(SERIALS)
        store.add_accounts(
            [{"username": f"@u{n}", "device": serial} for n, serial in enumerate(devices)]
        )
        filters: dict[str, Any] = {"device": device}
        rows, total = store.list_accounts(filters, offset, limit)
        expected, expected_total = _oracle(store._db, "accounts", "*", "id", filters, offset, limit)
        assert total == expected_total
        assert [row.id for row in rows] == [row[0] for row in expected]
    finally:
        store.close()

"""A page of tasks is written straight from the stored rows (#36): the same JSON, key for key
and in the same order, as the contract's writer makes of the tasks read as rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reference_server import fast_json
from reference_server.domain.sqlite_store import SQLiteStore
from reference_server.domain.store import STORED_TASK_COLUMNS, NewTask
from reference_server.http import wire
from tikmatrix_sdk._contract import shapes

CONFIGS: list[dict[str, Any]] = [
    {},
    {"captions": 'Ünïcödé ✓ "quoted" \\ back\nline\u0001', "material_list": ["C:/a b.mp4"]},
    {"nested": {"deep": [1, 2.5, None, True, {"x": []}]}, "big": 2**53 + 1},
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "tasks.sqlite3")
    store.add_devices(["device_a", "device_b"])
    store.insert_tasks(
        [
            NewTask(
                serial="device_a" if n % 2 else None,
                username=None if n % 2 else "@someone",
                script_name="post",
                script_config=CONFIGS[n % len(CONFIGS)],
                source="api" if n % 3 else "ui",
                enable_multi_account=bool(n % 2),
                start_time="14:30" if n % 4 == 0 else None,
                scheduled_at=1_764_000_000.75 + n,
                created_at=1_764_000_000.25 + n,
            )
            for n in range(9)
        ]
    )
    store.claim([1, 2, 3], 0, 1, 1_764_000_100.5)
    store.update_task(2, when_status=(1,), status=2, finished_at=1_764_000_200.9, remark="ok")
    yield store
    store.close()


def _both(store: SQLiteStore, filters: dict[str, Any]) -> tuple[Any, Any]:
    rows, total = store.list_stored_tasks(filters, 0, 100)
    tasks, same_total = store.list_tasks(filters, 0, 100)
    assert total == same_total
    written = fast_json.dumps(wire.stored_tasks_json(rows))
    read = fast_json.dumps([wire.task_json(task) for task in tasks])
    assert written == read  # the same bytes, not only the same JSON
    return json.loads(written), json.loads(read)


@pytest.mark.parametrize("filters", [{}, {"status": 0}, {"serial": "device_a"}])
def test_a_stored_page_is_written_as_the_contracts_writer_writes_its_tasks(
    store: SQLiteStore, filters: dict[str, Any]
) -> None:
    written, read = _both(store, filters)
    assert written == read
    assert [list(task) for task in written] == [list(task) for task in read]
    assert written, "the page must hold tasks for the comparison to mean anything"


def test_without_orjson_the_pages_are_alike_too(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fast_json, "loads", json.loads)
    writer = wire._stored_writer(shapes.Task, STORED_TASK_COLUMNS)
    rows, _ = store.list_stored_tasks({}, 0, 100)
    tasks, _ = store.list_tasks({}, 0, 100)
    assert writer(rows) == [wire.task_json(task) for task in tasks]


def test_the_writer_knows_every_field_of_the_shape() -> None:
    """A field the store does not hold fails when the server starts, not on a request."""

    with pytest.raises(ValueError, match="not in"):
        wire._stored_writer(shapes.Task, ("id", "status"))

"""A page keeps each task's JSON by (id, rev) (#36), and answers what a fresh read writes.

Every write of a task gives it a revision no task of its store has had; the store's triggers
refuse a write that does not. Random runs of every kind of write, read through one
:class:`TaskPages` between them (a small one, so that it also lets tasks go), must answer the
same bytes as the page written afresh from the stored rows.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference_server import fast_json
from reference_server.clock import ManualClock
from reference_server.domain.service import TaskService
from reference_server.domain.sqlite_store import MIGRATIONS, SQLiteStore
from reference_server.domain.store import Finish, NewTask, TaskPage
from reference_server.http import wire
from reference_server.http.task_pages import TaskPages

from .conftest import create, ok
from .old_stores import old_store

PENDING, RUNNING, COMPLETED, FAILED = 0, 1, 2, 3
SERIALS = ["d1", "d2"]
_EXAMPLES = int(os.environ.get("TIKMATRIX_FUZZ_EXAMPLES", "15")) * 2


def _new(serial: str | None, n: int = 0) -> NewTask:
    return NewTask(
        serial=serial,
        username=None if serial else "@someone",
        script_name="follow",
        script_config={"target_users": [f"@user{n}"], "note": "ü ✓"},
        source="api",
        enable_multi_account=False,
        start_time=None,
        scheduled_at=1_764_000_000.5 + n,
        created_at=1_764_000_000.25 + n,
    )


def _service(store: SQLiteStore) -> TaskService:
    return TaskService(store, ManualClock(1_764_000_000.0))


def _fresh(store: SQLiteStore, filters: dict[str, Any], page: int, size: int) -> bytes:
    rows, total = store.list_stored_tasks(filters, (page - 1) * size, size)
    return fast_json.dumps({"tasks": wire.stored_tasks_json(rows), "total": total})


def _kept(
    pages: TaskPages, store: SQLiteStore, filters: dict[str, Any], page: int, size: int
) -> bytes:
    tasks, total = pages.page(_service(store), filters, page, size)
    return fast_json.dumps({"tasks": tasks, "total": total})


def _check_bounds(pages: TaskPages) -> None:
    """The kept bytes are counted right, and within the budget."""
    assert pages.kept_bytes == sum(pages._sizes.values()) <= pages.budget
    assert list(pages._sizes) == list(pages._kept)
    assert len(pages._read) <= pages.pages


def _revs(store: SQLiteStore) -> dict[int, int]:
    return dict(store._db.execute("SELECT id, rev FROM tasks").fetchall())


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "tasks.sqlite3")
    store.add_devices(SERIALS)
    yield store
    store.close()


_WRITES = st.lists(
    st.one_of(
        st.tuples(st.just("insert"), st.sampled_from([*SERIALS, None]), st.integers(1, 4)),
        st.tuples(st.just("claim"), st.integers(1, 30)),
        st.tuples(st.just("end"), st.integers(1, 30), st.sampled_from([COMPLETED, FAILED])),
        st.tuples(st.just("hand_over"), st.sampled_from(SERIALS), st.integers(1, 30)),
        st.tuples(st.just("stop"), st.integers(1, 30)),
        st.tuples(st.just("retry_all")),
        st.tuples(st.just("fail_running")),
        st.tuples(st.just("delete"), st.integers(1, 30)),
        st.tuples(st.just("reset")),
    ),
    max_size=25,
)


def _write(store: SQLiteStore, write: tuple[Any, ...], now: float) -> None:
    kind, *args = write
    if kind == "insert":
        serial, count = args
        store.insert_tasks([_new(serial, n) for n in range(count)])
    elif kind == "claim":
        store.claim([args[0]], PENDING, RUNNING, now)
    elif kind == "end":
        store.update_task(args[0], when_status=(RUNNING,), status=args[1], remark="done")
    elif kind == "hand_over":
        serial, task_id = args
        store.hand_over(Finish(task_id=task_id, running=RUNNING, status=COMPLETED, remark="ok"),
                        serial, PENDING, RUNNING, now)  # fmt: skip
    elif kind == "stop":
        store.update_task(args[0], when_status=(PENDING, RUNNING), status=FAILED, remark="x")
    elif kind == "retry_all":
        store.retry_failed(FAILED, PENDING, now)
    elif kind == "fail_running":
        store.fail_running(RUNNING, FAILED, "interrupted", now)
    elif kind == "delete":
        store.delete_tasks([args[0]])
    else:
        store.reset()
        store.add_devices(SERIALS)


@settings(max_examples=_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    writes=_WRITES,
    filters=st.fixed_dictionaries(
        {"status": st.sampled_from([None, 0, 1, 2, 3]), "serial": st.sampled_from([None, "d1"])}
    ),
    size=st.integers(1, 8),
)
def test_a_kept_page_answers_what_a_fresh_read_writes(
    writes: list[tuple[Any, ...]], filters: dict[str, Any], size: int
) -> None:
    store = SQLiteStore(":memory:")
    store.add_devices(SERIALS)
    pages = TaskPages(budget=2_000)  # a few tasks: the others are let go and written again
    try:
        for step, write in enumerate(writes):
            _write(store, write, 1_764_000_100.0 + step)
            for page in (1, 2):
                kept = _kept(pages, store, filters, page, size)
                assert kept == _fresh(store, filters, page, size)
            _check_bounds(pages)
    finally:
        store.close()


def test_every_write_gives_the_tasks_it_changes_a_new_rev(store: SQLiteStore) -> None:
    store.insert_tasks([_new("d1", 1), _new("d1", 2), _new("d2", 3), _new(None, 4)])
    (last,) = store._db.execute("SELECT last FROM task_revs").fetchone()
    assert set(_revs(store).values()) == {last}, "one rev taken for the insert: new ids all"

    def changed(write: tuple[Any, ...], *touched: int) -> None:
        before = _revs(store)
        _write(store, write, 1_764_000_200.0)
        after = _revs(store)
        moved = {task_id for task_id in after if after[task_id] != before.get(task_id)}
        assert moved == set(touched), write
        for task_id in moved:
            assert after[task_id] > max(before.values()), "a rev no task had"

    changed(("claim", 1), 1)
    changed(("end", 1, FAILED), 1)
    changed(("retry_all",), 1)
    changed(("hand_over", "d1", 99), 1)  # no end to write; the device's next task is claimed
    changed(("hand_over", "d1", 1), 1, 2)  # task 1 ends and task 2 is claimed
    changed(("stop", 3), 3)
    changed(("fail_running",), 2)
    changed(("claim", 3))  # a write that changes nothing moves nothing


def test_revs_go_on_above_every_one_the_file_has_had(tmp_path: Path) -> None:
    """Across reopens, resets (after which ids start again) and the newest task's delete."""
    path = tmp_path / "tasks.sqlite3"
    had: set[tuple[int, int]] = set()
    for round_ in range(3):
        store = SQLiteStore(path)
        try:
            ids = store.insert_tasks([_new("d1", n) for n in range(3)])
            assert ids[0] == 1, "ids start again after a reset"
            store.update_task(ids[0], when_status=(PENDING,), status=FAILED)
            keys = set(_revs(store).items())
            assert not keys & had, "a key names one state of one task, ever"
            had |= keys
            store.delete_tasks([ids[-1]])  # the newest rev goes with it
            if round_ == 1:
                store.close()
                store = SQLiteStore(path)
            store.reset()
        finally:
            store.close()


def test_a_rolled_back_write_leaves_the_next_rev_above_the_kept_ones(store: SQLiteStore) -> None:
    (task_id,) = store.insert_tasks([_new("d1")])
    before = _revs(store)[task_id]

    def undone() -> None:
        with store.transaction() as db:
            db.execute(
                "UPDATE tasks SET status = 2, rev = ? WHERE id = ?", (store._next_rev(), task_id)
            )
            raise RuntimeError("undone")

    with pytest.raises(RuntimeError):
        undone()
    assert _revs(store)[task_id] == before
    store.update_task(task_id, when_status=(PENDING,), status=FAILED)
    (last,) = store._db.execute("SELECT last FROM task_revs").fetchone()
    assert before < _revs(store)[task_id] == last


@pytest.mark.parametrize(
    "statements",
    [
        ["UPDATE tasks SET status = 2 WHERE id = 1"],
        ["UPDATE tasks SET status = 2, rev = rev - 1 WHERE id = 1"],
        ["UPDATE tasks SET status = 2, rev = (SELECT last FROM task_revs) + 1 WHERE id = 1"],
        ["INSERT INTO tasks (script_name, script_config, scheduled_ts, created_ts) "
         "VALUES ('follow', '{}', 0, 0)"],
        ["INSERT INTO tasks (script_name, script_config, scheduled_ts, created_ts, rev) "
         "VALUES ('follow', '{}', 0, 0, (SELECT last FROM task_revs) + 1)"],
        ["UPDATE task_revs SET last = last - 1"],
        ["INSERT OR REPLACE INTO task_revs (id, last) VALUES (1, 0)"],
        ["DELETE FROM task_revs"],
    ],
)  # fmt: skip
def test_the_store_refuses_a_write_that_keeps_an_old_rev_or_takes_none(
    store: SQLiteStore, statements: list[str]
) -> None:
    store.insert_tasks([_new("d1")])

    def write() -> None:
        with store.transaction() as db:
            for statement in statements:
                db.execute(statement)

    with pytest.raises(sqlite3.IntegrityError, match=r"revision|only goes up"):
        write()
    assert store.list_tasks({}, 0, 10)[1] == 1


def test_a_writer_that_takes_its_rev_first_is_let_write(store: SQLiteStore) -> None:
    (task_id,) = store.insert_tasks([_new("d1")])
    with store.transaction() as db:
        db.execute("UPDATE task_revs SET last = last + 1")
        db.execute("UPDATE tasks SET status = 2, rev = (SELECT last FROM task_revs)")
    raw = _revs(store)[task_id]
    store.update_task(task_id, when_status=(COMPLETED,), status=FAILED)
    assert _revs(store)[task_id] > raw, "the store's next rev is above the raw writer's"


def test_a_page_read_again_reads_no_row(store: SQLiteStore) -> None:
    store.insert_tasks([_new("d1", n) for n in range(5)])
    pages = TaskPages()
    service = _service(store)
    first = service.task_page({}, 1, 3, pages._kept.get)
    assert len(first.rows) == 3
    assert first.known == [None] * 3
    pages.page(service, {}, 1, 3)
    again = service.task_page({}, 1, 3, pages._kept.get)
    assert again.rows == []
    assert None not in again.known
    store.update_task(4, when_status=(PENDING,), status=FAILED)
    changed = service.task_page({}, 1, 3, pages._kept.get)
    assert [row[0] for row in changed.rows] == [4], "only the changed task is read again"


def test_the_oldest_are_let_go_first(store: SQLiteStore) -> None:
    store.insert_tasks([_new("d1", n) for n in range(30)])
    service = _service(store)
    measure = TaskPages()
    for page in (3, 2):
        measure.page(service, {}, page, 10)
    pages = TaskPages(budget=measure.kept_bytes)  # room for two pages of the three
    order = []
    for page in (3, 2, 1):  # ids 10..1 kept first, then 20..11, then 30..21
        pages.page(service, {}, page, 10)
        order += [30 - 10 * (page - 1) - n for n in range(10)]
    _check_bounds(pages)
    assert pages.kept_bytes <= pages.budget - pages.budget // 10, "a tenth more is let go"
    kept = [task_id for task_id, _ in pages._kept]
    assert kept == order[len(order) - len(kept) :], "the newest kept, in their order"
    assert set(range(21, 31)) <= set(kept)


@pytest.mark.parametrize("limits", [{"budget": -1}, {"pages": -1}])
def test_a_limit_below_zero_is_refused(limits: dict[str, int]) -> None:
    (name,) = limits
    with pytest.raises(ValueError, match=f"{name} must be 0 or more"):
        TaskPages(**limits)


def test_big_configurations_are_kept_within_the_budget(store: SQLiteStore) -> None:
    big = {"x": ["abcdefgh"] * 1_500}  # about 16 KB of JSON, the most a config may add
    store.insert_tasks([attrs.evolve(_new("d1", n), script_config=big) for n in range(40)])
    pages = TaskPages(budget=100_000)
    for page in (1, 2, 3, 4, 1, 2):
        assert _kept(pages, store, {}, page, 10) == _fresh(store, {}, page, 10)
        _check_bounds(pages)
    assert 0 < len(pages) <= 100_000 // 12_000


def test_with_no_page_remembered_every_page_is_read_whole(store: SQLiteStore) -> None:
    store.insert_tasks([_new("d1", n) for n in range(3)])
    pages = TaskPages(pages=0)
    spy = _spy(store)
    for _ in range(3):
        assert _kept(pages, store, {}, 1, 3) == _fresh(store, {}, 1, 3)
        pages.page(spy, {}, 1, 3)
    assert spy.by_key == [False] * 3


def test_without_orjson_every_page_is_read_whole(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.insert_tasks([_new("d1", n) for n in range(4)])
    expected = json.loads(_fresh(store, {}, 1, 10))
    monkeypatch.setattr(fast_json, "dumps", fast_json._std_dumps)
    monkeypatch.setattr(fast_json, "Fragment", None)
    pages = TaskPages()
    spy = _spy(store)
    for _ in range(2):
        assert json.loads(_kept(pages, store, {}, 1, 10)) == expected
        pages.page(spy, {}, 1, 10)
    assert spy.by_key == [False, False]
    assert len(pages) == 0


def test_a_fourth_version_store_gets_its_revs(tmp_path: Path) -> None:
    path = tmp_path / "v4.sqlite3"
    old_store(path, 4, [PENDING, COMPLETED])
    store = SQLiteStore(path)
    try:
        assert store.schema_version == len(MIGRATIONS)
        assert _revs(store) == {1: 0, 2: 0}
        pages = TaskPages()
        assert _kept(pages, store, {}, 1, 10) == _fresh(store, {}, 1, 10)
        store.update_task(1, when_status=(PENDING,), status=FAILED)
        assert _revs(store)[1] == 1
        assert _kept(pages, store, {}, 1, 10) == _fresh(store, {}, 1, 10)
    finally:
        store.close()


class _Spy(TaskService):
    """A service that records whether each page was asked for by key."""

    by_key: list[bool]

    def task_page(self, *args: Any) -> Any:
        self.by_key.append(args[-1] is not None)
        return super().task_page(*args)


def _spy(store: SQLiteStore) -> _Spy:
    spy = _Spy(store, ManualClock(1_764_000_000.0))
    spy.by_key = []
    return spy


def test_a_page_is_read_whole_the_first_time_and_by_key_after(store: SQLiteStore) -> None:
    """A walk through every page reads each once: whole, as cheap as before anything was kept."""
    store.insert_tasks([_new("d1", n) for n in range(10)])
    pages = TaskPages()
    spy = _spy(store)
    for page in (1, 2, 1, 1, 2):
        pages.page(spy, {"status": PENDING}, page, 5)
    assert spy.by_key == [False, False, True, True, True]
    pages.page(spy, {"status": FAILED}, 1, 5)  # other filters: another page
    pages.page(spy, {"status": PENDING}, 1, 4)  # another size: another page
    assert spy.by_key[-2:] == [False, False]


def test_a_page_that_mostly_changed_is_read_whole_next_time(store: SQLiteStore) -> None:
    store.insert_tasks([_new("d1", n) for n in range(4)])
    pages = TaskPages()
    spy = _spy(store)
    pages.page(spy, {}, 1, 4)
    store.update_task(1, when_status=(PENDING,), status=FAILED)  # one of four: by key still
    pages.page(spy, {}, 1, 4)
    for task_id in (1, 2, 3):
        store.update_task(task_id, when_status=(PENDING, FAILED), status=COMPLETED)
    pages.page(spy, {}, 1, 4)  # three of four changed: whole next time
    pages.page(spy, {}, 1, 4)
    pages.page(spy, {}, 1, 4)
    assert spy.by_key == [False, True, True, False, True]
    assert _kept(pages, store, {}, 1, 4) == _fresh(store, {}, 1, 4)


def test_the_pages_remembered_are_bounded_too(store: SQLiteStore) -> None:
    store.insert_tasks([_new("d1")])
    pages = TaskPages(pages=10)
    service = _service(store)
    for size in range(1, 31):
        pages.page(service, {}, 1, size)
        assert len(pages._read) <= 10
    pages.page(service, {}, 1, 30)
    assert len(pages._read) <= 10


def test_a_page_with_long_filters_is_not_remembered(store: SQLiteStore) -> None:
    """Its filters' text would be kept: a name asked for has no bound of its own."""
    store.insert_tasks([_new("d1")])
    pages = TaskPages()
    spy = _spy(store)
    for _ in range(3):
        pages.page(spy, {"script_name": "x" * 300}, 1, 10)
        pages.page(spy, {"script_name": "follow"}, 1, 10)
    assert spy.by_key == [False, False, False, True, False, True]
    assert len(pages._read) == 1


def test_a_page_is_one_state_of_the_file_whatever_another_process_writes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tasks.sqlite3"
    store = SQLiteStore(path)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        store.insert_tasks([_new("d1", n) for n in range(3)])
        expected: TaskPage[object] = store.list_task_page({}, 0, 10, None)

        def known_while_another_deletes(key: tuple[int, int]) -> object | None:
            other.execute("DELETE FROM tasks WHERE id = ?", (key[0],))  # between the reads
            return None

        found = store.list_task_page({}, 0, 10, known_while_another_deletes)
        assert (found.keys, found.rows, found.total) == (
            expected.keys, expected.rows, expected.total,
        )  # fmt: skip
        assert store.list_tasks({}, 0, 10)[1] == 0, "the deletes were written all the same"
    finally:
        other.close()
        store.close()


def test_every_change_through_the_api_shows_on_a_page_read_again(client: FlaskClient) -> None:
    """Each page read again (by key) holds what each task's own answer holds."""

    def page_is_each_tasks_answer(expected_ids: list[int]) -> None:
        for _ in range(2):  # read whole the first time, by key after
            data = ok(client.get("/api/v1/task?page_size=10"))
            assert [task["id"] for task in data["tasks"]] == expected_ids
            assert data["total"] == len(expected_ids)
            for task in data["tasks"]:
                assert task == ok(client.get(f"/api/v1/task/{task['id']}"))

    target = {"serials": ["device_serial_1"], "script_name": "follow"}
    create(client, **target, script_config={"target_users": ["@a", "@b", "@c"]})
    page_is_each_tasks_answer([3, 2, 1])
    ok(client.post("/api/v1/task/2/stop"))
    page_is_each_tasks_answer([3, 2, 1])
    ok(client.post("/api/v1/task/2/retry"))
    page_is_each_tasks_answer([3, 2, 1])
    ok(client.delete("/api/v1/task/3"))
    page_is_each_tasks_answer([2, 1])
    ok(client.post("/_control/reset", json={}))
    create(client, **target, script_config={"target_users": ["@new"]})  # id 1 again
    page_is_each_tasks_answer([1])
    assert ok(client.get("/api/v1/task"))["tasks"][0]["script_config"]["target_users"] == ["@new"]

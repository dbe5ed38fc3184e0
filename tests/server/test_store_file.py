"""A store is the server's own, held by one server, and still there when it writes (#33, 7-10).

Each test reproduces what got through before: a foreign file written into, a second server
on the same store, writes acknowledged into a deleted store, a full disk as 50001.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from reference_server.domain.sqlite_store import MIGRATIONS, SQLiteStore
from reference_server.domain.store import NewTask
from reference_server.domain.store_file import APPLICATION_ID, StoreError
from tikmatrix_sdk._contract.codes import STORE_UNAVAILABLE, ContractError

from ..children import own_signals
from ..cli_process import free_port, output_of, server_process


def _task() -> NewTask:
    return NewTask(
        serial="s",
        username=None,
        script_name="follow",
        script_config={},
        source="api",
        enable_multi_account=False,
        start_time=None,
        scheduled_at=0.0,
        created_at=0.0,
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _foreign(path: Path, script: str) -> Path:
    db = sqlite3.connect(path)
    db.executescript(script)
    db.commit()
    db.close()
    return path


@pytest.mark.parametrize(
    "script",
    [
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, t TEXT); INSERT INTO notes VALUES (1, 'x');",
        "CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT);",
        "CREATE TABLE tasks (id INTEGER); PRAGMA user_version = 3;",
    ],
)
def test_another_programs_database_is_refused_untouched(tmp_path: Path, script: str) -> None:
    path = _foreign(tmp_path / "theirs.sqlite3", script)
    before = _digest(path)
    with pytest.raises(StoreError, match="not a task store of the reference server"):
        SQLiteStore(path)
    assert _digest(path) == before
    assert not (tmp_path / "theirs.sqlite3-wal").exists()


def test_a_file_that_is_not_sqlite_or_not_a_file_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("these are my notes, not a database\n" * 20, encoding="utf-8")
    before = _digest(text)
    with pytest.raises(StoreError, match="not a SQLite database"):
        SQLiteStore(text)
    assert _digest(text) == before
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(StoreError, match="cannot be opened"):
        SQLiteStore(folder)


def test_a_store_of_a_newer_server_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    with contextlib.closing(SQLiteStore(path)):
        pass
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer reference server"):
        SQLiteStore(path)


def test_a_new_store_and_an_old_one_of_ours_are_marked(tmp_path: Path) -> None:
    new = tmp_path / "new.sqlite3"
    with contextlib.closing(SQLiteStore(new)):
        pass
    old = _foreign(tmp_path / "old.sqlite3", MIGRATIONS[0] + ";PRAGMA user_version = 1;")
    with contextlib.closing(SQLiteStore(old)) as store:
        assert store.schema_version == len(MIGRATIONS)
    for path in (new, old):
        db = sqlite3.connect(path)
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        db.close()


def test_a_store_has_one_server(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    first = SQLiteStore(path)
    try:
        with pytest.raises(StoreError, match="in use by another reference server") as refused:
            SQLiteStore(path)
        assert str(path) + ".lock" in str(refused.value)
    finally:
        first.close()
    with contextlib.closing(SQLiteStore(path)) as second:  # free again once the first is gone
        assert second.insert_tasks([_task()]) == [1]


def test_a_deleted_store_refuses_writes_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "t.sqlite3"
    with contextlib.closing(SQLiteStore(path)) as store:
        assert store.insert_tasks([_task()]) == [1]
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        with caplog.at_level(logging.ERROR), pytest.raises(ContractError) as refused:
            store.insert_tasks([_task()])
        assert refused.value.code == STORE_UNAVAILABLE
        assert refused.value.http_status == 503
        assert "deleted or replaced" in refused.value.message
        assert "deleted or replaced" in caplog.text
        with pytest.raises(ContractError):  # and every write after it
            store.set_setting("plan", "Pro")
    with contextlib.closing(SQLiteStore(path)) as replaced:  # a new store there: the next start
        assert replaced.stats() == {}


def test_a_full_disk_refuses_writes_with_its_own_code_until_space_is_back(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite3"
    with contextlib.closing(SQLiteStore(path)) as store:
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite's own "disk full"
        with pytest.raises(ContractError) as refused:
            _fill(store)
        assert refused.value.code == STORE_UNAVAILABLE
        assert "full" in refused.value.message
        counted = sum(store.stats().values())
        store._db.execute("PRAGMA max_page_count = 1073741823")  # space is back
        assert len(store.insert_tasks([_task()])) == 1
        assert sum(store.stats().values()) == counted + 1


def _fill(store: SQLiteStore) -> None:
    for _ in range(200):
        store.insert_tasks([_task()] * 50)


def _start(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        own_signals([sys.executable, "-m", "reference_server", *argv]),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_second_server_on_a_store_refuses_to_start_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "tasks.sqlite3"
    with server_process(db) as (process, _):
        done = _start("--port", str(free_port()), "--db", str(db))
        assert done.returncode == 2
        assert done.stderr.strip().count("\n") == 0, done.stderr
        assert "in use by another reference server" in done.stderr
        assert f"process {process.pid}" in done.stderr
        assert "Traceback" not in done.stderr + output_of(process)


def test_a_busy_port_or_a_bad_store_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _start("--port", str(port), "--db", str(tmp_path / "t.sqlite3"))
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"tikmatrix-server: port {port} on 127.0.0.1 is taken (by TikMatrix itself, or "
        "another server?): pick another with --port"
    )
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n" * 10, encoding="utf-8")
    done = _start("--port", str(free_port()), "--db", str(notes))
    assert done.returncode == 2
    assert done.stderr.startswith("tikmatrix-server: ")
    assert "not a task store" in done.stderr
    assert done.stderr.strip().count("\n") == 0

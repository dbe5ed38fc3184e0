"""The SQLite task store: one connection, one lock, versioned schema.

A file (WAL mode) by default; ``":memory:"`` keeps everything in the process for tests. Lists
are filtered, ordered and paged by SQL over indexes, never by loading tasks into Python.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import attrs

from .. import fast_json
from .store import AccountRow, DeviceRow, Finish, NewTask, TaskKey, TaskPage, TaskRow
from .store_file import (
    APPLICATION_ID,
    StoreError,
    StoreLock,
    check_ours,
    file_identity,
    parent_ready,
    store_unavailable,
)

__all__ = ["MIGRATIONS", "SQLiteStore", "StoreError"]

log = logging.getLogger(__name__)

_Kept = TypeVar("_Kept")

#: Each entry moves the schema one version up; ``PRAGMA user_version`` records where a file is.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE devices (
        serial TEXT PRIMARY KEY,
        kind TEXT NOT NULL DEFAULT 'simulated'
    );
    CREATE TABLE accounts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        username TEXT NOT NULL UNIQUE,
        device TEXT NOT NULL,
        platform TEXT NOT NULL DEFAULT 'tiktok',
        logined INTEGER NOT NULL DEFAULT 1,
        status INTEGER NOT NULL DEFAULT 0,
        tag TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX accounts_device ON accounts (device, id);
    CREATE TABLE tasks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        serial TEXT,
        username TEXT,
        script_name TEXT NOT NULL,
        script_config TEXT NOT NULL,
        status INTEGER NOT NULL DEFAULT 0,
        source TEXT NOT NULL DEFAULT 'api',
        enable_multi_account INTEGER NOT NULL DEFAULT 0,
        start_time TEXT,
        scheduled_ts REAL NOT NULL,
        retry_count INTEGER NOT NULL DEFAULT 0,
        remark TEXT NOT NULL DEFAULT '',
        created_ts REAL NOT NULL,
        started_ts REAL,
        finished_ts REAL,
        job_index INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX tasks_status ON tasks (status, id);
    CREATE INDEX tasks_serial ON tasks (serial, id);
    CREATE INDEX tasks_script ON tasks (script_name, id);
    CREATE INDEX tasks_source ON tasks (source, id);
    CREATE INDEX tasks_due ON tasks (status, scheduled_ts, id);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: a covering index for the device + status filter, and task counts kept by triggers,
    # so that neither a filtered page's total nor the stats walk the table.
    """
    CREATE INDEX tasks_serial_status ON tasks (serial, status, id);
    CREATE TABLE task_counts (status INTEGER PRIMARY KEY, n INTEGER NOT NULL);
    INSERT INTO task_counts SELECT status, COUNT(*) FROM tasks GROUP BY status;
    CREATE TRIGGER tasks_counted_in AFTER INSERT ON tasks BEGIN
        INSERT INTO task_counts (status, n) VALUES (NEW.status, 1)
            ON CONFLICT (status) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER tasks_counted_out AFTER DELETE ON tasks BEGIN
        UPDATE task_counts SET n = n - 1 WHERE status = OLD.status;
    END;
    CREATE TRIGGER tasks_counted_moved AFTER UPDATE OF status ON tasks
        WHEN OLD.status != NEW.status BEGIN
        UPDATE task_counts SET n = n - 1 WHERE status = OLD.status;
        INSERT INTO task_counts (status, n) VALUES (NEW.status, 1)
            ON CONFLICT (status) DO UPDATE SET n = n + 1;
    END;
    """,
    # 3: the ids alone, in order, for deep pages: skipping 100,000 rows walks these small
    # entries, not the rows (a page's rows are then read by id).
    """
    CREATE INDEX tasks_id ON tasks (id);
    CREATE INDEX accounts_id ON accounts (id);
    """,
    # 4: no query reads (status, scheduled time): each due look-up goes by device
    # (tasks_serial_status), and a status filter by id (tasks_status). Every end and claim
    # moved its entries all the same: with 600,000 tasks a hand-over wrote 37 us a task
    # with it, 29-35 us without.
    """
    DROP INDEX IF EXISTS tasks_due;
    """,
    # 5: each write of a task gives it a revision no task of the file has had: an answer
    # written from a task is kept under (id, rev), good for as long as the row keeps that
    # rev. Revisions are taken from task_revs.last, which only goes up (a reset leaves it):
    # a writer raises it, then writes revisions up to it. The triggers refuse a write that
    # keeps an old revision, or writes one not yet taken, whoever writes.
    """
    ALTER TABLE tasks ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE task_revs (id INTEGER PRIMARY KEY CHECK (id = 1), last INTEGER NOT NULL);
    INSERT INTO task_revs (id, last) VALUES (1, 0);
    CREATE TRIGGER task_revs_rise BEFORE UPDATE ON task_revs WHEN NEW.last < OLD.last BEGIN
        SELECT RAISE(ABORT, 'task_revs.last only goes up');
    END;
    CREATE TRIGGER task_revs_stay BEFORE DELETE ON task_revs BEGIN
        SELECT RAISE(ABORT, 'task_revs.last only goes up');
    END;
    CREATE TRIGGER task_revs_once BEFORE INSERT ON task_revs BEGIN
        SELECT RAISE(ABORT, 'task_revs.last only goes up');
    END;
    CREATE TRIGGER tasks_rev_inserted BEFORE INSERT ON tasks
        WHEN NEW.rev <= 0 OR NEW.rev > (SELECT last FROM task_revs) BEGIN
        SELECT RAISE(ABORT, 'a task is stored with a revision taken from task_revs');
    END;
    CREATE TRIGGER tasks_rev_moved BEFORE UPDATE ON tasks
        WHEN NEW.rev <= OLD.rev OR NEW.rev > (SELECT last FROM task_revs) BEGIN
        SELECT RAISE(ABORT, 'a change of a task gives it a new revision, from task_revs');
    END;
    """,
)

#: The column of each of a row's times.
_COLUMN = {f"{name}_at": f"{name}_ts" for name in ("scheduled", "created", "started", "finished")}
#: A task row's columns, read from the row's own fields (the times under the row's names).
_TASK_COLUMNS = ", ".join(
    f"{_COLUMN[field.name]} AS {field.name}" if field.name in _COLUMN else field.name
    for field in attrs.fields(TaskRow)
)
_QUALIFIED_TASK_COLUMNS = ", ".join(f"tasks.{c.strip()}" for c in _TASK_COLUMNS.split(","))


#: How many hand-overs one set of statements writes: well within the 999 parameters that
#: SQLite before 3.32 allows a statement (five a hand-over at most).
_HAND_OVER_CHUNK = 64


def _marks(count: int) -> str:
    """``?, ?, …``: ``count`` parameters."""
    return ", ".join(["?"] * count)


def _task(row: sqlite3.Row, **changed: Any) -> TaskRow:
    """The stored row as a task; ``changed`` holds values written since it was read."""
    values = dict(row)
    values.update(changed)
    values["script_config"] = fast_json.loads(values["script_config"])
    values["enable_multi_account"] = bool(values["enable_multi_account"])
    return TaskRow(**values)


def _account(row: sqlite3.Row) -> AccountRow:
    values = dict(row)
    values["logined"] = bool(values["logined"])
    return AccountRow(**values)


class SQLiteStore:
    """The server's persistent state in SQLite, safe to share between threads.

    It implements :class:`~reference_server.domain.store.TaskStore`, the interface the service
    uses.
    """

    def __init__(self, path: str | Path = ":memory:") -> None:
        """Open (or make) the store; :class:`~.store_file.StoreError` if it cannot be ours.

        A file store is locked for this server's life, checked to be a store of ours (and
        migrated if it is an older one) before anything is written to it.
        """
        self.path = str(path)
        self._lock = threading.RLock()
        self._file_lock: StoreLock | None = None
        self._identity: tuple[int, int] | None = None
        if self.path != ":memory:":
            parent_ready(self.path)
            self._file_lock = StoreLock(self.path)
            self._file_lock.acquire()
        try:
            self._open()
        except BaseException:
            if self._file_lock is not None:
                self._file_lock.release()
            raise

    def _open(self) -> None:
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as error:
            raise StoreError(f"the task store {self.path} cannot be opened: {error}") from None
        self._db.row_factory = sqlite3.Row
        try:
            new = check_ours(self._db, self.path, len(MIGRATIONS))
            if self.path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            if new:
                self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self._migrate()
            self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        except sqlite3.Error as error:
            self._db.close()
            raise StoreError(f"the task store {self.path} cannot be opened: {error}") from None
        except StoreError:
            self._db.close()
            raise
        if self.path != ":memory:":
            self._identity = file_identity(self.path)

    def _migrate(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in _statements(script):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        with self._lock:
            version: int = self._db.execute("PRAGMA user_version").fetchone()[0]
            return version

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run the block as one transaction: all of it is stored, or none of it.

        A store whose file was deleted or replaced since it was opened, or whose disk is
        full, refuses the write with code 50302 (and says so in the log): nothing is
        acknowledged that the store does not keep.
        """
        with self._lock:
            if self._identity is not None and file_identity(self.path) != self._identity:
                log.error("the task store %s was deleted or replaced: writes refused", self.path)
                raise store_unavailable(
                    self.path, "its file was deleted or replaced while the server ran (restart it)"
                )
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                raise self._unwritable(error) from None
            try:
                yield self._db
            except sqlite3.OperationalError as error:
                self._db.execute("ROLLBACK")
                raise self._unwritable(error) from None
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.OperationalError as error:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise self._unwritable(error) from None

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """Reads that see one state of the file, whatever another process writes meanwhile."""
        with self._lock:
            if self._db.in_transaction:  # pragma: no cover - reads are not made inside writes
                yield
                return
            self._db.execute("BEGIN")
            try:
                yield
            finally:
                self._db.execute("COMMIT")

    def _next_rev(self) -> int:
        """A revision no task of the file has had, for the next statement of a transaction.

        Taken from the file each time (two statements of a microsecond each), not from a
        count of the store's own: whoever else wrote to the file, and whatever a rollback
        undid, the next is above them all.
        """
        self._db.execute("UPDATE task_revs SET last = last + 1")
        rev: int = self._db.execute("SELECT last FROM task_revs").fetchone()[0]
        return rev

    def _unwritable(self, error: sqlite3.OperationalError) -> Exception:
        """A write's failure: 50302 when the disk is full, the error itself otherwise."""
        if getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "full" in str(error):
            log.error("the disk of the task store %s is full: writes refused", self.path)
            return store_unavailable(self.path, "its disk is full (free some space, and retry)")
        return error

    def close(self) -> None:
        """Close the database, and let its lock go."""
        with self._lock:
            self._db.close()
            if self._file_lock is not None:
                self._file_lock.release()

    # -- settings ----------------------------------------------------------------------------

    def get_setting(self, key: str, default: str) -> str:
        """A stored setting, or ``default``."""
        with self._lock:
            row = self._db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def _page(
        self,
        table: str,
        columns: str,
        order: str,
        filters: Mapping[str, Any],
        offset: int,
        limit: int,
    ) -> tuple[list[sqlite3.Row], int]:
        """One page of a table's rows matching ``filters`` (column = value), and the total."""
        where, params = _where(filters)
        with self._lock:
            total = self._total(table, filters, where, params)
            rows = self._db.execute(
                _page_query(table, columns, where, order), [*params, limit, offset]
            ).fetchall()
        return rows, total

    def _total(self, table: str, filters: Mapping[str, Any], where: str, params: list[Any]) -> int:
        """How many rows of ``table`` match ``filters`` (under the lock)."""
        given = {column for column, value in filters.items() if value is not None}
        if table == "tasks" and given == {"status"}:  # the triggers keep this count
            found = self._db.execute(
                "SELECT n FROM task_counts WHERE status = ?", params
            ).fetchone()
            return int(found[0]) if found else 0
        if table == "tasks" and not given:  # and these: no walk of an index
            return int(
                self._db.execute("SELECT COALESCE(SUM(n), 0) FROM task_counts").fetchone()[0]
            )
        return int(self._db.execute(f"SELECT COUNT(*) FROM {table}{where}", params).fetchone()[0])

    # -- devices and accounts ----------------------------------------------------------------

    def add_devices(self, serials: Iterable[str], kind: str = "simulated") -> None:
        """Store devices (existing serials are left as they are)."""
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO devices (serial, kind) VALUES (?, ?)",
                [(serial, kind) for serial in serials],
            )

    def devices(self) -> list[DeviceRow]:
        """Every device, by serial."""
        with self._lock:
            rows = self._db.execute("SELECT serial, kind FROM devices ORDER BY serial").fetchall()
        return [DeviceRow(serial=row["serial"], kind=row["kind"]) for row in rows]

    def add_accounts(self, accounts: Iterable[Mapping[str, Any]]) -> None:
        """Store accounts; a username already stored moves to the new values."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO accounts (username, device, platform, logined, status, tag) "
                "VALUES (:username, :device, :platform, :logined, :status, :tag) "
                "ON CONFLICT (username) DO UPDATE SET device = excluded.device, "
                "platform = excluded.platform, logined = excluded.logined, "
                "status = excluded.status, tag = excluded.tag",
                [
                    {
                        "platform": "tiktok",
                        "logined": True,
                        "status": 0,
                        "tag": "",
                        **account,
                    }
                    for account in accounts
                ],
            )

    def accounts_by_username(self, usernames: Sequence[str]) -> dict[str, AccountRow]:
        """The accounts with these usernames (missing ones are absent)."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT * FROM accounts WHERE username IN ({','.join('?' * len(usernames))})",
                list(usernames),
            ).fetchall()
        return {row["username"]: _account(row) for row in rows}

    def accounts_on(self, serials: Sequence[str]) -> dict[str, list[AccountRow]]:
        """The accounts of each device, in id order."""
        result: dict[str, list[AccountRow]] = {serial: [] for serial in serials}
        with self._lock:
            rows = self._db.execute(
                f"SELECT * FROM accounts WHERE device IN ({','.join('?' * len(serials))}) "
                "ORDER BY id",
                list(serials),
            ).fetchall()
        for row in rows:
            result[row["device"]].append(_account(row))
        return result

    def list_accounts(
        self, filters: Mapping[str, Any], offset: int, limit: int
    ) -> tuple[list[AccountRow], int]:
        """One page of accounts matching ``filters`` (column = value), and the total."""
        rows, total = self._page("accounts", "*", "id", filters, offset, limit)
        return [_account(row) for row in rows], total

    # -- tasks -------------------------------------------------------------------------------

    def insert_tasks(self, tasks: Sequence[NewTask]) -> list[int]:
        """Store tasks in one transaction and return their ids, in order."""
        ids: list[int] = []
        with self.transaction() as db:
            rev = self._next_rev()  # one for them all: each is a new id
            for task in tasks:
                cursor = db.execute(
                    "INSERT INTO tasks (serial, username, script_name, script_config, source, "
                    "enable_multi_account, start_time, scheduled_ts, created_ts, job_index, rev) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        task.serial,
                        task.username,
                        task.script_name,
                        json.dumps(task.script_config),
                        task.source,
                        int(task.enable_multi_account),
                        task.start_time,
                        task.scheduled_at,
                        task.created_at,
                        task.job_index,
                        rev,
                    ),
                )
                ids.append(int(cursor.lastrowid or 0))
        return ids

    def get_task(self, task_id: int) -> TaskRow | None:
        """One task, or ``None``."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id = ?", (task_id,)
            ).fetchone()
        return None if row is None else _task(row)

    def list_tasks(
        self, filters: Mapping[str, Any], offset: int, limit: int
    ) -> tuple[list[TaskRow], int]:
        """One page of tasks matching ``filters``, newest first, and the total."""
        rows, total = self.list_stored_tasks(filters, offset, limit)
        return [_task(row) for row in rows], total

    def list_stored_tasks(
        self, filters: Mapping[str, Any], offset: int, limit: int
    ) -> tuple[list[sqlite3.Row], int]:
        """The page of :meth:`list_tasks` as the rows hold it (columns in TaskRow order)."""
        return self._page("tasks", _TASK_COLUMNS, "id DESC", filters, offset, limit)

    def list_task_page(
        self,
        filters: Mapping[str, Any],
        offset: int,
        limit: int,
        known: Callable[[TaskKey], _Kept | None] | None,
    ) -> TaskPage[_Kept]:
        """The page of :meth:`list_tasks` by key, and the stored rows ``known`` lacks.

        Where a page's answer is kept, its tasks are read as two values each: a row's
        sixteen values cost more to read than orjson takes to write the whole page.
        ``known`` is asked while the store is held, so the keys, what it knew and the rows
        are one state of the store. Without ``known``, every row is read at once.
        """
        where, params = _where(filters)
        with self._snapshot():
            total = self._total("tasks", filters, where, params)
            reader = self._db.cursor()
            reader.row_factory = None  # plain tuples: the keys as they are
            if known is None:
                rows = reader.execute(
                    _page_query("tasks", f"{_TASK_COLUMNS}, rev", where, "id DESC"),
                    [*params, limit, offset],
                ).fetchall()
                keys = [(row[0], row[-1]) for row in rows]
                return TaskPage(keys=keys, known=[None] * len(keys), rows=rows, total=total)
            keys = reader.execute(
                _page_query("tasks", "id, rev", where, "id DESC"), [*params, limit, offset]
            ).fetchall()
            held = [known(key) for key in keys]
            lacking = [key[0] for key, value in zip(keys, held, strict=True) if value is None]
            rows = (
                reader.execute(
                    f"SELECT {_TASK_COLUMNS}, rev FROM tasks WHERE id IN ({_marks(len(lacking))}) "
                    "ORDER BY id DESC",
                    lacking,
                ).fetchall()
                if lacking
                else []
            )
        return TaskPage(keys=keys, known=held, rows=rows, total=total)

    def stats(self) -> dict[int, int]:
        """How many tasks are in each status (kept by triggers: no walk of the table)."""
        with self._lock:
            rows = self._db.execute("SELECT status, n FROM task_counts WHERE n > 0").fetchall()
        return {int(row[0]): int(row[1]) for row in rows}

    def update_task(self, task_id: int, *, when_status: Sequence[int], **values: Any) -> bool:
        """Change a task if its status is one of ``when_status``; whether it changed."""
        assignments = ", ".join(f"{_COLUMN.get(name, name)} = ?" for name in values)
        with self.transaction() as db:
            cursor = db.execute(
                f"UPDATE tasks SET {assignments}, rev = ? WHERE id = ? "
                f"AND status IN ({','.join('?' * len(when_status))})",
                [*values.values(), self._next_rev(), task_id, *when_status],
            )
        return cursor.rowcount == 1

    def retry_failed(self, failed: int, pending: int, scheduled_ts: float) -> list[int]:
        """Put every failed task back in the queue; the ids retried."""
        with self.transaction() as db:
            ids = [
                int(row[0])
                for row in db.execute(
                    "SELECT id FROM tasks WHERE status = ? ORDER BY id", (failed,)
                )
            ]
            db.execute(
                "UPDATE tasks SET status = ?, retry_count = retry_count + 1, remark = '', "
                "started_ts = NULL, finished_ts = NULL, scheduled_ts = MAX(scheduled_ts, ?), "
                "rev = ? WHERE status = ?",
                (pending, scheduled_ts, self._next_rev(), failed),
            )
        return ids

    def delete_tasks(self, task_ids: Sequence[int]) -> list[int]:
        """Delete tasks; the ids that existed."""
        marks = ",".join("?" * len(task_ids))
        with self.transaction() as db:
            found = [
                int(row[0])
                for row in db.execute(f"SELECT id FROM tasks WHERE id IN ({marks})", list(task_ids))
            ]
            db.execute(f"DELETE FROM tasks WHERE id IN ({marks})", list(task_ids))
        return found

    def first_due(self, pending: int, now: float, busy: Collection[str]) -> list[TaskRow]:
        """The first due pending task of each device not in ``busy``, in id order.

        One indexed look-up per device (``tasks_serial_status``), however many tasks wait:
        the scheduler's tick costs the same with a thousand pending tasks or a million.
        """
        skip = list(busy)
        conditions: list[str] = []
        params: list[Any] = [pending, now]
        if skip:
            conditions.append(f"devices.serial NOT IN ({', '.join('?' for _ in skip)})")
            params += skip
        query = (
            f"SELECT {_QUALIFIED_TASK_COLUMNS} FROM devices JOIN tasks ON tasks.id = ("
            "SELECT id FROM tasks INDEXED BY tasks_serial_status "
            "WHERE serial = devices.serial AND status = ? "
            "AND scheduled_ts <= ? ORDER BY id LIMIT 1)"
            + (" WHERE " + " AND ".join(conditions) if conditions else "")
            + " ORDER BY tasks.id"
        )
        with self._lock:
            rows = self._db.execute(query, params).fetchall()
        return [_task(row) for row in rows]

    def claim(self, task_ids: Sequence[int], pending: int, running: int, now: float) -> list[int]:
        """Move the still-pending ones of ``task_ids`` to running in one transaction."""
        marks = ", ".join("?" for _ in task_ids)
        with self.transaction() as db:
            rows = db.execute(
                f"SELECT id FROM tasks WHERE id IN ({marks}) AND status = ?",
                [*task_ids, pending],
            ).fetchall()
            claimed = [int(row[0]) for row in rows]
            if claimed:
                db.execute(
                    f"UPDATE tasks SET status = ?, started_ts = ?, rev = ? "
                    f"WHERE id IN ({', '.join('?' for _ in claimed)})",
                    [running, now, self._next_rev(), *claimed],
                )
        return sorted(claimed)

    def hand_over(
        self, finish: Finish | None, serial: str, pending: int, running: int, now: float
    ) -> tuple[bool, TaskRow | None]:
        """Finish a task and claim its device's next due one, in one transaction.

        A device's next task then starts the moment the last one ends, in the same commit,
        rather than after a look-up and a second commit of its own.
        """
        return self.hand_over_many([(finish, serial)], pending, running, now)[0]

    def hand_over_many(
        self,
        items: Sequence[tuple[Finish | None, str | None]],
        pending: int,
        running: int,
        now: float,
    ) -> list[tuple[bool, TaskRow | None]]:
        """:meth:`hand_over` for each item, all in one transaction (one commit).

        An item without a serial only finishes its task. The items are written a chunk at a
        time, four statements a chunk whatever its size (each statement lets other threads
        in, and a runner's workers are many): which tasks still run, their ends, each
        device's next due task, and the claims. Only a task's first end and a device's
        first claim in ``items`` count, and the ends come before the claims (a runner has
        one hand-over a device at a time, so neither differs from writing them in turn).
        """
        firsts: list[tuple[Finish | None, str | None]] = []
        ending: set[int] = set()
        claiming: set[str] = set()
        for finish, serial in items:  # a later end of a task, or claim of a device, is void
            if finish is not None and finish.task_id in ending:
                finish = None
            elif finish is not None:
                ending.add(finish.task_id)
            if serial in claiming:
                serial = None
            elif serial is not None:
                claiming.add(serial)
            firsts.append((finish, serial))
        results: list[tuple[bool, TaskRow | None]] = []
        with self.transaction() as db:
            for start in range(0, len(firsts), _HAND_OVER_CHUNK):
                chunk = firsts[start : start + _HAND_OVER_CHUNK]
                results += self._hand_over_chunk(db, chunk, pending, running, now)
        return results

    def _hand_over_chunk(
        self,
        db: sqlite3.Connection,
        items: Sequence[tuple[Finish | None, str | None]],
        pending: int,
        running: int,
        now: float,
    ) -> list[tuple[bool, TaskRow | None]]:
        """One chunk of :meth:`hand_over_many`, no task or device twice in it."""
        ends = {finish.task_id: finish for finish, _ in items if finish is not None}
        ended: set[int] = set()
        if ends:
            states = db.execute(
                f"SELECT id, status FROM tasks WHERE id IN ({_marks(len(ends))})", list(ends)
            )
            ending = [
                ends[task_id] for task_id, status in states if status == ends[task_id].running
            ]
            if ending:
                cases = " ".join(["WHEN ? THEN ?"] * len(ending))
                values: list[Any] = []
                for end in ending:
                    values += (end.task_id, end.status)
                for end in ending:
                    values += (end.task_id, end.remark)
                values += (now, self._next_rev())
                values += [end.task_id for end in ending]
                db.execute(
                    f"UPDATE tasks SET status = CASE id {cases} END, "
                    f"remark = CASE id {cases} END, finished_ts = ?, rev = ? "
                    f"WHERE id IN ({_marks(len(ending))})",
                    values,
                )
                ended = {end.task_id for end in ending}
        serials = [serial for _, serial in items if serial is not None]
        claimed: dict[str, sqlite3.Row] = {}
        if serials:
            rows = db.execute(
                f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id IN ("
                "SELECT (SELECT id FROM tasks INDEXED BY tasks_serial_status "
                "WHERE serial = wanted.column1 AND status = ? AND scheduled_ts <= ? "
                "ORDER BY id LIMIT 1) "
                f"FROM (VALUES {', '.join(['(?)'] * len(serials))}) AS wanted)",
                [pending, now, *serials],
            ).fetchall()
            if rows:
                marks = _marks(len(rows))
                db.execute(
                    f"UPDATE tasks SET status = ?, started_ts = ?, rev = ? WHERE id IN ({marks})",
                    [running, now, self._next_rev(), *(row["id"] for row in rows)],
                )
            claimed = {row["serial"]: row for row in rows}
        results: list[tuple[bool, TaskRow | None]] = []
        for finish, serial in items:
            row = claimed.get(serial) if serial is not None else None
            task = None if row is None else _task(row, status=running, started_at=now)
            results.append((finish is not None and finish.task_id in ended, task))
        return results

    def fail_running(self, running: int, failed: int, remark: str, now: float) -> list[int]:
        """Mark every running task failed (after a crash); the ids marked."""
        with self.transaction() as db:
            ids = [
                int(row[0])
                for row in db.execute("SELECT id FROM tasks WHERE status = ?", (running,))
            ]
            db.execute(
                "UPDATE tasks SET status = ?, remark = ?, finished_ts = ?, rev = ? "
                "WHERE status = ?",
                (failed, remark, now, self._next_rev(), running),
            )
        return ids

    def reset(self) -> None:
        """Forget every task, account, device and setting."""
        with self.transaction() as db:
            for table in ("tasks", "accounts", "devices", "settings", "task_counts"):
                db.execute(f"DELETE FROM {table}")
            db.execute("DELETE FROM sqlite_sequence")


def _statements(script: str) -> Iterator[str]:
    """The statements of a script, a trigger's body (with its own semicolons) kept whole."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""


def _page_query(table: str, columns: str, where: str, order: str) -> str:
    """A page of ``table``'s rows; its parameters are ``where``'s, then limit and offset.

    The page's ids come first, skipped to through an index that holds only ids (and the
    filter's columns): a deep page costs a walk of small entries, not of the rows.
    """
    return (
        f"SELECT {columns} FROM {table} WHERE id IN "
        f"(SELECT id FROM {table}{where} ORDER BY {order} LIMIT ? OFFSET ?) ORDER BY {order}"
    )


def _where(filters: Mapping[str, Any]) -> tuple[str, list[Any]]:
    clauses = [f"{column} = ?" for column, value in filters.items() if value is not None]
    params = [value for value in filters.values() if value is not None]
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

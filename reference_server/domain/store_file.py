"""The store's file: whose it is, who holds it, and whether it is still the one opened.

- **Ours.** A store is marked with SQLite's ``application_id`` (:data:`APPLICATION_ID`) and
  versioned with ``user_version``. Any other file (a text file, another program's database,
  one of ours from a newer server) is refused untouched, with one line naming it; an older
  store of ours is migrated.
- **One server.** The server holds a lock on ``<store>.lock`` for its life (the operating
  system releases it when the process ends, however it ends): a second server on the same
  store refuses to start, naming the lock and the process that holds it.
- **Still there.** The file's identity (device and inode) is noted at opening and checked
  before each write: a store deleted or replaced while the server runs refuses every write
  from then on (code 50302) instead of acknowledging tasks that nothing keeps.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from typing import IO

from tikmatrix_sdk._contract.codes import STORE_UNAVAILABLE, ContractError

__all__ = [
    "APPLICATION_ID",
    "StoreError",
    "StoreLock",
    "check_ours",
    "file_identity",
    "parent_ready",
    "store_unavailable",
]

#: The ``application_id`` of a reference server's store ("TKMX").
APPLICATION_ID = 0x544B4D58
#: The tables every store of ours has had since its first version.
_OUR_TABLES = frozenset({"devices", "accounts", "tasks", "settings"})


class StoreError(Exception):
    """The store cannot be opened: not ours, held by another server, unreadable, or full."""


def store_unavailable(path: str, why: str) -> ContractError:
    """The 50302 of a write the store cannot take."""
    return ContractError(
        STORE_UNAVAILABLE, f"the task store {path} cannot be written: {why}; nothing was stored"
    )


def file_identity(path: str) -> tuple[int, int] | None:
    """The file's device and inode, or ``None`` when there is no file at ``path``."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def check_ours(db: sqlite3.Connection, path: str, versions: int) -> bool:
    """Whether the store is new (``True``) or ours (``False``); :class:`StoreError` if not ours.

    ``versions`` is how many schema versions this server knows.
    """
    try:
        application = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {
            row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path} is not a task store (not a SQLite database: {error})") from None
    tables.discard("sqlite_sequence")
    if application == 0 and version == 0 and not tables:
        return True
    ours = application == APPLICATION_ID or (
        application == 0 and version >= 1 and tables >= _OUR_TABLES  # ours, before the mark
    )
    if not ours:
        raise StoreError(
            f"{path} is not a task store of the reference server (another program's SQLite "
            "database); it was left untouched: pick another file with --db"
        )
    if version > versions:
        raise StoreError(
            f"{path} was written by a newer reference server (schema {version}, this one "
            f"knows {versions}); it was left untouched"
        )
    return False


class StoreLock:
    """The lock a server holds on its store for its life (``<store>.lock``)."""

    def __init__(self, store: str) -> None:
        self.path = f"{store}.lock"
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock, or :class:`StoreError` naming the server that holds it."""
        try:
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held for life
        except OSError as error:
            raise StoreError(f"the store's lock {self.path} cannot be opened: {error}") from None
        try:
            _lock(handle)
        except OSError:
            handle.seek(0)
            holder = handle.read(32).strip() or "another process"
            handle.close()
            raise StoreError(
                f"the task store {self.path[: -len('.lock')]} is in use by another reference "
                f"server (process {holder}, lock {self.path}): stop it, or pick another --db"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    def release(self) -> None:
        """Let the lock go (the process's end does it too)."""
        handle, self._file = self._file, None
        if handle is not None:
            handle.close()


if sys.platform == "win32":
    import msvcrt

    def _lock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def parent_ready(path: str) -> None:
    """Make the store's folder, or :class:`StoreError` saying why it cannot be."""
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"the folder of the task store {path} cannot be made: {error}") from None

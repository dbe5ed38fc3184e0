"""Store files as earlier versions of the server left them, for the migrations' tests."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from reference_server.domain.sqlite_store import MIGRATIONS


def old_store(path: Path, version: int, statuses: Sequence[int]) -> None:
    """Write a store at schema ``version`` holding a follow task on ``s`` per status.

    Versions before 5 only: from 5 on a task is stored with a revision.
    """
    assert version < 5, "a store of version 5 or later stores its tasks with revisions"
    db = sqlite3.connect(path)
    for step in MIGRATIONS[:version]:
        db.executescript(step)
    db.execute(f"PRAGMA user_version = {version}")
    db.executemany(
        "INSERT INTO tasks (serial, script_name, script_config, status, scheduled_ts, "
        "created_ts) VALUES ('s', 'follow', '{}', ?, 0, 0)",
        [(status,) for status in statuses],
    )
    db.commit()
    db.close()

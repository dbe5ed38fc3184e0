"""The server's answers as the contract writes them: a stored row into its JSON object.

Requests are parsed by the contract's own functions (``tikmatrix_sdk._contract``), which the
mock calls too; this module holds only what needs the server's rows.
"""

from __future__ import annotations

from typing import Any

import attrs

from ..clock import to_iso
from ..domain.store import AccountRow, TaskRow

__all__ = ["account_json", "task_json"]


def task_json(task: TaskRow) -> dict[str, Any]:
    """A task as the contract writes it."""
    return {
        "id": task.id,
        "serial": task.serial,
        "username": task.username,
        "script_name": task.script_name,
        "script_config": task.script_config,
        "status": task.status,
        "source": task.source,
        "enable_multi_account": task.enable_multi_account,
        "start_time": task.start_time,
        "scheduled_at": to_iso(task.scheduled_ts),
        "retry_count": task.retry_count,
        "remark": task.remark,
        "created_at": to_iso(task.created_ts),
        "started_at": to_iso(task.started_ts),
        "finished_at": to_iso(task.finished_ts),
    }


def account_json(account: AccountRow) -> dict[str, Any]:
    """An account as the API writes it."""
    return attrs.asdict(account)

"""The server's answers as the contract writes them: a stored row into its JSON object.

Requests are parsed by the contract's own functions (``tikmatrix_sdk._contract``), which the
mock calls too; this module holds only what needs the server's rows.
"""

from __future__ import annotations

from typing import Any

from tikmatrix_sdk._contract import shapes
from tikmatrix_sdk._contract.shapes import write

from ..clock import to_iso
from ..domain.store import AccountRow, TaskRow

__all__ = ["account_json", "task_json"]


def task_json(task: TaskRow) -> dict[str, Any]:
    """A task as the contract writes it: its shape's fields, the stored times in ISO 8601."""
    return write(shapes.Task, task, time=to_iso)


def account_json(account: AccountRow) -> dict[str, Any]:
    """An account as the contract writes it."""
    return write(shapes.Account, account)

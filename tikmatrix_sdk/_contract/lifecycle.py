"""A task's statuses, and which transitions a request may ask for.

::

    pending (0) -> running (1) -> completed (2) | failed (3)
    pending | running --stop--> failed, "stopped by user"
    failed --retry--> pending, retry_count + 1
"""

from __future__ import annotations

from .codes import NOT_FOUND, ContractError, bad_request

__all__ = [
    "COMPLETED",
    "FAILED",
    "INTERRUPTED_REMARK",
    "PENDING",
    "RUNNING",
    "STATUSES",
    "STATUS_NAMES",
    "STOPPED_REMARK",
    "check_retryable",
    "check_stoppable",
    "task_not_found",
]

PENDING, RUNNING, COMPLETED, FAILED = 0, 1, 2, 3
#: Every status, in order.
STATUSES = (PENDING, RUNNING, COMPLETED, FAILED)
#: Each status's name, as the stats name its count.
STATUS_NAMES = {PENDING: "pending", RUNNING: "running", COMPLETED: "completed", FAILED: "failed"}
#: The remark of a task a user stopped (or deleted while it ran).
STOPPED_REMARK = "stopped by user"
#: The remark of a task that was running when the server stopped.
INTERRUPTED_REMARK = "interrupted"


def task_not_found(task_id: int | str) -> ContractError:
    """The 40401 of a task id no task has."""
    return ContractError(NOT_FOUND, f"task {task_id} not found")


def check_stoppable(task_id: int, status: int) -> None:
    """Only a pending or running task may be stopped (40001 otherwise)."""
    if status not in (PENDING, RUNNING):
        raise bad_request(f"task {task_id} is not pending or running and cannot be stopped")


def check_retryable(task_id: int, status: int) -> None:
    """Only a failed task may be retried (40001 otherwise)."""
    if status != FAILED:
        raise bad_request(f"task {task_id} has not failed and cannot be retried")

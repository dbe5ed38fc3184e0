"""``client.tasks``: create, list, inspect, stop, retry and delete tasks."""

from __future__ import annotations

import time as _time
from collections.abc import Iterable, Mapping, Sequence
from datetime import time
from typing import Any

from .. import _endpoints
from .._effects import Program, Sleep, Stream
from .._endpoint import Endpoint
from .._params import check_int
from .._resource import M, operation, stream
from ..errors import ClientValidationError, WaitTimeoutError
from ..models import (
    CreatedTasks,
    DeletedTasks,
    RetriedTasks,
    Task,
    TaskPage,
    TaskSource,
    TaskStats,
    TaskStatus,
)
from ..scripts import ScriptConfig
from ._base import ApiResource

__all__ = ["Tasks"]

#: The clock ``wait`` measures its timeout with (a seam for tests).
_monotonic = _time.monotonic


def _positive_seconds(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ClientValidationError(
            f"{name} must be a positive number of seconds, got {value!r}", field=name
        )
    return float(value)


class Tasks(ApiResource[M]):
    """The task queue: every task endpoint, plus lazy pagination and waiting."""

    @operation
    def create(
        self,
        config: ScriptConfig | None = None,
        *,
        serials: Sequence[str] | None = None,
        usernames: Sequence[str] | None = None,
        script_name: str | None = None,
        script_config: Mapping[str, Any] | None = None,
        enable_multi_account: bool | None = None,
        start_time: str | time | None = None,
        min_interval: int | None = None,
        max_interval: int | None = None,
    ) -> Program[CreatedTasks]:
        """Create tasks for devices (``serials=``) or accounts (``usernames=``).

        Give the script as a typed config (``PostConfig(...)``, ``FollowConfig(...)`` …) or,
        for a script this SDK does not know, as ``script_name=`` with a ``script_config=``
        mapping. The server makes one task per device (per account with
        ``enable_multi_account``), per target user for follow/unfollow and per post URL for
        comment; all are created or none.

        ``start_time`` (``"HH:MM"`` or :class:`datetime.time`) delays the start to its next
        occurrence; ``min_interval``/``max_interval`` (minutes) space the tasks on a device.
        This request is never sent twice: if its answer is lost, the error says so and the
        caller decides (list the tasks to see what was created).
        """
        endpoint = _endpoints.create_task(
            config, serials=serials, usernames=usernames, script_name=script_name,
            script_config=script_config, enable_multi_account=enable_multi_account,
            start_time=start_time, min_interval=min_interval, max_interval=max_interval,
        )  # fmt: skip
        return (yield from self._call(endpoint))

    @operation
    def list(
        self,
        *,
        status: TaskStatus | int | None = None,
        serial: str | None = None,
        script_name: str | None = None,
        source: TaskSource | str | None = None,
        page: int | None = None,
        page_size: int | None = None,
    ) -> Program[TaskPage]:
        """Return one page of tasks, newest first (``page_size`` at most 100)."""
        endpoint = _endpoints.list_tasks(
            status=status, serial=serial, script_name=script_name, source=source,
            page=page, page_size=page_size,
        )  # fmt: skip
        return (yield from self._call(endpoint))

    @stream
    def iter(
        self,
        *,
        status: TaskStatus | int | None = None,
        serial: str | None = None,
        script_name: str | None = None,
        source: TaskSource | str | None = None,
        page_size: int = _endpoints.MAX_PAGE_SIZE,
    ) -> Stream[Task]:
        """Yield every matching task, newest first, fetching pages only as the loop needs them.

        A task is never yielded twice, even when tasks are created while the loop runs.
        """

        def page(number: int) -> Endpoint[TaskPage]:
            return _endpoints.list_tasks(
                status=status, serial=serial, script_name=script_name, source=source,
                page=number, page_size=page_size,
            )  # fmt: skip

        yield from self._paginate(page, lambda p: p.tasks, lambda t: t.id)

    @operation
    def get(self, task_id: int) -> Program[Task]:
        """Return one task; :class:`~tikmatrix_sdk.NotFoundError` if it does not exist."""
        return (yield from self._call(_endpoints.get_task(task_id)))

    @operation
    def delete(self, task_id: int) -> Program[DeletedTasks]:
        """Delete a task, stopping it first if it is running."""
        return (yield from self._call(_endpoints.delete_task(task_id)))

    @operation
    def delete_many(self, task_ids: Iterable[int]) -> Program[DeletedTasks]:
        """Delete several tasks; ids that do not exist are reported in ``not_found_ids``."""
        return (yield from self._call(_endpoints.delete_tasks(task_ids)))

    @operation
    def stop(self, task_id: int) -> Program[Task]:
        """Stop a pending or running task; it becomes failed with remark "stopped by user"."""
        return (yield from self._call(_endpoints.stop_task(task_id)))

    @operation
    def retry(self, task_id: int) -> Program[Task]:
        """Put a failed task back in the queue (its ``retry_count`` goes up by one)."""
        return (yield from self._call(_endpoints.retry_task(task_id)))

    @operation
    def retry_all(self) -> Program[RetriedTasks]:
        """Put every failed task back in the queue."""
        return (yield from self._call(_endpoints.retry_all_tasks()))

    @operation
    def stats(self) -> Program[TaskStats]:
        """Return how many tasks there are in each status."""
        return (yield from self._call(_endpoints.task_stats()))

    @operation
    def wait(self, task_id: int, *, timeout: float = 300.0, poll_interval: float = 2.0) -> Program[Task]:
        """Poll a task until it is completed or failed, and return it.

        Raises :class:`~tikmatrix_sdk.WaitTimeoutError` (a :class:`TimeoutError`) carrying the
        last state seen when ``timeout`` seconds pass first. A failed task is returned, not
        raised: check ``task.status``.
        """
        check_int("task_id", task_id, minimum=1)
        timeout = _positive_seconds("timeout", timeout)
        poll_interval = _positive_seconds("poll_interval", poll_interval)
        deadline = _monotonic() + timeout
        while True:
            task = yield from self._call(_endpoints.get_task(task_id))
            if task.is_finished:
                return task
            remaining = deadline - _monotonic()
            if remaining <= 0:
                raise WaitTimeoutError(task_id, timeout, task)
            yield Sleep(min(poll_interval, remaining))

"""``client.tasks``: create, list, inspect, stop, retry and delete tasks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import time
from typing import TYPE_CHECKING, Any, Unpack

from .._binders import operation, paged, stream
from .._deprecation import warn_deprecated
from .._effects import Now, Program, Sleep, Stream
from .._endpoint import Endpoint
from .._filters import MAX_PAGE_SIZE, TaskFilters, TaskListArgs, filter_query
from .._lazy import lazy_module
from .._params import (
    check_bool,
    check_id,
    check_ids,
    check_int,
    check_start_time,
    check_strings,
    script_fields,
)
from .._polling import delays
from .._request_options import RequestExtras, RequestOptions
from .._resource import M, Raw, Resource
from .._types import SequenceNotStr
from ..errors import ClientValidationError, WaitTimeoutError

if TYPE_CHECKING:
    from .. import models
    from ..models import CreatedTasks, DeletedTasks, RetriedTasks, Task, TaskPage, TaskStats
    from ..scripts import ScriptConfig
else:  # the models load with the first answer, not with the import
    models = lazy_module("tikmatrix_sdk.models")

__all__ = ["Tasks"]


#: The least time a wait's last look may take, however little of the wait is left.
_LAST_LOOK = 0.5


def _id(task_id: int) -> int:
    return check_id("task_id", task_id)


def _finished(task: Task | None) -> bool:
    return task is not None and task.is_finished


def _positive_seconds(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ClientValidationError(
            f"{name} must be a positive number of seconds, got {value!r}", field=name
        )
    return float(value)


class Tasks(Resource[M]):
    """The task queue: every task endpoint, plus lazy pagination and waiting."""

    @property
    def with_raw_response(self) -> Tasks[Raw[M]]:
        """These methods, each returning a :class:`~tikmatrix_sdk.RawResponse`.

        It holds the status, headers and timing; its ``parse()`` gives the usual result.
        """
        return self._raw_view()  # type: ignore[no-any-return]

    @operation
    def create(
        self,
        config: ScriptConfig | None = None,
        *,
        serials: SequenceNotStr[str] | None = None,
        usernames: SequenceNotStr[str] | None = None,
        script_name: str | None = None,
        script_config: Mapping[str, Any] | None = None,
        enable_multi_account: bool | None = None,
        start_time: str | time | None = None,
        min_interval: int | None = None,
        max_interval: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> Program[CreatedTasks]:
        """Create tasks for devices (``serials=``) or accounts (``usernames=``).

        Give the script as a typed config (``PostConfig(...)``, ``FollowConfig(...)`` …) or,
        for a script this SDK does not know, as ``script_name=`` with a ``script_config=``
        mapping. The server makes one task per device (per account with
        ``enable_multi_account``), per target user for follow/unfollow and per post URL for
        comment; all are created or none.

        ``start_time`` (``"HH:MM"`` or :class:`datetime.time`) delays the start to its next
        occurrence; ``min_interval``/``max_interval`` (minutes, deprecated: TikMatrix has
        dropped them from its documentation) space the tasks on a device.
        Everything is checked before sending, and this request is never sent twice: if its
        answer is lost (:class:`~tikmatrix_sdk.APITimeoutError` or a broken connection), the
        tasks may exist; list them by serial and script to see what was created.
        """
        if (serials is None) == (usernames is None):
            raise ClientValidationError(
                "pass exactly one of serials= (device mode) or usernames= (account mode)",
                field="serials",
            )
        body: dict[str, Any] = (
            {"serials": check_strings("serials", serials)}
            if usernames is None
            else {"usernames": check_strings("usernames", usernames)}
        )
        body.update(script_fields(config, script_name, script_config))
        if enable_multi_account is not None:
            body["enable_multi_account"] = check_bool("enable_multi_account", enable_multi_account)
        if start_time is not None:
            body["start_time"] = check_start_time(start_time)
        if min_interval is not None:
            body["min_interval"] = check_int("min_interval", min_interval, minimum=0)
        if max_interval is not None:
            body["max_interval"] = check_int("max_interval", max_interval, minimum=0)
        if min_interval is not None and max_interval is not None and min_interval > max_interval:
            raise ClientValidationError(
                f"min_interval ({min_interval}) must not exceed max_interval ({max_interval})",
                field="min_interval",
            )
        if min_interval is not None or max_interval is not None:
            warn_deprecated(
                "min_interval and max_interval are no longer in TikMatrix's documentation; "
                "they are still sent, but TikMatrix may ignore them"
            )
        return (yield from self._call(Endpoint.of("create_task", models.CreatedTasks, body=body)))

    @paged
    def list(
        self,
        *,
        page: int | None = None,
        page_size: int | None = None,
        **filters: Unpack[TaskListArgs],
    ) -> Program[TaskPage]:
        """Return one page of tasks, newest first (``page_size`` at most 100).

        Filters: ``status`` (0 to 3, or :class:`~tikmatrix_sdk.TaskStatus`), ``serial``,
        ``script_name`` and ``source`` (``"ui"`` or ``"api"``).
        """
        params = filter_query(TaskFilters, filters, page, page_size)
        return (yield from self._call(Endpoint.of("list_tasks", models.TaskPage, params=params)))

    @stream
    def iter(
        self, *, page_size: int = MAX_PAGE_SIZE, **filters: Unpack[TaskListArgs]
    ) -> Stream[Task]:
        """Yield every matching task, newest first, fetching pages only as the loop needs them.

        Takes the filters of :meth:`list`. A task is never yielded twice, even when tasks are
        created while the loop runs.
        """

        def page(number: int) -> Endpoint[TaskPage]:
            params = filter_query(TaskFilters, filters, number, page_size)
            return Endpoint.of("list_tasks", models.TaskPage, params=params)

        yield from self._paginate(page)

    @operation
    def get(self, task_id: int, **options: Unpack[RequestOptions]) -> Program[Task]:
        """Return one task; :class:`~tikmatrix_sdk.NotFoundError` if it does not exist."""
        return (yield from self._call(Endpoint.of("get_task", models.Task, task_id=_id(task_id))))

    @operation
    def delete(self, task_id: int, **options: Unpack[RequestOptions]) -> Program[DeletedTasks]:
        """Delete a task, stopping it first if it is running."""
        return (
            yield from self._call(
                Endpoint.of("delete_task", models.DeletedTasks, task_id=_id(task_id))
            )
        )

    @operation
    def delete_many(
        self, task_ids: Iterable[int], **options: Unpack[RequestOptions]
    ) -> Program[DeletedTasks]:
        """Delete several tasks; ids that do not exist are reported in ``not_found_ids``."""
        body = {"task_ids": check_ids("task_ids", task_ids)}
        return (yield from self._call(Endpoint.of("delete_batch", models.DeletedTasks, body=body)))

    @operation
    def stop(self, task_id: int, **options: Unpack[RequestOptions]) -> Program[Task]:
        """Stop a pending or running task; it becomes failed with remark "stopped by user"."""
        return (yield from self._call(Endpoint.of("stop_task", models.Task, task_id=_id(task_id))))

    @operation
    def retry(self, task_id: int, **options: Unpack[RequestOptions]) -> Program[Task]:
        """Put a failed task back in the queue (its ``retry_count`` goes up by one)."""
        return (yield from self._call(Endpoint.of("retry_task", models.Task, task_id=_id(task_id))))

    @operation
    def retry_all(self, **options: Unpack[RequestOptions]) -> Program[RetriedTasks]:
        """Put every failed task back in the queue."""
        return (yield from self._call(Endpoint.of("retry_all", models.RetriedTasks)))

    @operation
    def stats(self, **options: Unpack[RequestOptions]) -> Program[TaskStats]:
        """Return how many tasks there are in each status."""
        return (yield from self._call(Endpoint.of("task_stats", models.TaskStats)))

    @operation
    def wait_all(
        self,
        task_ids: Iterable[int],
        *,
        timeout: float = 300.0,
        poll_interval: float = 2.0,
        on_update: Callable[[Task], object] | None = None,
        **options: Unpack[RequestExtras],
    ) -> Program[tuple[Task, ...]]:
        """Poll many tasks until every one is completed or failed; return them in the given order.

        Each poll walks the task listing (newest first, 100 a page) only as far as the oldest
        task still awaited, so waiting for a thousand tasks costs a few requests a poll, not a
        thousand. Polls start 20 ms apart and back off to ``poll_interval`` (as :meth:`wait`'s
        do). ``on_update`` is called with a task whenever its status is first seen or
        changes. When ``timeout`` seconds pass first, :class:`~tikmatrix_sdk.WaitTimeoutError`
        names every unfinished task and carries their last states (``unfinished``). A task that
        no longer exists raises :class:`~tikmatrix_sdk.NotFoundError`.
        """
        ids = list(dict.fromkeys(check_ids("task_ids", task_ids)))
        timeout = _positive_seconds("timeout", timeout)
        poll_interval = _positive_seconds("poll_interval", poll_interval)
        deadline = (yield Now()) + timeout
        pauses = delays(poll_interval)
        latest: dict[int, Task] = {}
        while True:
            awaited = {task_id for task_id in ids if not _finished(latest.get(task_id))}
            left = max(deadline - (yield Now()), _LAST_LOOK)  # the wait's timeout is the whole
            seen = yield from self._poll(awaited, left)
            missing = awaited - set(seen)
            for task_id in sorted(missing):  # gone from the listing: a GET says why
                left = max(deadline - (yield Now()), _LAST_LOOK)
                seen[task_id] = yield from self._call(
                    Endpoint.of("get_task", models.Task, task_id=_id(task_id), within=left)
                )
            for task_id in (i for i in ids if i in seen):  # in the caller's order
                task, before = seen[task_id], latest.get(task_id)
                latest[task_id] = task
                if on_update is not None and (before is None or before.status != task.status):
                    on_update(task)
            unfinished = {i: latest[i] for i in ids if not latest[i].is_finished}
            if not unfinished:
                return tuple(latest[task_id] for task_id in ids)
            remaining = deadline - (yield Now())
            if remaining <= 0:
                first = next(iter(unfinished))
                raise WaitTimeoutError(first, timeout, unfinished[first], unfinished=unfinished)
            yield Sleep(min(next(pauses), remaining))

    def _poll(self, awaited: set[int], within: float) -> Program[dict[int, Task]]:
        """One walk of the listing, newest first, down to the oldest awaited task."""
        found: dict[int, Task] = {}
        oldest = min(awaited)
        page_number = 1
        while True:
            params = filter_query(TaskFilters, {}, page_number, MAX_PAGE_SIZE)
            listing = Endpoint.of("list_tasks", models.TaskPage, params=params, within=within)
            page = yield from self._call(listing)
            found.update({task.id: task for task in page.tasks if task.id in awaited})
            if len(found) == len(awaited) or not page.has_next:
                return found
            if page.tasks and min(task.id for task in page.tasks) <= oldest:
                return found
            page_number += 1

    @operation
    def wait(
        self,
        task_id: int,
        *,
        timeout: float = 300.0,
        poll_interval: float = 2.0,
        **options: Unpack[RequestExtras],
    ) -> Program[Task]:
        """Poll a task until it is completed or failed, and return it.

        It looks again after 20 ms, then after twice as long each time, up to every
        ``poll_interval`` seconds: a quick task is seen finished at once, a long one costs a
        look every ``poll_interval``. Raises :class:`~tikmatrix_sdk.WaitTimeoutError` (a
        :class:`TimeoutError`) carrying the last state seen when ``timeout`` seconds pass
        first. A failed task is returned, not raised: check ``task.status``.
        """
        checked = _id(task_id)
        timeout = _positive_seconds("timeout", timeout)
        poll_interval = _positive_seconds("poll_interval", poll_interval)
        deadline = (yield Now()) + timeout
        pauses = delays(poll_interval)
        while True:
            # Each look, retries included, ends by the wait's own deadline: the wait's
            # timeout is the whole wait's, however slowly a host answers.
            left = max(deadline - (yield Now()), _LAST_LOOK)
            get = Endpoint.of("get_task", models.Task, task_id=checked, within=left)
            task = yield from self._call(get)
            if task.is_finished:
                return task
            remaining = deadline - (yield Now())
            if remaining <= 0:
                raise WaitTimeoutError(task_id, timeout, task)
            yield Sleep(min(next(pauses), remaining))

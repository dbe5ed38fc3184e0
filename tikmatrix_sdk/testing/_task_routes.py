"""The mock's answers to the task API: tasks, stats, the license and the accounts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from .._contract import shapes
from .._contract.codes import (
    NOT_FOUND,
)
from .._contract.lifecycle import (
    FAILED,
    PENDING,
    STATUS_NAMES,
    STOPPED_REMARK,
    check_retryable,
    check_stoppable,
)
from .._contract.plans import PLANS
from .._contract.tasks import (
    account_filters,
    page_args,
    parse_create,
    parse_task_ids,
    plan_targets,
    task_filters,
)
from ._state import MockState, _Directory
from ._wire import envelope as _envelope
from ._wire import now as _now

__all__ = ["TaskRoutes"]


class TaskRoutes(MockState):
    """The task API, one method per route of the contract (``_`` and the route's name)."""

    def _create_task(self, request: httpx.Request, body: Any) -> httpx.Response:
        checked = parse_create(body)
        targets = plan_targets(checked, PLANS[self.plan], _Directory(self))
        now = datetime.now(UTC).replace(microsecond=0)
        ids = []
        for serial, username in targets:
            for config in checked.task_configs:
                task_id = next(self._ids)
                self.tasks[task_id] = shapes.Task(
                    id=task_id,
                    status=shapes.TaskStatus.PENDING,
                    serial=serial,
                    username=username,
                    script_name=checked.script_name,
                    script_config=config,
                    source=shapes.TaskSource.API,
                    enable_multi_account=checked.enable_multi_account,
                    start_time=checked.start_time,
                    scheduled_at=now,
                    created_at=now,
                ).to_dict()
                ids.append(task_id)
        return _envelope({"task_ids": ids, "created_count": len(ids)})

    def _list_tasks(self, request: httpx.Request, body: Any) -> httpx.Response:
        page, size = page_args(request.url.params)
        filters = {k: v for k, v in task_filters(request.url.params).items() if v is not None}
        found = [self._task_json(i) for i in sorted(self.tasks, reverse=True)]
        found = [t for t in found if all(t[name] == value for name, value in filters.items())]
        items = found[(page - 1) * size : page * size]
        return _envelope({"tasks": items, "total": len(found), "page": page, "page_size": size})

    def _of_task(self, rule: Callable[[Mapping[str, Any]], Any]) -> Callable[..., httpx.Response]:
        """The answer of a route that a contract rule draws from one task."""

        def answer(request: httpx.Request, body: Any, task_id: str) -> httpx.Response:
            return _envelope(rule(self._task_json(self._task(task_id)["id"])))

        return answer

    def _get_task(self, request: httpx.Request, body: Any, task_id: str) -> httpx.Response:
        return _envelope(self._task_json(self._task(task_id)["id"]))

    def _stop_task(self, request: httpx.Request, body: Any, task_id: str) -> httpx.Response:
        task = self._task(task_id)
        check_stoppable(task["id"], task["status"])
        task.update(status=FAILED, remark=STOPPED_REMARK, finished_at=_now())
        return _envelope(dict(task))

    def _retry_task(self, request: httpx.Request, body: Any, task_id: str) -> httpx.Response:
        task = self._task(task_id)
        check_retryable(task["id"], task["status"])
        task.update(status=PENDING, retry_count=task["retry_count"] + 1, remark="")
        task.update(started_at=None, finished_at=None)
        return _envelope(dict(task))

    def _retry_all(self, request: httpx.Request, body: Any) -> httpx.Response:
        ids = [i for i, t in self.tasks.items() if t["status"] == FAILED]
        for task_id in ids:
            self._retry_task(request, None, str(task_id))
        return _envelope({"retried_count": len(ids), "task_ids": ids})

    def _delete_task(self, request: httpx.Request, body: Any, task_id: str) -> httpx.Response:
        task = self.tasks.pop(self._task(task_id)["id"])
        return _envelope({"deleted_count": 1, "task_ids": [task["id"]]})

    def _delete_batch(self, request: httpx.Request, body: Any) -> httpx.Response:
        ids = list(dict.fromkeys(parse_task_ids(body)))
        deleted = [i for i in ids if self.tasks.pop(i, None) is not None]
        missing = [i for i in ids if i not in deleted]
        return _envelope(
            {"deleted_count": len(deleted), "task_ids": deleted, "not_found_ids": missing}
        )

    def _task_stats(self, request: httpx.Request, body: Any) -> httpx.Response:
        statuses = [self._task_json(i)["status"] for i in list(self.tasks)]
        counts = {name: statuses.count(status) for status, name in STATUS_NAMES.items()}
        return _envelope({"total": len(statuses), **counts})

    def _license_check(self, request: httpx.Request, body: Any) -> httpx.Response:
        return _envelope(PLANS[self.plan].to_json())

    def _list_accounts(self, request: httpx.Request, body: Any) -> httpx.Response:
        page, size = page_args(request.url.params)
        filters = account_filters(request.url.params)
        found = [
            account
            for account in self.accounts
            if all(
                value is None or account[name] == value
                for name, value in filters.items()
                if name != "logined"
            )
            and (filters["logined"] is None or int(account["logined"]) == filters["logined"])
        ]
        return _envelope(
            {
                "accounts": found[(page - 1) * size : page * size],
                "total": len(found),
                "page": page,
                "page_size": size,
            }
        )

    def _openapi(self, request: httpx.Request, body: Any) -> httpx.Response:
        return _envelope(None, NOT_FOUND, "the mock serves no OpenAPI document", 404)

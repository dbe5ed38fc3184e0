"""Every endpoint of the API, defined once: its request, its checks and its result model.

These functions do no I/O. The resources (``client.tasks`` …) hand what they return to
:func:`tikmatrix_sdk._endpoint.call`, which both clients run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import time
from typing import Any, TypeVar

from ._converter import converter
from ._endpoint import Endpoint
from ._params import check_id, check_ids, check_int, check_start_time, check_strings, query
from .errors import ClientValidationError
from .models import (
    AccountPage,
    CreatedTasks,
    DeletedTasks,
    License,
    RetriedTasks,
    Task,
    TaskPage,
    TaskSource,
    TaskStats,
    TaskStatus,
)
from .scripts import ScriptConfig

__all__ = [
    "MAX_PAGE_SIZE",
    "check_license",
    "create_task",
    "delete_task",
    "delete_tasks",
    "get_task",
    "list_accounts",
    "list_tasks",
    "retry_all_tasks",
    "retry_task",
    "stop_task",
    "task_stats",
]

T = TypeVar("T")

#: The largest page the API serves.
MAX_PAGE_SIZE = 100


def _model(cls: type[T]) -> Callable[[Any], T]:
    hook = converter.get_structure_hook(cls)

    def parse(data: Any) -> T:
        result: T = hook(data, cls)
        return result

    return parse


_task = _model(Task)
_task_page = _model(TaskPage)
_created = _model(CreatedTasks)
_deleted = _model(DeletedTasks)
_retried = _model(RetriedTasks)
_stats = _model(TaskStats)
_license = _model(License)
_account_page = _model(AccountPage)


def _script(
    config: ScriptConfig | None, script_name: str | None, script_config: Mapping[str, Any] | None
) -> tuple[str, dict[str, Any]]:
    if config is not None:
        if script_name is not None or script_config is not None:
            raise ClientValidationError(
                "pass either a typed script config or script_name/script_config, not both",
                field="script_name" if script_name is not None else "script_config",
            )
        if not isinstance(config, ScriptConfig):
            raise ClientValidationError(
                f"config must be a script config such as PostConfig, got {type(config).__name__}; "
                "for other scripts pass script_name= and script_config=",
                field="config",
            )
        return config.script_name, config.to_dict()
    if script_name is None:
        raise ClientValidationError(
            "a script is required: pass a config such as PostConfig(...), "
            "or script_name= with script_config=",
            field="script_name",
        )
    if not isinstance(script_name, str) or not script_name.strip():
        raise ClientValidationError(
            f"script_name must be a non-empty string, got {script_name!r}", field="script_name"
        )
    if script_config is None:
        script_config = {}
    if not isinstance(script_config, Mapping):
        raise ClientValidationError(
            f"script_config must be a mapping, got {type(script_config).__name__}",
            field="script_config",
        )
    return script_name, dict(script_config)


def create_task(
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
) -> Endpoint[CreatedTasks]:
    """``POST /task``: checked fully before it is built, so nothing half-valid is sent."""
    if (serials is None) == (usernames is None):
        raise ClientValidationError(
            "pass exactly one of serials= (device mode) or usernames= (account mode)",
            field="serials",
        )
    name, script_body = _script(config, script_name, script_config)
    body: dict[str, Any] = {}
    if serials is not None:
        body["serials"] = check_strings("serials", serials)
    else:
        body["usernames"] = check_strings("usernames", usernames)
    body["script_name"] = name
    body["script_config"] = script_body
    if enable_multi_account is not None:
        if not isinstance(enable_multi_account, bool):
            raise ClientValidationError(
                f"enable_multi_account must be a bool, got {enable_multi_account!r}",
                field="enable_multi_account",
            )
        body["enable_multi_account"] = enable_multi_account
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
    return Endpoint(method="POST", path="/task", body=body, parse=_created)


def _page_params(page: int | None, page_size: int | None) -> dict[str, int | None]:
    return {
        "page": None if page is None else check_int("page", page, minimum=1),
        "page_size": None
        if page_size is None
        else check_int("page_size", page_size, minimum=1, maximum=MAX_PAGE_SIZE),
    }


def _optional_text(name: str, value: Any) -> Any:
    if value is not None and not isinstance(value, str):
        raise ClientValidationError(f"{name} must be a string, got {value!r}", field=name)
    return value


def list_tasks(
    *,
    status: TaskStatus | int | None = None,
    serial: str | None = None,
    script_name: str | None = None,
    source: TaskSource | str | None = None,
    page: int | None = None,
    page_size: int | None = None,
) -> Endpoint[TaskPage]:
    """``GET /task``: one page of tasks, newest first, filtered."""
    params = query(
        status=None if status is None else check_int("status", status, minimum=0),
        serial=_optional_text("serial", serial),
        script_name=_optional_text("script_name", script_name),
        source=None if source is None else _optional_text("source", str(source)),
        **_page_params(page, page_size),
    )
    return Endpoint(method="GET", path="/task", params=params, parse=_task_page)


def get_task(task_id: int) -> Endpoint[Task]:
    """``GET /task/{id}``."""
    return Endpoint(method="GET", path=f"/task/{check_id('task_id', task_id)}", parse=_task)


def delete_task(task_id: int) -> Endpoint[DeletedTasks]:
    """``DELETE /task/{id}``: a running task is stopped first."""
    return Endpoint(method="DELETE", path=f"/task/{check_id('task_id', task_id)}", parse=_deleted)


def delete_tasks(task_ids: Iterable[int]) -> Endpoint[DeletedTasks]:
    """``DELETE /task/batch``: ids that do not exist come back in ``not_found_ids``."""
    body = {"task_ids": check_ids("task_ids", task_ids)}
    return Endpoint(method="DELETE", path="/task/batch", body=body, parse=_deleted)


def stop_task(task_id: int) -> Endpoint[Task]:
    """``POST /task/{id}/stop``: a pending or running task becomes failed, "stopped by user"."""
    return Endpoint(method="POST", path=f"/task/{check_id('task_id', task_id)}/stop", parse=_task)


def retry_task(task_id: int) -> Endpoint[Task]:
    """``POST /task/{id}/retry``: a failed task goes back to pending."""
    return Endpoint(method="POST", path=f"/task/{check_id('task_id', task_id)}/retry", parse=_task)


def retry_all_tasks() -> Endpoint[RetriedTasks]:
    """``POST /task/retry-all``."""
    return Endpoint(method="POST", path="/task/retry-all", parse=_retried)


def task_stats() -> Endpoint[TaskStats]:
    """``GET /task/stats``."""
    return Endpoint(method="GET", path="/task/stats", parse=_stats)


def check_license() -> Endpoint[License]:
    """``GET /license/check``."""
    return Endpoint(method="GET", path="/license/check", parse=_license)


def list_accounts(
    *,
    platform: str | None = None,
    device: str | None = None,
    logined: bool | None = None,
    status: int | None = None,
    tag: str | None = None,
    page: int | None = None,
    page_size: int | None = None,
) -> Endpoint[AccountPage]:
    """``GET /accounts``: one page of the accounts TikMatrix knows."""
    if logined is not None and not isinstance(logined, bool):
        raise ClientValidationError(f"logined must be a bool, got {logined!r}", field="logined")
    params = query(
        platform=_optional_text("platform", platform),
        device=_optional_text("device", device),
        logined=logined,
        status=None if status is None else check_int("status", status),
        tag=_optional_text("tag", tag),
        **_page_params(page, page_size),
    )
    return Endpoint(method="GET", path="/accounts", params=params, parse=_account_page)

"""What the operations share: result parsers, filter and paging checks, the create body.

Everything here is pure: it builds or checks data and never performs I/O. Each operation in
``resources/`` combines these into an :class:`~tikmatrix_sdk._endpoint.Endpoint`, once, for
both clients.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict

from ._params import check_bool, check_int, query
from ._request_options import RequestOptions
from .errors import ClientValidationError

if TYPE_CHECKING:
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
    "AccountFilters",
    "AccountListArgs",
    "TaskFilters",
    "TaskListArgs",
    "filter_query",
    "parse_account_page",
    "parse_created",
    "parse_deleted",
    "parse_license",
    "parse_retried",
    "parse_stats",
    "parse_task",
    "parse_task_page",
    "script_fields",
]

#: The largest page the API serves.
MAX_PAGE_SIZE = 100


def _parser(model: str) -> Callable[[Any], Any]:
    """Read ``data`` into the model named ``model``.

    The models and the converter load with the first answer, not at import: a program that
    imports the SDK and never calls it does not pay for them.
    """
    loaded: list[Any] = []  # the structure hook and the class, once loaded

    def parse(data: Any) -> Any:
        if not loaded:
            from . import models
            from ._converter import converter

            cls = getattr(models, model)
            loaded[:] = [converter.get_structure_hook(cls), cls]
        hook, cls = loaded
        return hook(data, cls)

    return parse


parse_task: Callable[[Any], Task] = _parser("Task")
parse_task_page: Callable[[Any], TaskPage] = _parser("TaskPage")
parse_created: Callable[[Any], CreatedTasks] = _parser("CreatedTasks")
parse_deleted: Callable[[Any], DeletedTasks] = _parser("DeletedTasks")
parse_retried: Callable[[Any], RetriedTasks] = _parser("RetriedTasks")
parse_stats: Callable[[Any], TaskStats] = _parser("TaskStats")
parse_license: Callable[[Any], License] = _parser("License")
parse_account_page: Callable[[Any], AccountPage] = _parser("AccountPage")


class TaskFilters(TypedDict, total=False):
    """The filters of ``tasks.list`` and ``tasks.iter``; each is optional."""

    status: TaskStatus | int | None
    serial: str | None
    script_name: str | None
    source: TaskSource | str | None


class TaskListArgs(TaskFilters, RequestOptions, total=False):
    """The keyword arguments of ``tasks.list`` and ``tasks.iter``: filters and per-call options."""


class AccountFilters(TypedDict, total=False):
    """The filters of ``accounts.list`` and ``accounts.iter``; each is optional."""

    platform: str | None
    device: str | None
    logined: bool | None
    status: int | None
    tag: str | None


class AccountListArgs(AccountFilters, RequestOptions, total=False):
    """The keyword arguments of ``accounts.list`` and ``accounts.iter``."""


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ClientValidationError(f"{name} must be a string, got {value!r}", field=name)
    return value


_FILTER_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "serial": _text,
    "script_name": _text,
    "source": _text,  # a TaskSource is a str
    "platform": _text,
    "device": _text,
    "logined": check_bool,
    "tag": _text,
}


def filter_query(
    allowed: type[Any], filters: Mapping[str, Any], page: int | None, page_size: int | None
) -> dict[str, str]:
    """Check a list call's filters and paging, and return its query string."""
    names = allowed.__annotations__
    for name in filters:
        if name not in names:
            raise TypeError(f"unexpected keyword argument {name!r}; filters are {', '.join(names)}")
    # A task's status is 0 to 3; an account's is TikMatrix's own number, any from 0.
    highest_status = 3 if allowed is TaskFilters else None

    def status(name: str, value: Any) -> int:
        return check_int(name, value, minimum=0, maximum=highest_status)

    checks: dict[str, Callable[[str, Any], Any]] = {**_FILTER_CHECKS, "status": status}
    params = {
        name: None if value is None else checks[name](name, value)
        for name, value in filters.items()
    }
    if page is not None:
        params["page"] = check_int("page", page, minimum=1)
    if page_size is not None:
        params["page_size"] = check_int("page_size", page_size, minimum=1, maximum=MAX_PAGE_SIZE)
    return query(**params)


def script_fields(
    config: ScriptConfig | None, script_name: str | None, script_config: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The ``script_name`` and ``script_config`` of a create, from a typed config or a mapping."""
    from .scripts import ScriptConfig  # the configs load when a task is first created

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
        return {"script_name": config.script_name, "script_config": config.to_dict()}
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
    if script_config is not None and not isinstance(script_config, Mapping):
        raise ClientValidationError(
            f"script_config must be a mapping, got {type(script_config).__name__}",
            field="script_config",
        )
    return {"script_name": script_name, "script_config": dict(script_config or {})}

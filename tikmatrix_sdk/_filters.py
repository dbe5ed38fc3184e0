"""The filters and paging of the list operations, and their query string.

``tasks.list``/``iter`` and ``accounts.list``/``iter`` take the filters as keyword arguments,
typed by the ``TypedDict`` classes here; :func:`filter_query` checks them before anything is
sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from ._contract import limits
from ._contract.lifecycle import STATUS_NAMES
from ._params import check_bool, check_int, query
from ._request_options import RequestOptions
from .errors import ClientValidationError

if TYPE_CHECKING:
    from .models import TaskSource, TaskStatus

__all__ = [
    "MAX_PAGE_SIZE",
    "AccountFilters",
    "AccountListArgs",
    "TaskFilters",
    "TaskListArgs",
    "filter_query",
]

#: The largest page the API serves.
MAX_PAGE_SIZE = limits.MAX_PAGE_SIZE


#: A task status by its name, as ``tasks.list(status="completed")`` takes it (any case).
StatusName = Literal["pending", "running", "completed", "failed"]
_STATUS_BY_NAME = {name: code for code, name in STATUS_NAMES.items()}


class TaskFilters(TypedDict, total=False):
    """The filters of ``tasks.list`` and ``tasks.iter``; each is optional."""

    status: TaskStatus | int | StatusName | None
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
        if allowed is TaskFilters and isinstance(value, str):
            found = _STATUS_BY_NAME.get(value.strip().lower())
            if found is None:
                raise ClientValidationError(
                    f"status must be one of {', '.join(_STATUS_BY_NAME)} (any case) or its "
                    f"code 0-3, got {value!r}",
                    field=name,
                )
            return found
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

"""The server's own wire schema: parsing requests at the edge and writing answers.

Nothing here touches state. Parsing raises :class:`ApiError` with the contract's code and a
message naming the field; the service receives only values that passed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from typing import Any

import attrs

from ..clock import to_iso
from ..domain.custom_scripts import MAX_CONFIG_BYTES
from ..domain.errors import (
    MISSING_SCRIPT_NAME,
    NOT_FOUND,
    UNSUPPORTED_SCRIPT,
    ApiError,
    bad_request,
)
from ..domain.service import MAX_TASKS_PER_REQUEST, CreateRequest
from ..domain.store import AccountRow, TaskRow
from ..scripts import NOT_VIA_API, SCRIPTS

__all__ = [
    "MAX_ACCOUNT_STATUS",
    "MAX_INTERVAL_MINUTES",
    "MAX_PAGE",
    "MAX_PAGE_SIZE",
    "MAX_TASK_ID",
    "MAX_TASKS_PER_REQUEST",
    "SOURCES",
    "STATUSES",
    "account_json",
    "page_args",
    "parse_create",
    "parse_task_id",
    "parse_task_ids",
    "task_json",
]

MAX_PAGE_SIZE = 100
#: The highest page number a list request may ask for (pages past the last are empty).
MAX_PAGE = 1_000_000
#: Task ids are SQLite row ids: positive signed 64-bit integers.
MAX_TASK_ID = 2**63 - 1
#: The longest wait, in minutes, between two tasks of one request on one device (a day).
MAX_INTERVAL_MINUTES = 1440
STATUSES = (0, 1, 2, 3)
SOURCES = ("ui", "api")
_HH_MM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_ASCII_INT = re.compile(r"-?[0-9]+")


def _strings(body: Mapping[str, Any], name: str) -> tuple[str, ...] | None:
    if name not in body:
        return None
    value = body[name]
    if not isinstance(value, list) or not value:
        raise bad_request(f"{name} must be a non-empty array of strings")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise bad_request(f"{name} must hold non-empty strings, got {item!r}")
    return tuple(value)


def _minutes(body: Mapping[str, Any], name: str) -> int:
    value = body.get(name, 0)
    if value is None:
        return 0
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 0 <= value <= MAX_INTERVAL_MINUTES
    ):
        raise bad_request(
            f"{name} must be an integer number of minutes from 0 to {MAX_INTERVAL_MINUTES}, "
            f"got {value!r}"
        )
    return value


def parse_create(body: Any, custom: Collection[str] = ()) -> CreateRequest:
    """Check a create body completely; nothing is stored unless all of it is valid.

    ``custom`` are the names of the registered custom scripts: their config is any object,
    handed to the command as it is.
    """
    if not isinstance(body, dict):
        raise bad_request("the request body must be a JSON object")
    script_name = body.get("script_name")
    if script_name is None or script_name == "":
        raise ApiError(MISSING_SCRIPT_NAME, "script_name is required")
    if not isinstance(script_name, str):
        raise bad_request(f"script_name must be a string, got {script_name!r}")
    if script_name not in SCRIPTS and script_name not in custom:
        reason = (
            "is not available through the API yet" if script_name in NOT_VIA_API else "is unknown"
        )
        raise ApiError(UNSUPPORTED_SCRIPT, f"script {script_name!r} {reason}")
    if "script_config" not in body:
        raise bad_request("script_config is required")
    config = body["script_config"]
    if not isinstance(config, dict):
        raise bad_request("script_config must be an object")
    serials, usernames = _strings(body, "serials"), _strings(body, "usernames")
    if (serials is None) == (usernames is None):
        raise bad_request("give exactly one of serials (device mode) or usernames (account mode)")
    multi = body.get("enable_multi_account", False)
    if not isinstance(multi, bool):
        raise bad_request(f"enable_multi_account must be true or false, got {multi!r}")
    start_time = body.get("start_time")
    if start_time is not None and (
        not isinstance(start_time, str) or not _HH_MM.fullmatch(start_time)
    ):
        raise bad_request(f'start_time must be "HH:MM" (24-hour), got {start_time!r}')
    min_interval, max_interval = _minutes(body, "min_interval"), _minutes(body, "max_interval")
    if min_interval > max_interval:
        raise bad_request(
            f"min_interval ({min_interval}) must not exceed max_interval ({max_interval})"
        )
    script = SCRIPTS.get(script_name)
    if script is None and len(json.dumps(config)) > MAX_CONFIG_BYTES:
        raise bad_request(
            f"script_config: a custom script's config is at most {MAX_CONFIG_BYTES} bytes of JSON"
        )
    task_configs = tuple(script.prepare(config)) if script is not None else (config,)
    return CreateRequest(
        serials=serials,
        usernames=usernames,
        script_name=script_name,
        task_configs=task_configs,
        enable_multi_account=multi,
        start_time=start_time,
        min_interval=min_interval,
        max_interval=max_interval,
    )


def parse_task_id(raw: str) -> int:
    """A task id from a path: ASCII digits; an id no task can have is not found (40401)."""
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise bad_request(f"task_id must be a positive integer, got {raw!r}")
    task_id = int(raw)
    if task_id > MAX_TASK_ID:
        raise ApiError(NOT_FOUND, f"task {raw} not found")
    return task_id


def parse_task_ids(body: Any) -> list[int]:
    """The ``task_ids`` of a batch delete (at most :data:`MAX_TASKS_PER_REQUEST`)."""
    ids = body.get("task_ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not ids:
        raise bad_request("task_ids must be a non-empty array of task ids")
    if len(ids) > MAX_TASKS_PER_REQUEST:
        raise bad_request(f"task_ids may hold at most {MAX_TASKS_PER_REQUEST} ids, got {len(ids)}")
    for task_id in ids:
        if (
            isinstance(task_id, bool)
            or not isinstance(task_id, int)
            or not 1 <= task_id <= MAX_TASK_ID
        ):
            raise bad_request(
                f"task_ids must hold integers from 1 to {MAX_TASK_ID}, got {task_id!r}"
            )
    return ids


#: The largest account status (a 32-bit value, as TikMatrix stores it).
MAX_ACCOUNT_STATUS = 2**31 - 1


def _query_int(
    args: Mapping[str, str], name: str, default: int | None, low: int, high: int | None
) -> int | None:
    raw = args.get(name)
    if raw is None:
        return default
    if not _ASCII_INT.fullmatch(raw) or len(raw) > 20:
        raise bad_request(f"{name} must be an integer, got {raw!r}")
    value = int(raw)
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise bad_request(f"{name} must be {bounds}, got {value}")
    return value


def page_args(args: Mapping[str, str]) -> tuple[int, int]:
    """``page`` (1 to 1,000,000, default 1) and ``page_size`` (1 to 100, default 20).

    Out-of-range values are refused, never clamped.
    """
    page = _query_int(args, "page", 1, 1, MAX_PAGE)
    size = _query_int(args, "page_size", 20, 1, MAX_PAGE_SIZE)
    return page or 1, size or 20


def task_filters(args: Mapping[str, str]) -> dict[str, Any]:
    """The filters of ``GET /task``."""
    source = args.get("source")
    if source is not None and source not in SOURCES:
        raise bad_request(f'source must be "ui" or "api", got {source!r}')
    return {
        "status": _query_int(args, "status", None, 0, 3),
        "serial": args.get("serial") or None,
        "script_name": args.get("script_name") or None,
        "source": source,
    }


def account_filters(args: Mapping[str, str]) -> dict[str, Any]:
    """The filters of ``GET /accounts``."""
    logined = args.get("logined")
    flags = {"true": 1, "1": 1, "false": 0, "0": 0}
    if logined is not None and logined.lower() not in flags:
        raise bad_request(f"logined must be true or false, got {logined!r}")
    return {
        "platform": args.get("platform") or None,
        "device": args.get("device") or None,
        "logined": None if logined is None else flags[logined.lower()],
        "status": _query_int(args, "status", None, 0, MAX_ACCOUNT_STATUS),
        "tag": args.get("tag") or None,
    }


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

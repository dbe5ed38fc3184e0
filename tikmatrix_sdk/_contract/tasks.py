"""The task API's requests, checked at the edge: each refusal names the field.

Nothing here touches state: a parser returns only values that passed, and a request that
fails any check stores nothing. The server's routes and the mock call the same functions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Protocol

import attrs

from .codes import MISSING_SCRIPT_NAME, NOT_FOUND, UNSUPPORTED_SCRIPT, ContractError, bad_request
from .lifecycle import STATUSES
from .limits import (
    DEFAULT_PAGE_SIZE,
    MAX_ACCOUNT_STATUS,
    MAX_CUSTOM_CONFIG_BYTES,
    MAX_INTERVAL_MINUTES,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    MAX_STORED_BYTES,
    MAX_TASK_ID,
    MAX_TASKS_PER_REQUEST,
    SOURCES,
)
from .plans import Plan, check_device_count
from .scripts import NOT_VIA_API, SCRIPT_RULES, ScriptRules
from .serials import check_serial
from .strict_json import integer

__all__ = [
    "START_TIME",
    "CreateRequest",
    "account_filters",
    "check_stored_bytes",
    "check_task_count",
    "page_args",
    "parse_create",
    "parse_task_id",
    "parse_task_ids",
    "plan_targets",
    "task_filters",
]

#: ``start_time``'s form: a 24-hour ``HH:MM``.
START_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_ASCII_INT = re.compile(r"-?[0-9]+")


@attrs.frozen(kw_only=True)
class CreateRequest:
    """A checked ``POST /task`` body."""

    serials: tuple[str, ...] | None
    usernames: tuple[str, ...] | None
    script_name: str
    task_configs: tuple[dict[str, Any], ...]
    enable_multi_account: bool
    start_time: str | None
    min_interval: int
    max_interval: int


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
    minutes = integer(value)
    if minutes is None or not 0 <= minutes <= MAX_INTERVAL_MINUTES:
        raise bad_request(
            f"{name} must be an integer number of minutes from 0 to {MAX_INTERVAL_MINUTES}, "
            f"got {value!r}"
        )
    return minutes


def parse_create(
    body: Any,
    *,
    scripts: Mapping[str, ScriptRules] = SCRIPT_RULES,
    custom: Collection[str] = (),
) -> CreateRequest:
    """Check a create body completely; nothing is stored unless all of it is valid.

    ``custom`` are the names of the registered custom scripts: their config is any object,
    handed to the command as it is.
    """
    if not isinstance(body, dict):
        raise bad_request("the request body must be a JSON object")
    script_name = body.get("script_name")
    if script_name is None or script_name == "":
        raise ContractError(MISSING_SCRIPT_NAME, "script_name is required")
    if not isinstance(script_name, str):
        raise bad_request(f"script_name must be a string, got {script_name!r}")
    if script_name not in scripts and script_name not in custom:
        reason = (
            "is not available through the API yet" if script_name in NOT_VIA_API else "is unknown"
        )
        raise ContractError(UNSUPPORTED_SCRIPT, f"script {script_name!r} {reason}")
    if "script_config" not in body:
        raise bad_request("script_config is required")
    config = body["script_config"]
    if not isinstance(config, dict):
        raise bad_request("script_config must be an object")
    serials, usernames = _strings(body, "serials"), _strings(body, "usernames")
    for serial in serials or ():
        check_serial(serial, "serials")
    if (serials is None) == (usernames is None):
        raise bad_request("give exactly one of serials (device mode) or usernames (account mode)")
    multi = body.get("enable_multi_account", False)
    if not isinstance(multi, bool):
        raise bad_request(f"enable_multi_account must be true or false, got {multi!r}")
    start_time = body.get("start_time")
    if start_time is not None and (
        not isinstance(start_time, str) or not START_TIME.fullmatch(start_time)
    ):
        raise bad_request(f'start_time must be "HH:MM" (24-hour), got {start_time!r}')
    min_interval, max_interval = _minutes(body, "min_interval"), _minutes(body, "max_interval")
    if min_interval > max_interval:
        raise bad_request(
            f"min_interval ({min_interval}) must not exceed max_interval ({max_interval})"
        )
    script = scripts.get(script_name)
    if script is None and len(json.dumps(config)) > MAX_CUSTOM_CONFIG_BYTES:
        raise bad_request(
            "script_config: a custom script's config is at most "
            f"{MAX_CUSTOM_CONFIG_BYTES} bytes of JSON"
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


def _check_known(field: str, what: str, given: Iterable[str], known: Collection[str]) -> None:
    for name in given:
        if name not in known:
            raise bad_request(f"{field}: unknown {what} {name!r}")


class Directory(Protocol):
    """What a create's targets are checked against: the devices and accounts a server holds.

    The reference server's task service and the mock each implement it over what they keep.
    """

    def devices_of(self, usernames: Sequence[str]) -> Mapping[str, str]:
        """The device of each known account among ``usernames``."""
        ...

    def known_devices(self) -> Collection[str]:
        """Every device's serial."""
        ...

    def accounts_on(self, serials: Sequence[str]) -> Mapping[str, Sequence[str]]:
        """The accounts on each device named."""
        ...


def plan_targets(
    request: CreateRequest, plan: Plan, directory: Directory
) -> list[tuple[str, str | None]]:
    """A checked create's (serial, username) pairs: one per task before the script's fan-out.

    Accounts and devices must be known to the ``directory``, and the tasks (after the
    script's fan-out), the bytes they store and the devices they name must stay within the
    bounds and the ``plan``. In device mode with ``enable_multi_account``, each account on a
    device gets a task, and a device with no account one task.
    """
    if request.usernames is not None:
        found = directory.devices_of(request.usernames)
        _check_known("usernames", "account", request.usernames, found)
        targets: list[tuple[str, str | None]] = [(found[name], name) for name in request.usernames]
    else:
        assert request.serials is not None
        _check_known("serials", "device", request.serials, directory.known_devices())
        if request.enable_multi_account:
            names = directory.accounts_on(request.serials)
            targets = []
            for serial in request.serials:
                on_it: list[str | None] = list(names.get(serial, ()))
                targets += [(serial, name) for name in on_it or [None]]
        else:
            targets = [(serial, None) for serial in request.serials]
    check_task_count(len(targets) * len(request.task_configs))
    check_stored_bytes(len(targets), request.task_configs)
    check_device_count(plan, len({serial for serial, _ in targets}))
    return targets


def check_task_count(count: int) -> None:
    """Refuse a create that would make more than :data:`MAX_TASKS_PER_REQUEST` tasks."""
    if count > MAX_TASKS_PER_REQUEST:
        raise bad_request(
            f"this request would create {count} tasks; at most {MAX_TASKS_PER_REQUEST} may be "
            "created by one request (split it)"
        )


def check_stored_bytes(targets: int, configs: Sequence[Mapping[str, Any]]) -> None:
    """Refuse a create whose tasks would store more than :data:`MAX_STORED_BYTES` of config.

    Each of the ``targets`` (device and account pairs) gets a task of each of ``configs``.
    """
    per_target = sum(len(json.dumps(config, ensure_ascii=False).encode()) for config in configs)
    total = targets * per_target
    if total > MAX_STORED_BYTES:
        raise bad_request(
            f"this request would store {total} bytes of script_config across its "
            f"{targets * len(configs)} tasks; at most {MAX_STORED_BYTES} bytes may be stored "
            "by one request (split it, or send fewer unknown options)"
        )


def parse_task_id(raw: str) -> int:
    """A task id from a path: ASCII digits; an id no task can have is not found (40401)."""
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise bad_request(f"task_id must be a positive integer, got {raw!r}")
    task_id = int(raw)
    if task_id > MAX_TASK_ID:
        raise ContractError(NOT_FOUND, f"task {raw} not found")
    return task_id


def parse_task_ids(body: Any) -> list[int]:
    """The ``task_ids`` of a batch delete (at most :data:`MAX_TASKS_PER_REQUEST`)."""
    ids = body.get("task_ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not ids:
        raise bad_request("task_ids must be a non-empty array of task ids")
    if len(ids) > MAX_TASKS_PER_REQUEST:
        raise bad_request(f"task_ids may hold at most {MAX_TASKS_PER_REQUEST} ids, got {len(ids)}")
    checked = []
    for task_id in ids:
        number = integer(task_id)
        if number is None or not 1 <= number <= MAX_TASK_ID:
            raise bad_request(
                f"task_ids must hold integers from 1 to {MAX_TASK_ID}, got {task_id!r}"
            )
        checked.append(number)
    return checked


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
    size = _query_int(args, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    return page or 1, size or DEFAULT_PAGE_SIZE


def _serial_filter(args: Mapping[str, str], name: str) -> str | None:
    """A filter that names a device: absent or empty, or a serial."""
    value = args.get(name)
    return check_serial(value, name) if value else None


def task_filters(args: Mapping[str, str]) -> dict[str, Any]:
    """The filters of ``GET /task``."""
    source = args.get("source")
    if source is not None and source not in SOURCES:
        raise bad_request(f'source must be "ui" or "api", got {source!r}')
    return {
        "status": _query_int(args, "status", None, STATUSES[0], STATUSES[-1]),
        "serial": _serial_filter(args, "serial"),
        "script_name": args.get("script_name") or None,
        "source": source,
    }


_FLAGS = {"true": 1, "1": 1, "false": 0, "0": 0}


def account_filters(args: Mapping[str, str]) -> dict[str, Any]:
    """The filters of ``GET /accounts``."""
    logined = args.get("logined")
    if logined is not None and logined.lower() not in _FLAGS:
        raise bad_request(f"logined must be true or false, got {logined!r}")
    return {
        "platform": args.get("platform") or None,
        "device": _serial_filter(args, "device"),
        "logined": None if logined is None else _FLAGS[logined.lower()],
        "status": _query_int(args, "status", None, 0, MAX_ACCOUNT_STATUS),
        "tag": args.get("tag") or None,
    }

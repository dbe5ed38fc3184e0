"""The device API's requests (leases and device calls), checked at the edge."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from .codes import (
    ADB_DISABLED,
    DEVICE_BUSY,
    LEASE_REQUIRED,
    NO_FREE_SLOT,
    NOT_FOUND,
    ContractError,
    bad_request,
)
from .limits import (
    DEFAULT_TTL,
    MAX_ADB_TIMEOUT_MS,
    MAX_ADB_WORD,
    MAX_ADB_WORDS,
    MAX_LABEL,
    MAX_METHOD_TIMEOUT,
    MAX_PARAMS,
    MAX_SESSION_ID,
    MAX_TTL,
)
from .serials import check_serial

__all__ = [
    "METHOD_NAME",
    "adb_disabled",
    "already_leased",
    "lease_not_found",
    "lease_required",
    "no_free_slot",
    "unknown_device",
    "AdbCall",
    "UiCall",
    "parse_adb",
    "parse_heartbeat",
    "parse_lease",
    "parse_ui_call",
    "serial_query",
    "session_header",
]

#: A uiautomator2 method's name.
METHOD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def _object(body: Any, fields: set[str]) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise bad_request("the request body must be a JSON object")
    unknown = set(body) - fields
    if unknown:
        raise bad_request(f"unknown field(s): {', '.join(sorted(unknown))}")
    return body


def _serial(body: Mapping[str, Any]) -> str | None:
    """A device call's optional ``serial`` (``None`` when it names none)."""
    serial = body.get("serial")
    return None if serial is None else check_serial(serial)


def serial_query(value: str | None) -> str | None:
    """The ``serial`` of a query string (``None`` when absent or empty)."""
    return check_serial(value) if value else None


def _seconds(value: Any, name: str, default: float, high: float, *, low: float = 1) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise bad_request(f"{name} must be a number from {low:g} to {high:g}, got {value!r}")
    return float(value)


def parse_lease(body: Any) -> tuple[str, str, float]:
    """``POST /rpc/session``: (serial, label, ttl)."""
    fields = _object(body, {"serial", "label", "ttl_secs"})
    serial = check_serial(fields.get("serial"))
    label = fields.get("label") or ""
    if not isinstance(label, str) or len(label) > MAX_LABEL:
        raise bad_request(f"label must be a string of at most {MAX_LABEL} characters")
    ttl = _seconds(fields.get("ttl_secs"), "ttl_secs", DEFAULT_TTL, MAX_TTL)
    return serial, label, ttl


def parse_heartbeat(body: Any) -> float:
    """``POST /rpc/session/{id}/heartbeat``: the new ttl (the default without a body)."""
    fields = _object(body, {"ttl_secs"})
    return _seconds(fields.get("ttl_secs"), "ttl_secs", DEFAULT_TTL, MAX_TTL)


@attrs.frozen
class UiCall:
    """A checked ``POST /rpc/jsonrpc`` body."""

    serial: str | None
    method: str
    params: list[Any]
    timeout: float


def parse_ui_call(body: Any) -> UiCall:
    """``POST /rpc/jsonrpc``: a uiautomator2 method, its params and its timeout.

    Selector patterns in the params are checked here (:mod:`.patterns`: RE2, bounded), before
    any phone sees them, by the server and the mock alike.
    """
    fields = _object(body, {"serial", "method", "params", "timeout"})
    method = fields.get("method")
    if not isinstance(method, str) or not METHOD_NAME.fullmatch(method):
        raise bad_request(f"method must be a uiautomator2 method name, got {method!r}")
    params = fields.get("params", [])
    if params is None:
        params = []
    if not isinstance(params, list) or len(params) > MAX_PARAMS:
        raise bad_request(f"params must be an array of at most {MAX_PARAMS} values")
    from .patterns import bad_patterns  # RE2: the server's extra, and the mock's

    refused = next(iter(bad_patterns(params)), None)
    if refused is not None:
        raise bad_request(refused)
    timeout = _seconds(fields.get("timeout"), "timeout", 10.0, MAX_METHOD_TIMEOUT, low=0.1)
    return UiCall(_serial(fields), method, params, timeout)


@attrs.frozen
class AdbCall:
    """A checked ``POST /rpc/adb`` body."""

    serial: str | None
    argv: list[str]
    timeout: float


def parse_adb(body: Any) -> AdbCall:
    """``POST /rpc/adb``: ``args`` is ``["shell", COMMAND, ARG...]``, each item one word."""
    fields = _object(body, {"serial", "args", "timeout_ms"})
    args = fields.get("args")
    if (
        not isinstance(args, list)
        or not 2 <= len(args) <= MAX_ADB_WORDS
        or not all(isinstance(word, str) and len(word) <= MAX_ADB_WORD for word in args)
    ):
        raise bad_request(
            f'args must be ["shell", COMMAND, ARG...]: 2 to {MAX_ADB_WORDS} strings of at most '
            f"{MAX_ADB_WORD} characters"
        )
    if args[0] != "shell" or not args[1]:
        raise bad_request(
            f"args: only shell commands run on a device (args[0] must be 'shell', got {args[0]!r})"
        )
    millis = _seconds(fields.get("timeout_ms"), "timeout_ms", 30_000, MAX_ADB_TIMEOUT_MS)
    return AdbCall(_serial(fields), args[1:], millis / 1000)


def session_header(value: str | None) -> str | None:
    """The lease id a device call carries in ``x-session-id`` (None when it carries none)."""
    value = value or None
    if value is not None and len(value) > MAX_SESSION_ID:
        raise bad_request(f"x-session-id is at most {MAX_SESSION_ID} characters")
    return value


# -- the device API's refusals, worded once ------------------------------------------------------


def unknown_device(serial: str) -> ContractError:
    """40401: a lease asked for a device the server does not have."""
    return ContractError(NOT_FOUND, f"serial: unknown device {serial!r}")


def already_leased(serial: str, label: str) -> ContractError:
    """40901: the device is leased to someone (named by its label, never its id)."""
    owner = f" by {label!r}" if label else ""
    return ContractError(DEVICE_BUSY, f"device {serial} is already leased{owner}")


def no_free_slot(plan: str, limit: int) -> ContractError:
    """40902: the plan's device slots are all taken."""
    return ContractError(
        NO_FREE_SLOT,
        f"the {plan} plan drives {limit} devices at once and all are taken by leases and "
        "running tasks",
    )


def lease_required(session_id: str | None, serial: str | None = None, leased: str = "") -> None:
    """40302 unless a call carries a lease id (``session_id``) that a live lease has.

    ``leased`` is the serial of the live lease by that id ("" when there is none); a call
    that names another ``serial`` is refused too.
    """
    if not session_id:
        raise ContractError(LEASE_REQUIRED, "this call needs a lease: send its id in x-session-id")
    if not leased:
        raise ContractError(LEASE_REQUIRED, "the lease has expired, was released, or never existed")
    if serial is not None and serial != leased:
        raise ContractError(
            LEASE_REQUIRED, f"serial: the lease is for device {leased}, not {serial}"
        )


def lease_not_found() -> ContractError:
    """40401: a release named no live lease."""
    return ContractError(NOT_FOUND, "no live lease has this session id")


def adb_disabled() -> ContractError:
    """40303: the device API's adb route is off."""
    return ContractError(
        ADB_DISABLED,
        "the adb route is disabled; enable it in the settings "
        "(the reference server's control API: PUT /_control/rpc/adb)",
    )

"""The device API's bodies and answers: each field checked at the edge, each row written out."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from ..android.patterns import bad_patterns
from ..clock import to_iso
from ..domain.errors import bad_request
from ..domain.leases import DEFAULT_TTL, MAX_TTL, DeviceState, Lease

__all__ = [
    "MAX_ADB_WORDS",
    "MAX_PARAMS",
    "AdbCall",
    "UiCall",
    "device_json",
    "lease_json",
    "parse_adb",
    "parse_heartbeat",
    "parse_lease",
    "parse_ui_call",
    "serial_query",
    "session_header",
]

MAX_LABEL, MAX_SERIAL, MAX_SESSION_ID = 100, 200, 128
MAX_PARAMS, MAX_METHOD_TIMEOUT = 32, 120.0
MAX_ADB_WORDS, MAX_ADB_WORD, MAX_ADB_TIMEOUT_MS = 64, 4096, 600_000
_METHOD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def _object(body: Any, fields: set[str]) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise bad_request("the request body must be a JSON object")
    unknown = set(body) - fields
    if unknown:
        raise bad_request(f"unknown field(s): {', '.join(sorted(unknown))}")
    return body


def _serial(body: Mapping[str, Any], *, required: bool) -> str | None:
    serial = body.get("serial")
    if serial is None and not required:
        return None
    return _checked_serial(serial)


def serial_query(value: str | None) -> str | None:
    """The ``serial`` of a query string (``None`` when absent or empty)."""
    return _checked_serial(value) if value else None


def _checked_serial(serial: Any) -> str:
    if not isinstance(serial, str) or not 1 <= len(serial) <= MAX_SERIAL:
        raise bad_request(f"serial must be a device serial (1-{MAX_SERIAL} characters)")
    return serial


def _seconds(value: Any, name: str, default: float, high: float, *, low: float = 1) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise bad_request(f"{name} must be a number from {low:g} to {high:g}, got {value!r}")
    return float(value)


def parse_lease(body: Any) -> tuple[str, str, float]:
    """``POST /rpc/session``: (serial, label, ttl)."""
    fields = _object(body, {"serial", "label", "ttl_secs"})
    serial = _serial(fields, required=True)
    assert serial is not None
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
    """``POST /rpc/jsonrpc``: a uiautomator2 method, its params and its timeout."""
    fields = _object(body, {"serial", "method", "params", "timeout"})
    method = fields.get("method")
    if not isinstance(method, str) or not _METHOD.fullmatch(method):
        raise bad_request(f"method must be a uiautomator2 method name, got {method!r}")
    params = fields.get("params", [])
    if params is None:
        params = []
    if not isinstance(params, list) or len(params) > MAX_PARAMS:
        raise bad_request(f"params must be an array of at most {MAX_PARAMS} values")
    refused = next(bad_patterns(params), None)  # before any phone, real or simulated, sees it
    if refused is not None:
        raise bad_request(refused)
    timeout = _seconds(fields.get("timeout"), "timeout", 10.0, MAX_METHOD_TIMEOUT, low=0.1)
    return UiCall(_serial(fields, required=False), method, params, timeout)


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
    return AdbCall(_serial(fields, required=False), args[1:], millis / 1000)


def session_header(value: str | None) -> str | None:
    """The lease id a device call carries in ``x-session-id`` (None when it carries none)."""
    value = value or None
    if value is not None and len(value) > MAX_SESSION_ID:
        raise bad_request(f"x-session-id is at most {MAX_SESSION_ID} characters")
    return value


def lease_json(lease: Lease, now: float, *, reveal: bool = True) -> dict[str, Any]:
    """A lease as the device API writes it; its id ``None`` unless ``reveal``."""
    return {
        "session_id": lease.session_id if reveal else None,
        "serial": lease.serial,
        "label": lease.label,
        "ttl_secs": lease.ttl,
        "created_at": to_iso(lease.created),
        "expires_at": to_iso(lease.expires),
        "expires_in": max(0.0, round(lease.expires - now, 3)),
        "task_id": lease.task_id,
    }


def device_json(device: DeviceState) -> dict[str, Any]:
    """A device as ``GET /rpc/devices`` writes it (a lease is named by label, not id)."""
    lease = device.lease
    return {
        "serial": device.serial,
        "kind": device.kind,
        "online": device.online,
        "busy": device.busy,
        "task_id": device.task_id,
        "leased": lease is not None,
        "lease_label": lease.label if lease is not None else None,
    }

"""The control API's fault bodies, checked at the edge (the faults: ``domain.faults``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tikmatrix_sdk._contract.codes import bad_request

from . import control_limits as limits

__all__ = ["parse_fault"]

_FIELDS = ("path", "method", "latency", "code", "http_status", "message", "times")


def _integer(body: Mapping[str, Any], name: str, low: int, high: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise bad_request(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return value


def _text(body: Mapping[str, Any], name: str, default: str, longest: int) -> str:
    value = body.get(name, default)
    if not isinstance(value, str) or not value or len(value) > longest:
        raise bad_request(
            f"{name} must be a non-empty string of at most {longest} characters, got {value!r}"
        )
    return value


def parse_fault(body: Mapping[str, Any]) -> dict[str, Any]:
    """A fault's settings from a control request's body, each one checked and bounded.

    A fault stays in force over every later call, so a value the answers could not carry (a
    number for a path, an object for the message) is refused here, never met there.
    """
    unknown = sorted(set(body) - set(_FIELDS))
    if unknown:
        raise bad_request(f"unknown fault fields: {', '.join(unknown)}")
    method = _text(body, "method", "*", 10)
    if not re.fullmatch(limits.FAULT_METHOD, method):
        raise bad_request(f"method must be an HTTP method or a glob of one, got {method!r}")
    latency = body.get("latency", 0.0)
    if (
        isinstance(latency, bool)
        or not isinstance(latency, (int, float))
        or not 0 <= latency <= limits.MAX_FAULT_LATENCY
    ):
        raise bad_request(
            f"latency must be 0 to {limits.MAX_FAULT_LATENCY:g} seconds, got {latency!r}"
        )
    return {
        "path": _text(body, "path", "/api/v1/*", limits.MAX_FAULT_PATH),
        "method": method,
        "latency": float(latency),
        "code": _integer(body, "code", 1, limits.MAX_FAULT_CODE),
        "http_status": _integer(body, "http_status", 200, 599),
        "message": _text(body, "message", "injected fault", limits.MAX_FAULT_MESSAGE),
        "times": _integer(body, "times", 1, limits.MAX_FAULT_TIMES),
    }

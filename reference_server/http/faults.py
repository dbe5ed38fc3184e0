"""Faults that tests inject into API endpoints: added latency, or a forced error answer."""

from __future__ import annotations

import fnmatch
import itertools
import re
import threading
import time
from collections.abc import Mapping
from typing import Any

import attrs

from ..domain.errors import bad_request
from . import control_limits as limits

__all__ = ["Fault", "Faults", "apply_fault", "parse_fault"]

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


@attrs.define(kw_only=True)
class Fault:
    """Slow down or fail matching calls, for the next ``times`` calls (``None``: until cleared)."""

    id: int
    path: str = "/api/v1/*"
    method: str = "*"
    latency: float = 0.0
    code: int | None = None
    http_status: int | None = None
    message: str = "injected fault"
    times: int | None = None

    def matches(self, method: str, path: str) -> bool:
        """Whether a call to ``method path`` is affected."""
        return fnmatch.fnmatchcase(method, self.method.upper()) and fnmatch.fnmatchcase(
            path, self.path
        )

    def to_json(self) -> dict[str, Any]:
        """The fault as JSON."""
        return attrs.asdict(self)


class Faults:
    """The faults in force, first added first applied."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, **settings: Any) -> Fault:
        """Add a fault (40001 past :data:`~.control_limits.MAX_FAULTS` in force)."""
        with self._lock:
            if len(self._faults) >= limits.MAX_FAULTS:
                raise bad_request(
                    f"at most {limits.MAX_FAULTS} faults may be in force; clear some first"
                )
            fault = Fault(id=next(self._ids), **settings)
            self._faults.append(fault)
            return fault

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def list(self) -> list[Fault]:
        """The faults in force."""
        with self._lock:
            return list(self._faults)

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault for this call, counting the call against it."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None


def apply_fault(faults: Faults, method: str, path: str) -> None:
    """Play the first fault injected for this request, if any: its latency, then its error."""
    fault = faults.take(method, path)
    if fault is None:
        return
    if fault.latency:
        time.sleep(fault.latency)
    if fault.code is not None:
        from ..domain.errors import ApiError

        raise ApiError(fault.code, fault.message, http_status=fault.http_status)

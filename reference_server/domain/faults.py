"""Faults that tests inject into API endpoints: added latency, or a forced error answer.

The control API adds them (its HTTP layer checks each body); the API's routes play them.
"""

from __future__ import annotations

import fnmatch
import itertools
import threading
import time
from typing import Any

import attrs

from tikmatrix_sdk._contract.codes import ContractError, bad_request

__all__ = ["MAX_FAULTS", "Fault", "Faults", "apply_fault"]

#: Faults in force at once (each API call looks through them).
MAX_FAULTS = 100


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
        """Add a fault (40001 past :data:`~.control_MAX_FAULTS` in force)."""
        with self._lock:
            if len(self._faults) >= MAX_FAULTS:
                raise bad_request(f"at most {MAX_FAULTS} faults may be in force; clear some first")
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
        raise ContractError(fault.code, fault.message, http_status=fault.http_status)

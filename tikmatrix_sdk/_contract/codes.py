"""The contract's codes, the HTTP status each travels with, and the error that carries one.

The reference server raises :class:`ContractError` from its rules and writes it as the error
envelope; :class:`tikmatrix_sdk.testing.MockTikMatrix` raises it from the same rules; the SDK
maps each code to its exception (``tikmatrix_sdk.errors``, checked against :data:`CODES` by a
test).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

__all__ = [
    "ADB_DISABLED",
    "BAD_REQUEST",
    "CODES",
    "DEVICE_BUSY",
    "DEVICE_UNAVAILABLE",
    "FORBIDDEN",
    "INTERNAL",
    "LEASE_REQUIRED",
    "MISSING_SCRIPT_NAME",
    "NOT_FOUND",
    "NO_FREE_SLOT",
    "STORE_UNAVAILABLE",
    "UI_RPC_FAILED",
    "UNSUPPORTED_SCRIPT",
    "ContractError",
    "bad_request",
    "http_status_of",
    "require",
]

BAD_REQUEST = 40001
MISSING_SCRIPT_NAME = 40002
UNSUPPORTED_SCRIPT = 40003
FORBIDDEN = 40301
#: The device API: no lease, an expired or unknown one, or one for another device.
LEASE_REQUIRED = 40302
#: The device API's adb route is off (the control API turns it on).
ADB_DISABLED = 40303
NOT_FOUND = 40401
#: The device is leased, or runs a task.
DEVICE_BUSY = 40901
#: Every device slot of the plan is taken by leases and running tasks.
NO_FREE_SLOT = 40902
#: The device's uiautomator2 server answered the call with an error.
UI_RPC_FAILED = 42201
INTERNAL = 50001
#: The device could not be reached, or failed while answering.
DEVICE_UNAVAILABLE = 50301

#: The server cannot write its store (deleted or replaced while it runs, or the disk is full):
#: nothing was stored; a request may be sent again once the store is back.
STORE_UNAVAILABLE = 50302
#: Every code of the contract, with the HTTP status it travels with and what it means.
CODES: MappingProxyType[int, tuple[int, str]] = MappingProxyType(
    {
        BAD_REQUEST: (400, "a parameter is missing or invalid; the message names it"),
        MISSING_SCRIPT_NAME: (400, "script_name is missing"),
        UNSUPPORTED_SCRIPT: (400, "the script is unknown, or not available through the API"),
        FORBIDDEN: (403, "the license plan has no API access (or custom scripts are off)"),
        LEASE_REQUIRED: (403, "a device call without a live lease for that device"),
        ADB_DISABLED: (403, "the device API's adb route is off"),
        NOT_FOUND: (404, "no such task, lease or device"),
        DEVICE_BUSY: (409, "the device is leased, runs a task, or already answers a call"),
        NO_FREE_SLOT: (409, "every device slot of the plan is taken"),
        UI_RPC_FAILED: (422, "the device's uiautomator2 server answered with an error"),
        INTERNAL: (500, "an internal error"),
        DEVICE_UNAVAILABLE: (503, "the device could not be reached"),
        STORE_UNAVAILABLE: (503, "the server cannot write its store (gone, replaced or full)"),
    }
)


def http_status_of(code: int) -> int:
    """The HTTP status a code travels with (400 for a code the contract does not list)."""
    known = CODES.get(code)
    return known[0] if known is not None else 400


class ContractError(Exception):
    """A request refused (or failed) with a contract ``code``, a message naming the field.

    ``http_status`` defaults to the code's own (:func:`http_status_of`).
    """

    def __init__(
        self, code: int, message: str, *, data: Any = None, http_status: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data
        self.http_status = http_status or http_status_of(code)


def bad_request(message: str, *, http_status: int = 400) -> ContractError:
    """A 40001 error: the message names the field and the reason."""
    return ContractError(BAD_REQUEST, message, http_status=http_status)


def require(condition: bool, message: str) -> None:
    """Raise a 40001 with ``message`` unless ``condition`` holds."""
    if not condition:
        raise bad_request(message)

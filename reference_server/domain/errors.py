"""The one exception that carries a contract code, and the HTTP status each code travels with."""

from __future__ import annotations

from typing import Any

__all__ = [
    "ADB_DISABLED",
    "BAD_REQUEST",
    "DEVICE_BUSY",
    "DEVICE_UNAVAILABLE",
    "FORBIDDEN",
    "INTERNAL",
    "LEASE_REQUIRED",
    "MISSING_SCRIPT_NAME",
    "NOT_FOUND",
    "NO_FREE_SLOT",
    "UI_RPC_FAILED",
    "UNSUPPORTED_SCRIPT",
    "ApiError",
    "bad_request",
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

_STATUS_BY_CODE = {
    BAD_REQUEST: 400,
    MISSING_SCRIPT_NAME: 400,
    UNSUPPORTED_SCRIPT: 400,
    FORBIDDEN: 403,
    LEASE_REQUIRED: 403,
    ADB_DISABLED: 403,
    NOT_FOUND: 404,
    DEVICE_BUSY: 409,
    NO_FREE_SLOT: 409,
    UI_RPC_FAILED: 422,
    INTERNAL: 500,
    DEVICE_UNAVAILABLE: 503,
}


class ApiError(Exception):
    """A request failed with a contract ``code``; the error handler writes the envelope."""

    def __init__(
        self, code: int, message: str, *, data: Any = None, http_status: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data
        self.http_status = http_status or _STATUS_BY_CODE.get(code, 400)


def bad_request(message: str, *, http_status: int = 400) -> ApiError:
    """A 40001 error: the message names the field and the reason."""
    return ApiError(BAD_REQUEST, message, http_status=http_status)

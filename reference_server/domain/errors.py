"""The one exception that carries a contract code, and the HTTP status each code travels with."""

from __future__ import annotations

from typing import Any

__all__ = [
    "BAD_REQUEST",
    "FORBIDDEN",
    "INTERNAL",
    "MISSING_SCRIPT_NAME",
    "NOT_FOUND",
    "UNSUPPORTED_SCRIPT",
    "ApiError",
    "bad_request",
]

BAD_REQUEST = 40001
MISSING_SCRIPT_NAME = 40002
UNSUPPORTED_SCRIPT = 40003
FORBIDDEN = 40301
NOT_FOUND = 40401
INTERNAL = 50001

_STATUS_BY_CODE = {
    BAD_REQUEST: 400,
    MISSING_SCRIPT_NAME: 400,
    UNSUPPORTED_SCRIPT: 400,
    FORBIDDEN: 403,
    NOT_FOUND: 404,
    INTERNAL: 500,
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

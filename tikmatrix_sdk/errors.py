"""The exceptions the SDK raises.

Everything derives from :class:`TikMatrixError`. Three branches hang under it:

* :class:`APIError` — the server answered with the API's envelope and a non-zero ``code``.
  Each documented code has its own subclass, so ``except NotFoundError`` reads naturally.
* :class:`APIConnectionError` — no usable answer arrived (refused connection, timeout, …).
* :class:`UnexpectedResponseError` — an answer arrived but it is not the API's envelope
  (a proxy's HTML page, an empty body) or its ``data`` does not have the documented shape.

Mistakes the SDK can see before sending anything raise :class:`ClientValidationError`, which is
also a :class:`ValueError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "BadRequestError",
    "ClientValidationError",
    "InternalServerError",
    "LicenseError",
    "MissingScriptNameError",
    "NotFoundError",
    "ResponseValidationError",
    "TikMatrixError",
    "UnexpectedResponseError",
    "UnsupportedScriptError",
    "WaitTimeoutError",
    "error_class_for_code",
]


class TikMatrixError(Exception):
    """Base class of every exception raised by this SDK."""


class ClientValidationError(TikMatrixError, ValueError):
    """An argument was rejected before any request was sent.

    ``field`` names the offending argument or script-config field (``None`` when the mistake
    concerns a combination of arguments).
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        """Refuse an argument; ``field`` names it."""
        super().__init__(message)
        self.message = message
        self.field = field


class APIError(TikMatrixError):
    """The server answered with the API's envelope and a non-zero ``code``.

    Attributes:
        code: the envelope's ``code`` (for example ``40401``).
        message: the envelope's ``message``.
        data: the envelope's ``data`` (``None`` when absent).
        status_code: the HTTP status of the answer (TikMatrix may use 200 for errors too).
        request: the :class:`httpx.Request` that was sent.
        response: the :class:`httpx.Response` that carried the error.
    """

    #: The code this class stands for; ``None`` on the generic class.
    expected_code: int | None = None

    def __init__(
        self,
        message: str,
        *,
        code: int,
        data: Any = None,
        response: httpx.Response,
    ) -> None:
        """Raised by the SDK from an error envelope; the request comes from ``response``."""
        super().__init__(message)
        self.message = message
        self.code = code
        self.data = data
        self.response = response
        self.status_code = response.status_code
        self.request = response.request

    def __str__(self) -> str:
        return f"[{self.code}] {self.message} (HTTP {self.status_code})"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"status_code={self.status_code!r})"
        )


class BadRequestError(APIError):
    """``40001``: a parameter is invalid; the message names it."""

    expected_code = 40001


class MissingScriptNameError(BadRequestError):
    """``40002``: the request had no ``script_name``."""

    expected_code = 40002


class UnsupportedScriptError(BadRequestError):
    """``40003``: the script exists but cannot be run through the API (or is unknown)."""

    expected_code = 40003


class LicenseError(APIError):
    """``40301``: the license plan (Starter) has no API access."""

    expected_code = 40301

    @property
    def plan_name(self) -> str | None:
        """The plan the server reported in ``data``, when it did."""
        if isinstance(self.data, dict):
            plan = self.data.get("plan_name", self.data.get("plan"))
            if isinstance(plan, str):
                return plan
        return None


class NotFoundError(APIError):
    """``40401``: the task (or other resource) does not exist."""

    expected_code = 40401


class InternalServerError(APIError):
    """``50001``: the server failed while handling the request."""

    expected_code = 50001


_ERRORS_BY_CODE: dict[int, type[APIError]] = {
    cls.expected_code: cls
    for cls in (
        BadRequestError,
        MissingScriptNameError,
        UnsupportedScriptError,
        LicenseError,
        NotFoundError,
        InternalServerError,
    )
    if cls.expected_code is not None
}


def error_class_for_code(code: int) -> type[APIError]:
    """Return the exception class that stands for an envelope ``code``.

    Unknown codes map to :class:`APIError` itself, which still carries the code.
    """
    return _ERRORS_BY_CODE.get(code, APIError)


class UnexpectedResponseError(TikMatrixError):
    """The answer is not the API's JSON envelope (for example a proxy's HTML error page).

    Attributes:
        status_code: the HTTP status of the answer.
        text: the body as text (cut to a few kilobytes in ``str()``).
        request: the :class:`httpx.Request` that was sent.
        response: the :class:`httpx.Response` received.
    """

    def __init__(self, message: str, *, response: httpx.Response) -> None:
        """Raised by the SDK with the answer it could not read."""
        super().__init__(message)
        self.message = message
        self.response = response
        self.status_code = response.status_code
        self.request = response.request
        self.text = response.text

    def __str__(self) -> str:
        snippet = self.text if len(self.text) <= 200 else self.text[:200] + "…"
        return f"{self.message} (HTTP {self.status_code}): {snippet!r}"


class ResponseValidationError(UnexpectedResponseError):
    """The envelope said success but its ``data`` lacks what the documented shape requires."""


class APIConnectionError(TikMatrixError):
    """No answer could be had from the server (refused connection, broken stream, …).

    The transport's own exception is chained as ``__cause__``.

    Attributes:
        request: the :class:`httpx.Request` that was attempted.
        may_have_succeeded: true when a request that changes state (a create, stop, retry or
            delete) may have reached the server before its answer was lost: it may have taken
            effect, so check (list the tasks) before sending it again. The SDK never sends
            such a request twice itself.
    """

    def __init__(
        self,
        message: str = "Connection error.",
        *,
        request: httpx.Request,
        may_have_succeeded: bool = False,
    ) -> None:
        """Raised by the SDK with the request that got no answer."""
        if may_have_succeeded:
            message += (
                "; the request may have reached the server and taken effect (it was not "
                "sent again): check before retrying it"
            )
        super().__init__(message)
        self.message = message
        self.request = request
        self.may_have_succeeded = may_have_succeeded

    def __str__(self) -> str:
        return f"{self.message} ({self.request.method} {self.request.url})"


class APITimeoutError(APIConnectionError):
    """The request timed out (connecting, writing, reading or waiting for a pooled connection)."""

    def __init__(
        self,
        message: str = "Request timed out.",
        *,
        request: httpx.Request,
        may_have_succeeded: bool = False,
    ) -> None:
        """Raised by the SDK with the request that timed out."""
        super().__init__(message, request=request, may_have_succeeded=may_have_succeeded)


class WaitTimeoutError(TikMatrixError, TimeoutError):
    """``tasks.wait`` or ``tasks.wait_all`` gave up: tasks had not finished in time.

    Attributes:
        task_id: the id of the (first) task that had not finished.
        task: the last state seen of that task, so callers can report how far it got.
        unfinished: the last state of every task that had not finished, by id (one entry
            for ``wait``).
        timeout: the seconds waited.
    """

    def __init__(
        self,
        task_id: int,
        timeout: float,
        task: Any,
        *,
        unfinished: Mapping[int, Any] | None = None,
    ) -> None:
        """Raised by ``tasks.wait`` and ``tasks.wait_all`` with the last states they saw."""
        self.unfinished = dict(unfinished) if unfinished else {task_id: task}
        if len(self.unfinished) == 1:
            message = (
                f"task {task_id} did not finish within {timeout:g} s (last status: {task.status!r})"
            )
        else:
            ids = ", ".join(str(unfinished_id) for unfinished_id in self.unfinished)
            message = f"tasks {ids} did not finish within {timeout:g} s"
        super().__init__(message)
        self.task_id = task_id
        self.timeout = timeout
        self.task = task

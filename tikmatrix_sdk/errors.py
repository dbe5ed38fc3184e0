"""The exceptions the SDK raises.

Everything derives from :class:`TikMatrixError`. Three main branches hang under it:

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

from ._shown_url import shown_url

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "BadRequestError",
    "ClientValidationError",
    "DeviceBusyError",
    "DeviceRPCError",
    "DeviceUnavailableError",
    "ElementNotFoundError",
    "InternalServerError",
    "LeaseError",
    "LicenseError",
    "MissingScriptNameError",
    "NoFreeSlotError",
    "NotFoundError",
    "PermissionDeniedError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "TikMatrixError",
    "UnexpectedResponseError",
    "StoreUnavailableError",
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


class PermissionDeniedError(APIError):
    """HTTP 403: the server refuses the call (a plan, a lease, or a setting forbids it).

    ``40303`` is the device API's adb route while it is disabled in TikMatrix's settings.
    """

    expected_code = 40303


class LicenseError(PermissionDeniedError):
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


class LeaseError(PermissionDeniedError):
    """``40302``: a device call without a live lease: none sent, expired, or released.

    A lease that expired under a ``with client.devices.lease(...)`` block (its heartbeat was
    refused) raises this at the block's next device call.
    """

    expected_code = 40302


class DeviceBusyError(APIError):
    """``40901`` (any HTTP 409): the device is leased by another program or runs a task.

    The reference server also answers it to a call on a lease while another call on the same
    lease is still running (one call at a time per lease).
    """

    expected_code = 40901


class NoFreeSlotError(DeviceBusyError):
    """``40902``: every device slot of the plan is taken by leases and running tasks."""

    expected_code = 40902


class DeviceRPCError(APIError):
    """``42201``: the device's uiautomator2 server answered the call with an error.

    :attr:`rpc_code` is the device's JSON-RPC error code (``-32002``: no such element;
    ``-32601``: no such method), when the server reported it.
    """

    expected_code = 42201

    @property
    def rpc_code(self) -> int | None:
        """The device's JSON-RPC error code, when the server reported it."""
        if isinstance(self.data, dict) and isinstance(self.data.get("rpc_code"), int):
            code: int = self.data["rpc_code"]
            return code
        return None


class DeviceUnavailableError(APIError):
    """``50301``: the device is not connected, or failed while answering."""

    expected_code = 50301


class StoreUnavailableError(APIError):
    """``50302``: the server cannot write its task store (deleted, replaced, or the disk is full).

    Nothing was stored: the same request may be sent again once the server's store is back.
    """

    expected_code = 50302


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
        PermissionDeniedError,
        LeaseError,
        NotFoundError,
        DeviceBusyError,
        NoFreeSlotError,
        DeviceRPCError,
        InternalServerError,
        DeviceUnavailableError,
        StoreUnavailableError,
    )
    if cls.expected_code is not None
}
_ERRORS_BY_STATUS: dict[int, type[APIError]] = {
    403: PermissionDeniedError,
    404: NotFoundError,
    409: DeviceBusyError,
}


def error_class_for_code(code: int, status_code: int | None = None) -> type[APIError]:
    """Return the exception class that stands for an envelope ``code``.

    A code the SDK does not know is read from the HTTP status where that says enough (403:
    :class:`PermissionDeniedError`, 404: :class:`NotFoundError`, 409:
    :class:`DeviceBusyError`); otherwise it maps to :class:`APIError` itself, which still
    carries the code.
    """
    known = _ERRORS_BY_CODE.get(code)
    if known is not None:
        return known
    return _ERRORS_BY_STATUS.get(status_code or 0, APIError)


class ElementNotFoundError(TikMatrixError, LookupError):
    """No element on a leased device's screen matched the selector (within the timeout).

    Attributes:
        selector: the selector, as given (``{"text": "Follow"}``).
        timeout: the seconds waited (0 for a single look).
    """

    def __init__(self, selector: Mapping[str, Any], timeout: float) -> None:
        """Raised by ``wait_for`` and ``click`` with what they looked for."""
        self.selector = dict(selector)
        self.timeout = timeout
        wanted = ", ".join(f"{key}={value!r}" for key, value in self.selector.items())
        waited = f" within {timeout:g} s" if timeout else ""
        super().__init__(f"no element matching {wanted} appeared{waited}")


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
        sent = f"{self.request.method} {shown_url(self.request.url)}"
        return f"{self.message} (HTTP {self.status_code} to {sent}): {snippet!r}"


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
        return f"{self.message} ({self.request.method} {shown_url(self.request.url)})"


class ResponseTooLargeError(APIConnectionError):
    """The answer was longer than the client reads (its ``max_response_bytes``).

    The SDK stops reading at the bound (or at once, when the answer says its length), so a
    host that answers gigabytes costs no more memory than the bound. It is not retried.
    """


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
                f"task {task_id} did not finish within {timeout:g} s (last status: {task.status})"
            )
        else:
            ids = ", ".join(str(unfinished_id) for unfinished_id in self.unfinished)
            message = f"tasks {ids} did not finish within {timeout:g} s"
        super().__init__(message)
        self.task_id = task_id
        self.timeout = timeout
        self.task = task

"""An endpoint as data, and the one program that sends it with retries and reads the answer."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx

from . import _json
from ._deadline import ResponseTooLarge
from ._effects import Now, Program, Send, Sleep
from ._lazy import lazy_module
from ._logs import logger
from ._options import ClientOptions
from ._records import Record, set_field
from ._response import read_envelope
from ._retry import backoff_delay, may_retry_answer, may_retry_transport_error, never_sent
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ResponseTooLargeError,
    UnexpectedResponseError,
)

__all__ = ["Endpoint", "call"]

T = TypeVar("T")

_NO_BODY = object()

if TYPE_CHECKING:
    from . import _converter, _one_pass
    from ._contract import routes as _routes
else:  # the readers (and cattrs) load with the first answer, the routes with the first call
    _converter = lazy_module("tikmatrix_sdk._converter")
    _one_pass = lazy_module("tikmatrix_sdk._one_pass")
    _routes = lazy_module("tikmatrix_sdk._contract.routes")


class Endpoint(Record, Generic[T]):
    """What one API operation sends and what its ``data`` is read into. Pure data, no I/O.

    ``returns`` is a model (``Task``) or any type the converter reads (``list[int]``);
    ``None`` keeps the data as decoded. ``headers`` are the endpoint's own (a device call's
    lease); ``loose`` reads the device API's envelope variants; ``binary`` takes a success
    answer's bytes as they are (a screenshot), errors still being envelopes.
    """

    __slots__ = (
        "binary",
        "body",
        "headers",
        "loose",
        "method",
        "params",
        "path",
        "returns",
        "within",
    )

    method: str
    path: str
    returns: type[T] | None
    params: Mapping[str, str] | None
    body: Any
    headers: Mapping[str, str] | None
    loose: bool
    binary: bool
    within: float | None

    def __init__(
        self,
        method: str,
        path: str,
        returns: type[T] | None,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = _NO_BODY,
        headers: Mapping[str, str] | None = None,
        loose: bool = False,
        binary: bool = False,
        within: float | None = None,
    ) -> None:
        set_field(self, "method", method)
        set_field(self, "path", path)
        set_field(self, "returns", returns)
        set_field(self, "params", params)
        set_field(self, "body", body)
        set_field(self, "headers", headers)
        set_field(self, "loose", loose)
        set_field(self, "binary", binary)
        set_field(self, "within", within)

    @classmethod
    def of(
        cls,
        route: str,
        returns: type[T] | None,
        /,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = _NO_BODY,
        headers: Mapping[str, str] | None = None,
        loose: bool = False,
        binary: bool = False,
        within: float | None = None,
        **path: object,
    ) -> Endpoint[T]:
        """The contract's operation ``route`` (``"get_task"``): its method and its path.

        ``path`` holds the path's parameters (``task_id=7``), each quoted as one segment.
        """
        found = _routes.named(route)
        return cls(
            found.method,
            found.url(**path),
            returns,
            params=params,
            body=body,
            headers=headers,
            loose=loose,
            binary=binary,
            within=within,
        )

    def parse(self, data: Any) -> T:
        """Read the answer's ``data`` into :attr:`returns`."""
        if self.returns is None:
            return data  # type: ignore[no-any-return]
        return _converter.structure(data, self.returns)

    @property
    def idempotent(self) -> bool:
        """Whether sending it twice is harmless: only reads are."""
        return self.method == "GET"

    def to_send(self, options: ClientOptions) -> Send:
        """The :class:`Send` effect for this endpoint under a client's options."""
        has_body = self.body is not _NO_BODY
        headers = options.request_headers(has_body=has_body)
        if self.headers:
            headers.update(self.headers)
        if self.binary:
            headers["Accept"] = "*/*"
        return Send(
            method=self.method,
            url=options.url(self.path),
            params=self.params,
            content=_json.dumps(self.body) if has_body else None,
            headers=headers,
            timeout=options.timeout,
            max_bytes=options.max_response_bytes,
            within=self.within,
        )

    def read(self, response: httpx.Response) -> T:
        """The answer's data, read into :attr:`returns`; an error envelope raises."""
        is_json = response.headers.get("content-type", "").startswith("application/json")
        if self.binary and response.status_code < 300 and not is_json:
            return self.parse(response.content)
        returns = self.returns
        if returns is None or self.loose or response.status_code >= 400:
            return read_envelope(response, self.parse, loose=self.loose)
        found = _one_pass.read(response.content, returns)
        if found is not _one_pass.MISS and found is not _one_pass.SKIPPED:
            return found  # type: ignore[no-any-return]
        result = read_envelope(response, self.parse)
        if found is _one_pass.MISS:  # tried and missed: there may be keys to learn
            _one_pass.learn(returns, result)
        return result


def _transport_error(exc: httpx.RequestError, *, idempotent: bool) -> APIConnectionError:
    request = exc.request
    unsure = not idempotent and not never_sent(exc)
    if isinstance(exc, ResponseTooLarge):
        return ResponseTooLargeError(str(exc), request=request, may_have_succeeded=unsure)
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"Request timed out: {type(exc).__name__}", request=request, may_have_succeeded=unsure
        )
    return APIConnectionError(
        f"Connection error: {exc or type(exc).__name__}", request=request, may_have_succeeded=unsure
    )


def _elapsed(response: httpx.Response) -> str:
    """How long the answer took, as httpx measured it (a mock transport may not say)."""
    try:
        return f"{response.elapsed.total_seconds() * 1000:.1f} ms"
    except RuntimeError:
        return "time unknown"


def _log_answer(target: str, response: httpx.Response) -> None:
    """Log an answer; the time and body are only formatted when they will be written."""
    if logger.isEnabledFor(logging.INFO):
        logger.info("%s -> %d (%s)", target, response.status_code, _elapsed(response))
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("%s response body: %s", target, response.text)


def call(options: ClientOptions, endpoint: Endpoint[T]) -> Program[T]:
    """Send ``endpoint``, retrying only where a repeat cannot do harm, and return its data.

    Each request and its answer (method, path, status, milliseconds) and each retry (its
    reason and delay) are logged at INFO on the ``tikmatrix_sdk`` logger; bodies only at DEBUG
    (a request's body as it leaves, per-call options applied: see :class:`Send`).
    """
    send = endpoint.to_send(options)
    idempotent = endpoint.idempotent
    target = f"{endpoint.method} {endpoint.path}"
    retries = 0
    # An operation's own time limit (a wait's) bounds every attempt and the retries together.
    budget = None if endpoint.within is None else (yield Now()) + endpoint.within
    while True:
        if budget is not None:
            send = send.replace(within=max(0.0, budget - (yield Now())))
        try:
            response: httpx.Response = yield send
        except httpx.RequestError as exc:
            logger.info("%s failed: %s", target, type(exc).__name__)
            delay = backoff_delay(retries, None)
            if (
                retries >= options.max_retries
                or not may_retry_transport_error(exc, idempotent=idempotent)
                or (budget is not None and (yield Now()) + delay >= budget)
            ):
                raise _transport_error(exc, idempotent=idempotent) from exc
            reason = type(exc).__name__
        else:
            _log_answer(target, response)
            try:
                return endpoint.read(response)
            except (APIError, UnexpectedResponseError) as error:
                delay = backoff_delay(retries, response.headers)
                if (
                    retries >= options.max_retries
                    or not may_retry_answer(response, error, idempotent=idempotent)
                    or (budget is not None and (yield Now()) + delay >= budget)
                ):
                    raise
            reason = f"HTTP {response.status_code}"
        logger.info(
            "retrying %s in %.2f s (retry %d of %d) after %s",
            target,
            delay,
            retries + 1,
            options.max_retries,
            reason,
        )
        yield Sleep(delay)
        retries += 1

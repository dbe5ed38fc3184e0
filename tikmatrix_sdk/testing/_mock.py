"""The mock itself: a respx router in front of the task and device routes, and its controls."""

from __future__ import annotations

import contextlib
import fnmatch
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

import attrs
import httpx

from .._contract import strict_json
from .._contract.codes import (
    BAD_REQUEST,
    NOT_FOUND,
    ContractError,
    http_status_of,
)
from .._contract.plans import PLANS, check_api_access
from .._contract.routes import match
from .._options import API_PREFIX, resolve_base_url
from .._shared.guards import CHANGES_STATE, refusal
from .._shared.install import install_hint

if TYPE_CHECKING:
    import respx

from ._device_routes import DeviceRoutes
from ._task_routes import TaskRoutes
from ._wire import envelope as _envelope
from ._wire import refused as _refused

__all__ = ["Call", "MockTikMatrix"]

#: The API prefix of every mock intercepting now: each answers its own host.
_LIVE: list[str] = []


@attrs.frozen
class Call:
    """One request the mock answered: its method, API path, query and JSON body.

    ``headers`` and ``timeout`` (httpx's ``connect``, ``read``, ``write`` and ``pool``) are
    what it was sent with.
    """

    method: str
    path: str
    params: Mapping[str, str]
    json: Any
    # Not compared: a test's Call(method, path, params, json) still equals what was sent.
    headers: Mapping[str, str] = attrs.field(factory=dict, repr=False, eq=False)
    timeout: Mapping[str, float | None] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.define
class _Rule:
    method: str
    path: str
    answer: Callable[[httpx.Request], httpx.Response]
    times: int | None

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and fnmatch.fnmatchcase(path, self.path)


class MockTikMatrix(TaskRoutes, DeviceRoutes):
    """An in-memory TikMatrix behind a respx router (see the module's docs).

    It refuses what the reference server refuses, with the same code and HTTP status: every
    request goes through the contract's own checks (``tikmatrix_sdk._contract``), the ones
    the server calls, and a test sends the same generated requests to both.

    Args:
        base_url: the root the SDK is pointed at (default: the SDK's default,
            ``http://localhost:50809``).
        devices: the serials of its devices (``device_serial_1`` … ``_5`` by default).
        accounts: its accounts, each a mapping with ``username`` and ``device`` (and
            optionally ``platform``, ``logined``, ``status``, ``tag``); by default one
            TikTok account ``@user{n}`` on the n-th device.
        plan: the license plan, any case (``Starter`` refuses every call with 40301).
        auto_complete: finish each pending task, completed, as soon as it is read.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        devices: Sequence[str] | None = None,
        accounts: Sequence[Mapping[str, Any]] | None = None,
        plan: str = "Pro",
        auto_complete: bool = False,
    ) -> None:
        """Prepare the mock; it intercepts requests between ``start()`` and ``stop()``."""
        try:
            import re2  # noqa: F401 - the device API checks selector patterns with it
            import respx
        except ImportError as missing:  # pragma: no cover - the testing extra is missing
            raise ImportError(
                f"tikmatrix_sdk.testing needs {missing.name or 'respx'}: {install_hint('testing')}"
            ) from None
        super().__init__(devices=devices, accounts=accounts, plan=plan, auto_complete=auto_complete)
        self.base_url = resolve_base_url(base_url)
        #: Every request answered, in order.
        self.calls: list[Call] = []
        self._rules: list[_Rule] = []
        self.router: respx.MockRouter = respx.mock(assert_all_called=False)
        self.router.route(url__startswith=f"{self.base_url}{API_PREFIX}/").mock(
            side_effect=self._answer
        )
        # Other hosts are not TikMatrix: left alone, but for another mock's (a fleet of them).
        self.router.route().mock(side_effect=self._elsewhere)

    def _elsewhere(self, request: httpx.Request) -> httpx.Request | None:
        """A request for another host: another live mock's to answer, else passed through."""
        url = str(request.url)
        if any(url.startswith(prefix) for prefix in _LIVE if prefix != self._prefix):
            return None  # not this router's: the next router (that mock's) answers it
        return request

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> MockTikMatrix:
        """Start intercepting."""
        self.router.start()
        _LIVE.append(self._prefix)
        return self

    def stop(self) -> None:
        """Stop intercepting."""
        with contextlib.suppress(ValueError):
            _LIVE.remove(self._prefix)
        self.router.stop()

    @property
    def _prefix(self) -> str:
        return f"{self.base_url}{API_PREFIX}/"

    def __enter__(self) -> MockTikMatrix:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what a test does --------------------------------------------------------------------

    def fail(
        self,
        route: str,
        *,
        code: int = 50001,
        message: str = "injected failure",
        http_status: int | None = None,
        times: int | None = None,
    ) -> None:
        """Make ``"METHOD /path"`` (a glob: ``"GET /task/*"``) answer an error code.

        ``http_status`` defaults to the code's (400, 403, 404 …; 500 for 50001); ``times``
        limits how many calls it affects (all of them by default). Failures are tried in the
        order they were set; the first that matches a call answers it.
        """
        status = http_status or http_status_of(code)
        self._add(route, lambda request: _envelope(None, code, message, status), times)

    def fail_transport(
        self,
        route: str,
        error: type[httpx.TransportError] = httpx.ConnectError,
        *,
        times: int | None = None,
    ) -> None:
        """Make ``"METHOD /path"`` raise a transport error (no answer at all)."""

        def answer(request: httpx.Request) -> httpx.Response:
            raise error("injected transport failure", request=request)

        self._add(route, answer, times)

    def clear_failures(self) -> None:
        """Remove every failure set with :meth:`fail` or :meth:`fail_transport`."""
        with self._lock:
            self._rules.clear()

    def _add(
        self, route: str, answer: Callable[[httpx.Request], httpx.Response], times: int | None
    ) -> None:
        method, _, path = route.partition(" ")
        if not path.startswith("/"):
            raise ValueError(f'a route is "METHOD /path", got {route!r}')
        with self._lock:
            self._rules.append(_Rule(method.upper(), path, answer, times))

    @staticmethod
    def answer(data: Any) -> httpx.Response:
        """A success envelope holding ``data``.

        An operation the mock lacks is added by a subclass: a method named ``_`` and the
        route's name (``_task_logs``), taking the request, its JSON body and the path's
        parameters, that checks with the contract's functions and returns ``answer(...)``;
        a ``ContractError`` it raises (``tikmatrix_sdk._contract.codes``) becomes the error
        envelope, with the code's HTTP status.
        """
        return _envelope(data)

    # -- the fake API ------------------------------------------------------------------------

    def _answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path[len(API_PREFIX) :]
        headers = dict(request.headers)
        # The host it was given is allowed, as the server allows the names its user allows.
        refused = refusal(
            request.method,
            headers.get("host", ""),
            headers,
            scheme=request.url.scheme,
            allowed_hosts=(httpx.URL(self.base_url).host.lower(),),
        )
        if refused is not None:
            return _envelope(None, BAD_REQUEST, refused.message, refused.status)
        body = None
        if request.method in CHANGES_STATE and request.content:
            try:
                body = strict_json.loads(request.content)
            except ValueError as error:
                return _envelope(None, BAD_REQUEST, strict_json.refusal_message(error), 400)
        with self._lock:
            sent = Call(
                request.method, path, dict(request.url.params), body,
                headers=dict(request.headers), timeout=dict(request.extensions.get("timeout", {})),
            )  # fmt: skip
            self.calls.append(sent)
            for rule in self._rules:
                if rule.matches(request.method, path) and rule.times != 0:
                    if rule.times is not None:
                        rule.times -= 1
                    return rule.answer(request)
            route, arguments, allowed = match(request.method, path)
            handler: Callable[..., httpx.Response] | None = getattr(
                self, f"_{route.name}" if route else "", None
            )
            if route is None and allowed:
                return _envelope(
                    None,
                    BAD_REQUEST,
                    "The method is not allowed for the requested URL.",
                    405,
                    {"Allow": ", ".join(sorted(allowed))},
                )
            if route is not None and route.of_task is not None:  # answered by its rule, always
                handler = self._of_task(route.of_task)
            if route is None or handler is None:  # no route, or one this mock cannot answer
                return _envelope(None, NOT_FOUND, f"no route {request.method} {path}", 404)
            try:
                if route.name != "openapi":
                    check_api_access(PLANS[self.plan])
                return handler(request, body, **arguments)
            except ContractError as error:
                return _refused(error)

"""A stand-in for TikMatrix in unit tests that must not start a server: a respx mock router.

:class:`MockTikMatrix` intercepts the SDK's requests (and any other httpx client's) to one
base URL and answers them from a small in-memory TikMatrix, consistent across calls: a
created task can be got, listed, stopped, retried and deleted; its counts show in the stats.
Tasks stay pending until the test moves them (:meth:`MockTikMatrix.finish`,
:meth:`~MockTikMatrix.run_all`), or finish as soon as they are read with
``auto_complete=True``. Any endpoint can be made to answer an error code or to fail in
transport, and every call is recorded.

>>> from tikmatrix_sdk import FollowConfig, TikMatrix
>>> from tikmatrix_sdk.testing import MockTikMatrix
>>> with MockTikMatrix() as mock, TikMatrix() as client:
...     follow = FollowConfig(target_username="@a")
...     created = client.tasks.create(follow, serials=["device_serial_1"])
...     mock.finish(created.task_ids[0], remark="followed")
...     print(client.tasks.get(created.task_ids[0]).remark, len(mock.calls))
followed 2

Needs respx: the ``testing`` extra (``python -m pip install ".[testing]"`` in a clone of the
repository; the package is not on PyPI yet).
"""

from __future__ import annotations

import base64
import fnmatch
import itertools
import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any

import attrs
import httpx

from ._contract import shapes, strict_json
from ._contract.codes import (
    BAD_REQUEST,
    NOT_FOUND,
    ContractError,
    http_status_of,
)
from ._contract.devices import (
    adb_disabled,
    already_leased,
    lease_not_found,
    lease_required,
    no_free_slot,
    parse_adb,
    parse_heartbeat,
    parse_lease,
    parse_ui_call,
    serial_query,
    session_header,
    unknown_device,
)
from ._contract.lifecycle import (
    COMPLETED,
    FAILED,
    PENDING,
    RUNNING,
    STATUS_NAMES,
    STOPPED_REMARK,
    check_retryable,
    check_stoppable,
    task_not_found,
)
from ._contract.plans import PLANS, check_api_access, plan_named
from ._contract.routes import match, named, negotiate
from ._contract.tasks import (
    account_filters,
    page_args,
    parse_create,
    parse_task_id,
    parse_task_ids,
    plan_targets,
    task_filters,
)
from ._options import API_PREFIX, resolve_base_url
from ._shared.guards import CHANGES_STATE, refusal
from ._shared.install import install_hint

if TYPE_CHECKING:
    import respx

__all__ = ["Call", "MockTikMatrix"]

_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
_HIERARCHY = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">"
    '<node index="0" text="TikTok" resource-id="com.android.launcher3:id/icon" '
    'class="android.widget.TextView" package="com.android.launcher3" content-desc="TikTok" '
    'clickable="true" selected="false" bounds="[0,100][1080,200]" /></hierarchy>'
)


@attrs.frozen
class Call:
    """One request the mock answered: its method, API path, query and JSON body."""

    method: str
    path: str
    params: Mapping[str, str]
    json: Any


@attrs.define
class _Rule:
    method: str
    path: str
    answer: Callable[[httpx.Request], httpx.Response]
    times: int | None

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and fnmatch.fnmatchcase(path, self.path)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _now() -> str:
    return _iso(datetime.now(UTC))


def _envelope(
    data: Any = None,
    code: int = 0,
    message: str = "success",
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    body = {"code": code, "message": message, "data": data}
    return httpx.Response(status, json=body, headers=headers)


def _refused(error: ContractError) -> httpx.Response:
    return _envelope(error.data, error.code, error.message, error.http_status)


class MockTikMatrix:
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
            import respx
        except ImportError:  # pragma: no cover - the testing extra is missing
            raise ImportError(
                f"tikmatrix_sdk.testing needs respx: {install_hint('testing')}"
            ) from None
        named = plan_named(plan)
        if named is None:
            raise ValueError(f"plan must be one of {', '.join(PLANS)}, got {plan!r}")
        self.base_url = resolve_base_url(base_url)
        self.devices = list(devices if devices is not None else _default_devices())
        #: The accounts, in the order the API lists them.
        self.accounts: list[dict[str, Any]] = [
            _account(number, account)
            for number, account in enumerate(
                accounts if accounts is not None else _default_accounts(self.devices), start=1
            )
        ]
        self.plan = named
        self.auto_complete = auto_complete
        #: Every request answered, in order.
        self.calls: list[Call] = []
        self.tasks: dict[int, dict[str, Any]] = {}
        self.leases: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._rules: list[_Rule] = []
        self._lock = threading.RLock()
        self.router: respx.MockRouter = respx.mock(assert_all_called=False)
        self.router.route(url__startswith=f"{self.base_url}{API_PREFIX}/").mock(
            side_effect=self._answer
        )
        self.router.route().pass_through()  # other hosts are not TikMatrix: left alone

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> MockTikMatrix:
        """Start intercepting."""
        self.router.start()
        return self

    def stop(self) -> None:
        """Stop intercepting."""
        self.router.stop()

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

    def finish(self, task_id: int, *, ok: bool = True, remark: str = "") -> None:
        """Finish a task: completed (or failed, with ``ok=False``)."""
        with self._lock:
            task = self.tasks[task_id]
            task.update(
                status=COMPLETED if ok else FAILED,
                remark=remark or ("done" if ok else "failed"),
                started_at=task["started_at"] or _now(),
                finished_at=_now(),
            )

    def run_all(self, *, ok: bool = True) -> list[int]:
        """Finish every pending or running task; their ids."""
        with self._lock:
            ids = [i for i, t in self.tasks.items() if t["status"] in (PENDING, RUNNING)]
        for task_id in ids:
            self.finish(task_id, ok=ok)
        return ids

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
        refused = refusal(request.method, headers.get("host", ""), headers)
        if refused is not None:
            return _envelope(None, BAD_REQUEST, refused.message, refused.status)
        body = None
        if request.method in CHANGES_STATE and request.content:
            try:
                body = strict_json.loads(request.content)
            except ValueError as error:
                return _envelope(None, BAD_REQUEST, strict_json.refusal_message(error), 400)
        with self._lock:
            self.calls.append(Call(request.method, path, dict(request.url.params), body))
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
            if route is not None and handler is None and route.of_task is not None:
                handler = self._of_task(route.of_task)
            if route is None or handler is None:  # no route, or one this mock cannot answer
                return _envelope(None, NOT_FOUND, f"no route {request.method} {path}", 404)
            try:
                if route.name != "openapi":
                    check_api_access(PLANS[self.plan])
                return handler(request, body, **arguments)
            except ContractError as error:
                return _refused(error)

    def _task_json(self, task_id: int) -> dict[str, Any]:
        task = self.tasks[task_id]
        if self.auto_complete and task["status"] == PENDING:
            self.finish(task_id)
        return dict(task)

    def _create_task(self, request: httpx.Request, body: Any) -> httpx.Response:
        checked = parse_create(body)
        targets = plan_targets(checked, PLANS[self.plan], _Directory(self))
        now = datetime.now(UTC).replace(microsecond=0)
        ids = []
        for serial, username in targets:
            for config in checked.task_configs:
                task_id = next(self._ids)
                self.tasks[task_id] = shapes.Task(
                    id=task_id,
                    status=PENDING,
                    serial=serial,
                    username=username,
                    script_name=checked.script_name,
                    script_config=config,
                    source=shapes.TaskSource.API,
                    enable_multi_account=checked.enable_multi_account,
                    start_time=checked.start_time,
                    scheduled_at=now,
                    created_at=now,
                ).to_dict()
                ids.append(task_id)
        return _envelope({"task_ids": ids, "created_count": len(ids)})

    def _list_tasks(self, request: httpx.Request, body: Any) -> httpx.Response:
        page, size = page_args(request.url.params)
        filters = {k: v for k, v in task_filters(request.url.params).items() if v is not None}
        found = [self._task_json(i) for i in sorted(self.tasks, reverse=True)]
        found = [t for t in found if all(t[name] == value for name, value in filters.items())]
        items = found[(page - 1) * size : page * size]
        return _envelope({"tasks": items, "total": len(found), "page": page, "page_size": size})

    def _of_task(self, rule: Callable[[Mapping[str, Any]], Any]) -> Callable[..., httpx.Response]:
        """The answer of a route that a contract rule draws from one task."""

        def answer(request: httpx.Request, body: Any, task_id: str) -> httpx.Response:
            return _envelope(rule(self._task_json(self._task(task_id)["id"])))

        return answer

    def _task(self, raw: str) -> dict[str, Any]:
        task_id = parse_task_id(raw)
        if task_id not in self.tasks:
            raise task_not_found(task_id)
        return self.tasks[task_id]

    def _get_task(self, request: httpx.Request, body: Any, task_id: str) -> httpx.Response:
        return _envelope(self._task_json(self._task(task_id)["id"]))

    def _stop_task(self, request: httpx.Request, body: Any, task_id: str) -> httpx.Response:
        task = self._task(task_id)
        check_stoppable(task["id"], task["status"])
        task.update(status=FAILED, remark=STOPPED_REMARK, finished_at=_now())
        return _envelope(dict(task))

    def _retry_task(self, request: httpx.Request, body: Any, task_id: str) -> httpx.Response:
        task = self._task(task_id)
        check_retryable(task["id"], task["status"])
        task.update(status=PENDING, retry_count=task["retry_count"] + 1, remark="")
        task.update(started_at=None, finished_at=None)
        return _envelope(dict(task))

    def _retry_all(self, request: httpx.Request, body: Any) -> httpx.Response:
        ids = [i for i, t in self.tasks.items() if t["status"] == FAILED]
        for task_id in ids:
            self._retry_task(request, None, str(task_id))
        return _envelope({"retried_count": len(ids), "task_ids": ids})

    def _delete_task(self, request: httpx.Request, body: Any, task_id: str) -> httpx.Response:
        task = self.tasks.pop(self._task(task_id)["id"])
        return _envelope({"deleted_count": 1, "task_ids": [task["id"]]})

    def _delete_batch(self, request: httpx.Request, body: Any) -> httpx.Response:
        ids = list(dict.fromkeys(parse_task_ids(body)))
        deleted = [i for i in ids if self.tasks.pop(i, None) is not None]
        missing = [i for i in ids if i not in deleted]
        return _envelope(
            {"deleted_count": len(deleted), "task_ids": deleted, "not_found_ids": missing}
        )

    def _task_stats(self, request: httpx.Request, body: Any) -> httpx.Response:
        statuses = [self._task_json(i)["status"] for i in list(self.tasks)]
        counts = {name: statuses.count(status) for status, name in STATUS_NAMES.items()}
        return _envelope({"total": len(statuses), **counts})

    def _license_check(self, request: httpx.Request, body: Any) -> httpx.Response:
        return _envelope(PLANS[self.plan].to_json())

    def _list_accounts(self, request: httpx.Request, body: Any) -> httpx.Response:
        page, size = page_args(request.url.params)
        filters = account_filters(request.url.params)
        found = [
            account
            for account in self.accounts
            if all(
                value is None or account[name] == value
                for name, value in filters.items()
                if name != "logined"
            )
            and (filters["logined"] is None or int(account["logined"]) == filters["logined"])
        ]
        return _envelope(
            {
                "accounts": found[(page - 1) * size : page * size],
                "total": len(found),
                "page": page,
                "page_size": size,
            }
        )

    def _openapi(self, request: httpx.Request, body: Any) -> httpx.Response:
        return _envelope(None, NOT_FOUND, "the mock serves no OpenAPI document", 404)

    # -- the device API ----------------------------------------------------------------------

    def _live(self) -> dict[str, dict[str, Any]]:
        now = datetime.now(UTC)
        for key in [k for k, lease in self.leases.items() if lease["_expires"] <= now]:
            del self.leases[key]
        return self.leases

    def _lease_json(self, lease: Mapping[str, Any], *, reveal: bool = True) -> dict[str, Any]:
        left = (lease["_expires"] - datetime.now(UTC)).total_seconds()
        answer = {key: value for key, value in lease.items() if not key.startswith("_")}
        answer.update(
            session_id=lease["session_id"] if reveal else None,
            expires_at=_iso(lease["_expires"]),
            expires_in=max(0.0, round(left, 3)),
        )
        return answer

    def _list_devices(self, request: httpx.Request, body: Any) -> httpx.Response:
        holders = {lease["serial"]: lease for lease in self._live().values()}
        return _envelope(
            [
                {
                    "serial": serial,
                    "kind": "simulated",
                    "online": True,
                    "busy": serial in holders,
                    "task_id": None,
                    "leased": serial in holders,
                    "lease_label": holders[serial]["label"] if serial in holders else None,
                }
                for serial in self.devices
            ]
        )

    def _lease(self, request: httpx.Request, body: Any) -> httpx.Response:
        serial, label, ttl = parse_lease(body)
        if serial not in self.devices:
            raise unknown_device(serial)
        live = self._live()
        holder = next((lease for lease in live.values() if lease["serial"] == serial), None)
        if holder is not None:
            raise already_leased(serial, holder["label"])
        plan = PLANS[self.plan]
        if len(live) >= plan.device_limit:
            raise no_free_slot(plan.name, plan.device_limit)
        now = datetime.now(UTC)
        lease: dict[str, Any] = {
            "session_id": secrets.token_urlsafe(18),
            "serial": serial,
            "label": label,
            "ttl_secs": ttl,
            "created_at": _iso(now),
            "task_id": None,
            "_expires": now + _seconds(ttl),
        }
        live[lease["session_id"]] = lease
        return _envelope(self._lease_json(lease))

    def _list_leases(self, request: httpx.Request, body: Any) -> httpx.Response:
        presented = session_header(request.headers.get("x-session-id"))
        return _envelope(
            [
                self._lease_json(lease, reveal=key == presented)
                for key, lease in self._live().items()
            ]
        )

    def _held(self, session_id: str | None, serial: str | None = None) -> dict[str, Any]:
        lease = self._live().get(session_id) if session_id else None
        lease_required(session_id, serial, lease["serial"] if lease is not None else "")
        assert lease is not None
        return lease

    def _heartbeat(self, request: httpx.Request, body: Any, session_id: str) -> httpx.Response:
        ttl = parse_heartbeat(body)
        lease = self._held(session_id)
        lease.update(ttl_secs=ttl, _expires=datetime.now(UTC) + _seconds(ttl))
        return _envelope(self._lease_json(lease))

    def _release(self, request: httpx.Request, body: Any, session_id: str) -> httpx.Response:
        lease = self._live().pop(session_id, None)
        if lease is None:
            raise lease_not_found()
        return _envelope(self._lease_json(lease))

    def _session(self, request: httpx.Request) -> str | None:
        return session_header(request.headers.get("x-session-id"))

    def _jsonrpc(self, request: httpx.Request, body: Any) -> httpx.Response:
        call = parse_ui_call(body)
        lease = self._held(self._session(request), call.serial)
        if call.method == "deviceInfo":
            return _envelope(
                {
                    "productName": lease["serial"],
                    "displayWidth": 1080,
                    "displayHeight": 2340,
                    "currentPackageName": "com.android.launcher3",
                    "sdkInt": 33,
                }
            )
        return _envelope(True)

    def _hierarchy(self, request: httpx.Request, body: Any) -> httpx.Response:
        session = self._session(request)
        self._held(session, serial_query(request.url.params.get("serial")))
        media = negotiate(named("hierarchy"), request.headers.get("accept"))
        return httpx.Response(200, content=_HIERARCHY.encode(), headers={"Content-Type": media})

    def _screenshot(self, request: httpx.Request, body: Any) -> httpx.Response:
        session = self._session(request)
        self._held(session, serial_query(request.url.params.get("serial")))
        media = negotiate(named("screenshot"), request.headers.get("accept"))
        return httpx.Response(200, content=_PNG, headers={"Content-Type": media})

    def _adb(self, request: httpx.Request, body: Any) -> httpx.Response:
        call = parse_adb(body)
        self._held(self._session(request), call.serial)
        raise adb_disabled()


class _Directory:
    """The contract's ``Directory`` over the mock's devices and accounts."""

    def __init__(self, mock: MockTikMatrix) -> None:
        self._mock = mock

    def devices_of(self, usernames: Sequence[str]) -> dict[str, str]:
        """The device of each known account among ``usernames``."""
        accounts = self._mock.accounts
        return {a["username"]: a["device"] for a in accounts if a["username"] in usernames}

    def known_devices(self) -> list[str]:
        """Every device's serial."""
        return self._mock.devices

    def accounts_on(self, serials: Sequence[str]) -> dict[str, list[str]]:
        """The accounts on each device named."""
        accounts = self._mock.accounts
        return {s: [a["username"] for a in accounts if a["device"] == s] for s in serials}


def _seconds(ttl: float) -> timedelta:
    return timedelta(seconds=ttl)


def _default_devices() -> list[str]:
    return [f"device_serial_{number}" for number in range(1, 6)]


def _default_accounts(devices: Sequence[str]) -> list[dict[str, Any]]:
    return [
        {"username": f"@user{number}", "device": serial}
        for number, serial in enumerate(devices, start=1)
    ]


def _account(number: int, account: Mapping[str, Any]) -> dict[str, Any]:
    """An account as the API lists it, numbered in the order it was given."""
    return {
        "id": number,
        "username": account["username"],
        "device": account["device"],
        "platform": account.get("platform") or "tiktok",
        "logined": bool(account.get("logined", True)),
        "status": account.get("status") or 0,
        "tag": account.get("tag") or "default",
    }

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
import json
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from types import TracebackType
from typing import TYPE_CHECKING, Any

import attrs
import httpx

from ._install import install_hint
from ._options import API_PREFIX, resolve_base_url

if TYPE_CHECKING:
    import respx

__all__ = ["Call", "MockTikMatrix"]

_PENDING, _RUNNING, _COMPLETED, _FAILED = 0, 1, 2, 3
#: The scripts TikMatrix runs through the API (others are refused with 40003, as it does).
_SCRIPTS = frozenset({"post", "follow", "unfollow", "comment", "account_warmup"})
_NAMES = {_PENDING: "pending", _RUNNING: "running", _COMPLETED: "completed", _FAILED: "failed"}
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


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _envelope(
    data: Any = None, code: int = 0, message: str = "success", status: int = 200
) -> httpx.Response:
    body = {"code": code, "message": message, "data": data}
    return httpx.Response(status, json=body)


def _error(code: int, message: str) -> httpx.Response:
    status = {40001: 400, 40301: 403, 40302: 403, 40401: 404, 40901: 409}.get(code, 400)
    return _envelope(None, code, message, status)


class MockTikMatrix:
    """An in-memory TikMatrix behind a respx router (see the module's docs).

    Args:
        base_url: the root the SDK is pointed at (default: the SDK's default,
            ``http://localhost:50809``).
        devices: the serials of its devices (``device_serial_1`` … ``_5`` by default), each
            with one TikTok account ``@user{n}``.
        plan: the license plan (``Starter`` refuses every call with 40301).
        auto_complete: finish each pending task, completed, as soon as it is read.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        devices: Sequence[str] | None = None,
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
        self.base_url = resolve_base_url(base_url)
        self.devices = list(devices or [f"device_serial_{i}" for i in range(1, 6)])
        self.plan = plan
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
        status = http_status or (500 if code == 50001 else _error(code, "").status_code)
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
                status=_COMPLETED if ok else _FAILED,
                remark=remark or ("done" if ok else "failed"),
                started_at=task["started_at"] or _now(),
                finished_at=_now(),
            )

    def run_all(self, *, ok: bool = True) -> list[int]:
        """Finish every pending or running task; their ids."""
        with self._lock:
            ids = [i for i, t in self.tasks.items() if t["status"] in (_PENDING, _RUNNING)]
        for task_id in ids:
            self.finish(task_id, ok=ok)
        return ids

    # -- the fake API ------------------------------------------------------------------------

    def _answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path[len(API_PREFIX) :]
        try:
            body = json.loads(request.content) if request.content else None
        except ValueError:
            return _error(40001, "the request body is not valid JSON")
        with self._lock:
            self.calls.append(Call(request.method, path, dict(request.url.params), body))
            for rule in self._rules:
                if rule.matches(request.method, path) and rule.times != 0:
                    if rule.times is not None:
                        rule.times -= 1
                    return rule.answer(request)
            if self.plan == "Starter" and path != "/openapi.json":
                return _error(40301, "API access requires a Pro, Team or Business plan")
            for pattern, method, handler in _ROUTES:
                match = pattern.fullmatch(path)
                if match and method == request.method:
                    result: httpx.Response = handler(self, request, body, *match.groups())
                    return result
            return _error(40401, f"no route {request.method} {path}")

    def _task_json(self, task_id: int) -> dict[str, Any]:
        task = self.tasks[task_id]
        if self.auto_complete and task["status"] == _PENDING:
            self.finish(task_id)
        return dict(task)

    def _create(self, request: httpx.Request, body: Any) -> httpx.Response:
        if not isinstance(body, dict) or not body.get("script_name"):
            return _error(40002, "script_name is required")
        if body["script_name"] not in _SCRIPTS:
            return _error(40003, f"script {body['script_name']!r} is unknown")
        if not isinstance(body.get("script_config"), dict):
            return _error(40001, "script_config is required")
        if bool(body.get("serials")) == bool(body.get("usernames")):
            return _error(40001, "give exactly one of serials (device mode) or usernames")
        known = {f"@user{n}" for n in range(1, len(self.devices) + 1)}
        strangers = [name for name in body.get("usernames") or [] if name not in known]
        if strangers:
            return _error(40001, f"usernames: unknown account {strangers[0]!r}")
        targets = [(serial, None) for serial in body.get("serials") or []]
        targets += [(self._device_of(name), name) for name in body.get("usernames") or []]
        if not targets:
            return _error(40001, "give exactly one of serials or usernames")
        unknown = [serial for serial, _ in targets if serial not in self.devices]
        if body.get("serials") and unknown:
            return _error(40001, f"serials: unknown device {unknown[0]!r}")
        now = _now()
        ids = []
        for serial, username in targets:
            task_id = next(self._ids)
            self.tasks[task_id] = {
                "id": task_id,
                "serial": serial,
                "username": username,
                "script_name": body["script_name"],
                "script_config": body.get("script_config") or {},
                "status": _PENDING,
                "source": "api",
                "enable_multi_account": bool(body.get("enable_multi_account")),
                "start_time": body.get("start_time"),
                "scheduled_at": now,
                "retry_count": 0,
                "remark": "",
                "created_at": now,
                "started_at": None,
                "finished_at": None,
            }
            ids.append(task_id)
        return _envelope({"task_ids": ids, "created_count": len(ids)})

    def _device_of(self, username: str) -> str | None:
        """The device of an account ``@user{n}`` (the first device for any other name)."""
        number = username.removeprefix("@user")
        if number.isdigit() and 1 <= int(number) <= len(self.devices):
            return self.devices[int(number) - 1]
        return self.devices[0] if self.devices else None

    def _paging(self, request: httpx.Request) -> tuple[int, int] | httpx.Response:
        """``page`` and ``page_size`` as the server checks them."""
        raw_page = request.url.params.get("page", "1")
        raw_size = request.url.params.get("page_size", "20")
        if not raw_page.isdigit() or not 1 <= int(raw_page) <= 1_000_000:
            return _error(40001, f"page must be an integer from 1 to 1000000, got {raw_page!r}")
        if not raw_size.isdigit() or not 1 <= int(raw_size) <= 100:
            return _error(40001, f"page_size must be an integer from 1 to 100, got {raw_size!r}")
        return int(raw_page), int(raw_size)

    def _list(self, request: httpx.Request, body: Any) -> httpx.Response:
        params = request.url.params
        paging = self._paging(request)
        if isinstance(paging, httpx.Response):
            return paging
        if params.get("status") is not None and params["status"] not in ("0", "1", "2", "3"):
            return _error(40001, f"status must be 0, 1, 2 or 3, got {params['status']!r}")
        found = [self._task_json(i) for i in sorted(self.tasks, reverse=True)]
        for name in ("serial", "script_name", "source"):
            if params.get(name):
                found = [t for t in found if t[name] == params[name]]
        if params.get("status") is not None:
            found = [t for t in found if str(t["status"]) == params["status"]]
        page, size = paging
        items = found[(page - 1) * size : page * size]
        return _envelope({"tasks": items, "total": len(found), "page": page, "page_size": size})

    def _one(self, task_id: str) -> dict[str, Any] | httpx.Response:
        if not task_id.isdigit() or int(task_id) not in self.tasks:
            return _error(40401, f"task {task_id} not found")
        return self.tasks[int(task_id)]

    def _get(self, request: httpx.Request, body: Any, task_id: str) -> httpx.Response:
        task = self._one(task_id)
        return task if isinstance(task, httpx.Response) else _envelope(self._task_json(task["id"]))

    def _stop(self, request: httpx.Request, body: Any, task_id: str) -> httpx.Response:
        task = self._one(task_id)
        if isinstance(task, httpx.Response):
            return task
        if task["status"] not in (_PENDING, _RUNNING):
            return _error(40001, f"task {task_id} is not pending or running and cannot be stopped")
        task.update(status=_FAILED, remark="stopped by user", finished_at=_now())
        return _envelope(dict(task))

    def _retry(self, request: httpx.Request, body: Any, task_id: str) -> httpx.Response:
        task = self._one(task_id)
        if isinstance(task, httpx.Response):
            return task
        if task["status"] != _FAILED:
            return _error(40001, f"task {task_id} has not failed and cannot be retried")
        task.update(status=_PENDING, retry_count=task["retry_count"] + 1, remark="")
        task.update(started_at=None, finished_at=None)
        return _envelope(dict(task))

    def _retry_all(self, request: httpx.Request, body: Any) -> httpx.Response:
        ids = [i for i, t in self.tasks.items() if t["status"] == _FAILED]
        for task_id in ids:
            self._retry(request, None, str(task_id))
        return _envelope({"retried_count": len(ids), "task_ids": ids})

    def _delete(self, request: httpx.Request, body: Any, task_id: str) -> httpx.Response:
        task = self._one(task_id)
        if isinstance(task, httpx.Response):
            return task
        del self.tasks[task["id"]]
        return _envelope({"deleted_count": 1, "task_ids": [task["id"]]})

    def _delete_batch(self, request: httpx.Request, body: Any) -> httpx.Response:
        ids = body.get("task_ids") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not ids:
            return _error(40001, "task_ids must be a non-empty array of task ids")
        deleted = [i for i in dict.fromkeys(ids) if self.tasks.pop(i, None) is not None]
        missing = [i for i in dict.fromkeys(ids) if i not in deleted]
        return _envelope(
            {"deleted_count": len(deleted), "task_ids": deleted, "not_found_ids": missing}
        )

    def _stats(self, request: httpx.Request, body: Any) -> httpx.Response:
        statuses = [self._task_json(i)["status"] for i in list(self.tasks)]
        counts = {name: statuses.count(status) for status, name in _NAMES.items()}
        return _envelope({"total": len(statuses), **counts})

    def _license(self, request: httpx.Request, body: Any) -> httpx.Response:
        limits = {"Pro": 20, "Team": 50, "Business": 1000}
        return _envelope(
            {
                "plan_name": self.plan,
                "api_enabled": True,
                "device_limit": limits.get(self.plan, 20),
                "message": "API access enabled",
            }
        )

    def _accounts(self, request: httpx.Request, body: Any) -> httpx.Response:
        accounts = [
            {
                "id": number,
                "username": f"@user{number}",
                "device": serial,
                "platform": "tiktok",
                "logined": True,
                "status": 0,
                "tag": "default",
            }
            for number, serial in enumerate(self.devices, start=1)
        ]
        device = request.url.params.get("device")
        accounts = [a for a in accounts if not device or a["device"] == device]
        paging = self._paging(request)
        if isinstance(paging, httpx.Response):
            return paging
        page, size = paging
        return _envelope(
            {
                "accounts": accounts[(page - 1) * size : page * size],
                "total": len(accounts),
                "page": page,
                "page_size": size,
            }
        )

    # -- the device API ----------------------------------------------------------------------

    def _rpc_devices(self, request: httpx.Request, body: Any) -> httpx.Response:
        holders = {lease["serial"]: lease for lease in self.leases.values()}
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
        serial = body.get("serial") if isinstance(body, dict) else None
        if serial not in self.devices:
            return _error(40401, f"serial: unknown device {serial!r}")
        if any(lease["serial"] == serial for lease in self.leases.values()):
            return _error(40901, f"device {serial} is already leased")
        session_id = f"session-{next(self._ids)}"
        ttl = float(body.get("ttl_secs") or 120)
        now = datetime.now(timezone.utc)
        lease = {
            "session_id": session_id,
            "serial": serial,
            "label": body.get("label") or "",
            "ttl_secs": ttl,
            "created_at": now.isoformat(timespec="seconds"),
            "expires_at": (now + timedelta(seconds=ttl)).isoformat(timespec="seconds"),
            "expires_in": ttl,
            "task_id": None,
        }
        self.leases[session_id] = lease
        return _envelope(dict(lease))

    def _leases(self, request: httpx.Request, body: Any) -> httpx.Response:
        presented = request.headers.get("x-session-id")
        return _envelope(
            [
                {**lease, "session_id": lease["session_id"] if key == presented else None}
                for key, lease in self.leases.items()
            ]
        )

    def _heartbeat(self, request: httpx.Request, body: Any, session_id: str) -> httpx.Response:
        lease = self.leases.get(session_id)
        return _envelope(dict(lease)) if lease else _error(40302, "the lease has expired")

    def _release(self, request: httpx.Request, body: Any, session_id: str) -> httpx.Response:
        lease = self.leases.pop(session_id, None)
        return _envelope(lease) if lease else _error(40401, "no live lease has this session id")

    def _device_call(self, request: httpx.Request, body: Any) -> httpx.Response | None:
        if request.headers.get("x-session-id") not in self.leases:
            return _error(40302, "this call needs a lease: send its id in x-session-id")
        return None

    def _jsonrpc(self, request: httpx.Request, body: Any) -> httpx.Response:
        refused = self._device_call(request, body)
        if refused is not None:
            return refused
        if isinstance(body, dict) and body.get("method") == "deviceInfo":
            lease = self.leases[request.headers["x-session-id"]]
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
        refused = self._device_call(request, body)
        return refused or httpx.Response(
            200, content=_HIERARCHY.encode(), headers={"Content-Type": "application/xml"}
        )

    def _screenshot(self, request: httpx.Request, body: Any) -> httpx.Response:
        refused = self._device_call(request, body)
        return refused or httpx.Response(200, content=_PNG, headers={"Content-Type": "image/png"})

    def _adb(self, request: httpx.Request, body: Any) -> httpx.Response:
        return self._device_call(request, body) or _error(
            40303, "the adb route is disabled; enable it in the settings"
        )


_Handler = Callable[..., httpx.Response]
_TABLE: list[tuple[str, str, _Handler]] = [
    ("/task", "POST", MockTikMatrix._create),
    ("/task", "GET", MockTikMatrix._list),
    ("/task/stats", "GET", MockTikMatrix._stats),
    ("/task/retry-all", "POST", MockTikMatrix._retry_all),
    ("/task/batch", "DELETE", MockTikMatrix._delete_batch),
    (r"/task/([^/]+)", "GET", MockTikMatrix._get),
    (r"/task/([^/]+)", "DELETE", MockTikMatrix._delete),
    (r"/task/([^/]+)/stop", "POST", MockTikMatrix._stop),
    (r"/task/([^/]+)/retry", "POST", MockTikMatrix._retry),
    ("/license/check", "GET", MockTikMatrix._license),
    ("/accounts", "GET", MockTikMatrix._accounts),
    ("/rpc/devices", "GET", MockTikMatrix._rpc_devices),
    ("/rpc/session", "POST", MockTikMatrix._lease),
    ("/rpc/session", "GET", MockTikMatrix._leases),
    (r"/rpc/session/([^/]+)/heartbeat", "POST", MockTikMatrix._heartbeat),
    (r"/rpc/session/([^/]+)", "DELETE", MockTikMatrix._release),
    ("/rpc/jsonrpc", "POST", MockTikMatrix._jsonrpc),
    ("/rpc/hierarchy", "GET", MockTikMatrix._hierarchy),
    ("/rpc/screenshot", "GET", MockTikMatrix._screenshot),
    ("/rpc/adb", "POST", MockTikMatrix._adb),
]
_ROUTES = [(re.compile(path), method, handler) for path, method, handler in _TABLE]

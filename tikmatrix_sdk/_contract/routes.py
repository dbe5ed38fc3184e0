"""Every operation of the Local API and the device API: its method, its path and its name.

The server's routes are checked against this table by a test, the mock answers from it, and
the OpenAPI document's paths and ``docs/contract.md``'s table of endpoints are drawn from it.
A path that matches no route answers 40401 (HTTP 404); a path that matches with another
method answers 40001 (HTTP 405) with an ``Allow`` header.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from . import limits
from .json_schema import ref
from .lifecycle import STATUSES

__all__ = ["API_PREFIX", "ROUTES", "TASK_FILTERS", "TASK_ID_SEGMENT", "Route", "match"]

#: Where the API lives under a server's root.
API_PREFIX = "/api/v1"
#: A task id's path segment: anything but the names of ``/task``'s fixed routes (else
#: ``GET /task/batch`` would read a task called "batch").
TASK_ID_SEGMENT = r"(?!(?:batch|stats|retry-all)$)[^/]+"
_SEGMENTS = {"task_id": TASK_ID_SEGMENT, "session_id": r"[^/]+"}


def _query(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema}


_TEXT: dict[str, Any] = {"type": "string"}
_TASK_ID = {
    "name": "task_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": limits.MAX_TASK_ID},
}
_SESSION_ID = {"name": "session_id", "in": "path", "required": True, "schema": _TEXT}
_PAGING = (
    _query("page", {"type": "integer", "minimum": 1, "maximum": limits.MAX_PAGE, "default": 1}),
    _query(
        "page_size",
        {
            "type": "integer",
            "minimum": 1,
            "maximum": limits.MAX_PAGE_SIZE,
            "default": limits.DEFAULT_PAGE_SIZE,
        },
    ),
)
#: ``GET /task``'s filters (the dashboard's state route takes them too).
TASK_FILTERS = (
    _query("status", {"type": "integer", "enum": list(STATUSES)}),
    _query("serial", _TEXT),
    _query("script_name", _TEXT),
    _query("source", {"type": "string", "enum": list(limits.SOURCES)}),
    *_PAGING,
)
_ACCOUNT_FILTERS = (
    _query("platform", _TEXT),
    _query("device", _TEXT),
    _query("logined", {"type": "boolean"}),
    _query("status", {"type": "integer", "minimum": 0, "maximum": limits.MAX_ACCOUNT_STATUS}),
    _query("tag", _TEXT),
    *_PAGING,
)
_LEASE_HEADER = {
    "name": "x-session-id",
    "in": "header",
    "required": True,
    "schema": {"type": "string", "maxLength": limits.MAX_SESSION_ID},
    "description": "The id of the lease on the device",
}
_SERIAL = _query("serial", {"type": "string", "maxLength": limits.MAX_SERIAL})


@attrs.frozen(kw_only=True)
class Route:
    """One operation: ``GET /task/{task_id}`` is ``get_task``, answering a ``Task``.

    ``answer`` is the JSON Schema of the envelope's ``data`` on success (a reference to one
    of :data:`~.schemas.SCHEMAS`, or a schema of its own); ``body`` names the schema of its
    request body; ``params`` are its query, path and header parameters, as OpenAPI writes
    them. An answer that is not JSON names its ``media`` type.
    """

    method: str
    path: str
    name: str
    summary: str
    answer: dict[str, Any] = attrs.field(factory=dict)
    body: str | None = None
    body_required: bool = True
    params: tuple[dict[str, Any], ...] = ()
    tag: str = "tasks"
    media: str = "application/json"
    #: The SDK's calls that use it (``tasks.get``; ``LeasedDevice.adb``), for the docs.
    sdk: tuple[str, ...] = ()
    pattern: re.Pattern[str] = attrs.field(init=False, eq=False, repr=False)

    @pattern.default
    def _compile(self) -> re.Pattern[str]:
        parts = re.split(r"\{(\w+)\}", self.path)
        regex = "".join(
            re.escape(part) if index % 2 == 0 else f"(?P<{part}>{_SEGMENTS[part]})"
            for index, part in enumerate(parts)
        )
        return re.compile(regex)


def _array(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": schema}


#: The operations, as the contract names them.
ROUTES = (
    Route(
        method="POST",
        path="/task",
        name="create_task",
        sdk=("tasks.create",),
        summary="Create tasks (all or none)",
        answer=ref("CreatedTasks"),
        body="CreateTask",
    ),
    Route(
        method="GET",
        path="/task",
        name="list_tasks",
        sdk=("tasks.list", "tasks.iter"),
        summary="List tasks, newest first",
        answer=ref("TaskPage"),
        params=TASK_FILTERS,
    ),
    Route(
        method="GET",
        path="/task/stats",
        name="task_stats",
        sdk=("tasks.stats",),
        summary="Task counts by status",
        answer=ref("TaskStats"),
    ),
    Route(
        method="POST",
        path="/task/retry-all",
        name="retry_all",
        sdk=("tasks.retry_all",),
        summary="Retry every failed task",
        answer=ref("RetriedTasks"),
    ),
    Route(
        method="DELETE",
        path="/task/batch",
        name="delete_batch",
        sdk=("tasks.delete_many",),
        summary="Delete several tasks",
        answer=ref("DeletedTasks"),
        body="TaskIds",
    ),
    Route(
        method="GET",
        path="/task/{task_id}",
        name="get_task",
        sdk=("tasks.get", "tasks.wait"),
        summary="Get a task",
        answer=ref("Task"),
        params=(_TASK_ID,),
    ),
    Route(
        method="DELETE",
        path="/task/{task_id}",
        name="delete_task",
        sdk=("tasks.delete",),
        summary="Delete a task (a running one is stopped first)",
        answer=ref("DeletedTasks"),
        params=(_TASK_ID,),
    ),
    Route(
        method="POST",
        path="/task/{task_id}/stop",
        name="stop_task",
        sdk=("tasks.stop",),
        summary="Stop a pending or running task",
        answer=ref("Task"),
        params=(_TASK_ID,),
    ),
    Route(
        method="POST",
        path="/task/{task_id}/retry",
        name="retry_task",
        sdk=("tasks.retry",),
        summary="Retry a failed task",
        answer=ref("Task"),
        params=(_TASK_ID,),
    ),
    Route(
        method="GET",
        path="/license/check",
        name="license_check",
        sdk=("license.check",),
        summary="The license plan and its API access",
        answer=ref("License"),
        tag="license",
    ),
    Route(
        method="GET",
        path="/accounts",
        name="list_accounts",
        sdk=("accounts.list", "accounts.iter"),
        summary="List accounts",
        answer=ref("AccountPage"),
        params=_ACCOUNT_FILTERS,
        tag="accounts",
    ),
    Route(
        method="GET",
        path="/rpc/devices",
        name="list_devices",
        sdk=("devices.list",),
        summary="The devices, with what holds each",
        answer=_array(ref("Device")),
        tag="devices",
    ),
    Route(
        method="POST",
        path="/rpc/session",
        name="lease",
        sdk=("devices.acquire", "devices.lease"),
        summary="Lease a device (409 if it is leased, runs a task, or no slot is free)",
        answer=ref("Lease"),
        body="LeaseRequest",
        tag="devices",
    ),
    Route(
        method="GET",
        path="/rpc/session",
        name="list_leases",
        sdk=("devices.leases",),
        summary="The live leases (a lease's id only to the caller that presents it)",
        answer=_array(ref("ListedLease")),
        tag="devices",
    ),
    Route(
        method="POST",
        path="/rpc/session/{session_id}/heartbeat",
        name="heartbeat",
        sdk=("devices.heartbeat",),
        summary="Extend a lease (403 once it has expired)",
        answer=ref("Lease"),
        body="Heartbeat",
        body_required=False,
        params=(_SESSION_ID,),
        tag="devices",
    ),
    Route(
        method="DELETE",
        path="/rpc/session/{session_id}",
        name="release",
        sdk=("devices.release",),
        summary="Release a lease",
        answer=ref("Lease"),
        params=(_SESSION_ID,),
        tag="devices",
    ),
    Route(
        method="POST",
        path="/rpc/jsonrpc",
        name="jsonrpc",
        sdk=("LeasedDevice.jsonrpc",),
        summary="Call a uiautomator2 method on the leased device",
        body="UiCall",
        params=(_LEASE_HEADER,),
        tag="devices",
    ),
    Route(
        method="POST",
        path="/rpc/adb",
        name="adb",
        sdk=("LeasedDevice.adb",),
        summary="Run a shell command on the leased device (403 unless enabled)",
        answer=_TEXT,
        body="AdbCall",
        params=(_LEASE_HEADER,),
        tag="devices",
    ),
    Route(
        method="GET",
        path="/rpc/hierarchy",
        name="hierarchy",
        sdk=("LeasedDevice.hierarchy",),
        summary="The leased device's UI tree",
        answer=_TEXT,
        params=(_SERIAL, _LEASE_HEADER),
        tag="devices",
        media="application/xml",
    ),
    Route(
        method="GET",
        path="/rpc/screenshot",
        name="screenshot",
        sdk=("LeasedDevice.screenshot",),
        summary="The leased device's screen",
        answer={"type": "string", "contentMediaType": "image/png"},
        params=(_SERIAL, _LEASE_HEADER),
        tag="devices",
        media="image/png",
    ),
    Route(
        method="GET",
        path="/openapi.json",
        name="openapi",
        summary="This document",
        tag="meta",
    ),
)


def match(method: str, path: str) -> tuple[Route | None, dict[str, str], list[str]]:
    """The route of ``method path`` (a path under :data:`API_PREFIX`) and its path parameters.

    ``HEAD`` is answered as ``GET`` is, without a body. When the path matches only with other
    methods, the route is ``None`` and the list names the methods it allows, ``HEAD`` beside
    ``GET`` (the 405 case); when it matches nothing, both are empty (404).
    """
    allowed: list[str] = []
    for route in ROUTES:
        found = route.pattern.fullmatch(path)
        if found is None:
            continue
        if route.method == method or (method == "HEAD" and route.method == "GET"):
            return route, found.groupdict(), []
        allowed += [route.method, "HEAD"] if route.method == "GET" else [route.method]
    return None, {}, sorted(set(allowed))

"""Every operation of the Local API and the device API: its method, its path and its name.

The server's routes are checked against this table by a test, the mock answers from it, and
the OpenAPI document's paths and ``docs/contract.md``'s table of endpoints are drawn from it.
A path that matches no route answers 40401 (HTTP 404); a path that matches with another
method answers 40001 (HTTP 405) with an ``Allow`` header.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import attrs

from . import limits
from .json_schema import ref
from .lifecycle import STATUSES
from .serials import SERIAL_FILTER_SCHEMA

__all__ = [
    "API_PREFIX",
    "ROUTES",
    "TASK_FILTERS",
    "Route",
    "match",
    "named",
    "negotiate",
    "content_type",
    "task_id_segment",
]

#: Where the API lives under a server's root.
API_PREFIX = "/api/v1"


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
    _query("serial", SERIAL_FILTER_SCHEMA),
    _query("script_name", _TEXT),
    _query("source", {"type": "string", "enum": list(limits.SOURCES)}),
    *_PAGING,
)
_ACCOUNT_FILTERS = (
    _query("platform", _TEXT),
    _query("device", SERIAL_FILTER_SCHEMA),
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
_SERIAL = _query("serial", SERIAL_FILTER_SCHEMA)


_FOLLOW = {"script_name": "follow", "script_config": {"target_users": ["a", "b"]}}


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
    #: Other media types the same answer is served as when a request's ``Accept`` prefers one
    #: (XML as ``text/xml`` too, a PNG as plain bytes).
    also: tuple[str, ...] = ()
    #: The SDK's calls that use it (``tasks.get``; ``LeasedDevice.adb``), for the docs.
    sdk: tuple[str, ...] = ()
    #: A request it answers with success on a fresh server (its ``body`` and ``query``; a
    #: ``task_ids`` list names tasks by their order of creation, 1 the first): the OpenAPI
    #: document shows it, and the differential test sends it to the server and the mock.
    example: Mapping[str, Any] = attrs.field(factory=dict)
    #: An answer drawn from one task by a rule of the contract: the task (as the wire
    #: carries it) in, the answer out. The server and the mock answer such a route by
    #: themselves, with no view or handler of their own.
    of_task: Callable[[Mapping[str, Any]], Any] | None = attrs.field(default=None, eq=False)

    def url(self, **values: object) -> str:
        """The route's path (under :data:`API_PREFIX`) with its parameters' values in it.

        Each value is quoted as one path segment: a value can never add a segment.
        """
        return re.sub(r"\{(\w+)\}", lambda found: quote(str(values[found[1]]), safe=""), self.path)


def _array(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": schema}


#: The operations, as the contract names them.
ROUTES: tuple[Route, ...] = (
    Route(
        method="POST",
        path="/task",
        name="create_task",
        example={"body": _FOLLOW | {"serials": ["device_serial_1", "device_serial_2"]}},
        sdk=("tasks.create",),
        summary="Create tasks (all or none)",
        answer=ref("CreatedTasks"),
        body="CreateTask",
    ),
    Route(
        method="GET",
        path="/task",
        name="list_tasks",
        example={"query": {"status": "0", "page_size": "3"}},
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
        example={"body": {"task_ids": [2, 7]}},
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
        example={"query": {"device": "device_serial_1"}},
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
        example={"body": {"serial": "device_serial_1", "label": "me"}},
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
        example={"body": {"ttl_secs": 60}},
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
        example={"body": {"method": "deviceInfo"}},
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
        example={"body": {"args": ["shell", "ls"]}},
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
        also=("text/xml",),
    ),
    Route(
        method="GET",
        path="/rpc/screenshot",
        name="screenshot",
        sdk=("LeasedDevice.screenshot",),
        summary="The leased device's screen",
        answer={"type": "string", "format": "binary", "contentMediaType": "image/png"},
        params=(_SERIAL, _LEASE_HEADER),
        tag="devices",
        media="image/png",
        also=("application/octet-stream",),
    ),
    Route(
        method="GET",
        path="/openapi.json",
        name="openapi",
        summary="This document",
        tag="meta",
    ),
)


def negotiate(route: Route, accept: str | None) -> str:
    """The media type to answer ``route`` with, given a request's ``Accept`` header.

    Of the route's own :attr:`~Route.media` and its :attr:`~Route.also`, the one the header
    weighs highest (its ``q``; an exact type before ``type/*``, before ``*/*``). ``*/*``, a
    missing header or one naming none of them get the route's own (a server may answer in
    its own type rather than refuse: the body is the same either way).
    """
    offered = (route.media, *route.also)
    best, best_rank = route.media, (0.0, -1)
    for part in (accept or "").split(",")[:32]:
        kind, _, parameters = part.strip().partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        kind = kind.strip().lower()
        if kind == "*/*":
            matches, specific = [route.media], 0
        elif kind.endswith("/*"):
            matches, specific = [m for m in offered if m.startswith(kind[:-1])], 1
        else:
            matches, specific = [m for m in offered if m == kind], 2
        if matches and quality > 0 and (quality, specific) > best_rank:
            best, best_rank = matches[0], (quality, specific)
    return best


def content_type(media: str) -> str:
    """The ``Content-Type`` of an answer in ``media``: text says its charset (UTF-8)."""
    return f"{media}; charset=utf-8" if media.startswith("text/") else media


def task_id_segment(table: tuple[Route, ...]) -> str:
    """A task id's path segment: anything but the names of ``/task``'s fixed routes.

    The fixed names (``batch``, ``stats`` …) are read from the table: else ``GET /task/batch``
    would read a task called "batch".
    """
    fixed = sorted({m[1] for r in table if (m := re.fullmatch(r"/task/([^/{}]+)", r.path))})
    return rf"(?!(?:{'|'.join(map(re.escape, fixed))})$)[^/]+"


class _Compiled:
    """What is read from one table, kept until the table is another (an example adds a route)."""

    def __init__(self, table: tuple[Route, ...]) -> None:
        self.table = table
        self.patterns = _patterns(table)
        self.by_name = {route.name: route for route in table}


_compiled: _Compiled | None = None


def _current() -> _Compiled:
    global _compiled
    found = _compiled
    if found is None or found.table is not ROUTES:
        found = _compiled = _Compiled(ROUTES)
    return found


def _patterns(table: tuple[Route, ...]) -> tuple[re.Pattern[str], ...]:
    segments = {"task_id": task_id_segment(table), "session_id": r"[^/]+"}
    found = []
    for route in table:
        parts = re.split(r"\{(\w+)\}", route.path)
        found.append(
            re.compile(
                "".join(
                    re.escape(part) if index % 2 == 0 else f"(?P<{part}>{segments[part]})"
                    for index, part in enumerate(parts)
                )
            )
        )
    return tuple(found)


def named(name: str) -> Route:
    """The route called ``name`` in the table as it stands."""
    return _current().by_name[name]


def match(method: str, path: str) -> tuple[Route | None, dict[str, str], list[str]]:
    """The route of ``method path`` (a path under :data:`API_PREFIX`) and its path parameters.

    ``HEAD`` is answered as ``GET`` is, without a body. When the path matches only with other
    methods, the route is ``None`` and the list names the methods it allows, ``HEAD`` beside
    ``GET`` (the 405 case); when it matches nothing, both are empty (404).
    """
    allowed: list[str] = []
    compiled = _current()
    for route, pattern in zip(compiled.table, compiled.patterns, strict=True):
        found = pattern.fullmatch(path)
        if found is None:
            continue
        if route.method == method or (method == "HEAD" and route.method == "GET"):
            return route, found.groupdict(), []
        allowed += [route.method, "HEAD"] if route.method == "GET" else [route.method]
    return None, {}, sorted(set(allowed))

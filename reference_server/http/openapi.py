"""The wire contract as an OpenAPI 3.1 document, served at ``/api/v1/openapi.json``.

Tests validate every answer they receive against the schemas here, so the document and the
server cannot drift apart silently.
"""

from __future__ import annotations

from typing import Any

from ..devices import FAILURE_MODES
from ..domain.custom_scripts import MAX_TIMEOUT, PLATFORMS
from ..domain.leases import DEFAULT_TTL, MAX_TTL
from ..domain.service import MAX_TASKS_PER_REQUEST, PLANS
from ..scripts import SCRIPTS
from . import control_limits, rpc_wire
from .dashboard import STATE_COMPONENTS
from .json_schema import object_schema as _object
from .json_schema import ref as _ref
from .wire import MAX_ACCOUNT_STATUS, MAX_INTERVAL_MINUTES, MAX_PAGE, MAX_TASK_ID

__all__ = ["document"]

_INT = {"type": "integer"}
_STR = {"type": "string"}
_NULLABLE_STR = {"type": ["string", "null"]}
_TIME = {"type": ["string", "null"], "format": "date-time"}
_IDS = {"type": "array", "items": _INT}
_ID = {"type": "integer", "minimum": 1, "maximum": MAX_TASK_ID}
_NAME = {"type": "string", "pattern": "\\S"}
_INTERVAL = {
    "type": ["integer", "null"],
    "minimum": 0,
    "maximum": MAX_INTERVAL_MINUTES,
    "default": 0,
}


def _page(items_name: str, item: str) -> dict[str, Any]:
    return _object(
        {
            items_name: {"type": "array", "items": _ref(item)},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer", "minimum": 1, "maximum": 100},
        }
    )


SCHEMAS: dict[str, Any] = {
    "Error": _object(
        {
            "code": {
                "type": "integer",
                "enum": [
                    40001,
                    40002,
                    40003,
                    40301,
                    40302,
                    40303,
                    40401,
                    40901,
                    40902,
                    42201,
                    50001,
                    50301,
                ],
            },
            "message": _STR,
            "data": {},
        }
    ),
    "Task": _object(
        {
            "id": {"type": "integer", "minimum": 1},
            "serial": _NULLABLE_STR,
            "username": _NULLABLE_STR,
            "script_name": _STR,
            "script_config": {"type": "object"},
            "status": {"type": "integer", "enum": [0, 1, 2, 3]},
            "source": {"type": "string", "enum": ["ui", "api"]},
            "enable_multi_account": {"type": "boolean"},
            "start_time": {
                "type": ["string", "null"],
                "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
            },
            "scheduled_at": _TIME,
            "retry_count": {"type": "integer", "minimum": 0},
            "remark": _STR,
            "created_at": _TIME,
            "started_at": _TIME,
            "finished_at": _TIME,
        }
    ),
    "TaskPage": _page("tasks", "Task"),
    "CreatedTasks": _object({"task_ids": _IDS, "created_count": _INT}),
    "DeletedTasks": _object(
        {"deleted_count": _INT, "task_ids": _IDS, "not_found_ids": _IDS},
        required=["deleted_count", "task_ids"],
    ),
    "RetriedTasks": _object({"retried_count": _INT, "task_ids": _IDS}),
    "TaskStats": _object(
        {
            name: {"type": "integer", "minimum": 0}
            for name in ("total", "pending", "running", "completed", "failed")
        }
    ),
    "License": _object(
        {
            "plan_name": _STR,
            "api_enabled": {"type": "boolean"},
            "device_limit": _INT,
            "message": _STR,
        }
    ),
    "Account": _object(
        {
            "id": _INT,
            "username": _STR,
            "device": _STR,
            "platform": _STR,
            "logined": {"type": "boolean"},
            "status": _INT,
            "tag": _STR,
        }
    ),
    "AccountPage": _page("accounts", "Account"),
    "CreateTask": {
        "type": "object",
        "description": (
            f"Exactly one of serials or usernames. One request creates at most "
            f"{MAX_TASKS_PER_REQUEST} tasks after fan-out."
        ),
        "oneOf": [{"required": ["serials"]}, {"required": ["usernames"]}],
        "properties": {
            "serials": {"type": "array", "items": _NAME, "minItems": 1},
            "usernames": {"type": "array", "items": _NAME, "minItems": 1},
            "script_name": {
                "type": "string",
                "enum": list(SCRIPTS),
            },
            "script_config": {"type": "object"},
            "enable_multi_account": {"type": "boolean", "default": False},
            "start_time": {
                "type": ["string", "null"],
                "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
            },
            "min_interval": _INTERVAL,
            "max_interval": _INTERVAL,
        },
        "required": ["script_name", "script_config"],
    },
    "TaskIds": _object(
        {
            "task_ids": {
                "type": "array",
                "items": _ID,
                "minItems": 1,
                "maxItems": MAX_TASKS_PER_REQUEST,
            }
        }
    ),
    "Device": _object(
        {
            "serial": _STR,
            "kind": {"type": "string", "enum": ["simulated", "adb", "virtual"]},
            "online": {"type": "boolean"},
            "busy": {"type": "boolean"},
            "task_id": {"type": ["integer", "null"]},
            "leased": {"type": "boolean"},
            "lease_label": _NULLABLE_STR,
        }
    ),
    "Lease": _object(
        {
            "session_id": {
                "type": ["string", "null"],
                "description": "the lease's id: null in the listing, unless the caller "
                "presents it in x-session-id",
            },
            "serial": _STR,
            "label": _STR,
            "ttl_secs": {
                "type": "number",
                "minimum": 1,
                "maximum": MAX_TIMEOUT,
                "description": f"at most {MAX_TTL:g} s, but a custom script's task's lease lasts "
                "its timeout",
            },
            "created_at": _TIME,
            "expires_at": _TIME,
            "expires_in": {"type": "number", "minimum": 0},
            "task_id": {"type": ["integer", "null"]},
        }
    ),
    "LeaseRequest": {
        "type": "object",
        "properties": {
            "serial": {"type": "string", "minLength": 1, "maxLength": rpc_wire.MAX_SERIAL},
            "label": {"type": ["string", "null"], "maxLength": rpc_wire.MAX_LABEL},
            "ttl_secs": {
                "type": ["number", "null"],
                "minimum": 1,
                "maximum": MAX_TTL,
                "default": DEFAULT_TTL,
            },
        },
        "required": ["serial"],
        "additionalProperties": False,
    },
    "Heartbeat": {
        "type": "object",
        "properties": {
            "ttl_secs": {
                "type": ["number", "null"],
                "minimum": 1,
                "maximum": MAX_TTL,
                "default": DEFAULT_TTL,
            }
        },
        "additionalProperties": False,
    },
    "UiCall": {
        "type": "object",
        "properties": {
            "serial": {"type": ["string", "null"], "maxLength": rpc_wire.MAX_SERIAL},
            "method": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,63}$"},
            "params": {"type": ["array", "null"], "maxItems": rpc_wire.MAX_PARAMS},
            "timeout": {
                "type": ["number", "null"],
                "minimum": 0.1,
                "maximum": rpc_wire.MAX_METHOD_TIMEOUT,
                "default": 10,
            },
        },
        "required": ["method"],
        "additionalProperties": False,
    },
    "AdbCall": {
        "type": "object",
        "description": 'args is ["shell", COMMAND, ARG...]; each item reaches the device as a word',
        "properties": {
            "serial": {"type": ["string", "null"], "maxLength": rpc_wire.MAX_SERIAL},
            "args": {
                "type": "array",
                "items": {"type": "string", "maxLength": rpc_wire.MAX_ADB_WORD},
                "minItems": 2,
                "maxItems": rpc_wire.MAX_ADB_WORDS,
                "prefixItems": [{"const": "shell"}, {"type": "string", "minLength": 1}],
            },
            "timeout_ms": {
                "type": ["number", "null"],
                "minimum": 1,
                "maximum": rpc_wire.MAX_ADB_TIMEOUT_MS,
                "default": 30000,
            },
        },
        "required": ["args"],
        "additionalProperties": False,
    },
    **STATE_COMPONENTS,
    "Control": {"type": "object", "description": "A control-API answer; see each operation."},
    "ControlAdb": _object({"enabled": {"type": "boolean"}}),
    "ControlCustomScript": {
        "type": "object",
        "properties": {
            "command": {
                "type": "array",
                "items": {"type": "string", "maxLength": 4096},
                "minItems": 1,
                "maxItems": 64,
            },
            "platform": {"type": "string", "enum": list(PLATFORMS), "default": "generic"},
            "timeout_secs": {"type": "number", "minimum": 1, "maximum": MAX_TIMEOUT},
        },
        "required": ["command"],
        "additionalProperties": False,
    },
    "ControlReset": {
        "type": "object",
        "properties": {"devices": {"type": "integer", "minimum": 0, "maximum": 500}},
        "additionalProperties": False,
    },
    "ControlSerials": _object(
        {
            "serials": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "maxItems": control_limits.MAX_DEVICES,
            }
        }
    ),
    "ControlBehaviour": {
        "type": "object",
        "properties": {
            "duration": {
                "type": "number",
                "minimum": 0,
                "maximum": control_limits.MAX_DURATION,
                "default": 0,
            },
            "failure": {
                "type": "string",
                "enum": list(FAILURE_MODES),
                "default": "never",
            },
            "rate": {"type": "number", "minimum": 0, "maximum": 1, "default": 0},
            "sequence": {
                "type": "array",
                "items": {"enum": ["ok", "fail"]},
                "maxItems": control_limits.MAX_SEQUENCE,
                "default": [],
            },
            "seed": {"type": ["integer", "null"], "default": None},
        },
        "additionalProperties": False,
    },
    "ControlPackages": _object({"packages": {"type": "array", "items": _STR}}),
    "ControlAccounts": _object(
        {
            "accounts": {
                "type": "array",
                "minItems": 1,
                "maxItems": control_limits.MAX_ACCOUNTS,
                "items": {
                    "type": "object",
                    "properties": {
                        "username": _NAME,
                        "device": _STR,
                        "platform": {"type": ["string", "null"]},
                        "logined": {"type": ["boolean", "null"]},
                        "status": {
                            "type": ["integer", "null"],
                            "minimum": 0,
                            "maximum": MAX_ACCOUNT_STATUS,
                        },
                        "tag": {"type": ["string", "null"]},
                    },
                    "required": ["username", "device"],
                    "additionalProperties": False,
                },
            }
        }
    ),
    "ControlPlan": _object({"plan": {"type": "string", "enum": list(PLANS)}}),
    "ControlFault": {
        "type": "object",
        "properties": {
            "path": {
                "type": "string",
                "minLength": 1,
                "maxLength": control_limits.MAX_FAULT_PATH,
                "default": "/api/v1/*",
                "description": "a glob",
            },
            "method": {
                "type": "string",
                "pattern": control_limits.FAULT_METHOD,
                "default": "*",
            },
            "latency": {
                "type": "number",
                "minimum": 0,
                "maximum": control_limits.MAX_FAULT_LATENCY,
                "default": 0,
            },
            "code": {
                "type": ["integer", "null"],
                "minimum": 1,
                "maximum": control_limits.MAX_FAULT_CODE,
                "description": "null: no error, the latency only",
            },
            "http_status": {"type": ["integer", "null"], "minimum": 200, "maximum": 599},
            "message": {
                "type": "string",
                "minLength": 1,
                "maxLength": control_limits.MAX_FAULT_MESSAGE,
                "default": "injected fault",
            },
            "times": {
                "type": ["integer", "null"],
                "minimum": 1,
                "maximum": control_limits.MAX_FAULT_TIMES,
                "description": "null: until cleared",
            },
        },
        "additionalProperties": False,
    },
    "ControlClock": _object(
        {"seconds": {"type": "number", "minimum": 0, "maximum": control_limits.MAX_ADVANCE}}
    ),
}


def _success(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": "Success",
        "content": {
            "application/json": {
                "schema": _object(
                    {"code": {"const": 0}, "message": {"const": "success"}, "data": schema}
                )
            }
        },
    }


_ERROR = {
    "description": "An error envelope (see the codes in the description above)",
    "content": {"application/json": {"schema": _ref("Error")}},
}


def _operation(
    summary: str,
    data: dict[str, Any],
    *,
    body: str | None = None,
    body_required: bool = True,
    parameters: list[dict[str, Any]] | None = None,
    tag: str = "tasks",
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "tags": [tag],
        "responses": {"200": _success(data), "default": _ERROR},
    }
    if body is not None:
        operation["requestBody"] = {
            "required": body_required,
            "content": {"application/json": {"schema": _ref(body)}},
        }
    if parameters:
        operation["parameters"] = parameters
    return operation


def _query(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema}


_TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": _ID}
_PAGING = [
    _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
    _query("page_size", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}),
]

PATHS: dict[str, Any] = {
    "/api/v1/task": {
        "post": _operation("Create tasks (all or none)", _ref("CreatedTasks"), body="CreateTask"),
        "get": _operation(
            "List tasks, newest first",
            _ref("TaskPage"),
            parameters=[
                _query("status", {"type": "integer", "enum": [0, 1, 2, 3]}),
                _query("serial", _STR),
                _query("script_name", _STR),
                _query("source", {"type": "string", "enum": ["ui", "api"]}),
                *_PAGING,
            ],
        ),
    },
    "/api/v1/task/{task_id}": {
        "get": _operation("Get a task", _ref("Task"), parameters=[_TASK_ID]),
        "delete": _operation(
            "Delete a task (a running one is stopped first)",
            _ref("DeletedTasks"),
            parameters=[_TASK_ID],
        ),
    },
    "/api/v1/task/batch": {
        "delete": _operation("Delete several tasks", _ref("DeletedTasks"), body="TaskIds")
    },
    "/api/v1/task/{task_id}/stop": {
        "post": _operation("Stop a pending or running task", _ref("Task"), parameters=[_TASK_ID])
    },
    "/api/v1/task/{task_id}/retry": {
        "post": _operation("Retry a failed task", _ref("Task"), parameters=[_TASK_ID])
    },
    "/api/v1/task/retry-all": {"post": _operation("Retry every failed task", _ref("RetriedTasks"))},
    "/api/v1/task/stats": {"get": _operation("Task counts by status", _ref("TaskStats"))},
    "/api/v1/license/check": {
        "get": _operation("The license plan and its API access", _ref("License"), tag="license")
    },
    "/api/v1/accounts": {
        "get": _operation(
            "List accounts",
            _ref("AccountPage"),
            tag="accounts",
            parameters=[
                _query("platform", _STR),
                _query("device", _STR),
                _query("logined", {"type": "boolean"}),
                _query("status", {"type": "integer", "minimum": 0, "maximum": MAX_ACCOUNT_STATUS}),
                _query("tag", _STR),
                *_PAGING,
            ],
        )
    },
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This document",
            "tags": ["meta"],
            "responses": {"200": {"description": "The OpenAPI document"}},
        }
    },
}

_SESSION = {"name": "session_id", "in": "path", "required": True, "schema": _STR}
_LEASE_HEADER = {
    "name": "x-session-id",
    "in": "header",
    "required": True,
    "schema": {"type": "string", "maxLength": rpc_wire.MAX_SESSION_ID},
    "description": "The id of the lease on the device",
}
_SERIAL_QUERY = _query("serial", {"type": "string", "maxLength": rpc_wire.MAX_SERIAL})


def _bytes(summary: str, media_type: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "summary": summary,
        "tags": ["devices"],
        "parameters": [_SERIAL_QUERY, _LEASE_HEADER],
        "responses": {
            "200": {"description": summary, "content": {media_type: {"schema": schema}}},
            "default": _ERROR,
        },
    }


PATHS.update(
    {
        "/dashboard/api/state": {
            "get": _operation(
                "Everything the dashboard at / shows, in one answer (read-only)",
                _ref("DashboardState"),
                parameters=[
                    _query("status", {"type": "integer", "enum": [0, 1, 2, 3]}),
                    _query("serial", _STR),
                    _query("script_name", _STR),
                    *_PAGING,
                ],
                tag="dashboard",
            )
        },
        "/api/v1/rpc/devices": {
            "get": _operation(
                "The devices, with what holds each",
                {"type": "array", "items": _ref("Device")},
                tag="devices",
            )
        },
        "/api/v1/rpc/session": {
            "post": _operation(
                "Lease a device (409 if it is leased, runs a task, or no slot is free)",
                _ref("Lease"),
                body="LeaseRequest",
                tag="devices",
            ),
            "get": _operation(
                "The live leases", {"type": "array", "items": _ref("Lease")}, tag="devices"
            ),
        },
        "/api/v1/rpc/session/{session_id}/heartbeat": {
            "post": _operation(
                "Extend a lease (403 once it has expired)",
                _ref("Lease"),
                body="Heartbeat",
                body_required=False,
                parameters=[_SESSION],
                tag="devices",
            )
        },
        "/api/v1/rpc/session/{session_id}": {
            "delete": _operation(
                "Release a lease", _ref("Lease"), parameters=[_SESSION], tag="devices"
            )
        },
        "/api/v1/rpc/jsonrpc": {
            "post": _operation(
                "Call a uiautomator2 method on the leased device",
                {},
                body="UiCall",
                parameters=[_LEASE_HEADER],
                tag="devices",
            )
        },
        "/api/v1/rpc/adb": {
            "post": _operation(
                "Run a shell command on the leased device (403 unless enabled)",
                _STR,
                body="AdbCall",
                parameters=[_LEASE_HEADER],
                tag="devices",
            )
        },
        "/api/v1/rpc/hierarchy": {
            "get": _bytes("The leased device's UI tree", "application/xml", _STR)
        },
        "/api/v1/rpc/screenshot": {
            "get": _bytes(
                "The leased device's screen",
                "image/png",
                {"type": "string", "contentMediaType": "image/png"},
            )
        },
    }
)

#: Each control route: its summary, and its request body (schema name, required) if any.
_CONTROL: dict[tuple[str, str], tuple[str, tuple[str, bool] | None]] = {
    ("/_control/reset", "post"): (
        "Forget everything and seed the default fleet ({devices: n})",
        ("ControlReset", False),
    ),
    ("/_control/devices", "post"): (
        "Add simulated devices ({serials: [...]})",
        ("ControlSerials", True),
    ),
    ("/_control/devices", "get"): ("Devices with their behaviour and running task", None),
    ("/_control/devices/{serial}/behaviour", "put"): (
        "Set a simulated device's behaviour ({duration, failure: never|always|rate|sequence, "
        "rate, sequence: [ok|fail], seed})",
        ("ControlBehaviour", False),
    ),
    ("/_control/devices/{serial}/records", "get"): (
        "What a device did: a simulated device's records, or a virtual phone's records, shell "
        "commands and gallery",
        None,
    ),
    ("/_control/devices/{serial}/disconnect", "post"): (
        "Cut a virtual phone's adb connections",
        None,
    ),
    ("/_control/devices/{serial}/packages", "put"): (
        "Set the apps a virtual phone has",
        ("ControlPackages", True),
    ),
    ("/_control/devices/{serial}/reconnect", "post"): ("Plug a virtual phone back in", None),
    ("/_control/accounts", "post"): (
        "Add or move accounts ({accounts: [...]})",
        ("ControlAccounts", True),
    ),
    ("/_control/plan", "put"): ("Set the license plan ({plan})", ("ControlPlan", True)),
    ("/_control/tasks", "post"): (
        "Create ui-sourced tasks (the body of POST /api/v1/task)",
        ("CreateTask", True),
    ),
    ("/_control/tasks/{task_id}", "get"): ("A task with the runner's view", None),
    ("/_control/faults", "post"): (
        "Inject a fault into matching API calls ({path glob, method, latency s, code, "
        "http_status, message, times})",
        ("ControlFault", False),
    ),
    ("/_control/faults", "get"): ("The faults in force", None),
    ("/_control/faults", "delete"): ("Remove every fault", None),
    ("/_control/clock/advance", "post"): (
        "Move a manual clock forward ({seconds})",
        ("ControlClock", True),
    ),
    ("/_control/run", "post"): ("Run every due task now (scheduler off)", None),
    ("/_control/rpc/adb", "put"): (
        "Turn the device API's adb route on or off ({enabled})",
        ("ControlAdb", True),
    ),
    ("/_control/rpc/adb", "get"): ("Whether the device API's adb route is on", None),
    ("/_control/custom-scripts", "get"): ("The registered custom scripts", None),
    ("/_control/custom-scripts/{name}", "put"): (
        "Register a command as a custom script ({command: [...], platform, timeout_secs})",
        ("ControlCustomScript", True),
    ),
    ("/_control/custom-scripts/{name}", "delete"): ("Remove a custom script", None),
}

for (_path, _method), (_summary, _body) in _CONTROL.items():
    _params = [
        {"name": name, "in": "path", "required": True, "schema": _STR}
        for name in ("serial", "task_id", "name")
        if "{" + name + "}" in _path
    ]
    PATHS.setdefault(_path, {})[_method] = _operation(
        _summary,
        _ref("Control"),
        tag="control",
        parameters=_params,
        body=_body[0] if _body else None,
        body_required=_body[1] if _body else True,
    )


def document(server_url: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "TikMatrix Local API (reference server)",
            "version": "1.0.0",
            "description": (
                "Every answer is an envelope {code, message, data}; code 0 is success. "
                "Errors: 40001 invalid parameters (HTTP 400, or 403/413/415 from the local-API "
                "guards), 40002 script_name missing, 40003 script not available via the API, "
                "40301 plan without API access (HTTP 403), 40401 not found (HTTP 404), "
                "50001 internal error (HTTP 500). The device API (/api/v1/rpc) adds 40302 no "
                "live lease and 40303 adb route disabled (HTTP 403), 40901 device busy and "
                "40902 no free device slot (HTTP 409), 42201 the device refused the call "
                "(HTTP 422) and 50301 device unavailable (HTTP 503). /_control is the "
                "test-only control API."
            ),
        },
        "servers": [{"url": server_url or "http://127.0.0.1:50809"}],
        "paths": PATHS,
        "components": {"schemas": _with_scripts(SCHEMAS)},
    }


def _with_scripts(schemas: dict[str, Any]) -> dict[str, Any]:
    """The schemas, with the scripts named as they stand now (a script may join later)."""
    create = schemas["CreateTask"]
    script_name = {
        "anyOf": [
            {"type": "string", "enum": list(SCRIPTS)},
            {
                "type": "string",
                "pattern": "^[a-z][a-z0-9_-]{0,63}$",
                "description": "a custom script registered through the control API",
            },
        ]
    }
    properties = {**create["properties"], "script_name": script_name}
    return {**schemas, "CreateTask": {**create, "properties": properties}}

"""The answers' and bodies' shapes, as JSON Schemas: the OpenAPI document's components.

The reference server validates nothing with these (its checks are the contract's functions);
the tests validate every answer the server and the mock give against them, and the SDK's
models are tested against them.
"""

from __future__ import annotations

from typing import Any

from . import limits
from .codes import CODES
from .json_schema import object_schema as _object
from .json_schema import ref as _ref
from .lifecycle import STATUSES
from .limits import (
    DEFAULT_TTL,
    MAX_INTERVAL_MINUTES,
    MAX_TASK_ID,
    MAX_TASKS_PER_REQUEST,
    MAX_TTL,
)
from .scripts import SCRIPT_RULES

__all__ = ["ID", "SCHEMAS", "STR"]

_INT = {"type": "integer"}
STR = {"type": "string"}
_NULLABLE_STR = {"type": ["string", "null"]}
_TIME = {"type": ["string", "null"], "format": "date-time"}
_IDS = {"type": "array", "items": _INT}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_TASK_ID}
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
            "code": {"type": "integer", "enum": sorted(CODES)},
            "message": STR,
            "data": {},
        }
    ),
    "Task": _object(
        {
            "id": {"type": "integer", "minimum": 1},
            "serial": _NULLABLE_STR,
            "username": _NULLABLE_STR,
            "script_name": STR,
            "script_config": {"type": "object"},
            "status": {"type": "integer", "enum": list(STATUSES)},
            "source": {"type": "string", "enum": list(limits.SOURCES)},
            "enable_multi_account": {"type": "boolean"},
            "start_time": {
                "type": ["string", "null"],
                "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
            },
            "scheduled_at": _TIME,
            "retry_count": {"type": "integer", "minimum": 0},
            "remark": STR,
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
            "plan_name": STR,
            "api_enabled": {"type": "boolean"},
            "device_limit": _INT,
            "message": STR,
        }
    ),
    "Account": _object(
        {
            "id": _INT,
            "username": STR,
            "device": STR,
            "platform": STR,
            "logined": {"type": "boolean"},
            "status": _INT,
            "tag": STR,
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
                "enum": list(SCRIPT_RULES),
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
                "items": ID,
                "minItems": 1,
                "maxItems": MAX_TASKS_PER_REQUEST,
            }
        }
    ),
    "Device": _object(
        {
            "serial": STR,
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
            "serial": STR,
            "label": STR,
            "ttl_secs": {
                "type": "number",
                "minimum": 1,
                "maximum": limits.MAX_SCRIPT_TIMEOUT,
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
            "serial": {"type": "string", "minLength": 1, "maxLength": limits.MAX_SERIAL},
            "label": {"type": ["string", "null"], "maxLength": limits.MAX_LABEL},
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
            "serial": {"type": ["string", "null"], "maxLength": limits.MAX_SERIAL},
            "method": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,63}$"},
            "params": {"type": ["array", "null"], "maxItems": limits.MAX_PARAMS},
            "timeout": {
                "type": ["number", "null"],
                "minimum": 0.1,
                "maximum": limits.MAX_METHOD_TIMEOUT,
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
            "serial": {"type": ["string", "null"], "maxLength": limits.MAX_SERIAL},
            "args": {
                "type": "array",
                "items": {"type": "string", "maxLength": limits.MAX_ADB_WORD},
                "minItems": 2,
                "maxItems": limits.MAX_ADB_WORDS,
                "prefixItems": [{"const": "shell"}, {"type": "string", "minLength": 1}],
            },
            "timeout_ms": {
                "type": ["number", "null"],
                "minimum": 1,
                "maximum": limits.MAX_ADB_TIMEOUT_MS,
                "default": 30000,
            },
        },
        "required": ["args"],
        "additionalProperties": False,
    },
}

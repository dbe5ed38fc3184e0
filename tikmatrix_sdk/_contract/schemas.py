"""The answers' and bodies' shapes, as JSON Schemas: the OpenAPI document's components.

The answers' schemas are drawn from their shapes (:mod:`.shapes`, the SDK's models); the
request bodies' are written here.

The reference server validates nothing with these (its checks are the contract's functions);
the tests validate every answer the server and the mock give against them, and the SDK's
models are tested against them.
"""

from __future__ import annotations

from typing import Any

from . import limits
from .codes import CODES
from .json_schema import object_schema as _object
from .limits import (
    DEFAULT_TTL,
    MAX_INTERVAL_MINUTES,
    MAX_TASK_ID,
    MAX_TASKS_PER_REQUEST,
    MAX_TTL,
)
from .scripts import SCRIPT_RULES
from .shapes import SHAPES, schema_of

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


SCHEMAS: dict[str, Any] = {
    "Error": _object(
        {
            "code": {"type": "integer", "enum": sorted(CODES)},
            "message": STR,
            "data": {},
        }
    ),
    **{name: schema_of(shape) for name, shape in SHAPES.items()},
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

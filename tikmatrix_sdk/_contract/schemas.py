"""The answers' and bodies' shapes, as JSON Schemas: the OpenAPI document's components.

The answers' schemas are drawn from their shapes (:mod:`.shapes`, the SDK's models); the
request bodies' are written here.

The reference server validates nothing with these (its checks are the contract's functions);
the tests validate every answer the server and the mock give against them, and the SDK's
models are tested against them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import limits
from .codes import CODES
from .json_schema import object_schema as _object
from .json_schema import ref as _ref
from .limits import (
    DEFAULT_TTL,
    MAX_INTERVAL_MINUTES,
    MAX_TASK_ID,
    MAX_TASKS_PER_REQUEST,
    MAX_TTL,
    MAX_UNKNOWN_BYTES,
)
from .options import Option
from .scripts import SCRIPT_RULES, ScriptRules
from .serials import SERIAL_SCHEMA
from .shapes import SHAPES, schema_of

__all__ = ["CUSTOM_SCRIPT_NAME", "ID", "SCHEMAS", "STR", "create_schemas"]

STR = {"type": "string"}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_TASK_ID}
_NAME = {"type": "string", "pattern": "\\S"}
_INTERVAL = {
    "type": ["integer", "null"],
    "minimum": 0,
    "maximum": MAX_INTERVAL_MINUTES,
    "default": 0,
}


_CREATE_RULES = (
    f"Exactly one of serials or usernames. One request creates at most "
    f"{MAX_TASKS_PER_REQUEST} tasks after fan-out."
)
_KIND_SCHEMAS: dict[str, dict[str, Any]] = {
    "int": {"type": "integer"},
    "number": {"type": "number"},
    "str": {"type": "string"},
    "bool": {"type": "boolean"},
    "str_list": {"type": "array", "items": _NAME},
    "str_or_int": {"type": ["string", "integer"]},
    "object": {"type": "object"},
}


def _camel(script: str) -> str:
    return "".join(part.title() for part in script.split("_"))


def _config_name(script: str) -> str:
    return f"{_camel(script)}Config"


def _create_name(script: str) -> str:
    return f"Create{_camel(script)}Task"


def _option_schema(option: Option) -> dict[str, Any]:
    """One option: its kind, bounds and choices; ``null`` takes its default."""
    found = dict(_KIND_SCHEMAS[option.kind])
    if option.choices:
        by_type: dict[str, list[Any]] = {}
        for choice in option.choices:
            by_type.setdefault("integer" if isinstance(choice, int) else "string", []).append(
                choice
            )
        # One enum per type, and null: a generated client models each as an enum.
        branches = [{"type": kind, "enum": values} for kind, values in by_type.items()]
        return {"anyOf": [*branches, {"type": "null"}], "default": option.default}
    kinds = found["type"] if isinstance(found["type"], list) else [found["type"]]
    found["type"] = [*kinds, "null"]
    if option.minimum is not None:
        found["minimum"] = option.minimum
    if option.maximum is not None:
        found["maximum"] = option.maximum
    if option.kind != "object":  # an object's default is stated in its description
        found["default"] = option.default
    return found


def _config_schema(rules: ScriptRules) -> dict[str, Any]:
    """A script's ``script_config``: its options (each checked, the rest kept as given)."""
    return {
        "type": "object",
        "description": f"The options of {rules.name}; options this server does not know are "
        f"kept as given, up to {MAX_UNKNOWN_BYTES} bytes of JSON together.",
        "properties": {name: _option_schema(option) for name, option in rules.options.items()},
    }


def _create_schema(script_name: dict[str, Any], script: str | None) -> dict[str, Any]:
    """A create body for one script (``None``: a custom one, whose config is any object)."""
    config = _ref(_config_name(script)) if script else {"type": "object"}
    return {
        "type": "object",
        "description": _CREATE_RULES,
        "properties": {
            "script_name": script_name,
            "script_config": config,
            "serials": {"type": "array", "items": SERIAL_SCHEMA, "minItems": 1},
            "usernames": {"type": "array", "items": _NAME, "minItems": 1},
            "enable_multi_account": {"type": "boolean", "default": False},
            "start_time": {
                "type": ["string", "null"],
                "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
            },
            "min_interval": _INTERVAL,
            "max_interval": _INTERVAL,
        },
        "required": ["script_name", "script_config"],
        # Exactly one of serials and usernames: not both, and usernames when no serials (said
        # with not/if/then, which a generated client reads past, where oneOf would hide the
        # body's fields from it).
        "not": {"required": ["serials", "usernames"]},
        "if": {"not": {"required": ["serials"]}},
        "then": {"required": ["usernames"]},
    }


#: A custom script's name (registered through the reference server's control API).
CUSTOM_SCRIPT_NAME = "^[a-z][a-z0-9_-]{0,63}$"


def create_schemas(scripts: Mapping[str, ScriptRules], *, custom: bool = False) -> dict[str, Any]:
    """The create body, one branch per script, and each script's ``script_config``.

    The body's ``script_name`` says which branch it is; with ``custom``, a branch for the
    custom scripts too.
    """
    found: dict[str, Any] = {}
    for name, rules in scripts.items():
        found[_config_name(name)] = _config_schema(rules)
        found[_create_name(name)] = _create_schema({"type": "string", "const": name}, name)
    branches = [_ref(_create_name(name)) for name in scripts]
    if custom:
        custom_name = {
            "type": "string",
            "pattern": CUSTOM_SCRIPT_NAME,
            "not": {"enum": list(scripts)},
            "description": "a custom script registered through the control API",
        }
        found["CreateCustomTask"] = _create_schema(custom_name, None)
        branches.append(_ref("CreateCustomTask"))
    found["CreateTask"] = {
        "description": _CREATE_RULES + " The body's shape depends on its script_name.",
        "oneOf": branches,
        "discriminator": {
            "propertyName": "script_name",
            "mapping": {name: f"#/components/schemas/{_create_name(name)}" for name in scripts},
        },
    }
    return found


SCHEMAS: dict[str, Any] = {
    "Error": _object(
        {
            "code": {"type": "integer", "enum": sorted(CODES)},
            "message": STR,
            "data": {},
        }
    ),
    **{name: schema_of(shape) for name, shape in SHAPES.items()},
    **create_schemas(SCRIPT_RULES),
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
            "serial": SERIAL_SCHEMA,
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
        "type": ["object", "null"],
        "description": "No body, or null, keeps the default ttl_secs.",
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
            "serial": {"anyOf": [SERIAL_SCHEMA, {"type": "null"}]},
            "method": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,63}$"},
            "params": {"type": ["array", "null"], "items": {}, "maxItems": limits.MAX_PARAMS},
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
            "serial": {"anyOf": [SERIAL_SCHEMA, {"type": "null"}]},
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

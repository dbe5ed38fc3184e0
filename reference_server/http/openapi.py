"""The OpenAPI 3.1 document the server serves at ``/api/v1/openapi.json``.

The contract's part (every route of the Local API and the device API, their bodies and
answers) is drawn from ``tikmatrix_sdk._contract``; this module adds the server's own test-only
parts: the control API and the dashboard's state. Tests validate every answer they receive
against it.
"""

from __future__ import annotations

from typing import Any

from tikmatrix_sdk._contract.json_schema import object_schema as _object
from tikmatrix_sdk._contract.json_schema import ref as _ref
from tikmatrix_sdk._contract.limits import MAX_ACCOUNT_STATUS
from tikmatrix_sdk._contract.openapi import ERROR_ANSWER, codes_description, paths, success
from tikmatrix_sdk._contract.plans import PLANS
from tikmatrix_sdk._contract.routes import TASK_FILTERS
from tikmatrix_sdk._contract.schemas import SCHEMAS as API_SCHEMAS
from tikmatrix_sdk._contract.schemas import create_schemas
from tikmatrix_sdk._contract.scripts import SCRIPT_RULES

from ..domain.custom_scripts import MAX_TIMEOUT, PLATFORMS
from ..domain.device_control import APP_SCHEMA, FAILURE_MODES
from . import control_limits
from .dashboard import STATE_COMPONENTS

__all__ = ["document"]

_STR = {"type": "string"}

SCHEMAS: dict[str, Any] = {
    **API_SCHEMAS,
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
        "properties": {
            "devices": {"type": "integer", "minimum": 0, "maximum": 500},
            "plan": {"type": "string", "enum": list(PLANS)},
        },
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
                        "username": {"type": "string", "pattern": "\\S"},
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
    "ControlApp": APP_SCHEMA,
    "ControlClock": _object(
        {"seconds": {"type": "number", "minimum": 0, "maximum": control_limits.MAX_ADVANCE}}
    ),
}


def _operation(
    summary: str,
    data: dict[str, Any],
    *,
    body: str | None = None,
    body_required: bool = True,
    parameters: list[dict[str, Any]] | None = None,
    tag: str,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "tags": [tag],
        "responses": {"200": success(data), "default": ERROR_ANSWER},
    }
    if body is not None:
        operation["requestBody"] = {
            "required": body_required,
            "content": {"application/json": {"schema": _ref(body)}},
        }
    if parameters:
        operation["parameters"] = parameters
    return operation


#: The server's own paths: its dashboard's state and its control API (the contract's are
#: drawn when the document is).
PATHS: dict[str, Any] = {
    "/dashboard/api/state": {
        "get": _operation(
            "Everything the dashboard at / shows, in one answer (read-only)",
            _ref("DashboardState"),
            parameters=[p for p in TASK_FILTERS if p["name"] != "source"],
            tag="dashboard",
        )
    },
}

#: Each control route: its summary, and its request body (schema name, required) if any.
_CONTROL: dict[tuple[str, str], tuple[str, tuple[str, bool] | None]] = {
    ("/_control/reset", "post"): (
        "Forget everything and seed the default fleet ({devices: n, plan})",
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
    ("/_control/devices/{serial}/apps", "put"): (
        "Install an app described as data on a phone (screens of widgets, and what a tap, "
        "typed text or back does)",
        ("ControlApp", True),
    ),
    ("/_control/devices/{serial}/apps", "get"): ("The apps described as data a phone has", None),
    ("/_control/devices/{serial}/apps/{package}", "delete"): (
        "Uninstall an app described as data",
        None,
    ),
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
        for name in ("serial", "task_id", "name", "package")
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
                f"{codes_description()} The local-API guards answer 40001 with HTTP 403, "
                "405, 413 or 415. /_control is the test-only control API."
            ),
        },
        "servers": [{"url": server_url or "http://127.0.0.1:50809"}],
        "paths": {**paths(), **PATHS},
        "components": {"schemas": _with_scripts(SCHEMAS)},
    }


def _with_scripts(schemas: dict[str, Any]) -> dict[str, Any]:
    """The schemas, with the scripts as they stand now (a script may join later).

    The custom scripts the control API registers have a branch of the create body too.
    """
    return {**schemas, **create_schemas(SCRIPT_RULES, custom=True)}

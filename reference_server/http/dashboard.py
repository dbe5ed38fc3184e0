"""The dashboard: a read-only page at ``/`` that shows the server live, and the JSON it polls.

The page (``reference_server/dashboard/``: one HTML file, one script, one style sheet, no
build step and nothing fetched from the network) asks ``/dashboard/api/state`` once a
second and redraws; each phone's screen is ``/dashboard/api/screen/SERIAL.png``. Polling
rather than server-sent events: waitress serves with a fixed pool of threads, and an event
stream would hold one of them for as long as each tab stays open; a poll holds one for a
millisecond. Every route is a GET behind the same guards as the API (a loopback ``Host``,
no CORS), and none changes anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, request, send_from_directory

from tikmatrix_sdk._contract.codes import BAD_REQUEST, ContractError
from tikmatrix_sdk._contract.json_schema import object_schema as _object
from tikmatrix_sdk._contract.json_schema import ref as _ref
from tikmatrix_sdk._contract.records import RECORD_SCHEMA
from tikmatrix_sdk._contract.serials import check_serial
from tikmatrix_sdk._contract.tasks import page_args, task_filters

from ..scripts import SCRIPTS
from ..state import ServerState, state
from .envelope import success
from .rpc_wire import device_json, lease_json
from .wire import account_json, task_json

__all__ = ["STATE_COMPONENTS", "STATE_SCHEMA", "dashboard"]

ASSETS = Path(__file__).resolve().parent.parent / "dashboard"
#: How many of a phone's latest records and shell lines the page shows.
ACTIVITY = 30
#: How many devices the page shows (the first, by serial); the state says how many there are.
DEVICES_SHOWN = 50

dashboard = Blueprint("dashboard", __name__)


@dashboard.before_request
def _not_embedded() -> None:
    """The page's data is for the page: another site may link to it, not load from it."""
    site = request.headers.get("Sec-Fetch-Site", "").lower()
    if request.path.startswith("/dashboard/api/") and site in ("cross-site", "same-site"):
        raise ContractError(BAD_REQUEST, "cross-origin requests are refused", http_status=403)


@dashboard.get("/")
def page() -> Response:
    """The dashboard's page."""
    return send_from_directory(ASSETS, "index.html", mimetype="text/html", max_age=0)


@dashboard.get("/dashboard/<any('app.js', 'app.css'):name>")
def asset(name: str) -> Response:
    """The page's script and style sheet."""
    return send_from_directory(ASSETS, name, max_age=0)


def _server(server: ServerState) -> dict[str, Any]:
    config = server.config
    return {
        "plan": server.service.plan.to_json(),
        "store": str(config.db),
        "device_kind": server.lab.kind,
        "scheduler": server.scheduler_running,
        "adb_route": server.leases.adb_enabled,
        "faults": [fault.to_json() for fault in server.faults.list()],
        "custom_scripts": [script.name for script in server.service.custom_scripts.list()],
    }


_STRINGS = {"type": "array", "items": {"type": "string"}}

#: The state route's answer (its ``data``) as a JSON Schema: what the page may rely on. The
#: references are the OpenAPI document's components, where this schema is published as
#: ``DashboardState``; the tests check every answer of the route against it.
STATE_SCHEMA: dict[str, Any] = _object(
    {
        "server": _object(
            {
                "plan": _ref("License"),
                "store": {"type": "string"},
                "device_kind": {"type": "string"},
                "scheduler": {"type": "boolean"},
                "adb_route": {"type": "boolean"},
                "faults": {"type": "array", "items": {"type": "object"}},
                "custom_scripts": _STRINGS,
            }
        ),
        "stats": _ref("TaskStats"),
        "devices": {
            "type": "array",
            "maxItems": DEVICES_SHOWN,
            "items": {
                "allOf": [
                    _ref("Device"),
                    _object(
                        {
                            "lease": {
                                "anyOf": [
                                    {"type": "null"},
                                    {
                                        "type": "object",
                                        "required": ["serial", "label", "expires_in"],
                                        "not": {"required": ["session_id"]},
                                    },
                                ]
                            },
                            "accounts": {"type": "array", "items": _ref("Account")},
                            "activity": {
                                "anyOf": [
                                    {"type": "null"},
                                    _object(
                                        {
                                            "records": {
                                                "type": "array",
                                                "items": _ref("DeviceRecord"),
                                            },
                                            "shell": _STRINGS,
                                            "screen": {"type": "string", "minLength": 1},
                                        }
                                    ),
                                ]
                            },
                        }
                    ),
                ]
            },
        },
        "devices_total": {"type": "integer", "minimum": 0},
        "tasks": {"type": "array", "items": _ref("Task")},
        "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "page_size": {"type": "integer", "minimum": 1, "maximum": 100},
        "scripts": _STRINGS,
    }
)
#: The component schemas :data:`STATE_SCHEMA` adds to the OpenAPI document.
STATE_COMPONENTS: dict[str, Any] = {"DashboardState": STATE_SCHEMA, "DeviceRecord": RECORD_SCHEMA}


@dashboard.get("/dashboard/api/state")
def state_json() -> Response:
    """Everything the page shows, in one answer."""
    server = state()
    page, page_size = page_args(request.args)
    tasks, total = server.service.list_tasks(task_filters(request.args), page, page_size)
    accounts, _ = server.service.list_accounts({}, 1, 100)  # the page shows the first 100
    by_device: dict[str, list[dict[str, Any]]] = {}
    for account in accounts:
        by_device.setdefault(account.device or "", []).append(account_json(account))
    now = server.service.clock.now()
    devices = []
    every_device = server.leases.devices()
    for device in every_device[:DEVICES_SHOWN]:
        entry = device_json(device)
        entry["lease"] = lease_json(device.lease, now) if device.lease else None
        if entry["lease"]:
            entry["lease"].pop("session_id")  # a page shows who holds a device, not the key
        entry["accounts"] = by_device.get(device.serial, [])
        entry["activity"] = server.lab.activity(device.serial, ACTIVITY)
        devices.append(entry)
    scripts = sorted({task.script_name for task in tasks} | set(SCRIPTS))
    return success(
        {
            "server": _server(server),
            "stats": server.service.stats(),
            "devices": devices,
            "devices_total": len(every_device),
            "tasks": [task_json(task) for task in tasks],
            "total": total,
            "page": page,
            "page_size": page_size,
            "scripts": scripts,
        }
    )


@dashboard.get("/dashboard/api/screen/<path:serial>.png")
def screen(serial: str) -> Response:
    """A device's screen now, as the device API's screenshot draws it."""
    check_serial(serial)
    png = state().lab.screen(serial)
    return Response(png, mimetype="image/png", headers={"Cache-Control": "no-store"})

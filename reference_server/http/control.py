"""The control API for tests, outside ``/api/v1`` (moto's ``/moto-api/`` is the model).

Reset the state, seed devices and accounts, set the plan, set how simulated devices behave,
create ``ui``-sourced tasks, read what a simulated device did, inject faults, and (with a
manual clock) move time and run what is due.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from tikmatrix_sdk._contract.codes import bad_request
from tikmatrix_sdk._contract.limits import MAX_ACCOUNT_STATUS, MAX_SERIAL
from tikmatrix_sdk._contract.plans import PLANS
from tikmatrix_sdk._contract.serials import check_serial
from tikmatrix_sdk._contract.tasks import parse_task_id

from ..clock import ManualClock
from ..domain.custom_scripts import parse_registration
from ..domain.device_control import BEHAVIOUR_FIELDS, FAILURE_MODES
from ..scripts import NOT_VIA_API, SCRIPTS
from ..state import state
from .control_limits import (
    MAX_ACCOUNTS,
    MAX_ADVANCE,
    MAX_DEVICES,
    MAX_DURATION,
    MAX_FLEET,
    MAX_SEQUENCE,
)
from .envelope import json_body, success
from .faults import parse_fault
from .wire import task_json

__all__ = ["control"]

control = Blueprint("control", __name__, url_prefix="/_control")


@control.url_value_preprocessor
def _serials_are_names(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """A device named in a path is a serial by the contract's rule, never a path (40001)."""
    if values and "serial" in values:
        check_serial(values["serial"])


def _object() -> dict[str, Any]:
    body = json_body()
    if body is None and not request.data:
        return {}
    if not isinstance(body, dict):
        raise bad_request("the request body must be a JSON object")
    return body


@control.post("/reset")
def reset() -> Response:
    """Forget everything, then seed the default fleet (``devices``: how many, default 5).

    ``plan``, when given, is set once the rest is reset: one request brings a server back to
    a test's starting point.
    """
    body = _object()
    unknown = set(body) - {"devices", "plan"}
    if unknown:
        raise bad_request(f"unknown reset fields: {', '.join(sorted(unknown))}")
    devices = body.get("devices")
    if "devices" in body and (
        isinstance(devices, bool) or not isinstance(devices, int) or not 0 <= devices <= 500
    ):
        raise bad_request(f"devices must be an integer from 0 to 500, got {devices!r}")
    plan = body.get("plan")
    if "plan" in body and (not isinstance(plan, str) or plan not in PLANS):
        raise bad_request(f"plan must be one of {', '.join(PLANS)}, got {plan!r}")
    count = state().reset(devices)
    if plan is not None:
        state().service.set_plan(plan)
    return success({"devices": count})


@control.post("/devices")
def add_devices() -> Response:
    """Add simulated devices: ``{"serials": [...]}``."""
    serials = _object().get("serials")
    if not isinstance(serials, list):
        raise bad_request(f"serials must be an array of serials (1 to {MAX_SERIAL} characters)")
    for serial in serials:
        check_serial(serial, "serials")
    if len(serials) > MAX_DEVICES:
        raise bad_request(f"serials may name at most {MAX_DEVICES} devices, got {len(serials)}")
    state().lab.add_simulated(serials, at_most=MAX_FLEET)
    return success({"serials": serials})


@control.get("/devices")
def list_devices() -> Response:
    """Every device with its behaviour and the task it runs."""
    devices = state().lab.devices()
    return success({"devices": devices})


@control.put("/devices/<serial>/behaviour")
def set_behaviour(serial: str) -> Response:
    """How a simulated device behaves: ``duration`` seconds, ``failure`` and its parameters."""
    body = _object()
    unknown = set(body) - BEHAVIOUR_FIELDS
    if unknown:
        raise bad_request(f"unknown behaviour fields: {', '.join(sorted(unknown))}")
    duration = body.get("duration", 0.0)
    if (
        isinstance(duration, bool)
        or not isinstance(duration, (int, float))
        or not 0 <= duration <= MAX_DURATION
    ):
        raise bad_request(
            f"duration must be a number of seconds from 0 to {MAX_DURATION}, got {duration!r}"
        )
    failure = body.get("failure", "never")
    if failure not in FAILURE_MODES:
        raise bad_request(f"failure must be one of {', '.join(FAILURE_MODES)}, got {failure!r}")
    rate = body.get("rate", 0.0)
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
        raise bad_request(f"rate must be a number from 0 to 1, got {rate!r}")
    sequence = body.get("sequence", [])
    if not isinstance(sequence, list) or not all(step in ("ok", "fail") for step in sequence):
        raise bad_request('sequence must be an array of "ok" and "fail"')
    if len(sequence) > MAX_SEQUENCE:
        raise bad_request(f"sequence may hold at most {MAX_SEQUENCE} steps, got {len(sequence)}")
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise bad_request(f"seed must be an integer, got {seed!r}")
    behaviour = state().lab.set_behaviour(
        serial,
        duration=float(duration),
        failure=failure,
        rate=float(rate),
        sequence=tuple(sequence),
        seed=seed,
    )
    return success(behaviour)


@control.get("/devices/<serial>/records")
def device_records(serial: str) -> Response:
    """What a simulated device did, in order."""
    return success(state().lab.records(serial))


@control.post("/devices/<serial>/disconnect")
def disconnect(serial: str) -> Response:
    """Cut a virtual phone's adb connections, as if its cable were pulled."""
    state().lab.disconnect(serial)
    return success({"serial": serial})


@control.post("/devices/<serial>/reconnect")
def reconnect(serial: str) -> Response:
    """Plug a virtual phone back in and wait until adb sees it online."""
    state().lab.reconnect(serial)
    return success({"serial": serial})


@control.put("/devices/<serial>/packages")
def set_packages(serial: str) -> Response:
    """Which apps a virtual phone has installed: ``{"packages": [...]}``."""
    packages = _object().get("packages")
    if not isinstance(packages, list) or not all(isinstance(p, str) for p in packages):
        raise bad_request("packages must be an array of package names")
    return success({"packages": state().lab.set_packages(serial, packages)})


@control.put("/devices/<serial>/apps")
def install_app(serial: str) -> Response:
    """Install an app described as data (see ``android.described_apps``) on a phone."""
    return success(state().lab.install_app(serial, _object()))


@control.get("/devices/<serial>/apps")
def list_apps(serial: str) -> Response:
    """The apps described as data that a phone has, as they were described."""
    return success({"apps": state().lab.apps(serial)})


@control.delete("/devices/<serial>/apps/<package>")
def remove_app(serial: str, package: str) -> Response:
    """Uninstall an app described as data."""
    return success({"package": package, "removed": state().lab.remove_app(serial, package)})


#: Each account field: the JSON types it takes, and whether it is required.
_ACCOUNT_FIELDS: dict[str, tuple[tuple[type, ...], bool]] = {
    "username": ((str,), True),
    "device": ((str,), True),
    "platform": ((str,), False),
    "logined": ((bool,), False),
    "status": ((int,), False),
    "tag": ((str,), False),
}


@control.post("/accounts")
def add_accounts() -> Response:
    """Add or move accounts: ``{"accounts": [{"username", "device", ...}]}``."""
    accounts = _object().get("accounts")
    if not isinstance(accounts, list) or not accounts:
        raise bad_request("accounts must be a non-empty array")
    if len(accounts) > MAX_ACCOUNTS:
        raise bad_request(f"accounts may hold at most {MAX_ACCOUNTS} accounts, got {len(accounts)}")
    known = {row.serial for row in state().service.devices()}
    for account in accounts:
        if not isinstance(account, dict):
            raise bad_request("each account must be an object")
        unknown = set(account) - set(_ACCOUNT_FIELDS)
        if unknown:
            raise bad_request(f"unknown account fields: {', '.join(sorted(unknown))}")
        for name, (kinds, required) in _ACCOUNT_FIELDS.items():
            value = account.get(name)
            if value is None and not required:
                continue
            if isinstance(value, bool) is not (kinds == (bool,)) or not isinstance(value, kinds):
                kind = " or ".join(k.__name__ for k in kinds)
                raise bad_request(f"accounts: {name} must be a {kind}, got {value!r}")
        if not account["username"].strip():
            raise bad_request("accounts: username must not be blank")
        if not 0 <= (account.get("status") or 0) <= MAX_ACCOUNT_STATUS:
            raise bad_request(
                f"accounts: status must be from 0 to {MAX_ACCOUNT_STATUS}, got {account['status']}"
            )
        check_serial(account["device"], "accounts: device")
        if account["device"] not in known:
            raise bad_request(f"accounts: unknown device {account['device']!r}")
    given = [{k: v for k, v in account.items() if v is not None} for account in accounts]
    state().service.add_accounts(given)  # null means "the default", as for a missing field
    return success({"count": len(accounts)})


@control.put("/plan")
def set_plan() -> Response:
    """Set the license plan: ``{"plan": "Starter" | "Pro" | "Team" | "Business"}``."""
    return success(state().service.set_plan(str(_object().get("plan"))).to_json())


@control.post("/tasks")
def create_ui_tasks() -> Response:
    """Create tasks as TikMatrix's own window would (``source`` "ui"); same body as the API."""
    ids = state().service.create(json_body(), source="ui")
    return success({"task_ids": ids, "created_count": len(ids)})


@control.post("/faults")
def add_fault() -> Response:
    """Inject a fault (``path`` glob, ``method``, ``latency``, ``code``, ``http_status``…)."""
    fault = state().faults.add(**parse_fault(_object()))
    return success(fault.to_json())


@control.get("/faults")
def list_faults() -> Response:
    """The faults in force."""
    return success({"faults": [fault.to_json() for fault in state().faults.list()]})


@control.delete("/faults")
def clear_faults() -> Response:
    """Remove every fault."""
    state().faults.clear()
    return success({"cleared": True})


@control.post("/clock/advance")
def advance_clock() -> Response:
    """Move a manual clock forward: ``{"seconds": n}``."""
    clock = state().service.clock
    if not isinstance(clock, ManualClock):
        raise bad_request("the server runs on the real clock; start it with a manual clock")
    seconds = _object().get("seconds")
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, (int, float))
        or not 0 <= seconds <= MAX_ADVANCE
    ):
        raise bad_request(f"seconds must be a number from 0 to {MAX_ADVANCE}, got {seconds!r}")
    clock.advance(seconds)
    return success({"now": clock.now()})


@control.post("/run")
def run_due() -> Response:
    """Run every due task now, inline (only when the background scheduler is off)."""
    server = state()
    if server.scheduler_running:
        raise bad_request("the scheduler runs in the background; /run is for a stopped scheduler")
    return success({"ran": server.runner.run_until_idle()})


@control.get("/tasks/<task_id>")
def task_detail(task_id: str) -> Response:
    """A task with the runner's view (job index)."""
    task = state().service.get(parse_task_id(task_id))
    return success({**task_json(task), "job_index": task.job_index})


@control.put("/rpc/adb")
def set_rpc_adb() -> Response:
    """Turn the device API's adb route on or off: ``{"enabled": true}``."""
    body = _object()
    enabled = body.get("enabled")
    if set(body) != {"enabled"} or not isinstance(enabled, bool):
        raise bad_request('the body must be {"enabled": true} or {"enabled": false}')
    state().leases.enable_adb(enabled)
    return success({"enabled": enabled})


@control.get("/rpc/adb")
def get_rpc_adb() -> Response:
    """Whether the device API's adb route is on."""
    return success({"enabled": state().leases.adb_enabled})


@control.get("/custom-scripts")
def list_custom_scripts() -> Response:
    """The registered custom scripts."""
    scripts = state().service.custom_scripts.list()
    return success({"scripts": [script.to_json() for script in scripts]})


@control.put("/custom-scripts/<name>")
def register_custom_script(name: str) -> Response:
    """Register a command as a script: ``{"command": [...], "platform", "timeout_secs"}``."""
    script = parse_registration(name, json_body(), set(SCRIPTS) | NOT_VIA_API)
    return success(state().service.custom_scripts.register(script).to_json())


@control.delete("/custom-scripts/<name>")
def unregister_custom_script(name: str) -> Response:
    """Remove a registration (tasks already made with it fail when they run)."""
    state().service.custom_scripts.unregister(name)
    return success({"name": name})

"""The ``/api/v1/rpc`` blueprint: TikMatrix's device API, thin over the lease service.

Leases lend a device to a user's program; device calls (``jsonrpc``, ``adb``,
``hierarchy``, ``screenshot``) carry the lease's id in ``x-session-id``. Errors are the
task API's envelope with HTTP 403 (plan, lease, adb off) and 409 (busy, no free slot).
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from tikmatrix_sdk._contract import routes
from tikmatrix_sdk._contract.devices import (
    parse_adb,
    parse_heartbeat,
    parse_lease,
    parse_ui_call,
    serial_query,
    session_header,
)
from tikmatrix_sdk._contract.routes import content_type, negotiate

from ..domain.faults import apply_fault
from ..state import state
from .envelope import json_body, success
from .routing import contract_route
from .rpc_wire import device_json, lease_json

__all__ = ["rpc"]

#: An answer whose type follows the request's Accept says so to caches.
_VARY = {"Vary": "Accept"}

rpc = Blueprint("rpc", __name__, url_prefix="/api/v1/rpc")


@rpc.before_request
def _faults_and_plan() -> None:
    apply_fault(state().faults, request.method, request.path)
    state().service.check_api_access()


def _serial_arg() -> str | None:
    return serial_query(request.args.get("serial"))


@contract_route(rpc, "list_devices")
def list_devices() -> Response:
    """The devices, each with ``serial`` and ``busy``."""
    return success([device_json(device) for device in state().leases.devices()])


@contract_route(rpc, "lease")
def lease() -> Response:
    """Lease a device."""
    serial, label, ttl = parse_lease(json_body())
    leases = state().leases
    return success(lease_json(leases.acquire(serial, label=label, ttl=ttl), _now()))


@contract_route(rpc, "list_leases")
def list_leases() -> Response:
    """The live leases; a lease's id only to the caller that presents it in ``x-session-id``.

    Anyone with a lease's id may drive, renew or release it: listing every id would hand
    each program every other program's device.
    """
    now = _now()
    presented = _session()
    return success(
        [
            lease_json(lease, now, reveal=lease.session_id == presented)
            for lease in state().leases.leases()
        ]
    )


@contract_route(rpc, "heartbeat")
def heartbeat(session_id: str) -> Response:
    """Extend a lease."""
    ttl = parse_heartbeat(json_body())
    return success(lease_json(state().leases.renew(session_id, ttl), _now()))


@contract_route(rpc, "release")
def release(session_id: str) -> Response:
    """End a lease."""
    return success(lease_json(state().leases.release(session_id), _now()))


@contract_route(rpc, "jsonrpc")
def jsonrpc() -> Response:
    """Call a uiautomator2 method on the leased device."""
    call = parse_ui_call(json_body())
    result = state().leases.ui_call(_session(), call.serial, call.method, call.params, call.timeout)
    return success(result)


@contract_route(rpc, "adb")
def adb() -> Response:
    """Run a shell command on the leased device (off unless enabled)."""
    call = parse_adb(json_body())
    output = state().leases.adb(_session(), call.serial, call.argv, call.timeout)
    return success(output)


@contract_route(rpc, "hierarchy")
def hierarchy() -> Response:
    """The leased device's UI tree, as XML."""
    xml = state().leases.hierarchy(_session(), _serial_arg())
    media = negotiate(routes.named("hierarchy"), request.headers.get("Accept"))
    return Response(xml.encode("utf-8"), content_type=content_type(media), headers=_VARY)


@contract_route(rpc, "screenshot")
def screenshot() -> Response:
    """The leased device's screen, as PNG."""
    png = state().leases.screenshot(_session(), _serial_arg())
    media = negotiate(routes.named("screenshot"), request.headers.get("Accept"))
    return Response(png, content_type=content_type(media), headers=_VARY)


def _session() -> str | None:
    return session_header(request.headers.get("x-session-id"))


def _now() -> float:
    return state().service.clock.now()

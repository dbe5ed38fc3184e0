"""The mock's answers to the device API: devices, leases and calls on a leased device."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from .._contract.devices import (
    adb_disabled,
    already_leased,
    lease_not_found,
    lease_required,
    no_free_slot,
    parse_adb,
    parse_heartbeat,
    parse_lease,
    parse_ui_call,
    serial_query,
    session_header,
    unknown_device,
)
from .._contract.plans import PLANS
from .._contract.routes import content_type, named, negotiate
from ._state import MockState
from ._wire import envelope as _envelope
from ._wire import iso as _iso
from ._wire import seconds as _seconds

__all__ = ["DeviceRoutes"]

_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
_HIERARCHY = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">"
    '<node index="0" text="TikTok" resource-id="com.android.launcher3:id/icon" '
    'class="android.widget.TextView" package="com.android.launcher3" content-desc="TikTok" '
    'clickable="true" selected="false" bounds="[0,100][1080,200]" /></hierarchy>'
)


class DeviceRoutes(MockState):
    """The device API, one method per route of the contract (``_`` and the route's name)."""

    def _live(self) -> dict[str, dict[str, Any]]:
        now = datetime.now(UTC)
        for key in [k for k, lease in self.leases.items() if lease["_expires"] <= now]:
            del self.leases[key]
        return self.leases

    def _lease_json(self, lease: Mapping[str, Any], *, reveal: bool = True) -> dict[str, Any]:
        left = (lease["_expires"] - datetime.now(UTC)).total_seconds()
        answer = {key: value for key, value in lease.items() if not key.startswith("_")}
        answer.update(
            session_id=lease["session_id"] if reveal else None,
            expires_at=_iso(lease["_expires"]),
            expires_in=max(0.0, round(left, 3)),
        )
        return answer

    def _list_devices(self, request: httpx.Request, body: Any) -> httpx.Response:
        holders = {lease["serial"]: lease for lease in self._live().values()}
        return _envelope(
            [
                {
                    "serial": serial,
                    "kind": "simulated",
                    "online": True,
                    "busy": serial in holders,
                    "task_id": None,
                    "leased": serial in holders,
                    "lease_label": holders[serial]["label"] if serial in holders else None,
                }
                for serial in self.devices
            ]
        )

    def _lease(self, request: httpx.Request, body: Any) -> httpx.Response:
        serial, label, ttl = parse_lease(body)
        if serial not in self.devices:
            raise unknown_device(serial)
        live = self._live()
        holder = next((lease for lease in live.values() if lease["serial"] == serial), None)
        if holder is not None:
            raise already_leased(serial, holder["label"])
        plan = PLANS[self.plan]
        if len(live) >= plan.device_limit:
            raise no_free_slot(plan.name, plan.device_limit)
        now = datetime.now(UTC)
        lease: dict[str, Any] = {
            "session_id": secrets.token_urlsafe(18),
            "serial": serial,
            "label": label,
            "ttl_secs": ttl,
            "created_at": _iso(now),
            "task_id": None,
            "_expires": now + _seconds(ttl),
        }
        live[lease["session_id"]] = lease
        return _envelope(self._lease_json(lease))

    def _list_leases(self, request: httpx.Request, body: Any) -> httpx.Response:
        presented = session_header(request.headers.get("x-session-id"))
        return _envelope(
            [
                self._lease_json(lease, reveal=key == presented)
                for key, lease in self._live().items()
            ]
        )

    def _held(self, session_id: str | None, serial: str | None = None) -> dict[str, Any]:
        lease = self._live().get(session_id) if session_id else None
        lease_required(session_id, serial, lease["serial"] if lease is not None else "")
        assert lease is not None
        return lease

    def _heartbeat(self, request: httpx.Request, body: Any, session_id: str) -> httpx.Response:
        ttl = parse_heartbeat(body)
        lease = self._held(session_id)
        lease.update(ttl_secs=ttl, _expires=datetime.now(UTC) + _seconds(ttl))
        return _envelope(self._lease_json(lease))

    def _release(self, request: httpx.Request, body: Any, session_id: str) -> httpx.Response:
        lease = self._live().pop(session_id, None)
        if lease is None:
            raise lease_not_found()
        return _envelope(self._lease_json(lease))

    def _session(self, request: httpx.Request) -> str | None:
        return session_header(request.headers.get("x-session-id"))

    def _jsonrpc(self, request: httpx.Request, body: Any) -> httpx.Response:
        call = parse_ui_call(body)
        lease = self._held(self._session(request), call.serial)
        if call.method == "deviceInfo":
            return _envelope(
                {
                    "productName": lease["serial"],
                    "displayWidth": 1080,
                    "displayHeight": 2340,
                    "currentPackageName": "com.android.launcher3",
                    "sdkInt": 33,
                }
            )
        return _envelope(True)

    def _hierarchy(self, request: httpx.Request, body: Any) -> httpx.Response:
        session = self._session(request)
        self._held(session, serial_query(request.url.params.get("serial")))
        media = negotiate(named("hierarchy"), request.headers.get("accept"))
        headers = {"Content-Type": content_type(media), "Vary": "Accept"}
        return httpx.Response(200, content=_HIERARCHY.encode(), headers=headers)

    def _screenshot(self, request: httpx.Request, body: Any) -> httpx.Response:
        session = self._session(request)
        self._held(session, serial_query(request.url.params.get("serial")))
        media = negotiate(named("screenshot"), request.headers.get("accept"))
        headers = {"Content-Type": content_type(media), "Vary": "Accept"}
        return httpx.Response(200, content=_PNG, headers=headers)

    def _adb(self, request: httpx.Request, body: Any) -> httpx.Response:
        call = parse_adb(body)
        self._held(self._session(request), call.serial)
        raise adb_disabled()

"""The device API's answers: a lease and a device as the contract writes them.

Its requests are parsed by the contract's own functions (``tikmatrix_sdk._contract.devices``).
"""

from __future__ import annotations

from typing import Any

from ..clock import to_iso
from ..domain.leases import DeviceState, Lease

__all__ = ["device_json", "lease_json"]


def lease_json(lease: Lease, now: float, *, reveal: bool = True) -> dict[str, Any]:
    """A lease as the device API writes it; its id ``None`` unless ``reveal``."""
    return {
        "session_id": lease.session_id if reveal else None,
        "serial": lease.serial,
        "label": lease.label,
        "ttl_secs": lease.ttl,
        "created_at": to_iso(lease.created),
        "expires_at": to_iso(lease.expires),
        "expires_in": max(0.0, round(lease.expires - now, 3)),
        "task_id": lease.task_id,
    }


def device_json(device: DeviceState) -> dict[str, Any]:
    """A device as ``GET /rpc/devices`` writes it (a lease is named by label, not id)."""
    lease = device.lease
    return {
        "serial": device.serial,
        "kind": device.kind,
        "online": device.online,
        "busy": device.busy,
        "task_id": device.task_id,
        "leased": lease is not None,
        "lease_label": lease.label if lease is not None else None,
    }

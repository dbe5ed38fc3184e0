"""The default fleet: simulated devices named as in TikMatrix's own examples."""

from __future__ import annotations

from typing import Any

from .runner import Fleet
from .service import TaskService

__all__ = ["default_accounts", "seed_default_fleet"]


def default_accounts(count: int) -> list[dict[str, Any]]:
    """A few accounts on each device ``device_serial_i``.

    ``@user{i}``, ``@my_account{i}`` (TikTok) and ``@insta_user{i}`` (Instagram), so that the
    documentation's examples find theirs.
    """
    accounts: list[dict[str, Any]] = []
    for i in range(1, count + 1):
        serial = f"device_serial_{i}"
        accounts += [
            {"username": f"@user{i}", "device": serial, "platform": "tiktok", "tag": "default"},
            {"username": f"@my_account{i}", "device": serial, "platform": "tiktok", "tag": "mine"},
            {
                "username": f"@insta_user{i}",
                "device": serial,
                "platform": "instagram",
                "tag": "default",
            },
        ]
    return accounts


def seed_default_fleet(service: TaskService, fleet: Fleet, count: int) -> None:
    """Store ``count`` simulated devices with their accounts, and attach them."""
    serials = [f"device_serial_{i}" for i in range(1, count + 1)]
    service.seed(serials, default_accounts(count))
    for serial in serials:
        fleet.simulated(serial)

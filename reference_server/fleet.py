"""The default fleet: simulated devices named as in TikMatrix's own examples."""

from __future__ import annotations

from typing import Any

import attrs

from .runner import Fleet
from .service import TaskService

__all__ = ["DeviceSource", "default_accounts", "seed_default_fleet", "virtual_accounts"]


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


def virtual_accounts(serials: list[str]) -> list[dict[str, Any]]:
    """Two accounts on each virtual phone: one TikTok, one Instagram."""
    accounts: list[dict[str, Any]] = []
    for i, serial in enumerate(serials, start=1):
        accounts += [
            {
                "username": f"@phone{i}_tiktok",
                "device": serial,
                "platform": "tiktok",
                "tag": "virtual",
            },
            {
                "username": f"@phone{i}_insta",
                "device": serial,
                "platform": "instagram",
                "tag": "virtual",
            },
        ]
    return accounts


@attrs.define(kw_only=True)
class DeviceSource:
    """Where the fleet comes from.

    Simulated devices, the phones attached to adb, or virtual phones driven through a private
    adb server.
    """

    kind: str = "simulated"
    count: int = 5
    adb_port: int = 5037
    element_timeout: float = 10.0
    lab: Any = None
    client: Any = None

    def start(self) -> None:
        """Start what the source needs (the virtual phones and their adb server)."""
        if self.kind == "virtual":
            from .virtual.lab import VirtualLab

            self.lab = VirtualLab(self.count).start()
            self.client = self.lab.client
        elif self.kind == "adb":
            import adbutils

            self.client = adbutils.AdbClient(host="127.0.0.1", port=self.adb_port)

    def seed(self, service: TaskService, fleet: Fleet) -> None:
        """Store the source's devices (and their accounts) and attach them to the runner."""
        if self.kind == "simulated":
            seed_default_fleet(service, fleet, self.count)
            return
        from .devices.adb import AdbDevice

        if self.lab is not None:
            serials = [phone.serial for phone in self.lab.phones]
            accounts = virtual_accounts(serials)
        else:
            serials = [info.serial for info in self.client.list() if info.state == "device"]
            accounts = []
        service.store.add_devices(serials, kind=self.kind)
        service.store.add_accounts(accounts)
        for serial in serials:
            fleet.add(AdbDevice(serial, self.client, element_timeout=self.element_timeout))

    def phone(self, serial: str) -> Any:
        """The virtual phone with this serial, or None."""
        if self.lab is None:
            return None
        return next((phone for phone in self.lab.phones if phone.serial == serial), None)

    def stop(self) -> None:
        """Stop the virtual phones and their adb server."""
        if self.lab is not None:
            self.lab.stop()

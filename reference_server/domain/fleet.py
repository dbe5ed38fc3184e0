"""The devices a server drives: the fleet the runner hands tasks to, and where it comes from.

:class:`Fleet` holds the attached devices by serial; :class:`DeviceSource` makes them
(simulated devices named as in TikMatrix's own examples, the phones attached to adb, or
virtual phones) and stores them, with their accounts, through the service.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from ..devices import Device, SimulatedDevice
from .service import TaskService

__all__ = [
    "DEVICE_PREFIX",
    "DeviceSource",
    "Fleet",
    "default_accounts",
    "seed_default_fleet",
    "virtual_accounts",
]


class Fleet:
    """The devices the runner can drive, by serial."""

    def __init__(self, devices: Iterable[Device] = ()) -> None:
        self._devices = {device.serial: device for device in devices}
        self._lock = threading.Lock()

    def add(self, device: Device) -> None:
        """Add (or replace) a device."""
        with self._lock:
            self._devices[device.serial] = device

    def get(self, serial: str | None) -> Device | None:
        """The device with this serial, if it is attached."""
        with self._lock:
            return None if serial is None else self._devices.get(serial)

    def simulated(self, serial: str) -> SimulatedDevice:
        """The simulated device with this serial, creating it if needed."""
        with self._lock:
            device = self._devices.get(serial)
            if not isinstance(device, SimulatedDevice):
                device = self._devices[serial] = SimulatedDevice(serial)
            return device

    def clear(self) -> None:
        """Forget every device."""
        with self._lock:
            self._devices.clear()

    def __iter__(self) -> Iterator[Device]:
        with self._lock:
            return iter(list(self._devices.values()))


#: What may begin a server's simulated serials and account names: a short name, so that
#: they stay valid serials and usernames.
DEVICE_PREFIX = re.compile(r"[a-z0-9_]{0,16}")


def default_accounts(count: int, prefix: str = "") -> list[dict[str, Any]]:
    """A few accounts on each device ``{prefix}device_serial_i``.

    ``@{prefix}user{i}``, ``@{prefix}my_account{i}`` (TikTok) and ``@{prefix}insta_user{i}``
    (Instagram), so that the documentation's examples find theirs.
    """
    accounts: list[dict[str, Any]] = []
    for i in range(1, count + 1):
        serial = f"{prefix}device_serial_{i}"
        accounts += [
            {
                "username": f"@{prefix}user{i}",
                "device": serial,
                "platform": "tiktok",
                "tag": "default",
            },
            {
                "username": f"@{prefix}my_account{i}",
                "device": serial,
                "platform": "tiktok",
                "tag": "mine",
            },
            {
                "username": f"@{prefix}insta_user{i}",
                "device": serial,
                "platform": "instagram",
                "tag": "default",
            },
        ]
    return accounts


def seed_default_fleet(service: TaskService, fleet: Fleet, count: int, prefix: str = "") -> None:
    """Store ``count`` simulated devices with their accounts, and attach them."""
    serials = [f"{prefix}device_serial_{i}" for i in range(1, count + 1)]
    service.seed(serials, default_accounts(count, prefix))
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
    virtual_port: int | None = None
    element_timeout: float = 10.0
    lab: Any = None
    client: Any = None
    prefix: str = ""

    def start(self) -> None:
        """Start what the source needs (the virtual phones and their adb server)."""
        if self.kind == "virtual":
            from ..virtual.phones_and_adb import VirtualLab

            self.lab = VirtualLab(self.count, first_port=self.virtual_port).start()
            self.client = self.lab.client
        elif self.kind == "adb":
            import adbutils

            self.client = adbutils.AdbClient(host="127.0.0.1", port=self.adb_port)

    def seed(self, service: TaskService, fleet: Fleet, count: int | None = None) -> None:
        """Store the source's devices (and their accounts) and attach them to the runner.

        ``count`` overrides how many simulated devices are made; the other kinds attach what
        is there.
        """
        if self.kind == "simulated":
            seed_default_fleet(service, fleet, self.count if count is None else count, self.prefix)
            return
        from ..devices.adb import AdbDevice

        if self.lab is not None:
            serials = [phone.serial for phone in self.lab.phones]
            accounts = virtual_accounts(serials)
        else:
            serials = [info.serial for info in self.client.list() if info.state == "device"]
            accounts = []
        service.seed(serials, accounts, kind=self.kind)
        for serial in serials:
            fleet.add(
                AdbDevice(serial, self.client, element_timeout=self.element_timeout, kind=self.kind)
            )

    def phone(self, serial: str) -> Any:
        """The virtual phone with this serial, or None."""
        if self.lab is None:
            return None
        return next((phone for phone in self.lab.phones if phone.serial == serial), None)

    def stop(self) -> None:
        """Stop the virtual phones and their adb server."""
        if self.lab is not None:
            self.lab.stop()

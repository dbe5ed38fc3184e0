"""The reference server's own test lab: its simulated devices and virtual phones.

TikMatrix has no such thing; the control API and the dashboard do. They reach the devices
through this service only (never the fleet, a device or a phone's insides), as the task API
reaches the store through :class:`~reference_server.domain.service.TaskService`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from tikmatrix_sdk._contract.codes import NOT_FOUND, ContractError, bad_request

from ..android.described_apps import APP_SCHEMA, AppError, read_app
from ..devices import FAILURE_MODES, Behaviour, SimulatedDevice
from .fleet import DeviceSource, Fleet
from .leases import LeaseService
from .runner import Runner
from .service import TaskService

__all__ = ["APP_SCHEMA", "BEHAVIOUR_FIELDS", "FAILURE_MODES", "Lab"]

#: The fields of a simulated device's behaviour (``duration``, ``failure`` …).
BEHAVIOUR_FIELDS = frozenset(field.name for field in attrs.fields(Behaviour))


class Lab:
    """What the control API and the dashboard may do to and read from the devices."""

    def __init__(
        self,
        service: TaskService,
        fleet: Fleet,
        source: DeviceSource,
        runner: Runner,
        leases: LeaseService,
    ) -> None:
        self._service = service
        self._fleet = fleet
        self._source = source
        self._runner = runner
        self._leases = leases
        self._adding = threading.Lock()

    @property
    def kind(self) -> str:
        """The kind of devices the server was started with (simulated, adb, virtual)."""
        return self._source.kind

    # -- simulated devices -------------------------------------------------------------------

    def add_simulated(self, serials: Sequence[str], *, at_most: int) -> None:
        """Add simulated devices, unless the server would then know more than ``at_most``."""
        with self._adding:  # the count and the adding as one, whatever runs beside
            known = {row.serial for row in self._service.devices()}
            if len(known | set(serials)) > at_most:
                raise bad_request(
                    f"serials: a server knows at most {at_most} devices; it knows {len(known)}, "
                    f"and {len(set(serials) - known)} would be new"
                )
            self._service.seed(serials, [])
            for serial in serials:
                self._fleet.simulated(serial)

    def devices(self) -> list[dict[str, Any]]:
        """Every device with its behaviour and the task it runs."""
        running = self._runner.running()
        devices = []
        for row in self._service.devices():
            device = self._fleet.get(row.serial)
            behaviour = getattr(device, "behaviour", None)
            devices.append(
                {
                    "serial": row.serial,
                    "kind": device.kind if device else row.kind,
                    "connected": device is not None,
                    "running_task_id": running.get(row.serial),
                    "behaviour": behaviour.to_dict() if isinstance(behaviour, Behaviour) else None,
                }
            )
        return devices

    def set_behaviour(self, serial: str, **fields: Any) -> dict[str, Any]:
        """How a simulated device behaves from now on (fields checked by the caller)."""
        behaviour = Behaviour(**fields)
        self._simulated(serial).configure(behaviour)
        return behaviour.to_dict()

    def records(self, serial: str) -> dict[str, Any]:
        """What a device did, in order: a virtual phone's snapshot, a simulated one's records."""
        self._known(serial)
        phone = self._source.phone(serial)
        if phone is not None:
            snapshot: dict[str, Any] = phone.snapshot()
            return snapshot
        return {"records": list(self._simulated(serial).records)}

    # -- virtual phones ----------------------------------------------------------------------

    def disconnect(self, serial: str) -> None:
        """Cut a virtual phone's adb connections, as if its cable were pulled."""
        self._phone(serial).disconnect()

    def reconnect(self, serial: str) -> None:
        """Plug a virtual phone back in and wait until adb sees it online."""
        phone = self._phone(serial)
        phone.reconnect()
        self._source.lab.connect(phone)

    def set_packages(self, serial: str, packages: Iterable[str]) -> list[str]:
        """Which apps a virtual phone has installed; the list now."""
        phone = self._phone(serial)
        phone.packages = set(packages)
        return sorted(phone.packages)

    # -- apps described as data ----------------------------------------------------------------

    def install_app(self, serial: str, description: Any) -> dict[str, Any]:
        """Install an app described as data on a phone (virtual, or a simulated device's).

        A description that cannot be installed is refused (40001) naming its field.
        """
        phone = self._system(serial)
        try:
            app = read_app(description)
            phone.install_described(app)
        except AppError as error:
            raise bad_request(str(error)) from None
        return app.to_json()

    def apps(self, serial: str) -> list[dict[str, Any]]:
        """The apps described as data that a phone has."""
        phone = self._system(serial)
        return [phone.described[package].to_json() for package in sorted(phone.described)]

    def remove_app(self, serial: str, package: str) -> bool:
        """Uninstall an app described as data; whether the phone had it."""
        removed: bool = self._system(serial).uninstall_described(package)
        return removed

    def _system(self, serial: str) -> Any:
        """The Android inside a device: a virtual phone's, or a simulated device's."""
        self._known(serial)
        phone = self._source.phone(serial)
        if phone is not None:
            return phone
        device = self._fleet.get(serial)
        if isinstance(device, SimulatedDevice):
            return device.system
        raise bad_request(f"device {serial!r} has no Android of this server's to install on")

    # -- what the dashboard shows ------------------------------------------------------------

    def activity(self, serial: str, count: int) -> dict[str, Any] | None:
        """What a phone (virtual, or a simulated device's) did lately, newest first.

        Both kinds keep their records in one shape (:class:`~reference_server.android.
        records.DeviceRecord`); a device with no screen of its own (a real phone over adb)
        has none.
        """
        phone = self._source.phone(serial)
        if phone is not None:
            snapshot = phone.snapshot()
            return {
                "records": snapshot["records"][-count:][::-1],
                "shell": snapshot["commands"][-count:][::-1],
                "screen": phone.ui.caption(),
            }
        device = self._fleet.get(serial)
        records = getattr(device, "records", None)
        system = getattr(device, "system", None)
        if records is None or system is None:
            return None
        return {"records": list(records)[-count:][::-1], "shell": [], "screen": system.ui.caption()}

    def screen(self, serial: str) -> bytes:
        """A device's screen now, as PNG (a virtual phone is drawn in-process, not over adb)."""
        self._known(serial)
        phone = self._source.phone(serial)
        from ..android.render import render_png  # the screens load with the first look

        return render_png(phone.ui) if phone is not None else self._leases.peek_screen(serial)

    # -- lookups -----------------------------------------------------------------------------

    def _known(self, serial: str) -> None:
        if serial not in {row.serial for row in self._service.devices()}:
            raise ContractError(NOT_FOUND, f"device {serial!r} not found")

    def _phone(self, serial: str) -> Any:
        self._known(serial)
        phone = self._source.phone(serial)
        if phone is None:
            raise bad_request(f"device {serial!r} is not a virtual phone")
        return phone

    def _simulated(self, serial: str) -> SimulatedDevice:
        self._known(serial)
        device = self._fleet.get(serial)
        if device is not None and not isinstance(device, SimulatedDevice):
            raise bad_request(f"device {serial!r} is a {device.kind} device, not a simulated one")
        return self._fleet.simulated(serial)

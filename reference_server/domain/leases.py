"""The device API's rules: devices lent to users' programs, and what a lease lets them do.

A lease gives one program a device for ``ttl`` seconds, renewed by heartbeats. While leased,
the scheduler dispatches no task to the device; a lease and a running task each take one of
the plan's device slots; a device that runs a task cannot be leased (managed custom scripts
lease their own task's device through :meth:`LeaseService.lend_to_task`). Leases live in
memory only: a restarted server has none. Every call on a device checks its lease first,
and the HTTP layer reaches devices only through this service.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager as ContextManager
from typing import Any

import attrs

from tikmatrix_sdk._contract.codes import (
    DEVICE_BUSY,
    DEVICE_UNAVAILABLE,
    UI_RPC_FAILED,
    ContractError,
)
from tikmatrix_sdk._contract.devices import (
    adb_disabled,
    already_leased,
    lease_not_found,
    lease_required,
    no_free_slot,
    unknown_device,
)
from tikmatrix_sdk._contract.limits import DEFAULT_TTL

from ..devices import Device, DeviceError, TaskCancelled, UiRpcError
from .fleet import Fleet
from .service import TaskService

__all__ = ["DeviceState", "Lease", "LeaseService"]

log = logging.getLogger(__name__)

#: A lease's seconds when the request names none, and the most one may ask for.
_ADB_SETTING = "rpc_adb_enabled"


@attrs.frozen(kw_only=True)
class Lease:
    """One device lent to one program until ``expires`` (the clock's seconds)."""

    session_id: str
    serial: str
    label: str
    ttl: float
    created: float
    expires: float
    task_id: int | None = None

    def renewed(self, now: float, ttl: float) -> Lease:
        """The lease, extended ``ttl`` seconds from ``now``."""
        return attrs.evolve(self, ttl=ttl, expires=now + ttl)


@attrs.frozen(kw_only=True)
class DeviceState:
    """A device as the device API lists it: whether it is free, and what holds it."""

    serial: str
    kind: str
    online: bool
    task_id: int | None
    lease: Lease | None

    @property
    def busy(self) -> bool:
        """Whether a task or a lease holds the device."""
        return self.task_id is not None or self.lease is not None


def _no_hold(serial: str) -> ContextManager[Mapping[str, int]]:
    return contextlib.nullcontext({})


class LeaseService:
    """Leases, and the device calls they allow; safe from request and runner threads."""

    def __init__(self, service: TaskService, fleet: Fleet) -> None:
        self.service = service
        self.fleet = fleet
        self._leases: dict[str, Lease] = {}
        #: Device calls under way, by session id and by serial: a lease does not expire under
        #: a call, and a device stays busy until its calls end, released or not.
        self._calls: collections.Counter[str] = collections.Counter()
        self._calls_on: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        self._hold: Callable[[str], ContextManager[Mapping[str, int]]] = _no_hold
        self._released: Callable[[], None] = lambda: None

    def set_scheduler_hooks(
        self,
        hold: Callable[[str], ContextManager[Mapping[str, int]]],
        released: Callable[[], None],
    ) -> None:
        """How to keep the scheduler from claiming meanwhile, and whom to wake on a release.

        ``hold(serial)`` holds the scheduler still and yields the task each busy device
        runs; it is what makes "idle, so lend it" one step.
        """
        self._hold = hold
        self._released = released

    # -- leases ------------------------------------------------------------------------------

    def _live(self) -> dict[str, Lease]:
        """The unexpired leases by session id (the lock is held); expired ones are dropped."""
        now = self.service.clock.now()
        for session_id, lease in list(self._leases.items()):
            if lease.expires <= now and lease.task_id is None and not self._calls[session_id]:
                del self._leases[session_id]
                log.info("lease %s on %s expired", lease.label or session_id[:6], lease.serial)
        return self._leases

    def leases(self) -> list[Lease]:
        """The live leases, oldest first."""
        with self._lock:
            return sorted(self._live().values(), key=lambda lease: lease.created)

    def leased_serials(self) -> set[str]:
        """The devices lent out now, or still answering a call (the scheduler's view)."""
        with self._lock:
            return {lease.serial for lease in self._live().values()} | set(+self._calls_on)

    def devices(self) -> list[DeviceState]:
        """Every known device, with the task or lease that holds it."""
        rows = self.service.devices()
        with self._hold("") as running, self._lock:
            by_serial = {lease.serial: lease for lease in self._live().values()}
            running = dict(running)
        return [
            DeviceState(
                serial=row.serial,
                kind=row.kind,
                online=self.fleet.get(row.serial) is not None,
                task_id=running.get(row.serial),
                lease=by_serial.get(row.serial),
            )
            for row in rows
        ]

    def _known(self, serial: str) -> None:
        if serial not in {device.serial for device in self.service.devices()}:
            raise unknown_device(serial)

    def acquire(self, serial: str, *, label: str = "", ttl: float = DEFAULT_TTL) -> Lease:
        """Lend ``serial`` for ``ttl`` seconds.

        40901 if it is leased or runs a task; 40902 if the plan has no free device slot.
        """
        self._known(serial)
        limit = self.service.plan.device_limit
        with self._hold(serial) as running, self._lock:
            live = self._live()
            holder = next((lease for lease in live.values() if lease.serial == serial), None)
            if holder is not None:
                raise already_leased(serial, holder.label)
            if serial in running:
                raise ContractError(
                    DEVICE_BUSY, f"device {serial} is running task {running[serial]}"
                )
            if self._calls_on[serial]:
                raise ContractError(DEVICE_BUSY, f"device {serial} is still answering a call")
            used = set(running) | {lease.serial for lease in live.values()} | set(+self._calls_on)
            if len(used) >= limit:
                raise no_free_slot(self.service.plan.name, limit)
            now = self.service.clock.now()
            lease = Lease(
                session_id=secrets.token_urlsafe(18),
                serial=serial,
                label=label,
                ttl=ttl,
                created=now,
                expires=now + ttl,
            )
            live[lease.session_id] = lease
        log.info("device %s leased for %g s (%s)", serial, ttl, label or "no label")
        return lease

    def lend_to_task(self, serial: str, task_id: int, ttl: float) -> Lease:
        """A lease for the task that runs on ``serial`` (the device is already the task's).

        It lasts until :meth:`release`, whatever its ``ttl``.
        """
        now = self.service.clock.now()
        lease = Lease(
            session_id=secrets.token_urlsafe(18),
            serial=serial,
            label=f"task {task_id}",
            ttl=ttl,
            created=now,
            expires=now + ttl,
            task_id=task_id,
        )
        with self._lock:
            self._leases[lease.session_id] = lease
        return lease

    def _lease(self, session_id: str | None, serial: str | None = None) -> Lease:
        """The live lease ``session_id`` names (the lock is held), or 40302.

        A call that names another device than the lease's is refused too.
        """
        lease = self._live().get(session_id) if session_id else None
        lease_required(session_id, serial, lease.serial if lease is not None else "")
        assert lease is not None
        return lease

    def renew(self, session_id: str, ttl: float = DEFAULT_TTL) -> Lease:
        """Extend a live lease ``ttl`` seconds from now; 40302 if it is gone."""
        with self._lock:
            lease = self._lease(session_id).renewed(self.service.clock.now(), ttl)
            self._leases[session_id] = lease
        return lease

    def release(self, session_id: str) -> Lease:
        """End a lease; 40401 if there is none by that id."""
        with self._lock:
            lease = self._live().pop(session_id, None)
        if lease is None:
            raise lease_not_found()
        log.info("device %s released (%s)", lease.serial, lease.label or "no label")
        self._released()
        return lease

    def clear(self) -> None:
        """End every lease (a reset)."""
        with self._lock:
            self._leases.clear()

    # -- settings ----------------------------------------------------------------------------

    @property
    def adb_enabled(self) -> bool:
        """Whether the adb route runs commands (off unless turned on)."""
        return self.service.setting(_ADB_SETTING, "off") == "on"

    def enable_adb(self, enabled: bool) -> None:
        """Turn the adb route on or off."""
        self.service.set_setting(_ADB_SETTING, "on" if enabled else "off")
        log.info("device API adb route %s", "enabled" if enabled else "disabled")

    # -- calls on a leased device ------------------------------------------------------------

    @contextlib.contextmanager
    def _device(self, session_id: str | None, serial: str | None) -> Iterator[Device]:
        """The leased device, held for one call: its lease cannot expire meanwhile."""
        with self._lock:
            lease = self._lease(session_id, serial)
            device = self.fleet.get(lease.serial)
            if device is None:
                raise ContractError(DEVICE_UNAVAILABLE, f"device {lease.serial} is not connected")
            if self._calls[lease.session_id]:  # a lease may not hold every request thread
                raise ContractError(
                    DEVICE_BUSY,
                    f"a call on the lease of {lease.serial} is still running: one at a time",
                )
            self._calls[lease.session_id] += 1
            self._calls_on[lease.serial] += 1
        try:
            yield device
        finally:
            with self._lock:
                self._calls[lease.session_id] -= 1
                self._calls_on[lease.serial] -= 1
                self._calls += collections.Counter()  # drop the zeros
                self._calls_on += collections.Counter()
                ended = lease.session_id not in self._live()
            if ended:  # released or expired while the call ran: the device is free only now
                self._released()

    def _on_device(self, device: Device, what: str, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except UiRpcError as error:
            raise ContractError(
                UI_RPC_FAILED,
                f"device {device.serial} refused {what}: {error.message}",
                data={"rpc_code": error.code, "rpc_message": error.message},
            ) from None
        except (DeviceError, TaskCancelled) as error:
            raise ContractError(
                DEVICE_UNAVAILABLE, f"device {device.serial} failed {what}: {error}"
            ) from None
        except Exception as error:  # never a 500: the device, not the request, failed
            log.exception("device %s failed %s", device.serial, what)
            raise ContractError(
                DEVICE_UNAVAILABLE,
                f"device {device.serial} failed {what}: {type(error).__name__}: {error}",
            ) from None

    def ui_call(
        self,
        session_id: str | None,
        serial: str | None,
        method: str,
        params: Sequence[Any],
        timeout: float,
    ) -> Any:
        """Call a uiautomator2 method on the leased device."""
        with self._device(session_id, serial) as device:
            return self._on_device(device, method, lambda: device.ui_call(method, params, timeout))

    def hierarchy(self, session_id: str | None, serial: str | None) -> str:
        """The leased device's UI tree as XML."""
        with self._device(session_id, serial) as device:
            xml: str = self._on_device(device, "a hierarchy dump", device.hierarchy)
        return xml

    def screenshot(self, session_id: str | None, serial: str | None) -> bytes:
        """The leased device's screen as PNG."""
        with self._device(session_id, serial) as device:
            png: bytes = self._on_device(device, "a screenshot", device.screenshot)
        return png

    def peek_screen(self, serial: str) -> bytes:
        """A device's screen as PNG, leased or not (for the read-only dashboard)."""
        device = self.fleet.get(serial)
        if device is None:
            raise ContractError(DEVICE_UNAVAILABLE, f"device {serial} is not connected")
        png: bytes = self._on_device(device, "a screenshot", device.screenshot)
        return png

    def adb(
        self, session_id: str | None, serial: str | None, args: Sequence[str], timeout: float
    ) -> str:
        """Run ``adb shell ARGS...`` on the leased device; 40303 while the route is off."""
        with self._device(session_id, serial) as device:
            if not self.adb_enabled:
                raise adb_disabled()
            output: str = self._on_device(
                device, f"adb shell {args[0]}", lambda: device.adb_shell(args, timeout)
            )
        return output

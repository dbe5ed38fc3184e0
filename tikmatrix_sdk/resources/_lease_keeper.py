"""Leases held for a ``with`` block: acquired on entry, renewed in the background, released.

The blocking client renews from a daemon thread, the async client from a task in a task
group of the block's own (so it works under asyncio and trio alike). A renewal the server
refuses ends the renewing and is kept: the block's next device call raises it. A renewal
that gets no answer (a network blip) is tried again at the next beat.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from .._logs import logger
from .._public import say_public
from ..errors import LeaseError, NotFoundError, TikMatrixError
from .leased_device import LeasedDevice

if TYPE_CHECKING:
    import anyio.abc

    from .._resource import AsyncMode, ClientLike, SyncMode
    from ..models import Lease


class _Leases(Protocol):
    """What a blocking lease needs of ``client.devices``."""

    _client: ClientLike

    def acquire(self, serial: str, *, label: str, ttl: float) -> Lease:
        """Lease a device."""
        ...

    def heartbeat(self, session_id: str, *, ttl: float) -> None:
        """Renew a lease."""
        ...

    def release(self, session_id: str) -> None:
        """End a lease."""
        ...


class _AsyncLeases(Protocol):
    """What an async lease needs of ``client.devices``."""

    _client: ClientLike

    async def acquire(self, serial: str, *, label: str, ttl: float) -> Lease:
        """Lease a device."""
        ...

    async def heartbeat(self, session_id: str, *, ttl: float) -> None:
        """Renew a lease."""
        ...

    async def release(self, session_id: str) -> None:
        """End a lease."""
        ...


__all__ = ["AsyncDeviceLease", "DeviceLease"]

_MIN_BEAT = 0.5


def beat_interval(ttl: float) -> float:
    """Seconds between renewals: a third of the lease, so two may be lost before it ends."""
    return max(ttl / 3, _MIN_BEAT)


class _Renewal:
    """What the renewing saw; the device reads :attr:`failure` before each call."""

    def __init__(self) -> None:
        self.failure: TikMatrixError | None = None

    def failed(self, error: TikMatrixError, serial: str) -> bool:
        """Take a renewal's failure; whether to stop renewing (the lease is gone)."""
        if isinstance(error, LeaseError | NotFoundError):
            logger.warning("lease on %s lost: its renewal was refused (%s)", serial, error)
            self.failure = error
            return True
        logger.info("lease renewal on %s failed (%s); retrying", serial, error)  # it may hold
        return False


def _release_failed(error: TikMatrixError, exc: BaseException | None, serial: str) -> None:
    """A release that failed: raise it, unless the block already raised (never hide that)."""
    if isinstance(error, LeaseError | NotFoundError):
        return  # it expired already: the device is free
    if exc is None:
        raise error
    logger.warning("could not release the lease on %s", serial, exc_info=error)


class _LeaseBlock:
    """What both kinds of lease block hold."""

    def __init__(self, serial: str, *, label: str, ttl: float) -> None:
        self.serial = serial
        self.label = label
        self.ttl = ttl
        self._renewal = _Renewal()
        self.session_id: str | None = None

    def _leased(self, client: ClientLike, session_id: str) -> LeasedDevice[Any]:
        self.session_id = session_id
        return LeasedDevice(client, session_id=session_id, serial=self.serial, state=self._renewal)


class DeviceLease(_LeaseBlock):
    """``with client.devices.lease(serial) as device:`` on the blocking client."""

    def __init__(self, devices: _Leases, serial: str, *, label: str, ttl: float) -> None:
        """Prepare a lease; nothing is sent before the ``with`` block starts."""
        super().__init__(serial, label=label, ttl=ttl)
        self._devices = devices
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> LeasedDevice[SyncMode]:
        lease = self._devices.acquire(self.serial, label=self.label, ttl=self.ttl)
        device = self._leased(self._devices._client, lease.session_id)
        self._thread = threading.Thread(
            target=self._renew, name=f"tikmatrix-lease-{self.serial}", daemon=True
        )
        self._thread.start()
        return device

    def _renew(self) -> None:
        assert self.session_id is not None
        while not self._stop.wait(beat_interval(self.ttl)):
            try:
                self._devices.heartbeat(self.session_id, ttl=self.ttl)
            except TikMatrixError as error:
                if self._renewal.failed(error, self.serial):
                    return

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.session_id is None:
            return
        try:
            self._devices.release(self.session_id)
        except TikMatrixError as error:
            _release_failed(error, exc, self.serial)


class AsyncDeviceLease(_LeaseBlock):
    """``async with client.devices.lease(serial) as device:`` on the async client."""

    def __init__(self, devices: _AsyncLeases, serial: str, *, label: str, ttl: float) -> None:
        """Prepare a lease; nothing is sent before the ``async with`` block starts."""
        super().__init__(serial, label=label, ttl=ttl)
        self._devices = devices
        self._group: anyio.abc.TaskGroup | None = None

    async def __aenter__(self) -> LeasedDevice[AsyncMode]:
        import anyio

        lease = await self._devices.acquire(self.serial, label=self.label, ttl=self.ttl)
        device = self._leased(self._devices._client, lease.session_id)
        self._group = anyio.create_task_group()
        await self._group.__aenter__()
        self._group.start_soon(self._renew, lease.session_id)
        return device

    async def _renew(self, session_id: str) -> None:
        import anyio

        while True:
            await anyio.sleep(beat_interval(self.ttl))
            try:
                await self._devices.heartbeat(session_id, ttl=self.ttl)
            except TikMatrixError as error:
                if self._renewal.failed(error, self.serial):
                    return

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        import anyio

        # A block left by a cancellation (a timeout around it) still stops its renewing and
        # releases the device; the cancellation then goes on.
        pending: BaseException | None = None
        if self._group is not None:
            self._group.cancel_scope.cancel()
            try:
                await self._group.__aexit__(None, None, None)
            except BaseException as cancelled:  # the outer cancellation, delivered here
                pending = cancelled
        try:
            if self.session_id is not None:
                with anyio.CancelScope(shield=True):
                    await self._release(exc if exc is not None else pending)
        finally:
            if pending is not None:
                raise pending

    async def _release(self, exc: BaseException | None) -> None:
        assert self.session_id is not None
        try:
            await self._devices.release(self.session_id)
        except TikMatrixError as error:
            _release_failed(error, exc, self.serial)


say_public(["AsyncDeviceLease", "DeviceLease"], globals())

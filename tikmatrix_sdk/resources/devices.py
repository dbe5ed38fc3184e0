"""``client.devices``: TikMatrix's device API, which lends devices to users' own programs.

>>> from tikmatrix_sdk import TikMatrix
>>> with TikMatrix() as client, client.devices.lease("device_serial_1", label="demo") as phone:
...     phone.press("home")
...     phone.exists(text="TikTok")
True
"""

from __future__ import annotations

import builtins
import os
from typing import TYPE_CHECKING, Any, Unpack, overload

from .._binders import operation
from .._contract import limits
from .._effects import Program
from .._endpoint import Endpoint
from .._lazy import lazy_module
from .._request_options import RequestOptions
from .._resource import AsyncMode, M, Raw, Resource, SyncMode
from ..errors import ClientValidationError
from .leased_device import LeasedDevice

if TYPE_CHECKING:
    from .. import models
    from ..models import Device, Lease, ListedLease
    from ._lease_keeper import AsyncDeviceLease, DeviceLease
else:  # the models load with the first answer, not with the import
    models = lazy_module("tikmatrix_sdk.models")

__all__ = ["DEFAULT_LEASE_TTL", "MAX_LEASE_TTL", "SESSION_ENV", "SERIAL_ENV", "Devices"]

#: A lease's seconds unless told otherwise, and the most TikMatrix grants.
DEFAULT_LEASE_TTL, MAX_LEASE_TTL = limits.DEFAULT_TTL, limits.MAX_TTL
#: Where a managed custom script finds its lease and its device.
SESSION_ENV, SERIAL_ENV = "TIKMATRIX_SESSION_ID", "TIKMATRIX_SERIAL"
_MAX_LABEL = limits.MAX_LABEL


def _check_lease_args(serial: str, label: str, ttl: float) -> None:
    if not isinstance(serial, str) or not serial:
        raise ClientValidationError("serial must be a device serial", field="serial")
    if not isinstance(label, str) or len(label) > _MAX_LABEL:
        raise ClientValidationError(
            f"label must be a string of at most {_MAX_LABEL} characters", field="label"
        )
    _check_ttl(ttl)


def _check_ttl(ttl: float) -> None:
    if isinstance(ttl, bool) or not isinstance(ttl, int | float):
        raise TypeError(f"ttl must be a number of seconds, got {ttl!r}")
    if not 1 <= ttl <= MAX_LEASE_TTL:
        raise ClientValidationError(
            f"ttl must be from 1 to {MAX_LEASE_TTL:g} seconds (TikMatrix's limit), got {ttl!r}",
            field="ttl",
        )


def _session(session_id: str) -> str:
    if not isinstance(session_id, str) or not session_id or "/" in session_id:
        raise ClientValidationError("session_id must be a lease's id", field="session_id")
    return session_id


class Devices(Resource[M]):
    """The devices TikMatrix drives, and leases that lend them to this program."""

    @property
    def with_raw_response(self) -> Devices[Raw[M]]:
        """These methods, each returning a :class:`~tikmatrix_sdk.RawResponse`."""
        return self._raw_view()  # type: ignore[no-any-return]

    @operation
    def list(self, **options: Unpack[RequestOptions]) -> Program[builtins.list[Device]]:
        """Return the online devices, each with its ``serial`` and whether it is ``busy``."""
        endpoint = Endpoint.of("list_devices", builtins.list[models.Device], loose=True)
        return (yield from self._call(endpoint))

    @operation
    def leases(self, **options: Unpack[RequestOptions]) -> Program[builtins.list[ListedLease]]:
        """Return the live leases (by any program); a lease's id only if it is yours."""
        endpoint = Endpoint.of("list_leases", list[models.ListedLease], loose=True)
        return (yield from self._call(endpoint))

    @operation
    def acquire(
        self,
        serial: str,
        *,
        label: str = "",
        ttl: float = DEFAULT_LEASE_TTL,
        **options: Unpack[RequestOptions],
    ) -> Program[Lease]:
        """Lease a device for ``ttl`` seconds, and nothing more: renew and release it yourself.

        :meth:`lease` does both for you. Raises :class:`~tikmatrix_sdk.DeviceBusyError` if
        the device is leased or runs a task (:class:`~tikmatrix_sdk.NoFreeSlotError` if the
        plan has no device slot free).
        """
        _check_lease_args(serial, label, ttl)
        body = {"serial": serial, "label": label, "ttl_secs": ttl}
        endpoint = Endpoint.of("lease", models.Lease, body=body, loose=True)
        return (yield from self._call(endpoint))

    @operation
    def heartbeat(
        self,
        session_id: str,
        *,
        ttl: float = DEFAULT_LEASE_TTL,
        **options: Unpack[RequestOptions],
    ) -> Program[None]:
        """Extend a lease ``ttl`` seconds from now.

        Raises :class:`~tikmatrix_sdk.LeaseError` if it has expired or was released.
        """
        _check_ttl(ttl)
        endpoint: Endpoint[Any] = Endpoint.of(
            "heartbeat", None, body={"ttl_secs": ttl}, loose=True, session_id=_session(session_id)
        )
        yield from self._call(endpoint)

    @operation
    def release(self, session_id: str, **options: Unpack[RequestOptions]) -> Program[None]:
        """End a lease, so that the device is free for tasks and other programs."""
        yield from self._call(
            Endpoint.of("release", None, loose=True, session_id=_session(session_id))
        )

    @overload
    def lease(
        self: Devices[SyncMode], serial: str, *, label: str = "", ttl: float = DEFAULT_LEASE_TTL
    ) -> DeviceLease: ...

    @overload
    def lease(
        self: Devices[AsyncMode], serial: str, *, label: str = "", ttl: float = DEFAULT_LEASE_TTL
    ) -> AsyncDeviceLease: ...

    def lease(self, serial: str, *, label: str = "", ttl: float = DEFAULT_LEASE_TTL) -> Any:
        """Lease a device for a ``with`` block (``async with`` on the async client).

        The block gets a :class:`~tikmatrix_sdk.LeasedDevice`. The lease is renewed in the
        background (a thread; an async task) every third of ``ttl`` and released when the
        block ends, also when it raises. If a renewal is refused (the lease expired), the
        block's next device call raises :class:`~tikmatrix_sdk.LeaseError`.
        """
        from ._lease_keeper import AsyncDeviceLease, DeviceLease

        _check_lease_args(serial, label, ttl)
        keeper = AsyncDeviceLease if self._client._shell.is_async else DeviceLease
        plain: Any = self._plain
        return keeper(plain, serial, label=label, ttl=float(ttl))

    def attach(self, session_id: str, serial: str | None = None) -> LeasedDevice[M]:
        """The device under a lease made elsewhere (no renewal, no release)."""
        _session(session_id)
        return LeasedDevice(self._client, session_id=session_id, serial=serial)

    def current(self) -> LeasedDevice[M]:
        """The device a managed custom script was started on (``TIKMATRIX_SESSION_ID``).

        TikMatrix leased it for the script and releases it when the task ends.
        """
        session_id = os.environ.get(SESSION_ENV)
        if not session_id:
            raise ClientValidationError(
                f"{SESSION_ENV} is not set: current() is for a custom script that TikMatrix "
                "started; lease a device with devices.lease(serial) instead",
                field=SESSION_ENV,
            )
        return self.attach(session_id, os.environ.get(SERIAL_ENV) or None)

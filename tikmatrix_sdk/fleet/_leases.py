"""Leasing a fleet's device: find the host that owns it, then lease it there."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._core import FleetCore

__all__ = ["lease_on_owner"]


def lease_on_owner(
    fleet: FleetCore[Any, Any],
    owner: Callable[[str], Any],
    serial: str,
    *,
    label: str,
    ttl: float | None,
) -> Any:
    """The owning host's lease of ``serial``; ``owner`` is the fleet's ``devices.owner``.

    The blocking fleet finds the host at once; the async fleet as the block opens.
    """
    kwargs: dict[str, Any] = {"label": label}
    if ttl is not None:
        kwargs["ttl"] = ttl
    if not fleet._shell.is_async:
        return fleet.client(owner(serial)).devices.lease(serial, **kwargs)
    return _AsyncOwnerLease(fleet, owner, serial, kwargs)


class _AsyncOwnerLease:
    """``async with fleet.devices.lease(serial)``: the owner is looked up as the block opens."""

    def __init__(
        self,
        fleet: FleetCore[Any, Any],
        owner: Callable[[str], Any],
        serial: str,
        kwargs: dict[str, Any],
    ) -> None:
        self._fleet = fleet
        self._owner = owner
        self._serial = serial
        self._kwargs = kwargs
        self._lease: Any = None

    async def __aenter__(self) -> Any:
        host = await self._owner(self._serial)
        self._lease = self._fleet.client(host).devices.lease(self._serial, **self._kwargs)
        return await self._lease.__aenter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        result: bool | None = await self._lease.__aexit__(exc_type, exc, tb)
        return result

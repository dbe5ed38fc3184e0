""":class:`Fleet` and :class:`AsyncFleet`: one client over several TikMatrix hosts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Self, overload

from .._client import AsyncTikMatrix, TikMatrix
from .._resource import AsyncMode, SyncMode
from .._resource_property import resource_property
from ._core import FleetCore, HostsArg
from ._hosts import Host
from ._ownership import Ownership
from ._resources import FleetAccounts, FleetDevicesResource, FleetLicense, FleetTasksResource
from ._shells import AsyncFleetShell, SyncFleetShell

__all__ = ["AsyncFleet", "Fleet"]


class Fleet(FleetCore[TikMatrix, SyncFleetShell]):
    """Blocking client over several TikMatrix hosts, one :class:`~tikmatrix_sdk.TikMatrix` each.

    Calls that go to several hosts are made side by side, on threads:

    >>> from tikmatrix_sdk.fleet import Fleet
    >>> with Fleet({"pc-1": "http://localhost:50809"}) as fleet:
    ...     print(fleet.hosts)
    ('pc-1',)
    """

    _client_class = TikMatrix
    _shell_class = SyncFleetShell

    # Two signatures, so that a dict display built from a ``dict[str, str]`` ({**FARM, ...})
    # is read as the mapping, not as an iterable of hosts (a type checker picks one context).
    @overload
    def __init__(self, hosts: Mapping[str, str]) -> None: ...
    @overload
    def __init__(self, hosts: Iterable[Host | str] | None = None) -> None: ...
    def __init__(self, hosts: HostsArg = None) -> None:
        """Connect to ``hosts`` (no request is sent until the first call).

        Args:
            hosts: a mapping of host names to URLs (``{"pc-1": "http://10.0.0.5:50809"}``),
                or :class:`Host` objects (each with its own timeout, retries and headers)
                and bare URLs (named ``host1``, ``host2``… by place). Default: the
                ``TIKMATRIX_HOSTS`` variable.
        """
        super().__init__(hosts)

    @resource_property
    def tasks(self) -> FleetTasksResource[SyncMode]:
        """Create, list, wait for, stop, retry and delete tasks across hosts."""
        return FleetTasksResource(self)

    @resource_property
    def devices(self) -> FleetDevicesResource[SyncMode]:
        """Every host's devices, their owners, and leases on the owning host."""
        return FleetDevicesResource(self)

    @resource_property
    def accounts(self) -> FleetAccounts[SyncMode]:
        """Which host owns an account."""
        return FleetAccounts(self)

    @resource_property
    def license(self) -> FleetLicense[SyncMode]:
        """Every host's license."""
        return FleetLicense(self)

    def refresh(self) -> Ownership:
        """Ask every host again for its devices and accounts; what they said."""
        return self._shell.run(self.devices._learn())

    def close(self) -> None:
        """Close every host's connections and the fleet's threads."""
        self._shell.close()
        for client in self._clients.values():
            client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncFleet(FleetCore[AsyncTikMatrix, AsyncFleetShell]):
    """``async`` client over several TikMatrix hosts: the surface of :class:`Fleet`, awaited.

    Calls that go to several hosts are made side by side in an anyio task group.
    """

    _client_class = AsyncTikMatrix
    _shell_class = AsyncFleetShell

    # Two signatures, so that a dict display built from a ``dict[str, str]`` ({**FARM, ...})
    # is read as the mapping, not as an iterable of hosts (a type checker picks one context).
    @overload
    def __init__(self, hosts: Mapping[str, str]) -> None: ...
    @overload
    def __init__(self, hosts: Iterable[Host | str] | None = None) -> None: ...
    def __init__(self, hosts: HostsArg = None) -> None:
        """Connect to ``hosts``; the argument is that of :class:`Fleet`."""
        super().__init__(hosts)

    @resource_property
    def tasks(self) -> FleetTasksResource[AsyncMode]:
        """Create, list, wait for, stop, retry and delete tasks across hosts."""
        return FleetTasksResource(self)

    @resource_property
    def devices(self) -> FleetDevicesResource[AsyncMode]:
        """Every host's devices, their owners, and leases on the owning host."""
        return FleetDevicesResource(self)

    @resource_property
    def accounts(self) -> FleetAccounts[AsyncMode]:
        """Which host owns an account."""
        return FleetAccounts(self)

    @resource_property
    def license(self) -> FleetLicense[AsyncMode]:
        """Every host's license."""
        return FleetLicense(self)

    async def refresh(self) -> Ownership:
        """Ask every host again for its devices and accounts; what they said."""
        return await self._shell.run(self.devices._learn())

    async def close(self) -> None:
        """Close every host's connections."""
        for client in self._clients.values():
            await client.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

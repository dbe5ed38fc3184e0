"""What both fleets share: the hosts, a client for each, the shell, and what each owns."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Generic, Self, TypeVar

from .._client import AsyncTikMatrix, TikMatrix
from ..errors import ClientValidationError
from ._hosts import Host, hosts_from_env, hosts_from_file, to_hosts
from ._ownership import Ownership
from ._shells import AsyncFleetShell, SyncFleetShell

__all__ = ["FleetCore", "HostsArg"]

ClientT = TypeVar("ClientT", TikMatrix, AsyncTikMatrix)
ShellT = TypeVar("ShellT", SyncFleetShell, AsyncFleetShell)

HostsArg = Mapping[str, str] | Iterable[Host | str] | None


class FleetCore(Generic[ClientT, ShellT]):
    """What both fleets share: the hosts, their clients, and what each host owns."""

    _client_class: type[ClientT]
    _shell_class: type[ShellT]

    def __init__(self, hosts: HostsArg = None) -> None:
        found = hosts_from_env() if hosts is None else to_hosts(hosts)
        self._hosts = found
        self._clients: dict[str, ClientT] = {
            host.name: self._client_class(
                host.url,
                timeout=host.timeout,
                max_retries=host.max_retries,
                headers=dict(host.headers),
            )
            for host in found
        }
        self._shell: ShellT = self._shell_class(self._clients)
        self._ownership = Ownership()

    @classmethod
    def from_env(cls) -> Self:
        """The fleet ``TIKMATRIX_HOSTS`` lists (``pc-1=http://…,pc-2=http://…``)."""
        return cls(hosts_from_env())

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Self:
        """The fleet a TOML file lists, one ``[hosts.NAME]`` table per host."""
        return cls(hosts_from_file(path))

    @property
    def hosts(self) -> tuple[str, ...]:
        """The hosts' names, in the fleet's order (the order of results and ties)."""
        return tuple(self._clients)

    @property
    def host_settings(self) -> tuple[Host, ...]:
        """Each host's name, URL and client settings."""
        return self._hosts

    def client(self, host: str) -> ClientT:
        """The single-host client of ``host``, for anything the fleet does not wrap."""
        try:
            return self._clients[host]
        except KeyError:
            raise ClientValidationError(
                f"no host {host!r} in this fleet ({', '.join(self._clients)})", field="host"
            ) from None

    def owned_serials(self) -> dict[str, tuple[str, ...]]:
        """The serials each host had at the last look (``refresh``, or a call that needed it)."""
        owned: dict[str, list[str]] = {host: [] for host in self._clients}
        for serial, hosts in self._ownership.serials.items():
            for host in hosts:
                owned[host].append(serial)
        return {host: tuple(serials) for host, serials in owned.items()}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(hosts={list(self._clients)!r})"

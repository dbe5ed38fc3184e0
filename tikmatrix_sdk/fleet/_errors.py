"""What a fleet raises: several hosts' failures at once, and a serial two hosts claim."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Self

from ..errors import ClientValidationError, TikMatrixError

__all__ = ["FleetError", "OwnershipConflictError"]


class FleetError(ExceptionGroup[TikMatrixError], TikMatrixError):
    """One or more hosts failed: each host's own exception, by host name.

    It is an :class:`ExceptionGroup`, so ``except* NotFoundError`` picks one kind out of it;
    ``by_host`` says which host raised what. Every exception also carries the note
    ``on host NAME``.
    """

    by_host: dict[str, TikMatrixError]

    def __new__(cls, message: str, by_host: Mapping[str, TikMatrixError]) -> Self:
        """Group the failures of ``by_host`` (host name → exception) under ``message``."""
        group = super().__new__(cls, message, list(by_host.values()))
        group.by_host = dict(by_host)
        return group

    def __init__(self, message: str, by_host: Mapping[str, TikMatrixError]) -> None:
        super().__init__(message, list(by_host.values()))

    def derive(self, excs: Sequence[TikMatrixError]) -> FleetError:  # type: ignore[override]
        """The same group narrowed to ``excs`` (what ``except*`` and ``split`` build)."""
        kept = {host: exc for host, exc in self.by_host.items() if any(exc is e for e in excs)}
        return FleetError(self.message, kept)


class OwnershipConflictError(ClientValidationError):
    """A call named a serial (or an account) that more than one host says is its own.

    ``owners`` maps each such serial or username to the hosts that claim it.
    """

    def __init__(self, owners: Mapping[str, Sequence[str]], *, field: str) -> None:
        """Refuse the call, naming every host of every conflicting name."""
        described = "; ".join(f"{name} on {' and '.join(hosts)}" for name, hosts in owners.items())
        super().__init__(f"more than one host has {described}", field=field)
        self.owners = {name: tuple(hosts) for name, hosts in owners.items()}

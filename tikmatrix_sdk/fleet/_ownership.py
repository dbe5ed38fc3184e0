"""Which host owns each serial and each account, learned from the hosts themselves.

The fleet asks every host for its devices (``/rpc/devices``) and its accounts (``/accounts``,
every page) side by side, and keeps the answer. A call that names a serial or an account the
fleet does not know asks again first (a phone moved, a host came back); a name no host has,
or one that several hosts claim, is refused before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from .._effects import Program
from .._filters import MAX_PAGE_SIZE
from ..errors import ClientValidationError, TikMatrixError
from ._errors import OwnershipConflictError
from ._shells import OnHosts

__all__ = ["Ownership", "learn_ownership", "route"]


@attrs.frozen(kw_only=True)
class Ownership:
    """What the hosts said they own at the last look: each name's hosts, in fleet order."""

    serials: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    accounts: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    #: The hosts that did not answer that look, and why.
    silent: dict[str, TikMatrixError] = attrs.field(factory=dict)


def _devices(client: Any) -> Any:
    return client.devices.list()


def _accounts_page(number: int) -> Callable[[Any], Any]:
    return lambda client: client.accounts.list(page=number, page_size=MAX_PAGE_SIZE)


def learn_ownership(hosts: Sequence[str]) -> Program[Ownership]:
    """Ask every host for its devices and every page of its accounts, side by side."""
    serials: dict[str, list[str]] = {}
    accounts: dict[str, list[str]] = {}
    silent: dict[str, TikMatrixError] = {}
    calls = tuple((host, _devices) for host in hosts) + tuple(
        (host, _accounts_page(1)) for host in hosts
    )
    replies = yield OnHosts(calls)
    for host, (devices, error) in zip(hosts, replies[: len(hosts)], strict=True):
        if error is not None:
            silent[host] = error
            continue
        for device in devices:
            serials.setdefault(device.serial, []).append(host)
    pending = list(zip(hosts, replies[len(hosts) :], strict=True))
    number = 1
    while pending:
        more: list[str] = []
        for host, (page, error) in pending:
            if error is not None:
                silent.setdefault(host, error)
                continue
            for account in page.items:
                accounts.setdefault(account.username, []).append(host)
            if page.has_next_page():
                more.append(host)
        number += 1
        if not more:
            break
        replies = yield OnHosts(tuple((host, _accounts_page(number)) for host in more))
        pending = list(zip(more, replies, strict=True))
    return Ownership(
        serials={name: tuple(owners) for name, owners in serials.items()},
        accounts={name: tuple(owners) for name, owners in accounts.items()},
        silent=silent,
    )


def route(
    ownership: Ownership, field: str, names: Iterable[str], hosts: Sequence[str]
) -> dict[str, list[str]]:
    """Split ``names`` (serials or usernames, as ``field`` says) by owning host, in fleet order.

    Raises :class:`ClientValidationError` for a name no host has (naming the hosts that did
    not answer, which may have it) and :class:`OwnershipConflictError` for one that several
    hosts have.
    """
    table = ownership.serials if field == "serials" else ownership.accounts
    names = list(names)
    unknown = [name for name in names if name not in table]
    if unknown:
        shown = ", ".join(unknown[:10]) + (
            f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        )
        kind = "device" if field == "serials" else "account"
        message = f"no host has the {kind}(s) {shown}"
        if ownership.silent:
            message += "; these hosts did not answer: " + "; ".join(
                f"{host} ({error})" for host, error in ownership.silent.items()
            )
        raise ClientValidationError(message, field=field)
    conflicts = {name: table[name] for name in names if len(table[name]) > 1}
    if conflicts:
        raise OwnershipConflictError(conflicts, field=field)
    by_host: dict[str, list[str]] = {host: [] for host in hosts}
    for name in names:
        by_host[table[name][0]].append(name)
    return {host: owned for host, owned in by_host.items() if owned}

"""``fleet.tasks``, ``fleet.devices``, ``fleet.accounts`` and ``fleet.license``.

Each operation is written once, as a generator that yields :class:`OnHosts` steps, and bound
to :class:`Fleet` (blocking, on threads) and :class:`AsyncFleet` (async, in a task group) by
the same descriptors that bind the single-host client's operations.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable, Mapping
from datetime import time
from typing import TYPE_CHECKING, Any, Unpack, cast

from .._binders import operation, stream
from .._effects import Emit, Program, Stream
from .._filters import MAX_PAGE_SIZE, TaskListArgs
from .._request_options import OPTION_NAMES, CallOptions, RequestExtras, RequestOptions
from .._resource import ClientLike, M, Resource
from .._types import SequenceNotStr
from ..errors import ClientValidationError, TikMatrixError
from ..models import DeletedTasks, License, RetriedTasks, Task
from ._errors import FleetError
from ._ids import FleetTaskId
from ._leases import lease_on_owner
from ._ownership import Ownership, learn_ownership, route
from ._results import (
    FleetCreated,
    FleetDevices,
    FleetResult,
    FleetStats,
    FleetTask,
    FleetTaskPages,
    FleetTasks,
    newest_first,
)
from ._shells import OnHosts, Outcome

if TYPE_CHECKING:
    from ..scripts import ScriptConfig
    from ._core import FleetCore

__all__ = [
    "FleetAccounts",
    "FleetDevicesResource",
    "FleetLicense",
    "FleetTasksResource",
]

Call = Callable[[Any], Any]


def _split(
    hosts: Iterable[str], replies: list[Outcome]
) -> tuple[dict[str, Any], dict[str, TikMatrixError]]:
    answered: dict[str, Any] = {}
    failed: dict[str, TikMatrixError] = {}
    for host, (value, error) in zip(hosts, replies, strict=True):
        if error is None:
            answered[host] = value
        else:
            failed[host] = error
    return answered, failed


def _passed_on(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """Arguments to give each host's call, their per-call options checked once, here.

    A mistaken option is refused before any host is asked, not once per host.
    """
    CallOptions.check({name: arguments[name] for name in OPTION_NAMES if name in arguments})
    return dict(arguments)


class _FleetResource(Resource[M]):
    """A group of a fleet's operations: what they share, the fleet and its ownership map.

    Each operation takes the per-call options of the single-host call it makes on each host
    (``timeout=``, ``extra_headers=`` …) and passes them on to it.
    """

    _forwards_options = True

    def __init__(self, fleet: FleetCore[Any, Any]) -> None:
        super().__init__(cast("ClientLike", fleet))  # a shell, and no options of its own
        self._fleet = fleet

    def _hosts(self) -> tuple[str, ...]:
        return self._fleet.hosts

    def _on_all(self, call: Call) -> Program[tuple[dict[str, Any], dict[str, TikMatrixError]]]:
        hosts = self._hosts()
        replies = yield OnHosts(tuple((host, call) for host in hosts))
        return _split(hosts, replies)

    def _on_one(self, host: str, call: Call) -> Program[Any]:
        ((value, error),) = yield OnHosts(((host, call),))
        if error is not None:
            raise error
        return value

    def _task_host(self, task_id: FleetTaskId | str) -> FleetTaskId:
        parsed = FleetTaskId.parse(task_id)
        if parsed.host not in self._fleet.hosts:
            raise ClientValidationError(
                f"task {parsed} names host {parsed.host!r}, which is not in this fleet "
                f"({', '.join(self._fleet.hosts)})",
                field="task_id",
            )
        return parsed

    def _owners(self, field: str, names: Iterable[str]) -> Program[dict[str, list[str]]]:
        """Split ``names`` by owning host, asking the hosts again if one is unknown."""
        names = list(names)
        ownership = self._fleet._ownership
        table = ownership.serials if field == "serials" else ownership.accounts
        if any(name not in table for name in names):
            ownership = yield from self._learn()
        return route(ownership, field, names, self._hosts())

    def _learn(self) -> Program[Ownership]:
        ownership = yield from learn_ownership(self._hosts())
        self._fleet._ownership = ownership
        return ownership


class FleetTasksResource(_FleetResource[M]):
    """The tasks of every host: created where their devices are, listed as one."""

    @operation
    def create(
        self,
        config: ScriptConfig | None = None,
        *,
        serials: SequenceNotStr[str] | None = None,
        usernames: SequenceNotStr[str] | None = None,
        script_name: str | None = None,
        script_config: Mapping[str, Any] | None = None,
        enable_multi_account: bool | None = None,
        start_time: str | time | None = None,
        **options: Unpack[RequestOptions],
    ) -> Program[FleetCreated]:
        """Create tasks on the hosts that own the ``serials`` (or the accounts, ``usernames``).

        Each host gets one create with its own devices or accounts, all sent side by side;
        the arguments are those of :meth:`TikMatrix.tasks.create
        <tikmatrix_sdk.resources.Tasks.create>`. A serial or account no host has, or that two
        hosts have, is refused before anything is sent. The answer names each task by host
        and id, and holds each host's refusal or failure: one host's error never hides what
        the others created.
        """
        if (serials is None) == (usernames is None):
            raise ClientValidationError(
                "pass exactly one of serials= (device mode) or usernames= (account mode)",
                field="serials",
            )
        field = "serials" if usernames is None else "usernames"
        names: Any = serials if usernames is None else usernames
        if isinstance(names, str):  # SequenceNotStr tells type checkers; this, everyone else
            raise ClientValidationError(
                f"{field} is a list of strings, not one string", field=field
            )
        if not names:
            raise ClientValidationError(f"{field} is empty: name at least one", field=field)
        by_host = yield from self._owners(field, names)
        kwargs: dict[str, Any] = {
            "script_name": script_name,
            "script_config": script_config,
            "enable_multi_account": enable_multi_account,
            "start_time": start_time,
        }
        kwargs = {name: value for name, value in kwargs.items() if value is not None}
        kwargs.update(_passed_on(options))

        def create_on(owned: list[str]) -> Call:
            return lambda client: client.tasks.create(config, **{field: owned}, **kwargs)

        hosts = list(by_host)
        replies = yield OnHosts(tuple((host, create_on(by_host[host])) for host in hosts))
        answered, failed = _split(hosts, replies)
        return FleetCreated(by_host=answered, failed=failed)

    def _task_call(
        self, task_id: FleetTaskId | str, action: str, options: Mapping[str, Any]
    ) -> Program[FleetTask]:
        """``tasks.<action>(id)`` on the task's host: the task it answers, with its host."""
        parsed = self._task_host(task_id)
        passed = _passed_on(options)
        task = yield from self._on_one(
            parsed.host, lambda client: getattr(client.tasks, action)(parsed.id, **passed)
        )
        return FleetTask(host=parsed.host, task=task)

    @operation
    def get(
        self, task_id: FleetTaskId | str, **options: Unpack[RequestOptions]
    ) -> Program[FleetTask]:
        """Return one task by its fleet id (``"pc-2:1041"`` or a :class:`FleetTaskId`).

        Raises the host's own error (:class:`~tikmatrix_sdk.NotFoundError` …), noted with the
        host's name.
        """
        return (yield from self._task_call(task_id, "get", options))

    @operation
    def stop(
        self, task_id: FleetTaskId | str, **options: Unpack[RequestOptions]
    ) -> Program[FleetTask]:
        """Stop a pending or running task by its fleet id."""
        return (yield from self._task_call(task_id, "stop", options))

    @operation
    def retry(
        self, task_id: FleetTaskId | str, **options: Unpack[RequestOptions]
    ) -> Program[FleetTask]:
        """Put a failed task back in its host's queue, by its fleet id."""
        return (yield from self._task_call(task_id, "retry", options))

    @operation
    def delete(
        self, task_id: FleetTaskId | str, **options: Unpack[RequestOptions]
    ) -> Program[DeletedTasks]:
        """Delete a task by its fleet id (stopping it first if it runs); its host's answer."""
        parsed = self._task_host(task_id)
        passed = _passed_on(options)
        deleted: DeletedTasks = yield from self._on_one(
            parsed.host, lambda client: client.tasks.delete(parsed.id, **passed)
        )
        return deleted

    @operation
    def delete_many(
        self, task_ids: Iterable[FleetTaskId | str], **options: Unpack[RequestOptions]
    ) -> Program[FleetResult[DeletedTasks]]:
        """Delete several tasks, one request per host, side by side."""
        by_host = self._group(task_ids)
        passed = _passed_on(options)

        def delete_on(ids: list[int]) -> Call:
            return lambda client: client.tasks.delete_many(ids, **passed)

        hosts = list(by_host)
        replies = yield OnHosts(tuple((host, delete_on(by_host[host])) for host in hosts))
        answered, failed = _split(hosts, replies)
        return FleetResult(by_host=answered, failed=failed)

    def _ids(self, task_ids: Iterable[FleetTaskId | str]) -> list[FleetTaskId]:
        """The fleet ids given, each read and checked against the fleet's hosts."""
        if isinstance(task_ids, str):
            raise ClientValidationError(
                "task_ids is a list of fleet ids, not one", field="task_ids"
            )
        return [self._task_host(task_id) for task_id in task_ids]

    def _group(self, task_ids: Iterable[FleetTaskId | str]) -> dict[str, list[int]]:
        by_host: dict[str, list[int]] = {}
        for parsed in self._ids(task_ids):
            by_host.setdefault(parsed.host, []).append(parsed.id)
        if not by_host:
            raise ClientValidationError("task_ids is empty", field="task_ids")
        return {host: by_host[host] for host in self._hosts() if host in by_host}

    @operation
    def retry_all(self, **options: Unpack[RequestOptions]) -> Program[FleetResult[RetriedTasks]]:
        """Put every failed task of every host back in its queue."""
        passed = _passed_on(options)
        answered, failed = yield from self._on_all(lambda client: client.tasks.retry_all(**passed))
        return FleetResult(by_host=answered, failed=failed)

    @operation
    def stats(self, **options: Unpack[RequestOptions]) -> Program[FleetStats]:
        """How many tasks each host has in each status, and the sums (:attr:`FleetStats.total`)."""
        passed = _passed_on(options)
        answered, failed = yield from self._on_all(lambda client: client.tasks.stats(**passed))
        return FleetStats(by_host=answered, failed=failed)

    @operation
    def list(
        self,
        *,
        page: int = 1,
        page_size: int = 20,
        **filters: Unpack[TaskListArgs],
    ) -> Program[FleetTaskPages]:
        """Page ``page`` of every host's tasks, fetched side by side.

        :attr:`FleetTaskPages.tasks` merges them newest first (up to ``page_size`` tasks per
        host); :attr:`FleetTaskPages.total` adds up the hosts' totals. Filters are those of
        the single-host ``tasks.list``, and so are the per-call options. To walk every task,
        use :meth:`iter`.
        """
        passed = _passed_on(filters)

        def one(client: Any) -> Any:
            return client.tasks.list(page=page, page_size=page_size, **passed)

        answered, failed = yield from self._on_all(one)
        return FleetTaskPages(by_host=answered, failed=failed)

    @stream
    def iter(
        self, *, page_size: int = MAX_PAGE_SIZE, **filters: Unpack[TaskListArgs]
    ) -> Stream[FleetTask]:
        """Yield every matching task of every host, newest first, fetching pages as needed.

        The hosts' pages are fetched side by side, a host's next page only once its last one
        is used up. Order: by creation time, newest first; on a tie, the host listed first,
        then the higher id. A task is never yielded twice. A host that fails is left out and,
        once every other host's tasks have been yielded, :class:`FleetError` names it.
        """
        passed = _passed_on(filters)
        hosts = self._hosts()
        index = {host: place for place, host in enumerate(hosts)}
        buffers: dict[str, collections.deque[Task]] = {host: collections.deque() for host in hosts}
        seen: dict[str, set[int]] = {host: set() for host in hosts}
        next_page = dict.fromkeys(hosts, 1)
        live = set(hosts)
        failed: dict[str, TikMatrixError] = {}

        def page_of(number: int) -> Call:
            return lambda client: client.tasks.list(page=number, page_size=page_size, **passed)

        while True:
            empty = [host for host in hosts if host in live and not buffers[host]]
            if empty:
                replies = yield OnHosts(tuple((host, page_of(next_page[host])) for host in empty))
                for host, (found, error) in zip(empty, replies, strict=True):
                    if error is not None:
                        failed[host] = error
                        live.discard(host)
                        continue
                    for task in found.items:
                        if task.id not in seen[host]:
                            seen[host].add(task.id)
                            buffers[host].append(task)
                    next_page[host] += 1
                    if not found.has_next_page():
                        live.discard(host)
                continue
            ready = [host for host in hosts if buffers[host]]
            if not ready:
                break
            host = max(ready, key=lambda name: newest_first(index[name], buffers[name][0]))
            yield Emit(FleetTask(host=host, task=buffers[host].popleft()))
        if failed:
            raise FleetError(
                f"{len(failed)} host(s) failed while listing: {', '.join(failed)}", failed
            )

    @operation
    def wait(
        self,
        task_id: FleetTaskId | str,
        *,
        timeout: float = 300.0,
        poll_interval: float = 2.0,
        **options: Unpack[RequestExtras],
    ) -> Program[FleetTask]:
        """Poll a task until it is completed or failed, and return it (as ``tasks.wait``)."""
        parsed = self._task_host(task_id)
        passed = _passed_on(options)
        task = yield from self._on_one(
            parsed.host,
            lambda client: client.tasks.wait(
                parsed.id, timeout=timeout, poll_interval=poll_interval, **passed
            ),
        )
        return FleetTask(host=parsed.host, task=task)

    @operation
    def wait_all(
        self,
        task_ids: Iterable[FleetTaskId | str],
        *,
        timeout: float = 300.0,
        poll_interval: float = 2.0,
        **options: Unpack[RequestExtras],
    ) -> Program[FleetTasks]:
        """Wait for several tasks on their hosts, side by side, each host for all of its own.

        As the client's ``wait_all`` answers the tasks in the order given, iterating the
        answer yields each task (a :class:`FleetTask`, with its host) in the order given;
        ``len()`` counts them. A host whose wait fails
        (:class:`~tikmatrix_sdk.WaitTimeoutError`, a connection error) is in ``failed``, and
        its tasks are not in the answer; :meth:`~FleetResult.raise_for_failures` raises then.
        """
        wanted = self._ids(task_ids)
        by_host = self._group(wanted)
        passed = _passed_on(options)

        def wait_on(ids: list[int]) -> Call:
            return lambda client: client.tasks.wait_all(
                ids, timeout=timeout, poll_interval=poll_interval, **passed
            )

        hosts = list(by_host)
        replies = yield OnHosts(tuple((host, wait_on(by_host[host])) for host in hosts))
        answered, failed = _split(hosts, replies)
        return FleetTasks(by_host=answered, failed=failed, order=tuple(wanted))


class FleetDevicesResource(_FleetResource[M]):
    """The devices of every host, which host owns a serial, and leases."""

    @operation
    def list(self, **options: Unpack[RequestOptions]) -> Program[FleetDevices]:
        """Every host's devices, fetched side by side."""
        passed = _passed_on(options)
        answered, failed = yield from self._on_all(lambda client: client.devices.list(**passed))
        return FleetDevices(by_host=answered, failed=failed)

    @operation
    def owner(self, serial: str) -> Program[str]:
        """The name of the host the device ``serial`` is attached to."""
        (host,) = yield from self._owners("serials", [serial])
        return host

    def lease(self, serial: str, *, label: str = "", ttl: float | None = None) -> Any:
        """Lease a device on the host that owns it, for a ``with`` block (``async with``).

        The block gets that host's :class:`~tikmatrix_sdk.LeasedDevice`; renewal and release
        are the single-host client's (:meth:`TikMatrix.devices.lease
        <tikmatrix_sdk.resources.Devices.lease>`).
        """
        owner: Callable[[str], Any] = getattr(self, "owner")  # noqa: B009  # either face
        return lease_on_owner(self._fleet, owner, serial, label=label, ttl=ttl)


class FleetAccounts(_FleetResource[M]):
    """Which host owns an account."""

    @operation
    def owner(self, username: str) -> Program[str]:
        """The name of the host that has the account ``username``."""
        (host,) = yield from self._owners("usernames", [username])
        return host


class FleetLicense(_FleetResource[M]):
    """Every host's license."""

    @operation
    def check(self, **options: Unpack[RequestOptions]) -> Program[FleetResult[License]]:
        """Each host's license plan and API access, asked side by side."""
        passed = _passed_on(options)
        answered, failed = yield from self._on_all(lambda client: client.license.check(**passed))
        return FleetResult(by_host=answered, failed=failed)

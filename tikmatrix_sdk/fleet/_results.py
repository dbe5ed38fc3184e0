"""What a call across a fleet gives back: each host's answer, and each failed host's error.

A call that goes to several hosts never raises for one host's failure: the answer says which
hosts answered (``by_host``) and what each failed one raised (``failed``), so nothing the
other hosts did is hidden. :meth:`FleetResult.raise_for_failures` turns any failure into a
:class:`FleetError` when all-or-nothing is what the caller wants.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Generic, Self, TypeVar

import attrs

from ..errors import TikMatrixError
from ..models import CreatedTasks, Device, Task, TaskPage, TaskStats
from ._errors import FleetError
from ._ids import FleetTaskId

__all__ = [
    "FleetCreated",
    "FleetDevice",
    "FleetDevices",
    "FleetResult",
    "FleetStats",
    "FleetTask",
    "FleetTaskPages",
    "FleetTasks",
    "newest_first",
]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class FleetResult(Generic[T]):
    """Each host's answer to one call, and the error of each host that failed.

    Hosts appear in the fleet's order in both mappings.
    """

    #: The answer of each host that answered.
    by_host: Mapping[str, T]
    #: The exception of each host that failed (its retries spent), each noted with its host.
    failed: Mapping[str, TikMatrixError] = attrs.field(factory=dict)

    @property
    def ok(self) -> bool:
        """Whether every host answered."""
        return not self.failed

    def raise_for_failures(self) -> Self:
        """Raise :class:`FleetError` if any host failed; else return this result."""
        if self.failed:
            names = ", ".join(self.failed)
            raise FleetError(f"{len(self.failed)} host(s) failed: {names}", self.failed)
        return self


@attrs.frozen(kw_only=True)
class FleetTask:
    """A task and the host that holds it."""

    host: str
    task: Task

    @property
    def id(self) -> FleetTaskId:
        """The task's fleet id (``pc-2:1041``)."""
        return FleetTaskId(self.host, self.task.id)


@attrs.frozen(kw_only=True)
class FleetDevice:
    """A device and the host it is attached to."""

    host: str
    device: Device


@attrs.frozen(kw_only=True)
class FleetCreated(FleetResult[CreatedTasks]):
    """What a create made on each host it went to, and which hosts refused or failed."""

    @property
    def task_ids(self) -> tuple[FleetTaskId, ...]:
        """Every task created, host by host in the fleet's order."""
        return tuple(
            FleetTaskId(host, task_id)
            for host, created in self.by_host.items()
            for task_id in created.task_ids
        )

    @property
    def created_count(self) -> int:
        """How many tasks were created over every host."""
        return sum(created.created_count for created in self.by_host.values())


@attrs.frozen(kw_only=True)
class FleetTasks(FleetResult[tuple[Task, ...]]):
    """Tasks fetched from several hosts (``wait_all``): iterate it for the tasks.

    As the client's ``wait_all`` answers a tuple of tasks in the order they were asked for,
    iterating this (or :attr:`tasks`) yields each task with its host in that order, and
    ``len()`` counts them. The tasks of a host that failed are not in it: that host is in
    ``failed``.
    """

    #: The fleet ids in the order they were asked for (empty: host by host).
    order: tuple[FleetTaskId, ...] = ()

    @property
    def tasks(self) -> tuple[FleetTask, ...]:
        """Every task answered, in the order asked for (host by host when none was given)."""
        found = {
            FleetTaskId(host, task.id): FleetTask(host=host, task=task)
            for host, tasks in self.by_host.items()
            for task in tasks
        }
        if not self.order:
            return tuple(found.values())
        return tuple(found[task_id] for task_id in dict.fromkeys(self.order) if task_id in found)

    def __iter__(self) -> Iterator[FleetTask]:
        """The tasks, as :attr:`tasks` gives them."""
        return iter(self.tasks)

    def __len__(self) -> int:
        """How many tasks were answered."""
        return len(self.tasks)


@attrs.frozen(kw_only=True)
class FleetDevices(FleetResult[list[Device]]):
    """The devices of each host."""

    @property
    def devices(self) -> tuple[FleetDevice, ...]:
        """Every device, host by host in the fleet's order."""
        return tuple(
            FleetDevice(host=host, device=device)
            for host, devices in self.by_host.items()
            for device in devices
        )


@attrs.frozen(kw_only=True)
class FleetStats(FleetResult[TaskStats]):
    """Task counts by status, summed over the hosts that answered, with each host's own."""

    @property
    def total(self) -> TaskStats:
        """The counts of every host that answered, added up."""
        answered = list(self.by_host.values())
        return TaskStats(
            total=sum(s.total for s in answered),
            pending=sum(s.pending for s in answered),
            running=sum(s.running for s in answered),
            completed=sum(s.completed for s in answered),
            failed=sum(s.failed for s in answered),
        )


def newest_first(host_index: int, task: Task) -> tuple[float, int, int]:
    """The merge order: created later first; on a tie, the earlier host, then the higher id."""
    created = task.created_at.timestamp() if task.created_at is not None else -math.inf
    return created, -host_index, task.id


@attrs.frozen(kw_only=True)
class FleetTaskPages(FleetResult[TaskPage]):
    """One page of each host's tasks (``fleet.tasks.list``)."""

    @property
    def tasks(self) -> tuple[FleetTask, ...]:
        """The pages' tasks merged, newest first; on a tie, the host listed first, then by id."""
        index = {host: place for place, host in enumerate(self.by_host)}
        merged = [
            FleetTask(host=host, task=task)
            for host, page in self.by_host.items()
            for task in page.items
        ]
        merged.sort(key=lambda item: newest_first(index[item.host], item.task), reverse=True)
        return tuple(merged)

    @property
    def total(self) -> int:
        """How many tasks match over the hosts that answered."""
        return sum(page.total for page in self.by_host.values())

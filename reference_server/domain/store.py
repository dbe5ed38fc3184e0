"""What the service needs of a store: the rows it reads, and the :class:`TaskStore` protocol.

The service and the runner see a store only through this interface; ``sqlite_store``
implements it over one SQLite file. Another store (PostgreSQL, for several server instances)
would implement the same protocol beside it, and nothing above the service would change.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar

import attrs

__all__ = [
    "STORED_TASK_COLUMNS",
    "AccountRow",
    "DeviceRow",
    "Finish",
    "NewTask",
    "StoredTask",
    "TaskKey",
    "TaskPage",
    "TaskRow",
    "TaskStore",
]


@attrs.frozen(kw_only=True)
class NewTask:
    """A task about to be stored."""

    serial: str | None
    username: str | None
    script_name: str
    script_config: Mapping[str, Any]
    source: str
    enable_multi_account: bool
    start_time: str | None
    scheduled_at: float
    created_at: float
    job_index: int = 0


@attrs.frozen(kw_only=True)
class TaskRow:
    """A stored task."""

    id: int
    serial: str | None
    username: str | None
    script_name: str
    script_config: dict[str, Any]
    status: int
    source: str
    enable_multi_account: bool
    start_time: str | None
    scheduled_at: float
    retry_count: int
    remark: str
    created_at: float
    started_at: float | None
    finished_at: float | None
    job_index: int


#: A task as the store holds it, for answers written straight from it: its values in
#: :data:`STORED_TASK_COLUMNS` order, the times as seconds since the epoch, the
#: configuration as its JSON text, ``enable_multi_account`` as 0 or 1.
StoredTask = Sequence[Any]
#: The order of a :data:`StoredTask`'s values: :class:`TaskRow`'s fields.
STORED_TASK_COLUMNS: tuple[str, ...] = tuple(field.name for field in attrs.fields(TaskRow))


#: A task at one revision: ``(id, rev)``. Every write of a task gives it a rev that no task
#: of the store has had, so what was written from a task at a key is good while it holds it.
TaskKey = tuple[int, int]

_Kept = TypeVar("_Kept")


@attrs.frozen(kw_only=True)
class TaskPage(Generic[_Kept]):
    """One page of tasks, for an answer that keeps what it writes of each task by its key.

    The store asks the caller's ``known`` for each of the page's keys while it holds the
    page, and reads the rows of only those it does not know (of all, without ``known``).
    """

    #: The page's tasks, newest first.
    keys: list[TaskKey]
    #: What ``known`` gave for each key, ``None`` where it knew nothing.
    known: list[_Kept | None]
    #: The stored rows of the keys ``known`` did not know, in page order:
    #: :data:`STORED_TASK_COLUMNS`, then the rev.
    rows: list[StoredTask]
    #: How many tasks match the filters.
    total: int


@attrs.frozen(kw_only=True)
class Finish:
    """A running task's end: its new status and remark, written only while it still runs."""

    task_id: int
    running: int
    status: int
    remark: str


@attrs.frozen(kw_only=True)
class AccountRow:
    """A stored account."""

    id: int
    username: str
    device: str
    platform: str
    logined: bool
    status: int
    tag: str


@attrs.frozen(kw_only=True)
class DeviceRow:
    """A stored device."""

    serial: str
    kind: str


class TaskStore(Protocol):
    """The persistent state of a server: settings, devices, accounts and tasks.

    Every method is atomic and safe to call from several threads. Filters map a column to the
    value it must equal; lists are paged by ``offset`` and ``limit`` and return the total
    with the page.
    """

    def close(self) -> None:
        """Release the store (the server is shutting down)."""
        ...

    def reset(self) -> None:
        """Forget everything: settings, devices, accounts and tasks."""
        ...

    def get_setting(self, key: str, default: str) -> str:
        """A stored setting, or ``default``."""
        ...

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting."""
        ...

    def add_devices(self, serials: Iterable[str], kind: str = "simulated") -> None:
        """Add devices of ``kind`` (a serial already known is kept)."""
        ...

    def devices(self) -> list[DeviceRow]:
        """Every device, in serial order."""
        ...

    def add_accounts(self, accounts: Iterable[Mapping[str, Any]]) -> None:
        """Add accounts, or move and update the ones whose username is known."""
        ...

    def accounts_by_username(self, usernames: Sequence[str]) -> dict[str, AccountRow]:
        """The known accounts among ``usernames``."""
        ...

    def accounts_on(self, serials: Sequence[str]) -> dict[str, list[AccountRow]]:
        """The accounts on each of ``serials``, in id order."""
        ...

    def list_accounts(
        self, filters: Mapping[str, Any], offset: int, limit: int
    ) -> tuple[list[AccountRow], int]:
        """One page of accounts, and the total."""
        ...

    def insert_tasks(self, tasks: Sequence[NewTask]) -> list[int]:
        """Store every task or none (one transaction); their ids, in order."""
        ...

    def get_task(self, task_id: int) -> TaskRow | None:
        """One task, if it exists."""
        ...

    def list_tasks(
        self, filters: Mapping[str, Any], offset: int, limit: int
    ) -> tuple[list[TaskRow], int]:
        """One page of tasks, newest first, and the total."""
        ...

    def list_task_page(
        self,
        filters: Mapping[str, Any],
        offset: int,
        limit: int,
        known: Callable[[TaskKey], _Kept | None] | None,
    ) -> TaskPage[_Kept]:
        """The page of :meth:`list_tasks` by key, and the stored rows ``known`` lacks."""
        ...

    def stats(self) -> dict[int, int]:
        """How many tasks have each status."""
        ...

    def update_task(self, task_id: int, *, when_status: Sequence[int], **values: Any) -> bool:
        """Set ``values`` on a task if its status is one of ``when_status``; whether it was."""
        ...

    def retry_failed(self, failed: int, pending: int, scheduled_ts: float) -> list[int]:
        """Put every failed task back to pending, due at ``scheduled_ts``; their ids."""
        ...

    def delete_tasks(self, task_ids: Sequence[int]) -> list[int]:
        """Delete the tasks that exist among ``task_ids``; their ids."""
        ...

    def first_due(self, pending: int, now: float, busy: Collection[str]) -> list[TaskRow]:
        """The first pending task due at ``now`` of each device not in ``busy``, in id order."""
        ...

    def claim(self, task_ids: Sequence[int], pending: int, running: int, now: float) -> list[int]:
        """Move each of ``task_ids`` still ``pending`` to ``running``, started ``now``; which."""
        ...

    def hand_over(
        self, finish: Finish | None, serial: str, pending: int, running: int, now: float
    ) -> tuple[bool, TaskRow | None]:
        """Finish a task (if given) and claim ``serial``'s next due task, in one transaction.

        Returns whether the finish applied, and the task claimed.
        """
        ...

    def hand_over_many(
        self,
        items: Sequence[tuple[Finish | None, str | None]],
        pending: int,
        running: int,
        now: float,
    ) -> list[tuple[bool, TaskRow | None]]:
        """:meth:`hand_over` for each ``(finish, serial)`` in turn, in one transaction.

        An item without a serial only finishes its task.
        """
        ...

    def fail_running(self, running: int, failed: int, remark: str, now: float) -> list[int]:
        """Fail every running task with ``remark`` (after a crash); their ids."""
        ...

"""The rules of the contract: fan-out, scheduling, transitions, plans.

The HTTP layer is thin over this class; the runner asks it for due tasks and reports outcomes.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from tikmatrix_sdk._contract.codes import bad_request
from tikmatrix_sdk._contract.lifecycle import (
    COMPLETED,
    FAILED,
    INTERRUPTED_REMARK,
    PENDING,
    RUNNING,
    STATUS_NAMES,
    STOPPED_REMARK,
    check_retryable,
    check_stoppable,
    task_not_found,
)
from tikmatrix_sdk._contract.plans import PLANS, Plan, check_api_access
from tikmatrix_sdk._contract.tasks import parse_create, plan_targets

from ..clock import Clock
from .catalogue import Catalogue
from .custom_scripts import CustomScripts
from .store import (
    AccountRow,
    DeviceRow,
    Finish,
    NewTask,
    TaskKey,
    TaskPage,
    TaskRow,
    TaskStore,
)

log = logging.getLogger(__name__)

_Kept = TypeVar("_Kept")

__all__ = [
    "COMPLETED",
    "FAILED",
    "PENDING",
    "RUNNING",
    "TaskService",
    "next_occurrence",
]


def next_occurrence(hh_mm: str, now: float) -> float:
    """The next local time ``hh_mm`` at or after ``now``."""
    hours, minutes = (int(part) for part in hh_mm.split(":"))
    current = datetime.fromtimestamp(now).astimezone()
    candidate = current.replace(hour=hours, minute=minutes, second=0, microsecond=0)
    if candidate.timestamp() < now:
        candidate = (candidate + timedelta(days=1)).replace(hour=hours, minute=minutes)
    return candidate.timestamp()


class TaskService:
    """Owns every rule; safe to call from request threads and runner threads."""

    def __init__(
        self,
        store: TaskStore,
        clock: Clock,
        *,
        rng: random.Random | None = None,
        on_cancel: Callable[[int], None] | None = None,
        custom_scripts: bool = False,
    ) -> None:
        self.store = store
        self.clock = clock
        #: Users' programs registered as scripts (managed custom scripts), if the server runs
        #: them at all.
        self.custom_scripts = CustomScripts(store, enabled=custom_scripts)
        #: Every script a task may name (the one registry the runner finds them in).
        self.scripts = Catalogue(self.custom_scripts)
        self.rng = rng or random.Random()
        self._on_cancel = on_cancel or (lambda task_id: None)
        self._on_new_work: Callable[[], None] = lambda: None
        self._plan: Plan | None = None
        self._lock = threading.RLock()

    def set_cancel_hook(self, hook: Callable[[int], None]) -> None:
        """Tell the service how to cancel a running task (the runner's job)."""
        self._on_cancel = hook

    def set_new_work_hook(self, hook: Callable[[], None]) -> None:
        """Tell the service whom to wake when tasks may have become due (the runner)."""
        self._on_new_work = hook

    # -- settings ----------------------------------------------------------------------------

    def setting(self, name: str, default: str) -> str:
        """A stored setting (the device API's adb switch …), or ``default``."""
        return self.store.get_setting(name, default)

    def set_setting(self, name: str, value: str) -> None:
        """Store a setting; it survives a restart, not a reset."""
        self.store.set_setting(name, value)

    # -- plan --------------------------------------------------------------------------------

    @property
    def plan(self) -> Plan:
        """The license plan in force."""
        if self._plan is None:  # read once: every API call checks it
            self._plan = PLANS[self.store.get_setting("plan", "Pro")]
        return self._plan

    def set_plan(self, name: str) -> Plan:
        """Change the plan."""
        if name not in PLANS:
            raise bad_request(f"plan must be one of {', '.join(PLANS)}, got {name!r}")
        self.store.set_setting("plan", name)
        self._plan = PLANS[name]
        return self._plan

    def check_api_access(self) -> None:
        """Refuse every API call on a plan without API access (40301)."""
        check_api_access(self.plan)

    # -- create ------------------------------------------------------------------------------

    def create(self, body: Any, *, source: str = "api") -> list[int]:
        """Check a create body and store its tasks, all in one transaction or none.

        The contract checks it, the scripts it may name being the contract's and the custom
        scripts registered here (one of those is refused, 40301, while they are off).
        """
        names = self.scripts.custom_names()
        if isinstance(body, dict) and body.get("script_name") in names:
            self.custom_scripts.require_enabled()
        request = parse_create(body, custom=names)
        targets = plan_targets(request, self.plan, _StoreDirectory(self.store))
        now = self.clock.now()
        start = next_occurrence(request.start_time, now) if request.start_time else now
        offsets: dict[str, float] = {}
        tasks: list[NewTask] = []
        for serial, username in targets:
            for job_index, config in enumerate(request.task_configs):
                if serial in offsets:
                    wait = self.rng.uniform(request.min_interval, request.max_interval)
                    offsets[serial] += wait * 60.0
                else:
                    offsets[serial] = 0.0
                tasks.append(
                    NewTask(
                        serial=serial,
                        username=username,
                        script_name=request.script_name,
                        script_config=config,
                        source=source,
                        enable_multi_account=request.enable_multi_account,
                        start_time=request.start_time,
                        scheduled_at=start + offsets[serial],
                        created_at=now,
                        job_index=job_index,
                    )
                )
        ids = self.store.insert_tasks(tasks)
        log.info("created %d %s task(s) (%s): %s", len(ids), request.script_name, source, ids)
        self._on_new_work()
        return ids

    # -- read --------------------------------------------------------------------------------

    def get(self, task_id: int) -> TaskRow:
        """One task, or 40401."""
        task = self.store.get_task(task_id)
        if task is None:
            raise task_not_found(task_id)
        return task

    def list_tasks(
        self, filters: Mapping[str, Any], page: int, page_size: int
    ) -> tuple[list[TaskRow], int]:
        """One page of tasks, newest first."""
        return self.store.list_tasks(filters, (page - 1) * page_size, page_size)

    def task_page(
        self,
        filters: Mapping[str, Any],
        page: int,
        page_size: int,
        known: Callable[[TaskKey], _Kept | None] | None,
    ) -> TaskPage[_Kept]:
        """The page of :meth:`list_tasks` by key, with the stored rows ``known`` lacks."""
        return self.store.list_task_page(filters, (page - 1) * page_size, page_size, known)

    def stats(self) -> dict[str, int]:
        """Counts by status."""
        counts = self.store.stats()
        result = {name: counts.get(status, 0) for status, name in STATUS_NAMES.items()}
        return {"total": sum(counts.values()), **result}

    # -- transitions -------------------------------------------------------------------------

    def stop(self, task_id: int) -> TaskRow:
        """Pending or running → failed, "stopped by user"; others 40001."""
        with self._lock:
            task = self.get(task_id)
            check_stoppable(task_id, task.status)
            self.store.update_task(
                task_id,
                when_status=(PENDING, RUNNING),
                status=FAILED,
                remark=STOPPED_REMARK,
                finished_at=self.clock.now(),
            )
        # Cancel even a task read as pending: the runner may have claimed it meanwhile (a
        # cancel of a task the runner does not hold does nothing).
        self._on_cancel(task_id)
        log.info("task %d: %s -> failed (stopped by user)", task_id, STATUS_NAMES[task.status])
        return self.get(task_id)

    def retry(self, task_id: int) -> TaskRow:
        """Failed → pending, ``retry_count`` + 1; others 40001."""
        with self._lock:
            task = self.get(task_id)
            check_retryable(task_id, task.status)
            self.store.update_task(
                task_id,
                when_status=(FAILED,),
                status=PENDING,
                retry_count=task.retry_count + 1,
                remark="",
                started_at=None,
                finished_at=None,
                # its start time still stands if it is ahead; otherwise it runs now
                scheduled_at=max(task.scheduled_at, self.clock.now()),
            )
            retried = self.get(task_id)  # as the retry left it: the runner may claim it next
        log.info("task %d: failed -> pending (retry %d)", task_id, task.retry_count + 1)
        self._on_new_work()
        return retried

    def retry_all(self) -> list[int]:
        """Every failed task → pending."""
        with self._lock:
            ids = self.store.retry_failed(FAILED, PENDING, self.clock.now())
        log.info("tasks %s: failed -> pending (retry all)", ids)
        self._on_new_work()
        return ids

    def delete(self, task_ids: Sequence[int]) -> tuple[list[int], list[int]]:
        """Delete tasks (running ones are stopped first); (deleted, not found)."""
        with self._lock:
            running = [
                task_id
                for task_id in task_ids
                if (task := self.store.get_task(task_id)) is not None and task.status == RUNNING
            ]
            for task_id in running:
                self.store.update_task(
                    task_id, when_status=(RUNNING,), status=FAILED, remark=STOPPED_REMARK
                )
            deleted = self.store.delete_tasks(list(dict.fromkeys(task_ids)))
        for task_id in deleted:  # also those read as pending: they may have been claimed since
            self._on_cancel(task_id)
        log.info("tasks %s deleted (of them running, stopped first: %s)", deleted, running)
        return deleted, [task_id for task_id in dict.fromkeys(task_ids) if task_id not in deleted]

    # -- the runner's side -------------------------------------------------------------------

    def finish(self, task_id: int, *, ok: bool, remark: str) -> None:
        """Running → completed or failed (a task stopped meanwhile stays stopped)."""
        finished = self.store.update_task(
            task_id,
            when_status=(RUNNING,),
            status=COMPLETED if ok else FAILED,
            remark=remark,
            finished_at=self.clock.now(),
        )
        if finished:
            _log_end(task_id, ok=ok, remark=remark)

    def hand_over(
        self, task_id: int, outcome: tuple[bool, str] | None, serial: str
    ) -> TaskRow | None:
        """End a task with ``outcome`` and claim ``serial``'s next due task, in one write.

        ``outcome`` is ``None`` for a task stopped meanwhile (already ended). Returns the
        task claimed, if any.
        """
        return self.hand_over_many([(task_id, outcome, serial)])[0]

    def hand_over_many(
        self, items: Sequence[tuple[int, tuple[bool, str] | None, str | None]]
    ) -> list[TaskRow | None]:
        """:meth:`hand_over` for each ``(task_id, outcome, serial)``, all in one write.

        An item without a serial only ends its task (as :meth:`finish` would).
        """
        writes = []
        for task_id, outcome, serial in items:
            finish = None
            if outcome is not None:
                status = COMPLETED if outcome[0] else FAILED
                finish = Finish(task_id=task_id, running=RUNNING, status=status, remark=outcome[1])
            writes.append((finish, serial))
        done = self.store.hand_over_many(writes, PENDING, RUNNING, self.clock.now())
        claimed_tasks = []
        for (task_id, outcome, _), (finished, claimed) in zip(items, done, strict=True):
            if finished and outcome is not None:
                _log_end(task_id, ok=outcome[0], remark=outcome[1])
            if claimed is not None:
                log.info("task %d: pending -> running", claimed.id)
            claimed_tasks.append(claimed)
        return claimed_tasks

    def due(self, busy: Collection[str] = ()) -> list[TaskRow]:
        """The first due pending task of each device not in ``busy``."""
        return self.store.first_due(PENDING, self.clock.now(), busy)

    def claim_many(self, task_ids: Sequence[int]) -> list[int]:
        """Pending → running for each of ``task_ids`` still pending, in one write."""
        if not task_ids:
            return []
        claimed = self.store.claim(task_ids, PENDING, RUNNING, self.clock.now())
        for task_id in claimed:
            log.info("task %d: pending -> running", task_id)
        return claimed

    def unclaim(self, task_ids: Sequence[int]) -> None:
        """Running → pending for claimed tasks that never started (their round was cut short)."""
        for task_id in task_ids:
            self.store.update_task(task_id, when_status=(RUNNING,), status=PENDING, started_at=None)
        if task_ids:
            log.info("tasks %s: running -> pending (never started)", list(task_ids))

    def recover(self) -> list[int]:
        """After a crash: tasks left running become failed, "interrupted" (retry revives them)."""
        ids = self.store.fail_running(RUNNING, FAILED, INTERRUPTED_REMARK, self.clock.now())
        if ids:
            log.info("tasks %s: running -> failed (interrupted by a restart)", ids)
        return ids

    # -- fleet -------------------------------------------------------------------------------

    def devices(self) -> list[DeviceRow]:
        """Every known device."""
        return self.store.devices()

    def add_accounts(self, accounts: Iterable[Mapping[str, Any]]) -> None:
        """Add accounts, or move the ones already known to their new device."""
        self.store.add_accounts(accounts)

    def account(self, username: str) -> AccountRow | None:
        """The account with this username, if known."""
        return self.store.accounts_by_username([username]).get(username)

    def list_accounts(
        self, filters: Mapping[str, Any], page: int, page_size: int
    ) -> tuple[list[AccountRow], int]:
        """One page of accounts matching ``filters``, and how many match in all."""
        return self.store.list_accounts(filters, (page - 1) * page_size, page_size)

    def reset(self) -> None:
        """Forget every task, device, account and setting."""
        with self._lock:
            self.store.reset()
            self._plan = None
        log.info("store reset")

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def seed(
        self,
        serials: Iterable[str],
        accounts: Iterable[Mapping[str, Any]],
        *,
        kind: str = "simulated",
    ) -> None:
        """Add devices (of ``kind``) and accounts."""
        self.store.add_devices(serials, kind=kind)
        self.store.add_accounts(accounts)


def _log_end(task_id: int, *, ok: bool, remark: str) -> None:
    outcome = "completed" if ok else "failed"
    log.info("task %d: running -> %s (%s)", task_id, outcome, remark or "no remark")


class _StoreDirectory:
    """The contract's :class:`~tikmatrix_sdk._contract.tasks.Directory` over the store."""

    def __init__(self, store: TaskStore) -> None:
        self._store = store

    def devices_of(self, usernames: Sequence[str]) -> dict[str, str]:
        """The device of each known account among ``usernames``."""
        found = self._store.accounts_by_username(usernames)
        return {name: account.device for name, account in found.items()}

    def known_devices(self) -> set[str]:
        """Every device's serial."""
        return {device.serial for device in self._store.devices()}

    def accounts_on(self, serials: Sequence[str]) -> dict[str, list[str]]:
        """The accounts on each device named."""
        found = self._store.accounts_on(serials)
        return {serial: [account.username for account in on] for serial, on in found.items()}

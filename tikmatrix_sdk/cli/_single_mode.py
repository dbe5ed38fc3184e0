"""The commands on one host, as ``tikmatrix`` runs them without ``--hosts``.

:class:`SingleHost` has the same commands as :class:`~._fleet_mode.FleetHosts`: the command
line chooses one of them, once, from its options.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from rich.text import Text

from .._client import TikMatrix
from ..models import Task, TaskStatus
from ._exit import ExitStatus, refused_licenses
from ._render import (
    accounts_table,
    console,
    echo_json,
    nothing_to_wait,
    status_text,
    table,
    tasks_table,
)

__all__ = ["SingleHost"]


def _listing(
    resource: Any, noun: str, every: bool, page: int, page_size: int, filters: dict[str, Any]
) -> tuple[list[Any], str]:
    """Every item (``--all``) or one page of a resource, and the title of its table."""
    if every:
        found = list(resource.iter(**filters))
        return found, f"{len(found)} {noun}"
    listed = resource.list(page=page, page_size=page_size, **filters)
    found = list(listed.items)
    return found, f"{noun.capitalize()}, page {listed.page} ({len(found)} of {listed.total})"


class SingleHost:
    """The commands on one TikMatrix (``--base-url``)."""

    def __init__(self, client: TikMatrix) -> None:
        self.client = client

    def license_(self, as_json: bool) -> None:
        """The license, as a table or JSON."""
        checked = self.client.license.check()
        if as_json:
            echo_json(checked)
        else:
            allowed = Text("yes", style="green") if checked.api_enabled else Text("no", style="red")
            table(
                "License",
                ["plan", "API", "devices", "message"],
                [(checked.plan_name, allowed, checked.device_limit, checked.message)],
            )
        if refused_licenses({"": checked}):
            sys.exit(int(ExitStatus.API_ERROR))

    def accounts_list(
        self, as_json: bool, every: bool, page: int, page_size: int, filters: dict[str, Any]
    ) -> None:
        """One page of accounts, or every page."""
        found, title = _listing(self.client.accounts, "accounts", every, page, page_size, filters)
        if as_json:
            echo_json(found)
        else:
            accounts_table(found, title)

    def tasks_create(self, config: Any, as_json: bool, **kwargs: Any) -> None:
        """Create tasks, and say which."""
        created = self.client.tasks.create(config, **kwargs)
        if as_json:
            echo_json(created)
        else:
            ids = ", ".join(str(task_id) for task_id in created.task_ids)
            console().print(f"Created {created.created_count} task(s): {ids}")

    def tasks_list(
        self, as_json: bool, every: bool, page: int, page_size: int, filters: dict[str, Any]
    ) -> None:
        """One page of tasks, or every page, newest first."""
        found, title = _listing(self.client.tasks, "tasks", every, page, page_size, filters)
        if as_json:
            echo_json(found)
        else:
            tasks_table(found, title)

    def one_task(self, action: str, task_id: Any, as_json: bool) -> None:
        """``get``, ``stop`` or ``retry`` one task, and show it."""
        task = getattr(self.client.tasks, action)(task_id)
        if as_json:
            echo_json(task)
        else:
            tasks_table([task], f"Task {task.id}")

    def tasks_retry_all(self, as_json: bool) -> None:
        """Retry every failed task."""
        retried = self.client.tasks.retry_all()
        if as_json:
            echo_json(retried)
        else:
            console().print(f"Retried {retried.retried_count} task(s)")

    def tasks_delete(self, task_ids: Sequence[Any], as_json: bool) -> None:
        """Delete tasks, and name those that were not there."""
        deleted = self.client.tasks.delete_many(task_ids)
        if as_json:
            echo_json(deleted)
            return
        console().print(f"Deleted {deleted.deleted_count} task(s)")
        if deleted.not_found_ids:
            missing = ", ".join(str(task_id) for task_id in deleted.not_found_ids)
            console().print(f"[yellow]Not found: {missing}[/]")

    def tasks_stats(self, as_json: bool) -> None:
        """The counts by status."""
        stats = self.client.tasks.stats()
        if as_json:
            echo_json(stats)
            return
        counts = [(status_text(status), getattr(stats, str(status))) for status in TaskStatus]
        table("Tasks", ["status", "count"], [*counts, ("total", stats.total)])

    def tasks_wait(
        self,
        task_ids: Sequence[Any],
        all_pending: bool,
        timeout: float,
        interval: float,
        as_json: bool,
    ) -> None:
        """Wait for tasks with a progress bar; exit 1 if any failed."""
        ids = list(task_ids) or _unfinished(self.client)
        if not ids:
            nothing_to_wait(as_json)
            return
        finished = _wait_with_progress(self.client, ids, timeout, interval, quiet=as_json)
        failed = [task for task in finished if task.status == TaskStatus.FAILED]
        if as_json:
            echo_json(list(finished))
        else:
            tasks_table(list(finished), f"{len(finished)} task(s) finished, {len(failed)} failed")
        if failed:
            sys.exit(int(ExitStatus.FAILED))


def _unfinished(client: TikMatrix) -> list[int]:
    return [
        task.id
        for status in (TaskStatus.PENDING, TaskStatus.RUNNING)
        for task in client.tasks.iter(status=status)
    ]


def _wait_with_progress(
    client: TikMatrix, ids: list[int], timeout: float, interval: float, *, quiet: bool
) -> tuple[Task, ...]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    done: set[int] = set()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    shown = not quiet and console().is_terminal  # a bar in a pipe or a log is only noise
    with Progress(*columns, console=console(), disable=not shown, transient=True) as progress:
        bar = progress.add_task("waiting", total=len(ids))

        def seen(task: Task) -> None:
            if task.is_finished:
                done.add(task.id)
            progress.update(bar, completed=len(done), description=f"task {task.id}: {task.status}")

        return client.tasks.wait_all(ids, timeout=timeout, poll_interval=interval, on_update=seen)

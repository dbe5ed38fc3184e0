"""The commands on several hosts, as ``tikmatrix --hosts …`` runs them.

Each prints every host's answers with a host column, then each failed host's error on
standard error, and exits with the first failure's status (0 when every host answered).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from ..errors import TikMatrixError
from ..fleet import Fleet, FleetResult, FleetTask, hosts_from_env, hosts_from_file
from ..models import TaskStatus
from ._exit import ExitStatus, refused_licenses, report_hosts
from ._render import (
    accounts_table,
    console,
    echo_json,
    hosts_tasks_table,
    nothing_to_wait,
    table,
    to_json,
)

__all__ = ["FleetHosts", "fleet_from"]


@contextmanager
def fleet_from(hosts: str, timeout: float) -> Iterator[Fleet]:
    """The fleet ``--hosts`` names.

    A ``.toml`` file of hosts (each keeps its own settings), or ``name=url`` pairs separated
    by commas (each takes ``--timeout``).
    """
    if hosts.endswith(".toml"):
        found = hosts_from_file(Path(hosts))
    else:
        found = tuple(attrs.evolve(host, timeout=timeout) for host in hosts_from_env(hosts))
    with Fleet(found) as fleet:
        yield fleet


def _finish(result: FleetResult[Any]) -> None:
    """Report each failed host, and exit with the first one's status."""
    status = report_hosts(result.failed)
    if status is not None:
        sys.exit(int(status))


def _rows(tasks: Sequence[FleetTask]) -> list[tuple[str, Any]]:
    return [(item.host, item.task) for item in tasks]


def _json_tasks(tasks: Sequence[FleetTask]) -> list[dict[str, Any]]:
    return [{"host": item.host, "task": to_json(item.task)} for item in tasks]


class FleetHosts:
    """The commands on several hosts (``--hosts``): the same commands as :class:`SingleHost`."""

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet

    def license_(self, as_json: bool) -> None:
        """Every host's license."""
        fleet = self.fleet
        checked = fleet.license.check()
        if as_json:
            echo_json(dict(checked.by_host))
        else:
            table(
                "Licenses",
                ["host", "plan", "API", "devices", "message"],
                (
                    (host, lic.plan_name, "yes" if lic.api_enabled else "no", lic.device_limit,
                     lic.message)
                    for host, lic in checked.by_host.items()
                ),
            )  # fmt: skip
        status = report_hosts(checked.failed)
        status = refused_licenses(checked.by_host) or status
        if status is not None:
            sys.exit(int(status))

    def accounts_list(
        self, as_json: bool, every: bool, page: int, page_size: int, filters: dict[str, Any]
    ) -> None:
        """Every account of every host, host by host (every page: ``--all`` is implied)."""
        fleet = self.fleet
        found: list[tuple[str, Any]] = []
        failed: dict[str, Any] = {}
        for host in fleet.hosts:
            try:
                found += [
                    (host, account) for account in fleet.client(host).accounts.iter(**filters)
                ]
            except TikMatrixError as error:  # reported per host below
                failed[host] = error
        if as_json:
            echo_json([{"host": host, "account": account.to_dict()} for host, account in found])
        else:
            accounts_table([account for _, account in found], f"{len(found)} accounts",
                           hosts=[host for host, _ in found])  # fmt: skip
        _finish(FleetResult(by_host={}, failed=failed))

    def tasks_create(
        self,
        config: Any,
        as_json: bool,
        *,
        min_interval: int | None,
        max_interval: int | None,
        **kwargs: Any,
    ) -> None:
        """Create tasks on the hosts that own the devices or accounts."""
        fleet = self.fleet
        del min_interval, max_interval  # refused with --hosts before any host is asked
        created = fleet.tasks.create(config, **kwargs)
        if as_json:
            echo_json(
                {
                    "task_ids": [str(task_id) for task_id in created.task_ids],
                    "by_host": dict(created.by_host),
                    "failed": {host: str(error) for host, error in created.failed.items()},
                }
            )
        else:
            ids = ", ".join(str(task_id) for task_id in created.task_ids)
            console().print(f"Created {created.created_count} task(s): {ids}")
        _finish(created)

    def tasks_list(
        self, as_json: bool, every: bool, page: int, page_size: int, filters: dict[str, Any]
    ) -> None:
        """Every host's tasks merged newest first: every page (``--all``) or page ``page``."""
        fleet = self.fleet
        if every:
            found = list(fleet.tasks.iter(**filters))  # a failed host raises FleetError at the end
            title = f"{len(found)} tasks"
            result: FleetResult[Any] = FleetResult(by_host={})
        else:
            pages = fleet.tasks.list(page=page, page_size=page_size, **filters)
            found = list(pages.tasks)
            title = f"Tasks, page {page} of each host ({len(found)} of {pages.total})"
            result = pages
        if as_json:
            echo_json(_json_tasks(found))
        else:
            hosts_tasks_table(_rows(found), title)
        _finish(result)

    def one_task(self, action: str, task_id: Any, as_json: bool) -> None:
        """``get``, ``stop`` or ``retry`` one task by its fleet id."""
        fleet = self.fleet
        found: FleetTask = getattr(fleet.tasks, action)(task_id)
        if as_json:
            echo_json(_json_tasks([found])[0])
        else:
            hosts_tasks_table(_rows([found]), f"Task {found.id}")

    def tasks_retry_all(self, as_json: bool) -> None:
        """Retry every failed task of every host."""
        fleet = self.fleet
        retried = fleet.tasks.retry_all()
        if as_json:
            echo_json(dict(retried.by_host))
        else:
            count = sum(answer.retried_count for answer in retried.by_host.values())
            console().print(f"Retried {count} task(s) on {len(retried.by_host)} host(s)")
        _finish(retried)

    def tasks_delete(self, task_ids: Sequence[Any], as_json: bool) -> None:
        """Delete tasks by fleet id, one request per host."""
        fleet = self.fleet
        deleted = fleet.tasks.delete_many(task_ids)
        if as_json:
            echo_json(dict(deleted.by_host))
        else:
            count = sum(answer.deleted_count for answer in deleted.by_host.values())
            console().print(f"Deleted {count} task(s)")
            missing = [
                f"{host}:{task_id}"
                for host, answer in deleted.by_host.items()
                for task_id in answer.not_found_ids
            ]
            if missing:
                console().print(f"[yellow]Not found: {', '.join(missing)}[/]")
        _finish(deleted)

    def tasks_stats(self, as_json: bool) -> None:
        """Task counts by status, per host and in all."""
        fleet = self.fleet
        stats = fleet.tasks.stats()
        if as_json:
            echo_json({"total": stats.total, "by_host": dict(stats.by_host)})
        else:
            statuses = list(TaskStatus)
            rows = [
                (host, *(getattr(counts, str(status)) for status in statuses), counts.total)
                for host, counts in [*stats.by_host.items(), ("total", stats.total)]
            ]
            table("Tasks", ["host", *(str(status) for status in statuses), "total"], rows)
        _finish(stats)

    def tasks_wait(
        self,
        task_ids: Sequence[Any],
        all_pending: bool,
        timeout: float,
        interval: float,
        as_json: bool,
    ) -> None:
        """Wait for tasks on their hosts; exit 1 if any failed."""
        fleet = self.fleet
        ids = list(task_ids)
        if all_pending:
            ids = [
                item.id
                for status in (TaskStatus.PENDING, TaskStatus.RUNNING)
                for item in fleet.tasks.iter(status=status)
            ]
        if not ids:
            nothing_to_wait(as_json)
            return
        waited = fleet.tasks.wait_all(ids, timeout=timeout, poll_interval=interval)
        finished = list(waited.tasks)
        failed = [item for item in finished if item.task.status == TaskStatus.FAILED]
        if as_json:
            echo_json(_json_tasks(finished))
        else:
            title = f"{len(finished)} task(s) finished, {len(failed)} failed"
            hosts_tasks_table(_rows(finished), title)
        _finish(waited)
        if failed:
            sys.exit(int(ExitStatus.FAILED))

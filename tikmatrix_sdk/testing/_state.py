"""What the mock keeps: its devices, accounts, plan, tasks and leases, and their reading."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from .._contract.lifecycle import (
    COMPLETED,
    FAILED,
    PENDING,
    RUNNING,
    task_not_found,
)
from .._contract.plans import PLANS, plan_named
from .._contract.tasks import (
    parse_task_id,
)
from ._wire import now as _now

__all__ = ["MockState"]


class MockState:
    """The mock's in-memory TikMatrix, which its routes read and change (under its lock)."""

    def __init__(
        self,
        *,
        devices: Sequence[str] | None,
        accounts: Sequence[Mapping[str, Any]] | None,
        plan: str,
        auto_complete: bool,
    ) -> None:
        named = plan_named(plan)
        if named is None:
            raise ValueError(f"plan must be one of {', '.join(PLANS)}, got {plan!r}")
        self.devices = list(devices if devices is not None else _default_devices())
        #: The accounts, in the order the API lists them.
        self.accounts: list[dict[str, Any]] = [
            _account(number, account)
            for number, account in enumerate(
                accounts if accounts is not None else _default_accounts(self.devices), start=1
            )
        ]
        self.plan = named
        self.auto_complete = auto_complete
        self.tasks: dict[int, dict[str, Any]] = {}
        self.leases: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.RLock()

    def finish(self, task_id: int, *, ok: bool = True, remark: str = "") -> None:
        """Finish a task: completed (or failed, with ``ok=False``)."""
        with self._lock:
            task = self.tasks[task_id]
            task.update(
                status=COMPLETED if ok else FAILED,
                remark=remark or ("done" if ok else "failed"),
                started_at=task["started_at"] or _now(),
                finished_at=_now(),
            )

    def run_all(self, *, ok: bool = True) -> list[int]:
        """Finish every pending or running task; their ids."""
        with self._lock:
            ids = [i for i, t in self.tasks.items() if t["status"] in (PENDING, RUNNING)]
        for task_id in ids:
            self.finish(task_id, ok=ok)
        return ids

    def _task_json(self, task_id: int) -> dict[str, Any]:
        task = self.tasks[task_id]
        if self.auto_complete and task["status"] == PENDING:
            self.finish(task_id)
        return dict(task)

    def _task(self, raw: str) -> dict[str, Any]:
        task_id = parse_task_id(raw)
        if task_id not in self.tasks:
            raise task_not_found(task_id)
        return self.tasks[task_id]


class _Directory:
    """The contract's ``Directory`` over the mock's devices and accounts."""

    def __init__(self, mock: MockState) -> None:
        self._mock = mock

    def devices_of(self, usernames: Sequence[str]) -> dict[str, str]:
        """The device of each known account among ``usernames``."""
        accounts = self._mock.accounts
        return {a["username"]: a["device"] for a in accounts if a["username"] in usernames}

    def known_devices(self) -> list[str]:
        """Every device's serial."""
        return self._mock.devices

    def accounts_on(self, serials: Sequence[str]) -> dict[str, list[str]]:
        """The accounts on each device named."""
        accounts = self._mock.accounts
        return {s: [a["username"] for a in accounts if a["device"] == s] for s in serials}


def _default_devices() -> list[str]:
    return [f"device_serial_{number}" for number in range(1, 6)]


def _default_accounts(devices: Sequence[str]) -> list[dict[str, Any]]:
    return [
        {"username": f"@user{number}", "device": serial}
        for number, serial in enumerate(devices, start=1)
    ]


def _account(number: int, account: Mapping[str, Any]) -> dict[str, Any]:
    """An account as the API lists it, numbered in the order it was given."""
    return {
        "id": number,
        "username": account["username"],
        "device": account["device"],
        "platform": account.get("platform") or "tiktok",
        "logined": bool(account.get("logined", True)),
        "status": account.get("status") or 0,
        "tag": account.get("tag") or "default",
    }

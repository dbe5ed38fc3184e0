"""What the CLI prints: tables for people (rich), JSON for scripts."""

from __future__ import annotations

import codecs
import json
import os
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..models import Account, Task, TaskStatus

__all__ = [
    "STATUS_STYLES",
    "accounts_table",
    "console",
    "echo_json",
    "unicode_stream",
    "status_text",
    "table",
    "hosts_tasks_table",
    "nothing_to_wait",
    "tasks_table",
    "to_json",
]

#: Each status in words, and its colour.
STATUS_STYLES = {
    TaskStatus.PENDING: "yellow",
    TaskStatus.RUNNING: "blue",
    TaskStatus.COMPLETED: "green",
    TaskStatus.FAILED: "red",
}


_KEEP_WHOLE = frozenset({"id", "status", "serial", "scheduled", "finished", "count"})


def console() -> Console:
    """Where tables go: standard output, coloured on a terminal only.

    Piped into a file or another program, tables are laid out 160 columns wide (``COLUMNS``
    says otherwise) rather than folded into 80.
    """
    terminal = Console(soft_wrap=False)
    if terminal.is_terminal or "COLUMNS" in os.environ:
        return terminal
    return Console(soft_wrap=False, width=160)


def to_json(value: Any) -> Any:
    """A model (or a list of them) as plain JSON values.

    A task is as the API sends it, with its status also in words (``"status_name":
    "completed"`` beside ``"status": 2``).
    """
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, Task):
        return _task_json(value)
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else value


def _task_json(task: Task) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in task.to_dict().items():
        out[key] = item
        if key == "status":
            out["status_name"] = str(task.status)
    return out


def unicode_stream(stream: Any) -> bool:
    """Whether ``stream`` writes any character (UTF-8 and the like), unlike cp1252 or ASCII."""
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        return codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return False


def echo_json(value: Any) -> None:
    """Print ``value`` as indented JSON (escaping what the console cannot write: lossless)."""
    ascii_only = not unicode_stream(sys.stdout)
    click.echo(json.dumps(to_json(value), indent=2, ensure_ascii=ascii_only, default=str))


def status_text(status: TaskStatus | int) -> Text:
    """A status in words, in its colour."""
    if isinstance(status, TaskStatus):
        return Text(str(status), style=STATUS_STYLES[status])
    return Text(str(status))


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value else ""


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Print a table."""
    grid = Table(title=title, title_justify="left")
    for column in columns:
        grid.add_column(column, overflow="fold", no_wrap=column in _KEEP_WHOLE)
    for row in rows:  # values are text, never markup: a remark may hold "[/bold]"
        grid.add_row(*(cell if isinstance(cell, Text) else Text(str(cell)) for cell in row))
    console().print(grid)


_TASK_COLUMNS = ["id", "status", "serial", "username", "script", "scheduled", "finished", "remark"]


def _task_row(task: Task) -> tuple[Any, ...]:
    return (
        task.id,
        status_text(task.status),
        task.serial or "",
        task.username or "",
        task.script_name,
        _when(task.scheduled_at),
        _when(task.finished_at),
        task.remark,
    )


def tasks_table(tasks: Sequence[Task], title: str) -> None:
    """Print tasks: id, status in words and colour, device, account, script, times, remark."""
    table(title, _TASK_COLUMNS, (_task_row(task) for task in tasks))


def hosts_tasks_table(tasks: Sequence[tuple[str, Task]], title: str) -> None:
    """Print tasks of several hosts: the host first, then the columns of :func:`tasks_table`."""
    table(title, ["host", *_TASK_COLUMNS], ((host, *_task_row(task)) for host, task in tasks))


def accounts_table(
    accounts: Sequence[Account], title: str, *, hosts: Sequence[str] | None = None
) -> None:
    """Print accounts (with a host column first when ``hosts`` names each one's host)."""
    rows = [
        (
            account.username,
            account.device or "",
            account.platform or "",
            "" if account.logined is None else "yes" if account.logined else "no",
            account.tag or "",
        )
        for account in accounts
    ]
    columns = ["username", "device", "platform", "signed in", "tag"]
    if hosts is None:
        table(title, columns, rows)
    else:
        table(
            title, ["host", *columns], ((host, *row) for host, row in zip(hosts, rows, strict=True))
        )


def nothing_to_wait(as_json: bool) -> None:
    """Say that no task was left to wait for (``[]`` in JSON)."""
    if as_json:
        echo_json([])
    else:
        console().print("No unfinished tasks")

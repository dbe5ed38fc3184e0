"""Pages of tasks, each task's JSON object written once for as long as the task stays as it is.

A page read from the store costs sixteen values a task, and turning them into objects more
than orjson takes to write the whole page. Every write of a task gives it a revision no task
of its store has had (see :data:`~reference_server.domain.store.TaskKey`), so the object
written of a task at ``(id, rev)`` stays true while the row holds that rev. A page read
before is read again as two values a task, and only the tasks that changed are read whole; a
page read for the first time (the next page of a walk through them all) is read whole at
once, as it was before anything was kept. The answer is the same bytes either way.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Mapping
from itertools import islice
from typing import Any

from ..domain.service import TaskService
from ..domain.store import TaskKey
from .wire import stored_tasks_json

__all__ = ["KEPT_PAGES", "KEPT_TASKS", "TaskPages"]

#: How many tasks' objects a server keeps (under a kilobyte each): fifty full pages.
KEPT_TASKS = 5_000
#: How many pages (filters, page, size) a server remembers having read.
KEPT_PAGES = 1_000


class TaskPages:
    """The tasks' objects a server has written for its pages, by key; the oldest go first."""

    def __init__(self, limit: int = KEPT_TASKS, pages: int = KEPT_PAGES) -> None:
        """Keep at most ``limit`` tasks' objects, and remember at most ``pages`` pages.

        With ``pages=0`` every page is read whole, as for the first time.
        """
        for name, value in (("limit", limit), ("pages", pages)):
            if value < 0:
                raise ValueError(f"{name} must be 0 or more, not {value}")
        self.limit = limit
        self.pages = pages
        self._kept: dict[TaskKey, Any] = {}
        self._read: dict[Hashable, None] = {}  # the pages read again by key: in use, in order
        self._lock = threading.Lock()  # for writers: readers only ``get``

    def __len__(self) -> int:
        """How many tasks' objects are kept."""
        return len(self._kept)

    def page(
        self, service: TaskService, filters: Mapping[str, Any], page: int, page_size: int
    ) -> tuple[list[Any], int]:
        """The page's tasks as the contract writes them, and the total.

        The objects are shared with later pages: nothing may change them.
        """
        which = (tuple(filters.items()), page, page_size)
        again = which in self._read
        found = service.task_page(filters, page, page_size, self._kept.get if again else None)
        tasks: list[Any] = list(found.known)
        new: dict[TaskKey, Any] = {}
        if found.rows:
            written = iter(stored_tasks_json(found.rows))
            for index, (key, value) in enumerate(zip(found.keys, found.known, strict=True)):
                if value is None:
                    tasks[index] = new[key] = next(written)
        # Read by key next time unless most of it changed since this time (then whole is
        # cheaper: one read, not two).
        by_key = not again or len(new) * 2 <= len(found.keys)
        self._keep(new, which, by_key)
        return tasks, found.total

    def _keep(self, new: dict[TaskKey, Any], which: Hashable, by_key: bool) -> None:
        with self._lock:
            self._kept.update(new)
            _trim(self._kept, self.limit)
            self._read.pop(which, None)
            if by_key:
                self._read[which] = None
                _trim(self._read, self.pages)


def _trim(kept: dict[Any, Any], limit: int) -> None:
    """Let the oldest go, a tenth more than needed: not a pass over the keys every page."""
    over = len(kept) - limit
    if over > 0:
        for key in list(islice(kept, over + limit // 10)):
            del kept[key]

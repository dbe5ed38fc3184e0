"""Pages of tasks, each task's JSON written once for as long as the task stays as it is.

A page read from the store costs sixteen values a task, and turning them into JSON more than
orjson takes to write the whole page. Every write of a task gives it a revision no task of
its store has had (see :data:`~reference_server.domain.store.TaskKey`), so the JSON written
of a task at ``(id, rev)`` stays true while the row holds that rev. A page read before is
read again as two values a task, and only the tasks that changed are read whole; a page read
for the first time (the next page of a walk through them all) is read whole at once, as it
was before anything was kept. The answer is the same bytes either way.

The JSON is kept as bytes, within a budget of bytes (a task's configuration may be 16 KB),
and only where orjson can put it into a page as it is: without orjson every page is read
whole.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Mapping
from itertools import islice
from typing import Any

from .. import fast_json
from ..domain.service import TaskService
from ..domain.store import TaskKey
from .wire import stored_tasks_json

__all__ = ["KEPT_BYTES", "KEPT_PAGES", "TaskPages"]

#: How many bytes of tasks' JSON a server keeps, counting each task's keeping as well: about
#: 6,000 tasks of a few options each.
KEPT_BYTES = 4 * 1024 * 1024
#: What keeping a task costs beside its JSON: its key, the bytes' header, the Fragment and
#: two dict entries (measured: 290 bytes on CPython 3.11).
_KEEPING = 320
#: The longest filters whose page is remembered (a name asked for is not bounded).
_REMEMBERED_FILTERS = 256
#: How many pages (filters, page, size) a server remembers having read.
KEPT_PAGES = 1_000


class TaskPages:
    """The tasks' JSON a server has written for its pages, by key; the oldest go first."""

    def __init__(self, budget: int = KEPT_BYTES, pages: int = KEPT_PAGES) -> None:
        """Keep at most ``budget`` bytes of tasks' JSON, and remember at most ``pages`` pages.

        With ``pages=0`` every page is read whole, as for the first time.
        """
        for name, value in (("budget", budget), ("pages", pages)):
            if value < 0:
                raise ValueError(f"{name} must be 0 or more, not {value}")
        self.budget = budget
        self.pages = pages
        self._kept: dict[TaskKey, Any] = {}  # orjson Fragments: what a page reads
        self._sizes: dict[TaskKey, int] = {}  # their bytes, in the same order
        self._bytes = 0
        self._read: dict[Hashable, None] = {}  # the pages read again by key: in use, in order
        self._lock = threading.Lock()  # for writers: readers only ``get``

    def __len__(self) -> int:
        """How many tasks' JSON are kept."""
        return len(self._kept)

    @property
    def kept_bytes(self) -> int:
        """How many bytes the kept JSON takes, with each task's keeping."""
        return self._bytes

    def page(
        self, service: TaskService, filters: Mapping[str, Any], page: int, page_size: int
    ) -> tuple[list[Any], int]:
        """The page's tasks, for :func:`~reference_server.fast_json.dumps`, and the total."""
        fragment = fast_json.Fragment
        which = (tuple(filters.items()), page, page_size)
        again = fragment is not None and which in self._read
        # Remember the page for next time unless its filters are long: their text is kept.
        remembered = sum(len(value) for value in filters.values() if isinstance(value, str))
        found = service.task_page(filters, page, page_size, self._kept.get if again else None)
        if fragment is None:
            return stored_tasks_json(found.rows), found.total
        tasks: list[Any] = list(found.known)
        new: dict[TaskKey, tuple[Any, int]] = {}
        if found.rows:
            written = iter(stored_tasks_json(found.rows))
            for index, (key, value) in enumerate(zip(found.keys, found.known, strict=True)):
                if value is None:
                    # a copy: orjson's own bytes hold a 4 KB buffer whatever their length
                    text = bytes(memoryview(fast_json.dumps(next(written))))
                    tasks[index] = fragment(text)
                    new[key] = (tasks[index], len(text) + _KEEPING)
        # Read by key next time unless most of it changed since this time (then whole is
        # cheaper: one read, not two).
        by_key = (not again or len(new) * 2 <= len(found.keys)) and (
            remembered <= _REMEMBERED_FILTERS
        )
        self._keep(new, which, by_key)
        return tasks, found.total

    def _keep(self, new: dict[TaskKey, tuple[Any, int]], which: Hashable, by_key: bool) -> None:
        with self._lock:
            for key, (json, size) in new.items():
                if key not in self._kept:
                    self._kept[key] = json
                    self._sizes[key] = size
                    self._bytes += size
            if self._bytes > self.budget:  # a tenth more than needed: not a pass every page
                goal = self.budget - self.budget // 10
                dropped: list[TaskKey] = []
                for key, size in self._sizes.items():  # one pass from the oldest
                    if self._bytes <= goal:
                        break
                    dropped.append(key)
                    self._bytes -= size
                for key in dropped:
                    del self._kept[key], self._sizes[key]
            self._read.pop(which, None)
            if by_key:
                self._read[which] = None
                over = len(self._read) - self.pages
                if over > 0:
                    for page in list(islice(self._read, over + self.pages // 10)):
                        del self._read[page]

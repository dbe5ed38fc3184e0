"""A child process and everything it starts, stopped the way each platform stops a program.

One implementation for every program this project starts and must stop whole: a custom
script's command (the reference server), the reference server that ``tikmatrix conformance``
starts, and the tests' own servers.

- **POSIX** (Linux, macOS): the child leads a session of its own; asking it to stop is
  SIGTERM to its whole group, what ``kill`` and a service manager send; killing it is SIGKILL
  to the group.
- **Windows**: the child leads a new process group; asking it to stop is ``CTRL_BREAK_EVENT``
  to that group, what Ctrl+Break in its console sends (Windows has no SIGTERM to deliver, and
  Ctrl+C cannot be sent to a group). There is no signal that ends a group, so what is left is
  killed process by process.

On both, the descendants are also found in the process table (psutil, when installed: the
reference server has it; the SDK alone kills the head only), leaves first, so that a process
that left the group, or a grandchild that outlived its parent, is ended too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any, Protocol

__all__ = [
    "CREATION_FLAGS",
    "NEW_SESSION",
    "STOP_SIGNALS",
    "ask_to_stop",
    "descendants",
    "end_tree",
    "kill_group",
    "on_stop_signals",
]


class _Child(Protocol):
    """What is needed of a started child (a :class:`subprocess.Popen`)."""

    pid: int

    def poll(self) -> int | None: ...

    def kill(self) -> None: ...

    def wait(self, timeout: float | None = None) -> int: ...

    def send_signal(self, sig: int) -> None: ...


if sys.platform == "win32":
    #: :class:`subprocess.Popen`'s ``creationflags`` and ``start_new_session`` that start a
    #: child at the head of a group of its own (pass both, on every platform).
    CREATION_FLAGS, NEW_SESSION = subprocess.CREATE_NEW_PROCESS_GROUP, False

    def ask_to_stop(child: _Child) -> None:
        """Ctrl+Break to the child's group: how a console program is asked to stop."""
        if child.poll() is None:
            with contextlib.suppress(OSError):
                child.send_signal(signal.CTRL_BREAK_EVENT)

    def kill_group(child: _Child) -> None:
        """Nothing: no signal ends a group on Windows (:func:`end_tree` kills one by one)."""

else:
    CREATION_FLAGS, NEW_SESSION = 0, True

    def ask_to_stop(child: _Child) -> None:
        """SIGTERM to the child's whole process group."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGTERM)

    def kill_group(child: _Child) -> None:
        """SIGKILL to the child's whole process group."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGKILL)


if sys.platform == "win32":
    #: The signals that ask a console program to stop: Ctrl+C, Ctrl+Break (what
    #: :func:`ask_to_stop` sends on Windows) and SIGTERM.
    STOP_SIGNALS = (signal.SIGINT, signal.SIGBREAK, signal.SIGTERM)
else:
    STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def on_stop_signals(handler: Callable[[int, Any], None]) -> None:
    """Have ``handler`` run on each of :data:`STOP_SIGNALS` (from the main thread)."""
    for number in STOP_SIGNALS:
        signal.signal(number, handler)


class ProcessTable(Protocol):
    """The part of :mod:`psutil` used here: a process by its id, and its error."""

    Error: type[Exception]

    def Process(self, pid: int) -> Any:
        """The process with this id."""


def _process_table() -> ProcessTable | None:
    try:
        import psutil
    except ImportError:  # the SDK alone: the head is killed, its descendants are not found
        return None
    return psutil  # type: ignore[return-value]


def descendants(pid: int, table: ProcessTable | None) -> list[Any]:
    """Every living descendant of ``pid``, leaves first (none without a process table)."""
    if table is None:
        return []
    try:
        found = table.Process(pid).children(recursive=True)
    except (table.Error, OSError):  # ended meanwhile, or not ours to read
        return []
    return list(reversed(found))


def end_tree(
    child: _Child,
    *,
    grace: float,
    settled: Callable[[], bool] | None = None,
    pause: Callable[[], None] = lambda: time.sleep(0.05),
    table: ProcessTable | None = None,
    find_table: Callable[[], ProcessTable | None] = _process_table,
    ask: Callable[[_Child], None] = ask_to_stop,
    kill_all: Callable[[_Child], None] = kill_group,
) -> None:
    """Ask ``child`` and its tree to stop; after ``grace`` seconds, kill what is left.

    ``settled`` says when waiting may end (by default: when the child has exited); ``pause``
    is one short wait between looks. The descendants are read before the child is asked to
    stop (an orphan loses its link to the tree) and again before the kill. ``ask`` and
    ``kill_all`` are this platform's :func:`ask_to_stop` and :func:`kill_group` (a test gives
    the other platform's).
    """
    table = table if table is not None else find_table()
    tree = descendants(child.pid, table)
    ask(child)
    done = settled or (lambda: child.poll() is not None)
    deadline = time.monotonic() + grace
    while not done() and time.monotonic() < deadline:
        pause()
    kill_all(child)
    for process in [*tree, *descendants(child.pid, table)]:
        with contextlib.suppress(Exception):  # psutil.Error: ended meanwhile
            process.kill()
    if child.poll() is None:
        child.kill()
    child.wait()

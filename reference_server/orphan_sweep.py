"""What a server killed outright (SIGKILL, a crash) left behind, found and ended by the next.

A server's helpers are marked as its own: a process by a variable in its environment (which
every process it starts inherits), a folder by a name that carries the server's process id.
A later server ends the processes and removes the folders whose owner is no longer running.
The process table is read with psutil, which does so on every platform.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import psutil

__all__ = [
    "FOLDER_PREFIX",
    "LAB_ENV",
    "folder_prefix",
    "kill_marked",
    "owner_gone",
    "sweep_folders",
]

#: The variable marking the processes of a server's virtual-phone lab (its private adb).
LAB_ENV = "TIKMATRIX_LAB_OWNER"
#: How a server's phone folders are named in the temporary directory: PREFIX-PID-...
FOLDER_PREFIX = "tikmatrix-phone"


def owner_gone(mark: str) -> bool:
    """Whether the server whose process id is ``mark`` is no longer running."""
    try:
        pid = int(mark)
    except ValueError:
        return False
    return pid != os.getpid() and not psutil.pid_exists(pid)


def kill_marked(marks: Mapping[str, Callable[[str], bool]]) -> int:
    """Kill every other process with a variable of ``marks`` whose value matches; how many.

    ``marks`` maps an environment variable to the test its value must pass. The process
    table is read once, however many kinds of mark are looked for.
    """
    killed = 0
    for process in psutil.process_iter():
        try:
            environment = process.environ()
            if process.pid != os.getpid() and any(
                matches(environment[variable])
                for variable, matches in marks.items()
                if variable in environment
            ):
                process.kill()
                killed += 1
        except (psutil.Error, OSError):  # gone meanwhile, or another user's: not one of ours
            continue
    return killed


def folder_prefix() -> str:
    """The name a phone folder of this server starts with."""
    return f"{FOLDER_PREFIX}-{os.getpid()}-"


def sweep_folders(folder: str | None = None) -> int:
    """Remove the phone folders of servers no longer running; how many."""
    removed = 0
    for entry in Path(folder or tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}-*-*"):
        owner = entry.name[len(FOLDER_PREFIX) + 1 :].split("-", 1)[0]
        if entry.is_dir() and owner_gone(owner):
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    return removed

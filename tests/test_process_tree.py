"""Stopping a child and everything it started: on this platform for real, on the other with
fakes (Windows' flow: Ctrl+Break to the group, then each process of the tree killed)."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import attrs
import psutil
import pytest

from tikmatrix_sdk._shared import process_tree as _process_tree
from tikmatrix_sdk._shared.process_tree import CREATION_FLAGS, NEW_SESSION, descendants, end_tree

from .children import own_signals

#: A child that starts a grandchild, says both pids, and ignores the polite request to stop.
TREE = """
import signal, subprocess, sys, time
for name in ("SIGTERM", "SIGBREAK"):
    if hasattr(signal, name):
        signal.signal(getattr(signal, name), signal.SIG_IGN)
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print(grandchild.pid, flush=True)
time.sleep(60)
"""


def _gone(pid: int, within: float = 10) -> bool:
    """Whether ``pid`` ends (or is left a zombie) within ``within`` seconds of a kill."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.02)
    return False


def test_a_tree_that_ignores_the_request_is_killed_whole() -> None:
    process = subprocess.Popen(
        own_signals([sys.executable, "-c", TREE]),
        stdout=subprocess.PIPE,
        text=True,
        creationflags=CREATION_FLAGS,
        start_new_session=NEW_SESSION,
    )
    try:
        assert process.stdout is not None
        grandchild = int(process.stdout.readline())
        assert grandchild in [p.pid for p in descendants(process.pid, psutil)]  # type: ignore[arg-type]
        end_tree(process, grace=0.5)
        assert process.returncode is not None
        assert _gone(grandchild)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        assert process.stdout is not None
        process.stdout.close()


def test_a_child_that_stops_when_asked_is_not_killed() -> None:
    process = subprocess.Popen(
        own_signals([sys.executable, "-c", "import time; time.sleep(60)"]),
        creationflags=CREATION_FLAGS,
        start_new_session=NEW_SESSION,
    )
    end_tree(process, grace=20)
    assert process.returncode in (-15, 1, 3221225786)  # SIGTERM; or Ctrl+Break on Windows


# -- Windows' flow, with a fake process table -------------------------------------------------


@attrs.define
class FakeProcess:
    pid: int
    log: list[str]
    children_of: dict[int, list[int]]
    alive: bool = True

    def children(self, recursive: bool = False) -> list[FakeProcess]:
        found: list[FakeProcess] = []
        for pid in self.children_of.get(self.pid, []):
            child = FakeProcess(pid, self.log, self.children_of)
            found += [child, *child.children(recursive=True)] if recursive else [child]
        return found

    def kill(self) -> None:
        self.log.append(f"kill {self.pid}")


@attrs.define
class FakeTable:
    log: list[str]
    children_of: dict[int, list[int]]
    Error: type[Exception] = LookupError

    def Process(self, pid: int) -> FakeProcess:
        return FakeProcess(pid, self.log, self.children_of)


@attrs.define
class FakeChild:
    """A head that ignores Ctrl+Break: only a kill ends it."""

    pid: int
    log: list[str]
    returncode: int | None = None

    def poll(self) -> int | None:
        return self.returncode

    def send_signal(self, sig: int) -> None:
        self.log.append(f"signal {sig}")

    def kill(self) -> None:
        self.log.append(f"kill {self.pid}")
        self.returncode = 1

    def wait(self, timeout: float | None = None) -> int:
        assert self.returncode is not None
        return self.returncode


CTRL_BREAK_EVENT = 1  # Windows' value


def _windows_ask(child: Any) -> None:
    child.send_signal(CTRL_BREAK_EVENT)


def test_windows_flow_asks_the_group_then_kills_the_tree_leaves_first() -> None:
    log: list[str] = []
    table = FakeTable(log, {100: [101, 102], 101: [103]})
    head = FakeChild(100, log)
    end_tree(
        head,
        grace=0,
        table=table,
        ask=_windows_ask,
        kill_all=lambda child: None,  # no signal ends a group on Windows
    )
    assert log[0] == f"signal {CTRL_BREAK_EVENT}"
    kills = [entry for entry in log if entry.startswith("kill")]
    assert kills[-1] == "kill 100"  # the head last
    assert kills.index("kill 103") < kills.index("kill 101")  # a grandchild before its parent
    assert {"kill 101", "kill 102", "kill 103"} <= set(kills)


def test_without_a_process_table_the_head_alone_is_killed() -> None:
    log: list[str] = []
    head = FakeChild(7, log)
    end_tree(head, grace=0, find_table=lambda: None, ask=_windows_ask, kill_all=lambda c: None)
    assert log == [f"signal {CTRL_BREAK_EVENT}", "kill 7"]


def test_this_platform_starts_children_at_the_head_of_a_group() -> None:
    if sys.platform == "win32":
        assert (CREATION_FLAGS, NEW_SESSION) == (subprocess.CREATE_NEW_PROCESS_GROUP, False)
    else:
        assert (CREATION_FLAGS, NEW_SESSION) == (0, True)
    assert _process_tree.STOP_SIGNALS


@pytest.mark.parametrize("table", [None, "error"])
def test_descendants_of_a_process_that_is_gone_are_none(table: str | None) -> None:
    class Gone(FakeTable):
        def Process(self, pid: int) -> FakeProcess:
            raise LookupError(pid)

    found = Gone([], {}) if table else None
    assert descendants(123456, found) == []

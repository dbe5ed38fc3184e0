"""The phone's processes, as ``ps``, ``pidof`` and ``kill`` show and end them.

A phone runs a few system processes from boot (init, zygote, system_server, the system UI,
the launcher, adbd); what the shell starts in the background (the uiautomator2 server, a
screen recording) gets a pid of its own and shows up beside them until it ends or is killed.
The shell's user (2000, ``shell``) may signal only its own processes, as on a phone.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

import attrs

from .packages import app_uid

__all__ = ["SIGNALS", "Process", "ProcessTable", "signal_number"]

SHELL_UID = 2000
#: The signals ``kill`` knows by name, and their numbers on Android (as on Linux).
SIGNALS = {"HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "USR2": 12, "TERM": 15}


@attrs.define(eq=False)
class Process:
    """One process: who runs it, its command line, and what ends it."""

    pid: int
    user: str
    uid: int
    command: list[str]
    #: Called with the signal number when the process is signalled (its own handling).
    on_signal: Callable[[int], None] | None = None
    ended: threading.Event = attrs.field(factory=threading.Event)
    ppid: int = 1
    #: Whether the shell's user may signal it (what the shell started).
    killable: bool = False
    #: Set when a signal came; ``last_signal`` says which. A job's tools watch it.
    signalled: threading.Event = attrs.field(factory=threading.Event)
    last_signal: int = 0

    def deliver(self, number: int) -> None:
        """Take signal ``number``."""
        self.last_signal = number
        self.signalled.set()
        if self.on_signal is not None:
            self.on_signal(number)

    @property
    def name(self) -> str:
        """What ``ps -A`` shows: the program's name (its path's last part)."""
        return self.command[0].rsplit("/", 1)[-1] if self.command else "?"


_BOOT = (
    ("root", 0, ["init"]),
    ("root", 0, ["zygote64"]),
    ("system", 1000, ["system_server"]),
    ("u0_a120", 10120, ["com.android.systemui"]),
    ("u0_a130", 10130, ["com.android.launcher3"]),
    ("shell", SHELL_UID, ["adbd", "--root_seclabel=u:r:su:s0"]),
)


class ProcessTable:
    """Every process the phone runs, by pid."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next = itertools.count(1)
        self._processes: dict[int, Process] = {}
        for user, uid, command in _BOOT:
            self._add(user, uid, command, None, ppid=0)
        self._next = itertools.count(4000)  # what the shell starts comes after boot

    def _add(
        self,
        user: str,
        uid: int,
        command: list[str],
        on_signal: Callable[[int], None] | None,
        *,
        ppid: int = 1,
    ) -> Process:
        with self._lock:
            process = Process(next(self._next), user, uid, list(command), on_signal, ppid=ppid)
            self._processes[process.pid] = process
            return process

    def start_app(self, package: str) -> Process:
        """The process of an app brought to the front: its own, under the app's user id.

        Forked from zygote; one per package (an app already running keeps its pid).
        """
        running = self.app(package)
        if running is not None:
            return running
        uid = app_uid(package)
        return self._add(f"u0_a{uid - 10000}", uid, [package], None, ppid=2)

    def stop_app(self, package: str) -> bool:
        """End an app's process (force-stop, kill); whether one ran."""
        with self._lock:
            found = [p for p in self._processes.values() if p.command == [package]]
        for process in found:
            self.end(process)
        return bool(found)

    def app(self, package: str) -> Process | None:
        """The running process of ``package``, if any."""
        with self._lock:
            return next((p for p in self._processes.values() if p.command == [package]), None)

    def spawn(self, command: list[str], on_signal: Callable[[int], None] | None = None) -> Process:
        """Start a process of the shell's user; ``on_signal`` is how it takes a signal."""
        process = self._add("shell", SHELL_UID, command, on_signal)
        process.killable = True
        return process

    def end(self, process: Process) -> None:
        """The process exited: it leaves the table."""
        with self._lock:
            self._processes.pop(process.pid, None)
        process.ended.set()

    def find(self, name: str) -> list[Process]:
        """The processes whose name (or first argument) is ``name``, oldest first."""
        with self._lock:
            return [p for p in self._processes.values() if name in (p.name, *p.command[:1])]

    def running(self) -> list[Process]:
        """Every process, by pid."""
        with self._lock:
            return sorted(self._processes.values(), key=lambda p: p.pid)

    def signal(self, pid: int, number: int) -> str | None:
        """Send signal ``number`` to ``pid`` as the shell's user; the error ``kill`` prints."""
        with self._lock:
            process = self._processes.get(pid)
        if process is None:
            return f"kill: {pid}: No such process"
        if process.uid != SHELL_UID or not process.killable:
            return f"kill: {pid}: Operation not permitted"
        if number:  # signal 0 only asks whether the process is there
            process.deliver(number)
        return None

    def ps(self, args: list[str]) -> str:
        """``ps``: the shell's processes, or ``-A``/``-e`` every one (``-f``: whole commands).

        ``-u USER``, ``-p PID`` and names pick processes, as toybox's do.
        """
        words = list(args)
        users: list[str] = []
        pids: list[str] = []
        for option, picked in (("-u", users), ("-p", pids)):
            while option in words[:-1]:
                at = words.index(option)
                picked += words[at + 1].split(",")
                del words[at : at + 2]
        full = any(a.startswith("-") and "f" in a for a in words)
        every = any(a.startswith("-") and ("A" in a or "e" in a) for a in words) or full
        names = [a for a in words if not a.startswith("-")]
        shown = [
            p
            for p in self.running()
            if (every or users or pids or p.uid == SHELL_UID)
            and (not names or p.name in names)
            and (not users or p.user in users or str(p.uid) in users)
            and (not pids or str(p.pid) in pids)
        ]
        if full:
            rows = ["UID            PID  PPID C STIME TTY          TIME CMD"]
            rows += [
                f"{p.user:<12}{p.pid:>6}{p.ppid:>6} 0 00:00:00 ?     00:00:00 {' '.join(p.command)}"
                for p in shown
            ]
        else:
            rows = ["USER           PID  PPID     VSZ    RSS WCHAN            ADDR S NAME"]
            rows += [
                f"{p.user:<12}{p.pid:>6}{p.ppid:>6} 1234567  45678 0                   0 S {p.name}"
                for p in shown
            ]
        return "\n".join(rows) + "\n"


def signal_number(text: str) -> int | None:
    """A signal given to ``kill`` (``-9``, ``-KILL``, ``-SIGINT``, ``-s INT``), as a number."""
    name = text.removeprefix("SIG").upper()
    if name.isdigit():
        return int(name) if int(name) < 65 else None
    return SIGNALS.get(name)

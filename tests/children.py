"""Child processes that tests signal: their signal dispositions set in the child, always reaped.

A job a shell starts in the background (``nox > log &``, ``nohup``, most CI runners) inherits
SIGINT as *ignored*, and so would every process it starts: a test that sends SIGINT to such a
child would wait for nothing. :func:`own_signals` starts the command through a small Python
prologue that gives SIGINT and SIGTERM their default dispositions and then replaces itself with
the command (``os.execvp``: same process, same pid), so the command's own interpreter installs
its usual handlers whatever the test run inherited. (Not ``preexec_fn``, which Python says is
unsafe in a process with threads, as a test process serving a reference server is.) The
prologue runs without the ``site`` module (``-S``): it needs only built-in modules, and a
``site`` run would start coverage's measurement (``.pth``) in a process about to be replaced,
at a tenth of a second a child.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psutil

__all__ = ["child", "ended_pid", "mark_of", "own_signals", "reap", "unmeasured_environment"]

_PROLOGUE = (
    "import os, signal, sys\n"
    "for signum in (signal.SIGINT, signal.SIGTERM):\n"
    "    signal.signal(signum, signal.SIG_DFL)\n"
    "os.execvp(sys.argv[1], sys.argv[1:])\n"
)


def own_signals(argv: Sequence[str]) -> list[str]:
    """``argv`` run with SIGINT and SIGTERM at their defaults (as it is, on Windows)."""
    if os.name != "posix":
        return list(argv)
    return [sys.executable, "-S", "-c", _PROLOGUE, *argv]


def unmeasured_environment() -> dict[str, str]:
    """This process's environment, without what starts coverage's measurement in a child.

    For a child whose code is not the SDK this suite measures (a reference server, another
    copy of the SDK): coverage's ``.pth`` hook would slow it and measure nothing wanted.
    """
    return {k: v for k, v in os.environ.items() if k != "COVERAGE_PROCESS_CONFIG"}


def reap(process: subprocess.Popen[Any], timeout: float = 10) -> None:
    """Kill ``process`` if it still runs, wait for it and close its pipes."""
    if process.poll() is None:
        process.kill()
    try:
        process.communicate(timeout=timeout)
    except (ValueError, OSError):  # its pipes were already read to the end and closed
        process.wait(timeout)


@contextmanager
def child(argv: Sequence[str], **options: Any) -> Iterator[subprocess.Popen[Any]]:
    """``subprocess.Popen`` of ``argv`` with its own signal dispositions; always reaped."""
    process = subprocess.Popen(own_signals(argv), **options)
    try:
        yield process
    finally:
        reap(process)


def ended_pid() -> int:
    """The process id of a process that has ended (a killed server's, as it were)."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    return gone.pid


def mark_of(pid: int, variable: str) -> str | None:
    """The value of ``variable`` in the environment of process ``pid``, if it can be read."""
    try:
        mark: str | None = psutil.Process(pid).environ().get(variable)
    except psutil.Error:
        return None
    return mark

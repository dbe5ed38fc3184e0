"""Child processes that tests signal: their signal dispositions set in the child, always reaped.

A job a shell starts in the background (``nox > log &``, ``nohup``, most CI runners) inherits
SIGINT as *ignored*, and so would every process it starts: a test that sends SIGINT to such a
child would wait for nothing. :func:`default_signals` runs in the child between fork and exec
and gives SIGINT and SIGTERM their default dispositions, so the child's own interpreter
installs its usual handlers whatever the test run inherited.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

__all__ = ["SIGNALS", "child", "default_signals", "reap"]

#: The keyword arguments that make a child's SIGINT and SIGTERM its own (none on Windows).
SIGNALS: dict[str, Any] = {}


def default_signals() -> None:
    """In the child, before exec: SIGINT and SIGTERM do what they do by default."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


if os.name == "posix":
    SIGNALS["preexec_fn"] = default_signals


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
    """``subprocess.Popen(argv, **options)`` with its own signal dispositions; always reaped."""
    process = subprocess.Popen(list(argv), **SIGNALS, **options)
    try:
        yield process
    finally:
        reap(process)

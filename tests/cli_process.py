"""``tikmatrix-server`` as its own process on a free port, for tests that need the real CLI."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reference_server.testing import free_port, wait_until_serving

from .children import own_signals, reap, unmeasured_environment

__all__ = ["free_port", "output_of", "server_process"]


_LOGS: dict[int, Path] = {}


def output_of(process: subprocess.Popen[str]) -> str:
    """What a process started by :func:`server_process` has printed so far."""
    return _LOGS[process.pid].read_text(encoding="utf-8", errors="replace")


@contextmanager
def server_process(db: Path, *extra: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``python -m reference_server`` on a free port; stopped (killed at worst) on exit.

    Its output goes to a file beside ``db`` (read it with :func:`output_of`): a pipe nobody
    reads would fill up with the access log and block the server. Coverage, which measures
    the SDK, does not follow it: the server is not what it measures, and its measurement
    costs each server a third of a second to start and slows every request it serves.
    """
    port = free_port()
    log = db.parent / f"server-{port}.log"
    argv = [sys.executable, "-m", "reference_server", "--port", str(port), "--db", str(db)]
    with log.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen(
            own_signals([*argv, *extra]),
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
            env=unmeasured_environment(),
        )
    _LOGS[process.pid] = log
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_serving(base, process, seconds=30)
        except RuntimeError as error:
            raise AssertionError(f"{error}:\n{output_of(process)}") from None
        yield process, base
    finally:
        reap(process)
        _LOGS.pop(process.pid, None)

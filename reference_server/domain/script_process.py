"""Running a managed custom script's command: directly (no shell), bounded, stoppable.

The command's standard output and error are read as they come, and the last
:data:`MAX_OUTPUT` characters are kept for the task's remark. The command runs in a process
group (a session) of its own: a stop or the timeout ends the whole group (terminate, then
kill), and so does the command's own exit, so that nothing it started outlives its task and
keeps driving a device that is no longer its.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from typing import IO

import attrs

__all__ = ["MAX_OUTPUT", "Outcome", "run_command"]

#: How many characters of a script's output its task keeps (the end of it).
MAX_OUTPUT = 4000
_GRACE = 3.0
_KILL = getattr(signal, "SIGKILL", signal.SIGTERM)


@attrs.frozen(kw_only=True)
class Outcome:
    """How a command ended."""

    exit_code: int | None
    output: str
    timed_out: bool = False
    cancelled: bool = False
    error: str = ""

    @property
    def ok(self) -> bool:
        """Whether it ran and exited with status 0."""
        return self.exit_code == 0 and not (self.timed_out or self.cancelled or self.error)


class _Tail:
    """The last bytes a pipe gave, however much it gives."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.data = bytearray()

    def drain(self, stream: IO[bytes]) -> None:
        assert isinstance(stream, io.BufferedReader)
        while chunk := stream.read1(65536):
            self.data += chunk
            del self.data[: max(0, len(self.data) - self.keep)]


def _signal_group(process: subprocess.Popen[bytes], signal_number: int) -> None:
    """Send a signal to the command's process group (to the process alone off POSIX)."""
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal_number)
    elif process.poll() is None:  # pragma: no cover - Windows
        process.kill() if signal_number == _KILL else process.terminate()


def _end(process: subprocess.Popen[bytes], reader: threading.Thread) -> None:
    """End the group: terminate, and kill whatever still runs after a grace period."""
    _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + _GRACE
    while (process.poll() is None or reader.is_alive()) and time.monotonic() < deadline:
        reader.join(0.05)  # the pipe closes when the last process holding it ends
    _signal_group(process, _KILL)
    process.wait()


def run_command(
    command: Sequence[str],
    env: Mapping[str, str],
    *,
    timeout: float,
    cancel: threading.Event,
) -> Outcome:
    """Run ``command`` with ``env`` added to this process's environment."""
    try:
        process = subprocess.Popen(
            list(command),
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, ended with it
        )
    except (OSError, ValueError) as error:  # ValueError: a NUL in the environment
        return Outcome(exit_code=None, output="", error=f"could not start {command[0]}: {error}")
    assert process.stdout is not None
    tail = _Tail(MAX_OUTPUT * 4)  # a UTF-8 character is at most 4 bytes
    reader = threading.Thread(target=tail.drain, args=(process.stdout,), daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    timed_out = cancelled = False
    while process.poll() is None:
        if cancel.wait(0.05):
            cancelled = True
            break
        if time.monotonic() >= deadline:
            timed_out = True
            break
    _end(process, reader)  # also what the command left running when it exited
    reader.join()
    process.stdout.close()
    output = tail.data.decode("utf-8", "replace")[-MAX_OUTPUT:]
    return Outcome(
        exit_code=process.returncode, output=output, timed_out=timed_out, cancelled=cancelled
    )

"""Running a managed custom script's command: directly (no shell), bounded, stoppable.

The command's standard output and error are read as they come, and the last
:data:`MAX_OUTPUT` characters are kept for the task's remark. A stop or the timeout ends
the process (terminate, then kill).
"""

from __future__ import annotations

import io
import os
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


def _end(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(_GRACE)
    except subprocess.TimeoutExpired:
        process.kill()
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
        )
    except OSError as error:
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
        elif time.monotonic() >= deadline:
            timed_out = True
        else:
            continue
        _end(process)
        break
    reader.join(5)
    process.stdout.close()
    process.wait()
    output = tail.data.decode("utf-8", "replace")[-MAX_OUTPUT:]
    return Outcome(
        exit_code=process.returncode, output=output, timed_out=timed_out, cancelled=cancelled
    )

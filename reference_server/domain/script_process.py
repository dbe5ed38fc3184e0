"""Running a managed custom script's command: directly (no shell), bounded, stoppable.

The command's standard output and error are read as they come, and the last
:data:`MAX_OUTPUT` characters are kept for the task's remark. The command runs at the head
of a process group of its own: a stop or the timeout ends the whole tree (asked to stop the
platform's way, then killed: :mod:`tikmatrix_sdk._shared.process_tree`), and so does the
command's own exit, so that nothing it started outlives its task and keeps driving a device
that is no longer its.

A descendant can leave the group (``os.setsid()``), so each run also marks its processes:
the command's environment carries ``TIKMATRIX_SCRIPT_RUN`` (the store's mark, the server's
process id and the run's own), which every descendant inherits, and the end of a run kills
every process that carries its mark (:func:`reference_server.orphan_sweep.kill_marked`). A
server killed outright (SIGKILL) cannot end its runs; the next server of the same store ends
the processes :func:`left_by_a_gone_server` picks, before any task runs again. Every wait is
bounded: a descendant that holds the output pipe open no longer holds the task.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import IO

import attrs

from tikmatrix_sdk._shared.process_tree import CREATION_FLAGS, NEW_SESSION, end_tree

from ..orphan_sweep import kill_marked, owner_gone

__all__ = [
    "MAX_OUTPUT",
    "RUN_ENV",
    "Outcome",
    "left_by_a_gone_server",
    "owner_mark",
    "run_command",
]

#: The environment variable that marks every process of a run: ``OWNER:RUN``.
RUN_ENV = "TIKMATRIX_SCRIPT_RUN"

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


def owner_mark(db: str) -> str:
    """The mark of the runs of a server whose store is ``db`` (a fresh one for ``:memory:``)."""
    if db == ":memory:":
        return uuid.uuid4().hex[:16]
    return hashlib.sha256(os.path.abspath(db).encode()).hexdigest()[:16]


def left_by_a_gone_server(owner: str) -> Callable[[str], bool]:
    """Whether a run's mark is that of a server with mark ``owner`` that no longer runs.

    The runs of a live server of the same store (its pid is in each mark) are its own to end.
    """

    def left(mark: str) -> bool:
        mine, _, rest = mark.partition(":")
        return mine == owner and owner_gone(rest.partition(":")[0])

    return left


def _end(process: subprocess.Popen[bytes], reader: threading.Thread, mark: str) -> None:
    """End the tree and every marked descendant: ask it to stop, then kill after a grace."""
    end_tree(
        process,
        grace=_GRACE,
        # the pipe closes when the last process holding it ends
        settled=lambda: process.poll() is not None and not reader.is_alive(),
        pause=lambda: reader.join(0.05),
    )
    kill_marked({RUN_ENV: lambda found: found == mark})  # those that left the tree too


def run_command(
    command: Sequence[str],
    env: Mapping[str, str],
    *,
    timeout: float,
    cancel: threading.Event,
    owner: str = "",
) -> Outcome:
    """Run ``command`` with ``env`` added to this process's environment.

    ``owner`` is the server's mark (:func:`owner_mark`), with which
    :func:`left_by_a_gone_server` finds what a killed server's runs left.
    """
    mark = f"{owner}:{os.getpid()}:{uuid.uuid4().hex}"
    try:
        process = subprocess.Popen(
            list(command),
            env={**os.environ, **env, RUN_ENV: mark},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            creationflags=CREATION_FLAGS,  # the head of a group of its own, ended with it
            start_new_session=NEW_SESSION,
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
    _end(process, reader, mark)  # also what the command left running when it exited
    reader.join(_GRACE)  # bounded: a descendant nobody could end may hold the pipe
    if not reader.is_alive():
        process.stdout.close()
    output = tail.data.decode("utf-8", "replace")[-MAX_OUTPUT:]
    return Outcome(
        exit_code=process.returncode, output=output, timed_out=timed_out, cancelled=cancelled
    )

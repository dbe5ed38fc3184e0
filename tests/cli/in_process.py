"""The ``tikmatrix`` command run in the test's own process, as its entry point runs it.

A child process costs about half a second to start; most CLI tests are about what the
command says and does, not about being a process, so they call :func:`tikmatrix_sdk.cli.main`
here with the arguments, the environment and UTF-8 standard streams a pipe would give, and
get back what a finished child gives (``returncode``, ``stdout``, ``stderr``). The tests
about the process itself (signals, console encodings, the installed entry point) keep
starting it.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator, Mapping

import attrs

from tikmatrix_sdk.cli import main

__all__ = ["Finished", "run_in_process"]


@attrs.frozen
class Finished:
    """What the command left: its exit status and its two streams as text."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Both streams, standard output first."""
        return self.stdout + self.stderr


@contextlib.contextmanager
def _environment(variables: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(variables)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _pipe() -> io.TextIOWrapper:
    """A stream as a pipe is to a child: UTF-8 text over bytes, no terminal."""
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)


def run_in_process(args: list[str], environment: Mapping[str, str]) -> Finished:
    """Run ``tikmatrix ARGS`` here with exactly ``environment``; what it left."""
    out, err = _pipe(), _pipe()
    saved = sys.argv, sys.stdout, sys.stderr
    sys.argv, sys.stdout, sys.stderr = ["tikmatrix", *args], out, err
    status = 0
    try:
        with _environment(environment):
            main()
    except SystemExit as done:
        code = done.code
        status = code if isinstance(code, int) else 0 if code is None else 1
    finally:
        sys.argv, sys.stdout, sys.stderr = saved
    return Finished(
        status,
        out.buffer.getvalue().decode("utf-8"),  # type: ignore[attr-defined]
        err.buffer.getvalue().decode("utf-8"),  # type: ignore[attr-defined]
    )

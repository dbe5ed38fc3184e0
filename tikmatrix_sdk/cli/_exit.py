"""How the CLI ends: an exit status per kind of failure, and a message, never a traceback."""

from __future__ import annotations

import enum
import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ClientValidationError,
    UnexpectedResponseError,
    WaitTimeoutError,
)

__all__ = ["ExitStatus", "fail", "handle_errors"]

F = TypeVar("F", bound=Callable[..., Any])


class ExitStatus(enum.IntEnum):
    """The exit statuses of ``tikmatrix``; scripts may branch on them."""

    #: Everything went as asked.
    OK = 0
    #: The command ran and found a failure (a waited task failed, or a cassette differs
    #: from the server).
    FAILED = 1
    #: The command line is wrong, or a value would be refused (nothing was sent).
    USAGE = 2
    #: No answer came (the server is not there, or the connection broke).
    CONNECTION = 3
    #: The server answered with an error code (the code and message are printed).
    API_ERROR = 4
    #: A request, or a wait, ran out of time.
    TIMEOUT = 5
    #: The server answered something that is not the API's envelope.
    UNEXPECTED = 6
    #: Stopped by Ctrl+C.
    INTERRUPTED = 130


def fail(message: str, status: ExitStatus) -> None:
    """Print ``message`` on standard error and exit with ``status``."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(int(status))


def handle_errors(command: F) -> F:
    """Turn the SDK's exceptions into a message and the exit status of their kind."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ClientValidationError as error:
            where = f" ({error.field})" if error.field else ""
            fail(f"{error.message}{where}", ExitStatus.USAGE)
        except (APITimeoutError, WaitTimeoutError) as error:
            fail(str(error), ExitStatus.TIMEOUT)
        except APIConnectionError as error:
            fail(str(error), ExitStatus.CONNECTION)
        except APIError as error:
            fail(f"[{error.code}] {error.message} (HTTP {error.status_code})", ExitStatus.API_ERROR)
        except UnexpectedResponseError as error:
            fail(str(error), ExitStatus.UNEXPECTED)
        return None

    return run  # type: ignore[return-value]

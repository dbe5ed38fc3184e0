"""How the CLI ends: an exit status per kind of failure, and a message, never a traceback."""

from __future__ import annotations

import enum
import functools
import sys
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import click

from ..errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ClientValidationError,
    TikMatrixError,
    UnexpectedResponseError,
    WaitTimeoutError,
)
from ..fleet import FleetError
from ..models import License

__all__ = [
    "ExitStatus",
    "explain",
    "fail",
    "handle_errors",
    "refused_licenses",
    "report_hosts",
    "usage_message",
]

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


def explain(error: Exception) -> tuple[str, ExitStatus] | None:
    """The message and exit status of one of the SDK's errors (``None``: not one of them)."""
    if isinstance(error, ClientValidationError):
        where = f" ({error.field})" if error.field else ""
        return f"{error.message}{where}", ExitStatus.USAGE
    if isinstance(error, (APITimeoutError, WaitTimeoutError)):
        return str(error), ExitStatus.TIMEOUT
    if isinstance(error, APIConnectionError):
        return str(error), ExitStatus.CONNECTION
    if isinstance(error, APIError):
        return f"[{error.code}] {error.message} (HTTP {error.status_code})", ExitStatus.API_ERROR
    if isinstance(error, UnexpectedResponseError):
        return str(error), ExitStatus.UNEXPECTED
    return None


def refused_licenses(licenses: Mapping[str, License]) -> ExitStatus | None:
    """After the licenses are shown: print each plan that refuses the API on standard error.

    ``license.check()`` answers such a plan rather than raising; the command still ends as
    every other command on that plan does (40301), so this returns
    :attr:`ExitStatus.API_ERROR` when there is one. A key names the license's host (``""``
    for the only one).
    """
    refused = {host: lic for host, lic in licenses.items() if not lic.api_enabled}
    for host, lic in refused.items():
        on = f" on host {host}" if host else ""
        click.echo(f"Error{on}: [{lic.code}] {lic.message} (plan {lic.plan_name})", err=True)
    return ExitStatus.API_ERROR if refused else None


def _option_for(field: str, context: click.Context | None) -> str | None:
    """The command line's option for an SDK argument (``start_time`` is ``--start-time``).

    Read from the commands' own options, the command's and its groups': an option named as
    the argument (``--serial`` sets ``serials``) or spelled as it is, with dashes.
    """
    dashed = "--" + field.replace("_", "-")
    while context is not None:
        for param in context.command.params:
            if isinstance(param, click.Option) and (param.name == field or dashed in param.opts):
                return param.opts[0]
        context = context.parent
    return None


def usage_message(error: ClientValidationError, context: click.Context | None) -> str:
    """A refusal of the SDK's in the command line's words: its option named, not its argument.

    ``base_url must be …`` reads ``--base-url must be …``; a script option's refusal says how
    options are given (``--set NAME=VALUE``).
    """
    message, field = error.message, error.field
    option = _option_for(field, context) if field else None
    if option is not None and field is not None and message.startswith(field):
        return option + message[len(field) :]
    if option is not None:
        return f"{message} ({option})"
    if field and context is not None and _option_for("settings_", context):
        return f"{message} (a script option: --set NAME=VALUE, or --config FILE)"
    return message


def report_hosts(failed: Mapping[str, Exception]) -> ExitStatus | None:
    """Print each failed host's error on standard error; the status of the first, if any."""
    first: ExitStatus | None = None
    for host, error in failed.items():
        message, status = explain(error) or (str(error), ExitStatus.FAILED)
        click.echo(f"Error on host {host}: {message}", err=True)
        first = first or status
    return first


def handle_errors(command: F) -> F:
    """Turn the SDK's exceptions into a message and the exit status of their kind.

    A :class:`~tikmatrix_sdk.fleet.FleetError` prints each host's error and exits with the
    first one's status.
    """

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except FleetError as group:
            status = report_hosts(group.by_host)
            sys.exit(int(status or ExitStatus.FAILED))
        except ClientValidationError as error:  # nothing was sent: the command line is wrong
            context = click.get_current_context(silent=True)
            raise click.UsageError(usage_message(error, context), context) from None
        except TikMatrixError as error:
            explained = explain(error)
            if explained is None:
                raise
            fail(*explained)
        return None

    return run  # type: ignore[return-value]

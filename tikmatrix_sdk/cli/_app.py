"""The ``tikmatrix`` command: the SDK's operations from a shell, built on click and rich."""

from __future__ import annotations

import difflib
import io
import math
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import click
import httpx
from click.shell_completion import CompletionItem

from .._client import TikMatrix
from .._contract import limits
from .._options import BASE_URL_ENV, DEFAULT_BASE_URL
from .._params import check_start_time
from ..errors import ClientValidationError
from ..fleet import HOSTS_ENV, FleetTaskId
from ..models import TaskStatus
from ..scripts import SCRIPT_CONFIGS
from ._configs import build_config, read_config_file, read_settings
from ._exit import ExitStatus, fail, handle_errors
from ._fleet_mode import FleetHosts, fleet_from
from ._render import (
    console,
    echo_json,
    table,
    unicode_stream,
)
from ._single_mode import SingleHost

__all__ = ["cli"]

_MINUTES = click.IntRange(0, limits.MAX_INTERVAL_MINUTES)
_PAGE_SIZE = click.IntRange(1, limits.MAX_PAGE_SIZE)

_STATUSES = {str(status): status for status in TaskStatus}
_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise click.BadParameter("must be a finite number of seconds")
    return value


class _Settings:
    """The group's options, handed to each command."""

    def __init__(self, base_url: str | None, timeout: float, hosts: str | None) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.hosts = hosts or None

    @contextmanager
    def mode(self) -> Iterator[SingleHost | FleetHosts]:
        """The commands on the hosts the options name: one (``--base-url``), or ``--hosts``.

        This is the one place that decides; each command then runs the same way on both.
        """
        if self.hosts:
            with fleet_from(self.hosts, self.timeout) as fleet:
                yield FleetHosts(fleet)
        else:
            with TikMatrix(self.base_url, timeout=self.timeout) as client:
                yield SingleHost(client)


class _TaskIdType(click.ParamType):  # type: ignore[type-arg]
    """A task id: a number, or ``HOST:ID`` with ``--hosts``."""

    name = "task_id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int | FleetTaskId):
            return value
        text = str(value).strip()
        if text.isdigit() and int(text) >= 1:
            return int(text)
        try:
            return FleetTaskId.parse(text)
        except ClientValidationError:
            self.fail(f"{value!r} is not a task id (a number, or HOST:ID with --hosts)", param, ctx)


_TASK_ID = _TaskIdType()


def _ids_for(settings: _Settings, ids: Sequence[int | FleetTaskId]) -> list[Any]:
    """The ids as the mode wants them: numbers for one host, ``HOST:ID`` for ``--hosts``."""
    wanted = FleetTaskId if settings.hosts else int
    wrong = [str(task_id) for task_id in ids if not isinstance(task_id, wanted)]
    if wrong:
        hint = "give HOST:ID with --hosts" if settings.hosts else "HOST:ID needs --hosts"
        raise click.UsageError(f"task id(s) {', '.join(wrong)}: {hint}")
    return list(ids)


def _start_time(value: str | None) -> str | None:
    """``--start-time``, checked as the SDK checks it and refused in the command line's words."""
    if value is None:
        return None
    try:
        return check_start_time(value)
    except ClientValidationError:
        raise click.BadParameter(
            f"a time of day in 24-hour form, HH:MM from 00:00 to 23:59, not {value!r}"
        ) from None


pass_settings = click.make_pass_decorator(_Settings)


class _SuggestingGroup(click.Group):
    """A group that names the command a mistyped one was probably meant to be."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if args and self.get_command(ctx, name) is None and not name.startswith("-"):
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1, cutoff=0.5)
            if close:
                raise click.UsageError(f"No such command {name!r}. Did you mean {close[0]!r}?", ctx)
        return super().resolve_command(ctx, args)


@click.group(cls=_SuggestingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--base-url",
    envvar=BASE_URL_ENV,
    show_envvar=True,
    help=f"TikMatrix's root URL [default: {DEFAULT_BASE_URL}].",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=3600),
    callback=lambda ctx, param, value: _finite(value),
    default=30.0,
    show_default=True,
    help="Seconds for each request.",
)
@click.option(
    "--hosts",
    envvar=HOSTS_ENV,
    show_envvar=True,
    metavar="NAME=URL,… | FILE.toml",
    help="Several TikMatrix hosts at once (one per PC): tables gain a host column and task ids "
    "are HOST:ID. Used by license, accounts list and the tasks commands.",
)
@click.version_option(package_name="tikmatrix-sdk", prog_name="tikmatrix")
@click.pass_context
def cli(ctx: click.Context, base_url: str | None, timeout: float, hosts: str | None) -> None:
    """Drive TikMatrix's local API from a shell: tasks, accounts and the license.

    Exit statuses: 0 done; 1 a waited task failed (or a cassette differs); 2 a usage error
    or a value the API would refuse (nothing sent); 3 no connection; 4 the API answered an
    error code; 5 a timeout; 6 an answer that is not the API's; 130 Ctrl+C.
    """
    ctx.obj = _Settings(base_url, timeout, hosts)


# -- license and accounts --------------------------------------------------------------------


@cli.command("license")
@_JSON
@pass_settings
@handle_errors
def license_(settings: _Settings, as_json: bool) -> None:
    """The license plan, and whether it allows the API."""
    with settings.mode() as mode:
        mode.license_(as_json)


@cli.group(cls=_SuggestingGroup)
def accounts() -> None:
    """The TikTok and Instagram accounts TikMatrix knows."""


@accounts.command("list")
@click.option("--platform", help="tiktok, instagram, …")
@click.option("--device", help="A device's serial.")
@click.option("--tag", help="An account tag.")
@click.option("--all", "every", is_flag=True, help="Every page, not only the first.")
@click.option("--page", type=click.IntRange(1, limits.MAX_PAGE), default=1, show_default=True)
@click.option("--page-size", type=_PAGE_SIZE, default=limits.DEFAULT_PAGE_SIZE, show_default=True)
@_JSON
@pass_settings
@handle_errors
def accounts_list(settings: _Settings, /, as_json: bool, every: bool, **options: Any) -> None:
    """List accounts (one page, or --all)."""
    page, page_size = options.pop("page"), options.pop("page_size")
    filters = {name: value for name, value in options.items() if value is not None}
    with settings.mode() as mode:
        mode.accounts_list(as_json, every, page, page_size, filters)


# -- tasks -----------------------------------------------------------------------------------


@cli.group(cls=_SuggestingGroup)
def tasks() -> None:
    """Create, list, inspect, stop, retry, delete and wait for tasks."""


def _complete_script(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """The scripts the SDK has a config for, for the shell's completion of SCRIPT."""
    return [
        CompletionItem(name, help=(config.__doc__ or "").strip().splitlines()[0])
        for name, config in sorted(SCRIPT_CONFIGS.items())
        if name.startswith(incomplete)
    ]


@tasks.command("create")
@click.argument("script", shell_complete=_complete_script)
@click.option("--serial", "serials", multiple=True, help="A device (repeat for more).")
@click.option("--username", "usernames", multiple=True, help="An account (repeat for more).")
@click.option(
    "--set",
    "settings_",
    multiple=True,
    metavar="NAME=VALUE",
    help='An option of the script; VALUE is JSON where it parses (3, true, ["@a","@b"]).',
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The script's options in a .json or .toml file (--set overrides them).",
)
@click.option(
    "--start-time",
    metavar="HH:MM",
    callback=lambda ctx, param, value: _start_time(value),
    help="Run at this local time.",
)
@click.option("--multi-account", is_flag=True, default=None, help="One task per account.")
@click.option(
    "--min-interval",
    type=click.IntRange(0, limits.MAX_INTERVAL_MINUTES),
    help="Minutes between jobs, at least.",
)
@click.option(
    "--max-interval",
    type=click.IntRange(0, limits.MAX_INTERVAL_MINUTES),
    help="Minutes between jobs, at most.",
)
@_JSON
@pass_settings
@handle_errors
def tasks_create(
    settings: _Settings,
    script: str,
    serials: tuple[str, ...],
    usernames: tuple[str, ...],
    settings_: tuple[str, ...],
    config_file: Path | None,
    start_time: str | None,
    multi_account: bool | None,
    min_interval: int | None,
    max_interval: int | None,
    as_json: bool,
) -> None:
    """Create tasks running SCRIPT (post, follow, unfollow, comment, account_warmup)."""
    options = read_config_file(config_file) if config_file else {}
    options.update(read_settings(settings_))
    config = build_config(script, options)  # every option checked before anything is sent
    if settings.hosts and (min_interval is not None or max_interval is not None):
        raise click.UsageError("--min-interval and --max-interval are not sent with --hosts")
    with settings.mode() as mode:
        mode.tasks_create(
            config,
            as_json,
            serials=list(serials) or None,
            usernames=list(usernames) or None,
            start_time=start_time,
            enable_multi_account=multi_account,
            min_interval=min_interval,
            max_interval=max_interval,
        )


@tasks.command("list")
@click.option("--status", type=click.Choice(list(_STATUSES)), help="Only tasks in this state.")
@click.option("--serial", help="Only this device's tasks.")
@click.option("--script", "script_name", help="Only this script's tasks.")
@click.option("--source", type=click.Choice(["api", "ui"]), help="Who created them.")
@click.option("--all", "every", is_flag=True, help="Every page, not only the first.")
@click.option("--page", type=click.IntRange(1, limits.MAX_PAGE), default=1, show_default=True)
@click.option("--page-size", type=_PAGE_SIZE, default=limits.DEFAULT_PAGE_SIZE, show_default=True)
@_JSON
@pass_settings
@handle_errors
def tasks_list(
    settings: _Settings, /, as_json: bool, every: bool, page: int, page_size: int, **options: Any
) -> None:
    """List tasks, newest first (one page, or --all)."""
    filters = {name: value for name, value in options.items() if value is not None}
    if "status" in filters:
        filters["status"] = _STATUSES[filters["status"]]
    with settings.mode() as mode:
        mode.tasks_list(as_json, every, page, page_size, filters)


def _one_task(action: str, help_text: str) -> None:
    """A command that takes a task id and prints the task the API answers with."""

    @tasks.command(action, help=help_text)
    @click.argument("task_id", type=_TASK_ID)
    @_JSON
    @pass_settings
    @handle_errors
    def command(settings: _Settings, task_id: Any, as_json: bool) -> None:
        (task_id,) = _ids_for(settings, [task_id])
        with settings.mode() as mode:
            mode.one_task(action, task_id, as_json)


_one_task("get", "Show one task.")
_one_task("stop", "Stop a pending or running task.")
_one_task("retry", "Retry a failed task.")


@tasks.command("retry-all")
@_JSON
@pass_settings
@handle_errors
def tasks_retry_all(settings: _Settings, as_json: bool) -> None:
    """Retry every failed task."""
    with settings.mode() as mode:
        mode.tasks_retry_all(as_json)


@tasks.command("delete")
@click.argument("task_ids", nargs=-1, required=True, type=_TASK_ID)
@_JSON
@pass_settings
@handle_errors
def tasks_delete(settings: _Settings, task_ids: tuple[Any, ...], as_json: bool) -> None:
    """Delete tasks (running ones are stopped first)."""
    ids = _ids_for(settings, task_ids)  # a usage error comes before any connection
    with settings.mode() as mode:
        mode.tasks_delete(ids, as_json)


@tasks.command("stats")
@_JSON
@pass_settings
@handle_errors
def tasks_stats(settings: _Settings, as_json: bool) -> None:
    """Task counts by status (per host, and in all, with --hosts)."""
    with settings.mode() as mode:
        mode.tasks_stats(as_json)


@tasks.command("wait")
@click.argument("task_ids", nargs=-1, type=_TASK_ID)
@click.option("--all-pending", is_flag=True, help="Every task not finished yet.")
@click.option(
    "--timeout",
    "wait_timeout",
    type=click.FloatRange(min=0.1),
    default=600.0,
    show_default=True,
    help="Seconds to wait in all.",
)
@click.option(
    "--interval", type=click.FloatRange(min=0.05), default=1.0, show_default=True,
    help="Seconds between looks.",
)  # fmt: skip
@_JSON
@pass_settings
@handle_errors
def tasks_wait(
    settings: _Settings,
    task_ids: tuple[Any, ...],
    all_pending: bool,
    wait_timeout: float,
    interval: float,
    as_json: bool,
) -> None:
    """Wait until tasks finish, with a live progress bar; exit 1 if any failed."""
    if bool(task_ids) == all_pending:
        raise click.UsageError("give task ids, or --all-pending (not both)")
    ids = _ids_for(settings, task_ids)
    with settings.mode() as mode:
        mode.tasks_wait(ids, all_pending, wait_timeout, interval, as_json)


# -- record and replay -----------------------------------------------------------------------


@cli.command("record")
@click.option(
    "--upstream", required=True, help="The TikMatrix to record, e.g. http://127.0.0.1:50809."
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The cassette to write (JSON).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=50810,
    show_default=True,
    help="The proxy's port (0: any free port).",
)
def record(upstream: str, out: Path, port: int) -> None:
    """Record what programs send to a TikMatrix, and its answers, into a cassette.

    Point your program at the address printed (TIKMATRIX_BASE_URL for the SDK) and use it;
    Ctrl+C stops. The cassette is written after every exchange.
    """
    from ._record import RecordingProxy

    try:
        proxy = RecordingProxy(upstream, out, port=port)
    except OSError as error:
        fail(f"cannot start: {error.strerror or error}", ExitStatus.USAGE)
        return
    click.echo(f"Recording {upstream} into {out}", err=True)
    click.echo(proxy.url, err=False)  # the first line of standard output: where to point
    sys.stdout.flush()
    proxy.serve()
    count = proxy.cassette.count
    if proxy.cassette.failure:
        fail(proxy.cassette.failure, ExitStatus.FAILED)
    click.echo(f"Recorded {count} exchange(s) into {out}", err=True)


@cli.command("conformance")
@click.argument("cassette", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_JSON
def conformance(cassette: Path, as_json: bool) -> None:
    """Replay a cassette against the reference server and report every difference.

    Compared: HTTP statuses, response codes, and the fields of each answer and their kinds;
    ids, times and other values that legitimately differ are not. Exits 1 if anything
    differs. Needs the server extra (pip install ".[server]" in a clone of the repository).
    """
    from ._cassette import Cassette
    from ._conformance import REPLAYED_PREFIX, reference_server, refused, replay

    try:
        recorded = Cassette.load(cassette)
    except ValueError as error:
        fail(str(error), ExitStatus.USAGE)
        return
    skipped = refused(recorded)
    if skipped:
        click.echo(
            f"Not replayed: {len(skipped)} exchange(s) outside {REPLAYED_PREFIX} (a cassette is "
            f"data; it may not drive the control API): {', '.join(skipped)}",
            err=True,
        )
    try:
        with reference_server() as url:
            differences = replay(recorded, url)
    except RuntimeError as error:
        fail(str(error), ExitStatus.USAGE)
        return
    except httpx.HTTPError as error:
        fail(f"the replay failed: {error}", ExitStatus.CONNECTION)
        return
    count = len(recorded["interactions"])
    if as_json:
        echo_json([attrs.asdict(difference) for difference in differences])
    elif differences:
        table(
            f"{len(differences)} difference(s) in {count} exchange(s)",
            ["#", "request", "where", "recorded", "reference server"],
            ((d.index, d.request, d.where, d.recorded, d.replayed) for d in differences),
        )
    else:
        console().print(f"[green]{count} exchange(s) replayed: no difference[/]")
    if differences:
        sys.exit(int(ExitStatus.FAILED))


def _console_safe() -> None:
    """Replace what the console cannot write with ``?``, rather than fail.

    A console that is not UTF-8 (Windows' cp1252, an ASCII pipe) still prints every message,
    table and progress bar; JSON is escaped instead (:func:`echo_json`), so it loses nothing.
    """
    for stream in (sys.stdout, sys.stderr):
        if not unicode_stream(stream) and isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")


def main() -> None:
    """Run ``tikmatrix``."""
    _console_safe()
    try:
        cli.main(prog_name="tikmatrix", standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        fail("interrupted", ExitStatus.INTERRUPTED)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(ExitStatus.USAGE if error.exit_code == 2 else error.exit_code)

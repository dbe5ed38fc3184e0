"""The pytest plugin: a reference server for your tests, and clients connected to it.

Installed with the package and registered by itself (the ``pytest11`` entry point
``tikmatrix``): your ``conftest.py`` adds nothing. Fixtures:

- ``tikmatrix_server``: the base URL of a reference server on a free loopback port, for the
  whole test session;
- ``tikmatrix_reset``: the server's state back to a fresh start (the devices, the plan)
  before the test;
- ``tikmatrix_client`` and ``async_tikmatrix_client``: a :class:`~tikmatrix_sdk.TikMatrix`
  and an :class:`~tikmatrix_sdk.AsyncTikMatrix` on that server, its state reset first (the
  async one in tests marked ``@pytest.mark.anyio``);
- ``tikmatrix_control``: the server's control API (plan, faults, adb switch, …);
- ``tikmatrix_fleet``: a :class:`~tikmatrix_sdk.fleet.Fleet` over several reference servers
  (``--tikmatrix-hosts``, 3 by default), started once for the session, each with its own
  store, devices (``hostN_device_serial_1`` and up) and accounts (``@hostN_user1`` and up),
  all reset before the test; ``tikmatrix_fleet_hosts`` gives their URLs by host name.

Options (command line, or the same names in the ``[pytest]`` ini section with ``_`` for
``-``): ``--tikmatrix-plan`` (Starter, Pro, Team or Business, any case; Pro by default),
``--tikmatrix-devices`` (simulated devices, 5; on each host of a fleet too),
``--tikmatrix-hosts`` (the fleet's size, 1 to 32; 3), ``--tikmatrix-store`` (a SQLite file, or
``:memory:``; a temporary file by default), and ``--tikmatrix-url`` to use a server you
started yourself instead (also the ``TIKMATRIX_TEST_URL`` variable). ``TIKMATRIX_BASE_URL``
is never read here: a test suite does not drive, by accident, the TikMatrix your
environment points your apps at.

Without the server extra (``python -m pip install ".[server]"`` in a clone of the repository)
the fixtures that need a server skip their tests, saying so.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tikmatrix_sdk._shared.install import install_hint

if TYPE_CHECKING:
    from tikmatrix_sdk import AsyncTikMatrix, TikMatrix
    from tikmatrix_sdk.fleet import Fleet

    from .control_client import ControlClient

__all__ = [
    "EXTERNAL_URL_ENV",
    "async_tikmatrix_client",
    "tikmatrix_client",
    "tikmatrix_control",
    "tikmatrix_fleet",
    "tikmatrix_fleet_hosts",
    "tikmatrix_reset",
    "tikmatrix_server",
]

#: The variable that points the fixtures at a server you started (instead of their own).
EXTERNAL_URL_ENV = "TIKMATRIX_TEST_URL"
_OPTIONS = {
    "plan": "the license plan of the server the fixtures start (default: Pro)",
    "devices": "how many simulated devices it has (default: 5)",
    "store": "its SQLite store: a file path, or :memory: (default: a temporary file)",
    "hosts": "how many reference servers the tikmatrix_fleet fixture starts (default: 3)",
    "url": f"use the server at this URL instead of starting one (or ${EXTERNAL_URL_ENV})",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    """The plugin's options, on the command line and in the ini file."""
    group = parser.getgroup("tikmatrix", "TikMatrix reference server")
    for name, help_text in _OPTIONS.items():
        group.addoption(f"--tikmatrix-{name}", dest=f"tikmatrix_{name}", help=help_text)
        parser.addini(f"tikmatrix_{name}", help_text)
    scripts_help = (
        "let the server run managed custom scripts: commands your tests register, run on this "
        "machine as your user (default: off)"
    )
    group.addoption(
        "--tikmatrix-custom-scripts",
        action="store_true",
        dest="tikmatrix_custom_scripts",
        help=scripts_help,
    )
    parser.addini("tikmatrix_custom_scripts", scripts_help, type="bool", default=False)


def pytest_configure(config: pytest.Config) -> None:
    """Refuse bad options before any test runs."""
    _plan(config)
    _devices(config)
    _hosts(config)


def _option(config: pytest.Config, name: str) -> str | None:
    value = config.getoption(f"tikmatrix_{name}") or config.getini(f"tikmatrix_{name}")
    return str(value) if value else None


def _devices(config: pytest.Config) -> int:
    raw = _option(config, "devices") or "5"
    if not raw.isdigit() or not 0 <= int(raw) <= 500:
        raise pytest.UsageError(f"--tikmatrix-devices must be a number from 0 to 500, got {raw!r}")
    return int(raw)


def _hosts(config: pytest.Config) -> int:
    raw = _option(config, "hosts") or "3"
    if not raw.isdigit() or not 1 <= int(raw) <= 32:
        raise pytest.UsageError(f"--tikmatrix-hosts must be a number from 1 to 32, got {raw!r}")
    return int(raw)


def _plan(config: pytest.Config) -> str:
    from tikmatrix_sdk._contract.plans import PLANS, plan_named  # plain Python: no Flask needed

    raw = _option(config, "plan") or "Pro"
    found = plan_named(raw)
    if found is None:
        raise pytest.UsageError(f"--tikmatrix-plan must be one of {', '.join(PLANS)}, got {raw!r}")
    return found


def _need_server() -> None:
    try:
        import flask  # noqa: F401
    except ImportError:
        pytest.skip(f"the reference server needs its extra: {install_hint('server')}")


@pytest.fixture(scope="session")
def tikmatrix_server(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The base URL of a reference server on a free loopback port, for the test session."""
    external = _option(pytestconfig, "url") or os.environ.get(EXTERNAL_URL_ENV)
    if external:
        yield external.rstrip("/")
        return
    _need_server()
    from .config import ServerConfig
    from .testing import running_server

    store = _option(pytestconfig, "store")
    db: str | Path = store or tmp_path_factory.mktemp("tikmatrix") / "tasks.sqlite3"
    custom_scripts = bool(
        pytestconfig.getoption("tikmatrix_custom_scripts")
        or pytestconfig.getini("tikmatrix_custom_scripts")
    )
    config = ServerConfig(
        db=db,
        plan=_plan(pytestconfig),
        devices=_devices(pytestconfig),
        poll_interval=0.05,
        custom_scripts=custom_scripts,
    )
    with running_server(config) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def _tikmatrix_control_session(tikmatrix_server: str) -> Iterator[ControlClient]:
    """One control client for the session: its connection is kept between tests."""
    from .control_client import ControlClient

    with ControlClient(tikmatrix_server) as control:
        yield control


@pytest.fixture
def tikmatrix_control(_tikmatrix_control_session: ControlClient) -> ControlClient:
    """The control API of the session's server."""
    return _tikmatrix_control_session


@pytest.fixture
def tikmatrix_reset(pytestconfig: pytest.Config, tikmatrix_control: ControlClient) -> None:
    """Bring the server back to a fresh start: no tasks, the devices and plan of the options.

    A server without a control API (a real TikMatrix given with ``--tikmatrix-url``) is
    left as it is.
    """
    external = _option(pytestconfig, "url") or os.environ.get(EXTERNAL_URL_ENV)
    if external and not tikmatrix_control.has_control_api():
        return
    tikmatrix_control.reset(devices=_devices(pytestconfig), plan=_plan(pytestconfig))


@pytest.fixture
def tikmatrix_client(tikmatrix_server: str, tikmatrix_reset: None) -> Iterator[TikMatrix]:
    """A blocking client of the session's server, its state reset first."""
    from tikmatrix_sdk import TikMatrix

    with TikMatrix(tikmatrix_server) as client:
        yield client


@pytest.fixture
async def async_tikmatrix_client(
    tikmatrix_server: str, tikmatrix_reset: None
) -> AsyncIterator[AsyncTikMatrix]:
    """An async client of the session's server, its state reset first (``@pytest.mark.anyio``)."""
    from tikmatrix_sdk import AsyncTikMatrix

    async with AsyncTikMatrix(tikmatrix_server) as client:
        yield client


@pytest.fixture(scope="session")
def tikmatrix_fleet_hosts(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """The URLs of the session's fleet of reference servers, by host name (``host1``…)."""
    _need_server()
    from .testing import running_fleet

    with running_fleet(
        _hosts(pytestconfig),
        devices=_devices(pytestconfig),
        plan=_plan(pytestconfig),
        directory=tmp_path_factory.mktemp("tikmatrix-fleet"),
    ) as hosts:
        yield hosts


@pytest.fixture
def tikmatrix_fleet(
    pytestconfig: pytest.Config, tikmatrix_fleet_hosts: dict[str, str]
) -> Iterator[Fleet]:
    """A :class:`~tikmatrix_sdk.fleet.Fleet` over the session's servers, each reset first."""
    from tikmatrix_sdk.fleet import Fleet

    from .control_client import ControlClient

    devices, plan = _devices(pytestconfig), _plan(pytestconfig)
    for url in tikmatrix_fleet_hosts.values():
        with ControlClient(url) as control:
            control.reset(devices=devices, plan=plan)
    with Fleet(tikmatrix_fleet_hosts) as fleet:
        yield fleet


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say, at the top of the run, when the fixtures use a server you started."""
    external = _option(config, "url") or os.environ.get(EXTERNAL_URL_ENV)
    return [f"tikmatrix: the fixtures use the server at {external}"] if external else []

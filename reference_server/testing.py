"""Run a reference server on a free loopback port for tests (yours too), with or without pytest.

>>> from reference_server.testing import running_server
>>> from tikmatrix_sdk import TikMatrix
>>> with running_server() as base_url, TikMatrix(base_url) as client:
...     print(client.tasks.stats().total)
0

With pytest installed, the plugin :mod:`reference_server.pytest_plugin` (registered by itself)
gives fixtures built on these: a server for the session, and clients connected to it.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import ServerConfig, create_app
from .control_client import ControlClient
from .virtual.phones_and_adb import free_port

__all__ = [
    "MAX_FLEET_HOSTS",
    "ControlClient",
    "fleet_host_names",
    "free_port",
    "running_fleet",
    "running_server",
    "stop_server",
    "wait_until_serving",
]

#: The most reference servers :func:`running_fleet` starts at once.
MAX_FLEET_HOSTS = 32


def wait_until_serving(url: str, process: subprocess.Popen[Any], seconds: float = 60) -> None:
    """Return once a ``tikmatrix-server`` process at ``url`` serves its OpenAPI document.

    Raises :class:`RuntimeError` if the process exits first or ``seconds`` pass.
    """
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v1/openapi.json", timeout=1):
                return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"the server at {url} exited before serving") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server at {url} did not start in time") from None
            time.sleep(0.1)


def stop_server(process: subprocess.Popen[Any], seconds: float = 20) -> None:
    """Stop a ``tikmatrix-server`` process, and wait for it (it leaves no zombie behind).

    It is asked first (SIGTERM on POSIX: the server closes its store and frees its port);
    one still running ``seconds`` later is killed.
    """
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class _KeepAliveHandler(WSGIRequestHandler):
    """Werkzeug's handler speaking HTTP/1.1: a client keeps its connection between requests."""

    protocol_version = "HTTP/1.1"


class _QuietRequestHandler(_KeepAliveHandler):
    """Werkzeug's handler without its line per request (errors are still logged)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Say nothing about a request that was served."""


@contextmanager
def running_server(
    config: ServerConfig | None = None, host: str = "127.0.0.1", *, quiet: bool = True
) -> Iterator[str]:
    """Serve a reference server on a free port of ``host`` in a thread; yield its base URL.

    Without a config the store is a fresh file in a temporary directory and the scheduler
    polls every 50 ms. The server and its runner are stopped when the block ends. It serves
    quietly; ``quiet=False`` logs a line per request (werkzeug's, on the ``werkzeug`` logger).
    """
    with tempfile.TemporaryDirectory(prefix="tikmatrix-") as directory:
        config = config or ServerConfig(db=Path(directory) / "tasks.sqlite3", poll_interval=0.05)
        app = create_app(config)
        handler = _QuietRequestHandler if quiet else _KeepAliveHandler
        server = make_server(host, 0, app, threaded=True, request_handler=handler)
        app.extensions["tikmatrix"].serving_at(f"http://{host}:{server.server_port}")
        thread = threading.Thread(target=server.serve_forever, name="tikmatrix-server", daemon=True)
        thread.start()
        try:
            yield f"http://{host}:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(10)
            server.server_close()
            app.extensions["tikmatrix_close"]()


def fleet_host_names(count: int) -> list[str]:
    """The names :func:`running_fleet` gives its hosts: ``host1``, ``host2`` and so on."""
    return [f"host{number}" for number in range(1, count + 1)]


@contextmanager
def running_fleet(
    count: int = 3,
    *,
    devices: int = 5,
    plan: str | None = None,
    host: str = "127.0.0.1",
    directory: str | Path | None = None,
) -> Iterator[dict[str, str]]:
    """Serve ``count`` reference servers, as a fleet of PCs; yield each one's URL by name.

    Each is what one TikMatrix instance is: its own store and its own devices. Host ``hostN``
    has the simulated serials ``hostN_device_serial_1`` and up, and the accounts
    ``@hostN_user1`` and up, so that no serial or account is on two hosts. No store and no
    coordinator is shared: the fleet lives in the client. Give the result to
    :class:`tikmatrix_sdk.fleet.Fleet`.

    >>> from reference_server.testing import running_fleet
    >>> from tikmatrix_sdk.fleet import Fleet
    >>> with running_fleet(2) as hosts, Fleet(hosts) as fleet:
    ...     print(fleet.devices.owner("host2_device_serial_1"))
    host2
    """
    if not 1 <= count <= MAX_FLEET_HOSTS:
        raise ValueError(f"a test fleet has 1 to {MAX_FLEET_HOSTS} hosts, got {count}")
    with ExitStack() as stack:
        if directory is None:
            directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="tikmatrix-fleet-"))
        urls: dict[str, str] = {}
        for name in fleet_host_names(count):
            config = ServerConfig(
                db=Path(directory) / f"{name}.sqlite3",
                plan=plan,
                devices=devices,
                poll_interval=0.05,
                device_prefix=f"{name}_",
            )
            urls[name] = stack.enter_context(running_server(config, host))
        yield urls

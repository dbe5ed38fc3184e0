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
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import ServerConfig, create_app
from .control_client import ControlClient
from .virtual.lab import free_port

__all__ = ["ControlClient", "free_port", "running_server", "wait_until_serving"]


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

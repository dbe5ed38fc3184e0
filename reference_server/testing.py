"""Run a reference server on a free loopback port for tests (yours too).

>>> from reference_server.testing import running_server
>>> from tikmatrix_sdk import TikMatrix
>>> with running_server() as base_url, TikMatrix(base_url) as client:
...     print(client.tasks.stats().total)
0

With pytest, the fixture ``tikmatrix_server`` (add ``pytest_plugins =
["reference_server.testing"]`` to your ``conftest.py``) yields the base URL of a server that
lives for the test session; ``TIKMATRIX_BASE_URL``, when set, points the fixture at a server
you started yourself instead.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import pytest
from werkzeug.serving import make_server

from .app import ServerConfig, create_app
from .virtual.lab import free_port

__all__ = ["free_port", "running_server", "tikmatrix_server", "wait_until_serving"]


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


@contextmanager
def running_server(config: ServerConfig | None = None, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve a reference server on a free port of ``host`` in a thread; yield its base URL.

    Without a config the store is a fresh file in a temporary directory and the scheduler
    polls every 50 ms. The server and its runner are stopped when the block ends.
    """
    with tempfile.TemporaryDirectory(prefix="tikmatrix-") as directory:
        config = config or ServerConfig(db=Path(directory) / "tasks.sqlite3", poll_interval=0.05)
        app = create_app(config)
        server = make_server(host, 0, app, threaded=True)
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


@pytest.fixture(scope="session")
def tikmatrix_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a live reference server for the test session."""
    external = os.environ.get("TIKMATRIX_BASE_URL")
    if external:
        yield external.rstrip("/")
        return
    db = tmp_path_factory.mktemp("tikmatrix") / "tasks.sqlite3"
    with running_server(attrs.evolve(ServerConfig(), db=db, poll_interval=0.05)) as base_url:
        yield base_url

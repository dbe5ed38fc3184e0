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

from werkzeug.serving import make_server

from .app import ServerConfig, create_app
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


class ControlClient:
    """The control API of a reference server (``/_control``), for tests.

    >>> from reference_server.testing import ControlClient, running_server
    >>> with running_server() as url, ControlClient(url) as control:
    ...     control.set_plan("starter")["plan_name"]
    'Starter'
    """

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        """Talk to the server at ``base_url`` (its root, without ``/api/v1``)."""
        import httpx

        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=f"{self.base_url}/_control", timeout=timeout)

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """Call a control route and return its ``data``; a refusal raises :class:`RuntimeError`."""
        response = self._http.request(method, path, json=body)
        try:
            envelope = response.json()
        except ValueError:
            envelope = None
        if response.status_code != 200 or not isinstance(envelope, dict) or envelope.get("code"):
            raise RuntimeError(
                f"{method} /_control{path} answered {response.status_code}: {response.text[:300]}"
            )
        return envelope.get("data")

    def has_control_api(self) -> bool:
        """Whether the server has a control API (a real TikMatrix has none)."""
        return self._http.get("/faults").status_code == 200

    def reset(self, *, devices: int | None = None, plan: str | None = None) -> None:
        """Forget every task, lease and fault; seed ``devices`` again; set ``plan`` if given."""
        self.request("POST", "/reset", {} if devices is None else {"devices": devices})
        if plan is not None:
            self.set_plan(plan)

    def set_plan(self, plan: str) -> Any:
        """Set the license plan (any case: ``"starter"`` is Starter); the license it gives."""
        return self.request("PUT", "/plan", {"plan": plan.capitalize()})

    def fault(self, path: str, **fault: Any) -> Any:
        """Inject a fault into matching API calls (``code``, ``http_status``, ``latency``…)."""
        return self.request("POST", "/faults", {"path": path, **fault})

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        self.request("DELETE", "/faults")

    def enable_adb(self, enabled: bool = True) -> None:
        """Turn the device API's adb route on (or off)."""
        self.request("PUT", "/rpc/adb", {"enabled": enabled})

    def close(self) -> None:
        """Close the connection."""
        self._http.close()

    def __enter__(self) -> ControlClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

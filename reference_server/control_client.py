"""A client of the reference server's control API (``/_control``), on httpx alone.

It needs neither Flask nor the rest of the server, so the pytest plugin can drive a server
started elsewhere where only the SDK is installed.
"""

from __future__ import annotations

from typing import Any

import httpx

from tikmatrix_sdk._shared.tls import tls_context

__all__ = ["ControlClient"]


class ControlClient:
    """The control API of a reference server (``/_control``), for tests.

    >>> from reference_server.testing import ControlClient, running_server
    >>> with running_server() as url, ControlClient(url) as control:
    ...     control.set_plan("starter")["plan_name"]
    'Starter'
    """

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        """Talk to the server at ``base_url`` (its root, without ``/api/v1``)."""
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=f"{self.base_url}/_control", timeout=timeout, verify=tls_context()
        )

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
        """Forget every task, lease and fault; seed ``devices`` again; set ``plan`` if given.

        One request, whatever is given.
        """
        body: dict[str, Any] = {} if devices is None else {"devices": devices}
        if plan is not None:
            body["plan"] = plan.capitalize()
        self.request("POST", "/reset", body)

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

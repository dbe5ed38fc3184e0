"""The recording proxy refuses what the reference server refuses: the same guards, shared.

Each hostile request is sent to the server directly and through ``tikmatrix record``'s proxy;
both must answer it alike, and nothing it asked for may happen upstream.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reference_server.testing import running_server
from tikmatrix_sdk.cli._record import RecordingProxy


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(the reference server's URL, the URL of a recording proxy in front of it)."""
    with running_server() as upstream:
        proxy = RecordingProxy(upstream, tmp_path / "cassette.json")
        thread = threading.Thread(target=proxy.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield upstream, proxy.url
        finally:
            proxy.server.shutdown()
            thread.join(10)
            proxy.close()


FORM = "application/x-www-form-urlencoded"
REGISTRATION = b'{"command": ["/bin/sh", "-c", "id > /tmp/pwned"]}'
HOSTILE = [
    # DNS rebinding: the page's own name, resolved to loopback
    ("PUT", "/_control/custom-scripts/x", {"Host": "rebind.evil:8080"}, REGISTRATION),
    ("GET", "/api/v1/task/stats", {"Host": "rebind.evil"}, b""),
    # a page's body-less no-cors POST, and a form post
    ("POST", "/_control/reset", {"Origin": "http://evil.example"}, b""),
    ("POST", "/_control/reset", {"Origin": "null"}, b""),
    ("POST", "/_control/reset", {"Sec-Fetch-Site": "cross-site"}, b""),
    ("POST", "/_control/reset", {"Content-Type": "text/plain"}, b"{}"),
    (
        "POST",
        "/api/v1/task/retry-all",
        {"Content-Type": "application/x-www-form-urlencoded"},
        b"a=1",
    ),
    # a preflight
    ("OPTIONS", "/api/v1/task", {"Origin": "http://evil.example"}, b""),
]


def _answer(
    url: str, method: str, path: str, headers: dict[str, str], body: bytes
) -> tuple[int, int]:
    with httpx.Client() as http:
        answered = http.request(method, f"{url}{path}", headers=headers, content=body or None)
    return answered.status_code, answered.json()["code"]


@pytest.mark.parametrize(("method", "path", "headers", "body"), HOSTILE)
def test_the_proxy_refuses_what_the_server_refuses(
    servers: tuple[str, str], method: str, path: str, headers: dict[str, str], body: bytes
) -> None:
    upstream, proxy = servers
    httpx.post(f"{upstream}/api/v1/task", json={
        "serials": ["device_serial_1"], "script_name": "follow",
        "script_config": {"target_username": "@kept"}, "start_time": "23:59",
    }).raise_for_status()  # fmt: skip
    direct = _answer(upstream, method, path, headers, body)
    relayed = _answer(proxy, method, path, headers, body)
    assert direct[0] in (403, 405, 415)
    assert relayed == direct
    stats = httpx.get(f"{upstream}/api/v1/task/stats").json()["data"]
    assert stats["total"] == 1  # no reset went through
    assert httpx.get(f"{upstream}/_control/custom-scripts").json()["data"]["scripts"] == []


def test_a_pages_origin_is_passed_upstream(servers: tuple[str, str]) -> None:
    _, proxy = servers
    # Same origin as the proxy itself: the proxy lets it through and tells the upstream the
    # page is its own; a read from elsewhere goes through with its Origin, which reads allow.
    own = httpx.post(f"{proxy}/api/v1/task/retry-all", headers={"Origin": proxy}, json={})
    assert own.status_code == 200
    elsewhere = httpx.get(f"{proxy}/api/v1/task/stats", headers={"Origin": "http://evil.example"})
    assert elsewhere.status_code == 200

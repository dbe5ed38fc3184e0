"""The recording proxy answers whatever it is sent or sent back, and its cassette stays valid.

A request or an answer the proxy cannot relay as it is gets an answer all the same (never a
dropped connection), and the cassette on disk is strict JSON, private to its owner, after
every exchange.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import socket
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from reference_server.testing import running_server
from tikmatrix_sdk.cli._cassette import Cassette
from tikmatrix_sdk.cli._record import RecordingProxy


@contextmanager
def proxy_in_front_of(upstream: str, cassette: Path) -> Iterator[str]:
    proxy = RecordingProxy(upstream, cassette)
    thread = threading.Thread(target=proxy.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy.url
    finally:
        proxy.server.shutdown()
        thread.join(10)
        proxy.close()


class _OddUpstream(http.server.BaseHTTPRequestHandler):
    """Answers a NaN in JSON, or a content type that is not Latin-1, as a careless server would."""

    def do_GET(self) -> None:
        if self.path == "/nan":
            body, kind = b'{"code": 0, "message": "success", "data": NaN}', b"application/json"
        else:
            body, kind = b"ok", "text/plain; note=\u20ac".encode()
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: " + kind + b"\r\n")
        self.wfile.write(b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def odd_upstream() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _OddUpstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


def _strict(path: Path) -> Any:
    def refuse(name: str) -> Any:
        raise ValueError(name)

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


def test_odd_answers_are_relayed_and_recorded_as_strict_json(
    odd_upstream: str, tmp_path: Path
) -> None:
    cassette = tmp_path / "odd.json"
    with proxy_in_front_of(odd_upstream, cassette) as proxy:
        nan = httpx.get(f"{proxy}/nan")
        euro = httpx.get(f"{proxy}/euro")
    assert nan.status_code == 200
    assert b"NaN" in nan.content  # relayed as it came
    assert (euro.status_code, euro.content) == (200, b"ok")
    assert euro.headers["content-type"] == "application/octet-stream"
    recorded = _strict(cassette)["interactions"]
    assert [i["request"]["path"] for i in recorded] == ["/nan", "/euro"]
    assert "json" not in recorded[0]["response"]["body"]  # kept as bytes, not as a NaN


def test_a_request_the_proxy_cannot_read_gets_an_answer(tmp_path: Path) -> None:
    with running_server() as upstream, proxy_in_front_of(upstream, tmp_path / "c.json") as proxy:
        port = int(proxy.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(
                "POST /api/v1/task HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/json\r\nContent-Length: \u00b2\r\n\r\n".encode()
            )
            assert sock.recv(100).startswith(b"HTTP/1.1 400")
        deep = "[" * 100_000 + "]" * 100_000
        answered = httpx.post(
            f"{proxy}/api/v1/task", content=deep, headers={"Content-Type": "application/json"}
        )
        assert answered.status_code == 400  # the server's refusal, relayed
    assert _strict(tmp_path / "c.json")["interactions"][0]["request"]["path"] == "/api/v1/task"


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_a_cassette_is_private_and_grows_by_appending(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text("an older file, readable by all", encoding="utf-8")
    path.chmod(0o644)
    cassette = Cassette(path, "http://127.0.0.1:1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds session ids
    assert _strict(path)["interactions"] == []
    request = {"method": "GET", "path": "/api/v1/task/stats", "query": {}, "headers": {}}
    for number in range(1, 4):
        before = path.read_bytes()
        cassette.add({**request, "body": None}, {"status": 200, "headers": {}, "body": None})
        after = path.read_bytes()
        closing = len(b"\n  ]\n}\n")
        assert after.startswith(before[:-closing])  # what was there stays, byte for byte
        assert len(Cassette.load(path)["interactions"]) == number
    assert cassette.count == 3


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        return sock.recv(200)


def test_a_path_or_header_httpx_cannot_send_gets_an_answer(tmp_path: Path) -> None:
    with running_server() as upstream, proxy_in_front_of(upstream, tmp_path / "c.json") as proxy:
        port = int(proxy.rsplit(":", 1)[1])
        odd_path = b"GET /api/v1/\x7f\x01 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        assert _raw(port, odd_path).startswith(b"HTTP/1.1 400")
        odd_header = (
            b"GET /api/v1/task/stats HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://\xff\r\n\r\n"
        )
        assert _raw(port, odd_header).startswith(b"HTTP/1.1 ")


def test_a_body_json_cannot_write_back_is_kept_as_bytes(tmp_path: Path) -> None:
    with running_server() as upstream, proxy_in_front_of(upstream, tmp_path / "c.json") as proxy:
        body = b'{"serials": ["device_serial_1"], "script_name": "follow", "x": 1e999}'
        httpx.post(
            f"{proxy}/api/v1/task", content=body, headers={"Content-Type": "application/json"}
        )
    (exchange,) = _strict(tmp_path / "c.json")["interactions"]
    assert base64.b64decode(exchange["request"]["body"]["base64"]) == body


def test_the_page_and_its_browser_are_told_what_the_server_tells_them(tmp_path: Path) -> None:
    with running_server() as upstream, proxy_in_front_of(upstream, tmp_path / "c.json") as proxy:
        # the dashboard's data refuses another site's page: only if the proxy passes it on
        embedded = httpx.get(
            f"{proxy}/dashboard/api/state", headers={"Sec-Fetch-Site": "cross-site"}
        )
        assert embedded.status_code == 403
        answer = httpx.get(f"{proxy}/api/v1/task/stats")
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["cache-control"] == "no-store"

"""The uiautomator2 service of a virtual phone: JSON-RPC over HTTP on its port 9008.

It answers ``/ping`` and ``POST /jsonrpc/0`` as the server that uiautomator2 launches on a
real phone does; :mod:`reference_server.android.uiautomator` answers each method.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..android.ui import PhoneUI
from ..android.uiautomator import RpcError, call

__all__ = ["serve_http"]


def serve_http(ui: PhoneUI, read: Callable[[int], bytes], write: Callable[[bytes], Any]) -> None:
    """Answer one HTTP/1.1 request read from a stream, with ``Connection: close``.

    Each adb-forwarded connection carries one request; the client opens another for the next.
    A stream that ends before a whole request arrived gets no answer.
    """
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        chunk = read(65536)
        if not chunk:
            return
        buffer += chunk
    head, buffer = buffer.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    method, path = lines[0].split(" ")[:2]
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])
    }
    length = int(headers.get("content-length", "0") or 0)
    while len(buffer) < length:
        chunk = read(65536)
        if not chunk:
            return
        buffer += chunk
    status, content, kind = _answer(ui, method, path, buffer[:length])
    write(
        f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len(content)}\r\n"
        "Connection: close\r\n\r\n".encode()
        + content
    )


def _answer(ui: PhoneUI, method: str, path: str, body: bytes) -> tuple[str, bytes, str]:
    if path == "/ping":
        return "200 OK", b"pong", "text/plain"
    if method == "POST" and path == "/jsonrpc/0":
        request = json.loads(body or b"{}")
        try:
            answer: dict[str, Any] = {
                "result": call(ui, request.get("method", ""), request.get("params"))
            }
        except RpcError as error:
            answer = {"error": {"code": error.code, "message": error.message, "data": ""}}
        except Exception as error:  # a broken request must not kill the phone
            answer = {
                "error": {
                    "code": -32603,
                    "message": f"java.lang.RuntimeException: {error}",
                    "data": "",
                }
            }
        payload = {"jsonrpc": "2.0", "id": request.get("id", 1), **answer}
        return "200 OK", json.dumps(payload).encode(), "application/json"
    return "404 Not Found", b"not found", "text/plain"

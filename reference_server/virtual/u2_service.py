"""The uiautomator2 service of a virtual phone: JSON-RPC over HTTP on its port 9008.

It answers ``/ping`` and ``POST /jsonrpc/0`` as the server that uiautomator2 launches on a
real phone does, reading and driving the phone's screens (:class:`~.ui.PhoneUI`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from .ui import HEIGHT, WIDTH, PhoneUI

__all__ = ["serve_http"]


class _RpcError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _rpc(ui: PhoneUI, method: str, params: Any) -> Any:
    args = params if isinstance(params, list) else [params] if params is not None else []
    package = ui.app.package if ui.app else "com.android.launcher3"
    if method == "deviceInfo":
        return {
            "currentPackageName": package,
            "displayWidth": WIDTH,
            "displayHeight": HEIGHT,
            "displayRotation": 0,
            "displaySizeDpX": 411,
            "displaySizeDpY": 891,
            "productName": ui.phone.serial,
            "screenOn": True,
            "sdkInt": 33,
            "naturalOrientation": True,
        }
    if method == "dumpWindowHierarchy":
        return ui.hierarchy()
    if method in ("waitForExists", "waitUntilGone"):
        timeout = min(float(args[1]) / 1000 if len(args) > 1 else 0.0, 0.2)
        deadline = time.monotonic() + timeout
        while True:
            exists = bool(ui.find(args[0]))
            if exists == (method == "waitForExists") or time.monotonic() >= deadline:
                return exists if method == "waitForExists" else not exists
            time.sleep(0.05)
    if method in ("exist", "count"):
        found = ui.find(args[0])
        return bool(found) if method == "exist" else len(found)
    if method in ("objInfo", "getText", "objInfoOfAllInstances"):
        found = ui.find(args[0])
        if method == "objInfoOfAllInstances":
            return [e.info(package) for e in found]
        if not found:
            raise _RpcError(
                -32002,
                "androidx.test.uiautomator.UiObjectNotFoundException: " + json.dumps(args[0]),
            )
        return found[0].info(package) if method == "objInfo" else found[0].text
    if method == "click":
        return ui.click(float(args[0]), float(args[1]))
    if method in ("setText", "clearTextField"):
        text = str(args[1]) if method == "setText" else ""
        if not ui.set_text(args[0], text):
            raise _RpcError(
                -32002, "androidx.test.uiautomator.UiObjectNotFoundException: no editable field"
            )
        return True
    if method in ("pressKey", "pressKeyCode"):
        if args and args[0] in ("back", 4):
            ui.back()
        return True
    if method in ("swipe", "swipePoints", "drag"):
        ui.swipe()
        return True
    raise _RpcError(-32601, f"method not found: {method}")


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
                "result": _rpc(ui, request.get("method", ""), request.get("params"))
            }
        except _RpcError as error:
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

"""uiautomator2's JSON-RPC methods, answered from a simulated screen.

:func:`call` is what the uiautomator2 server on a phone does with one ``/jsonrpc/0`` request:
the virtual phones answer their port 9008 with it, and simulated devices answer the device
API's ``jsonrpc`` route with it directly.
"""

from __future__ import annotations

import base64
import json
import math
import re
import time
from typing import Any

from .render import render_png
from .ui import PhoneUI

__all__ = ["NOT_FOUND", "RpcError", "call", "device_info"]

#: uiautomator2's code for "no such element"; -32601 is JSON-RPC's "no such method".
NOT_FOUND = -32002
_NO_METHOD = -32601
_KEYS = {
    "home": 3,
    "back": 4,
    "up": 19,
    "down": 20,
    "left": 21,
    "right": 22,
    "center": 23,
    "volume_up": 24,
    "volume_down": 25,
    "power": 26,
    "camera": 27,
    "enter": 66,
    "delete": 67,
    "del": 67,
    "menu": 82,
    "search": 84,
    "volume_mute": 164,
    "recent": 187,
    "sleep": 223,
    "wakeup": 224,
}
#: uiautomator2's orientation names and the rotation each is (quarter turns).
ORIENTATIONS = {"natural": 0, "left": 1, "upsidedown": 2, "right": 3}
_ACTION_UP = 1  # MotionEvent.ACTION_UP


class RpcError(Exception):
    """A JSON-RPC error answer: its ``code`` and ``message``."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _not_found(what: Any) -> RpcError:
    return RpcError(
        NOT_FOUND, "androidx.test.uiautomator.UiObjectNotFoundException: " + json.dumps(what)
    )


def _press(ui: PhoneUI, key: Any) -> bool:
    code = _KEYS.get(key.lower()) if isinstance(key, str) else key
    if not isinstance(code, int) or isinstance(code, bool):
        raise RpcError(-32602, f"java.lang.IllegalArgumentException: unknown key {key!r}")
    ui.press_key(code)
    return True


def _wait(ui: PhoneUI, selector: Any, millis: Any, *, gone: bool) -> bool:
    waited = float(millis) / 1000 if millis is not None else 0.0
    if not math.isfinite(waited) or waited < 0:
        raise ValueError(f"timeout must be a number of milliseconds >= 0, got {millis!r}")
    timeout = min(waited, 0.2)
    deadline = time.monotonic() + timeout
    while True:
        exists = bool(ui.find(selector))
        if exists != gone or time.monotonic() >= deadline:
            return not exists if gone else exists
        time.sleep(0.05)


def device_info(ui: PhoneUI) -> dict[str, Any]:
    """What ``deviceInfo`` answers."""
    width, height = ui.size
    turned = ui.rotation % 2 == 1
    return {
        "currentPackageName": ui.package,
        "displayWidth": width,
        "displayHeight": height,
        "displayRotation": ui.rotation,
        "displaySizeDpX": 891 if turned else 411,
        "displaySizeDpY": 411 if turned else 891,
        "productName": ui.phone.serial,
        "screenOn": ui.screen_on,
        "sdkInt": 33,
        "naturalOrientation": not turned,
    }


def call(ui: PhoneUI, method: str, params: Any) -> Any:
    """Answer one JSON-RPC call; raise :class:`RpcError` as the phone would answer an error.

    Params of the wrong shape are refused as the server on a phone refuses them (-32602).
    """
    try:
        return _call(ui, method, params)
    except RpcError:
        raise
    except (TypeError, ValueError, IndexError, KeyError, AttributeError, re.error) as error:
        raise RpcError(-32602, f"java.lang.IllegalArgumentException: {method}: {error}") from None


def _call(ui: PhoneUI, method: str, params: Any) -> Any:
    args = params if isinstance(params, list) else [params] if params is not None else []
    if method == "deviceInfo":
        return device_info(ui)
    if method == "dumpWindowHierarchy":
        return ui.hierarchy()
    if method == "takeScreenshot":
        return base64.b64encode(render_png(ui)).decode("ascii")
    if method in ("waitForExists", "waitUntilGone"):
        millis = args[1] if len(args) > 1 else None
        return _wait(ui, args[0], millis, gone=method == "waitUntilGone")
    if method in ("exist", "count"):
        found = ui.find(args[0])
        return bool(found) if method == "exist" else len(found)
    if method in ("objInfo", "getText", "objInfoOfAllInstances"):
        found = ui.find(args[0])
        if method == "objInfoOfAllInstances":
            return [ui.node(e).info() for e in found]
        if not found:
            raise _not_found(args[0])
        return ui.node(found[0]).info() if method == "objInfo" else found[0].text
    if method == "click":
        return ui.click(float(args[0]), float(args[1]))
    if method in ("setText", "clearTextField"):
        text = str(args[1]) if method == "setText" else ""
        if not ui.set_text(args[0], text):
            raise _not_found("no editable field")
        return True
    if method in ("pressKey", "pressKeyCode"):
        return _press(ui, args[0] if args else None)
    if method == "setClipboard":
        ui.clipboard = str(args[1] if len(args) > 1 else args[0])
        return None
    if method == "getClipboard":
        return ui.clipboard
    if method == "pasteClipboard":
        return ui.type_text(ui.clipboard)
    if method == "clearInputText":
        return ui.clear_focused()
    if method in ("swipe", "swipePoints", "drag"):
        ui.swipe()
        return True
    return _device_call(ui, method, args)


def _device_call(ui: PhoneUI, method: str, args: list[Any]) -> Any:
    """The rest of uiautomator2's ``Device``: the display, the shades, toasts, raw touches."""
    if method in ("wakeUp", "sleep"):
        ui.wake(method == "wakeUp")
        return None
    if method == "setOrientation":
        name = str(args[0]).lower()
        rotation = next((r for n, r in ORIENTATIONS.items() if name in (n, n[0])), None)
        if rotation is None:
            raise ValueError(f"unknown orientation {args[0]!r}")
        ui.rotate(rotation)
        return None
    if method == "freezeRotation":  # auto-rotate off while frozen, as the setting shows
        frozen = bool(args[0]) if args else True
        ui.phone.settings[("system", "accelerometer_rotation")] = "0" if frozen else "1"
        return None
    if method in ("openNotification", "openQuickSettings"):
        ui.pull_down("notifications" if method == "openNotification" else "quick_settings")
        return True
    if method == "getLastTraversedText":
        return ui.last_traversed_text
    if method == "clearLastTraversedText":
        ui.last_traversed_text = None
        return None
    if method == "makeToast":
        ui.last_toast = str(args[0])
        return True
    if method == "getLastToast":
        return ui.last_toast
    if method == "clearLastToast":
        ui.last_toast = None
        return None
    if method == "injectInputEvent":  # a raw touch: the finger lifting is the tap
        action, x, y = int(args[0]), float(args[1]), float(args[2])
        if action == _ACTION_UP:
            ui.click(x, y)
        return True
    raise RpcError(_NO_METHOD, f"method not found: {method}")

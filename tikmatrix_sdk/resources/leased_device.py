"""A leased device: UI automation over TikMatrix's device API, each call carrying the lease.

``client.devices.lease(serial)`` gives one for the length of a ``with`` block;
``client.devices.current()`` gives the one a managed custom script was started with. Every
method is written once, as a generator, and is a plain method on the blocking client and a
coroutine on the async one.
"""

from __future__ import annotations

import math
import pathlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, Unpack

from .._binders import operation
from .._contract import limits
from .._effects import Now, Program, Sleep
from .._endpoint import Endpoint
from .._lazy import lazy_module
from .._polling import delays
from .._public import say_public
from .._request_options import RequestOptions
from .._resource import ClientLike, M, Resource
from ..errors import ClientValidationError, ElementNotFoundError, TikMatrixError

if TYPE_CHECKING:
    from .. import _ui_tree, models
    from .._ui_tree import UiNode
    from ..models import DeviceInfo
else:  # the models load with the first answer, the screen's nodes with the first look
    models = lazy_module("tikmatrix_sdk.models")
    _ui_tree = lazy_module("tikmatrix_sdk._ui_tree")

__all__ = ["KEYS", "LeaseState", "LeasedDevice"]

#: The keys :meth:`LeasedDevice.press` names (uiautomator2's); a key code (an int) also works.
KEYS = frozenset(
    {
        "home",
        "back",
        "recent",
        "enter",
        "menu",
        "search",
        "delete",
        "up",
        "down",
        "left",
        "right",
        "center",
        "power",
        "camera",
        "volume_up",
        "volume_down",
        "volume_mute",
    }
)
#: The longest text one ``input_text`` sends (one word of an adb command).
_MAX_TEXT = limits.MAX_ADB_WORD
_MAX_RPC_TIMEOUT = limits.MAX_METHOD_TIMEOUT
_MAX_ADB_TIMEOUT = limits.MAX_ADB_TIMEOUT_MS / 1000


class LeaseState(Protocol):
    """What keeps a lease alive in the background, as a device sees it."""

    @property
    def failure(self) -> TikMatrixError | None:
        """Why the lease was lost (its renewal was refused), or ``None`` while it holds."""
        ...


def _selector(
    text: str | None,
    text_contains: str | None,
    resource_id: str | None,
    description: str | None,
    class_name: str | None,
) -> dict[str, str]:
    given = {
        "text": text,
        "text_contains": text_contains,
        "resource_id": resource_id,
        "description": description,
        "class_name": class_name,
    }
    chosen = {key: value for key, value in given.items() if value is not None}
    return _ui_tree.check_selector(chosen)


def _seconds(value: float, name: str, *, low: float = 0.0, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds, got {value!r}")
    if not low <= value <= high:  # NaN too
        limits = f"from {low:g} to {high:g}" if high < math.inf else f">= {low:g}"
        raise ClientValidationError(f"{name} must be {limits} seconds, got {value!r}", field=name)
    return float(value)


class LeasedDevice(Resource[M]):
    """A device lent to this program: read and drive its screen, run adb commands on it.

    Attributes:
        session_id: the lease's id, sent with every call in ``x-session-id``.
        serial: the device's serial.
    """

    def __init__(
        self,
        client: ClientLike,
        *,
        session_id: str,
        serial: str | None,
        state: LeaseState | None = None,
    ) -> None:
        """A device under the lease ``session_id`` (see ``client.devices``)."""
        super().__init__(client)
        self.session_id = session_id
        self.serial = serial
        self._state = state

    def __repr__(self) -> str:
        return f"<LeasedDevice {self.serial!r} of {self._client!r}>"

    def _call(self, endpoint: Endpoint[Any]) -> Program[Any]:
        """Send a device call with the lease; a lease lost in the background raises here."""
        failure = self._state.failure if self._state is not None else None
        if failure is not None:
            raise failure
        leased = endpoint.replace(headers={"x-session-id": self.session_id}, loose=True)
        return (yield from super()._call(leased))

    def _rpc(
        self, method: str, params: Sequence[Any], returns: Any, timeout: float
    ) -> Program[Any]:
        body: dict[str, Any] = {"method": method, "params": list(params), "timeout": timeout}
        if self.serial is not None:
            body["serial"] = self.serial
        return (yield from self._call(Endpoint.of("jsonrpc", returns, body=body)))

    def _bytes(self, route: str) -> Program[bytes]:
        """A device answer that is bytes (XML, PNG) rather than JSON."""
        query = {"serial": self.serial} if self.serial is not None else None
        data: bytes = yield from self._call(Endpoint.of(route, None, params=query, binary=True))
        return data

    # -- reading the device ------------------------------------------------------------------

    @operation
    def jsonrpc(
        self,
        method: str,
        *params: Any,
        rpc_timeout: float = 10.0,
        **options: Unpack[RequestOptions],
    ) -> Program[Any]:
        """Call any uiautomator2 JSON-RPC method by name (``"deviceInfo"``) and return its result.

        ``rpc_timeout`` is the seconds the device may take; a refusal by the device raises
        :class:`~tikmatrix_sdk.DeviceRPCError`.
        """
        if not isinstance(method, str) or not method:
            raise ClientValidationError("method must be a method name", field="method")
        timeout = _seconds(rpc_timeout, "rpc_timeout", low=0.1, high=_MAX_RPC_TIMEOUT)
        return (yield from self._rpc(method, params, None, timeout))

    @operation
    def info(self, **options: Unpack[RequestOptions]) -> Program[DeviceInfo]:
        """Return what the device reports of itself (model, screen size, foreground app)."""
        info: DeviceInfo = yield from self._rpc("deviceInfo", [], models.DeviceInfo, 10.0)
        return info

    @operation
    def window_size(self, **options: Unpack[RequestOptions]) -> Program[tuple[int, int]]:
        """Return the screen's width and height in pixels."""
        info = yield from self._rpc("deviceInfo", [], models.DeviceInfo, 10.0)
        return (info.display_width or 0, info.display_height or 0)

    @operation
    def screenshot(
        self, path: str | pathlib.Path | None = None, **options: Unpack[RequestOptions]
    ) -> Program[bytes]:
        """Return the screen as PNG bytes; with ``path``, also write them to that file."""
        png = yield from self._bytes("screenshot")
        if path is not None:
            pathlib.Path(path).write_bytes(png)
        return png

    @operation
    def hierarchy(self, **options: Unpack[RequestOptions]) -> Program[str]:
        """Return the screen's UI tree as uiautomator's XML dump."""
        xml = yield from self._bytes("hierarchy")
        return xml.decode("utf-8", "replace")

    def _nodes(self) -> Program[list[UiNode]]:
        xml = yield from self._bytes("hierarchy")
        try:
            return _ui_tree.parse_hierarchy(xml)
        except ValueError as error:
            raise ClientValidationError(str(error)) from None

    @operation
    def find(
        self,
        *,
        text: str | None = None,
        text_contains: str | None = None,
        resource_id: str | None = None,
        description: str | None = None,
        class_name: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Program[list[UiNode]]:
        """Return the elements on screen now that match every given selector."""
        selector = _selector(text, text_contains, resource_id, description, class_name)
        return _ui_tree.find_nodes((yield from self._nodes()), selector)

    @operation
    def exists(
        self,
        *,
        text: str | None = None,
        text_contains: str | None = None,
        resource_id: str | None = None,
        description: str | None = None,
        class_name: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Program[bool]:
        """Return whether an element matching the selectors is on screen now."""
        selector = _selector(text, text_contains, resource_id, description, class_name)
        return bool(_ui_tree.find_nodes((yield from self._nodes()), selector))

    def _wait_for(
        self, selector: dict[str, str], timeout: float, interval: float
    ) -> Program[UiNode]:
        deadline = (yield Now()) + timeout
        pauses = delays(interval)
        while True:
            found = _ui_tree.find_nodes((yield from self._nodes()), selector)
            if found:
                return found[0]
            remaining = deadline - (yield Now())
            if remaining <= 0:
                raise ElementNotFoundError(selector, timeout)
            yield Sleep(min(next(pauses), remaining))

    @operation
    def wait_for(
        self,
        *,
        text: str | None = None,
        text_contains: str | None = None,
        resource_id: str | None = None,
        description: str | None = None,
        class_name: str | None = None,
        timeout: float = 10.0,
        interval: float = 0.5,
    ) -> Program[UiNode]:
        """Return the first element matching the selectors once it is on screen.

        Looks again after 20 ms, then twice as long each time, up to every ``interval``
        seconds; raises :class:`~tikmatrix_sdk.ElementNotFoundError`
        after ``timeout`` seconds.
        """
        selector = _selector(text, text_contains, resource_id, description, class_name)
        waited, every = _seconds(timeout, "timeout"), _seconds(interval, "interval")
        return (yield from self._wait_for(selector, waited, max(every, 0.01)))

    # -- driving the device ------------------------------------------------------------------

    @operation
    def click(
        self,
        x: int | None = None,
        y: int | None = None,
        *,
        text: str | None = None,
        text_contains: str | None = None,
        resource_id: str | None = None,
        description: str | None = None,
        class_name: str | None = None,
        timeout: float = 10.0,
    ) -> Program[UiNode | None]:
        """Tap a point (``click(540, 1200)``), or an element (``click(text="Follow")``).

        An element is waited for (up to ``timeout`` seconds) and tapped at its centre; the
        element tapped is returned (``None`` for a point).
        """
        given = (text, text_contains, resource_id, description, class_name)
        if x is not None or y is not None:
            if any(value is not None for value in given):
                raise ClientValidationError("click a point or an element, not both", field="x")
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in (x, y)):
                raise TypeError(f"x and y must be integers, got {x!r}, {y!r}")
            yield from self._rpc("click", [x, y], None, 10.0)
            return None
        selector = _selector(*given)
        node = yield from self._wait_for(selector, _seconds(timeout, "timeout"), 0.5)
        yield from self._rpc("click", list(node.center), None, 10.0)
        return node

    @operation
    def swipe(
        self,
        x1: int,
        y1: int,
        x2: int,
        y2: int,
        *,
        steps: int = 10,
        **options: Unpack[RequestOptions],
    ) -> Program[None]:
        """Swipe from (``x1``, ``y1``) to (``x2``, ``y2``) in ``steps`` moves (5 ms each)."""
        for value in (x1, y1, x2, y2, steps):
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"swipe takes integers, got {value!r}")
        if steps < 1:
            raise ClientValidationError(f"steps must be >= 1, got {steps}", field="steps")
        yield from self._rpc("swipe", [x1, y1, x2, y2, steps], None, 10.0)

    @operation
    def press(self, key: str | int, **options: Unpack[RequestOptions]) -> Program[None]:
        """Press a key: ``"home"``, ``"back"``, ``"recent"``, ``"enter"`` … or a key code."""
        if isinstance(key, str):
            if key.lower() not in KEYS:
                raise ClientValidationError(
                    f"key must be one of {', '.join(sorted(KEYS))} or a key code, got {key!r}",
                    field="key",
                )
            key = key.lower()
        elif isinstance(key, bool) or not isinstance(key, int):
            raise TypeError(f"key must be a key name or a key code, got {key!r}")
        yield from self._rpc(
            "pressKey" if isinstance(key, str) else "pressKeyCode", [key], None, 10.0
        )

    @operation
    def input_text(self, text: str, **options: Unpack[RequestOptions]) -> Program[str]:
        """Type ``text`` into the focused field through TikMatrix's input method.

        Like TikMatrix's own client, this goes through the adb route
        (``am broadcast -a ADB_INPUT_TEXT``), so adb must be enabled in the settings;
        otherwise :class:`~tikmatrix_sdk.PermissionDeniedError`. Returns adb's output.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, got {text!r}")
        if len(text) > _MAX_TEXT:
            raise ClientValidationError(
                f"text is at most {_MAX_TEXT} characters, got {len(text)}", field="text"
            )
        args = ["shell", "am", "broadcast", "-a", "ADB_INPUT_TEXT", "--es", "msg", text]
        return (yield from self._adb(args, None))

    def _adb(self, args: Sequence[str], timeout: float | None) -> Program[str]:
        body: dict[str, Any] = {"args": list(args)}
        if timeout is not None:
            body["timeout_ms"] = int(timeout * 1000)
        if self.serial is not None:
            body["serial"] = self.serial
        output = yield from self._call(Endpoint.of("adb", None, body=body))
        return output if isinstance(output, str) else "" if output is None else str(output)

    @operation
    def adb(
        self, *args: str, adb_timeout: float | None = None, **options: Unpack[RequestOptions]
    ) -> Program[str]:
        """Run an adb command on the device and return its output: ``adb("shell", "ls")``.

        Each argument reaches the device as one word (never through a host shell). The adb
        route is off unless enabled in TikMatrix's settings
        (:class:`~tikmatrix_sdk.PermissionDeniedError` while it is).
        """
        if not args or not all(isinstance(arg, str) for arg in args):
            raise TypeError("adb takes its arguments as strings: adb('shell', 'ls', '/sdcard')")
        timeout = (
            None
            if adb_timeout is None
            else _seconds(adb_timeout, "adb_timeout", low=0.001, high=_MAX_ADB_TIMEOUT)
        )
        return (yield from self._adb(args, timeout))


say_public(["LeasedDevice"], globals())

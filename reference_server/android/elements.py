"""A view on a simulated phone's screen, and how a uiautomator2 selector matches one."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import attrs

from tikmatrix_sdk._contract.patterns import selector_pattern

__all__ = [
    "HEIGHT",
    "LAUNCHER",
    "MAX_TEXT",
    "SETTINGS",
    "SHADES",
    "SYSTEM_UI",
    "WIDTH",
    "Element",
    "matches",
    "xml_text",
]

WIDTH, HEIGHT = 1080, 2340
#: The package of the home screen, and of the Settings app.
LAUNCHER = "com.android.launcher3"
SETTINGS = "com.android.settings"
SYSTEM_UI = "com.android.systemui"
#: The shades the status bar pulls down over whatever is on screen.
SHADES = ("notifications", "quick_settings")


@attrs.define(kw_only=True)
class Element:
    """One view on screen."""

    rid: str = ""
    text: str = ""
    cls: str = "android.widget.TextView"
    desc: str = ""
    editable: bool = False
    field: str = ""
    selected: bool = False
    on_click: Callable[[], None] | None = None
    bounds: tuple[int, int, int, int] = (0, 0, 0, 0)

    def info(self, package: str) -> dict[str, Any]:
        """What uiautomator2's ``objInfo`` returns."""
        left, top, right, bottom = self.bounds
        box = {"left": left, "top": top, "right": right, "bottom": bottom}
        return {
            "bounds": box,
            "visibleBounds": box,
            "childCount": 0,
            "className": self.cls,
            "contentDescription": self.desc,
            "packageName": package,
            "resourceName": self.rid,
            "text": self.text,
            "checkable": False,
            "checked": False,
            "clickable": self.on_click is not None,
            "enabled": True,
            "focusable": True,
            "focused": False,
            "longClickable": False,
            "scrollable": False,
            "selected": self.selected,
        }


#: The most characters a text field holds (typing more is refused).
MAX_TEXT = 100_000
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", value)


def matches(element: Element, selector: dict[str, Any]) -> bool:
    """Whether ``element`` is one that uiautomator2's ``selector`` names."""
    for key, value in selector.items():
        if key in _CHECKED and not isinstance(value, str):
            raise TypeError(f"selector {key} must be a string, got {value!r}")
    checks: dict[str, Callable[[Any], bool]] = {
        "text": lambda v: element.text == v,
        "textContains": lambda v: v in element.text,
        "textStartsWith": lambda v: element.text.startswith(v),
        "textMatches": lambda v: selector_pattern(v).fullmatch(element.text) is not None,
        "resourceId": lambda v: element.rid == v,
        "resourceIdMatches": lambda v: selector_pattern(v).fullmatch(element.rid) is not None,
        "description": lambda v: element.desc == v,
        "descriptionContains": lambda v: v in element.desc,
        "className": lambda v: element.cls == v,
    }
    return all(check(selector[key]) for key, check in checks.items() if key in selector)


_CHECKED = frozenset(
    {
        "text",
        "textContains",
        "textStartsWith",
        "textMatches",
        "resourceId",
        "resourceIdMatches",
        "description",
        "descriptionContains",
        "className",
    }
)

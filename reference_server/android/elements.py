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
    "Node",
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
    """One view on screen: what it shows, what it is, and what a tap on it does."""

    rid: str = ""
    text: str = ""
    cls: str = "android.widget.TextView"
    desc: str = ""
    editable: bool = False
    field: str = ""
    selected: bool = False
    on_click: Callable[[], None] | None = None
    bounds: tuple[int, int, int, int] = (0, 0, 0, 0)
    #: Whether its bounds are its own (a described app's widget), not the screen's next row.
    fixed: bool = False

    def node(self, package: str, *, focused: bool = False) -> Node:
        """The view as uiautomator sees it: every attribute of its dump, typed.

        No screen here has a checkbox, a list that scrolls or a password: those flags keep
        the node's defaults.
        """
        clickable = self.on_click is not None or self.editable
        return Node(
            text=self.text,
            resource_id=self.rid,
            cls=self.cls,
            package=package,
            content_desc=self.desc,
            clickable=clickable,
            focusable=clickable,
            focused=focused,
            selected=self.selected,
            bounds=self.bounds,
        )


@attrs.frozen(kw_only=True)
class Node:
    """One node of the screen's tree, the one model of its dump, ``objInfo`` and selectors."""

    text: str = ""
    resource_id: str = ""
    cls: str = "android.widget.FrameLayout"
    package: str = ""
    content_desc: str = ""
    checkable: bool = False
    checked: bool = False
    clickable: bool = False
    enabled: bool = True
    focusable: bool = False
    focused: bool = False
    scrollable: bool = False
    long_clickable: bool = False
    password: bool = False
    selected: bool = False
    bounds: tuple[int, int, int, int] = (0, 0, 0, 0)

    def dump_attributes(self, index: int) -> dict[str, str]:
        """The attributes of its ``<node>`` in uiautomator's dump, in uiautomator's order."""
        left, top, right, bottom = self.bounds
        flags = {
            "checkable": self.checkable,
            "checked": self.checked,
            "clickable": self.clickable,
            "enabled": self.enabled,
            "focusable": self.focusable,
            "focused": self.focused,
            "scrollable": self.scrollable,
            "long-clickable": self.long_clickable,
            "password": self.password,
            "selected": self.selected,
            "visible-to-user": True,
        }
        return {
            "index": str(index),
            "text": self.text,
            "resource-id": self.resource_id,
            "class": self.cls,
            "package": self.package,
            "content-desc": self.content_desc,
            **{name: str(value).lower() for name, value in flags.items()},
            "bounds": f"[{left},{top}][{right},{bottom}]",
        }

    def info(self, child_count: int = 0) -> dict[str, Any]:
        """What uiautomator2's ``objInfo`` returns for it."""
        left, top, right, bottom = self.bounds
        box = {"left": left, "top": top, "right": right, "bottom": bottom}
        return {
            "bounds": box,
            "visibleBounds": box,
            "childCount": child_count,
            "className": self.cls,
            "contentDescription": self.content_desc,
            "packageName": self.package,
            "resourceName": self.resource_id,
            "text": self.text,
            "checkable": self.checkable,
            "checked": self.checked,
            "clickable": self.clickable,
            "enabled": self.enabled,
            "focusable": self.focusable,
            "focused": self.focused,
            "longClickable": self.long_clickable,
            "scrollable": self.scrollable,
            "selected": self.selected,
        }


#: The most characters a text field holds (typing more is refused).
MAX_TEXT = 100_000
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", value)


def _matched(pattern: str, value: str) -> bool:
    return selector_pattern(pattern).fullmatch(value) is not None


#: uiautomator2's selector keys that name text, and what each asks of the node.
_TEXT_CHECKS: dict[str, Callable[[Node, str], bool]] = {
    "text": lambda node, v: node.text == v,
    "textContains": lambda node, v: v in node.text,
    "textStartsWith": lambda node, v: node.text.startswith(v),
    "textMatches": lambda node, v: _matched(v, node.text),
    "resourceId": lambda node, v: node.resource_id == v,
    "resourceIdMatches": lambda node, v: _matched(v, node.resource_id),
    "description": lambda node, v: node.content_desc == v,
    "descriptionContains": lambda node, v: v in node.content_desc,
    "descriptionStartsWith": lambda node, v: node.content_desc.startswith(v),
    "descriptionMatches": lambda node, v: _matched(v, node.content_desc),
    "className": lambda node, v: node.cls == v,
    "classNameMatches": lambda node, v: _matched(v, node.cls),
    "packageName": lambda node, v: node.package == v,
    "packageNameMatches": lambda node, v: _matched(v, node.package),
}
#: The selector keys that name a flag, and the node's field each reads.
_FLAG_CHECKS = {
    "checkable": "checkable",
    "checked": "checked",
    "clickable": "clickable",
    "enabled": "enabled",
    "focusable": "focusable",
    "focused": "focused",
    "scrollable": "scrollable",
    "longClickable": "long_clickable",
    "selected": "selected",
}


def matches(node: Node, selector: dict[str, Any]) -> bool:
    """Whether ``node`` is one that uiautomator2's ``selector`` names.

    Text keys take strings and flag keys booleans, as uiautomator's ``UiSelector`` does.
    """
    for key, value in selector.items():
        if key in _TEXT_CHECKS and not isinstance(value, str):
            raise TypeError(f"selector {key} must be a string, got {value!r}")
        if key in _FLAG_CHECKS and not isinstance(value, bool):
            raise TypeError(f"selector {key} must be true or false, got {value!r}")
    return all(
        check(node, selector[key]) for key, check in _TEXT_CHECKS.items() if key in selector
    ) and all(
        getattr(node, field) == selector[key]
        for key, field in _FLAG_CHECKS.items()
        if key in selector
    )

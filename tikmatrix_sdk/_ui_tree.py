"""A leased device's screen as data: uiautomator's XML dump read into nodes, and selectors.

TikMatrix's device API gives the hierarchy as XML (``node`` elements with ``text``,
``resource-id``, ``content-desc``, ``class`` and ``bounds="[l,t][r,b]"``); the SDK finds
elements in it itself, as TikMatrix's own client does.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from ._public import say_public
from .errors import ClientValidationError

__all__ = ["SELECTOR_KEYS", "UiNode", "check_selector", "find_nodes", "parse_hierarchy"]

_BOUNDS = re.compile(r"\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]")
#: What a selector may name, and the attribute each one reads.
SELECTOR_KEYS = ("text", "text_contains", "resource_id", "description", "class_name")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class UiNode:
    """One element on a leased device's screen."""

    text: str = ""
    resource_id: str = ""
    description: str = ""
    class_name: str = ""
    package: str = ""
    bounds: tuple[int, int, int, int] = (0, 0, 0, 0)
    clickable: bool = False
    selected: bool = False
    enabled: bool = True
    focusable: bool = False
    focused: bool = False
    checkable: bool = False
    checked: bool = False
    scrollable: bool = False
    long_clickable: bool = False
    password: bool = False

    @property
    def center(self) -> tuple[int, int]:
        """Where a click on the element lands, its middle point."""
        left, top, right, bottom = self.bounds
        return (left + right) // 2, (top + bottom) // 2


UiNode.__init__.__doc__ = "An element, as read from a hierarchy dump."


#: The flags of a dump's ``node`` the SDK reads (each ``"true"`` or ``"false"``).
_FLAGS = (
    "clickable", "selected", "enabled", "focusable", "focused", "checkable", "checked",
    "scrollable", "long-clickable", "password",
)  # fmt: skip


def _element_tree() -> Any:
    """The XML parser, loaded with the first hierarchy (a program may never ask for one)."""
    import xml.etree.ElementTree as ElementTree

    return ElementTree


def _flag(value: str | None) -> bool:
    return value == "true"


def parse_hierarchy(xml: str | bytes) -> list[UiNode]:
    """Every ``node`` of a uiautomator dump, in document order."""
    try:
        root = _element_tree().fromstring(xml)
    except _element_tree().ParseError as error:
        raise ValueError(f"the hierarchy is not XML: {error}") from None
    nodes = []
    for element in root.iter("node"):
        match = _BOUNDS.fullmatch(element.get("bounds", ""))
        bounds = tuple(int(part) for part in match.groups()) if match else (0, 0, 0, 0)
        nodes.append(
            UiNode(
                text=element.get("text", ""),
                resource_id=element.get("resource-id", ""),
                description=element.get("content-desc", ""),
                class_name=element.get("class", ""),
                package=element.get("package", ""),
                bounds=bounds,  # type: ignore[arg-type]
                **{
                    name.replace("-", "_"): _flag(element.get(name))
                    for name in _FLAGS
                    if element.get(name) is not None
                },
            )
        )
    return nodes


def check_selector(selector: Mapping[str, Any]) -> dict[str, str]:
    """A selector with at least one known key, each a string."""
    if not selector:
        raise ClientValidationError(
            f"name the element by at least one of {', '.join(SELECTOR_KEYS)}", field="selector"
        )
    for key, value in selector.items():
        if key not in SELECTOR_KEYS:
            raise TypeError(f"unknown selector {key!r}: use {', '.join(SELECTOR_KEYS)}")
        if not isinstance(value, str):
            raise TypeError(f"selector {key} must be a string, got {value!r}")
    return dict(selector)


def _matches(node: UiNode, selector: Mapping[str, str]) -> bool:
    for key, wanted in selector.items():
        if key == "text_contains":
            if wanted not in node.text:
                return False
        elif getattr(node, key) != wanted:
            return False
    return True


def find_nodes(nodes: list[UiNode], selector: Mapping[str, str]) -> list[UiNode]:
    """The nodes matching every key of ``selector``."""
    return [node for node in nodes if _matches(node, selector)]


say_public(["UiNode"], globals())

"""Your own app on a simulated phone, described as data.

It is screens of widgets, and what a tap, typed text or the back key does. An app is a JSON object::

    {"package": "com.example.notes", "label": "Notes", "start": "list",
     "screens": {
       "list": {"widgets": [
         {"id": "title", "text": "My notes"},
         {"id": "new", "class": "android.widget.Button", "text": "New",
          "on_click": {"go": "edit"}}]},
       "edit": {"widgets": [
         {"id": "body", "class": "android.widget.EditText"},
         {"id": "save", "class": "android.widget.Button", "text": "Save",
          "on_click": {"set_text": {"id": "title", "text": "Saved: {body}"},
                       "toast": "Saved", "go": "list"}}],
        "on_back": {"go": "list"}}}}

A widget has a ``class`` (``android.widget.TextView`` unless said), ``text``, an ``id``
(``body`` is the resource id ``com.example.notes:id/body``), a ``description`` (its
content-desc), ``bounds`` (``[left, top, right, bottom]``; else it takes the next row of the
screen), and actions: ``on_click`` (a tap), ``on_text`` (text typed into it). An action may
``go`` to a screen, ``set_text`` of a widget (``{id}`` in a text is that widget's text now),
and show a ``toast``, in that order. A screen's ``on_back`` is what the back key does (by
default: the start screen, and from there the launcher). An ``EditText`` holds what is typed.

:func:`read_app` checks a description, naming the field of each mistake; every bound is
here, and :data:`APP_SCHEMA` states the same rules as a JSON Schema for the OpenAPI document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = [
    "APP_SCHEMA",
    "MAX_APP_BYTES",
    "MAX_SCREENS",
    "MAX_TEXT",
    "MAX_WIDGETS",
    "Action",
    "AppError",
    "DescribedApp",
    "Screen",
    "Widget",
    "read_app",
]

#: A description's bounds: its JSON size, its screens, a screen's widgets, a text's length.
MAX_APP_BYTES, MAX_SCREENS, MAX_WIDGETS, MAX_TEXT = 256 * 1024, 50, 100, 1000
_PACKAGE = r"^[A-Za-z][A-Za-z0-9_]{0,49}(\.[A-Za-z][A-Za-z0-9_]{0,49}){1,7}$"
_NAME = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
_CLASS = r"^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*){0,9}$"
_TEMPLATE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]{0,63})\}")
#: The largest coordinate a widget's bounds may give (a display is 2340 pixels at most).
MAX_COORDINATE = 10_000


class AppError(ValueError):
    """A description that cannot be installed: the field, and what is wrong with it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@attrs.frozen
class Action:
    """What a tap, typed text or the back key does: go, set a widget's text, show a toast."""

    go: str | None = None
    set_text: tuple[str, str] | None = None
    toast: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The action as it was described."""
        out: dict[str, Any] = {}
        if self.go is not None:
            out["go"] = self.go
        if self.set_text is not None:
            out["set_text"] = {"id": self.set_text[0], "text": self.set_text[1]}
        if self.toast is not None:
            out["toast"] = self.toast
        return out


@attrs.frozen
class Widget:
    """One view of a screen."""

    id: str = ""
    cls: str = "android.widget.TextView"
    text: str = ""
    description: str = ""
    bounds: tuple[int, int, int, int] | None = None
    on_click: Action | None = None
    on_text: Action | None = None

    @property
    def editable(self) -> bool:
        """Whether it holds typed text (an ``EditText``)."""
        return self.cls.endswith("EditText")

    def to_json(self) -> dict[str, Any]:
        """The widget as it was described (its defaults left out)."""
        out: dict[str, Any] = {"class": self.cls}
        for name, value in (
            ("id", self.id),
            ("text", self.text),
            ("description", self.description),
        ):
            if value:
                out[name] = value
        if self.bounds is not None:
            out["bounds"] = list(self.bounds)
        if self.on_click is not None:
            out["on_click"] = self.on_click.to_json()
        if self.on_text is not None:
            out["on_text"] = self.on_text.to_json()
        return out


@attrs.frozen
class Screen:
    """A screen: its widgets, top to bottom, and what the back key does on it."""

    widgets: tuple[Widget, ...]
    on_back: Action | None = None


@attrs.frozen
class DescribedApp:
    """An app described as data, installed on a phone."""

    package: str
    label: str
    start: str
    screens: Mapping[str, Screen]
    version_name: str = "1.0"
    version_code: int = 1

    def rid(self, widget_id: str) -> str:
        """A widget's resource id: its ``id`` in the app's package."""
        return f"{self.package}:id/{widget_id}" if widget_id else ""

    def to_json(self) -> dict[str, Any]:
        """The description, as it can be given again."""
        screens: dict[str, Any] = {}
        for name, screen in self.screens.items():
            screens[name] = {"widgets": [widget.to_json() for widget in screen.widgets]}
            if screen.on_back is not None:
                screens[name]["on_back"] = screen.on_back.to_json()
        return {
            "package": self.package,
            "label": self.label,
            "version_name": self.version_name,
            "version_code": self.version_code,
            "start": self.start,
            "screens": screens,
        }


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``{id}`` replaced by that widget's text now (unknown ones: empty)."""
    return _TEMPLATE.sub(lambda found: values.get(found.group(1), ""), text)


# -- reading a description ---------------------------------------------------------------------


def read_app(data: Any) -> DescribedApp:
    """A description, checked: :class:`AppError` names the first field that is wrong.

    Whatever ``data`` is, nothing else is raised: a value of a type no rule foresaw, or JSON
    nested too deep to measure, is refused as the description's own mistake.
    """
    try:
        return _read_app(data)
    except AppError:
        raise
    except (TypeError, ValueError, RecursionError) as error:
        raise AppError("app", f"cannot be read: {type(error).__name__}") from None


def _read_app(data: Any) -> DescribedApp:
    if not isinstance(data, Mapping):
        raise AppError("app", "must be a JSON object")
    size = len(json.dumps(data, ensure_ascii=False).encode())
    if size > MAX_APP_BYTES:
        raise AppError("app", f"is {size} bytes of JSON; at most {MAX_APP_BYTES}")
    _only(data, "app", {"package", "label", "start", "screens", "version_name", "version_code"})
    package = _matching(data.get("package"), "package", _PACKAGE)
    label = _text(data.get("label", package), "label", required=True)
    version_name = _text(data.get("version_name", "1.0"), "version_name", required=True)
    version_code = data.get("version_code", 1)
    if isinstance(version_code, bool) or not isinstance(version_code, int):
        raise AppError("version_code", "must be an integer")
    if not 1 <= version_code <= 2**31 - 1:
        raise AppError("version_code", f"must be from 1 to {2**31 - 1}")
    screens_data = data.get("screens")
    if not isinstance(screens_data, Mapping) or not screens_data:
        raise AppError("screens", "must be an object of at least one screen")
    if len(screens_data) > MAX_SCREENS:
        raise AppError("screens", f"at most {MAX_SCREENS} screens")
    screens = {
        _matching(name, f"screens.{name}", _NAME): _screen(value, f"screens.{name}")
        for name, value in screens_data.items()
    }
    start = _matching(data.get("start", next(iter(screens))), "start", _NAME)
    if start not in screens:
        raise AppError("start", f"names no screen: {start!r}")
    app = DescribedApp(package, label, start, screens, version_name, version_code)
    _check_targets(app)
    return app


def _only(data: Mapping[str, Any], where: str, allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise AppError(f"{where}.{unknown[0]}" if where != "app" else unknown[0], "is not a field")


def _text(value: Any, field: str, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise AppError(field, "must be a string")
    if len(value) > MAX_TEXT:
        raise AppError(field, f"at most {MAX_TEXT} characters")
    if required and not value:
        raise AppError(field, "must not be empty")
    return value


def _matching(value: Any, field: str, pattern: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise AppError(field, f"must match {pattern}, got {value!r}")
    return value


def _screen(data: Any, where: str) -> Screen:
    if not isinstance(data, Mapping):
        raise AppError(where, "must be an object with widgets")
    _only(data, where, {"widgets", "on_back"})
    widgets = data.get("widgets")
    if not isinstance(widgets, list):
        raise AppError(f"{where}.widgets", "must be an array")
    if len(widgets) > MAX_WIDGETS:
        raise AppError(f"{where}.widgets", f"at most {MAX_WIDGETS} widgets")
    read = tuple(_widget(item, f"{where}.widgets[{i}]") for i, item in enumerate(widgets))
    ids = [widget.id for widget in read if widget.id]
    if len(ids) != len(set(ids)):
        raise AppError(f"{where}.widgets", "each id at most once on a screen")
    back = data.get("on_back")
    return Screen(read, None if back is None else _action(back, f"{where}.on_back"))


def _widget(data: Any, where: str) -> Widget:
    if not isinstance(data, Mapping):
        raise AppError(where, "must be an object")
    _only(data, where, {"id", "class", "text", "description", "bounds", "on_click", "on_text"})
    widget_id = data.get("id", "")
    if widget_id != "":  # any value but the empty string must be a name
        _matching(widget_id, f"{where}.id", _NAME)
    bounds = data.get("bounds")
    if bounds is not None:
        if (
            not isinstance(bounds, list)
            or len(bounds) != 4
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in bounds)
            or not all(0 <= n <= MAX_COORDINATE for n in bounds)
            or not (bounds[0] < bounds[2] and bounds[1] < bounds[3])
        ):
            raise AppError(
                f"{where}.bounds",
                f"must be [left, top, right, bottom], integers from 0 to {MAX_COORDINATE}, "
                "left < right and top < bottom",
            )
        bounds = tuple(bounds)
    actions = {
        name: _action(data[name], f"{where}.{name}")
        for name in ("on_click", "on_text")
        if data.get(name) is not None
    }
    return Widget(
        id=widget_id,
        cls=_matching(data.get("class", "android.widget.TextView"), f"{where}.class", _CLASS),
        text=_text(data.get("text", ""), f"{where}.text"),
        description=_text(data.get("description", ""), f"{where}.description"),
        bounds=bounds,
        **actions,
    )


def _action(data: Any, where: str) -> Action:
    if not isinstance(data, Mapping) or not data:
        raise AppError(where, "must be an object with go, set_text or toast")
    _only(data, where, {"go", "set_text", "toast"})
    go = data.get("go")
    if go is not None:
        _matching(go, f"{where}.go", _NAME)
    set_text = data.get("set_text")
    if set_text is not None:
        if not isinstance(set_text, Mapping) or set(set_text) != {"id", "text"}:
            raise AppError(f"{where}.set_text", "must be {id, text}")
        set_text = (
            _matching(set_text["id"], f"{where}.set_text.id", _NAME),
            _text(set_text["text"], f"{where}.set_text.text"),
        )
    toast = data.get("toast")
    return Action(
        go=go,
        set_text=set_text,
        toast=None if toast is None else _text(toast, f"{where}.toast", required=True),
    )


def _check_targets(app: DescribedApp) -> None:
    """Every ``go`` names a screen, and every ``set_text`` a widget of the app."""
    ids = {widget.id for screen in app.screens.values() for widget in screen.widgets}
    for name, screen in app.screens.items():
        actions = [(f"screens.{name}.on_back", screen.on_back)] + [
            (f"screens.{name}.widgets[{i}].{kind}", getattr(widget, kind))
            for i, widget in enumerate(screen.widgets)
            for kind in ("on_click", "on_text")
        ]
        for where, action in actions:
            if action is None:
                continue
            if action.go is not None and action.go not in app.screens:
                raise AppError(f"{where}.go", f"names no screen: {action.go!r}")
            if action.set_text is not None and action.set_text[0] not in ids:
                raise AppError(f"{where}.set_text.id", f"names no widget: {action.set_text[0]!r}")


# -- the same rules, as the OpenAPI document states them ---------------------------------------

_STRING = {"type": "string", "maxLength": MAX_TEXT}
_ACTION = {
    "type": "object",
    "minProperties": 1,
    "properties": {
        "go": {"type": "string", "pattern": _NAME},
        "set_text": {
            "type": "object",
            "properties": {"id": {"type": "string", "pattern": _NAME}, "text": _STRING},
            "required": ["id", "text"],
            "additionalProperties": False,
        },
        "toast": {**_STRING, "minLength": 1},
    },
    "additionalProperties": False,
}
_WIDGET = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": _NAME},
        "class": {"type": "string", "pattern": _CLASS, "default": "android.widget.TextView"},
        "text": _STRING,
        "description": _STRING,
        "bounds": {
            "type": "array",
            "items": {"type": "integer", "minimum": 0, "maximum": MAX_COORDINATE},
            "minItems": 4,
            "maxItems": 4,
        },
        "on_click": _ACTION,
        "on_text": _ACTION,
    },
    "additionalProperties": False,
}
#: A description as a JSON Schema. What it cannot say (a ``go`` naming a screen of the app, a
#: ``set_text`` one of its widgets, ids unique on a screen, the JSON's size) :func:`read_app`
#: checks too.
APP_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "package": {"type": "string", "pattern": _PACKAGE},
        "label": {**_STRING, "minLength": 1},
        "version_name": {**_STRING, "minLength": 1},
        "version_code": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
        "start": {"type": "string", "pattern": _NAME},
        "screens": {
            "type": "object",
            "minProperties": 1,
            "maxProperties": MAX_SCREENS,
            "propertyNames": {"pattern": _NAME},
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "widgets": {"type": "array", "items": _WIDGET, "maxItems": MAX_WIDGETS},
                    "on_back": _ACTION,
                },
                "required": ["widgets"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["package", "screens"],
    "additionalProperties": False,
}

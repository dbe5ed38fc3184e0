"""The screens of an app described as data (:mod:`.described_apps`), on a phone's UI.

:class:`CustomScreens` is mixed into the phone's UI (:class:`~.ui.PhoneUI`): the described
app in front, its screen's widgets as the UI's elements (each widget's text is its text now:
what was typed, or what an action set), and what a tap, typed text or the back key does.
"""

from __future__ import annotations

import functools
from typing import Any

from .described_apps import Action, DescribedApp, Widget, fill
from .elements import Element

__all__ = ["CustomScreens"]


class CustomScreens:
    """A described app's screens; the UI provides the state declared here."""

    #: The described app in front, if any (``None`` for the built-in apps and the launcher).
    custom: DescribedApp | None
    screen: str
    context: dict[str, Any]
    focused: str | None
    shade: str | None
    last_toast: str | None

    def _go(self, screen: str, **context: Any) -> None:  # pragma: no cover - the UI's
        raise NotImplementedError

    def _show(self, app: DescribedApp) -> None:
        """Bring ``app`` to the front on its start screen, its widgets as described."""
        self.custom = app
        self._go(app.start)  # a new context: the widgets' texts (typed or set), by widget id

    def _custom_go(self, screen: str) -> None:
        """Another screen of the app in front; the texts typed and set stay."""
        values = self.context
        self._go(screen)
        self.context = values

    def _custom_views(self, app: DescribedApp) -> list[Element]:
        return [self._element(app, widget) for widget in app.screens[self.screen].widgets]

    def _text_of(self, widget: Widget) -> str:
        return str(self.context.get(widget.id, widget.text)) if widget.id else widget.text

    def _element(self, app: DescribedApp, widget: Widget) -> Element:
        action = widget.on_click
        element = Element(
            rid=app.rid(widget.id),
            text=self._text_of(widget),
            cls=widget.cls,
            desc=widget.description,
            editable=widget.editable,
            field=widget.id if widget.editable else "",
            on_click=None if action is None else functools.partial(self._run, action),
        )
        if widget.bounds is not None:
            element.bounds = widget.bounds
            element.fixed = True
        return element

    def _values(self, app: DescribedApp) -> dict[str, str]:
        """Every widget's text now, by id (what ``{id}`` in an action's text reads)."""
        return {
            widget.id: self._text_of(widget)
            for screen in app.screens.values()
            for widget in screen.widgets
            if widget.id
        }

    def _run(self, action: Action) -> None:
        """Do an action: set a widget's text, show a toast, then go to a screen."""
        app = self.custom
        if app is None:  # pragma: no cover - the app left the front between look and tap
            return
        if action.set_text is not None:
            widget_id, text = action.set_text
            self.context[widget_id] = fill(text, self._values(app))
        if action.toast is not None:
            self.last_toast = fill(action.toast, self._values(app))
        if action.go is not None:
            self._custom_go(action.go)

    def _custom_typed(self, field: str) -> None:
        """Text was typed into ``field``: its widget's ``on_text`` runs, if it has one."""
        app = self.custom
        if app is None:
            return
        widget = next((w for w in app.screens[self.screen].widgets if w.id == field), None)
        if widget is not None and widget.on_text is not None:
            self._run(widget.on_text)

    def _custom_back(self, app: DescribedApp) -> bool:
        """The back key on a described app: False when it leaves the app (to the launcher)."""
        on_back = app.screens[self.screen].on_back
        if on_back is not None:
            self._run(on_back)
            return True
        if self.screen != app.start:
            self._custom_go(app.start)
            return True
        return False

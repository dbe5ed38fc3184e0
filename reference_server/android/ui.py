"""The screens of a simulated phone: its launcher and the TikTok and Instagram apps.

:class:`PhoneUI` is what is on screen and what each tap does. It reaches its phone only
through :class:`PhoneSide` (what is installed, followed and in the gallery, and where to
record what the apps did); uiautomator2's methods (:mod:`.uiautomator`) read and drive it,
and :mod:`.render` draws it.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import unquote, urlparse
from xml.sax.saxutils import quoteattr

from .apps import APPS, App, app_for
from .custom_screens import CustomScreens
from .described_apps import DescribedApp
from .elements import (
    HEIGHT,
    LAUNCHER,
    MAX_TEXT,
    SETTINGS,
    SHADES,
    SYSTEM_UI,
    WIDTH,
    Element,
    Node,
    matches,
    xml_text,
)
from .screens import PhoneSide, Screens

__all__ = [
    "HEIGHT",
    "LAUNCHER",
    "MAX_TEXT",
    "SETTINGS",
    "STATUS_BAR",
    "WIDTH",
    "Element",
    "PhoneSide",
    "PhoneUI",
    "xml_text",
]


class PhoneUI(Screens, CustomScreens):
    """The foreground app and its current screen; clicks and typing move between screens."""

    def __init__(self, phone: PhoneSide) -> None:
        self.phone = phone
        self.app: App | None = None
        self.custom: DescribedApp | None = None
        self.screen = "launcher"
        self.context: dict[str, Any] = {}
        #: The text field that has the keyboard's focus (its key in the screen's context).
        self.focused: str | None = None
        #: What was last copied (uiautomator2's send_keys pastes through it).
        self.clipboard = ""
        #: Whether the display is on (the power key, uiautomator2's wakeUp and sleep).
        self.screen_on = True
        #: The display's rotation: 0 upright, 1 left (90°), 2 upside down, 3 right (270°).
        self.rotation = 0
        #: The shade pulled down over the screen, if any (one of :data:`SHADES`).
        self.shade: str | None = None
        #: The last toast an app showed, and the last text accessibility traversed.
        self.last_toast: str | None = None
        self.last_traversed_text: str | None = None
        self.lock = threading.RLock()

    # -- navigation (from shell commands) ----------------------------------------------------

    def launch(self, package: str) -> None:
        """Open an app on its home feed (an app described as data: on its start screen)."""
        with self.lock:
            self.app = next((a for a in APPS.values() if a.package == package), None)
            described = self.phone.described.get(package)
            self.custom = None
            if described is not None and self.app is None:
                self._show(described)
                return
            self._go("home" if self.app else "launcher")

    def stop(self, package: str) -> None:
        """Force-stop an app."""
        with self.lock:
            in_front = self.app.package if self.app else self.custom.package if self.custom else ""
            if in_front == package:
                self.app = self.custom = None
                self._go("launcher")

    def view(self, url: str) -> bool:
        """Open a URL as TikTok and Instagram do: a profile, or a post."""
        app = app_for(None, url)
        if app.package not in self.phone.packages:
            return False
        with self.lock:
            self.app, self.custom = app, None
            path = unquote(urlparse(url).path).strip("/")
            if path.startswith(("music/", "reels/audio/")):
                self._go("sound", sound=url)
            elif "/video/" in path or path.startswith(("p/", "reel/")):
                self._go("post_view", url=url)
            else:
                self._go("profile", user=path.lstrip("@"))
        return True

    def share(self, package: str, device_path: str) -> bool:
        """Android's share intent: the app opens its caption screen with the file picked."""
        app = next((a for a in APPS.values() if a.package == package), None)
        if app is None or package not in self.phone.packages:
            return False
        with self.lock:
            self.app, self.custom = app, None
            self._go("publish", picked=[device_path], caption="", way="share")
        return True

    def _go(self, screen: str, **context: Any) -> None:
        self.screen = screen
        self.context = context
        self.focused = None
        self.shade = None
        self.phone.in_front(self.package)

    def back(self) -> None:
        """The back key: closes a shade, else to the app's home, or the launcher."""
        with self.lock:
            if self.shade is not None:
                self.shade = None
                return
            if self.custom is not None:
                if self._custom_back(self.custom):
                    return
                self.custom = None  # out of the app: it runs on behind the launcher
            self._go("home" if self.app else "launcher")

    def home(self) -> None:
        """The home key: the launcher, the app left running behind it."""
        with self.lock:
            self.app = self.custom = None
            self._go("launcher")

    def press_key(self, code: int) -> None:
        """What a key does to the screen: back, home, and the power keys (26, 223, 224)."""
        if code == 4:
            self.back()
        elif code == 3:
            self.home()
        elif code == 26:  # power: the display off, or on
            self.wake(not self.screen_on)
        elif code in (223, 224):
            self.wake(code == 224)

    def reset(self) -> None:
        """As the phone started: the launcher on a lit, upright display; no toast."""
        with self.lock:
            self.app = self.custom = None
            self._go("launcher")
            self.screen_on, self.rotation = True, 0
            self.last_toast = self.last_traversed_text = None

    def pull_down(self, shade: str) -> None:
        """Pull the notifications or the quick settings down over the screen."""
        if shade not in SHADES:
            raise ValueError(f"no shade {shade!r}")
        with self.lock:
            self.shade = shade
            self.focused = None

    def wake(self, on: bool = True) -> None:
        """Turn the display on (or off)."""
        with self.lock:
            self.screen_on = on

    def rotate(self, rotation: int) -> None:
        """Turn the display: 0 to 3 quarter turns counter-clockwise."""
        if rotation not in (0, 1, 2, 3):
            raise ValueError(f"rotation is 0 to 3, got {rotation!r}")
        with self.lock:
            self.rotation = rotation

    @property
    def size(self) -> tuple[int, int]:
        """The display's width and height as it is turned (a landscape phone is wide)."""
        return (HEIGHT, WIDTH) if self.rotation % 2 else (WIDTH, HEIGHT)

    def settings(self) -> None:
        """Open the Settings app."""
        with self.lock:
            self.app = self.custom = None
            self._go("settings")

    @property
    def package(self) -> str:
        """The package in the foreground."""
        if self.shade is not None:
            return SYSTEM_UI
        app = self.app
        if app:
            return app.package
        if self.custom is not None:
            return self.custom.package
        return SETTINGS if self.screen == "settings" else LAUNCHER

    def caption(self) -> str:
        """What the screen shows, in a few words (the dashboard's caption under its picture)."""
        with self.lock:
            app, screen, context = self.app, self.screen, dict(self.context)
            custom = self.custom
        if custom is not None:
            return f"{custom.label} · {screen}"
        if app is None:
            return "Settings" if screen == "settings" else "Home screen"
        words = {
            "home": "feed",
            "post_view": "a post",
            "publish": "new post",
            "sound": "a sound",
            "comments": "comments",
        }
        shown = words.get(screen, screen.replace("_", " "))
        if screen == "profile":
            shown = f"profile of @{context.get('user', '')}"
        elif screen == "search" and context.get("query"):
            shown = f"search: {context['query']}"
        return f"{app.name} · {shown}"

    # -- the screens -------------------------------------------------------------------------

    def elements(self) -> list[Element]:
        """The views of the current screen, laid out top to bottom for the display as it is.

        A turned display lays the screen out again, as an app does in landscape: the rows
        span its width, and are as tall as fits (at most 120 pixels a row).
        """
        with self.lock:
            views = self._views()
            width, height = self.size
        rows = [element for element in views if not element.fixed]
        step = min(ROW, (height - FIRST_ROW) // max(1, len(rows)))
        for index, element in enumerate(rows):
            top = FIRST_ROW + index * step
            element.bounds = (0, top, width, top + step - ROW_GAP)
        return views

    def _views(self) -> list[Element]:
        if self.shade is not None:
            return self._shade()
        if self.custom is not None:
            return self._custom_views(self.custom)
        app = self.app
        if app is None:
            return self._settings_screen() if self.screen == "settings" else self._launcher()
        build = getattr(self, f"_screen_{self.screen}")
        views: list[Element] = build(app)
        return views

    # -- what uiautomator2 asks --------------------------------------------------------------

    def node(self, element: Element) -> Node:
        """An element of the screen as uiautomator sees it (its package, whether focused)."""
        focused = element.editable and element.field == self.focused
        return element.node(self.package, focused=focused)

    def find(self, selector: dict[str, Any]) -> list[Element]:
        """The elements matching a uiautomator2 selector."""
        if not isinstance(selector, dict):
            raise TypeError(f"a selector is an object, got {selector!r}")
        found = [e for e in self.elements() if matches(self.node(e), selector)]
        instance = selector.get("instance")
        if isinstance(instance, int):
            return found[instance : instance + 1]
        return found

    def click(self, x: float, y: float) -> bool:
        """Tap the element under a point."""
        for element in self.elements():
            left, top, right, bottom = element.bounds
            if not (left <= x < right and top <= y < bottom):
                continue
            if element.editable:  # a tap on a text field gives it the keyboard
                with self.lock:
                    self.focused = element.field
                return True
            if element.on_click:
                with self.lock:
                    element.on_click()
                return True
        return False

    def clear_focused(self) -> bool:
        """Empty the focused field (else the screen's first); False if there is none."""
        with self.lock:
            fields = [element.field for element in self._views() if element.editable]
            if not fields:
                return False
            key = self.focused if self.focused in fields else fields[0]
            self.context[key] = ""
            self._custom_typed(key)
        return True

    def type_text(self, text: str) -> bool:
        """Type at the end of the focused field (else the screen's first); False if none."""
        with self.lock:
            fields = [element.field for element in self._views() if element.editable]
            if not fields:
                return False
            key = self.focused if self.focused in fields else fields[0]
            typed = str(self.context.get(key, "")) + text
            if len(typed) > MAX_TEXT:
                return False
            self.focused = key
            self.context[key] = typed
            self._custom_typed(key)
        return True

    def set_text(self, selector: dict[str, Any], text: str) -> bool:
        """Type into an editable field."""
        if len(text) > MAX_TEXT:
            raise ValueError(f"a text field holds at most {MAX_TEXT} characters")
        found = [e for e in self.find(selector) if e.editable]
        if not found:
            return False
        with self.lock:
            self.context[found[0].field] = text
            self._custom_typed(found[0].field)
        return True

    def swipe(self) -> None:
        """A swipe on the feed: the next video."""
        if self.app is not None and self.screen == "home":
            self.phone.record("watch", self.app)

    def hierarchy(self) -> str:
        """The screen as uiautomator's XML dump: an app window's tree, every attribute.

        The window's decor (a ``FrameLayout`` the size of the display) holds a
        ``LinearLayout`` that holds ``android:id/content``, below the status bar; the
        screen's views are its children, as an app's views are on a phone.
        """
        package = self.package
        width, height = self.size
        leaves = "".join(
            _node_xml(self.node(element), index) for index, element in enumerate(self.elements())
        )
        frame = Node(package=package, bounds=(0, 0, width, height))
        column = Node(cls="android.widget.LinearLayout", package=package, bounds=frame.bounds)
        content = Node(
            resource_id="android:id/content", package=package, bounds=(0, STATUS_BAR, width, height)
        )
        tree = _node_xml(frame, 0, _node_xml(column, 0, _node_xml(content, 0, leaves)))
        return (
            "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>"
            f'<hierarchy rotation="{self.rotation}">{tree}</hierarchy>'
        )


#: The status bar's height (where an app's content begins), where the first row of a screen
#: begins, a row's height at most, and the gap under each.
STATUS_BAR, FIRST_ROW, ROW, ROW_GAP = 84, 100, 120, 20


def _node_xml(node: Node, index: int, children: str = "") -> str:
    """One ``<node>`` of the dump, with its children inside it."""
    attributes = " ".join(
        f"{name}={quoteattr(xml_text(value))}"
        for name, value in node.dump_attributes(index).items()
    )
    return f"<node {attributes}>{children}</node>" if children else f"<node {attributes} />"

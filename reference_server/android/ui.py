"""The screens of a simulated phone: its launcher and the TikTok and Instagram apps.

:class:`PhoneUI` is what is on screen and what each tap does. It reaches its phone only
through :class:`PhoneSide` (what is installed, followed and in the gallery, and where to
record what the apps did); uiautomator2's methods (:mod:`.uiautomator`) read and drive it,
and :mod:`.render` draws it.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import unquote, urlparse
from xml.sax.saxutils import quoteattr

import attrs

from tikmatrix_sdk._contract.patterns import selector_pattern

from .apps import APPS, App, app_for

__all__ = [
    "HEIGHT",
    "LAUNCHER",
    "MAX_TEXT",
    "SETTINGS",
    "WIDTH",
    "Element",
    "PhoneSide",
    "PhoneUI",
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


def _matches(element: Element, selector: dict[str, Any]) -> bool:
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


class PhoneSide(Protocol):
    """What the screens need of their phone."""

    serial: str
    packages: set[str]
    gallery: list[str]
    following: dict[str, set[str]]
    settings: dict[tuple[str, str], str]

    def record(self, action: str, app: App, **details: Any) -> None:
        """Remember something the apps did."""
        ...

    def toggle_follow(self, app: App, user: str) -> None:
        """The follow button of a profile."""
        ...

    def publish(
        self,
        app: App,
        paths: list[str],
        caption: str,
        *,
        way: str,
        sound: str,
        settings: dict[str, Any],
    ) -> None:
        """A post: its caption and its media."""
        ...


class PhoneUI:
    """The foreground app and its current screen; clicks and typing move between screens."""

    def __init__(self, phone: PhoneSide) -> None:
        self.phone = phone
        self.app: App | None = None
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
        """Open an app on its home feed."""
        with self.lock:
            self.app = next((a for a in APPS.values() if a.package == package), None)
            self._go("home" if self.app else "launcher")

    def stop(self, package: str) -> None:
        """Force-stop an app."""
        with self.lock:
            if self.app and self.app.package == package:
                self.app = None
                self._go("launcher")

    def view(self, url: str) -> bool:
        """Open a URL as TikTok and Instagram do: a profile, or a post."""
        app = app_for(None, url)
        if app.package not in self.phone.packages:
            return False
        with self.lock:
            self.app = app
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
            self.app = app
            self._go("publish", picked=[device_path], caption="", way="share")
        return True

    def _go(self, screen: str, **context: Any) -> None:
        self.screen = screen
        self.context = context
        self.focused = None
        self.shade = None

    def back(self) -> None:
        """The back key: closes a shade, else to the app's home, or the launcher."""
        with self.lock:
            if self.shade is not None:
                self.shade = None
                return
            self._go("home" if self.app else "launcher")

    def home(self) -> None:
        """The home key: the launcher, the app left running behind it."""
        with self.lock:
            self.app = None
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
            self.app = None
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
            self.app = None
            self._go("settings")

    @property
    def package(self) -> str:
        """The package in the foreground."""
        if self.shade is not None:
            return SYSTEM_UI
        app = self.app
        if app:
            return app.package
        return SETTINGS if self.screen == "settings" else LAUNCHER

    def caption(self) -> str:
        """What the screen shows, in a few words (the dashboard's caption under its picture)."""
        with self.lock:
            app, screen, context = self.app, self.screen, dict(self.context)
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
        """The views of the current screen, laid out top to bottom."""
        with self.lock:
            views = self._views()
        for index, element in enumerate(views):
            element.bounds = (0, 100 + index * 120, WIDTH, 200 + index * 120)
        return views

    def _views(self) -> list[Element]:
        if self.shade is not None:
            return self._shade()
        app = self.app
        if app is None:
            return self._settings_screen() if self.screen == "settings" else self._launcher()
        build = getattr(self, f"_screen_{self.screen}")
        views: list[Element] = build(app)
        return views

    def _launcher(self) -> list[Element]:
        """An icon per installed app, and Settings; a tap opens it."""
        icons = [
            Element(
                rid=f"{LAUNCHER}:id/icon",
                text=app.name,
                desc=app.name,
                on_click=functools.partial(self.launch, app.package),
            )
            for app in APPS.values()
            if app.package in self.phone.packages
        ]
        settings = Element(
            rid=f"{LAUNCHER}:id/icon", text="Settings", desc="Settings", on_click=self.settings
        )
        return [*icons, settings]

    def _settings_screen(self) -> list[Element]:
        """The Settings app's first screen."""
        items = ["Network & internet", "Connected devices", "Apps", "Display", "About phone"]
        return [
            Element(rid=f"{SETTINGS}:id/title", text="Settings"),
            *(Element(rid=f"{SETTINGS}:id/item", text=item) for item in items),
        ]

    def _shade(self) -> list[Element]:
        """The notifications (a few of the system's own) or the quick settings' tiles."""
        if self.shade == "notifications":
            title = "Notifications"
            items = ["USB debugging connected", "Android System · Charging this device via USB"]
        else:
            title = "Quick settings"
            items = ["Internet", "Bluetooth", "Do Not Disturb", "Flashlight", "Auto-rotate"]
            airplane = self.phone.settings.get(("global", "airplane_mode_on")) == "1"
            items.append(f"Airplane mode: {'on' if airplane else 'off'}")
        return [
            Element(rid=f"{SYSTEM_UI}:id/title", text=title),
            *(Element(rid=f"{SYSTEM_UI}:id/item", text=item) for item in items),
        ]

    def _button(self, app: App, name: str, text: str, action: Callable[[], None]) -> Element:
        return Element(rid=app.rid(name), text=text, cls="android.widget.Button", on_click=action)

    def _screen_home(self, app: App) -> list[Element]:
        return [
            self._button(app, app.search_button, "Search", lambda: self._go("search", query="")),
            self._button(
                app,
                app.create_button,
                "Create",
                lambda: self._go("gallery", picked=[], way="addButton"),
            ),
            Element(rid=app.rid(app.feed), text="For You", cls="android.widget.FrameLayout"),
            self._button(app, app.like_button, "Like", lambda: self.phone.record("like", app)),
            self._button(
                app, app.collect_button, "Save", lambda: self.phone.record("collect", app)
            ),
            self._button(
                app,
                app.comment_button,
                "Comment",
                lambda: self._go("comments", url="feed", text="", back="home"),
            ),
            self._button(
                app, app.follow_button, "Follow", lambda: self.phone.record("follow_creator", app)
            ),
        ]

    def _screen_search(self, app: App) -> list[Element]:
        query = self.context.get("query", "")
        views = [self._field(app, app.search_input, "query")]
        if query:
            user = query.lstrip("@")
            views.append(
                self._button(app, app.search_result, user, lambda: self._go("profile", user=user))
            )
        return views

    def _screen_sound(self, app: App) -> list[Element]:
        sound = self.context["sound"]
        return [
            Element(rid=app.rid("sound_title"), text=sound),
            self._button(
                app,
                app.use_sound_button,
                "Use this sound",
                lambda: self._go("gallery", picked=[], way="useSound", sound=sound),
            ),
        ]

    def _screen_profile(self, app: App) -> list[Element]:
        user = self.context["user"]
        following = user in self.phone.following[app.platform]
        return [
            Element(rid=app.rid("profile_username"), text=f"@{user}"),
            self._button(
                app,
                app.follow_button,
                "Following" if following else "Follow",
                lambda: self.phone.toggle_follow(app, user),
            ),
        ]

    def _screen_gallery(self, app: App) -> list[Element]:
        picked: list[str] = self.context["picked"]
        views = []
        for path in self.phone.gallery:
            views.append(
                Element(
                    rid=app.rid(app.gallery_item),
                    desc=path.rsplit("/", 1)[-1],
                    cls="android.widget.ImageView",
                    selected=path in picked,
                    on_click=functools.partial(_toggle, picked, path),
                )
            )
        views.append(
            self._button(
                app,
                app.next_button,
                "Next",
                lambda: (
                    self._go(
                        "publish",
                        picked=list(picked),
                        caption="",
                        way=self.context.get("way", "addButton"),
                        sound=self.context.get("sound", ""),
                    )
                    if picked
                    else None
                ),
            )
        )
        return views

    def _screen_publish(self, app: App) -> list[Element]:
        if self.context.get("picking_sound"):
            return self._sound_picker(app)
        views = [
            self._field(app, app.caption_input, "caption"),
            self._button(app, app.sound_button, "Add sound", lambda: self._set(picking_sound=True)),
            self._button(app, app.mute_button, "Original sound", lambda: self._set(muted=True)),
        ]
        if self.context.get("added_sound"):
            views += [
                self._field(app, app.origin_volume_input, "origin_volume"),
                self._field(app, app.added_volume_input, "added_volume"),
            ]
        if app.platform == "tiktok":
            views.append(
                self._button(
                    app, app.product_link_button, "Add link", lambda: self._set(product_link=True)
                )
            )
        else:
            views.append(
                self._button(
                    app, app.story_button, "Your story", lambda: self._set(placement="story")
                )
            )
        views.append(self._button(app, app.post_button, "Post", self._publish))
        return views

    def _sound_picker(self, app: App) -> list[Element]:
        query = self.context.get("sound_query", "")
        chosen = query or "Trending sound"
        return [
            self._field(app, app.sound_search, "sound_query"),
            self._button(
                app,
                app.sound_result,
                chosen,
                lambda: self._set(picking_sound=False, added_sound=chosen),
            ),
        ]

    def _field(self, app: App, name: str, key: str) -> Element:
        return Element(
            rid=app.rid(name),
            text=str(self.context.get(key, "")),
            cls="android.widget.EditText",
            editable=True,
            field=key,
        )

    def _set(self, **values: Any) -> None:
        self.context.update(values)

    def _publish(self) -> None:
        assert self.app is not None
        settings_keys = ("muted", "added_sound", "origin_volume", "added_volume", "product_link")
        settings = {key: self.context[key] for key in settings_keys if key in self.context}
        settings["placement"] = self.context.get(
            "placement", "reel" if self.app.platform == "instagram" else "feed"
        )
        self.phone.publish(
            self.app,
            self.context["picked"],
            self.context["caption"],
            way=self.context.get("way", "addButton"),
            sound=self.context.get("sound", ""),
            settings=settings,
        )
        self._go("home")

    def _screen_post_view(self, app: App) -> list[Element]:
        return [
            Element(
                rid=app.rid(app.feed), text=self.context["url"], cls="android.widget.FrameLayout"
            ),
            self._button(
                app,
                app.like_button,
                "Like",
                lambda: self.phone.record("like", app, url=self.context["url"]),
            ),
            self._button(
                app,
                app.comment_button,
                "Comment",
                lambda: self._go("comments", url=self.context["url"], text=""),
            ),
        ]

    def _screen_comments(self, app: App) -> list[Element]:
        return [
            self._field(app, app.comment_input, "text"),
            self._button(app, app.comment_send, "Send", self._send_comment),
        ]

    def _send_comment(self) -> None:
        assert self.app is not None
        self.phone.record("comment", self.app, url=self.context["url"], text=self.context["text"])
        if self.context.get("back") == "home":
            self._go("home")
        else:
            self._go("post_view", url=self.context["url"])

    # -- what uiautomator2 asks --------------------------------------------------------------

    def find(self, selector: dict[str, Any]) -> list[Element]:
        """The elements matching a uiautomator2 selector."""
        if not isinstance(selector, dict):
            raise TypeError(f"a selector is an object, got {selector!r}")
        found = [e for e in self.elements() if _matches(e, selector)]
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
            self.context[self.focused if self.focused in fields else fields[0]] = ""
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
        return True

    def swipe(self) -> None:
        """A swipe on the feed: the next video."""
        if self.app is not None and self.screen == "home":
            self.phone.record("watch", self.app)

    def hierarchy(self) -> str:
        """The screen as uiautomator's XML dump."""
        package = self.package
        nodes = []
        for index, element in enumerate(self.elements()):
            left, top, right, bottom = element.bounds
            attributes = {
                "index": str(index),
                "text": element.text,
                "resource-id": element.rid,
                "class": element.cls,
                "package": package,
                "content-desc": element.desc,
                "clickable": str(element.on_click is not None).lower(),
                "selected": str(element.selected).lower(),
                "bounds": f"[{left},{top}][{right},{bottom}]",
            }
            nodes.append(
                "<node "
                + " ".join(f"{k}={quoteattr(xml_text(v))}" for k, v in attributes.items())
                + " />"
            )
        return (
            "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>"
            f'<hierarchy rotation="{self.rotation}">' + "".join(nodes) + "</hierarchy>"
        )


def _toggle(picked: list[str], path: str) -> None:
    if path in picked:
        picked.remove(path)
    else:
        picked.append(path)

"""The screens of the simulated apps: the launcher, Settings, the shades, TikTok and Instagram.

:class:`Screens` is mixed into :class:`~.ui.PhoneUI`: each ``_screen_NAME`` method lays out
the views of one screen of the app in front, and what a tap on each does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Protocol

from .apps import APPS, App
from .described_apps import DescribedApp
from .elements import LAUNCHER, SETTINGS, SYSTEM_UI, Element

__all__ = ["PhoneSide", "Screens"]


class PhoneSide(Protocol):
    """What the screens need of their phone."""

    serial: str
    packages: set[str]
    gallery: list[str]
    following: dict[str, set[str]]
    settings: dict[tuple[str, str], str]
    #: The apps described as data that the phone has, by package.
    described: dict[str, DescribedApp]

    def record(self, action: str, app: App, **details: Any) -> None:
        """Remember something the apps did."""

    def in_front(self, package: str) -> None:
        """An app came to the front: it runs (a process of its own) from now on."""

    def toggle_follow(self, app: App, user: str) -> None:
        """The follow button of a profile."""

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


class Screens:
    """The screens; the phone's UI provides the state declared here."""

    phone: PhoneSide
    app: App | None
    screen: str
    context: dict[str, Any]
    focused: str | None
    shade: str | None

    def _go(self, screen: str, **context: Any) -> None:  # pragma: no cover - the UI's
        raise NotImplementedError

    def settings(self) -> None:  # pragma: no cover - the UI's
        """Open the Settings app."""
        raise NotImplementedError

    def launch(self, package: str) -> None:  # pragma: no cover - the UI's
        """Bring an app to the front."""
        raise NotImplementedError

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
        icons += [
            Element(
                rid=f"{LAUNCHER}:id/icon",
                text=described.label,
                desc=described.label,
                on_click=functools.partial(self.launch, package),
            )
            for package, described in sorted(self.phone.described.items())
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


def _toggle(picked: list[str], path: str) -> None:
    if path in picked:
        picked.remove(path)
    else:
        picked.append(path)

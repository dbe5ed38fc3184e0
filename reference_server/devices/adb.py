"""The ``Device`` seam over ADB: adbutils for shell, files and apps; uiautomator2 for the UI.

Values from requests reach the phone only as quoted shell arguments (adbutils quotes each item
of a command list), as file contents through the sync protocol, or as text typed through
uiautomator2's JSON-RPC — never as part of a shell line of our making.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path, PurePath, PurePosixPath
from typing import Any, TypeVar

import adbutils

from ..android.apps import App, app_for
from .base import Device, DeviceError, RunContext, TaskCancelled, UiRpcError

__all__ = ["AdbDevice", "attached_devices", "device_file_name"]

T = TypeVar("T")
_SCAN = "android.intent.action.MEDIA_SCANNER_SCAN_FILE"


#: The most an adb shell call through the device API may print, in bytes.
MAX_SHELL_OUTPUT = 8 * 1024 * 1024


def device_file_name(local: str, flavour: type[PurePath] = Path) -> str:
    r"""The name a material file keeps on the phone: its last part, split the machine's way.

    ``1.mp4`` for ``C:\Videos\1.mp4`` and ``C:/Videos/1.mp4`` on Windows, and for
    ``/Users/me/1.mp4`` on macOS: a path is never split on ``/`` by hand.
    """
    return flavour(local).name


class AdbDevice(Device):
    """A phone reached through an adb server."""

    kind = "adb"

    def __init__(
        self,
        serial: str,
        client: adbutils.AdbClient,
        *,
        element_timeout: float = 10.0,
        kind: str = "adb",
    ) -> None:
        super().__init__(serial)
        #: ``adb`` for a phone attached to the user's adb, ``virtual`` for a virtual phone.
        self.kind = kind
        self.client = client
        self.element_timeout = element_timeout
        self._ui: Any = None
        self._lock = threading.Lock()
        self._task: RunContext | None = None

    # -- plumbing ----------------------------------------------------------------------------

    @property
    def adb(self) -> adbutils.AdbDevice:
        """The adbutils handle of the phone."""
        return self.client.device(self.serial)

    @contextlib.contextmanager
    def running(self, ctx: RunContext) -> Iterator[None]:
        """While a task runs, every step first checks that it was not stopped."""
        self._task = ctx
        try:
            yield
        finally:
            self._task = None

    def _guard(self, what: str, action: Callable[[], T]) -> T:
        if self._task is not None:
            self._task.check()
        try:
            return action()
        except (DeviceError, TaskCancelled):
            raise
        except Exception as exc:
            self._ui = None
            raise DeviceError(
                f"device {self.serial} failed while {what}: {exc or type(exc).__name__}"
            ) from exc

    def close(self) -> None:
        """Stop the uiautomator2 server this device started, and its adb stream."""
        with self._lock:
            ui, self._ui = self._ui, None
        if ui is not None:
            with contextlib.suppress(Exception):
                ui.stop_uiautomator(wait=False)

    def shell(self, *argv: str) -> str:
        """Run a command on the phone; each argument is quoted, never interpreted."""
        output: str = self._guard(f"running {argv[0]}", lambda: self.adb.shell(list(argv)))
        return output

    # -- what the device API lends ----------------------------------------------------------

    def ui_call(self, method: str, params: Sequence[Any], timeout: float) -> Any:
        """Call the phone's uiautomator2 server; its JSON-RPC errors become :class:`UiRpcError`."""
        from uiautomator2.exceptions import RPCError

        ui = self.ui()
        try:
            return self._guard(
                f"calling {method}", lambda: ui.jsonrpc_call(method, list(params), timeout)
            )
        except DeviceError as error:
            cause = error.__cause__
            if isinstance(cause, RPCError):
                code = cause.args[0] if cause.args and isinstance(cause.args[0], int) else -32000
                message = cause.args[1] if len(cause.args) > 1 else str(cause.args[0])
                raise UiRpcError(code, str(message)) from None
            raise

    def hierarchy(self) -> str:
        """The screen, dumped by uiautomator2."""
        xml: str = self._guard("dumping the screen", lambda: self.ui().dump_hierarchy())
        return xml

    def screenshot(self) -> bytes:
        """The screen as PNG: uiautomator2's capture, else ``screencap -p``."""
        encoded = self.ui_call("takeScreenshot", [1, 80], 20.0)
        try:
            image = base64.b64decode(encoded or "", validate=True)
        except (binascii.Error, TypeError, ValueError):
            image = b""
        if not image:
            image = self._guard(
                "taking a screenshot", lambda: self.adb.shell(["screencap", "-p"], encoding=None)
            )
        if image.startswith(b"\x89PNG\r\n\x1a\n"):
            return image
        from PIL import Image

        out = io.BytesIO()
        self._guard(
            "reading the screenshot", lambda: Image.open(io.BytesIO(image)).save(out, "PNG")
        )
        return out.getvalue()

    def adb_shell(self, argv: Sequence[str], timeout: float) -> str:
        """Run a command on the phone, each item of ``argv`` quoted by adbutils.

        The output comes back exactly, its final newline kept. The call ends at ``timeout``
        seconds in all, and at :data:`MAX_SHELL_OUTPUT` bytes, however the command goes on
        printing (adbutils' own timeout bounds each read, not the call: ``logcat`` or
        ``top`` would hold the request for ever).
        """

        def run() -> str:
            deadline = time.monotonic() + timeout
            connection = self.adb.shell(list(argv), stream=True, timeout=timeout)
            output = bytearray()
            try:
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise DeviceError(f"adb shell timed out after {timeout:g} s")
                    connection.conn.settimeout(min(left, 1.0))
                    try:
                        chunk = connection.conn.recv(65536)
                    except TimeoutError:
                        continue
                    if not chunk:
                        return output.decode("utf-8", "replace")
                    output += chunk
                    if len(output) > MAX_SHELL_OUTPUT:
                        raise DeviceError(
                            f"adb shell printed more than {MAX_SHELL_OUTPUT} bytes; stopped"
                        )
            finally:
                connection.close()

        result: str = self._guard(f"running {argv[0] if argv else 'nothing'}", run)
        return result

    def ui(self) -> Any:
        """The phone's uiautomator2 session, started on first use."""
        with self._lock:
            if self._ui is None:
                import uiautomator2

                self._ui = self._guard(
                    "starting uiautomator2", lambda: uiautomator2.connect(self.adb)
                )
            return self._ui

    def _element(self, app: App, name: str, **selector: Any) -> Any:
        ui = self.ui()
        element = ui(resourceId=app.rid(name), **selector)
        found = self._guard(
            f"waiting for {name}", lambda: element.wait(timeout=self.element_timeout)
        )
        if not found:
            raise DeviceError(
                f"{app.name}: the screen with {name!r} never appeared "
                f"(on screen: {self.screen_summary()})"
            )
        return element

    def screen_summary(self) -> str:
        """The resource ids of what is on screen now, from a hierarchy dump, for remarks."""
        xml: str = self._guard("dumping the screen", lambda: self.ui().dump_hierarchy())
        ids = [rid.rsplit("/", 1)[-1] for rid in re.findall(r'resource-id="([^"]+)"', xml)]
        return ", ".join(ids[:8]) or "nothing"

    def tap(self, app: App, name: str, **selector: Any) -> None:
        """Tap an element of the app, waiting for it to appear."""
        element = self._element(app, name, **selector)
        self._guard(f"tapping {name}", lambda: element.click())

    def type_text(self, app: App, name: str, text: str) -> None:
        """Type into a field of the app (through uiautomator2, not the shell)."""
        element = self._element(app, name)
        self._guard(f"typing into {name}", lambda: element.set_text(text))

    def text_of(self, app: App, name: str) -> str:
        """The text shown by an element."""
        element = self._element(app, name)
        text: str = self._guard(f"reading {name}", lambda: element.get_text())
        return text

    def open_app(self, app: App) -> None:
        """Check the app is installed, then bring it up on its home screen."""
        self.require_app(app)
        self.shell("am", "force-stop", app.package)  # start from the app's home screen
        self.shell("monkey", "-p", app.package, "-c", "android.intent.category.LAUNCHER", "1")

    def require_app(self, app: App) -> None:
        """Fail the task clearly when the app is missing."""
        if f"package:{app.package}" not in self.shell("pm", "list", "packages", app.package):
            raise DeviceError(f"{app.name} ({app.package}) is not installed on {self.serial}")

    def open_url(self, app: App, url: str) -> None:
        """Open a profile or post URL in the app."""
        self.require_app(app)
        output = self.shell(
            "am", "start", "-a", "android.intent.action.VIEW", "-d", url, app.package
        )
        if "Error" in output:
            raise DeviceError(f"{app.name} could not open {url}: {output.strip()}")

    def push_media(self, app: App, local: str) -> str:
        """Copy a material file to the phone and have the gallery index it."""
        source = Path(local)  # as the user wrote it (with / or, on Windows, \)
        if not source.is_file():
            raise DeviceError(f"material file not found: {local}")
        target = str(PurePosixPath(app.media_dir, device_file_name(local)))
        self._guard("pushing media", lambda: self.adb.sync.push(source, target, check=True))
        self.shell("am", "broadcast", "-a", _SCAN, "-d", f"file://{target}")
        return target

    # -- the seam ----------------------------------------------------------------------------

    def post(
        self, ctx: RunContext, *, caption: str, media: Sequence[str], options: Mapping[str, Any]
    ) -> str:
        """Push the media, reach the app's caption screen the ``post_way`` says, and post.

        ``share``: Android's share intent hands a single file to the app (several files go
        through the gallery); ``addButton``: the app's create button and gallery; ``useSound``:
        the sound's page, its "use this sound" button, then the gallery.
        """
        app = app_for(ctx.platform)
        self.require_app(app)
        pushed = [self.push_media(app, path) for path in media]
        way = options.get("post_way", "share")
        if way == "share" and len(pushed) == 1:
            kind = "video/*" if options.get("content_type", 0) == 0 else "image/*"
            self.shell("am", "force-stop", app.package)
            output = self.shell(
                "am", "start", "-a", "android.intent.action.SEND", "-t", kind,
                "--eu", "android.intent.extra.STREAM", f"file://{pushed[0]}", app.package,
            )  # fmt: skip
            if "Error" in output:
                raise DeviceError(f"{app.name} did not take the shared file: {output.strip()}")
        else:
            if way == "useSound":
                self.open_url(app, str(options.get("sound_name", "")))
                self.tap(app, app.use_sound_button)
            else:
                self.open_app(app)
                self.tap(app, app.create_button)
            for index in range(len(pushed)):  # the newest files lead the gallery
                self.tap(app, app.gallery_item, instance=index)
            self.tap(app, app.next_button)
        if caption:
            self.type_text(app, app.caption_input, caption)
        self._publish_settings(app, options)
        self.tap(app, app.post_button)
        ctx.wait(float(options.get("upload_wait_time", 0)))
        return f"posted {len(pushed)} file(s) to {app.name} ({way})"

    def _publish_settings(self, app: App, options: Mapping[str, Any]) -> None:
        """The caption screen's settings: sound, volumes, product link (TikTok), story (IG)."""
        sound = str(options.get("add_sound", "-1"))
        if sound == "0":
            self.tap(app, app.mute_button)
        elif sound in ("1", "custom"):
            self.tap(app, app.sound_button)
            if sound == "custom":
                self.type_text(app, app.sound_search, str(options.get("custom_sound_keyword", "")))
            self.tap(app, app.sound_result)
            for name, key in (
                (app.origin_volume_input, "origin_sound_volume"),
                (app.added_volume_input, "add_sound_volume"),
            ):
                if key in options:
                    self.type_text(app, name, str(options[key]))
        if app.platform == "tiktok" and options.get("add_product_link") == 1:
            self.tap(app, app.product_link_button)
        if app.platform == "instagram" and options.get("placement") == "story":
            self.tap(app, app.story_button)

    def follow(self, ctx: RunContext, *, user: str, access_method: str, undo: bool) -> str:
        """Open the profile (by URL or search) and press its follow button."""
        app = app_for(ctx.platform)
        name = user.lstrip("@")
        if access_method == "search":
            self.open_app(app)
            self.tap(app, app.search_button)
            self.type_text(app, app.search_input, name)
            self.tap(app, app.search_result, text=name)
        else:
            self.open_url(app, app.profile_url.format(user=name))
        following = self.text_of(app, app.follow_button) != "Follow"
        if following == undo:
            self.tap(app, app.follow_button)
            return f"{'unfollowed' if undo else 'followed'} @{name} on {app.name}"
        return f"already {'not ' if undo else ''}following @{name} on {app.name}"

    def comment(self, ctx: RunContext, *, url: str, text: str, image_path: str) -> str:
        """Open the post, its comments, type and send."""
        app = app_for(ctx.platform, url)
        if image_path and app.platform == "tiktok":
            self.push_media(app, image_path)
        self.open_url(app, url)
        self.tap(app, app.comment_button)
        self.type_text(app, app.comment_input, text)
        self.tap(app, app.comment_send)
        return f"commented on {url}"

    def warmup(self, ctx: RunContext, *, plan: Mapping[str, Any]) -> str:
        """Search the topic, then watch the feed for the planned time.

        Each video may be liked, saved, its creator followed or commented on, by the plan's
        probabilities.
        """
        app = app_for(ctx.platform)
        self.open_app(app)
        ui = self.ui()
        if plan.get("topic"):
            self.tap(app, app.search_button)
            self.type_text(app, app.search_input, str(plan["topic"]))
            self._guard("going back", lambda: ui.press("back"))
        comments: list[str] = list(plan.get("comments", []))
        end = ctx.clock.now() + float(plan["task_duration"])
        watched = 0
        while ctx.clock.now() < end:
            ctx.wait(
                min(
                    ctx.rng.uniform(plan["min_duration"], plan["max_duration"]),
                    max(end - ctx.clock.now(), 0),
                )
            )
            for chance, button in (
                (plan.get("like_probable", 0), app.like_button),
                (plan.get("collect_probable", 0), app.collect_button),
                (plan.get("floow_probable", 0), app.follow_button),
            ):
                if ctx.rng.uniform(0, 100) < chance:
                    self.tap(app, button)
            if comments and ctx.rng.uniform(0, 100) < plan.get("comment_probable", 0):
                sequential = plan.get("comment_order") == "sequential"
                text = comments[watched % len(comments)] if sequential else ctx.rng.choice(comments)
                self.tap(app, app.comment_button)
                self.type_text(app, app.comment_input, text)
                self.tap(app, app.comment_send)
            self._guard("swiping", lambda: ui.swipe(540, 1800, 540, 400, 0.1))
            watched += 1
        return f"watched {watched} video(s) on {app.name}"


def attached_devices(client: adbutils.AdbClient) -> list[AdbDevice]:
    """The phones the adb server sees online."""
    return [AdbDevice(info.serial, client) for info in client.list() if info.state == "device"]

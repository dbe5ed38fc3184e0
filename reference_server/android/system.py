"""A simulated Android phone without its transport: storage, apps, screens and shell commands.

:class:`AndroidSystem` is what the virtual phones put behind their ADB daemon, and what a
simulated device drives in-process for the device API. It has a file system sandbox, the
shell commands the runner and ADB tooling use, the simulated TikTok and Instagram apps with
their screens, and a record of what was done: posts with their caption and media bytes,
follows, comments, and every command it ran.
"""

from __future__ import annotations

import collections
import hashlib
import shutil
import tempfile
import threading
import time
from pathlib import Path, PurePosixPath
from typing import Any

from .apps import APPS, App
from .shell import ShellSyntaxError, parse
from .ui import PhoneUI

__all__ = ["AndroidSystem"]

#: How many shell lines (and commands) a phone remembers.
MAX_HISTORY = 2000
_SCAN = "android.intent.action.MEDIA_SCANNER_SCAN_FILE"
_TYPE = "ADB_INPUT_TEXT"


class AndroidSystem:
    """One phone's insides; :meth:`close` removes its sandbox."""

    def __init__(
        self, name: str, *, serial: str = "", apps: tuple[str, ...] = ("tiktok", "instagram")
    ) -> None:
        self.name = name
        self.serial = serial or name
        self._dir = tempfile.TemporaryDirectory(prefix=f"phone-{name}-")
        self.root = Path(self._dir.name)
        for folder in ("sdcard/DCIM", "sdcard/Pictures", "data/local/tmp"):
            (self.root / folder).mkdir(parents=True)
        self.packages = {APPS[app].package for app in apps}
        self.gallery: list[str] = []
        self.following: dict[str, set[str]] = {platform: set() for platform in APPS}
        self.records: list[dict[str, Any]] = []
        #: The latest shell lines and commands run (bounded: a phone's log rotates too).
        self.commands: collections.deque[str] = collections.deque(maxlen=MAX_HISTORY)
        self.executed: collections.deque[list[str]] = collections.deque(maxlen=MAX_HISTORY)
        self.rebooted = False
        self.ui = PhoneUI(self)
        self._lock = threading.Lock()

    def close(self) -> None:
        """Remove the sandbox."""
        self._dir.cleanup()

    # -- records -----------------------------------------------------------------------------

    def record(self, action: str, app: App, **details: Any) -> None:
        """Remember something the apps did."""
        with self._lock:
            self.records.append({"action": action, "platform": app.platform, **details})

    def toggle_follow(self, app: App, user: str) -> None:
        """The follow button of a profile."""
        following = self.following[app.platform]
        if user in following:
            following.discard(user)
            self.record("unfollow", app, user=user)
        else:
            following.add(user)
            self.record("follow", app, user=user)

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
        """A post: its caption and the bytes of its media."""
        media = []
        for path in paths:
            data = self.path(path).read_bytes()
            media.append(
                {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            )
        extra = {"sound": sound} if sound else {}
        self.record("post", app, caption=caption, media=media, way=way, settings=settings, **extra)

    # -- storage -----------------------------------------------------------------------------

    def path(self, device_path: str) -> Path:
        """The sandbox file behind a phone path (never outside the sandbox)."""
        clean = PurePosixPath("/", device_path)
        parts = [part for part in clean.parts[1:] if part not in ("", ".", "..")]
        if parts[:1] == ["storage"] and parts[1:2] == ["emulated"]:
            parts = ["sdcard", *parts[3:]]
        return self.root.joinpath(*parts)

    # -- shell -------------------------------------------------------------------------------

    def execute(self, line: str) -> str:
        """Run a shell command line (never through a host shell); its output."""
        with self._lock:
            self.commands.append(line)
        try:
            commands, substitutions = parse(line)
        except ShellSyntaxError as exc:
            return f"/system/bin/sh: syntax error: {exc}\n"
        for inner in substitutions:
            for argv in parse(inner)[0]:
                self.run(argv)
        return "".join(self.run(argv[:-1] if argv[-1:] == ["&"] else argv) for argv in commands)

    def run(self, argv: list[str]) -> str:
        """Run one command; its output."""
        while argv and "=" in argv[0] and not argv[0].startswith("-"):
            argv = argv[1:]  # VAR=value prefixes
        if not argv:
            return ""
        with self._lock:
            self.executed.append(list(argv))
        command, args = argv[0], argv[1:]
        if command == "toybox" and args:
            command, args = args[0], args[1:]
        handler = getattr(self, f"_cmd_{command.replace('-', '_')}", None)
        if handler is None:
            return f"/system/bin/sh: {command}: inaccessible or not found\n"
        try:
            result: str = handler(args)
        except (IndexError, ValueError, KeyError, OSError) as error:  # a tool's usage error
            return f"{command}: {type(error).__name__}: {error}\n"
        return result

    def _cmd_echo(self, args: list[str]) -> str:
        return " ".join(args) + "\n"

    def _cmd_true(self, args: list[str]) -> str:
        return ""

    def _cmd_getprop(self, args: list[str]) -> str:
        props = {
            "ro.serialno": self.name,
            "ro.build.version.sdk": "33",
            "ro.build.version.release": "13",
            "ro.product.model": f"Virtual_{self.name}",
        }
        return (
            props.get(args[0], "") if args else "\n".join(f"[{k}]: [{v}]" for k, v in props.items())
        ) + "\n"

    def _cmd_md5sum(self, args: list[str]) -> str:
        lines = []
        for name in args:
            file = self.path(name)
            if file.is_file():
                lines.append(f"{hashlib.md5(file.read_bytes()).hexdigest()}  {name}")
            else:
                lines.append(f"md5sum: {name}: No such file or directory")
        return "\n".join(lines) + "\n"

    _cmd_md5 = _cmd_md5sum

    def _cmd_ls(self, args: list[str]) -> str:
        targets = [a for a in args if not a.startswith("-")] or ["/sdcard"]
        out = []
        for name in targets:
            file = self.path(name)
            if file.is_dir():
                out += sorted(p.name for p in file.iterdir())
            elif file.exists():
                out.append(name)
            else:
                out.append(f"ls: {name}: No such file or directory")
        return "\n".join(out) + "\n"

    def _cmd_mkdir(self, args: list[str]) -> str:
        for name in (a for a in args if not a.startswith("-")):
            self.path(name).mkdir(parents=True, exist_ok=True)
        return ""

    def _cmd_rm(self, args: list[str]) -> str:
        for name in (a for a in args if not a.startswith("-")):
            target = self.path(name)
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
        return ""

    def _cmd_cat(self, args: list[str]) -> str:
        return "".join(
            self.path(name).read_text(errors="replace")
            for name in args
            if self.path(name).is_file()
        )

    def _cmd_reboot(self, args: list[str]) -> str:
        self.rebooted = True
        return ""

    def _cmd_wm(self, args: list[str]) -> str:
        return "Physical size: 1080x2340\n" if args[:1] == ["size"] else ""

    def _cmd_settings(self, args: list[str]) -> str:
        return "null\n" if args[:1] == ["get"] else ""

    def _cmd_input(self, args: list[str]) -> str:
        if args[:1] == ["keyevent"] and args[1:2] in (["4"], ["KEYCODE_BACK"], ["BACK"]):
            self.ui.back()
        if args[:1] == ["swipe"]:
            self.ui.swipe()
        if args[:1] == ["tap"] and len(args) == 3:
            try:
                self.ui.click(float(args[1]), float(args[2]))
            except ValueError:
                return f"Error: Invalid arguments for command: tap {' '.join(args[1:])}\n"
        if args[:1] == ["text"] and len(args) == 2:
            self.ui.type_text(args[1].replace("%s", " "))
        return ""

    def _cmd_pm(self, args: list[str]) -> str:
        if args[:2] == ["list", "packages"]:
            wanted = [a for a in args[2:] if not a.startswith("-")]
            names = sorted(self.packages | {"com.android.settings"})
            return "".join(f"package:{n}\n" for n in names if not wanted or wanted[0] in n)
        if args[:1] == ["path"] and args[1:2]:
            return f"package:/data/app/{args[1]}/base.apk\n" if args[1] in self.packages else ""
        return ""

    def _cmd_monkey(self, args: list[str]) -> str:
        package = args[args.index("-p") + 1] if "-p" in args else ""
        if package not in self.packages:
            return "** No activities found to run, monkey aborted.\n"
        self.ui.launch(package)
        return "Events injected: 1\n"

    def _cmd_am(self, args: list[str]) -> str:
        if not args:
            return ""
        sub, options = args[0], self._options(args[1:])
        if sub == "force-stop" and args[1:]:
            self.ui.stop(args[-1])
            return ""
        if sub == "start" and options.get("-a") == "android.intent.action.SEND":
            at = args.index("--eu") + 2 if "--eu" in args else len(args)
            uri = args[at] if at < len(args) else ""  # --eu KEY URI
            device_path = uri[len("file://") :] if uri.startswith("file://") else uri
            shared = self.path(device_path).is_file() and self.ui.share(args[-1], device_path)
            return (
                "Starting: Intent { act=android.intent.action.SEND }\n"
                if shared
                else "Error: Activity not started, unable to resolve Intent\n"
            )
        if sub == "start":
            data = options.get("-d", "")
            if data:
                return (
                    "Starting: Intent { act=android.intent.action.VIEW }\n"
                    if self.ui.view(data)
                    else "Error: Activity not started, unable to resolve Intent\n"
                )
            component = options.get("-n", "").split("/")[0]
            if component in self.packages:
                self.ui.launch(component)
                return "Starting: Intent\n"
            return "Error: Activity not started, unable to resolve Intent\n"
        if sub == "broadcast" and options.get("-a") == _TYPE:  # the bundled keyboard
            typed = self.ui.type_text(self._string_extras(args).get("msg", ""))
            return (
                f"Broadcasting: Intent {{ act={_TYPE} flg=0x400000 }}\n"
                f"Broadcast completed: result={0 if typed else -1}\n"
            )
        if sub == "broadcast" and options.get("-a") == _SCAN:
            uri = options.get("-d", "")
            device_path = uri[len("file://") :] if uri.startswith("file://") else uri
            if self.path(device_path).is_file() and device_path not in self.gallery:
                self.gallery.insert(0, device_path)
            return "Broadcast completed: result=0\n"
        return ""

    @staticmethod
    def _options(args: list[str]) -> dict[str, str]:
        options: dict[str, str] = {}
        i = 0
        while i < len(args):
            if args[i].startswith("-") and i + 1 < len(args) and args[i] not in ("-W", "-S"):
                options[args[i]] = args[i + 1]
                i += 2
            else:
                i += 1
        return options

    @staticmethod
    def _string_extras(args: list[str]) -> dict[str, str]:
        """An intent's ``--es KEY VALUE`` extras."""
        return {args[i + 1]: args[i + 2] for i in range(len(args) - 2) if args[i] == "--es"}

    def snapshot(self) -> dict[str, Any]:
        """What the phone did, as JSON."""
        with self._lock:
            return {
                "serial": self.serial,
                "records": list(self.records),
                "commands": list(self.commands),
                "executed": list(self.executed),
                "gallery": list(self.gallery),
                "rebooted": self.rebooted,
                "packages": sorted(self.packages),
                "time": time.time(),
            }

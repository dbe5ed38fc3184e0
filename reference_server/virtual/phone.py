"""A simulated Android phone behind the virtual ADB daemon.

It has a file system sandbox, the shell commands the runner uses, the ADB sync service, the
uiautomator2 service on port 9008 (once launched the way uiautomator2 launches it), and the
simulated TikTok and Instagram apps. It records what was done: posts with their caption and
media bytes, follows, comments, and every shell command it ran.
"""

from __future__ import annotations

import hashlib
import shutil
import struct
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from ..devices.apps import APPS, App
from .adbd import AdbDaemon, Stream
from .shell import ShellSyntaxError, parse
from .u2_service import serve_http
from .ui import PhoneUI

__all__ = ["VirtualPhone"]

U2_PORT = 9008
_SCAN = "android.intent.action.MEDIA_SCANNER_SCAN_FILE"


class VirtualPhone:
    """One virtual phone; :meth:`start` puts it on a loopback port for ``adb connect``."""

    def __init__(self, name: str, *, apps: tuple[str, ...] = ("tiktok", "instagram")) -> None:
        self.name = name
        self._dir = tempfile.TemporaryDirectory(prefix=f"phone-{name}-")
        self.root = Path(self._dir.name)
        for folder in ("sdcard/DCIM", "sdcard/Pictures", "data/local/tmp"):
            (self.root / folder).mkdir(parents=True)
        self.packages = {APPS[app].package for app in apps}
        self.gallery: list[str] = []
        self.following: dict[str, set[str]] = {platform: set() for platform in APPS}
        self.records: list[dict[str, Any]] = []
        self.commands: list[str] = []
        self.executed: list[list[str]] = []
        self.rebooted = False
        self.offline = False
        self.u2_running = threading.Event()
        self.ui = PhoneUI(self)
        self._lock = threading.Lock()
        self.daemon = AdbDaemon(self)
        self.serial = self.daemon.address

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> VirtualPhone:
        """Listen for adb."""
        self.daemon.start()
        return self

    def disconnect(self) -> None:
        """Pull the cable: drop every adb connection and refuse new ones until reconnected."""
        self.offline = True
        self.u2_running.clear()
        self.daemon.drop_connections()

    def reconnect(self) -> None:
        """Plug the cable back in."""
        self.offline = False

    def stop(self) -> None:
        """Stop listening and remove the sandbox."""
        self.u2_running.clear()
        self.daemon.stop()
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

    # -- the ADB side ------------------------------------------------------------------------

    def banner(self) -> str:
        """The identity sent to adb."""
        properties = {
            "ro.product.name": "tikmatrix_virtual",
            "ro.product.model": f"Virtual_{self.name}",
            "ro.product.device": "virtual",
        }
        return "device::" + "".join(f"{k}={v};" for k, v in properties.items()) + "features=cmd"

    def open_service(self, name: str) -> Callable[[Stream], None] | None:
        """The handler of an adb service."""
        if name.startswith("shell:"):
            return lambda stream: self._shell(stream, name[len("shell:") :])
        if name == "sync:":
            return self._sync
        if name == f"tcp:{U2_PORT}":
            # Nothing listening yet: the stream opens and closes at once, as adbd does when
            # its connect to the port fails.
            if not self.u2_running.is_set():
                return lambda stream: None
            return lambda stream: serve_http(self.ui, stream.read, stream.write)
        return None

    def path(self, device_path: str) -> Path:
        """The sandbox file behind a phone path (never outside the sandbox)."""
        clean = PurePosixPath("/", device_path)
        parts = [part for part in clean.parts[1:] if part not in ("", ".", "..")]
        if parts[:1] == ["storage"] and parts[1:2] == ["emulated"]:
            parts = ["sdcard", *parts[3:]]
        return self.root.joinpath(*parts)

    # -- shell -------------------------------------------------------------------------------

    def _shell(self, stream: Stream, line: str) -> None:
        with self._lock:
            self.commands.append(line)
        try:
            commands, substitutions = parse(line)
        except ShellSyntaxError as exc:
            stream.write(f"/system/bin/sh: syntax error: {exc}\n".encode())
            return
        for inner in substitutions:
            for argv in parse(inner)[0]:
                self.run(argv)
        for argv in commands:
            if argv and argv[-1] == "&":
                argv = argv[:-1]
            launched = self._launch_u2(argv)
            if launched:
                stream.write(b"[server] INFO: [UiAutomator2Server] Starting Server\n")
                while stream.read():  # runs until the host closes the shell
                    pass
                self.u2_running.clear()
                return
            stream.write(self.run(argv).encode())

    def _launch_u2(self, argv: list[str]) -> bool:
        words = [word for word in argv if "=" not in word or word.startswith("-")]
        server = "app_process" in words and any("uia2" in w or "uiautomator" in w for w in words)
        if server and (self.root / "data/local/tmp/u2.jar").exists():
            self.u2_running.set()
            return True
        return False

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
        result: str = handler(args)
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

    # -- sync --------------------------------------------------------------------------------

    def _sync(self, stream: Stream) -> None:
        while True:
            header = stream.read_exactly(8)
            if len(header) < 8:
                return
            request, length = header[:4], struct.unpack("<I", header[4:])[0]
            if request == b"QUIT":
                return
            argument = stream.read_exactly(length).decode("utf-8", "replace")
            if request == b"STAT":
                self._stat(stream, argument)
            elif request == b"SEND":
                self._receive_file(stream, argument)
            elif request == b"RECV":
                self._send_file(stream, argument)
            elif request == b"LIST":
                self._list(stream, argument)
            else:
                stream.write(self._fail(f"unknown sync request {request!r}"))
                return

    @staticmethod
    def _fail(message: str) -> bytes:
        data = message.encode()
        return b"FAIL" + struct.pack("<I", len(data)) + data

    def _stat(self, stream: Stream, name: str) -> None:
        file = self.path(name)
        if not file.exists():
            stream.write(b"STAT" + struct.pack("<III", 0, 0, 0))
            return
        info = file.stat()
        mode = 0o40755 if file.is_dir() else 0o100644
        stream.write(
            b"STAT" + struct.pack("<III", mode, info.st_size & 0xFFFFFFFF, int(info.st_mtime))
        )

    def _receive_file(self, stream: Stream, argument: str) -> None:
        name = argument.rsplit(",", 1)[0]
        data = bytearray()
        while True:
            header = stream.read_exactly(8)
            if len(header) < 8:
                return
            kind, length = header[:4], struct.unpack("<I", header[4:])[0]
            if kind == b"DATA":
                data += stream.read_exactly(length)
            elif kind == b"DONE":
                break
            else:
                stream.write(self._fail("bad SEND stream"))
                return
        target = self.path(name)
        if target.is_dir():
            stream.write(self._fail(f"{name}: is a directory"))
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(bytes(data))
        with self._lock:
            self.commands.append(f"sync:SEND {name} ({len(data)} bytes)")
        stream.write(b"OKAY" + struct.pack("<I", 0))

    def _send_file(self, stream: Stream, name: str) -> None:
        file = self.path(name)
        if not file.is_file():
            stream.write(self._fail(f"{name}: No such file or directory"))
            return
        data = file.read_bytes()
        for start in range(0, len(data), 64 * 1024):
            chunk = data[start : start + 64 * 1024]
            stream.write(b"DATA" + struct.pack("<I", len(chunk)) + chunk)
        stream.write(b"DONE" + struct.pack("<I", 0))

    def _list(self, stream: Stream, name: str) -> None:
        folder = self.path(name)
        if folder.is_dir():
            for entry in sorted(folder.iterdir()):
                info = entry.stat()
                mode = 0o40755 if entry.is_dir() else 0o100644
                encoded = entry.name.encode()
                stream.write(
                    b"DENT"
                    + struct.pack(
                        "<IIII", mode, info.st_size & 0xFFFFFFFF, int(info.st_mtime), len(encoded)
                    )
                    + encoded
                )
        stream.write(b"DONE" + struct.pack("<IIII", 0, 0, 0, 0))

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

"""Android's own tools as a phone answers them: dumpsys, wm, settings, ip, screencap, logcat.

Each answers in the format of the real tool, as far as ADB tooling (adbutils, uiautomator2)
reads it. :class:`AndroidTools` is mixed into the phone (:class:`~.system.AndroidSystem`),
whose screen (``ui``), storage (``path``) and records it reads.
"""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

from tikmatrix_sdk._contract.patterns import PatternError

from .h264 import h264_mp4
from .logcat import LogBuffer, parse_log, parse_logcat
from .mp4 import mjpeg_mp4
from .packages import ADB_KEYBOARD, SYSTEM_PACKAGES, InstalledPackage
from .patterns import line_matcher
from .processes import Process, ProcessTable, signal_number
from .render import render_png
from .settings import DEFAULT_SETTINGS, run_settings
from .sh import Done
from .ui import HEIGHT, LAUNCHER, WIDTH

if TYPE_CHECKING:
    from .ui import PhoneUI

__all__ = ["ACTIVITIES", "AndroidTools", "KEYCODES"]

#: The activity in front for each package the phone has.
ACTIVITIES = {
    LAUNCHER: ".Launcher",
    "com.android.settings": ".Settings",
    "com.zhiliaoapp.musically": "com.ss.android.ugc.aweme.splash.SplashActivity",
    "com.instagram.android": "com.instagram.mainactivity.MainActivity",
}
#: The key codes ``input keyevent`` takes by name.
KEYCODES = {
    "KEYCODE_HOME": 3,
    "HOME": 3,
    "KEYCODE_BACK": 4,
    "BACK": 4,
    "KEYCODE_POWER": 26,
    "POWER": 26,
    "KEYCODE_ENTER": 66,
    "KEYCODE_SLEEP": 223,
    "SLEEP": 223,
    "KEYCODE_WAKEUP": 224,
    "WAKEUP": 224,
}
_SETTINGS_ACTION = "android.settings.SETTINGS"


class AndroidTools:
    """The tools; the phone provides the attributes declared here."""

    name: str
    ui: PhoneUI
    packages: set[str]
    settings: dict[tuple[str, str], str]
    _stdin: bytes
    installed: dict[str, InstalledPackage]
    log: LogBuffer
    processes: ProcessTable
    _deadline: threading.local
    index: int

    def has_room(self, size: int) -> bool:  # pragma: no cover - the phone's
        """Whether ``size`` more bytes fit in the phone's storage."""
        raise NotImplementedError

    def read_file(self, path: str) -> bytes | None:  # pragma: no cover - the phone's
        """A file's bytes (``None`` when there is none)."""
        raise NotImplementedError

    def write_file(self, path: str, data: bytes, *, append: bool) -> str | None:  # pragma: no cover
        """Write a file; an error message, or ``None`` (the phone's)."""
        raise NotImplementedError

    def force_stop(self, package: str) -> None:  # pragma: no cover - the phone's
        """End an app's process and take its screen from the front."""
        raise NotImplementedError

    def current_job(self) -> Process | None:  # pragma: no cover - the phone's
        """The background job the calling thread runs, if any."""
        raise NotImplementedError

    def path(self, device_path: str) -> Path:  # pragma: no cover - the phone's
        """The sandbox file behind a phone path."""
        raise NotImplementedError

    def _log(self, tag: str, message: str) -> None:
        self.log.write(tag, message)

    def _cmd_dumpsys(self, args: list[str]) -> Done | str:
        service = args[0] if args else ""
        package = self.ui.package
        activity = ACTIVITIES.get(package, ".MainActivity")
        if service == "window":
            return (
                "WINDOW MANAGER WINDOWS (dumpsys window windows)\n"
                f"  mCurrentFocus=Window{{1f2e3d4 u0 {package}/{activity}}}\n"
                f"  mFocusedApp=ActivityRecord{{7a6b5c4 u0 {package}/{activity} t42}}\n"
                f"  mRotation={self.ui.rotation}\n"
            )
        if service == "display":
            rotation = self.ui.rotation
            width, height = self.ui.size
            return (
                "DISPLAY MANAGER (dumpsys display)\n"
                f"  mDefaultViewport=DisplayViewport{{valid=true, displayId=0, "
                f"orientation={rotation}, deviceWidth={width}, deviceHeight={height}}}\n"
                f"  mCurrentOrientation={rotation}\n"
            )
        if service == "power":  # what adbutils' is_screen_on reads
            on = self.ui.screen_on
            return (
                "POWER MANAGER (dumpsys power)\n"
                f"  mWakefulness={'Awake' if on else 'Asleep'}\n"
                f"  mHoldingDisplaySuspendBlocker={str(on).lower()}\n"
                f"  Display Power: state={'ON' if on else 'OFF'}\n"
            )
        if service == "battery":  # what adbutils' battery() reads: a phone on USB, charging
            return (
                "Current Battery Service state:\n"
                "  AC powered: false\n  USB powered: true\n  Wireless powered: false\n"
                "  Max charging current: 500000\n  Max charging voltage: 5000000\n"
                "  Charge counter: 3400000\n  status: 2\n  health: 2\n  present: true\n"
                "  level: 85\n  scale: 100\n  voltage: 4180\n  temperature: 285\n"
                "  technology: Li-ion\n"
            )
        if service == "activity" and args[1:2] == ["top"]:
            running = self.processes.app(package)
            pid = running.pid if running is not None else 0
            return f"TASK 42:\n  ACTIVITY {package}/{activity} 9f8e7d6 pid={pid}\n"
        if service == "package" and len(args) > 1:
            return self._package_dump(args[1])
        return Done(err=f"Can't find service: {service}\n".encode(), status=0)

    def _package_dump(self, package: str) -> str:
        found = self.installed.get(package)
        if found is None or (package not in self.packages and package not in SYSTEM_PACKAGES):
            return ""
        return found.dump()

    def _cmd_wm(self, args: list[str]) -> str:
        if args[:1] == ["size"]:
            return f"Physical size: {WIDTH}x{HEIGHT}\n"
        if args[:1] == ["density"]:
            return "Physical density: 420\n"
        return ""

    def _cmd_settings(self, args: list[str]) -> Done | str:
        out, err, status = run_settings(self.settings, args)
        return Done(out=out.encode(), err=err.encode(), status=status) if status else out

    def _wlan_ip(self) -> str:
        return f"192.168.1.{100 + self.index}"

    def _cmd_ip(self, args: list[str]) -> Done | str:
        if "wlan0" not in args:
            return Done(err=b'Device "eth0" does not exist.\n', status=1)
        return (
            "47: wlan0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP qlen 3000\n"
            "    link/ether 02:00:00:00:00:00 brd ff:ff:ff:ff:ff:ff\n"
            f"    inet {self._wlan_ip()}/24 brd 192.168.1.255 scope global wlan0\n"
            "       valid_lft forever preferred_lft forever\n"
        )

    def _cmd_ifconfig(self, args: list[str]) -> Done | str:
        if args[:1] != ["wlan0"]:
            return Done(
                err=f"ifconfig: {args[0] if args else 'eth0'}: No such device\n".encode(), status=1
            )
        return (
            "wlan0     Link encap:Ethernet  HWaddr 02:00:00:00:00:00\n"
            f"          inet addr:{self._wlan_ip()}  Bcast:192.168.1.255  Mask:255.255.255.0\n"
            "          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1\n"
        )

    def _cmd_screencap(self, args: list[str]) -> Done | bytes:
        if "-p" not in args:
            return Done(err=b"screencap: only -p (PNG) is supported here\n", status=1)
        png = render_png(self.ui)
        target = [a for a in args if not a.startswith("-")]
        if target:
            self.path(target[0]).write_bytes(png)
            return b""
        return png

    def _cmd_uiautomator(self, args: list[str]) -> Done | str:
        if args[:1] != ["dump"]:
            return Done(err=b"Usage: uiautomator dump [--compressed] [file]\n", status=1)
        files = [a for a in args[1:] if not a.startswith("-")]
        target = files[0] if files else "/sdcard/window_dump.xml"
        file = self.path(target)
        if not file.parent.is_dir():
            return Done(err=f"ERROR: could not write {target}\n".encode(), status=1)
        file.write_text(self.ui.hierarchy(), encoding="utf-8")
        return f"UI hierchary dumped to: {target}\n"

    def _cmd_logcat(self, args: list[str]) -> Done | str:
        options = parse_logcat(args)
        if isinstance(options, str):
            return Done(err=options.encode() + b"\n", status=1)
        if options.clear:
            self.log.clear()
            return ""
        return self.log.read(options)  # following the log is the adb transport's part

    def _cmd_log(self, args: list[str]) -> Done | str:
        parsed = parse_log(args)
        if isinstance(parsed, str):
            return Done(err=parsed.encode() + b"\n", status=1)
        priority, tag, message = parsed
        self.log.write(tag, message, priority=priority)
        return ""

    def _cmd_screenrecord(self, args: list[str]) -> Done:
        """Record the screen into an MP4 until ``--time-limit`` (180 s at most) or a signal.

        A frame is taken whenever the screen changes (looked at ten times a second) and lasts
        until the next; a background recording stops at ``kill -INT`` (or any signal) and
        writes its file, as Android's does; after ``kill -9`` the file has no index.
        """
        options = _screenrecord_options(args)
        if isinstance(options, Done):
            return options
        path, limit, size = options
        job = self.current_job()
        stop = job.signalled if job is not None else threading.Event()
        deadline: float | None = getattr(self._deadline, "at", None)
        started = time.monotonic()
        end = started + limit if deadline is None else min(started + limit, deadline)
        frames: list[tuple[bytes, float]] = []
        shown, total, full = b"", 0, False
        while True:
            png = render_png(self.ui)
            now = time.monotonic()
            if png != shown:
                jpeg = _jpeg(png, size or self.ui.size)
                total += len(jpeg)
                full = not self.has_room(total + 4096)
                if full:
                    break
                frames.append((jpeg, now if frames else started))  # the video starts at once
                shown = png
            if stop.is_set() or now >= end:
                break
            stop.wait(min(0.1, max(0.0, end - now)))
        finished = time.monotonic()
        width, height = size or self.ui.size
        timed = [
            (jpeg, int(((frames[i + 1][1] if i + 1 < len(frames) else finished) - at) * 1000))
            for i, (jpeg, at) in enumerate(frames)
        ]
        video = h264_mp4(timed, width, height) or mjpeg_mp4(timed, width, height)
        if job is not None and job.last_signal == 9:  # killed outright: the index never came
            video = video[: video.rfind(b"moov") - 4]
        self.path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path(path).write_bytes(video)
        self._log("ScreenRecord", f"recorded {path} ({len(frames)} frames)")
        if full:
            return Done(err=b"Unable to write the video: No space left on device\n", status=1)
        return Done()

    def _cmd_ps(self, args: list[str]) -> str:
        return self.processes.ps(args)

    def _cmd_pidof(self, args: list[str]) -> Done | str:
        pids = [str(p.pid) for name in args for p in self.processes.find(name)]
        return " ".join(pids) + "\n" if pids else Done(status=1)

    def _cmd_kill(self, args: list[str]) -> Done:
        number, words = 15, list(args)
        if words[:1] == ["-s"] and len(words) > 1:
            found, words = signal_number(words[1]), words[2:]
        elif words[:1] and words[0].startswith("-") and words[0][1:]:
            found, words = signal_number(words[0][1:]), words[1:]
        else:
            found = number
        if found is None or not words:
            return Done(err=b"usage: kill [-s SIGNAL | -SIGNAL] PID...\n", status=1)
        problems = []
        for word in words:
            if not word.isdigit():
                problems.append(f"kill: {word}: invalid pid")
                continue
            problem = self.processes.signal(int(word), found)
            if problem:
                problems.append(problem)
        err = "".join(line + "\n" for line in problems).encode()
        return Done(err=err, status=1 if problems else 0)

    def _cmd_grep(self, args: list[str]) -> Done:
        """``grep [-i] [-v] [-c] [-F] [-E] [-e PATTERN] PATTERN [FILE…]``, matched by RE2."""
        flags, patterns, files = set(), [], []
        words = iter(args)
        for word in words:
            if word == "-e":
                patterns.append(next(words, ""))
            elif word.startswith("-") and len(word) > 1 and set(word[1:]) <= set("ivcFEq"):
                flags |= set(word[1:])
            elif not patterns:
                patterns.append(word)
            else:
                files.append(word)
        if not patterns:
            return Done(err=b"usage: grep [-icvFEq] [-e PATTERN] PATTERN [FILE...]\n", status=2)
        try:
            match = line_matcher(patterns, fixed="F" in flags, ignore_case="i" in flags)
        except PatternError as error:
            return Done(err=f"grep: {error}\n".encode(), status=2)
        texts = [self._stdin] if not files else []
        for name in files:
            file = self.path(name)
            if not file.is_file():
                return Done(err=f"grep: {name}: No such file or directory\n".encode(), status=2)
            texts.append(file.read_bytes())
        lines = [
            line
            for text in texts
            for line in text.decode("utf-8", "replace").splitlines()
            if match(line) != ("v" in flags)
        ]
        out = f"{len(lines)}\n" if "c" in flags else "".join(line + "\n" for line in lines)
        return Done(out=b"" if "q" in flags else out.encode(), status=0 if lines else 1)

    def _input_methods(self) -> list[str]:
        """The keyboards installed: the stock one, and uiautomator2's once its app is."""
        stock = [DEFAULT_SETTINGS[("secure", "default_input_method")]]
        return stock + ([ADB_KEYBOARD] if ADB_KEYBOARD.split("/")[0] in self.packages else [])

    def _cmd_ime(self, args: list[str]) -> Done | str:
        methods = self._input_methods()
        key = ("secure", "enabled_input_methods")
        enabled = [m for m in self.settings.get(key, "").split(":") if m in methods]
        if args[:1] == ["list"]:
            shown = methods if "-a" in args else enabled
            return "".join(f"{method}\n" for method in shown)
        if args[:1] in (["enable"], ["disable"], ["set"]) and len(args) == 2:
            method = args[1]
            if method not in methods:
                return Done(err=f"Unknown input method {method} cannot be enabled for user #0\n"
                            .encode(), status=255)  # fmt: skip
            if args[0] == "set":
                self.settings[("secure", "default_input_method")] = method
                return f"Input method {method} selected for user #0\n"
            kept = [m for m in enabled if m != method] + ([method] if args[0] == "enable" else [])
            self.settings[key] = ":".join(kept)
            return f"Input method {method}: {args[0]}d\n"
        return Done(err=b"usage: ime list|enable|disable|set ID\n", status=255)

    def _open_settings(self) -> str:
        self.ui.settings()
        self._log("ActivityTaskManager", "START u0 {act=android.settings.SETTINGS} from uid 2000")
        return "Starting: Intent { act=android.settings.SETTINGS }\n"

    def _key(self, name: str) -> None:
        code = KEYCODES.get(name.upper(), int(name) if name.isdigit() else None)
        if code is not None:
            self.ui.press_key(code)


_SCREENRECORD_USAGE = (
    "Usage: screenrecord [options] <filename>\n"
    "Records the device's display to a .mp4 file.\n"
    "  --size WIDTHxHEIGHT  --bit-rate RATE  --time-limit TIME (seconds, 1 to 180)\n"
)


def _screenrecord_options(args: list[str]) -> tuple[str, float, tuple[int, int] | None] | Done:
    """``screenrecord``'s file, time limit and size, or its error."""
    limit, size, files = 180.0, None, []
    words = iter(args)
    for word in words:
        if word == "--time-limit":
            value = next(words, "")
            if not value.isdigit() or not 1 <= int(value) <= 180:
                message = f"Time limit {value}s outside acceptable range [1,180]\n"
                return Done(err=message.encode(), status=2)
            limit = float(value)
        elif word == "--size":
            value = next(words, "")
            width, _, height = value.partition("x")
            if not (width.isdigit() and height.isdigit() and 16 <= int(width) <= 4096
                    and 16 <= int(height) <= 4096):  # fmt: skip
                return Done(err=f"Invalid size '{value}', must be width x height\n".encode(),
                            status=2)  # fmt: skip
            size = (int(width), int(height))
        elif word == "--bit-rate":
            next(words, "")
        elif word in ("--verbose", "--bugreport"):
            continue
        elif word in ("--help", "-h"):
            return Done(err=_SCREENRECORD_USAGE.encode(), status=0)
        elif word.startswith("-"):
            return Done(err=f"Unknown option {word}\n{_SCREENRECORD_USAGE}".encode(), status=2)
        else:
            files.append(word)
    if len(files) != 1:
        return Done(err=b"Must specify output file (see --help).\n", status=2)
    return files[0], limit, size


def _jpeg(png: bytes, size: tuple[int, int]) -> bytes:
    """A screen's picture as a JPEG frame of ``size``."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.size != size:
        image = image.resize(size)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    data: bytes = out.getvalue()
    return data

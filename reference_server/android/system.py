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
import itertools
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from tikmatrix_sdk._contract.records import MediaFile, make_record, record_log

from ..orphan_sweep import folder_prefix
from .app_commands import AppCommands
from .apps import APPS, App
from .described_apps import AppError, DescribedApp, read_app
from .elements import LAUNCHER, SYSTEM_UI
from .file_commands import FileCommands
from .logcat import LogBuffer
from .packages import SYSTEM_PACKAGES, InstalledPackage, built_in_packages
from .processes import Process, ProcessTable
from .service_commands import ServiceCommands
from .settings import DEFAULT_SETTINGS
from .sh import Done, Emit, Interpreter
from .text_tools import TextTools
from .tools import AndroidTools
from .ui import PhoneUI

__all__ = ["AndroidSystem", "CommandTimeout", "folder_name"]

_FOLDER_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def folder_name(serial: str) -> str:
    """A phone's folder name from its serial: no serial can move it, or make it too long.

    The serial's safe characters (at most 40) and a digest of the whole serial, so that two
    serials never share a folder.
    """
    digest = hashlib.sha256(serial.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{_FOLDER_SAFE.sub('_', serial)[:40]}-{digest}"


#: How many shell lines (and commands) a phone remembers.
MAX_HISTORY = 2000
#: The largest file the shell writes, all the phone's storage, and the longest ``sleep``.
MAX_FILE, MAX_STORAGE, MAX_SLEEP = 64 * 1024 * 1024, 512 * 1024 * 1024, 600.0
#: The background jobs (``command &``) a phone runs at once.
MAX_JOBS = 32


class CommandTimeout(Exception):
    """A command line ran past the timeout its caller gave (:meth:`AndroidSystem.execute`)."""


class AndroidSystem(FileCommands, AppCommands, TextTools, ServiceCommands, AndroidTools):
    """One phone's insides; :meth:`close` removes its sandbox."""

    def __init__(
        self, name: str, *, serial: str = "", apps: tuple[str, ...] = ("tiktok", "instagram")
    ) -> None:
        self.name = name
        self.serial = serial or name
        # Named for this server, so that the next one removes it if this one is killed.
        self._dir = tempfile.TemporaryDirectory(prefix=f"{folder_prefix()}{folder_name(name)}-")
        self.root = Path(self._dir.name)
        for folder in ("sdcard/DCIM", "sdcard/Pictures", "data/local/tmp", "dev"):
            (self.root / folder).mkdir(parents=True)
        (self.root / "dev/null").touch()  # it reads empty and swallows what is written
        #: Modes ``chmod`` set, by the file's phone path (the sandbox's own stay as they are).
        self.modes: dict[str, int] = {}
        self.sessions: dict[int, bytearray] = {}
        self._session_flags: dict[int, set[str]] = {}
        self._session_ids = itertools.count(1001)
        self.packages = {APPS[app].package for app in apps}
        #: Every installed package's versions and install times (``dumpsys package``).
        self.installed = built_in_packages(self.packages)
        self.gallery: list[str] = []
        #: The apps described as data that the phone has (:meth:`install_described`).
        self.described: dict[str, DescribedApp] = {}
        self.following: dict[str, set[str]] = {platform: set() for platform in APPS}
        self.records = record_log()
        #: The latest shell lines and commands run (bounded: a phone's log rotates too).
        self.commands: collections.deque[str] = collections.deque(maxlen=MAX_HISTORY)
        self.executed: collections.deque[list[str]] = collections.deque(maxlen=MAX_HISTORY)
        self.rebooted = False
        self.ui = PhoneUI(self)
        self._lock = threading.Lock()
        #: The deadline of the command line running in each thread (see :meth:`execute`).
        self._deadline = threading.local()
        #: The background job each thread runs, if any (what ``kill`` signals).
        self._job = threading.local()
        self._jobs: dict[int, tuple[threading.Thread, list[Done]]] = {}
        self.cwd = "/"
        self._stdin = b""
        self.index = int("".join(c for c in name if c.isdigit())[-2:] or 0)
        self.settings = dict(DEFAULT_SETTINGS)
        self.log = LogBuffer()
        self.processes = ProcessTable()
        self.props = {
            "ro.serialno": name,
            "ro.build.version.sdk": "33",
            "ro.build.version.release": "13",
            "ro.product.model": f"Virtual_{name}",
            "ro.product.brand": "tikmatrix",
            "ro.product.manufacturer": "TikMatrix",
            "ro.product.name": "tikmatrix_virtual",
            "ro.product.device": "virtual",
            # What a 64-bit ARM phone reports (uiautomator2's device_info['arch']).
            "ro.product.cpu.abi": "arm64-v8a",
            "ro.product.cpu.abilist": "arm64-v8a,armeabi-v7a,armeabi",
            "ro.build.type": "user",
            "ro.debuggable": "0",
            "ro.secure": "1",
        }
        self.sh = Interpreter(
            self,
            {"PATH": "/product/bin:/system/bin:/system/xbin", "HOME": "/", "USER": "shell"},
        )

    def close(self) -> None:
        """Remove the sandbox."""
        self._dir.cleanup()

    # -- records -----------------------------------------------------------------------------

    def record(self, action: str, app: App, **details: Any) -> None:
        """Remember something the apps did (and log it, as an app would)."""
        with self._lock:
            self.records.append(make_record(action, platform=app.platform, **details))
            self._log(app.name, f"{action} {details}")

    def install_described(self, app: DescribedApp) -> None:
        """Install an app described as data, replacing one of its package.

        Its icon is on the launcher, it opens on its start screen, and it is a package as
        any other (listed, with versions, uninstalled by ``pm uninstall``).
        """
        if app.package in SYSTEM_PACKAGES or app.package in {a.package for a in APPS.values()}:
            raise AppError("package", f"is one of the phone's own apps: {app.package}")
        self.force_stop(app.package)  # outside the lock: the screen's lock comes first
        with self._lock:
            self.described[app.package] = app
            self.packages.add(app.package)
            self.installed[app.package] = InstalledPackage(
                package=app.package,
                version_code=app.version_code,
                version_name=app.version_name,
                label=app.label,
            )
            self._log("PackageManager", f"installed {app.package} {app.version_name}")

    def install_app(self, description: Any) -> DescribedApp:
        """Install the app ``description`` describes as data (see :mod:`.described_apps`).

        :class:`~.described_apps.AppError` names the field of a description that cannot be
        installed.
        """
        app = read_app(description)
        self.install_described(app)
        return app

    def uninstall_described(self, package: str) -> bool:
        """Remove an app described as data; whether the phone had it."""
        if package not in self.described:
            return False
        self.force_stop(package)  # outside the lock: the screen's lock comes first
        with self._lock:
            if self.described.pop(package, None) is None:
                return False
            self.packages.discard(package)
            self.installed.pop(package, None)
            self._log("PackageManager", f"removed {package}")
            return True

    def in_front(self, package: str) -> None:
        """An app came to the front: its process runs (started now if it was not running)."""
        self.processes.start_app(package)

    def force_stop(self, package: str) -> None:
        """``am force-stop``: the app's process ends, and its screen leaves the front.

        The launcher and the system UI are started again at once, as Android restarts them.
        """
        self.ui.stop(package)
        if self.processes.stop_app(package) and package in (LAUNCHER, SYSTEM_UI):
            self.processes.start_app(package)

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
                MediaFile(path=path, size=len(data), sha256=hashlib.sha256(data).hexdigest())
            )
        extra = {"sound": sound} if sound else {}
        self.record("post", app, caption=caption, media=media, way=way, settings=settings, **extra)

    # -- storage -----------------------------------------------------------------------------

    def path(self, device_path: str) -> Path:
        """The sandbox file behind a phone path (relative ones from the shell's directory).

        It is never outside the sandbox.
        """
        clean = PurePosixPath(self.cwd, device_path)
        parts = [part for part in clean.parts[1:] if part not in ("", ".", "..")]
        if parts[:1] == ["storage"] and parts[1:2] == ["emulated"]:
            parts = ["sdcard", *parts[3:]]
        return self.root.joinpath(*parts)

    def has_room(self, size: int) -> bool:
        """Whether ``size`` more bytes fit in the phone's storage."""
        used = sum(
            os.path.getsize(os.path.join(folder, name))
            for folder, _, names in os.walk(self.root)
            for name in names
        )
        return used + size <= MAX_STORAGE

    def read_file(self, path: str) -> bytes | None:
        """A file's bytes (``None`` when there is no such file)."""
        file = self.path(path)
        if file == self.root / "dev/null":
            return b""
        return file.read_bytes() if file.is_file() else None

    def write_file(self, path: str, data: bytes, *, append: bool) -> str | None:
        """Write (or append to) a file; an error message, or ``None``."""
        file = self.path(path)
        if file == self.root / "dev/null":
            return None
        if file.is_dir():
            return f"{path}: Is a directory"
        if not file.parent.is_dir():
            return f"{path}: No such file or directory"
        size = file.stat().st_size if append and file.exists() else 0
        if size + len(data) > MAX_FILE:
            return f"{path}: File too large"
        if not self.has_room(len(data)):
            return f"{path}: No space left on device"
        with file.open("ab" if append else "wb") as out:
            out.write(data)
        return None

    # -- shell -------------------------------------------------------------------------------

    def execute(self, line: str, timeout: float | None = None) -> str:
        """Run a shell command line (never through a host shell); what it printed.

        With ``timeout``, a command still waiting (``sleep``) when it passes raises
        :class:`CommandTimeout`, as adb's client gives up on a phone.
        """
        self._deadline.at = None if timeout is None else time.monotonic() + timeout
        try:
            return self.execute_line(line).combined.decode("utf-8", "replace")
        finally:
            self._deadline.at = None

    def execute_line(
        self,
        line: str,
        *,
        read_line: Callable[[], bytes | None] | None = None,
        emit: Emit | None = None,
    ) -> Done:
        """Run a shell command line: its output, its errors and its exit status apart.

        ``read_line`` is the terminal the line was typed in (``read`` takes lines from it);
        ``emit`` its output, where what the line prints goes as soon as each part is done
        (then the answer holds only the status).
        """
        with self._lock:
            self.commands.append(line)
        if read_line is None and emit is None:
            return self.sh.run(line)
        return Interpreter(self, self.sh.variables, read_line=read_line, emit=emit).run(line)

    # -- background jobs ---------------------------------------------------------------------

    def start_job(self, command: list[str], work: Callable[[], Done]) -> int | None:
        """Run ``work`` on a thread of its own, as a process ``kill`` can signal; its pid.

        A phone runs at most :data:`MAX_JOBS` background jobs at once (``None`` past that:
        the shell says it cannot fork), and keeps the results of at most as many finished
        ones for ``wait``: a script that starts copies of itself costs a bounded number of
        threads, and the API keeps answering.
        """
        with self._lock:
            finished = [pid for pid, (thread, _) in self._jobs.items() if not thread.is_alive()]
            for pid in finished[: max(0, len(finished) - MAX_JOBS)]:  # the oldest go first
                del self._jobs[pid]
            if len(self._jobs) - len(finished) >= MAX_JOBS:
                return None
            process = self.processes.spawn(command)
            results: list[Done] = []

            def run() -> None:
                self._job.process = process
                try:
                    results.append(work())
                except CommandTimeout:
                    results.append(Done(status=124))
                finally:
                    self.processes.end(process)

            thread = threading.Thread(target=run, name=f"job-{process.pid}", daemon=True)
            self._jobs[process.pid] = (thread, results)
            try:
                thread.start()
            except RuntimeError:  # the host has no thread to give: as a failed fork
                del self._jobs[process.pid]
                self.processes.end(process)
                return None
        return process.pid

    def wait_jobs(self, pids: list[int]) -> Done:
        """``wait``: until those jobs end (every one, for none); their output, the status."""
        with self._lock:
            wanted = pids or list(self._jobs)
            jobs = [(pid, self._jobs.pop(pid, None)) for pid in wanted]
        out, err, status = bytearray(), bytearray(), 0
        for pid, job in jobs:
            if job is None:
                err += f"wait: pid {pid} is not a child of this shell\n".encode()
                status = 127
                continue
            thread, results = job
            thread.join(MAX_SLEEP)
            done = results[0] if results else Done(status=143)
            out += done.out
            err += done.err
            status = done.status
        return Done(bytes(out), bytes(err), status)

    def current_job(self) -> Process | None:
        """The background job the calling thread runs, if any."""
        process: Process | None = getattr(self._job, "process", None)
        return process

    def run(self, argv: list[str]) -> str:
        """Run one command, as its argument vector; what it printed."""
        done = self.run_tool(argv, b"", {})
        return (done.out + done.err).decode("utf-8", "replace")

    def run_tool(self, argv: list[str], stdin: bytes, env: Mapping[str, str]) -> Done:
        """Run one command: a builtin of sh, or a tool of the phone."""
        if not argv:
            return Done()
        with self._lock:
            self.executed.append(list(argv))
        command, args = argv[0].rsplit("/", 1)[-1], argv[1:]
        if command == "toybox" and args:
            command, args = args[0], args[1:]
        handler = (
            self.bracket
            if command == "["
            else getattr(self, f"_cmd_{command.replace('-', '_')}", None)
        )
        if handler is None:
            message = f"/system/bin/sh: {argv[0]}: inaccessible or not found\n"
            return Done(err=message.encode(), status=127)
        self._stdin = stdin
        try:
            result: str | bytes | Done = handler(args)
        except (IndexError, ValueError, KeyError, OSError) as error:  # a tool's usage error
            return Done(err=f"{command}: {error}\n".encode(), status=1)
        if isinstance(result, Done):
            return result
        return Done(out=result.encode() if isinstance(result, str) else result)

    def _cmd_echo(self, args: list[str]) -> str:
        newline, escapes = True, False
        while args and args[0] in ("-n", "-e", "-E", "-ne", "-en"):
            newline = newline and "n" not in args[0]
            escapes = "e" in args[0]
            args = args[1:]
        text = " ".join(args)
        if escapes:
            text, _, _ = text.encode().decode("unicode_escape").partition("\\c")
        return text + ("\n" if newline else "")

    def _cmd_false(self, args: list[str]) -> Done:
        return Done(status=1)

    def _cmd_pwd(self, args: list[str]) -> str:
        return self.cwd + "\n"

    def _cmd_cd(self, args: list[str]) -> Done:
        target = str(PurePosixPath(self.cwd, args[0] if args else "/"))
        if not self.path(target).is_dir():
            return Done(err=f"cd: {args[0]}: No such file or directory\n".encode(), status=2)
        self.cwd = os.path.normpath(target)
        return Done()

    def _cmd_sleep(self, args: list[str]) -> Done:
        seconds = float(args[0]) if args else 0.0
        if not 0 <= seconds <= MAX_SLEEP:
            return Done(err=f"sleep: invalid number '{args[0]}'\n".encode(), status=1)
        deadline: float | None = getattr(self._deadline, "at", None)
        if deadline is not None and time.monotonic() + seconds > deadline:
            time.sleep(max(0.0, deadline - time.monotonic()))
            raise CommandTimeout(f"sleep {args[0]} went past the call's timeout")
        job = self.current_job()
        if job is None:
            time.sleep(seconds)
        elif job.signalled.wait(seconds):  # a background sleep ends when it is killed
            return Done(status=128 + job.last_signal)
        return Done()

    def _cmd_which(self, args: list[str]) -> Done:
        builtins = {"sh", "read", "wait", "export", "unset", "exec", "exit", "return", "["}
        found = [
            name
            for name in args
            if name in builtins or callable(getattr(self, f"_cmd_{name}", None))
        ]
        out = "".join(f"/system/bin/{name}\n" for name in found)
        return Done(out=out.encode(), status=0 if found and len(found) == len(args) else 1)

    def _cmd_id(self, args: list[str]) -> str:
        groups = "2000(shell),1004(input),1007(log),3003(inet)"
        return f"uid=2000(shell) gid=2000(shell) groups={groups} context=u:r:shell:s0\n"

    def _cmd_date(self, args: list[str]) -> str:
        now = time.time()
        if args[:1] == ["+%s"]:
            return f"{int(now)}\n"
        return time.strftime("%a %b %d %H:%M:%S %Z %Y", time.localtime(now)) + "\n"

    def _cmd_setprop(self, args: list[str]) -> Done:
        if len(args) != 2:
            return Done(err=b"setprop: Need 2 arguments\n", status=1)
        self.props[args[0]] = args[1]
        return Done()

    def _cmd_true(self, args: list[str]) -> str:
        return ""

    def _cmd_getprop(self, args: list[str]) -> str:
        props = self.props
        return (
            props.get(args[0], "") if args else "\n".join(f"[{k}]: [{v}]" for k, v in props.items())
        ) + "\n"

    def _cmd_reboot(self, args: list[str]) -> str:
        self.rebooted = True
        return ""

    def _cmd_input(self, args: list[str]) -> str:
        if args[:1] == ["keyevent"]:
            for key in args[1:]:
                self._key(key)
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

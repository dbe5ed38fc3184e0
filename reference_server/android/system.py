"""A simulated Android phone without its transport: storage, apps, screens and shell commands.

:class:`AndroidSystem` is what the virtual phones put behind their ADB daemon, and what a
simulated device drives in-process for the device API. It has a file system sandbox, the
shell commands the runner and ADB tooling use, the simulated TikTok and Instagram apps with
their screens, and a record of what was done: posts with their caption and media bytes,
follows, comments, and every command it ran.
"""

from __future__ import annotations

import base64
import binascii
import collections
import hashlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from tikmatrix_sdk._contract.records import MediaFile, make_record

from ..orphan_sweep import folder_prefix
from .apps import APPS, App
from .logcat import LogBuffer
from .packages import ADB_KEYBOARD, built_in_packages, install
from .processes import Process, ProcessTable
from .settings import DEFAULT_SETTINGS
from .sh import Done, Interpreter
from .tools import AndroidTools
from .ui import PhoneUI

__all__ = ["AndroidSystem", "CommandTimeout"]

#: How many shell lines (and commands) a phone remembers.
MAX_HISTORY = 2000
#: The largest file the shell writes, all the phone's storage, and the longest ``sleep``.
MAX_FILE, MAX_STORAGE, MAX_SLEEP = 64 * 1024 * 1024, 512 * 1024 * 1024, 600.0
_SCAN = "android.intent.action.MEDIA_SCANNER_SCAN_FILE"
_TYPE = "ADB_INPUT_TEXT"


class CommandTimeout(Exception):
    """A command line ran past the timeout its caller gave (:meth:`AndroidSystem.execute`)."""


class AndroidSystem(AndroidTools):
    """One phone's insides; :meth:`close` removes its sandbox."""

    def __init__(
        self, name: str, *, serial: str = "", apps: tuple[str, ...] = ("tiktok", "instagram")
    ) -> None:
        self.name = name
        self.serial = serial or name
        # Named for this server, so that the next one removes it if this one is killed.
        self._dir = tempfile.TemporaryDirectory(prefix=f"{folder_prefix()}{name}-")
        self.root = Path(self._dir.name)
        for folder in ("sdcard/DCIM", "sdcard/Pictures", "data/local/tmp"):
            (self.root / folder).mkdir(parents=True)
        self.packages = {APPS[app].package for app in apps}
        #: Every installed package's versions and install times (``dumpsys package``).
        self.installed = built_in_packages(self.packages)
        self.gallery: list[str] = []
        self.following: dict[str, set[str]] = {platform: set() for platform in APPS}
        self.records: list[dict[str, Any]] = []
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
        return file.read_bytes() if file.is_file() else None

    def write_file(self, path: str, data: bytes, *, append: bool) -> str | None:
        """Write (or append to) a file; an error message, or ``None``."""
        file = self.path(path)
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
        self, line: str, *, read_line: Callable[[], bytes | None] | None = None
    ) -> Done:
        """Run a shell command line: its output, its errors and its exit status apart.

        ``read_line`` is the terminal the line was typed in (``read`` takes lines from it).
        """
        with self._lock:
            self.commands.append(line)
        if read_line is None:
            return self.sh.run(line)
        return Interpreter(self, self.sh.variables, read_line=read_line).run(line)

    # -- background jobs ---------------------------------------------------------------------

    def start_job(self, command: list[str], work: Callable[[], Done]) -> int:
        """Run ``work`` on a thread of its own, as a process ``kill`` can signal; its pid."""
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
        with self._lock:
            self._jobs[process.pid] = (thread, results)
        thread.start()
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
        handler = getattr(self, f"_cmd_{command.replace('-', '_')}", None)
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
        builtins = {"sh", "read", "wait", "export", "unset", "exec"}
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

    def _cmd_touch(self, args: list[str]) -> Done:
        for name in (a for a in args if not a.startswith("-")):
            file = self.path(name)
            if not file.parent.is_dir():
                message = f"touch: '{name}': No such file or directory\n"
                return Done(err=message.encode(), status=1)
            file.touch()
        return Done()

    def _cmd_mv(self, args: list[str]) -> Done:
        return self._copy(args, move=True)

    def _cmd_cp(self, args: list[str]) -> Done:
        return self._copy(args, move=False)

    def _copy(self, args: list[str], *, move: bool) -> Done:
        names = [a for a in args if not a.startswith("-")]
        tool = "mv" if move else "cp"
        if len(names) < 2:
            return Done(err=f"{tool}: Need 2 arguments\n".encode(), status=1)
        *sources, target = names
        destination = self.path(target)
        for name in sources:
            source = self.path(name)
            if not source.exists():
                message = f"{tool}: bad '{name}': No such file or directory\n"
                return Done(err=message.encode(), status=1)
            landing = destination / source.name if destination.is_dir() else destination
            if move:
                shutil.move(str(source), str(landing))
            elif source.is_dir():
                shutil.copytree(source, landing, dirs_exist_ok=True)
            else:
                shutil.copyfile(source, landing)
        return Done()

    def _cmd_stat(self, args: list[str]) -> Done:
        lines, status = [], 0
        for name in (a for a in args if not a.startswith("-")):
            file = self.path(name)
            if not file.exists():
                lines.append(f"stat: '{name}': No such file or directory")
                status = 1
                continue
            info = file.stat()
            kind = "directory" if file.is_dir() else "regular file"
            lines.append(
                f"  File: {name}\n  Size: {info.st_size}\t Blocks: {(info.st_size + 511) // 512}"
                f"\t IO Blocks: 4096\t{kind}\nAccess: ({'0755' if file.is_dir() else '0644'})"
                f"  Uid: ( 2000/   shell)   Gid: ( 2000/   shell)\n"
                f"Modify: {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(info.st_mtime))}"
            )
        out = "\n".join(line for line in lines if not line.startswith("stat:"))
        err = "\n".join(line for line in lines if line.startswith("stat:"))
        return Done(
            out=(out + "\n").encode() if out else b"",
            err=(err + "\n").encode() if err else b"",
            status=status,
        )

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

    def _cmd_ls(self, args: list[str]) -> Done:
        targets = [a for a in args if not a.startswith("-")] or [self.cwd]
        out, err = [], []
        for name in targets:
            file = self.path(name)
            if file.is_dir():
                out += sorted(p.name for p in file.iterdir())
            elif file.exists():
                out.append(name)
            else:
                err.append(f"ls: {name}: No such file or directory")
        return Done(
            out="".join(line + "\n" for line in out).encode(),
            err="".join(line + "\n" for line in err).encode(),
            status=1 if err else 0,
        )

    def _cmd_mkdir(self, args: list[str]) -> Done:
        parents = any(a.startswith("-") and "p" in a for a in args)
        for name in (a for a in args if not a.startswith("-")):
            folder = self.path(name)
            if folder.exists() and not parents:
                return Done(err=f"mkdir: '{name}': File exists\n".encode(), status=1)
            if not parents and not folder.parent.is_dir():
                message = f"mkdir: '{name}': No such file or directory\n"
                return Done(err=message.encode(), status=1)
            folder.mkdir(parents=True, exist_ok=True)
        return Done()

    def _cmd_rm(self, args: list[str]) -> Done:
        flags = "".join(a[1:] for a in args if a.startswith("-"))
        for name in (a for a in args if not a.startswith("-")):
            target = self.path(name)
            if target == self.root:
                return Done(err=b"rm: '/': Permission denied\n", status=1)
            if target.is_dir():
                if "r" not in flags and "R" not in flags:
                    return Done(err=f"rm: {name}: is a directory\n".encode(), status=1)
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            elif "f" not in flags:
                message = f"rm: {name}: No such file or directory\n"
                return Done(err=message.encode(), status=1)
        return Done()

    def _cmd_cat(self, args: list[str]) -> Done:
        names = [a for a in args if a != "-"]
        if not names:
            return Done(out=self._stdin)
        out, err = bytearray(), bytearray()
        for name in names:
            file = self.path(name)
            if file.is_file():
                out += file.read_bytes()
            else:
                err += f"cat: {name}: No such file or directory\n".encode()
        return Done(bytes(out), bytes(err), 1 if err else 0)

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

    def _cmd_pm(self, args: list[str]) -> str:
        if args[:2] == ["list", "packages"]:
            wanted = [a for a in args[2:] if not a.startswith("-")]
            names = sorted(self.packages | {"com.android.settings"})
            return "".join(f"package:{n}\n" for n in names if not wanted or wanted[0] in n)
        if args[:1] == ["clear"] and args[1:2]:
            if args[1] not in self.packages:
                return "Failed\n"
            if self.ui.package == args[1]:
                self.ui.stop(args[1])
            self._log("PackageManager", f"cleared {args[1]}")
            return "Success\n"
        if args[:1] == ["path"] and args[1:2]:
            found = self.installed.get(args[1]) if args[1] in self.packages else None
            return f"package:{found.code_path}\n" if found else ""
        if args[:1] == ["install"]:
            return self._install([a for a in args[1:] if not a.startswith("-")], set(args[1:]))
        if args[:1] == ["uninstall"] and args[1:]:
            name = args[-1]
            if name not in self.packages or name == "com.android.settings":
                return "Failure [DELETE_FAILED_INTERNAL_ERROR]\n"
            self.ui.stop(name)
            self.packages.discard(name)
            self.installed.pop(name, None)
            keyboard = ("secure", "default_input_method")
            if self.settings.get(keyboard, "").startswith(f"{name}/"):  # its keyboard goes too
                self.settings[keyboard] = DEFAULT_SETTINGS[keyboard]
            self._log("PackageManager", f"removed {name}")
            return "Success\n"
        return ""

    def _install(self, paths: list[str], flags: set[str]) -> str:
        if len(paths) != 1:
            return "Error: must specify one APK file to install\n"
        file = self.path(paths[0])
        if not file.is_file():
            return f"Failure [INSTALL_FAILED_INVALID_URI: {paths[0]}: No such file]\n"
        line, package = install(self.installed, file.read_bytes(), flags)
        if package is not None:
            self.packages.add(package.package)
            self._log("PackageManager", f"installed {package.package} {package.version_name}")
        return line + "\n"

    def _cmd_monkey(self, args: list[str]) -> str | Done:
        if "-p" in args and args.index("-p") + 1 >= len(args):
            return Done(err=b"** Error: Invalid argument: -p needs a package name\n", status=1)
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
        if sub == "start" and options.get("-a") == "android.settings.SETTINGS":
            return self._open_settings()
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
        if sub == "broadcast" and options.get("-a", "").startswith("ADB_KEYBOARD_"):
            return self._adb_keyboard(options["-a"], self._string_extras(args))
        if sub == "broadcast" and options.get("-a") == _SCAN:
            uri = options.get("-d", "")
            device_path = uri[len("file://") :] if uri.startswith("file://") else uri
            if self.path(device_path).is_file() and device_path not in self.gallery:
                self.gallery.insert(0, device_path)
            return "Broadcast completed: result=0\n"
        return ""

    def _adb_keyboard(self, action: str, extras: dict[str, str]) -> str:
        """uiautomator2's keyboard (its helper app's), when installed and selected.

        It types base64 text into the focused field, clears the field, or hides.
        """
        head = f"Broadcasting: Intent {{ act={action} flg=0x400000 }}\n"
        current = self.settings.get(("secure", "default_input_method"))
        if current != ADB_KEYBOARD or ADB_KEYBOARD.split("/")[0] not in self.packages:
            return head + "Broadcast completed: result=0\n"  # nobody is listening
        done = True
        if action == "ADB_KEYBOARD_INPUT_TEXT":
            try:
                text = base64.b64decode(extras.get("text", ""), validate=True)
            except binascii.Error:
                return head + 'Broadcast completed: result=0 data="text is not base64"\n'
            done = self.ui.type_text(text.decode("utf-8", "replace"))
        elif action == "ADB_KEYBOARD_CLEAR_TEXT":
            done = self.ui.clear_focused()
        result = '-1 data="success"' if done else '0 data="no focused field"'
        return head + f"Broadcast completed: result={result}\n"

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

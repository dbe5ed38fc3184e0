"""A phone's app commands: ``pm``, ``monkey`` and ``am``, and uiautomator2's keyboard app.

:class:`AppCommands` is mixed into the phone (:class:`~.system.AndroidSystem`), whose
packages, screen and records it changes.
"""

from __future__ import annotations

import base64
import binascii
import itertools

from .described_apps import DescribedApp
from .packages import (
    ADB_KEYBOARD,
    SYSTEM_PACKAGES,
    ApkInfo,
    described_in_apk,
    install,
    read_apk,
    staged_path,
)
from .settings import DEFAULT_SETTINGS
from .sh import Done
from .tools import AndroidTools

__all__ = ["AppCommands"]

_SCAN = "android.intent.action.MEDIA_SCANNER_SCAN_FILE"
#: Install sessions a phone keeps open at once (``pm install-create``), and the most bytes
#: one may hold (an APK streamed by ``adb install``).
MAX_SESSIONS, MAX_SESSION_BYTES = 16, 64 * 1024 * 1024
_TYPE = "ADB_INPUT_TEXT"


class AppCommands(AndroidTools):
    """The app commands; the phone provides its packages, screen and records."""

    gallery: list[str]
    described: dict[str, DescribedApp]
    #: Open install sessions (``pm install-create``): their id and the APK written so far.
    sessions: dict[int, bytearray]
    _session_flags: dict[int, set[str]]
    _session_ids: itertools.count[int]

    def _cmd_pm(self, args: list[str]) -> str | Done:
        if args[:2] == ["list", "packages"]:
            wanted = [a for a in args[2:] if not a.startswith("-")]
            names = sorted(self.packages | SYSTEM_PACKAGES)
            return "".join(f"package:{n}\n" for n in names if not wanted or wanted[0] in n)
        if args[:1] and args[0].startswith("install-"):
            return self._session(args[0], args[1:])
        if args[:1] == ["clear"] and args[1:2]:
            if args[1] not in self.packages:
                return "Failed\n"
            self.force_stop(args[1])
            self._log("PackageManager", f"cleared {args[1]}")
            return "Success\n"
        if args[:1] == ["path"] and args[1:2]:
            known = args[1] in self.packages or args[1] in SYSTEM_PACKAGES
            found = self.installed.get(args[1]) if known else None
            return f"package:{found.code_path}\n" if found else ""
        if args[:1] == ["install"]:
            flags, size, paths = _install_options(args[1:])
            if not paths and size is not None:  # the APK on standard input: adb install's
                return self._install_bytes(self._stdin, size, flags)
            return self._install(paths, flags)
        if args[:1] == ["uninstall"] and args[1:]:
            name = args[-1]
            if name not in self.packages or name in SYSTEM_PACKAGES:
                return "Failure [DELETE_FAILED_INTERNAL_ERROR]\n"
            self.force_stop(name)
            self.described.pop(name, None)
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
        return self._installed(file.read_bytes(), flags, next(self._session_ids))

    def _installed(self, data: bytes, flags: set[str], session: int) -> str:
        """Install ``data`` as session ``session``: the package manager's answer line.

        An APK that carries its app described as data (``assets/tikmatrix-app.json``) is
        installed as that app: its screens run on the phone.
        """
        described = described_in_apk(data)
        if isinstance(described, str):
            return f"Failure [INSTALL_FAILED_INVALID_APK: {described}]\n"
        if described is not None and described.package in SYSTEM_PACKAGES:
            return (
                "Failure [INSTALL_FAILED_INVALID_APK: assets/tikmatrix-app.json describes "
                f"one of the phone's own apps, {described.package}]\n"
            )
        info = read_apk(data, staged_path(session))  # read once, for the check and the install
        apk_package = info.package if isinstance(info, ApkInfo) else None
        if described is not None and apk_package not in (None, described.package):
            return (  # checked before anything is installed
                "Failure [INSTALL_FAILED_INVALID_APK: assets/tikmatrix-app.json describes "
                f"{described.package}, the APK is {apk_package}]\n"
            )
        line, package = install(self.installed, data, flags, session, info)
        if package is None:
            return line + "\n"
        if described is not None:
            self.described[package.package] = described
        self.packages.add(package.package)
        self._log("PackageManager", f"installed {package.package} {package.version_name}")
        return line + "\n"

    def _install_bytes(self, data: bytes, size: int, flags: set[str]) -> str | Done:
        """``pm install -S SIZE``: the APK streamed on standard input, ``SIZE`` bytes of it."""
        if len(data) != size:
            failure = f"Failure [INSTALL_FAILED_INVALID_APK: read {len(data)} of {size} bytes]\n"
            return Done(out=failure.encode(), status=1)
        return self._installed(data, flags, next(self._session_ids))

    def _session(self, verb: str, args: list[str]) -> str | Done:
        """``pm install-create``, ``-write``, ``-commit`` and ``-abandon``.

        They are what ``adb install`` and ``adb install-multiple`` stream an APK through.
        """
        flags, size, words = _install_options(args)
        if verb == "install-create":
            if len(self.sessions) >= MAX_SESSIONS:
                return Done(err=b"Error: too many active install sessions (at most 16)\n", status=1)
            session = next(self._session_ids)
            self.sessions[session] = bytearray()
            self._session_flags[session] = flags
            return f"Success: created install session [{session}]\n"
        if not words or not words[0].isdigit() or int(words[0]) not in self.sessions:
            given = words[0] if words else ""
            return Done(
                err=f"Exception occurred while executing '{verb}':\n"
                f"java.lang.SecurityException: Caller has no access to session {given}\n".encode(),
                status=255,
            )
        session = int(words[0])
        if verb == "install-write":
            source = words[2] if len(words) > 2 else "-"
            data = self._stdin if source == "-" else self.read_file(source)
            if data is None or (size is not None and len(data) != size):
                return Done(err=b"Error: failed to write; the APK was cut short\n", status=1)
            if len(self.sessions[session]) + len(data) > MAX_SESSION_BYTES:
                return Done(out=b"Failure [INSTALL_FAILED_INSUFFICIENT_STORAGE]\n", status=1)
            self.sessions[session] += data
            return f"Success: streamed {len(data)} bytes\n"
        data = bytes(self.sessions.pop(session))
        flags = self._session_flags.pop(session, set()) | flags
        if verb == "install-abandon":
            return "Success\n"
        if verb == "install-commit":
            return self._installed(data, flags, session)
        return Done(err=f"Unknown command: {verb}\n".encode(), status=255)

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
            self.force_stop(args[-1])
            return ""
        if sub == "kill" and args[1:]:  # only a process in the background is killed
            if self.ui.package != args[-1]:
                self.processes.stop_app(args[-1])
            return ""
        if sub == "kill-all":
            front = self.ui.package
            for process in self.processes.running():
                package = process.command[0] if process.command else ""
                if process.uid >= 10000 and package != front and package in self.packages:
                    self.processes.stop_app(package)
            return ""
        if sub == "start" and "-S" in args:  # force-stop the app first, then start it anew
            target = options.get("-n", "").split("/")[0]
            if target:
                self.force_stop(target)
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


def _install_options(args: list[str]) -> tuple[set[str], int | None, list[str]]:
    """``pm install``'s flags (``-r``, ``-d``, ``-g`` …), its ``-S SIZE``, and the other words."""
    flags: set[str] = set()
    size: int | None = None
    words: list[str] = []
    given = iter(args)
    for word in given:
        if word == "-S":
            value = next(given, "")
            size = int(value) if value.isdigit() else -1
        elif word in ("-i", "--user", "--install-location", "-p"):
            next(given, None)  # an option with a value this phone does not need
        elif word.startswith("-") and word != "-":
            flags.add(word)
        else:
            words.append(word)
    return flags, size, words

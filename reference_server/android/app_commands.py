"""A phone's app commands: ``pm``, ``monkey`` and ``am``, and uiautomator2's keyboard app.

:class:`AppCommands` is mixed into the phone (:class:`~.system.AndroidSystem`), whose
packages, screen and records it changes.
"""

from __future__ import annotations

import base64
import binascii

from .packages import ADB_KEYBOARD, install
from .settings import DEFAULT_SETTINGS
from .sh import Done
from .tools import AndroidTools

__all__ = ["AppCommands"]

_SCAN = "android.intent.action.MEDIA_SCANNER_SCAN_FILE"
_TYPE = "ADB_INPUT_TEXT"


class AppCommands(AndroidTools):
    """The app commands; the phone provides its packages, screen and records."""

    gallery: list[str]

    def _cmd_pm(self, args: list[str]) -> str:
        if args[:2] == ["list", "packages"]:
            wanted = [a for a in args[2:] if not a.startswith("-")]
            names = sorted(self.packages | {"com.android.settings"})
            return "".join(f"package:{n}\n" for n in names if not wanted or wanted[0] in n)
        if args[:1] == ["clear"] and args[1:2]:
            if args[1] not in self.packages:
                return "Failed\n"
            self.force_stop(args[1])
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
            self.force_stop(name)
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

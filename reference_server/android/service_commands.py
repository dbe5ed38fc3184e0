"""``cmd``, ``content``, ``svc``, ``whoami`` and ``uptime``, as Android 13 answers them.

``cmd SERVICE ARGS`` reaches a system service by name (``cmd package …`` is ``pm …``,
``cmd activity …`` is ``am …``, ``cmd window …`` is ``wm …``, ``cmd settings …`` is
``settings …``); ``content`` queries and changes the settings provider; ``svc`` turns the
radios and the stay-awake setting on and off. :class:`ServiceCommands` is mixed into the phone
(:class:`~.system.AndroidSystem`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .settings import NAMESPACES
from .sh import Done
from .tools import AndroidTools

__all__ = ["ServiceCommands"]

#: ``cmd``'s services and the tool each is (``cmd -l`` lists them).
_CMD_SERVICES = {
    "package": "pm",
    "activity": "am",
    "window": "wm",
    "settings": "settings",
    "input_method": "ime",
}
_SETTINGS_URI = "content://settings/"
#: ``svc``'s radios and the setting each turns on and off.
_SVC = {
    "wifi": ("global", "wifi_on"),
    "data": ("global", "mobile_data"),
    "bluetooth": ("global", "bluetooth_on"),
}


class ServiceCommands(AndroidTools):
    """The service tools; the phone gives its settings and its other tools."""

    _booted = time.monotonic()

    def run_tool(
        self, argv: list[str], stdin: bytes, env: dict[str, str]
    ) -> Done:  # pragma: no cover
        """Run one command (the phone's)."""
        raise NotImplementedError

    def _cmd_whoami(self, args: list[str]) -> str:
        return "shell\n"

    def _cmd_uptime(self, args: list[str]) -> str:
        up = max(0, int(time.monotonic() - self._booted))
        days, rest = divmod(up, 86400)
        hours, rest = divmod(rest, 3600)
        clock = time.strftime("%H:%M:%S")
        span = (
            f"{days} days, {hours:2d}:{rest // 60:02d}" if days else f"{hours:2d}:{rest // 60:02d}"
        )
        return f" {clock} up {span},  0 users,  load average: 0.20, 0.15, 0.10\n"

    def _cmd_cmd(self, args: list[str]) -> Done:
        if not args or args[0] == "-l":
            listing = "".join(f"\t{name}\n" for name in sorted(_CMD_SERVICES))
            return Done(out=f"Currently running services:\n{listing}".encode())
        tool = _CMD_SERVICES.get(args[0])
        if tool is None:
            return Done(err=f"Can't find service: {args[0]}\n".encode(), status=20)
        return self.run_tool([tool, *args[1:]], self._stdin, {})

    def _cmd_svc(self, args: list[str]) -> Done:
        usage = (
            "Available commands:\n    help\n    power\n    data\n    wifi\n    usb\n"
            "    nfc\n    bluetooth\n    system-server\n"
        )
        if not args or args[0] == "help":
            return Done(out=usage.encode())
        if args[0] in _SVC and args[1:2] in (["enable"], ["disable"]):
            self.settings[_SVC[args[0]]] = "1" if args[1] == "enable" else "0"
            return Done()
        if args[0] == "power" and args[1:2] == ["stayon"] and args[2:3]:
            value = {"true": "7", "false": "0", "usb": "2", "ac": "1", "wireless": "4"}.get(args[2])
            if value is None:
                return Done(err=f"svc power stayon: unknown value {args[2]}\n".encode(), status=1)
            self.settings[("global", "stay_on_while_plugged_in")] = value
            return Done()
        if args[0] in (*_SVC, "power", "usb", "nfc", "system-server"):
            return Done(err=f"svc {args[0]}: unknown or missing arguments\n".encode(), status=1)
        return Done(err=f"Unknown command '{args[0]}'\n".encode() + usage.encode(), status=1)

    def _cmd_content(self, args: list[str]) -> Done:
        """``content query|insert|update|delete --uri content://settings/NAMESPACE …``."""
        if not args or args[0] not in ("query", "insert", "update", "delete"):
            return Done(
                err=b"usage: adb shell content [subcommand] [options]\n"
                b"  content query --uri <URI> [--where <WHERE>]\n"
                b"  content insert --uri <URI> --bind name:s:<NAME> --bind value:s:<VALUE>\n",
                status=1,
            )
        verb, options = args[0], _content_options(args[1:])
        uri = options.get("uri", [""])[0]
        namespace = uri[len(_SETTINGS_URI) :].strip("/") if uri.startswith(_SETTINGS_URI) else ""
        if namespace not in NAMESPACES:
            provider = uri.split("/")[2] if uri.count("/") > 2 else uri
            message = (
                f"[ERROR] Error while accessing provider:{provider}\n"
                f"java.lang.IllegalArgumentException: Unknown URI {uri}\n"
            )
            return Done(err=message.encode(), status=1)
        binds = dict(_bind(item) for item in options.get("bind", []))
        where = options.get("where", [""])[0]
        handlers: dict[str, Callable[[], Done]] = {
            "query": lambda: self._content_query(namespace, where),
            "insert": lambda: self._content_put(namespace, binds),
            "update": lambda: self._content_put(namespace, binds, where),
            "delete": lambda: self._content_delete(namespace, where),
        }
        return handlers[verb]()

    def _content_query(self, namespace: str, where: str) -> Done:
        name = _where_name(where)
        keys = sorted(key for space, key in self.settings if space == namespace)
        rows = [key for key in keys if name is None or key == name]
        if not rows:
            return Done(out=b"No result found.\n")
        lines = [
            f"Row: {index} _id={index + 1}, name={key}, value={self.settings[(namespace, key)]}"
            for index, key in enumerate(rows)
        ]
        return Done(out="".join(line + "\n" for line in lines).encode())

    def _content_put(self, namespace: str, binds: dict[str, str], where: str = "") -> Done:
        name = binds.get("name") or _where_name(where)
        if not name or "value" not in binds:
            return Done(err=b"[ERROR] name and value bindings are required\n", status=1)
        self.settings[(namespace, name)] = binds["value"]
        return Done()

    def _content_delete(self, namespace: str, where: str) -> Done:
        name = _where_name(where)
        if name is not None:
            self.settings.pop((namespace, name), None)
        return Done()


def _content_options(args: list[str]) -> dict[str, list[str]]:
    options: dict[str, list[str]] = {}
    words = iter(args)
    for word in words:
        if word.startswith("--"):
            options.setdefault(word[2:], []).append(next(words, ""))
    return options


def _bind(item: str) -> tuple[str, str]:
    """``name:s:VALUE`` (a column, its type, its value)."""
    name, _, rest = item.partition(":")
    _, _, value = rest.partition(":")
    return name, value


def _where_name(where: str) -> str | None:
    """The name a ``--where "name='KEY'"`` picks (``None``: every row)."""
    text = where.strip()
    if not text.startswith("name="):
        return None
    return text[len("name=") :].strip("'\"")

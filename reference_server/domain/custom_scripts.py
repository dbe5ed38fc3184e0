"""Managed custom scripts: users' own programs, registered under a script name, run as tasks.

A registration names a command (an argument vector, executed directly, never through a
shell), the platform whose app it drives, and a timeout. A task whose ``script_name`` is a
registered name runs that command on its device (see :mod:`.script_process`). Registrations
are kept in the store's settings, so they outlive a restart, and are checked completely
before anything is stored.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Collection, Mapping
from typing import Any

import attrs

from tikmatrix_sdk._contract.codes import FORBIDDEN, NOT_FOUND, ContractError, bad_request
from tikmatrix_sdk._contract.limits import MAX_SCRIPT_TIMEOUT

from .store import TaskStore

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_TIMEOUT",
    "OFF",
    "PACKAGES",
    "PLATFORMS",
    "CustomScript",
    "CustomScripts",
    "parse_registration",
]

#: A custom script's seconds when the registration names none (30 minutes), and the most.
DEFAULT_TIMEOUT, MAX_TIMEOUT = 1800.0, MAX_SCRIPT_TIMEOUT
#: The app package of each platform a script may name (``generic`` names none).
PACKAGES = {
    "generic": "",
    "tiktok": "com.zhiliaoapp.musically",
    "instagram": "com.instagram.android",
    "threads": "com.instagram.barcelona",
}
PLATFORMS = tuple(PACKAGES)
_NAME = re.compile(r"[a-z][a-z0-9_-]{0,63}")
_MAX_WORDS, _MAX_WORD = 64, 4096
_MAX_SCRIPTS = 100
_SETTING = "custom_scripts"


@attrs.frozen(kw_only=True)
class CustomScript:
    """A registered command."""

    name: str
    command: tuple[str, ...]
    platform: str = "generic"
    timeout: float = DEFAULT_TIMEOUT

    def to_json(self) -> dict[str, Any]:
        """The registration as the control API serves it."""
        return {
            "name": self.name,
            "command": list(self.command),
            "platform": self.platform,
            "timeout_secs": self.timeout,
        }


def parse_registration(name: str, body: Any, taken: Collection[str]) -> CustomScript:
    """Check a registration completely; ``taken`` are the built-in scripts' names."""
    if not _NAME.fullmatch(name):
        raise bad_request(
            f"name: a custom script's name is 1-64 lowercase letters, digits, '_' or '-', "
            f"starting with a letter; got {name!r}"
        )
    if name in taken:
        raise bad_request(f"name: {name!r} is a built-in script of TikMatrix")
    if not isinstance(body, dict):
        raise bad_request("the request body must be a JSON object")
    unknown = set(body) - {"command", "platform", "timeout_secs"}
    if unknown:
        raise bad_request(f"unknown field(s): {', '.join(sorted(unknown))}")
    command = body.get("command")
    if (
        not isinstance(command, list)
        or not 1 <= len(command) <= _MAX_WORDS
        or not all(isinstance(word, str) and len(word) <= _MAX_WORD for word in command)
        or not command[0]
    ):
        raise bad_request(
            f"command must be a list of 1 to {_MAX_WORDS} strings (each at most {_MAX_WORD} "
            "characters), the program first; it runs directly, not through a shell"
        )
    if any("\x00" in word for word in command):
        raise bad_request("command: a word may not contain a NUL character")
    platform = body.get("platform", "generic")
    if platform not in PLATFORMS:
        raise bad_request(f"platform must be one of {', '.join(PLATFORMS)}, got {platform!r}")
    timeout = body.get("timeout_secs", DEFAULT_TIMEOUT)
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not 1 <= timeout <= MAX_TIMEOUT
    ):
        raise bad_request(
            f"timeout_secs must be a number of seconds from 1 to {MAX_TIMEOUT:g}, got {timeout!r}"
        )
    return CustomScript(
        name=name, command=tuple(command), platform=platform, timeout=float(timeout)
    )


#: Why a server refuses custom scripts unless it was started to run them.
OFF = (
    "custom scripts are off: a registered command runs on this machine as the server's user, "
    "so the server runs them only when started with --allow-custom-scripts "
    "(ServerConfig(custom_scripts=True); the pytest plugin's --tikmatrix-custom-scripts)"
)


class CustomScripts:
    """The registrations, kept in the store's settings.

    ``enabled`` is the server's opt-in: without it nothing may be registered, no task may be
    made for a registration kept from an earlier run, and none runs.
    """

    def __init__(self, store: TaskStore, *, enabled: bool = False) -> None:
        self._store = store
        self.enabled = enabled
        self._lock = threading.Lock()  # a change reads, edits and writes back the whole set

    def require_enabled(self) -> None:
        """Refuse with 40301 unless the server was started to run custom scripts."""
        if not self.enabled:
            raise ContractError(FORBIDDEN, OFF, http_status=403)

    def _all(self) -> dict[str, CustomScript]:
        raw = json.loads(self._store.get_setting(_SETTING, "{}"))
        return {
            name: CustomScript(
                name=name,
                command=tuple(entry["command"]),
                platform=entry["platform"],
                timeout=float(entry["timeout_secs"]),
            )
            for name, entry in raw.items()
        }

    def _save(self, scripts: Mapping[str, CustomScript]) -> None:
        stored = {name: script.to_json() for name, script in scripts.items()}
        self._store.set_setting(_SETTING, json.dumps(stored))

    def get(self, name: str) -> CustomScript | None:
        """The registration of ``name``, if any."""
        return self._all().get(name)

    def list(self) -> list[CustomScript]:
        """Every registration, by name."""
        return sorted(self._all().values(), key=lambda script: script.name)

    def register(self, script: CustomScript) -> CustomScript:
        """Add or replace a registration (40301 while custom scripts are off)."""
        self.require_enabled()
        with self._lock:
            scripts = self._all()
            if script.name not in scripts and len(scripts) >= _MAX_SCRIPTS:
                raise bad_request(f"at most {_MAX_SCRIPTS} custom scripts may be registered")
            scripts[script.name] = script
            self._save(scripts)
        return script

    def unregister(self, name: str) -> None:
        """Remove a registration; 40401 if there is none."""
        with self._lock:
            scripts = self._all()
            if scripts.pop(name, None) is None:
                raise ContractError(NOT_FOUND, f"no custom script is registered as {name!r}")
            self._save(scripts)

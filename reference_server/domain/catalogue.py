"""Every script a task may name, in one place.

The contract's scripts, with their steps, and the custom ones registered through the
control API.
"""

from __future__ import annotations

from ..scripts import SCRIPTS, Script
from .custom_scripts import CustomScript, CustomScripts

__all__ = ["Catalogue"]


class Catalogue:
    """The one registry of scripts: a create checks its name here, the runner finds it here.

    A contract script wins over a custom one of the same name (registration refuses that
    name anyway).
    """

    def __init__(self, custom: CustomScripts) -> None:
        self.custom = custom

    def find(self, name: str) -> Script | CustomScript | None:
        """The script called ``name``: its steps, a registered command, or ``None``."""
        return SCRIPTS.get(name) or self.custom.get(name)

    def custom_names(self) -> list[str]:
        """The names of the custom scripts registered now."""
        return [script.name for script in self.custom.list()]

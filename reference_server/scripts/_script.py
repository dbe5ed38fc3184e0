"""What a script is to the server: the contract's rules for it, and its steps on a device."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from tikmatrix_sdk._contract.options import Option
from tikmatrix_sdk._contract.scripts import ScriptRules

from ..devices import Device, RunContext

__all__ = ["Script"]


@attrs.frozen
class Script:
    """One script the API runs: ``contract`` says what it accepts, ``run`` what it does."""

    contract: ScriptRules
    run: Callable[[Device, Mapping[str, Any], RunContext], str]

    @property
    def name(self) -> str:
        """The script's name, as ``script_name`` gives it."""
        return self.contract.name

    @property
    def options(self) -> Mapping[str, Option]:
        """Its documented options."""
        return self.contract.options

    def prepare(self, config: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Check ``config``, fill its defaults, and split it into one config per task."""
        return self.contract.prepare(config)

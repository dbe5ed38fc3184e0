"""What the contract says of one script: its options, its checks and its fan-out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ..options import Option, validate_options

__all__ = ["ScriptRules"]


def _no_rules(config: Mapping[str, Any]) -> None:
    return None


def _one_task(config: dict[str, Any]) -> list[dict[str, Any]]:
    return [config]


@attrs.frozen(kw_only=True)
class ScriptRules:
    """One script the API runs: what its ``script_config`` may hold, and how it fans out."""

    name: str
    options: Mapping[str, Option]
    #: Checks across options (one option required when another has a value …), after
    #: each option was checked on its own and its default filled in.
    rules: Callable[[Mapping[str, Any]], None] = _no_rules
    #: The config of each task one target gets (one per user to follow, post to comment …).
    fan_out: Callable[[dict[str, Any]], list[dict[str, Any]]] = _one_task

    def prepare(self, config: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Check ``config``, fill its defaults, and split it into one config per task."""
        checked = validate_options(self.options, config)
        self.rules(checked)
        return self.fan_out(checked)

"""What a script is to the server: its options, its checks, its fan-out and its run."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ..devices import Device, RunContext
from ._options import Option, validate_options

__all__ = ["Script"]


def _no_rules(config: Mapping[str, Any]) -> None:
    return None


def _one_task(config: dict[str, Any]) -> list[dict[str, Any]]:
    return [config]


@attrs.frozen(kw_only=True)
class Script:
    """One script the API runs."""

    name: str
    options: Mapping[str, Option]
    run: Callable[[Device, Mapping[str, Any], RunContext], str]
    rules: Callable[[Mapping[str, Any]], None] = _no_rules
    fan_out: Callable[[dict[str, Any]], list[dict[str, Any]]] = _one_task

    def prepare(self, config: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Check ``config``, fill its defaults, and split it into one config per task."""
        checked = validate_options(self.options, config)
        self.rules(checked)
        return self.fan_out(checked)

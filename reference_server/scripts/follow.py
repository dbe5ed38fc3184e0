"""``follow`` and ``unfollow``: one task per target user."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..devices import Device, RunContext
from ._options import Option, require, split_list
from ._script import Script

__all__ = ["FOLLOW", "UNFOLLOW"]

OPTIONS = {
    "target_users": Option("str_list", []),
    "target_user": Option("str", ""),
    "target_username": Option("str", ""),
    "access_method": Option("str", "direct", choices=("direct", "search")),
}


def _targets(config: Mapping[str, Any]) -> list[str]:
    targets = split_list(config["target_users"], config["target_user"])
    single = config["target_username"].strip()
    return targets or ([single] if single else [])


def _rules(config: Mapping[str, Any]) -> None:
    require(
        bool(_targets(config)),
        "script_config.target_users (or target_user / target_username) is required",
    )


def _fan_out(config: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**config, "target_users": [user], "target_user": "", "target_username": user}
        for user in _targets(config)
    ]


def _runner(undo: bool) -> Any:
    def run(device: Device, config: Mapping[str, Any], ctx: RunContext) -> str:
        user = config["target_username"]
        return device.follow(ctx, user=user, access_method=config["access_method"], undo=undo)

    return run


FOLLOW = Script(name="follow", options=OPTIONS, rules=_rules, fan_out=_fan_out, run=_runner(False))
UNFOLLOW = Script(
    name="unfollow", options=OPTIONS, rules=_rules, fan_out=_fan_out, run=_runner(True)
)

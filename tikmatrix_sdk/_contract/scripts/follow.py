"""``follow`` and ``unfollow``: one task per target user."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..codes import require
from ..options import Option, split_list
from ._rules import ScriptRules

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


FOLLOW = ScriptRules(name="follow", options=OPTIONS, rules=_rules, fan_out=_fan_out)
UNFOLLOW = ScriptRules(name="unfollow", options=OPTIONS, rules=_rules, fan_out=_fan_out)

"""``follow`` and ``unfollow``: one task per target user."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tikmatrix_sdk._contract.scripts.follow import FOLLOW as FOLLOW_RULES
from tikmatrix_sdk._contract.scripts.follow import UNFOLLOW as UNFOLLOW_RULES

from ..devices import Device, RunContext
from ._script import Script

__all__ = ["FOLLOW", "UNFOLLOW"]


def _runner(undo: bool) -> Any:
    def run(device: Device, config: Mapping[str, Any], ctx: RunContext) -> str:
        user = config["target_username"]
        return device.follow(ctx, user=user, access_method=config["access_method"], undo=undo)

    return run


FOLLOW = Script(FOLLOW_RULES, _runner(False))
UNFOLLOW = Script(UNFOLLOW_RULES, _runner(True))

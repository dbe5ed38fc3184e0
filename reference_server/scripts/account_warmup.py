"""``account_warmup``: browse like a person for a while."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tikmatrix_sdk._contract.scripts.account_warmup import ACCOUNT_WARMUP

from ..devices import Device, RunContext
from ._script import Script

__all__ = ["SCRIPT"]


def _run(device: Device, config: Mapping[str, Any], ctx: RunContext) -> str:
    plan = {
        key: config[key]
        for key in (
            "task_duration",
            "min_duration",
            "max_duration",
            "like_probable",
            "floow_probable",
            "collect_probable",
            "comment_probable",
        )
    }
    plan["comment_order"] = config["comment_order"]
    plan["comments"] = [line.strip() for line in config["comment"].splitlines() if line.strip()]
    topics = [line.strip() for line in config["topic"].splitlines() if line.strip()]
    plan["topic"] = ctx.rng.choice(topics) if topics else ""
    return device.warmup(ctx, plan=plan)


SCRIPT = Script(ACCOUNT_WARMUP, _run)

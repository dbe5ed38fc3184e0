"""``comment``: one task per post URL."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from tikmatrix_sdk._contract.scripts.comment import COMMENT

from ..devices import Device, RunContext
from ._script import Script

__all__ = ["SCRIPT", "EMOJI", "pick_comment"]

EMOJI = ("🔥", "👏", "😍", "💯", "✨")


def pick_comment(config: Mapping[str, Any], job_index: int, rng: random.Random) -> str:
    """The comment a task posts: by its place in the request, or at random."""
    lines = [line.strip() for line in config["comment_content"].splitlines() if line.strip()]
    text = (
        lines[job_index % len(lines)]
        if config["comment_order"] == "sequential"
        else rng.choice(lines)
    )
    return f"{text} {rng.choice(EMOJI)}" if config["insert_emoji"] else text


def _run(device: Device, config: Mapping[str, Any], ctx: RunContext) -> str:
    text = pick_comment(config, ctx.job_index, ctx.rng)
    return device.comment(
        ctx, url=config["target_post_url"], text=text, image_path=config["comment_image_path"]
    )


SCRIPT = Script(COMMENT, _run)

"""``comment``: one task per post URL."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from ..devices import Device, RunContext
from ._options import Option, require, split_list
from ._script import Script

__all__ = ["SCRIPT", "EMOJI", "pick_comment"]

OPTIONS = {
    "target_post_urls": Option("str_list", []),
    "target_post_url": Option("str", ""),
    "comment_content": Option("str", ""),
    "comment_order": Option("str", "random", choices=("random", "sequential")),
    "insert_emoji": Option("bool", False),
    "comment_image_path": Option("str", ""),
}

EMOJI = ("🔥", "👏", "😍", "💯", "✨")


def _rules(config: Mapping[str, Any]) -> None:
    require(
        bool(split_list(config["target_post_urls"], config["target_post_url"])),
        "script_config.target_post_urls (or target_post_url) is required",
    )
    require(bool(config["comment_content"].strip()), "script_config.comment_content is required")


def _fan_out(config: dict[str, Any]) -> list[dict[str, Any]]:
    urls = split_list(config["target_post_urls"], config["target_post_url"])
    return [{**config, "target_post_urls": [url], "target_post_url": url} for url in urls]


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


SCRIPT = Script(name="comment", options=OPTIONS, rules=_rules, fan_out=_fan_out, run=_run)
